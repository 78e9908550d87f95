#!/bin/sh
# bench.sh - measure pipe throughput and atomicity (chapter 2 of ipc-book).
# Run by `make bench` with IPC_BIN (the programs) and OUT (book/measured/).
# Writes $OUT/02-pipes-throughput.md and .svg, and 02-pipes-atomicity.md.
# Tangled from chapters/02-pipes.md; do not edit.
set -eu
: "${IPC_BIN:?set IPC_BIN to the directory of the programs}"
: "${OUT:?set OUT to the directory for the results}"
PATH=$IPC_BIN:$PATH
runs=7
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
ncpu=$(getconf _NPROCESSORS_ONLN)
load=$(cut -d ' ' -f 1 /proc/loadavg)
machine="$cpu, $ncpu CPUs online, Linux $(uname -r), $(date -u +%Y-%m-%d)"
machine="$machine, load average $load at the start"
if [ "$ncpu" -ge 2 ]; then other=1; else other=0; fi
# rate SIZE CAPACITY WRITER_CPU READER_CPU
rate() {
    total=$(( $1 * 65536 ))
    [ "$total" -ge 262144 ] || total=262144
    [ "$total" -le 268435456 ] || total=268435456
    for i in $(seq "$runs"); do
        taskset -c "$3" pipe_bench -c "$2" -s "$1" -t "$total" send |
            taskset -c "$4" pipe_bench -s "$1" recv
    done | sed 's/.* \([0-9.]*\) MiB\/s$/\1/' | sort -n |
        sed -n "$(( (runs + 1) / 2 ))p"
}
sizes="1 4 16 64 256 1024 4096 16384 65536 262144 1048576"
for s in $sizes; do
    echo "$s $(rate "$s" 65536 0 0) $(rate "$s" 1048576 0 0)" \
         "$(rate "$s" 65536 0 $other) $(rate "$s" 1048576 0 $other)"
done > "$tmp/data"
human() {
    if [ "$1" -ge 1048576 ]; then echo "$(( $1 / 1048576 )) MiB"
    elif [ "$1" -ge 1024 ]; then echo "$(( $1 / 1024 )) KiB"
    else echo "$1 B"; fi
}
{
    echo "| write and read size | one CPU, 64 KiB pipe | one CPU, 1 MiB pipe" \
         "| two CPUs, 64 KiB pipe | two CPUs, 1 MiB pipe |"
    echo "|---:|---:|---:|---:|---:|"
    while read -r s a b c d; do
        echo "| $(human "$s") | $a | $b | $c | $d |"
    done < "$tmp/data"
    echo
    echo "Throughput in MiB/s, median of $runs runs of" \
         "\`pipe_bench send | pipe_bench recv\`, each process pinned with" \
         "\`taskset\` (one CPU: both on CPU 0; two CPUs: writer on CPU 0," \
         "reader on CPU $other). Measured on $machine."
} > "$OUT/02-pipes-throughput.md"
gnuplot <<EOF
set terminal svg size 720,440 dynamic font "DejaVu Sans,11"
set output "$OUT/02-pipes-throughput.svg"
set logscale xy
set xlabel "bytes per write and per read"
set ylabel "MiB/s, median of $runs runs"
set xtics ("1" 1, "16" 16, "256" 256, "4K" 4096, "64K" 65536, "1M" 1048576)
set xrange [0.7:1.5e6]
set key bottom right
set grid
set title "Pipe throughput: $machine" font ",9"
plot "$tmp/data" using 1:2 with linespoints title "one CPU, 64 KiB pipe", \
     "" using 1:3 with linespoints title "one CPU, 1 MiB pipe", \
     "" using 1:4 with linespoints title "two CPUs, 64 KiB pipe", \
     "" using 1:5 with linespoints title "two CPUs, 1 MiB pipe"
EOF
{
    echo "| record size | records | torn | torn, % |"
    echo "|---:|---:|---:|---:|"
    for s in 512 4096 4097 8192 16384 65536 262144 1048576; do
        n=$(( 33554432 / 8 / s ))
        pipe_atomic -w 8 -n "$n" -s "$s" |
            sed 's/.*: \([0-9]*\) records read, \([0-9]*\) torn/\1 \2/' |
            { read -r total torn
              pct=$(awk "BEGIN { printf \"%.1f\", 100 * $torn / $total }")
              echo "| $s | $total | $torn | $pct |"; }
    done
    echo
    echo "\`pipe_atomic -w 8\`, one run per size, default pipe capacity" \
         "(64 KiB), no pinning. Measured on $machine."
} > "$OUT/02-pipes-atomicity.md"

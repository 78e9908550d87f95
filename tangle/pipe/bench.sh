#!/bin/sh
# bench.sh - measure pipe throughput and atomicity (chapter 2 of ipc-book).
# Run by `make bench` (or `make bench T=02-pipes`) with IPC_BIN and OUT,
# and read by the harness of chapter 1, bench/harness.sh, which says more.
# Writes $OUT/02-pipes-throughput.md and .svg, 02-pipes-latency.md,
# 02-pipes-zerocopy.md and 02-pipes-atomicity.md.
# Tangled from chapters/02-pipes.md; do not edit.
set -eu
. "$(dirname "$0")/../bench/harness.sh"
if [ "$quick" = 1 ]; then
    sizes="16 65536" most=1048576 lat_n=50 zc_sizes=65536
    atomic_sizes="512 4097" atomic_total=262144
else
    sizes="1 4 16 64 256 1024 4096 16384 65536 262144 1048576"
    most=268435456 lat_n=20000 zc_sizes="4096 65536 1048576"
    atomic_sizes="512 4096 4097 8192 16384 65536 262144 1048576"
    atomic_total=33554432
fi
# pipe_rate SIZE CAPACITY [-Z]
pipe_rate() {
    total=$(( $1 * 65536 ))
    [ "$total" -ge 262144 ] || total=262144
    [ "$total" -le "$most" ] || total=$most
    on_first pipe_bench ${3:-} -c "$2" -s "$1" -t "$total" send |
        on_second pipe_bench ${3:-} -s "$1" -t "$total" recv |
        sed -n 's/.* \([0-9.]*\) MiB\/s$/\1/p'
}
mkfifo "$bench_tmp/there" "$bench_tmp/back"
# pipe_rtt SIZE
pipe_rtt() {
    on_second pipe_bench -s "$1" echo "$bench_tmp/there" "$bench_tmp/back" &
    on_first pipe_bench -s "$1" -n "$lat_n" ping "$bench_tmp/there" \
        "$bench_tmp/back" | sed -n 's/.*: \([0-9]*\) ns per round trip$/\1/p'
    wait $!
}
for run in $(bench_rounds); do
    bench_limits_sample
    for p in $placements; do
        bench_place "$p"
        for cap in 65536 1048576; do
            series="$(bench_label "$p"), $(bench_bytes "$cap") pipe"
            for s in $sizes; do
                bench_sample "$s" "$series" pipe_rate "$s" "$cap"
            done
        done
        for s in 1 64; do
            bench_keep "$bench_tmp/latency" "$s" "$(bench_label "$p")" \
                pipe_rtt "$s"
        done
        where=$(bench_label "$p") zc=$bench_tmp/zerocopy
        for s in $zc_sizes; do
            bench_keep "$zc" "$s" "$where, write and read" pipe_rate "$s" 65536
            bench_keep "$zc" "$s" "$where, vmsplice and splice" \
                pipe_rate "$s" 65536 -Z
        done
    done
done
what="Throughput in MiB/s of \`pipe_bench send | pipe_bench recv\`"
{
    bench_table "write and read size" bytes
    echo
    bench_caption "$what" "the writer" "the reader"
    echo
    bench_limits_table
} > "$OUT/02-pipes-throughput.md"
plot_set='set xtics ("1" 1, "16" 16, "256" 256, "4K" 4096)
set xtics add ("64K" 65536, "1M" 1048576); set xrange [0.7:1.5e6]'
bench_plot "$OUT/02-pipes-throughput.svg" "Pipe throughput" \
    "bytes per write and per read" "MiB/s"
cp "$bench_tmp/latency" "$bench_tmp/samples"
what="Nanoseconds per round trip of \`pipe_bench ping\` and \`echo\`"
what="$what through two FIFOs, $lat_n round trips a run"
{
    bench_table "message size" bytes
    echo
    bench_caption "$what" "ping" "echo"
    echo
    bench_limits_table
} > "$OUT/02-pipes-latency.md"
cp "$bench_tmp/zerocopy" "$bench_tmp/samples"
what="Throughput in MiB/s through a 64 KiB pipe of \`pipe_bench send |"
what="$what pipe_bench recv\`, copying, and with \`-Z\` on both sides"
{
    bench_table "write and read size" bytes
    echo
    bench_caption "$what" "the writer" "the reader"
    echo
    bench_limits_table
} > "$OUT/02-pipes-zerocopy.md"
{
    echo "| record size | records | torn | torn, % |"
    echo "|---:|---:|---:|---:|"
    for s in $atomic_sizes; do
        n=$(( atomic_total / 8 / s ))
        pipe_atomic -w 8 -n "$n" -s "$s" |
            sed 's/.*: \([0-9]*\) records read, \([0-9]*\) torn/\1 \2/' |
            { read -r total torn
              pct=$(awk "BEGIN { printf \"%.1f\", 100 * $torn / $total }")
              echo "| $s | $total | $torn | $pct |"; }
    done
    echo
    echo "\`pipe_atomic -w 8\`, one run per size, default pipe capacity" \
         "(64 KiB), no pinning. Measured on $bench_machine, load average" \
         "$(bench_load) at the end."
} > "$OUT/02-pipes-atomicity.md"

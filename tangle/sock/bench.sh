#!/bin/sh
# bench.sh - measure UNIX stream and SOCK_SEQPACKET sockets beside datagram
# sockets and pipes (chapter 4 of ipc-book).  Run by `make bench` (or
# `make bench T=04-stream-sockets`) with IPC_BIN and OUT, and read by the
# harness of chapter 1, bench/harness.sh.  Writes
# $OUT/04-stream-sockets-latency.md, 04-stream-sockets-throughput.md and
# 04-stream-sockets-throughput.svg.
# Tangled from chapters/04-stream-sockets.md; do not edit.
set -eu
. "$(dirname "$0")/../bench/harness.sh"
if [ "$quick" = 1 ]; then
    lat_n=50 sizes="64 65536" total=1048576 least=16 most=1000
else
    lat_n=10000 sizes="64 1024 16384 65536 1048576"
    total=16777216 least=64 most=20000
fi
lat_sizes="1 64" kinds="stream seqpacket datagram"
name="@sock_bench.$$"
# prog KIND: the benchmark program, and its options, for KIND
prog() {
    case $1 in
    datagram) echo dgram_bench ;;
    *)        echo "sock_bench -t $1" ;;
    esac
}
# messages SIZE: how many messages of SIZE bytes make one throughput run
messages() {
    m=$(( total / $1 ))
    [ "$m" -ge "$least" ] || m=$least
    [ "$m" -le "$most" ] || m=$most
    echo "$m"
}
# rtt KIND SIZE: ns per round trip
rtt() {
    if [ "$1" = pipe ]; then
        [ -p "$bench_tmp/back" ] || mkfifo "$bench_tmp/there" \
            "$bench_tmp/back"
        on_second pipe_bench -s "$2" echo "$bench_tmp/there" \
            "$bench_tmp/back" &
        on_first pipe_bench -s "$2" -n "$lat_n" ping "$bench_tmp/there" \
            "$bench_tmp/back" |
            sed -n 's/.*: \([0-9]*\) ns per round trip$/\1/p'
        wait $!
        return
    fi
    on_second $(prog "$1") -s "$2" -n "$lat_n" echo "$name" &
    on_first $(prog "$1") -s "$2" -n "$lat_n" ping "$name" |
        sed -n 's/.*: \([0-9.]*\) ns per round trip$/\1/p'
    wait
}
# rate KIND SIZE: MiB/s of a one-way stream
rate() {
    m=$(messages "$2")
    if [ "$1" = pipe ]; then
        on_first pipe_bench -s "$2" -t $(( m * $2 )) send |
            on_second pipe_bench -s "$2" -t $(( m * $2 )) recv |
            sed -n 's/.* \([0-9.]*\) MiB\/s$/\1/p'
        return
    fi
    on_first $(prog "$1") -s "$2" -n "$m" send "$name" &
    on_second $(prog "$1") -s "$2" -n "$m" sink "$name" |
        sed -n 's/.*: \([0-9.]*\) MiB\/s$/\1/p'
    wait
}
for run in $(bench_rounds); do
    bench_limits_sample
    for p in $placements; do
        bench_place "$p"
        for s in $lat_sizes; do
            for k in $kinds pipe; do
                bench_keep "$bench_tmp/latency" "$s" \
                    "$k, $(bench_label "$p")" rtt "$k" "$s"
            done
        done
        for s in $sizes; do
            for k in $kinds pipe; do
                bench_sample "$s" "$k, $(bench_label "$p")" rate "$k" "$s"
            done
        done
    done
done
what="Throughput in MiB/s of a one-way stream of messages: \`sock_bench\`"
what="$what send into sink (stream, seqpacket), \`dgram_bench\` send into"
what="$what sink (datagram), \`pipe_bench send | pipe_bench recv\` (pipe)"
{
    bench_table "message size" bytes
    echo
    bench_caption "$what" "the sender" "the receiver"
    echo
    bench_limits_table
} > "$OUT/04-stream-sockets-throughput.md"
plot_set='set xtics ("64" 64, "1K" 1024, "16K" 16384, "64K" 65536)
set xtics add ("1M" 1048576); set xrange [40:1.6e6]; set yrange [0.001:2e5]'
bench_plot "$OUT/04-stream-sockets-throughput.svg" \
    "UNIX sockets and pipes, throughput" "bytes per message" "MiB/s"
cp "$bench_tmp/latency" "$bench_tmp/samples"    # the latency table next
what="Nanoseconds per round trip of \`sock_bench ping\` and \`echo\`"
what="$what (stream, seqpacket) and \`dgram_bench ping\` and \`echo\`"
what="$what (datagram), \`pipe_bench ping\` and \`echo\` through two"
what="$what FIFOs (pipe)"
{
    bench_table "message size" bytes
    echo
    bench_caption "$what" "ping" "echo"
} > "$OUT/04-stream-sockets-latency.md"

#!/bin/sh
# bench.sh - measure UNIX datagram round trips and throughput (chapter 5
# of ipc-book).  Run by `make bench` (or `make bench T=05-datagram-sockets`)
# with IPC_BIN and OUT, and read by the harness of chapter 1,
# bench/harness.sh.  Writes $OUT/05-datagram-sockets-latency.md,
# 05-datagram-sockets-throughput.md and 05-datagram-sockets-throughput.svg.
# Tangled from chapters/05-datagram-sockets.md; do not edit.
set -eu
. "$(dirname "$0")/../bench/harness.sh"
if [ "$quick" = 1 ]; then
    lat_sizes="1 64" lat_n=200 sizes="64 65536" most=2000
else
    lat_sizes="1 64" lat_n=20000 sizes="64 1024 16384 65536 1048576"
    most=50000
fi
name="@dgram_bench.$$"
# rtt SIZE: ns per round trip; rate SIZE: MiB/s of a one-way stream
rtt() {
    on_second dgram_bench -s "$1" -n "$lat_n" echo "$name" &
    on_first dgram_bench -s "$1" -n "$lat_n" ping "$name" |
        sed -n 's/.*: \([0-9.]*\) ns per round trip$/\1/p'
    wait
}
rate() {
    n=$(( 16777216 / $1 ))
    [ "$n" -ge 1000 ] || n=1000
    [ "$n" -le "$most" ] || n=$most
    on_first dgram_bench -s "$1" -n "$n" send "$name" &
    on_second dgram_bench -s "$1" -n "$n" sink "$name" |
        sed -n 's/.*: \([0-9.]*\) MiB\/s$/\1/p'
    wait
}
for run in $(bench_rounds); do
    bench_limits_sample
    for p in $placements; do
        bench_place "$p"
        for s in $lat_sizes; do
            bench_keep "$bench_tmp/latency" "$s" "$(bench_label "$p")" rtt "$s"
        done
        for s in $sizes; do
            bench_sample "$s" "$(bench_label "$p")" rate "$s"
        done
    done
done
what="Throughput in MiB/s of \`dgram_bench send\` into \`dgram_bench sink\`"
{
    bench_table "datagram size" bytes
    echo
    bench_caption "$what" "the sender" "the receiver"
    echo
    bench_limits_table
} > "$OUT/05-datagram-sockets-throughput.md"
plot_set='set xtics ("64" 64, "1K" 1024, "16K" 16384, "64K" 65536)
set xtics add ("1M" 1048576); set xrange [40:1.6e6]'
bench_plot "$OUT/05-datagram-sockets-throughput.svg" \
    "UNIX datagram throughput" "bytes per datagram" "MiB/s"
cp "$bench_tmp/latency" "$bench_tmp/samples"    # the latency table next
what="Nanoseconds per round trip of \`dgram_bench ping\` and \`echo\`"
{
    bench_table "datagram size" bytes
    echo
    bench_caption "$what" "ping" "echo"
} > "$OUT/05-datagram-sockets-latency.md"

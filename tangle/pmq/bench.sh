#!/bin/sh
# bench.sh - throughput and round trip of POSIX message queues (chapter 6
# of ipc-book).  Run by `make bench` (or `make bench T=06-posix-message-
# queues`) with IPC_BIN and OUT; the harness, bench/harness.sh, says more.
# Writes $OUT/06-posix-message-queues-rate.md and .svg, and -rtt.md.
# Tangled from chapters/06-posix-message-queues.md; do not edit.
set -eu
. "$(dirname "$0")/../bench/harness.sh"
if [ "$quick" = 1 ]; then
    sizes="64 8192" n=2000 rtts=1000
else
    sizes="64 256 1024 4096 8192" n=100000 rtts=20000
fi
# rate SIZE: MiB/s; rtt: ns per round trip of 64 bytes
rate() {
    pmq_bench -p "$bench_first,$bench_second" -s "$1" -n "$n" rate |
        sed -n 's/.* \([0-9.]*\) MiB\/s$/\1/p'
}
rtt() {
    pmq_bench -p "$bench_first,$bench_second" -s 64 -n "$rtts" pingpong |
        sed -n 's/.* \([0-9.]*\) ns per round trip$/\1/p'
}
for run in $(bench_rounds); do
    bench_limits_sample
    for p in $placements; do
        bench_place "$p"
        for s in $sizes; do
            bench_sample "$s" "$(bench_label "$p")" rate "$s"
        done
    done
done
{
    bench_table "message size" bytes
    echo
    bench_caption "Throughput in MiB/s of \`pmq_bench rate\`" \
        "the sender" "the receiver"
    echo
    bench_limits_table
} > "$OUT/06-posix-message-queues-rate.md"
plot_set='set xtics ("64" 64, "256" 256, "1K" 1024, "4K" 4096, "8K" 8192)
set xrange [48:11000]'
bench_plot "$OUT/06-posix-message-queues-rate.svg" \
    "POSIX message queue throughput" "bytes per message" "MiB/s"
: > "$bench_tmp/samples"
: > "$bench_tmp/limits"
for run in $(bench_rounds); do
    for p in $placements; do
        bench_place "$p"
        bench_sample 64 "$(bench_label "$p")" rtt
    done
done
{
    bench_table "message size" bytes
    echo
    bench_caption "Round trip in ns of \`pmq_bench pingpong\`" \
        "the sender" "the one who answers"
} > "$OUT/06-posix-message-queues-rtt.md"

#!/bin/sh
# bench.sh - measure System V queue throughput and round trips (chapter 7
# of ipc-book).  Run by `make bench` (or `make bench T=07-system-v-message-
# queues`) with IPC_BIN and OUT, and read by the harness of chapter 1.
# Writes $OUT/07-svmq-throughput.md and .svg, and 07-svmq-latency.md.
# Tangled from chapters/07-system-v-message-queues.md; do not edit.
set -eu
. "$(dirname "$0")/../bench/harness.sh"
if [ "$quick" = 1 ]; then
    sizes="64 8192" count=2000 trips=1000
else
    sizes="64 256 1024 4096 8192" count=20000 trips=10000
fi
# svmq_number MODE SIZE COUNT: the one number of one run
svmq_number() {
    svmq_bench -s "$2" -n "$3" "$1" "$bench_first" "$bench_second" |
        sed -n 's/.* \([0-9.]*\) \(MiB\/s\|ns per round trip\)$/\1/p'
}
for run in $(bench_rounds); do
    bench_limits_sample
    for p in $placements; do
        bench_place "$p"
        for s in $sizes; do
            bench_sample "$s" "$(bench_label "$p")" svmq_number rate "$s" \
                "$count"
        done
        bench_keep "$bench_tmp/trips" 64 "$(bench_label "$p")" \
            svmq_number rtt 64 "$trips"
    done
done
{
    bench_table "message size" bytes
    echo
    bench_caption "Throughput in MiB/s of \`svmq_bench rate\`" \
        "the sender" "the receiver"
    echo
    bench_limits_table
} > "$OUT/07-svmq-throughput.md"
plot_set='set xtics ("64" 64, "256" 256, "1K" 1024, "4K" 4096, "8K" 8192)'
bench_plot "$OUT/07-svmq-throughput.svg" "System V queue throughput" \
    "bytes per message" "MiB/s"
cp "$bench_tmp/trips" "$bench_tmp/samples"
{
    bench_table "message size" bytes
    echo
    bench_caption "Round trip in ns of \`svmq_bench rtt\`" \
        "the asker" "the echo"
} > "$OUT/07-svmq-latency.md"

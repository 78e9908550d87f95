#!/bin/sh
# bench.sh - measure the hand-off and the uncontended cost of flock, fcntl
# and OFD locks (chapter 13 of ipc-book).  Run by `make bench` (or `make
# bench T=13-file-locks`) with IPC_BIN and OUT, and read by the harness of
# chapter 1.  Writes $OUT/13-file-locks-latency.md.
# Tangled from chapters/13-file-locks.md; do not edit.
set -eu
. "$(dirname "$0")/../bench/harness.sh"
if [ "$quick" = 1 ]; then trips=200 pairs=2000; else trips=5000 pairs=200000; fi
# lock_number ARGS...: the one number of one run of lock_bench
lock_number() {
    lock_bench "$@" | sed -n 's/.* \([0-9.]*\) ns per \(hand-off\|pair\)$/\1/p'
}
for run in $(bench_rounds); do
    bench_limits_sample
    for m in flock fcntl ofd; do
        for p in $placements; do
            bench_place "$p"
            bench_sample "$m" "hand-off, $(bench_label "$p")" \
                lock_number -n "$trips" "$m" "$bench_first" "$bench_second"
        done
        bench_sample "$m" "lock and unlock, alone" \
            lock_number -u -n "$pairs" "$m" "$cpu_a"
    done
done
{
    bench_table "lock"
    echo
    what="Time in ns of one hand-off (half a round trip of \`lock_bench\`)"
    bench_caption "$what, and of one lock and unlock by a process alone" \
        "the first side" "the second side"
    echo
    bench_limits_table
} > "$OUT/13-file-locks-latency.md"

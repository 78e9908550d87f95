#!/bin/sh
# bench.sh - measure POSIX semaphore hand-offs and uncontended pairs
# (chapter 11 of ipc-book).  Run by `make bench` (or `make bench
# T=11-posix-semaphores`) with IPC_BIN and OUT; reads the harness of
# chapter 1.  Writes $OUT/11-posix-semaphores-handoff.md.
# Tangled from chapters/11-posix-semaphores.md; do not edit.
set -eu
. "$(dirname "$0")/../bench/harness.sh"
if [ "$quick" = 1 ]; then
    trips=200 pairs=100000
else
    trips=20000 pairs=2000000
fi
# psem_number MODE ARGS...: the one number of one run of psem_bench
psem_number() {
    m=$1
    shift
    psem_bench -m "$m" "$@" | sed -n 's/.* \([0-9.]*\) ns per .*$/\1/p'
}
for run in $(bench_rounds); do
    bench_limits_sample
    for p in $placements; do
        bench_place "$p"
        for m in named unnamed; do
            bench_sample "hand-off, $m" "$(bench_label "$p")" \
                psem_number "$m" -n "$trips" handoff "$bench_first" \
                "$bench_second"
        done
    done
    bench_place one
    for m in named unnamed; do
        bench_sample "wait + post, $m, uncontended" "$(bench_label one)" \
            psem_number "$m" -n "$pairs" pair "$bench_first"
    done
done
{
    bench_table "ns per hand-off, or per pair"
    echo
    bench_caption "Nanoseconds of \`psem_bench handoff\` (half a round \
trip) and \`psem_bench pair\`" "the poster" "the waiter"
    echo
    bench_limits_table
} > "$OUT/11-posix-semaphores-handoff.md"

#!/bin/sh
# bench.sh - measure System V semaphore hand-offs and lock/unlock pairs
# (chapter 12 of ipc-book).  Run by `make bench` (or `make bench
# T=12-system-v-semaphores`) with IPC_BIN and OUT, and read by the
# harness of chapter 1.  Writes $OUT/12-svsem-handoff.md.
# Tangled from chapters/12-system-v-semaphores.md; do not edit.
set -eu
. "$(dirname "$0")/../bench/harness.sh"
if [ "$quick" = 1 ]; then trips=500 pairs=5000; else trips=5000 pairs=100000; fi
# svsem_number ARGS...: the one number of one run of svsem_bench ARGS
svsem_number() {
    svsem_bench "$@" | sed -n 's/.* \([0-9.]*\) ns per [a-z-]*$/\1/p'
}
for run in $(bench_rounds); do
    bench_limits_sample
    for p in $placements; do
        bench_place "$p"
        for u in "" -u; do
            what="hand-off${u:+, SEM_UNDO}"
            bench_sample "$what" "$(bench_label "$p")" svsem_number $u \
                -n "$trips" handoff "$bench_first" "$bench_second"
        done
    done
    for u in "" -u; do
        bench_sample "lock/unlock pair${u:+, SEM_UNDO}" "one CPU" \
            svsem_number $u -n "$pairs" pair "$cpu_a"
    done
done
{
    bench_table "System V semaphore, ns"
    echo
    bench_caption "Nanoseconds per hand-off (half a round trip) and per
uncontended lock/unlock pair, of \`svsem_bench\`" "the giver" "the waiter"
    echo
    bench_limits_table
} > "$OUT/12-svsem-handoff.md"

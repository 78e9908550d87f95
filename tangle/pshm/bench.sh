#!/bin/sh
# bench.sh - throughput and round trip of the shared memory ring (chapter
# 10 of ipc-book).  Run by `make bench` (or `make bench T=10-posix-
# shared-memory`) with IPC_BIN and OUT; bench/harness.sh says more.
# Writes $OUT/10-posix-shared-memory-rate.md and .svg, and -rtt.md.
# Tangled from chapters/10-posix-shared-memory.md; do not edit.
set -eu
. "$(dirname "$0")/../bench/harness.sh"
# The ring's round trips are many: each takes about a microsecond, and
# a run of 20000 (a few tens of ms) once measured twice the time per
# round trip of a run of a million, its first milliseconds being slow
# ones.  The pipe's take 20 times as long each, and 20000 of them last
# long enough.
if [ "$quick" = 1 ]; then
    sizes="64 65536" total=4194304 rtts=500 pipe_rtts=500
else
    sizes="64 1024 16384 262144 1048576" total=268435456
    rtts=500000 pipe_rtts=20000
fi
# rate MODE SIZE: MiB/s; rtt OPTIONS: ns per round trip of 64 bytes
rate() {
    ring_bench $1 -p "$bench_first,$bench_second" -m "$2" \
        -n $((total / $2)) rate | sed -n 's/.* \([0-9.]*\) MiB\/s$/\1/p'
}
rtt() {
    ring_bench $1 -p "$bench_first,$bench_second" -n "$rtts" pingpong |
        sed -n 's/.* \([0-9.]*\) ns per round trip$/\1/p'
}
# The same through a pipe of 1 MiB (chapter 2's pipe_bench), in the
# same rounds: figures are compared only within one run.
pipe_rate() {
    on_first pipe_bench -c 1048576 -s "$1" -t "$total" send |
        on_second pipe_bench -s "$1" -t "$total" recv |
        sed -n 's/.* \([0-9.]*\) MiB\/s$/\1/p'
}
mkfifo "$bench_tmp/there" "$bench_tmp/back"
pipe_rtt() {
    on_second pipe_bench -s 64 echo "$bench_tmp/there" "$bench_tmp/back" &
    on_first pipe_bench -s 64 -n "$pipe_rtts" ping "$bench_tmp/there" \
        "$bench_tmp/back" | sed -n 's/.*: \([0-9]*\) ns per round trip$/\1/p'
    wait $!
}
series() { echo "$(bench_label "$1"), $2"; }
for run in $(bench_rounds); do
    bench_limits_sample
    for p in $placements; do
        bench_place "$p"
        for s in $sizes; do
            bench_sample "$s" "$(series "$p" spinning)" rate -s "$s"
            bench_sample "$s" "$(series "$p" sleeping)" rate "" "$s"
            bench_sample "$s" "$(series "$p" pipe)" pipe_rate "$s"
        done
    done
done
{
    bench_table "message size" bytes
    echo
    what="Throughput in MiB/s of \`ring_bench rate\`, and of"
    what="$what \`pipe_bench send | pipe_bench recv\` through a 1 MiB pipe"
    bench_caption "$what" "the sender" "the receiver"
    echo
    bench_limits_table
} > "$OUT/10-posix-shared-memory-rate.md"
plot_set='set xtics ("64" 64, "1K" 1024, "16K" 16384, "256K" 262144, \
"1M" 1048576)
set xrange [48:1500000]'
bench_plot "$OUT/10-posix-shared-memory-rate.svg" \
    "Shared memory ring throughput" "bytes per message" "MiB/s"
: > "$bench_tmp/samples"
: > "$bench_tmp/limits"
for run in $(bench_rounds); do
    bench_limits_sample
    for p in $placements; do
        bench_place "$p"
        bench_sample 64 "$(series "$p" spinning)" rtt -s
        bench_sample 64 "$(series "$p" sleeping)" rtt ""
        bench_sample 64 "$(series "$p" lines)" rtt "-s -l"
        bench_sample 64 "$(series "$p" pipe)" pipe_rtt
    done
done
{
    bench_table "message size" bytes
    echo
    what="Round trip in ns of \`ring_bench pingpong\` (lines: \`-s -l\`),"
    what="$what and of \`pipe_bench ping\` and \`echo\` through two FIFOs"
    bench_caption "$what" "the sender" "the one who answers"
    echo
    bench_limits_table
} > "$OUT/10-posix-shared-memory-rtt.md"

#!/bin/sh
# bench.sh - the two message queues beside a pipe and a stream socket
# (chapter 7 of ipc-book): round trips of 64 bytes and throughput from 64
# bytes to 8 KiB, all four interleaved in the same rounds.  Run by `make
# bench` (or `make bench T=07-system-v-message-queues`) with IPC_BIN and
# OUT; bench/harness.sh says more.  Writes $OUT/07-svmq-rtt.md,
# 07-svmq-rate-one.md, 07-svmq-rate-two.md and 07-svmq-rate.svg.
# Tangled from chapters/07-system-v-message-queues.md; do not edit.
set -eu
. "$(dirname "$0")/../bench/harness.sh"
if [ "$quick" = 1 ]; then
    sizes="64 8192" count=2000 trips=1000
else
    sizes="64 256 1024 4096 8192" count=20000 trips=10000
fi
kinds="svmq pmq pipe socket"
sock="@svmq_bench.$$"                   # an abstract name: no file
mkfifo "$bench_tmp/there" "$bench_tmp/back"
label() {
    case $1 in
    svmq)   echo "System V queue" ;;
    pmq)    echo "POSIX queue" ;;
    pipe)   echo "pipe" ;;
    socket) echo "stream socket" ;;
    esac
}
ns() { sed -n 's/.* \([0-9.]*\) ns per round trip$/\1/p'; }
rtt() {
    case $1 in
    svmq)
        svmq_bench -s 64 -n "$trips" rtt "$bench_first" "$bench_second" |
            ns ;;
    pmq)
        pmq_bench -p "$bench_first,$bench_second" -s 64 -n "$trips" \
            pingpong | ns ;;
    pipe)
        on_second pipe_bench -s 64 echo "$bench_tmp/there" \
            "$bench_tmp/back" &
        on_first pipe_bench -s 64 -n "$trips" ping "$bench_tmp/there" \
            "$bench_tmp/back" | ns
        wait $! ;;
    socket)
        on_second sock_bench -s 64 -n "$trips" echo "$sock" &
        on_first sock_bench -s 64 -n "$trips" ping "$sock" | ns
        wait $! ;;
    esac
}
mibs() { sed -n 's/.* \([0-9.]*\) MiB\/s$/\1/p'; }
rate() {
    case $1 in
    svmq)
        svmq_bench -s "$2" -n "$count" rate "$bench_first" \
            "$bench_second" | mibs ;;
    pmq)
        pmq_bench -p "$bench_first,$bench_second" -s "$2" -n "$count" \
            rate | mibs ;;
    pipe)
        on_first pipe_bench -s "$2" -t $((count * $2)) send |
            on_second pipe_bench -s "$2" -t $((count * $2)) recv | mibs ;;
    socket)
        on_first sock_bench -s "$2" -n "$count" send "$sock" &
        on_second sock_bench -s "$2" -n "$count" sink "$sock" | mibs
        wait $! ;;
    esac
}
for run in $(bench_rounds); do
    bench_limits_sample
    for p in $placements; do
        bench_place "$p"
        for k in $kinds; do
            bench_keep "$bench_tmp/rtt" "$(bench_label "$p")" \
                "$(label "$k")" rtt "$k"
        done
        for s in $sizes; do
            for k in $kinds; do
                bench_keep "$bench_tmp/rate.$p" "$s" "$(label "$k")" \
                    rate "$k" "$s"
            done
        done
    done
done
cp "$bench_tmp/rtt" "$bench_tmp/samples"
{
    bench_table "placement"
    echo
    bench_caption "Round trip in ns of 64 bytes: \`svmq_bench rtt\`, \
\`pmq_bench pingpong\`, \`pipe_bench ping\` and \`echo\` through two \
FIFOs, \`sock_bench ping\` and \`echo\`; $trips round trips a run" \
        "the asker" "the one who answers"
    echo
    bench_limits_table
} > "$OUT/07-svmq-rtt.md"
: > "$bench_tmp/plot"
for p in $placements; do
    cp "$bench_tmp/rate.$p" "$bench_tmp/samples"
    {
        bench_table "message size" bytes
        echo
        bench_caption "Throughput in MiB/s, $(bench_label "$p"), of \
$count messages a run: \`svmq_bench rate\`, \`pmq_bench rate\`, \
\`pipe_bench send | pipe_bench recv\`, \`sock_bench send\` into \`sink\`" \
            "the sender" "the receiver"
    } > "$OUT/07-svmq-rate-$p.md"
    awk -F '\t' -v OFS='\t' -v p="$(bench_label "$p")" \
        '{ $2 = $2 ", " p; print }' "$bench_tmp/rate.$p" >> "$bench_tmp/plot"
done
cp "$bench_tmp/plot" "$bench_tmp/samples"
plot_set='set xtics ("64" 64, "256" 256, "1K" 1024, "4K" 4096, "8K" 8192)
set xrange [48:11000]; set yrange [0.1:2e5]'
bench_plot "$OUT/07-svmq-rate.svg" \
    "Message queues, a pipe and a stream socket" "bytes per message" "MiB/s"

#!/bin/sh
# bench.sh - every data mechanism's round trip and throughput, and every
# synchronisation primitive's hand-off, in the same rounds (chapter 14 of
# ipc-book).  Run by `make bench` (or `make bench T=14-choosing-a-
# mechanism`) with IPC_BIN and OUT; bench/harness.sh says more.  Writes
# $OUT/14-choosing-rtt.md, 14-choosing-rate.md and 14-choosing-sync.md.
# Tangled from chapters/14-choosing-a-mechanism.md; do not edit.
set -eu
. "$(dirname "$0")/../bench/harness.sh"
if [ "$quick" = 1 ]; then
    trips=100 total=262144 most=500 handoffs=100 pairs=1000
    sizes="64 65536"
else
    trips=20000 total=33554432 most=20000 handoffs=2000 pairs=100000
    sizes="64 4096 8192 65536 1048576"
fi
# count SIZE: messages of SIZE bytes in one throughput run
count() {
    c=$(( total / $1 ))
    [ "$c" -ge 16 ] || c=16
    [ "$c" -le "$most" ] || c=$most
    echo "$c"
}
# number CMD...: the one number CMD prints at the end of its line
number() {
    "$@" | sed -n 's/.*[^0-9.]\([0-9.][0-9.]*\) \(ns per .*\|MiB\/s\)$/\1/p'
}
name="@choose_bench.$$"
mkfifo "$bench_tmp/there" "$bench_tmp/back"
# rtt KIND: ns per round trip of 64 bytes
rtt() {
    case $1 in
    pipe)
        on_second pipe_bench -s 64 echo "$bench_tmp/there" \
            "$bench_tmp/back" &
        number on_first pipe_bench -s 64 -n "$trips" ping \
            "$bench_tmp/there" "$bench_tmp/back" ;;
    stream|seqpacket)
        on_second sock_bench -t "$1" -s 64 -n "$trips" echo "$name" &
        number on_first sock_bench -t "$1" -s 64 -n "$trips" ping "$name" ;;
    datagram)
        on_second dgram_bench -s 64 -n "$trips" echo "$name" &
        number on_first dgram_bench -s 64 -n "$trips" ping "$name" ;;
    posix-mq)
        number pmq_bench -p "$bench_first,$bench_second" -s 64 \
            -n "$trips" pingpong ;;
    sysv-mq)
        number svmq_bench -s 64 -n "$trips" rtt "$bench_first" \
            "$bench_second" ;;
    ring-sleeping)
        number ring_bench -p "$bench_first,$bench_second" -n "$trips" \
            pingpong ;;
    ring-spinning)
        number ring_bench -s -p "$bench_first,$bench_second" -n "$trips" \
            pingpong ;;
    esac
    wait
}
# fits KIND SIZE: whether KIND carries messages of SIZE bytes
fits() {
    case $1 in posix-mq|sysv-mq) [ "$2" -le 8192 ] ;; *) true ;; esac
}
# rate KIND SIZE: MiB/s of a one-way stream of SIZE-byte messages
rate() {
    c=$(count "$2")
    case $1 in
    pipe)
        on_first pipe_bench -s "$2" -t $(( c * $2 )) send |
            number on_second pipe_bench -s "$2" -t $(( c * $2 )) recv ;;
    stream|seqpacket)
        on_first sock_bench -t "$1" -s "$2" -n "$c" send "$name" &
        number on_second sock_bench -t "$1" -s "$2" -n "$c" sink "$name" ;;
    datagram)
        on_first dgram_bench -s "$2" -n "$c" send "$name" &
        number on_second dgram_bench -s "$2" -n "$c" sink "$name" ;;
    posix-mq)
        number pmq_bench -p "$bench_first,$bench_second" -s "$2" -n "$c" \
            rate ;;
    sysv-mq)
        number svmq_bench -s "$2" -n "$c" rate "$bench_first" \
            "$bench_second" ;;
    ring-sleeping)
        number ring_bench -p "$bench_first,$bench_second" -m "$2" -n "$c" \
            rate ;;
    ring-spinning)
        number ring_bench -s -p "$bench_first,$bench_second" -m "$2" \
            -n "$c" rate ;;
    esac
    wait
}
# primitive KIND HOW [CPU...]: ns per hand-off (HOW = handoff) or per
# uncontended pair (HOW = pair)
primitive() {
    kind=$1 how=$2
    shift 2
    case $kind in
    psem-named|psem-unnamed)
        number psem_bench -m "${kind#psem-}" -n "$(sync_n "$how")" \
            "$how" "$@" ;;
    svsem|svsem-undo)
        number svsem_bench $([ "$kind" = svsem ] || echo -u) \
            -n "$(sync_n "$how")" "$how" "$@" ;;
    flock|fcntl|ofd)
        if [ "$how" = pair ]; then
            number lock_bench -u -n "$pairs" "$kind" "$@"
        else
            number lock_bench -n "$handoffs" "$kind" "$@"
        fi ;;
    esac
}
sync_n() { if [ "$1" = pair ]; then echo "$pairs"; else echo "$handoffs"; fi; }
kinds="pipe stream seqpacket datagram posix-mq sysv-mq ring-sleeping"
kinds="$kinds ring-spinning"
prims="psem-named psem-unnamed svsem svsem-undo flock fcntl ofd"
for run in $(bench_rounds); do
    bench_limits_sample
    for p in $placements; do
        bench_place "$p"
        for k in $kinds; do
            bench_keep "$bench_tmp/rtt" "$k" "$(bench_label "$p")" rtt "$k"
            for s in $sizes; do
                fits "$k" "$s" || continue
                bench_keep "$bench_tmp/rate-$p" "$k" "$(bench_bytes "$s")" \
                    rate "$k" "$s"
            done
        done
        for k in $prims; do
            bench_keep "$bench_tmp/sync" "$k" "hand-off, $(bench_label "$p")" \
                primitive "$k" handoff "$bench_first" "$bench_second"
        done
    done
    for k in $prims; do
        bench_keep "$bench_tmp/sync" "$k" "wait and release, alone" \
            primitive "$k" pair "$cpu_a"
    done
done
# table FILE HEADING: the table of FILE's samples
table() { cp "$1" "$bench_tmp/samples"; bench_table "$2"; }
{
    table "$bench_tmp/rtt" "64 bytes there and back, ns"
    echo
    bench_caption "Round trip in ns of 64 bytes: \`pipe_bench ping\` and \
\`echo\` through two FIFOs (pipe), \`sock_bench\` (stream, seqpacket), \
\`dgram_bench\` (datagram), \`pmq_bench pingpong\` (posix-mq), \
\`svmq_bench rtt\` (sysv-mq), \`ring_bench pingpong\` (ring), $trips \
round trips a run" "the sender" "the one who answers"
    echo
    bench_limits_table
} > "$OUT/14-choosing-rtt.md"
{
    for p in $placements; do
        table "$bench_tmp/rate-$p" "$(bench_label "$p"), MiB/s"
        echo
    done
    bench_caption "Throughput in MiB/s of a one-way stream of messages \
of each size, by the same programs' send and receive modes (\`rate\` for \
posix-mq, sysv-mq and ring), at most $most messages or $(bench_bytes \
"$total") a run; a dash: the mechanism does not carry messages that \
large by default" "the sender" "the receiver"
} > "$OUT/14-choosing-rate.md"
{
    table "$bench_tmp/sync" "ns"
    echo
    bench_caption "Nanoseconds of one hand-off (half a round trip) of \
\`psem_bench handoff\` (psem), \`svsem_bench handoff\` (svsem; -undo: \
with SEM_UNDO) and \`lock_bench\` (flock, fcntl, ofd), $handoffs round \
trips a run; and of one wait and release by a process alone ($pairs a \
run)" "the first side" "the second side"
} > "$OUT/14-choosing-sync.md"

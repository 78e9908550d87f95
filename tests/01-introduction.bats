#!/usr/bin/env bats
# Tests of chapter 1: the shared helpers, through the two programs that use
# them (rwcopy and cleanup_demo).

load helpers/common

setup()    { ipc_audit_begin; }
teardown() { ipc_audit_end; }

# --- rwcopy: read_full, write_full, parse_size --------------------------------

@test "rwcopy -h prints usage to stdout and exits 0" {
    run --separate-stderr rwcopy -h
    assert_success
    assert_line --index 0 "usage: rwcopy [-iv] [-b size] [-n count]"
    assert_equal "$stderr" ""
}

@test "both programs print usage with -h (status 0) and refuse an unknown option (status 2)" {
    assert_usage_conventions rwcopy cleanup_demo
}

@test "rwcopy rejects an extra operand with status 2" {
    run --separate-stderr rwcopy extra
    assert_failure 2
    assert_equal "$output" ""
    assert_equal "${stderr_lines[0]}" "usage: rwcopy [-iv] [-b size] [-n count]"
}

@test "parse_size refuses junk, negative, zero and oversized sizes with status 2" {
    local bad
    for bad in 10x '' -1 0 65M 18446744073709551615k k 1Mk ' 5' +5 '5 '; do
        run --separate-stderr rwcopy -b "$bad" </dev/null
        assert_failure 2
        assert_equal "$stderr" "rwcopy: block size: '$bad' is not a size from 1 to 67108864 bytes (suffix k or M allowed)"
    done
}

@test "parse_long refuses junk, overflow and out-of-range counts with status 2" {
    local bad
    # The one rule of both parsers: digits, no blanks, no sign.
    for bad in 10x '' ' ' -1 99999999999999999999 0x10 ' 5' +5 '5 ' -0; do
        run --separate-stderr rwcopy -n "$bad" </dev/null
        assert_failure 2
        assert_equal "$stderr" "rwcopy: count: '$bad' is not a number from 0 to 9223372036854775807"
    done
}

@test "rwcopy -n stops after that many blocks" {
    run -0 bash -c 'head -c 10000 /dev/zero | rwcopy -n 2 -b 1k | wc -c'
    assert_output 2048
    run -0 bash -c 'rwcopy -n 0 < /dev/zero | wc -c'
    assert_output 0
}

@test "parse_size accepts the k and M suffixes" {
    run --separate-stderr bash -c 'head -c 3000000 /dev/zero | rwcopy -v -b 1M | wc -c'
    assert_success
    assert_output 3000000
    assert_equal "$stderr" "rwcopy: 2 full blocks of 1048576, 1 partial, 0 signals caught"
}

@test "the book's sample: seq 100000 | rwcopy -v -b 4k gives 143 full blocks and 1 partial" {
    run --separate-stderr bash -c 'seq 100000 | rwcopy -v -b 4k | wc -c'
    assert_success
    assert_output 588895
    assert_equal "$stderr" "rwcopy: 143 full blocks of 4096, 1 partial, 0 signals caught"
}

@test "read_full returns whole blocks however the data trickles in" {
    # 1000 writes of 1000 bytes, each a separate read(2)'s worth for rwcopy.
    run --separate-stderr bash -c '
        for i in $(seq 1000); do head -c 1000 /dev/zero; done | rwcopy -v -b 64k | wc -c'
    assert_success
    assert_output 1000000
    assert_equal "$stderr" "rwcopy: 15 full blocks of 65536, 1 partial, 0 signals caught"
}

@test "read_full and write_full survive EINTR and partial writes: 8 MiB copied exactly under a hail of signals" {
    local d=$BATS_TEST_TMPDIR pid job n=0
    head -c 8M /dev/urandom > "$d/in"
    # A trickling producer keeps rwcopy waiting in read; a late consumer
    # keeps its output pipe full, so its 1 MiB writes are cut short.
    D=$d bash -c '
        for i in 0 1 2 3 4 5 6 7; do
            dd if="$D/in" bs=1M skip=$i count=1 status=none; sleep 0.05
        done | { echo $BASHPID > "$D/pid"; exec rwcopy -i -v -b 1M 2> "$D/report"; } |
        { sleep 0.3; cat > "$D/out"; }' &
    job=$!
    wait_for test -s "$d/pid"
    pid=$(cat "$d/pid")
    # Output has arrived, so rwcopy is past its option parsing and catches
    # SIGUSR1; an earlier signal would have killed it.
    wait_for test -s "$d/out"
    while kill -USR1 "$pid" 2>/dev/null && [ $n -lt 300 ]; do
        n=$((n + 1)); sleep 0.002
    done
    wait "$job"
    cmp "$d/in" "$d/out"
    run cat "$d/report"
    assert_output --regexp '^rwcopy: 8 full blocks of 1048576, 0 partial, [1-9][0-9]* signals caught$'
}

# --- cleanup_demo: lib/cleanup ------------------------------------------------

# start_demo [CMD...]: run CMD (default: cleanup_demo) in the background,
# its output in $BATS_TEST_TMPDIR/out; sets $demo_pid and $demo_dir once
# the names exist.  The file is emptied first: the background job empties
# it only once it runs, and an earlier run's path must not pass for this
# one's.
start_demo() {
    [ $# -gt 0 ] || set -- cleanup_demo
    : > "$BATS_TEST_TMPDIR/out"
    "$@" > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" &
    demo_pid=$!
    wait_for test -s "$BATS_TEST_TMPDIR/out"
    demo_dir=$(head -n 1 "$BATS_TEST_TMPDIR/out")
    wait_for test -p "$demo_dir/fifo"
}

@test "cleanup_demo makes a private 0700 directory holding a FIFO" {
    export TMPDIR=$BATS_TEST_TMPDIR
    start_demo
    assert_dir_exists "$demo_dir"
    assert_fifo_exists "$demo_dir/fifo"
    run stat -c %a "$demo_dir"
    assert_output 700
    [[ $demo_dir == "$BATS_TEST_TMPDIR"/cleanup_demo.?????? ]]
    kill -TERM "$demo_pid"
    wait "$demo_pid" || true
}

@test "cleanup: names are removed on a normal exit" {
    export TMPDIR=$BATS_TEST_TMPDIR
    run -0 cleanup_demo -x
    assert_dir_not_exists "$output"
}

@test "cleanup: names are removed when the program fails (err exits 1)" {
    export TMPDIR=$BATS_TEST_TMPDIR
    run --separate-stderr cleanup_demo -f
    assert_failure 1
    assert_equal "$stderr" "cleanup_demo: failing on purpose: Input/output error"
    assert_dir_not_exists "$output"
}

@test "a failed system call is named with its error text, and exits 1" {
    [ "${VALGRIND:-}" != 1 ] || skip "valgrind itself needs a usable TMPDIR"
    TMPDIR=$BATS_TEST_TMPDIR/no-such-dir run --separate-stderr cleanup_demo -x
    assert_failure 1
    assert_equal "$stderr" "cleanup_demo: mkdtemp in $BATS_TEST_TMPDIR/no-such-dir: No such file or directory"
}

@test "cleanup: a forked child that exits normally removes nothing of its parent's" {
    export TMPDIR=$BATS_TEST_TMPDIR
    start_demo cleanup_demo -c
    # The parent says when it has reaped the child; only then look.
    wait_for grep -q '^child [0-9]* exited, status 0$' "$BATS_TEST_TMPDIR/out"
    assert_fifo_exists "$demo_dir/fifo"
    assert_dir_exists "$demo_dir"
    kill -TERM "$demo_pid"
    wait "$demo_pid" || true
    assert_dir_not_exists "$demo_dir"
}

@test "cleanup: SIGINT, SIGTERM and SIGHUP remove the names and the process dies of the signal" {
    export TMPDIR=$BATS_TEST_TMPDIR
    local sig num status
    for sig in INT TERM HUP; do
        num=$(kill -l "$sig")
        # Background jobs of a script start with SIGINT ignored; give the
        # program the default disposition, as an interactive shell would.
        start_demo env --default-signal=INT cleanup_demo
        kill -"$sig" "$demo_pid"
        status=0
        wait "$demo_pid" || status=$?
        assert_equal "$sig $status" "$sig $((128 + num))"
        assert_dir_not_exists "$demo_dir"
    done
}

@test "cleanup: a signal ignored at start stays ignored (nohup)" {
    export TMPDIR=$BATS_TEST_TMPDIR
    start_demo nohup cleanup_demo
    # Two signals, HUP first.  Had SIGHUP not been ignored, it would have
    # killed the process (status 129) before SIGTERM could: the kernel
    # delivers the lower-numbered of two pending signals first.
    kill -HUP "$demo_pid"
    kill -TERM "$demo_pid"
    local status=0
    wait "$demo_pid" || status=$?
    assert_equal "$status" 143
    assert_dir_not_exists "$demo_dir"
}

@test "cleanup: SIGKILL cannot be caught, so the names stay behind" {
    export TMPDIR=$BATS_TEST_TMPDIR
    start_demo
    kill -KILL "$demo_pid"
    wait "$demo_pid" || true
    assert_fifo_exists "$demo_dir/fifo"      # the litter the chapter warns of
    rm "$demo_dir/fifo" && rmdir "$demo_dir"  # so the audit passes
}

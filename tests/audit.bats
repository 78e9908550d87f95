#!/usr/bin/env bats
# Tests of the leak audit and of the worlds the tests run in
# (tests/run, tests/helpers/world, tests/helpers/audit.c): the audit names
# every kind of object a test leaves behind, sees nothing from outside its
# world, and two runs at once do not disturb each other.

load helpers/common

# The leak maker lives beside ipc-audit, where the worlds of the runs these
# tests start can see it too.
setup_file() {
    export LEAK=$IPC_ROOT/book/build/test-tools/leak
    cc -std=c11 -Wall -Wextra -Werror -o "$LEAK.$$" \
        "$BATS_TEST_DIRNAME/helpers/leak.c" -lrt -pthread
    mv -f "$LEAK.$$" "$LEAK"
}

# leaked KIND NAME EXPECTED...: make one object with tests/helpers/leak,
# check that the audit fails and names it with each EXPECTED (a regular
# expression), then remove it and check that the audit is content again.
leaked() {
    local kind=$1 name=$2 holder=
    shift 2
    ipc_audit_begin
    case $kind in
    abstract|flock|fcntl|ofd|process)
        coproc HOLDER { exec "$LEAK" "$kind" "$name" 3>&-; }
        holder=$HOLDER_PID
        read -r -u "${HOLDER[0]}" ready
        [ "$ready" = ready ] ;;
    *)  "$LEAK" "$kind" "$name" ;;
    esac
    run ipc_audit_end
    if [ -n "$holder" ]; then kill "$holder"; wait "$holder" || true; fi
    case $kind in
    fifo|socket) rm -f "$name" ;;
    msg) ipcrm -Q "$name" ;;
    sem) ipcrm -S "$name" ;;
    shm) ipcrm -M "$name" ;;
    pshm) rm -f "/dev/shm/${name#/}" ;;
    psem) rm -f "/dev/shm/sem.${name#/}" ;;
    mq) rm -f "/dev/mqueue/${name#/}" ;;
    esac
    assert_failure
    assert_line --index 0 "left behind:"
    local e
    for e in "$@"; do assert_line --regexp "^  $e\$"; done
    ipc_audit_end
}

@test "the audit names a FIFO and a socket file left behind, by path" {
    leaked fifo "$BATS_TEST_TMPDIR/left.fifo" "fifo $BATS_TEST_TMPDIR/left\.fifo"
    leaked socket "$BATS_TEST_TMPDIR/left.sock" "socket-file $BATS_TEST_TMPDIR/left\.sock"
}

@test "the audit names an abstract socket and the process that holds it" {
    leaked abstract ipc-book-left "unix-socket @ipc-book-left" \
        "process [0-9]+ \(leak\): .*/leak abstract ipc-book-left"
}

@test "the audit names a System V queue, semaphore set and segment, by key and id" {
    leaked msg 0x1b00c001 "sysv-msg $((0x1b00c001)) [0-9]+"
    leaked sem 0x1b00c002 "sysv-sem $((0x1b00c002)) [0-9]+"
    leaked shm 0x1b00c003 "sysv-shm $((0x1b00c003)) [0-9]+"
}

@test "the audit names POSIX shared memory, a named semaphore and a message queue" {
    leaked pshm /ipc-book-left "dev-shm ipc-book-left"
    leaked psem /ipc-book-left "dev-shm sem\.ipc-book-left"
    mountpoint -q /dev/mqueue || skip "/dev/mqueue is not mounted in this world"
    leaked mq /ipc-book-left "mqueue ipc-book-left"
}

@test "the audit names flock, fcntl and OFD locks still held" {
    local f=$BATS_TEST_TMPDIR/locked
    : > "$f"
    local ino; ino=$(stat -c %i "$f")
    leaked flock "$f" "lock FLOCK WRITE [0-9a-f:]+:$ino 0 EOF" "process [0-9]+ .*"
    leaked fcntl "$f" "lock POSIX WRITE [0-9a-f:]+:$ino 0 EOF" "process [0-9]+ .*"
    leaked ofd "$f" "lock OFDLCK WRITE [0-9a-f:]+:$ino 0 EOF" "process [0-9]+ .*"
}

@test "the audit names a stray process with its command line" {
    leaked process - "process [0-9]+ \(leak\): .*/leak process -"
}
@test "bats' own timer, started late, is not a leak; a leaked sleep of the same length is" {
    # For BATS_TEST_TIMEOUT bats runs "sleep TIMEOUT" in a subshell of the
    # test; on a loaded machine it may start after the first snapshot.
    ( sleep 0.2; sleep "$BATS_TEST_TIMEOUT" & wait ) 3>&- &
    local sub=$! late leak
    ipc_audit_begin
    wait_for pgrep -P "$sub" -fx "sleep $BATS_TEST_TIMEOUT"
    late=$(pgrep -P "$sub" -fx "sleep $BATS_TEST_TIMEOUT")
    run ipc_audit_end
    assert_success
    sleep "$BATS_TEST_TIMEOUT" 3>&- &
    leak=$!
    run ipc_audit_end
    kill "$leak" "$late" "$sub"
    wait "$leak" "$sub" || true
    assert_failure
    assert_line --regexp "^  process $leak \(sleep\): sleep $BATS_TEST_TIMEOUT\$"
    refute_line --partial "process $late "
}

# scratch_tests NAME BODY: a test file of one test, for tests/run to run.
scratch_tests() {
    mkdir -p "$BATS_TEST_TMPDIR/t"
    printf '%s\n' "load $BATS_TEST_DIRNAME/helpers/common" \
        'setup() { ipc_audit_begin; }' 'teardown() { ipc_audit_end; }' \
        "@test \"$1\" {" "$2" '}' > "$BATS_TEST_TMPDIR/t/$1.bats"
}

@test "a file whose tests pass still fails if it leaves something in its world" {
    # No per-test audit here: only the file's own world notices.
    scratch_tests leaky '"$LEAK" msg 0x1b00c0ab'
    sed -i '/^setup\|^teardown/d' "$BATS_TEST_TMPDIR/t/leaky.bats"
    run bounded 60 "$IPC_ROOT/tests/run" "$BATS_TEST_TMPDIR/t/leaky.bats"
    assert_failure
    assert_output --partial "leaky.bats left behind, in its world:"
    ipcrm -Q 0x1b00c0ab 2>/dev/null || true    # (a scoped run leaves it here)
    assert_output --regexp "#   sysv-msg $((0x1b00c0ab)) [0-9]+"
    assert_output --partial "1 passed, 1 failed"
}

@test "a run passes while unrelated FIFOs, sockets, queues, locks and processes exist outside it" {
    local d=$BATS_TEST_TMPDIR
    mkfifo "$d/outside.fifo"
    "$LEAK" socket "$d/outside.sock"
    local q; q=$(ipcmk -Q | grep -o '[0-9]*$')
    coproc OUTSIDE { exec "$LEAK" flock "$d/outside.lock" 3>&-; }
    read -r -u "${OUTSIDE[0]}" ready
    # The run's test makes and removes objects of its own meanwhile.
    scratch_tests busy 'mkfifo "$BATS_TEST_TMPDIR/f"; "$LEAK" msg 0x1b00c0ac
        ipcrm -Q 0x1b00c0ac; rm "$BATS_TEST_TMPDIR/f"'
    run bounded 60 "$IPC_ROOT/tests/run" "$d/t/busy.bats"
    kill "$OUTSIDE_PID"; wait "$OUTSIDE_PID" || true
    ipcrm -q "$q"; rm -f "$d/outside.fifo" "$d/outside.sock"
    assert_success
    assert_output --partial "1 passed, 0 failed"
}

@test "two runs at the same time, using the same names, both pass" {
    [ "${IPC_AUDIT_SCOPE:-}" = ns ] || skip "needs namespaces; this run is scoped"
    # Each run makes the same FIFO, System V key and /dev/shm name with
    # O_EXCL-like calls, then waits until the other has made them too: in
    # one shared world, the second run's calls would fail.
    local barrier
    barrier=$(mktemp -d "$IPC_ROOT/book/build/barrier.XXXXXX")
    scratch_tests same "leak=$LEAK"'
        "$leak" fifo /tmp/ipc-book-same.fifo
        "$leak" msg 0x1b00c0ff
        "$leak" pshm /ipc-book-same
        touch "$BARRIER/$RUN"
        wait_for test -e "$BARRIER/$OTHER"
        rm /tmp/ipc-book-same.fifo /dev/shm/ipc-book-same; ipcrm -Q 0x1b00c0ff'
    BARRIER=$barrier RUN=a OTHER=b "$IPC_ROOT/tests/run" "$BATS_TEST_TMPDIR/t/same.bats" \
        > "$BATS_TEST_TMPDIR/a.out" 2>&1 3>&- &
    local a=$!
    run bounded 60 env BARRIER="$barrier" RUN=b OTHER=a "$IPC_ROOT/tests/run" \
        "$BATS_TEST_TMPDIR/t/same.bats"
    local b_status=$status b_output=$output
    wait "$a"; local a_status=$?
    rm -rf "$barrier"
    cat "$BATS_TEST_TMPDIR/a.out"
    echo "$b_output"
    [ "$a_status" -eq 0 ] && [ "$b_status" -eq 0 ]
    grep -q "1 passed, 0 failed" "$BATS_TEST_TMPDIR/a.out"
}

@test "without namespaces the run says so and still catches a leak" {
    scratch_tests scoped '"$LEAK" msg 0x1b00c0ad'
    run bounded 60 env IPC_AUDIT_MODE=scoped "$IPC_ROOT/tests/run" "$BATS_TEST_TMPDIR/t/scoped.bats"
    ipcrm -Q 0x1b00c0ad
    assert_failure
    assert_line --index 0 --partial "no namespaces here: the audit is scoped to this run"
    assert_output --regexp "  sysv-msg $((0x1b00c0ad)) [0-9]+"
    assert_output --partial "scoped world"
}

@test "tests/run leaves nothing in TMPDIR, whether its tests pass or fail" {
    local t=$BATS_TEST_TMPDIR/tmpdir
    mkdir "$t"
    scratch_tests fails 'false'
    run bounded 60 env TMPDIR="$t" "$IPC_ROOT/tests/run" "$BATS_TEST_TMPDIR/t/fails.bats"
    assert_failure
    assert_output --partial "0 passed, 1 failed"
    run ls -A "$t"
    assert_output ""
    run bounded 60 env TMPDIR="$t" IPC_AUDIT_MODE=scoped "$IPC_ROOT/tests/run" "$BATS_TEST_TMPDIR/t/fails.bats"
    assert_failure
    run ls -A "$t"
    assert_output ""
}

#!/usr/bin/env bats
# Tests of chapter 2, pipes: every PIPE-* claim of the catalogue, the
# samples the chapter quotes, and the programs' usage and error behaviour.

load helpers/common

setup()    { ipc_audit_begin; }
teardown() { ipc_audit_end; }

PROGRAMS="pipe_demo pipe_lab pipe_barrier pipe_atomic popen_nl pipeline selfpipe pipe_coproc pipe_bench"

# The page size decides the numbers several claims quote (16 pages = 64 KiB).
page=$(getconf PAGESIZE)

# --- usage and errors, for every program -------------------------------------

# In three tests, not one: under valgrind on a loaded machine, nine
# programs started twice each can take longer than one test may.
@test "every pipe program prints its usage with -h (status 0) and refuses an unknown option (status 2): pipe_demo, pipe_lab, pipe_barrier" {
    assert_usage_conventions pipe_demo pipe_lab pipe_barrier
}

@test "every pipe program prints its usage with -h (status 0) and refuses an unknown option (status 2): pipe_atomic, popen_nl, pipeline" {
    assert_usage_conventions pipe_atomic popen_nl pipeline
}

@test "every pipe program prints its usage with -h (status 0) and refuses an unknown option (status 2): selfpipe, pipe_coproc, pipe_bench" {
    assert_usage_conventions selfpipe pipe_coproc pipe_bench
    [ "$PROGRAMS" = "pipe_demo pipe_lab pipe_barrier pipe_atomic popen_nl pipeline selfpipe pipe_coproc pipe_bench" ]
}

@test "pipe_lab -l lists the twenty-four experiments" {
    run -0 pipe_lab -l
    assert_equal "${#lines[@]}" 24
    assert_line --index 0 --regexp '^ends +fd\[0\] reads, fd\[1\] writes'
    assert_line --regexp '^setsize +size \[fill\] +F_SETPIPE_SZ'
}

@test "pipe_lab refuses an unknown experiment and wrong operands with status 2" {
    run --separate-stderr pipe_lab frobnicate
    assert_failure 2
    assert_equal "$stderr" "pipe_lab: no experiment 'frobnicate' (pipe_lab -l lists them)"
    run --separate-stderr pipe_lab ends extra
    assert_failure 2
    assert_equal "$stderr" "pipe_lab: usage: pipe_lab ends"
    run --separate-stderr pipe_lab setsize
    assert_failure 2
    assert_equal "$stderr" "pipe_lab: usage: pipe_lab setsize size [fill]"
    run --separate-stderr pipe_lab setsize 4k 65537
    assert_failure 2
    assert_equal "$stderr" "pipe_lab: fill: '65537' is not a size from 0 to 65536 bytes (suffix k or M allowed)"
    run -2 pipe_lab
}

@test "pipe_atomic refuses bad numbers with status 2 and a one-line error" {
    run --separate-stderr pipe_atomic -w 27
    assert_failure 2
    assert_equal "$stderr" "pipe_atomic: writers: '27' is not a number from 1 to 26"
    run --separate-stderr pipe_atomic -s 15
    assert_failure 2
    assert_equal "$stderr" "pipe_atomic: size: '15' is not a size from 16 to 16777216 bytes (suffix k or M allowed)"
    run -2 pipe_atomic extra
}

@test "pipeline and popen_nl refuse missing commands with status 2" {
    run --separate-stderr pipeline ls
    assert_failure 2
    assert_equal "$stderr" "pipeline: want two commands or more, separated by '|' (see pipeline -h)"
    run -2 pipeline '|' wc
    run -2 pipeline ls '|'
    run -2 pipeline ls '|' '|' wc
    run -2 pipeline ls '|' wc '|'
    run --separate-stderr popen_nl
    assert_failure 2
    [[ $stderr == "usage: popen_nl command"* ]]
    run -2 popen_nl a b
}

@test "pipe_bench insists on a pipe at each end, with status 2" {
    run --separate-stderr bash -c 'pipe_bench -t 1k send > /dev/null'
    assert_failure 2
    assert_equal "$stderr" "pipe_bench: standard output is not a pipe (try: pipe_bench send | pipe_bench recv)"
    run --separate-stderr pipe_bench recv </dev/null
    assert_failure 2
    assert_equal "$stderr" "pipe_bench: standard input is not a pipe (try: pipe_bench send | pipe_bench recv)"
    run -2 pipe_bench fly
}

@test "pipe_bench refuses, with status 2, an option the mode does not take" {
    local d
    d=$(mktemp -d)
    mkfifo "$d/there" "$d/back"
    # Refused before any FIFO is opened: nothing waits for a partner.
    run --separate-stderr pipe_bench -c 1M ping "$d/there" "$d/back"
    assert_failure 2
    assert_equal "$stderr" "pipe_bench: ping takes no -c (see pipe_bench -h)"
    run --separate-stderr pipe_bench -t 1M ping "$d/there" "$d/back"
    assert_failure 2
    assert_equal "$stderr" "pipe_bench: ping takes no -t (see pipe_bench -h)"
    local o
    for o in -C '-c 1M' '-n 5' '-t 1M' -Z; do
        run --separate-stderr pipe_bench $o echo "$d/there" "$d/back"
        assert_failure 2
        assert_equal "$stderr" "pipe_bench: echo takes no ${o%% *} (see pipe_bench -h)"
    done
    run --separate-stderr pipe_bench -n 5 send
    assert_failure 2
    assert_equal "$stderr" "pipe_bench: send takes no -n (see pipe_bench -h)"
    run --separate-stderr pipe_bench -c 1M recv
    assert_failure 2
    assert_equal "$stderr" "pipe_bench: recv takes no -c (see pipe_bench -h)"
    run --separate-stderr pipe_bench -C -Z recv
    assert_failure 2
    assert_equal "$stderr" "pipe_bench: recv -C takes no -Z (see pipe_bench -h)"
    rm -r "$d"
}

@test "pipe fails with EMFILE when no descriptor is free: status 1, the call named" {
    # A limit of 4 descriptors, with 0-2 taken and 3 left for the dynamic
    # loader: pipe2 needs two.  Run bare: valgrind needs descriptors too.
    run --separate-stderr prlimit --nofile=4:4 "$IPC_BIN/pipe_lab" ends 3>&-
    assert_failure 1
    assert_equal "$stderr" "pipe_lab: pipe2: Too many open files"
}

@test "PIPE-21: with exactly one descriptor free, pipe fails EMFILE and leaves that one free" {
    run -0 pipe_lab onefree
    assert_output "pipe with one descriptor free: EMFILE (Too many open files)
descriptor is still free afterwards"
}

# --- parent to child -----------------------------------------------------------

# A pipe_demo parent killed before it reaps its child leaves the child to
# init, which may take a moment to reap it on a busy machine; wait for that
# (bounded) rather than let the audit count the zombie as left behind.
gone_are_orphans() {
    wait_for bash -c '! pgrep -x pipe_demo >/dev/null'
}

@test "the book's sample: pipe_demo -v passes a line to its child and back" {
    run --separate-stderr bash -c "printf 'hello, pipe\n' | pipe_demo -v"
    assert_success
    assert_output "hello, pipe"
    assert_equal "$stderr" "pipe_demo: the child passed on 12 bytes"
}

@test "pipe_demo copies 3 MiB of random bytes exactly" {
    head -c 3M /dev/urandom > "$BATS_TEST_TMPDIR/in"
    bounded 30 pipe_demo < "$BATS_TEST_TMPDIR/in" > "$BATS_TEST_TMPDIR/out"
    cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
}

@test "PIPE-03: a reader that keeps its own write end never sees end of file (pipe_demo -k hangs)" {
    # bounded sends SIGTERM to the whole process group: parent and child.
    # (-k 20: a loaded machine, or valgrind, may take a while to die)
    # (output to a file: a child that outlived its signal would otherwise
    # hold run's pipe open, and the test would hang instead of failing)
    local out=$BATS_TEST_TMPDIR/out
    run bash -c "printf 'hello, pipe\n' | timeout -k 20 2 pipe_demo -k > '$out' 2>&1 3>&-"
    assert_failure 124
    gone_are_orphans
    run cat "$out"
    assert_output "hello, pipe"
    # Without -k the same input ends at once.
    run bash -c "printf 'hello, pipe\n' | timeout -k 2 10 pipe_demo"
    assert_success
    assert_output "hello, pipe"
}

# --- pipe_lab: the rules one by one ---------------------------------------------

@test "PIPE-01: fd[0] is the read end, fd[1] the write end, and a Linux pipe goes one way" {
    run -0 pipe_lab ends
    assert_output "fd[0] is read-only, fd[1] is write-only
wrote \"hello\" into fd[1], read \"hello\" from fd[0]
write to fd[0]: EBADF (Bad file descriptor)
read from fd[1]: EBADF (Bad file descriptor)"
}

@test "PIPE-15: fstat calls either end of a pipe a FIFO, and so does stat(1); lseek fails ESPIPE" {
    run -0 pipe_lab stat
    # The prose says Linux reports st_size 0, even with bytes unread.
    assert_output "fd[0]: S_ISFIFO true, st_size 0 with 10 bytes unread
fd[1]: S_ISFIFO true, st_size 0 with 10 bytes unread
lseek on fd[0]: ESPIPE (Illegal seek)"
    run bash -c 'echo hi | stat -L -c %F /dev/stdin'
    assert_output "fifo"
}

@test "a pipe end can be opened again through /proc/self/fd (Linux)" {
    run -0 bash -c 'echo hello | cat /proc/self/fd/0'
    assert_output "hello"
}

@test "pipe2 with a flag it does not know (O_APPEND) fails EINVAL" {
    run -0 pipe_lab badflag
    assert_output "pipe2 with O_APPEND: EINVAL (Invalid argument)"
}

@test "PIPE-02: a read from an empty pipe blocks, or fails EAGAIN with O_NONBLOCK" {
    run -0 pipe_lab empty
    assert_output "O_NONBLOCK read, empty pipe: EAGAIN (Resource temporarily unavailable)
blocking read, empty pipe, 200 ms later: EINTR (Interrupted system call)"
}

@test "PIPE-03: read returns 0 only after the last writer, in any process, has closed" {
    run -0 pipe_lab eof
    assert_output "writer 1 wrote and exited; read returned 1 byte: \"1\"
writer 2 holds fd[1]: no EOF; read: EAGAIN (Resource temporarily unavailable)
writer 2 exited; read returned 0: end of file"
}

# --- a barrier -------------------------------------------------------------------

@test "pipe_barrier: the parent passes the barrier only after every child is ready, and every child goes only after that" {
    run -0 bounded 30 pipe_barrier 300 0 100
    assert_equal "${#lines[@]}" 7
    # Three "ready" lines, in whatever order, then the parent, then three
    # "going": the order of each group is the scheduler's, not asserted.
    local i
    for i in 0 1 2; do
        assert_line --index "$i" --regexp '^child [0-2]: ready after (0|100|300) ms$'
        assert_line --index $((i + 4)) --regexp '^child [0-2]: going$'
    done
    assert_line --index 3 "parent: all 3 children ready; go"
    assert_equal "$(printf '%s\n' "${lines[@]:0:3}" | sort)" "child 0: ready after 300 ms
child 1: ready after 0 ms
child 2: ready after 100 ms"
    assert_equal "$(printf '%s\n' "${lines[@]:4:3}" | sort)" "child 0: going
child 1: going
child 2: going"
}

@test "pipe_barrier -t: a child not ready in time is reported and stopped, status 1, nothing left behind" {
    run --separate-stderr bounded 30 pipe_barrier -t 2000 0 60000
    assert_failure 1
    assert_output "child 0: ready after 0 ms"
    assert_equal "$stderr" "pipe_barrier: only 1 of 2 children ready after 2000 ms"
}

@test "pipe_barrier refuses bad operands before starting any child" {
    run --separate-stderr pipe_barrier 10 x
    assert_failure 2
    assert_equal "$stderr" "pipe_barrier: work: 'x' is not a number from 0 to 86400000"
    assert_output ""
    run -2 pipe_barrier
}

@test "PIPE-04: with no reader, write raises SIGPIPE; ignored or caught, it fails EPIPE, not restarted" {
    run -0 pipe_lab sigpipe
    assert_output "default action: the writer was killed by signal 13 (Broken pipe)
SIGPIPE ignored: write: EPIPE (Broken pipe)
SIGPIPE caught with SA_RESTART: handler ran 1 time, write: EPIPE (Broken pipe)"
}

@test "PIPE-04: the shell sees status 141 for a writer killed by SIGPIPE (yes | pipe_demo | head)" {
    run bash -c 'yes | pipe_demo | head -n 1; echo "${PIPESTATUS[@]}"'
    assert_success
    assert_output "y
141 141 0"
    gone_are_orphans
}

@test "PIPE-19: poll reports POLLHUP on the read end once writers are gone, POLLERR on the write end once the reader is; a full pipe with no reader gives POLLERR alone" {
    run -0 pipe_lab poll
    assert_output "read end, empty: nothing
write end, room: POLLOUT
read end, 1 byte: POLLIN
write end, full: nothing
write end, full, no reader: POLLERR
read end, 1 byte, no writer: POLLIN POLLHUP
read end, empty, no writer: POLLHUP
write end, room, no reader: POLLOUT POLLERR"
}

@test "PIPE-16: once the reader has closed, select reports the write end writable and write fails EPIPE" {
    run -0 pipe_lab select
    assert_output "full pipe, reader open: select says not writable
reader closed: select says writable
write: EPIPE (Broken pipe)"
}

@test "PIPE-05: a pipe holds 16 pages (65536 bytes with 4 KiB pages); 1-byte writes stop there with EAGAIN" {
    run -0 pipe_lab capacity
    assert_output "F_GETPIPE_SZ: $((16 * page)) bytes
1-byte writes until EAGAIN: $((16 * page)) bytes"
    [ "$page" -ne 4096 ] || assert_line --index 0 "F_GETPIPE_SZ: 65536 bytes"
}

# The capacity F_SETPIPE_SZ should give for a request: a power-of-two
# number of pages, at least one.
rounded() {
    local pages=1
    while [ $((pages * page)) -lt "$1" ]; do pages=$((pages * 2)); done
    echo $((pages * page))
}

@test "PIPE-06: F_SETPIPE_SZ rounds up to a power-of-two number of pages and returns the size set" {
    local ask
    for ask in 0 1 4096 4097 5000 20000 65537 1048576; do
        run -0 pipe_lab setsize "$ask"
        assert_output "F_SETPIPE_SZ $ask: capacity now $(rounded "$ask") bytes"
    done
    # The chapter's sample.
    [ "$page" -ne 4096 ] || { run -0 pipe_lab setsize 5000; assert_output "F_SETPIPE_SZ 5000: capacity now 8192 bytes"; }
}

@test "PIPE-06: unprivileged, F_SETPIPE_SZ above pipe-max-size fails EPERM; up to it, it works" {
    needs_root "to run pipe_lab as nobody, without CAP_SYS_RESOURCE"
    local max
    max=$(cat /proc/sys/fs/pipe-max-size)
    run --separate-stderr as_nobody "$IPC_BIN/pipe_lab" setsize $((max + 1))
    assert_failure 1
    assert_equal "$stderr" "pipe_lab: F_SETPIPE_SZ $((max + 1)): Operation not permitted"
    run --separate-stderr as_nobody "$IPC_BIN/pipe_lab" setsize "$max"
    assert_success
    assert_output "F_SETPIPE_SZ $max: capacity now $max bytes"
    # The chapter's sample, with the default limit of 1 MiB.
    if [ "$max" -lt 2097152 ]; then
        run --separate-stderr as_nobody "$IPC_BIN/pipe_lab" setsize 2M
        assert_failure 1
        assert_equal "$stderr" "pipe_lab: F_SETPIPE_SZ 2097152: Operation not permitted"
    fi
}

@test "PIPE-06: F_SETPIPE_SZ below the bytes stored fails EBUSY; above them it works" {
    run --separate-stderr pipe_lab setsize 16k 24k
    assert_failure 1
    assert_output "24576 bytes stored"
    assert_equal "$stderr" "pipe_lab: F_SETPIPE_SZ 16384: Device or resource busy"
    run -0 pipe_lab setsize 32k 24k
    assert_output "24576 bytes stored
F_SETPIPE_SZ 32768: capacity now 32768 bytes"
}

@test "PIPE-06: EBUSY counts page slots, not bytes: 2 bytes in 2 slots refuse a one-page capacity" {
    run -0 pipe_lab slots
    assert_output "2 bytes in 1 slot: F_SETPIPE_SZ $page: capacity now $page bytes
2 bytes in 2 slots: F_SETPIPE_SZ $page: EBUSY (Device or resource busy)"
}

@test "PIPE-20: past pipe-user-pages-soft an ordinary user's new pipe gets 2 pages and cannot grow (EPERM)" {
    needs_root "to run pipe_lab as nobody, without CAP_SYS_RESOURCE"
    local soft
    soft=$(cat /proc/sys/fs/pipe-user-pages-soft)
    [ "$soft" -gt 0 ] || skip "pipe-user-pages-soft is 0 on this host: no soft limit"
    # nobody holds no other pipes (a concurrent test's would shift the count).
    # Over 2048 descriptors are needed: pipe_lab raises its soft limit.
    run -0 prlimit --nofile=1024:$((soft / 8 + 64)) -- setpriv --reuid=nobody --regid=nogroup --clear-groups "$IPC_BIN/pipe_lab" userpages
    assert_output "pipe-user-pages-soft: $soft pages
pipes 1 to $((soft / 16)) got $((16 * page)) bytes each
pipe $((soft / 16 + 1)) got $((2 * page)) bytes
growing it back: EPERM (Operation not permitted)"
    # With CAP_SYS_RESOURCE (bit 24), as root often has, none comes out small.
    local capeff
    capeff=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
    if (( 0x$capeff >> 24 & 1 )); then
        run -0 pipe_lab userpages
        assert_line "no pipe came out smaller: this process is privileged"
    fi
}

@test "PIPE-12: FIONREAD reports the unread bytes, on either end" {
    run -0 pipe_lab unread
    assert_output "wrote 1234 bytes: FIONREAD says 1234 unread
read 1000 bytes: FIONREAD says 234 unread"
}

@test "PIPE-09: a blocking write of 1 MiB, sixteen times the capacity, returns only when all is written" {
    run -0 bounded 30 pipe_lab bigwrite
    assert_output "one write of 1048576 bytes into a $((16 * page))-byte pipe returned 1048576
the reader received all 1048576 bytes"
}

@test "PIPE-09: a big blocking write whose reader closes part-way returns the bytes that went in, and SIGPIPE still comes" {
    run -0 bounded 30 pipe_lab readergone
    assert_output "one write of 200000 bytes, the reader gone part-way: returned $((16 * page)); SIGPIPE caught 1 time"
}

@test "PIPE-14: a blocked read fails EINTR without SA_RESTART, restarts with it; a part-done write returns its count" {
    run -0 bounded 30 pipe_lab eintr
    assert_output "read, handler without SA_RESTART: EINTR (Interrupted system call)
read, handler with SA_RESTART: handler ran 1 time, then read returned 5 bytes
write of 1048576 bytes, nobody reading, signal after 100 ms: returned $((16 * page))"
}

# --- PIPE_BUF and several writers -----------------------------------------------

@test "PIPE-07: PIPE_BUF is 4096 here, as getconf and fpathconf say (POSIX minimum 512)" {
    local v
    v=$(getconf PIPE_BUF /)
    [ "$v" -ge 512 ]
    run -0 pipe_lab pipebuf
    assert_output "PIPE_BUF: $v; fpathconf(fd[0], _PC_PIPE_BUF): $v"
    assert_equal "$v" 4096
}

@test "PIPE-07: records of PIPE_BUF bytes and less, from 8 writers at once, never arrive torn" {
    local s
    for s in 16 512 4096; do
        run -0 bounded 60 pipe_atomic -w 8 -n 1000 -s "$s"
        assert_output "8 writers x 1000 records of $s bytes: 8000 records read, 0 torn"
    done
}

@test "PIPE-07: records much larger than PIPE_BUF (and than the pipe) arrive torn, as the book's sample shows" {
    # A 256 KiB record cannot fit a 64 KiB pipe: its writer must wait in
    # mid-record, and another writer gets in.  The count varies; it is
    # never 0 in practice.
    run -0 bounded 60 pipe_atomic -w 8 -n 10 -s 256k
    assert_output --regexp '^8 writers x 10 records of 262144 bytes: 80 records read, [1-9][0-9]* torn$'
}

@test "the book's sample: pipe_atomic -w 8 -n 2000 -s 4096 finds no torn record" {
    run -0 bounded 60 pipe_atomic -w 8 -n 2000 -s 4096
    assert_output "8 writers x 2000 records of 4096 bytes: 16000 records read, 0 torn"
}

@test "PIPE-08: O_NONBLOCK writes of PIPE_BUF are all or EAGAIN; a larger one goes in partly" {
    run -0 pipe_lab nonblock
    assert_line --index 0 --regexp '^after 1 byte: [0-9]+ whole 4096-byte writes, 0 partial, EAGAIN; [0-9]+ bytes stored$'
    assert_line --index 1 "100000-byte write into an empty pipe: $((16 * page)) written"
    assert_line --index 2 "the same write into the full pipe: EAGAIN (Resource temporarily unavailable)"
    # The chapter quotes the first line as this kernel prints it.
    [ "$page" -ne 4096 ] || assert_line --index 0 "after 1 byte: 15 whole 4096-byte writes, 0 partial, EAGAIN; 61441 bytes stored"
}

# --- the self-pipe trick -----------------------------------------------------------

@test "selfpipe copies the command's output and exits as it did; SIGCHLD comes through the self-pipe" {
    run --separate-stderr bounded 20 selfpipe sh -c 'echo hello; exit 3'
    assert_failure 3
    assert_output "hello"
    assert_equal "$stderr" "selfpipe: SIGCHLD: the command has ended"
    run -127 --separate-stderr bounded 20 selfpipe nosuchcommand-pipes
    run -0 bounded 20 bash -c 'head -c 300k /dev/urandom > "$BATS_TEST_TMPDIR/in"
        selfpipe cat "$BATS_TEST_TMPDIR/in" | cmp - "$BATS_TEST_TMPDIR/in"'
    run -2 selfpipe
}

@test "selfpipe passes SIGTERM and SIGINT on to the command from its poll loop, and exits 128 + N" {
    local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err p sig st
    for sig in TERM INT; do
        : > "$out"
        # The command says when it runs; then the signal goes to selfpipe
        # alone, not to the command.
        env --default-signal=INT selfpipe sh -c 'echo started; exec sleep 60' \
            > "$out" 2> "$err" 3>&- &
        p=$!
        wait_for grep -qs started "$out"
        kill -"$sig" "$p"
        st=0; wait "$p" || st=$?
        [ "$sig" = TERM ] && assert_equal "$st" 143
        [ "$sig" = INT ] && assert_equal "$st" 130
        run cat "$err"
        assert_output "selfpipe: SIG$sig: passed on to the command
selfpipe: SIGCHLD: the command has ended"
    done
}

@test "selfpipe stops at the command's end even when a background process keeps its output pipe open" {
    # sh ends at once; the sleep it left holds the pipe's write end.
    run --separate-stderr bounded 20 selfpipe sh -c 'echo hi; sleep 30 2>/dev/null 3>&- & echo $! > "$1"' sh "$BATS_TEST_TMPDIR/pid"
    assert_success
    assert_output "hi"
    kill "$(cat "$BATS_TEST_TMPDIR/pid")"
}

# --- a coprocess --------------------------------------------------------------

@test "pipe_coproc -n deadlocks on a megabyte through cat; the poll loop copies it exactly" {
    head -c 1M /dev/urandom > "$BATS_TEST_TMPDIR/in"
    # cat under a name of its own, to wait for this one alone.
    ln -s "$(command -v cat)" "$BATS_TEST_TMPDIR/deadcat"
    # However slow the machine, -n reads nothing before all is written.
    run bash -c 'timeout 1 pipe_coproc -n "$BATS_TEST_TMPDIR/deadcat" < "$BATS_TEST_TMPDIR/in" | wc -c; echo "status ${PIPESTATUS[0]}"'
    assert_output "0
status 124"
    # deadcat dies of SIGPIPE once pipe_coproc is gone; let init reap it.
    wait_for bash -c '! pgrep -x deadcat >/dev/null'
    bounded 30 pipe_coproc cat < "$BATS_TEST_TMPDIR/in" > "$BATS_TEST_TMPDIR/out"
    cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
}

@test "pipe_coproc: a filter that answers only at the end, one that answers with more than it got, one that stops reading" {
    run -0 bounded 30 bash -c 'seq 100000 | pipe_coproc sort -rn | head -n 2'
    assert_output "100000
99999"
    run -0 bounded 30 bash -c "seq 1000 | pipe_coproc awk '{ for (i = 0; i < 100; i++) print }' | wc -l"
    assert_output "100000"
    run -0 bounded 30 bash -c 'seq 1000000 | pipe_coproc head -n 1'
    assert_output "1"
    # Its own reader gone, pipe_coproc dies of SIGPIPE as a filter does;
    # the command it started does too, SIGPIPE not inherited as ignored.
    run -0 bounded 30 bash -c 'seq 1000000 | pipe_coproc cat | head -n 1; echo "${PIPESTATUS[@]}"'
    assert_output "1
141 141 0"
}

@test "the book's samples of pipe_coproc, and its exit status" {
    run -0 bash -c 'seq 5 | pipe_coproc sort -rn | head -n 2'
    assert_output "5
4"
    run bounded 20 pipe_coproc sh -c 'cat > /dev/null; exit 3' < /dev/null
    assert_failure 3
    run -127 --separate-stderr bounded 20 pipe_coproc nosuchcommand-pipes < /dev/null
    assert_equal "$stderr" "pipe_coproc: nosuchcommand-pipes: No such file or directory"
    run -2 pipe_coproc -n
}

# --- packet mode, stdio, popen ----------------------------------------------------

@test "PIPE-10: with O_DIRECT each write is one packet; short reads discard the rest; big writes split at PIPE_BUF" {
    run -0 pipe_lab packet
    assert_output "byte stream: wrote \"hello\", \"world\"; reads got \"helloworld\"
packets: wrote \"hello\", \"world\"; reads got \"hello\" \"world\"
packets: wrote \"abcdefgh\", \"XY\"; 3-byte reads got \"abc\" \"XY\"
packets: wrote 6000 bytes at once; reads got 4096 bytes 1904 bytes
packets: wrote 0 bytes; reads got nothing
packets: 1-byte writes until EAGAIN: 16, into a $((16 * page))-byte pipe
F_SETFL O_DIRECT: wrote \"hello\", \"world\"; reads got \"hello\" \"world\""
}

@test "PIPE-22: each packet takes a slot (16 in a default pipe), big writes split at the page size, F_SETFL O_DIRECT switches packet mode on" {
    run -0 pipe_lab packet
    assert_line "packets: 1-byte writes until EAGAIN: 16, into a $((16 * page))-byte pipe"
    assert_line "packets: wrote 6000 bytes at once; reads got $page bytes $((6000 - page)) bytes"
    assert_line "F_SETFL O_DIRECT: wrote \"hello\", \"world\"; reads got \"hello\" \"world\""
}

@test "PIPE-17: a stdio stream on a pipe is fully buffered: nothing arrives until fflush, unless line buffered" {
    run -0 bounded 30 pipe_lab stdio
    assert_output "default: 0 bytes in the pipe after fprintf, 21 after fflush
line buffered: 21 bytes in the pipe after fprintf, 21 after fflush"
}

@test "PIPE-18: pclose returns the shell's exit status; popen_nl exits with it" {
    run --separate-stderr popen_nl 'printf "one\ntwo\n"; exit 3'
    assert_failure 3
    assert_output "$(printf '     1\tone\n     2\ttwo')"
    assert_equal "$stderr" ""
    run -127 popen_nl 'nosuchcommand-pipes'
}

@test "PIPE-18: pclose reports a command killed by a signal; popen_nl exits 128 + N" {
    run --separate-stderr popen_nl 'echo before; kill -TERM $$; echo after'
    assert_failure 143
    assert_output "$(printf '     1\tbefore')"
    assert_equal "$stderr" "popen_nl: command killed by signal 15 (Terminated)"
}

@test "popen: pclose fails ECHILD when a SIGCHLD handler reaped the shell; \"e\" sets close-on-exec; a popen child closes earlier popen streams, not other descriptors" {
    run -0 bounded 30 pipe_lab popen
    assert_output "pclose after a SIGCHLD handler reaped the shell: ECHILD (No child processes)
popen mode \"w\": the stream's descriptor is kept on exec
popen mode \"we\": the stream's descriptor is closed on exec
in a second popen's shell, the first popen stream: closed
in a second popen's shell, a plain pipe's end: open"
}

@test "the book's sample: popen_nl 'kill -TERM \$\$' exits 143 and says why" {
    run --separate-stderr popen_nl 'kill -TERM $$'
    assert_failure 143
    assert_output ""
    assert_equal "$stderr" "popen_nl: command killed by signal 15 (Terminated)"
}

@test "popen_nl numbers a last line that has no newline, as nl does" {
    run -0 popen_nl 'printf "abc"'
    assert_output "$(printf 'abc' | nl)"
}

@test "popen_nl passes a line holding a NUL byte whole" {
    run -0 bash -c "popen_nl 'printf \"a\\000b\\nc\\n\"' | od -An -c | tr -s ' '"
    assert_output "$(printf '     1\ta\000b\n     2\tc\n' | od -An -c | tr -s ' ')"
}

# --- pipeline ----------------------------------------------------------------------

# same_as_shell 'LEFT' 'RIGHT': pipeline gives the same standard output and
# exit status as bash running LEFT | RIGHT.
same_as_shell() {
    local want got
    want=$(bash -c "$1 | $2" 2>/dev/null; echo "status $?")
    got=$(bash -c "pipeline $1 '|' $2" 2>/dev/null; echo "status $?")
    assert_equal "$got" "$want"
}

@test "pipeline gives the same output and status as the shell's a | b" {
    same_as_shell 'seq 1000' 'tail -n 2'
    same_as_shell 'seq 1000000' 'head -n 1'
    same_as_shell 'printf "b\na\n"' 'sort'
    same_as_shell 'sh -c "exit 5"' 'cat'
    same_as_shell 'true' 'sh -c "exit 3"'
    same_as_shell 'true' 'sh -c "kill -TERM \$\$"'
    same_as_shell 'nosuchcommand-pipes' 'wc -c'
    same_as_shell 'true' 'nosuchcommand-pipes'
    same_as_shell 'true' '/etc/passwd'
}

@test "pipeline runs any number of commands, as the shell's a | b | c does" {
    local want got
    want=$(seq 1000 | grep 1 | sort -rn | head -n 3; echo "status $?")
    got=$(pipeline seq 1000 '|' grep 1 '|' sort -rn '|' head -n 3; echo "status $?")
    assert_equal "$got" "$want"
    # The last command's status is the pipeline's, whatever the others'.
    run pipeline sh -c 'exit 5' '|' sh -c 'exit 7' '|' sh -c 'exit 3'
    assert_failure 3
    run pipeline true '|' true '|' sh -c 'kill -TERM $$'
    assert_failure 143
    # Ten stages: every pipe closed in time, or the cats would never see
    # end of file and this would hang.
    local args=(seq 100000) i
    for i in $(seq 9); do args+=('|' cat); done
    run -0 bounded 30 pipeline "${args[@]}" '|' wc -l
    assert_output 100000
}

@test "pipeline: the parent closes each pipe end once its command has started; each command holds only its own" {
    # Four sleeps; while they run, count the pipe ends each process holds
    # beyond its standard input, output and error.
    # (bats keeps descriptors of its own open: close them first)
    bash -c 'for fd in /proc/$$/fd/*; do
                 fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"
             done
             exec pipeline sleep 30 "|" sleep 30 "|" sleep 30 "|" sleep 30' &
    local p=$! c kids parent_ends child_fds=
    wait_for eval "[ \$(pgrep -c -P $p sleep) -eq 4 ]"
    kids=$(pgrep -P "$p" sleep)
    # (the parent closes its last end just after the last fork: give it
    # the moment it may need, then count)
    # (valgrind keeps descriptors of its own, from 1000 up: not counted)
    fds() { ls /proc/"$1"/fd | awk '$1 < 1000' | sort -n | tr '\n' ' '; }
    wait_for eval "[ \"\$(fds $p)\" = '0 1 2 ' ]" || true
    parent_ends=$(fds "$p")
    for c in $kids; do
        child_fds="$child_fds$(fds "$c")/ "
    done
    kill $kids
    wait "$p" || true
    assert_equal "$parent_ends" "0 1 2 "
    assert_equal "$child_fds" "0 1 2 / 0 1 2 / 0 1 2 / 0 1 2 / "
}

@test "the book's samples of pipeline" {
    run -0 pipeline seq 1000 '|' tail -n 2
    assert_output "999
1000"
    run -0 pipeline seq 1000000 '|' head -n 1
    assert_output "1"
    run --separate-stderr pipeline nosuchcommand '|' wc -c
    assert_success
    assert_output "0"
    assert_equal "$stderr" "pipeline: nosuchcommand: No such file or directory"
    run -0 pipeline seq 10 '|' grep 1 '|' wc -l
    assert_output 2
}

@test "pipeline passes the commands' own options through (ls -l, wc -l)" {
    mkdir "$BATS_TEST_TMPDIR/d" && touch "$BATS_TEST_TMPDIR/d/"{a,b,c}
    run -0 pipeline ls -1 "$BATS_TEST_TMPDIR/d" '|' wc -l
    assert_output "3"
}

@test "pipeline wires the pipe right even when its standard input or output is closed" {
    # With standard output closed, pipe() returns 1 as the read end: the
    # order of close and dup2 in the child decides whether cat or echo
    # loses its descriptor.  The shell's status is the reference.
    local shell
    shell=$(bash -c 'exec 3>&1 1>&-; echo hi | cat 2>/dev/null; echo "status $?" >&3')
    run bash -c 'exec 3>&1 1>&-; pipeline echo hi "|" cat 2>/dev/null; echo "status $?" >&3'
    assert_output "$shell"
    assert_output "status 1"
    # With standard input closed, pipe() returns 0 as the read end.
    run bash -c "pipeline cat '|' wc -c <&- 2>/dev/null"
    assert_success
    assert_output "0"
}

# --- throughput ----------------------------------------------------------------

@test "PIPE-23: tee copies a pipe without consuming it; vmsplice and splice put pages in by reference, so later changes show" {
    run -0 pipe_lab zerocopy
    assert_output "tee of \"hello\" moved 5 bytes: the first pipe holds 5, the second 5
reads got \"hello\"
and \"hello\"
vmsplice of \"before\", then the buffer changed: reads got \"after!\"
splice of a file holding \"before\", then the file changed: reads got \"after!\""
}

@test "pipe_bench moves exactly the bytes asked for, through a pipe of the capacity asked for" {
    run -0 bash -c 'pipe_bench -c 1M -s 4k -t 1M send | pipe_bench -s 4k recv'
    assert_output --regexp '^recv: 1048576 bytes in 4096-byte reads, 1048576-byte pipe: [0-9.]+ s, [0-9.]+ MiB/s$'
    run -0 bash -c 'pipe_bench -s 1 -t 1000 send | pipe_bench -s 1 recv'
    assert_output --regexp '^recv: 1000 bytes in 1-byte reads, 65536-byte pipe: '
    # Told how much to expect, recv fails when less (or more) comes: a
    # sender that stopped early is not a fast one.
    run -0 bash -c 'pipe_bench -t 1M send | pipe_bench -t 1M recv'
    run --separate-stderr bash -c 'pipe_bench -t 1M send | head -c 1000 | pipe_bench -t 1M recv'
    assert_failure 1
    assert_equal "$stderr" "pipe_bench: received 1000 bytes, not the 1048576 expected: did the sender fail?"
    run --separate-stderr bash -c 'head -c 2M /dev/zero | cat | pipe_bench -t 1M recv'
    assert_failure 1
    assert_equal "$stderr" "pipe_bench: received 2097152 bytes, not the 1048576 expected: did the sender fail?"
}

@test "pipe_bench -Z: vmsplice in, splice out to /dev/null, exactly the bytes asked for; with -C the vmspliced pattern arrives as sent" {
    run -0 bash -c 'pipe_bench -Z -s 64k -t 4M send | pipe_bench -Z -s 64k -t 4M recv'
    assert_output --regexp '^recv: 4194304 bytes in 65536-byte splices, 65536-byte pipe: [0-9.]+ s, [0-9.]+ MiB/s$'
    # vmsplice's bytes are read as plain bytes, and splice takes written ones.
    run -0 bash -c 'pipe_bench -Z -s 1000 -t 1M send | pipe_bench -s 4k -t 1M recv'
    run -0 bash -c 'pipe_bench -s 4k -t 1M send | pipe_bench -Z -s 3000 -t 1M recv'
    assert_output --regexp '^recv: 1048576 bytes in 3000-byte splices, '
    run --separate-stderr bash -c 'pipe_bench -Z -t 1M send | head -c 1000 | pipe_bench -Z -t 1M recv'
    assert_failure 1
    assert_equal "$stderr" "pipe_bench: received 1000 bytes, not the 1048576 expected: did the sender fail?"
    # Each piece its own pages: every byte as sent, sizes odd or not.
    run -0 bash -c 'pipe_bench -C -Z -s 4k -t 1M send | pipe_bench -C -s 1000 -t 1M recv'
    assert_output "recv: 1048576 bytes in 1000-byte reads, every byte as sent"
    run -0 bash -c 'pipe_bench -C -Z -s 5000 -t 300000 send | pipe_bench -C -s 64k -t 300000 recv'
}

@test "pipe_bench -C: every byte arrives as sent; a lost byte, a wrong count or other data fail with status 1" {
    run -0 bash -c 'pipe_bench -C -s 4k -t 1M send | pipe_bench -C -s 1000 -t 1M recv'
    assert_output "recv: 1048576 bytes in 1000-byte reads, every byte as sent"
    run -0 bash -c 'pipe_bench -C -s 1 -t 3000 send | pipe_bench -C -s 64k -t 3000 recv'
    assert_output "recv: 3000 bytes in 65536-byte reads, every byte as sent"
    # dd with bs=1 reads exactly one byte at a time: it drops byte 100 alone.
    run --separate-stderr bash -c 'pipe_bench -C -t 1000 send |
        { dd bs=1 count=100 2>/dev/null; dd bs=1 count=1 of=/dev/null 2>/dev/null; cat; } |
        pipe_bench -C -t 999 recv'
    assert_failure 1
    [[ $stderr =~ ^"pipe_bench: byte 100 is 0x"[0-9a-f]{2}", expected 0x"[0-9a-f]{2}$ ]]
    run --separate-stderr bash -c 'pipe_bench -C -t 1000 send | pipe_bench -C -t 2000 recv'
    assert_failure 1
    assert_equal "$stderr" "pipe_bench: 1000 bytes came, expected 2000"
    run --separate-stderr bash -c 'pipe_bench -C -t 3000 send | pipe_bench -C -t 2000 recv'
    assert_failure 1
    assert_equal "$stderr" "pipe_bench: 3000 bytes came, expected 2000"
    run --separate-stderr bash -c 'pipe_bench -t 1000 send | pipe_bench -C -t 1000 recv'
    assert_failure 1
    assert_equal "$stderr" "pipe_bench: byte 0 is 0x78, expected 0x00"
}

@test "pipe_bench ping and echo: round trips through two FIFOs, every reply checked with -C, timed without" {
    local d echo
    d=$(mktemp -d)
    mkfifo "$d/there" "$d/back"
    bounded 20 pipe_bench -s 100 echo "$d/there" "$d/back" & echo=$!
    run -0 bounded 20 pipe_bench -C -s 100 -n 2000 ping "$d/there" "$d/back"
    assert_output "2000 round trips of 100 bytes checked"
    wait "$echo"                        # echo saw end of file: status 0
    bounded 20 pipe_bench -s 1 echo "$d/there" "$d/back" & echo=$!
    run -0 bounded 20 pipe_bench -s 1 -n 500 ping "$d/there" "$d/back"
    assert_output --regexp '^500 round trips of 1 bytes: [0-9]+ ns per round trip$'
    wait "$echo"
    # Not FIFOs: a usage error, before any waiting.
    : > "$d/file"
    run --separate-stderr pipe_bench echo "$d/file" "$d/back"
    assert_failure 2
    assert_equal "$stderr" "pipe_bench: $d/file is not a pipe (try: pipe_bench send | pipe_bench recv)"
    rm -r "$d"
}

@test "on one CPU the reader runs during writes that had room: the writer does not run until the pipe is full" {
    # Counts, not times: a write that left the pipe holding less than
    # before plus its 4 KiB had the reader run during it.  If the writer
    # ran until the pipe was full, the count would be 0.
    run -0 bounded 60 pipe_lab turns
    assert_line --index 0 --regexp '^the reader: 16777216 bytes in [0-9]+ reads, [0-9]+ bytes a read$'
    assert_line --index 1 --regexp '^both on CPU [0-9]+: 4096 writes of 4096 bytes; the reader ran during [1-9][0-9]* of them that had room$'
    assert_line --index 2 --regexp '^switches of the writer: [0-9]+ voluntary, [0-9]+ involuntary$'
    assert_line --index 3 --regexp '^switches of the reader: [0-9]+ voluntary, [0-9]+ involuntary$'
}

@test "pipe/bench.sh (QUICK=1) writes whole tables and a plot, with the machine, the method and the limits" {
    local two=1 md=$BATS_TEST_TMPDIR/02-pipes-throughput.md
    [ "$(taskset -pc $$ | sed 's/.*: //')" != "$(taskset -pc $$ | sed 's/.*: //; s/[,-].*//')" ] || two=
    QUICK=1 OUT=$BATS_TEST_TMPDIR run -0 bounded 40 "$IPC_ROOT/book/build/src/pipe/bench.sh"
    run -0 cat "$md"
    if [ -n "$two" ]; then
        assert_line --index 0 "| write and read size | one CPU, 64 KiB pipe | one CPU, 1 MiB pipe | two CPUs, 64 KiB pipe | two CPUs, 1 MiB pipe |"
        assert_line --regexp '^\| 16 B( \| [0-9.]+ ±[0-9.]+ %){4} \|$'
        assert_line --regexp '^\| 64 KiB( \| [0-9.]+ ±[0-9.]+ %){4} \|$'
    else
        assert_line --index 0 "| write and read size | one CPU, 64 KiB pipe | one CPU, 1 MiB pipe |"
    fi
    assert_line --index 4 'Throughput in MiB/s of `pipe_bench send | pipe_bench recv`, one run.'
    assert_line --regexp "^Measured on .*, Linux $(uname -r), "
    assert_line --regexp '^\| memcpy, 4 KiB blocks \(in cache\) \| [0-9.]+ MiB/s ±[0-9.]+ % \|$'
    run -0 cat "$BATS_TEST_TMPDIR/02-pipes-latency.md"
    if [ -n "$two" ]; then
        assert_line --index 0 "| message size | one CPU | two CPUs |"
        assert_line --regexp '^\| 64 B( \| [0-9.]+ ±[0-9.]+ %){2} \|$'
    else
        assert_line --index 0 "| message size | one CPU |"
    fi
    assert_line --regexp '^\| 1 B \| [0-9.]+ ±[0-9.]+ %'
    assert_line --index 4 'Nanoseconds per round trip of `pipe_bench ping` and `echo` through two FIFOs, 50 round trips a run, one run.'
    run -0 cat "$BATS_TEST_TMPDIR/02-pipes-zerocopy.md"
    if [ -n "$two" ]; then
        assert_line --index 0 "| write and read size | one CPU, write and read | one CPU, vmsplice and splice | two CPUs, write and read | two CPUs, vmsplice and splice |"
        assert_line --regexp '^\| 64 KiB( \| [0-9.]+ ±[0-9.]+ %){4} \|$'
    else
        assert_line --index 0 "| write and read size | one CPU, write and read | one CPU, vmsplice and splice |"
    fi
    assert_line --index 3 'Throughput in MiB/s through a 64 KiB pipe of `pipe_bench send | pipe_bench recv`, copying, and with `-Z` on both sides, one run.'
    run -0 cat "$BATS_TEST_TMPDIR/02-pipes-atomicity.md"
    assert_line '| 512 | 512 | 0 | 0.0 |'
    assert_line --regexp '^\| 4097 \| 56 \| [0-9]+ \| [0-9.]+ \|$'
    grep -q 'one CPU, 64 KiB pipe' "$BATS_TEST_TMPDIR/02-pipes-throughput.svg"
}

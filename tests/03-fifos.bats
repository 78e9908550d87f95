#!/usr/bin/env bats
# Tests of chapter 3, FIFOs: the open rendezvous (fifo_open, fifo_table),
# FIFO semantics through standard tools, and the sequence-number service
# (fifo_server, fifo_client).

load helpers/common

setup() {
    ipc_audit_begin
    # Private directories made by the programs go under the test's own
    # directory, so that a failed test cannot leave them in /tmp proper.
    export TMPDIR=$BATS_TEST_TMPDIR
    cd "$BATS_TEST_TMPDIR"
    server_pid= bg_pids=
}

teardown() {
    local p
    # After a failure: stop what is left, letting it clean up (SIGTERM).
    for p in $server_pid $bg_pids; do
        kill -TERM "$p" 2>/dev/null || true
        kill -CONT "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    [ -z "${public_dir:-}" ] || rm -rf "$public_dir"
    ipc_audit_end
}

# start_server [options]: fifo_server in the background; sets server_pid
# and dir (the directory it printed) once it is ready.  Bash starts a
# background command with SIGINT ignored (no job control here), and the
# server keeps an ignored signal ignored, like nohup; env restores it.
start_server() {
    # Empty it first: the background job truncates it only once it runs,
    # and an earlier server's output must not pass for this one's.
    : > "$BATS_TEST_TMPDIR/server.out"
    env --default-signal=INT ${server_env:-} fifo_server "$@" > "$BATS_TEST_TMPDIR/server.out" \
        2> "$BATS_TEST_TMPDIR/server.err" 3>&- &
    server_pid=$!
    wait_for test -s "$BATS_TEST_TMPDIR/server.out"
    dir=$(cat "$BATS_TEST_TMPDIR/server.out")
    # Its first line on stderr names its pid and where it serves.
    wait_for grep -q "^fifo_server: pid $server_pid serving $dir from [0-9]*\$" \
        "$BATS_TEST_TMPDIR/server.err"
}

# server_said: what the server has written on stderr so far, after the
# line that says where it serves.
server_said() {
    tail -n +2 "$BATS_TEST_TMPDIR/server.err"
}

# server_says LINE: wait until the server has written LINE on stderr.
server_says() {
    wait_for grep -qxF -- "$1" "$BATS_TEST_TMPDIR/server.err"
}

# --- usage and arguments -------------------------------------------------

@test "every program prints its usage with -h (status 0) and refuses an unknown option (status 2)" {
    assert_usage_conventions fifo_open fifo_table fifo_poll fifo_pair fifo_server fifo_client
}

@test "bad arguments give a one-line error and status 2" {
    run --separate-stderr fifo_open x f
    assert_failure 2
    assert_equal "$stderr" "fifo_open: mode: 'x' is not r, w or rw"
    run --separate-stderr fifo_open -t 0 r f
    assert_failure 2
    assert_equal "$stderr" "fifo_open: timeout: '0' is not a number from 1 to 3600000"
    run --separate-stderr fifo_client -n 1000001 .
    assert_failure 2
    assert_equal "$stderr" "fifo_client: count: '1000001' is not a number from 1 to 1000000"
    run --separate-stderr fifo_client -t 0 .
    assert_failure 2
    assert_equal "$stderr" "fifo_client: timeout: '0' is not a number from 1 to 3600000"
    run --separate-stderr fifo_table -t 99999999
    assert_failure 2
    assert_equal "$stderr" "fifo_table: timeout: '99999999' is not a number from 1 to 60000"
    # Wrong shapes of command line: the usage, on stderr.
    run -2 fifo_open -s r f
    run -2 fifo_open r
    run -2 fifo_client
    run -2 fifo_client ''
    run -2 fifo_server extra
    run -2 fifo_server -t 100
    run -2 fifo_table extra
    run --separate-stderr fifo_pair -t 0 a b
    assert_failure 2
    assert_equal "$stderr" "fifo_pair: timeout: '0' is not a number from 1 to 3600000"
    run -2 fifo_pair a
    run -2 fifo_pair a b c
    run -2 fifo_server -x
}

# --- making a FIFO ----------------------------------------------------------

@test "FIFO-01: mkfifo makes a file of type p with the mode masked by the umask, and fails EEXIST if the name exists" {
    run bash -c 'umask 027; mkfifo f && stat -c "%F %a" f'
    assert_success
    assert_output "fifo 640"
    run bash -c 'umask 022; mkfifo g && stat -c "%F %a" g && ls -l g | cut -c1'
    assert_output $'fifo 644\np'
    run mkfifo f
    assert_failure 1
    assert_output "mkfifo: cannot create fifo 'f': File exists"
    # Anything at the name counts, even a dangling symbolic link.
    ln -s nowhere link
    run mkfifo link
    assert_failure 1
    assert_output "mkfifo: cannot create fifo 'link': File exists"
    # -m gives the mode exactly: the umask does not apply to it.
    run bash -c 'umask 077; mkfifo -m 666 h && stat -c "%F %a" h'
    assert_output "fifo 666"
    # The older call: mknod(path, S_IFIFO | mode, 0), as mknod(1) makes it.
    run bash -c 'umask 022; mknod k p && stat -c "%F %a" k'
    assert_output "fifo 644"
    rm f g h k link
}

@test "mkfifo fails ENOENT, ENOTDIR, EACCES and ENAMETOOLONG as its contract says" {
    run mkfifo missing/f
    assert_failure 1
    assert_output "mkfifo: cannot create fifo 'missing/f': No such file or directory"
    touch plain
    run mkfifo plain/f
    assert_output "mkfifo: cannot create fifo 'plain/f': Not a directory"
    run mkfifo "$(printf 'n%.0s' $(seq 256))"
    assert_output --regexp "^mkfifo: cannot create fifo 'n{256}': File name too long$"
    # ...and so is a whole path of 4097 bytes or more, of short names.
    run mkfifo "$(printf 'd/%.0s' $(seq 2100))f"
    assert_output --regexp "^mkfifo: cannot create fifo '(d/){2100}f': File name too long$"
    # Root may write anywhere; nobody may not (in a directory it can reach).
    needs_root "to show EACCES as nobody"
    public_dir=$(mktemp -d /tmp/fifo-test.XXXXXX)
    chmod 755 "$public_dir"
    run as_nobody mkfifo "$public_dir/f"
    assert_failure 1
    assert_output "mkfifo: cannot create fifo '$public_dir/f': Permission denied"
}

# own_mounts CMD...: CMD in a mount namespace of its own, where it may
# mount a file system (as root, or as root of a new user namespace); the
# mounts vanish with it, so nothing is left to unmount after a failure.
own_mounts() {
    if unshare -m true 2>/dev/null; then unshare -m "$@"; else unshare -rm "$@"; fi
}

@test "mkfifo fails ENOSPC with no inode left and EROFS on a read-only file system; a FIFO's data takes no room there" {
    unshare -m true 2>/dev/null || unshare -rm true 2>/dev/null ||
        skip "cannot make a mount namespace here"
    mkdir fs
    # A tmpfs of 2 inodes (its root directory takes one) and one page:
    # a FIFO fits, and holds 64 KiB, but a second FIFO does not fit.
    run own_mounts bash -c '
        mount -t tmpfs -o nr_inodes=2,size=4k tmpfs fs || exit 9
        mkfifo fs/a && exec 3<> fs/a && head -c 65536 /dev/zero >&3 &&
        stat -c "%F, size %s, blocks %b" fs/a && mkfifo fs/b'
    assert_failure 1
    assert_output "fifo, size 0, blocks 0
mkfifo: cannot create fifo 'fs/b': No space left on device"
    run own_mounts bash -c 'mount -t tmpfs -o ro tmpfs fs || exit 9; mkfifo fs/c'
    assert_failure 1
    assert_output "mkfifo: cannot create fifo 'fs/c': Read-only file system"
    rmdir fs
}

@test "the shell uses a FIFO like a pipe: mkfifo, echo > f, cat f" {
    mkfifo f
    echo hello > f 3>&- &
    bg_pids=$!
    run bounded 10 cat f
    assert_success
    assert_output hello
    wait "$bg_pids"
    rm f
}

# --- the open rendezvous ----------------------------------------------------

@test "FIFO-02: a blocking open for reading waits for a writer, and one for writing waits for a reader" {
    mkfifo f
    # Alone, each open is still waiting when the 300 ms timer interrupts it.
    run --separate-stderr bounded 10 fifo_open -t 300 r f
    assert_failure 1
    assert_equal "$stderr" "fifo_open: open f: Interrupted system call"
    run --separate-stderr bounded 10 fifo_open -t 300 w f < /dev/null
    assert_failure 1
    assert_equal "$stderr" "fifo_open: open f: Interrupted system call"
    # Together they meet: the reader, first there, is released by the writer.
    fifo_open r f > out 2> err 3>&- &
    bg_pids=$!
    run --separate-stderr bounded 10 fifo_open w f <<< hi
    assert_success
    assert_equal "$stderr" "fifo_open: opened f for writing"
    wait "$bg_pids"
    run cat out err
    assert_output $'hi\nfifo_open: opened f for reading'
    rm f
}

@test "FIFO-03: with O_NONBLOCK a reader opens at once, and a writer with no reader fails ENXIO" {
    mkfifo f
    # The reader opens, and reads end of file at once: no writer is there.
    run --separate-stderr bounded 10 fifo_open -n r f
    assert_success
    assert_output ""
    assert_equal "$stderr" "fifo_open: opened f for reading"
    run --separate-stderr bounded 10 fifo_open -n w f < /dev/null
    assert_failure 1
    assert_equal "$stderr" "fifo_open: open f: No such device or address"
    # With a reader there (even one still waiting in open), it opens.
    fifo_open r f > out 2>/dev/null 3>&- &
    bg_pids=$!
    # Wait until the reader is there, asleep in open (slow under valgrind).
    wait_for grep -qx wait_for_partner "/proc/$bg_pids/wchan"
    run --separate-stderr bounded 10 fifo_open -n w f <<< "made it"
    assert_success
    wait "$bg_pids"
    run cat out
    assert_output "made it"
    rm f
}

@test "FIFO-03: fifo_table measures the truth table of fifo(7) on this kernel" {
    run --separate-stderr bounded 30 fifo_table
    assert_success
    assert_equal "$stderr" ""
    assert_equal "${#lines[@]}" 7
    assert_line --index 0 "open flags           no partner   partner there"
    assert_line --index 1 "O_RDONLY             blocks       opens"
    assert_line --index 2 "O_RDONLY|O_NONBLOCK  opens        opens"
    assert_line --index 3 "O_WRONLY             blocks       opens"
    assert_line --index 4 "O_WRONLY|O_NONBLOCK  fails ENXIO  opens"
    assert_line --index 5 "O_RDWR               opens        opens"
    assert_line --index 6 "O_RDWR|O_NONBLOCK    opens        opens"
    # Its private directory is gone.
    run find "$TMPDIR" -name 'fifo_table.*'
    assert_output ""
}

@test "FIFO-04: on Linux an O_RDWR open of a FIFO never waits, with or without O_NONBLOCK" {
    mkfifo f
    run --separate-stderr bounded 10 fifo_open rw f
    assert_success
    assert_equal "$stderr" "fifo_open: opened f for reading and writing"
    run --separate-stderr bounded 10 fifo_open -n rw f
    assert_success
    assert_equal "$stderr" "fifo_open: opened f for reading and writing"
    # The shell's <> is the same O_RDWR open: it holds the FIFO open alone.
    run bounded 10 bash -c 'exec 3<> f && echo held'
    assert_output held
    rm f
}

@test "an open without the permission the FIFO's mode grants fails EACCES at once, before any waiting" {
    needs_root "to open as nobody"
    public_dir=$(mktemp -d /tmp/fifo-test.XXXXXX)
    chmod 755 "$public_dir"
    mkfifo -m 600 "$public_dir/f"
    # No partner: an open that got past the check would wait for ever.
    run --separate-stderr as_nobody timeout 10 "$IPC_BIN/fifo_open" r "$public_dir/f"
    assert_failure 1
    assert_equal "$stderr" "fifo_open: open $public_dir/f: Permission denied"
}

@test "O_NONBLOCK given to open stays on the descriptor: a later read of an empty FIFO fails EAGAIN" {
    mkfifo f
    # A writer is there (the shell's <>), so the read is not end of file.
    run bounded 10 bash -c 'exec 3<> f; dd if=f iflag=nonblock of=/dev/null count=1'
    assert_failure 1
    assert_line --index 0 "dd: error reading 'f': Resource temporarily unavailable"
    rm f
}

@test "FIFO-09: a handler without SA_RESTART interrupts a waiting open with EINTR; with SA_RESTART the open goes on waiting" {
    mkfifo f
    run --separate-stderr bounded 10 fifo_open -t 100 r f
    assert_failure 1
    assert_equal "$stderr" "fifo_open: open f: Interrupted system call"
    # With -s the SIGALRMs come, are handled, and the open waits on.
    fifo_open -t 100 -s r f > out 2> err 3>&- &
    bg_pids=$!
    alarms_at_least() { [ "$(grep -c '^fifo_open: SIGALRM$' err)" -ge "$1" ]; }
    wait_for alarms_at_least 3
    kill -0 "$bg_pids"                  # still there, still in open
    run grep -c opened err
    assert_output 0
    echo "at last" > f                  # a writer: the open returns
    wait "$bg_pids"
    run cat out
    assert_output "at last"
    run tail -n 1 err
    assert_output "fifo_open: opened f for reading"
    rm f
}

# --- after the open: a pipe ----------------------------------------------

@test "FIFO-12: a non-blocking reader that came first reads 0 at once, but poll waits for the first writer; then POLLHUP until a writer opens again" {
    run -0 fifo_poll
    assert_output "a reader, no writer yet: poll reports nothing; read returns 0
a writer opened: poll reports nothing
the writer wrote 2 bytes: poll reports POLLIN
the writer closed: poll reports POLLIN POLLHUP; read returns 2
again: poll reports POLLHUP; read returns 0
a second writer opened: poll reports nothing"
    run -2 fifo_poll extra
    assert_output "usage: fifo_poll"
}

@test "FIFO-11: through a FIFO, data arrives in order and end of file comes only after the last writer closes" {
    mkfifo f
    run bounded 20 bash -c '
        fifo_open r f > out 2>/dev/null &
        exec 4> f                   # writer 1, kept open by this shell
        seq 1 10000 | fifo_open w f 2>/dev/null   # writer 2 comes and goes
        echo last >&4               # the reader is still there to read it
        exec 4>&-                   # the last writer closes: end of file
        wait $!'
    assert_success
    run bash -c '{ seq 1 10000; echo last; } | cmp - out'
    assert_success
    rm f
}

@test "FIFO-11: a FIFO holds 65536 bytes, like a pipe: a non-blocking writer stops there with EAGAIN" {
    mkfifo f
    run bounded 20 bash -c '
        exec 3<> f                  # a reader that never reads
        dd if=/dev/zero of=/dev/fd/3 bs=1 count=70000 oflag=nonblock conv=notrunc'
    assert_failure 1
    assert_line --index 0 "dd: error writing '/dev/fd/3': Resource temporarily unavailable"
    assert_line --index 2 "65536+0 records out"
    rm f
}

@test "FIFO-07: 4096-byte records written at once by 8 writers arrive whole, never mixed" {
    run getconf PIPE_BUF .
    assert_output 4096
    local c
    for c in a b c d e f g h; do        # 200 lines of 4095 times $c
        awk -v c="$c" 'BEGIN { s = sprintf("%4095s", ""); gsub(/ /, c, s)
                               for (i = 0; i < 200; i++) print s }' > "in.$c"
    done
    mkfifo fifo
    # dd writes each 4096-byte block with one write(2).
    run bounded 30 bash -c '
        cat fifo > out &
        reader=$!
        exec 4> fifo                # no end of file before all have started
        pids=
        for c in a b c d e f g h; do
            dd if=in.$c of=fifo bs=4096 conv=notrunc status=none &
            pids="$pids $!"
        done
        wait $pids
        exec 4>&-
        wait $reader'
    assert_success
    run awk 'length($0) != 4095 || $0 !~ ("^" substr($0, 1, 1) "+$") { bad++ }
             END { print NR, bad + 0 }' out
    assert_output "1600 0"
    run bash -c "cut -c1 out | sort | uniq -c | awk '{ print \$1 }' | sort -u"
    assert_output 200
    rm fifo
}

@test "FIFO-08: a writer whose reader has gone dies of SIGPIPE (status 141), or gets EPIPE when it ignores the signal" {
    mkfifo f
    head -c 10 f > out 3>&- &
    bg_pids=$!
    run --separate-stderr bounded 10 bash -c 'yes 2>/dev/null | fifo_open w f'
    assert_failure 141
    wait "$bg_pids"
    head -c 10 f > out 3>&- &
    bg_pids=$!
    run --separate-stderr bounded 10 bash -c 'trap "" PIPE; yes 2>/dev/null | fifo_open w f'
    assert_failure 1
    assert_equal "$stderr" $'fifo_open: opened f for writing\nfifo_open: write f: Broken pipe'
    wait "$bg_pids"
    run cat out
    assert_output "y
y
y
y
y"
    rm f
}

@test "two readers share a FIFO's data; they do not both get it" {
    mkfifo f
    local r1 r2
    cat f > out1 3>&- &
    r1=$!
    cat f > out2 3>&- &
    r2=$!
    bg_pids="$r1 $r2"
    # Both wait in open before the writer comes, so both are readers.
    wait_for grep -qx wait_for_partner "/proc/$r1/wchan"
    wait_for grep -qx wait_for_partner "/proc/$r2/wchan"
    run bounded 20 bash -c 'seq 100000 > f'
    assert_success
    wait $r1 $r2
    bg_pids=
    # 588895 bytes went in; as many came out, in all, not twice as many.
    run bash -c 'cat out1 out2 | wc -c'
    assert_output 588895
    rm f
}

@test "a process holding both ends (O_RDWR) never sees end of file and never gets SIGPIPE" {
    mkfifo f
    # Its cat reads what it wrote, then waits on: it is a writer itself.
    run bounded 10 bash -c 'exec 3<> f; echo x >&3; timeout 0.3 cat <&3; echo "cat $?"'
    assert_output $'x\ncat 124'
    # Its writes always find a reader: itself.
    run bounded 10 bash -c 'exec 3<> f; exec 4> f; exec 3<&-; echo y >&4; echo "echo $?"'
    assert_failure 141
    run bounded 10 bash -c 'exec 3<> f; echo y >&3; echo "echo $?"'
    assert_output "echo 0"
    rm f
}

@test "a pipe can be opened by name through /proc/PID/fd on Linux" {
    # cat opens, by name, the pipe its parent holds as standard input.
    run bounded 10 bash -c 'echo hello | bash -c "cat /proc/\$\$/fd/0"'
    assert_output hello
}

# --- tee and a FIFO: one stream, two readers ------------------------------

@test "tee and a FIFO duplicate a stream: both consumers get the same bytes (the book's checksums)" {
    mkfifo copy
    cat copy > second 3>&- &
    bg_pids=$!
    run bounded 20 bash -c 'seq 100000 | tee copy | cat > first'
    assert_success
    wait "$bg_pids"
    bg_pids=
    run -0 cmp first second
    run -0 bash -c 'seq 100000 | cmp - first'
    run sha256sum < second
    assert_output "b2bc7d3f8b652d2ec96865b68ad8f80e22cca174abe1aed7889e242a747d590f  -"
    # The start order is free: here tee comes first, and waits in open.
    seq 100000 | tee copy > first 3>&- &
    bg_pids=$!
    wait_for grep -qx wait_for_partner "/proc/$bg_pids/wchan"
    run bounded 20 cat copy
    assert_success
    wait "$bg_pids"
    bg_pids=
    assert_equal "$output" "$(seq 100000)"
    run -0 bash -c 'seq 100000 | cmp - first'
    rm copy
}

@test "tee and a FIFO: a consumer that stops reading stops tee; one that leaves kills it (SIGPIPE), unless tee -p" {
    mkfifo copy
    seq 200000 > in                     # 1288895 bytes
    # The FIFO's reader (this bash, <>) never reads: tee fills the FIFO,
    # then waits in write and passes nothing more on, until timeout.
    run bounded 10 bash -c 'exec 4<> copy; timeout 0.3 tee copy < in > first'
    assert_failure 124
    local size
    size=$(stat -c %s first)
    # The FIFO's 65536 bytes, plus the one block tee had passed on.
    [ "$size" -ge 65536 ] && [ "$size" -lt 131072 ]
    # A reader that leaves early: tee dies of SIGPIPE, and the first
    # consumer misses the rest...
    head -c 10 copy > /dev/null 3>&- &
    bg_pids=$!
    run bounded 20 bash -c 'seq 100000 | tee copy | wc -l; echo "tee ${PIPESTATUS[1]}"'
    assert_line --index 1 "tee 141"
    [ "${lines[0]}" -lt 100000 ]
    wait "$bg_pids"
    # ...but with -p tee carries on with the outputs that are left.
    head -c 10 copy > /dev/null 3>&- &
    bg_pids=$!
    run bounded 20 bash -c 'seq 100000 | tee -p copy | wc -l; echo "tee ${PIPESTATUS[1]}"'
    assert_output $'100000\ntee 0'
    wait "$bg_pids"
    bg_pids=
    rm copy
}

# --- two FIFOs, both ways: the order of the opens --------------------------

@test "two processes that open two FIFOs in opposite orders deadlock in open; -t bounds it" {
    mkfifo ab ba
    local ms=1000 a b sa=0 sb=0
    [ "${VALGRIND:-}" != 1 ] || ms=10000    # both must start in time
    # Each reads first: A waits in open(ba) for B, B in open(ab) for A.
    echo from A | fifo_pair -t "$ms" ba ab > a.out 2> a.err 3>&- &
    a=$!
    echo from B | fifo_pair -t "$ms" ab ba > b.out 2> b.err 3>&- &
    b=$!
    bg_pids="$a $b"
    wait_for grep -qx wait_for_partner "/proc/$a/wchan"
    wait_for grep -qx wait_for_partner "/proc/$b/wchan"
    wait "$a" || sa=$?
    wait "$b" || sb=$?
    bg_pids=
    assert_equal "status $sa $sb" "status 1 1"
    # Neither got past its first open.
    run cat a.out a.err b.out b.err
    assert_output "fifo_pair: open ba: not done within $ms ms
fifo_pair: open ab: not done within $ms ms"
    rm ab ba
}

@test "two peers that both send more than a FIFO holds before reading deadlock in write; -t bounds it" {
    mkfifo ab ba
    local ms=1000 a sa=0
    [ "${VALGRIND:-}" != 1 ] || ms=10000
    seq 20000 | fifo_pair -t "$ms" ba ab > a.out 2> a.err 3>&- &
    a=$!
    bg_pids=$a
    # 108894 bytes each way, in the same order of opens.
    run --separate-stderr bounded 30 bash -c "seq 20000 | fifo_pair -t $ms -w ab ba"
    assert_failure 1
    wait "$a" || sa=$?
    bg_pids=
    assert_equal "status $sa" "status 1"
    # Both were stuck in write: the first whose time was up says so, and
    # the other, still in write, then lost its reader (EPIPE), or its own
    # time was up as well.
    run bash -c 'tail -n 1 a.err; echo "$0"' "${stderr_lines[-1]}"
    assert_output --regexp "^fifo_pair: write ab: (not done within $ms ms|Broken pipe)
fifo_pair: write ba: (not done within $ms ms|Broken pipe)\$"
    assert_output --partial "not done within $ms ms"
    rm ab ba
}

@test "two FIFOs opened in the same order, or one read open with O_NONBLOCK, do not deadlock" {
    mkfifo ab ba
    # B opens in A's order: its writing end, ba, first.
    echo from A | fifo_pair -t 20000 ba ab > a.out 2> a.err 3>&- &
    bg_pids=$!
    run --separate-stderr bounded 30 bash -c 'echo from B | fifo_pair -t 20000 -w ab ba'
    assert_success
    assert_output "from A"
    assert_equal "$stderr" $'fifo_pair: opened ba for writing\nfifo_pair: opened ab for reading'
    wait "$bg_pids"
    run cat a.out a.err
    assert_output $'from B\nfifo_pair: opened ba for reading\nfifo_pair: opened ab for writing'
    # Opposite orders, but A's read open does not wait (O_NONBLOCK); its
    # poll waits for B's writer, so it still gets B's whole message.
    printf 'from A\n%.0s' $(seq 1000) | fifo_pair -t 20000 -n ba ab > a.out 2> a.err 3>&- &
    bg_pids=$!
    run --separate-stderr bounded 30 bash -c 'seq 20000 | fifo_pair -t 20000 ab ba'
    assert_success
    assert_equal "${#lines[@]}" 1000
    assert_equal "$stderr" $'fifo_pair: opened ab for reading\nfifo_pair: opened ba for writing'
    wait "$bg_pids"
    bg_pids=
    run -0 bash -c 'seq 20000 | cmp - a.out'
    run cat a.err
    assert_output $'fifo_pair: opened ba for reading\nfifo_pair: opened ab for writing'
    rm ab ba
}

# --- the sequence-number service -----------------------------------------

@test "fifo_server makes a private 0700 directory under TMPDIR holding the FIFO requests, mode 0600" {
    start_server
    [[ $dir == "$TMPDIR"/fifo_server.?????? ]]
    run stat -c "%F %a" "$dir" "$dir/requests" "$dir/seq"
    assert_output $'directory 700\nfifo 600\nregular empty file 600'
    run ls -A "$dir"
    assert_output $'requests\nseq'
    stop_server TERM
    assert_dir_not_exists "$dir"
}

@test "the book's session: numbers 0, 1 (ten of them), 11; a shell client gets 12; bad clients cost a message each" {
    mkdir -m 700 seq
    start_server -d seq
    assert_equal "$dir" "$BATS_TEST_TMPDIR/seq"      # made absolute
    run bounded 30 fifo_client seq
    assert_output 0
    run bounded 30 fifo_client -n 10 seq
    assert_output 1
    run bounded 30 fifo_client seq
    assert_output 11
    # A client in three lines of shell: the reply FIFO open (<>) first.
    run bounded 10 bash -c '
        mkfifo seq/reply.sh
        { printf "\nreply.sh 1\n" > seq/requests; head -n 1; } <> seq/reply.sh
        rm seq/reply.sh'
    assert_success
    assert_output 12
    echo hello > seq/requests
    server_says "fifo_server: rejected request 'hello': want 'NAME COUNT'"
    echo '../secret 1' > seq/requests
    server_says "fifo_server: rejected request '../secret 1': NAME must be a plain file name"
    mkfifo seq/lazy
    echo 'lazy 1' > seq/requests
    server_says "fifo_server: lazy: nobody reads it; reply dropped"
    run bounded 30 fifo_client seq
    assert_output 13
    # A second server is refused; the counter outlives SIGKILL.
    run --separate-stderr bounded 10 fifo_server -d seq
    assert_failure 1
    assert_equal "$stderr" "fifo_server: a server is already running in $BATS_TEST_TMPDIR/seq"
    # What its flock(LOCK_EX | LOCK_NB) met, as Perl prints it: EWOULDBLOCK,
    # which on Linux is EAGAIN.
    run perl -MFcntl=:flock -MPOSIX -e '
        open(my $f, "<", $ARGV[0]) or die "open: $!\n";
        flock($f, LOCK_EX | LOCK_NB) and die "got the lock\n";
        printf "%s, errno %d: EWOULDBLOCK %d, EAGAIN %d\n", $!, $!,
               EWOULDBLOCK, EAGAIN' seq/seq
    assert_output "Resource temporarily unavailable, errno 11: EWOULDBLOCK 11, EAGAIN 11"
    run server_said
    assert_output "fifo_server: rejected request 'hello': want 'NAME COUNT'
fifo_server: rejected request '../secret 1': NAME must be a plain file name
fifo_server: lazy: nobody reads it; reply dropped"
    kill -KILL "$server_pid"
    wait "$server_pid" || true
    start_server -d seq
    run head -n 1 "$BATS_TEST_TMPDIR/server.err"
    assert_output "fifo_server: pid $server_pid serving $BATS_TEST_TMPDIR/seq from 14"
    stop_server TERM
    run ls -A seq
    assert_output $'lazy\nseq'
    rm seq/lazy seq/seq
    rmdir seq
}

@test "dir=\$(fifo_server &) returns the directory at once; the pid it names on stderr stops it" {
    run bounded 30 bash -c 'dir=$(fifo_server 2> err &)
                            fifo_client "$dir" && echo "$dir"'
    assert_success
    assert_line --index 0 0
    [[ ${lines[1]} == "$TMPDIR"/fifo_server.?????? ]]
    # Not our child, so no wait: watch it go instead.
    local pid
    pid=$(sed -n 's/^fifo_server: pid \([0-9]*\) serving .* from 0$/\1/p' err)
    [ -n "$pid" ]
    kill -TERM "$pid"
    wait_for eval "! kill -0 $pid 2>/dev/null"
    assert_dir_not_exists "${lines[1]}"
}

@test "20 clients at once get 20 different numbers, 0 to 19: none lost, none given twice" {
    start_server
    local i pids=
    # Patience to spare for 20 clients starting at once under valgrind.
    for i in $(seq 20); do
        fifo_client -t 20000 "$dir" > "got.$i" 2>&1 3>&- &
        pids="$pids $!"
    done
    bg_pids=$pids
    for i in $pids; do wait "$i"; done
    bg_pids=
    run bash -c 'cat got.* | sort -n'
    assert_output "$(seq 0 19)"
    run bounded 30 fifo_client "$dir"
    assert_output 20
    run server_said
    assert_output ""
    stop_server TERM
    assert_dir_not_exists "$dir"
}

@test "the counter survives restarts and SIGKILL: numbers never repeat; a damaged counter is refused" {
    mkdir -m 700 d
    start_server -d d
    run bounded 30 fifo_client -n 5 d
    assert_output 0
    kill -KILL "$server_pid"
    wait "$server_pid" || true
    start_server -d d
    run bounded 30 fifo_client d
    assert_output 5
    stop_server TERM
    run cat d/seq
    assert_output 00000000000000000006
    # Anything but the counter's own line is refused, not guessed at.
    local bad
    for bad in 'x' '6' '-0000000000000000006' '99999999999999999999'; do
        printf '%s\n' "$bad" > d/seq
        run --separate-stderr fifo_server -d d
        assert_failure 1
        assert_equal "$stderr" "fifo_server: $BATS_TEST_TMPDIR/d/seq: not a counter; remove it to start again from 0"
    done
    # ...and so is a counter that is not a file of ours.
    rm d/seq
    ln -s /etc/passwd d/seq
    run --separate-stderr fifo_server -d d
    assert_failure 1
    assert_equal "$stderr" "fifo_server: open $BATS_TEST_TMPDIR/d/seq: Too many levels of symbolic links"
    rm d/seq
    mkfifo d/seq
    run --separate-stderr bounded 10 fifo_server -d d
    assert_failure 1
    assert_equal "$stderr" "fifo_server: $BATS_TEST_TMPDIR/d/seq: not a file of ours"
    rm d/seq
    rmdir d
}

@test "a client with no server says so, exits 1 and removes its reply FIFO" {
    mkdir -m 700 d
    run --separate-stderr bounded 30 fifo_client d
    assert_failure 1
    assert_equal "$stderr" "fifo_client: no server is listening in d"
    mkfifo d/requests                   # a FIFO, but nobody reading it
    run --separate-stderr bounded 30 fifo_client d
    assert_failure 1
    assert_equal "$stderr" "fifo_client: no server is listening in d"
    run ls -A d
    assert_output requests
    rm d/requests
    rmdir d
}

@test "malformed and oversized requests are rejected with a clear message, and the server carries on" {
    start_server
    printf '%s\n' 'hello' 'reply.1' ' 1' 'x 0' 'x 1000001' 'x 1y' 'x -1' \
        '.hidden 1' 'requests 1' $'\e[2J\e[H 1' "$(printf 'x%.0s' $(seq 60))" \
        > "$dir/requests"
    head -c 5000 /dev/zero | tr '\0' a > long
    echo >> long
    cat long > "$dir/requests"
    run bounded 30 fifo_client "$dir"
    assert_output 0
    run server_said
    assert_output "fifo_server: rejected request 'hello': want 'NAME COUNT'
fifo_server: rejected request 'reply.1': want 'NAME COUNT'
fifo_server: rejected request ' 1': NAME must be a plain file name
fifo_server: rejected request 'x 0': COUNT must be a number from 1 to 1000000
fifo_server: rejected request 'x 1000001': COUNT must be a number from 1 to 1000000
fifo_server: rejected request 'x 1y': COUNT must be a number from 1 to 1000000
fifo_server: rejected request 'x -1': COUNT must be a number from 1 to 1000000
fifo_server: rejected request '.hidden 1': NAME must be a plain file name
fifo_server: rejected request 'requests 1': NAME is the server's own FIFO
fifo_server: rejected request '?[2J?[H 1': NAME must be a plain file name
fifo_server: rejected request 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...': want 'NAME COUNT'
fifo_server: rejected a request longer than 4096 bytes"
    stop_server INT
    assert_dir_not_exists "$dir"
}

@test "half a request with no newline costs only itself: the next client is served" {
    start_server
    printf 'x 1' > "$dir/requests"
    run --separate-stderr bounded 30 fifo_client -t 5000 "$dir"
    assert_success
    assert_output 0
    printf 'garbage' > "$dir/requests"
    run bounded 30 fifo_client "$dir"
    assert_output 1
    run server_said
    assert_output "fifo_server: open x: No such file or directory
fifo_server: rejected request 'garbage': want 'NAME COUNT'"
    stop_server TERM
}

@test "a request of exactly PIPE_BUF bytes is served; one byte more is rejected" {
    start_server
    # 4096 bytes with the newline: a name of 255, then spaces are not
    # allowed, so pad the count with leading zeros.
    local name count
    name=$(printf 'n%.0s' $(seq 255))
    count=$(printf '0%.0s' $(seq $((4096 - 255 - 1 - 1 - 1))))1
    printf '%s %s\n' "$name" "$count" > "$dir/requests"
    server_says "fifo_server: open $name: No such file or directory"
    printf '%s 0%s\n' "$name" "$count" > "$dir/requests"
    server_says "fifo_server: rejected a request longer than 4096 bytes"
    stop_server TERM
}

@test "clients that never read their FIFO delay nobody: 200 clients behind 3 of them are all served" {
    start_server
    local i n=200 pids=
    [ "${VALGRIND:-}" != 1 ] || n=5         # 200 valgrinds would not fit
    for i in 1 2 3; do
        mkfifo "$dir/silent$i"
        printf '\nsilent%d 1\n' "$i" > "$dir/requests"
    done
    for i in $(seq "$n"); do
        fifo_client -t 20000 "$dir" > "got.$i" 2> "err.$i" 3>&- &
        pids="$pids $!"
    done
    bg_pids=$pids
    local failed=0
    for i in $pids; do wait "$i" || failed=$((failed + 1)); done
    bg_pids=
    assert_equal "failed clients: $failed" "failed clients: 0"
    run bash -c 'cat got.* | sort -n'
    assert_output "$(seq 0 $((n - 1)))"
    run server_said
    assert_output "fifo_server: silent1: nobody reads it; reply dropped
fifo_server: silent2: nobody reads it; reply dropped
fifo_server: silent3: nobody reads it; reply dropped"
    stop_server TERM
    assert_dir_not_exists "$dir"
}

@test "clients killed mid-request (SIGKILL, SIGTERM) do not stop the server, which removes the FIFO left behind" {
    start_server
    kill -STOP "$server_pid"            # requests wait in the FIFO
    # (-t: time to spare, so that neither gives up before it is killed)
    fifo_client -v -t 60000 "$dir" > /dev/null 2> killed.err 3>&- &
    local killed=$!
    bg_pids=$killed
    wait_for grep -q sent killed.err       # its request is in the FIFO
    fifo_client -v -t 60000 "$dir" > /dev/null 2> termed.err 3>&- &
    local termed=$!
    bg_pids="$killed $termed"
    wait_for grep -q sent termed.err       # and this one after it
    kill -KILL "$killed"                # no clean-up: its FIFO stays
    kill -TERM "$termed"                # cleans up: its FIFO goes
    wait "$killed" || true
    wait "$termed" || true
    bg_pids=
    assert_fifo_exists "$dir/reply.$killed"
    assert_file_not_exists "$dir/reply.$termed"
    kill -CONT "$server_pid"
    run bounded 30 fifo_client "$dir"
    assert_output 0
    run server_said
    assert_output "fifo_server: reply.$killed: nobody reads it; reply dropped
fifo_server: open reply.$termed: No such file or directory"
    stop_server TERM
    assert_dir_not_exists "$dir"
}

@test "-t bounds the whole exchange: no reply in time, or a request that cannot be sent in time" {
    start_server
    kill -STOP "$server_pid"
    local client status=0
    fifo_client -t 300 "$dir" > out 2> err 3>&- &
    client=$!
    bg_pids=$client
    wait "$client" || status=$?
    bg_pids=
    assert_equal "client status $status" "client status 1"
    run cat out err
    assert_output "fifo_client: no reply within 300 ms"
    run ls -A "$dir"
    assert_output $'requests\nseq'
    # Fill the FIFO's other 15 page slots (the first holds the request of
    # the client that gave up), with the server still stopped: the next
    # client's request cannot even be written.
    run bounded 10 dd if=/dev/zero of="$dir/requests" bs=4096 count=15 status=none
    assert_success
    run --separate-stderr bounded 10 fifo_client -t 300 "$dir"
    assert_failure 1
    assert_equal "$stderr" "fifo_client: request not sent within 300 ms: the server is not reading"
    kill -CONT "$server_pid"
    # 64 KiB of zeros is one oversized line; the next request's leading
    # newline puts the server back in step.
    run bounded 30 fifo_client "$dir"
    assert_output 0
    run server_said
    assert_output "fifo_server: open reply.$client: No such file or directory
fifo_server: rejected a request longer than 4096 bytes"
    stop_server TERM
}

@test "a client hanging up at random moments never kills the server: SIGPIPE is ignored" {
    start_server
    mkfifo "$dir/flap"
    # Open and close the reply FIFO as fast as the shell can, so that the
    # server's write often finds its reader gone (EPIPE).
    bash -c 'while :; do exec 5<> "$1"; exec 5<&-; done' flap "$dir/flap" \
        > /dev/null 2>&1 3>&- &
    bg_pids=$!
    # Batches of 100 requests, each followed by a client of our own whose
    # reply shows the batch was served, until some write has met EPIPE
    # (usually in the first batch or two; at most 20).
    local i batch
    for batch in $(seq 20); do
        for i in $(seq 100); do echo 'flap 1'; done > "$dir/requests"
        run bounded 60 fifo_client -t 30000 "$dir"
        assert_success
        kill -0 "$server_pid"
        ! grep -q 'Broken pipe' "$BATS_TEST_TMPDIR/server.err" || break
    done
    kill "$bg_pids"
    wait "$bg_pids" || true
    bg_pids=
    # Every message is one of the two ways a delivery can fail.
    run bash -c "tail -n +2 '$BATS_TEST_TMPDIR/server.err' |
        grep -cvE '^fifo_server: (write flap: Broken pipe|flap: nobody reads it; reply dropped)$'"
    assert_output 0
    # The server met EPIPE, and lived: SIGPIPE would have killed it.
    run grep -c 'Broken pipe' "$BATS_TEST_TMPDIR/server.err"
    [ "$output" -ge 1 ]
    echo "# $output writes met EPIPE in $batch batches of 100 requests" >&3
    stop_server TERM
    assert_dir_not_exists "$dir"
}

@test "SIGINT, SIGTERM and SIGHUP stop the server, which removes everything and dies of the signal" {
    local sig
    for sig in INT TERM HUP; do
        start_server
        run bounded 30 fifo_client "$dir"
        assert_output 0
        stop_server "$sig"
        assert_dir_not_exists "$dir"
    done
    # A SIGHUP ignored at the start (nohup) stays ignored: the server
    # serves on after it, and dies of the SIGTERM that follows, not 129.
    server_env=--ignore-signal=HUP start_server
    kill -HUP "$server_pid"
    run bounded 30 fifo_client "$dir"
    assert_output 0
    stop_server TERM
    assert_dir_not_exists "$dir"
}

@test "a server that fails after making its names removes them (exit status 1)" {
    # Room for stdin, stdout, stderr, the directory and the counter: the
    # open of the FIFO's read end fails.  Valgrind keeps 12 descriptors
    # of its own at the top of the limit.
    local limit=5
    [ "${VALGRIND:-}" != 1 ] || limit=17
    # (bats keeps descriptors of its own open: close them for the server.
    # LeakSanitizer needs a descriptor at exit: not here.)
    ASAN_OPTIONS=detect_leaks=0 run --separate-stderr bash -c '
        for fd in /proc/$$/fd/*; do
            fd=${fd##*/}
            [ "$fd" -gt 2 ] && eval "exec $fd>&-"
        done
        exec prlimit --nofile=$0 fifo_server' "$limit"
    assert_failure 1
    assert_output ""
    [[ $stderr =~ ^"fifo_server: open $TMPDIR/fifo_server."[[:alnum:]]{6}"/requests: Too many open files"$ ]]
    run find "$TMPDIR" -name 'fifo_server.*'
    assert_output ""
    # A failure before anything exists (valgrind needs TMPDIR itself).
    [ "${VALGRIND:-}" = 1 ] && return
    run --separate-stderr env TMPDIR=/nonexistent fifo_server
    assert_failure 1
    assert_equal "$stderr" "fifo_server: mkdtemp in /nonexistent: No such file or directory"
}

@test "the server refuses a directory every user may write to, or another user's, with status 2" {
    # A directory like /tmp (mode 1777), but ours.
    mkdir open
    chmod 1777 open
    run --separate-stderr fifo_server -d open
    assert_failure 2
    assert_equal "$stderr" "fifo_server: open: every user may write to it; use a private directory"
    assert_file_not_exists open/requests
    # /tmp itself, whoever owns it (root, or us in a user namespace).
    run --separate-stderr fifo_server -d /tmp
    assert_failure 2
    assert_file_not_exists /tmp/requests
    touch plain
    run --separate-stderr fifo_server -d plain
    assert_failure 2
    assert_equal "$stderr" "fifo_server: plain: not a directory"
    run --separate-stderr fifo_server -d missing
    assert_failure 1
    assert_equal "$stderr" "fifo_server: open missing: No such file or directory"
    # One its group may write to is accepted: a service shared with a group.
    mkdir -m 770 group
    start_server -d group
    run bounded 30 fifo_client group
    assert_output 0
    stop_server TERM
    rm group/seq
    rmdir group
    needs_root "to give a directory to another user"
    mkdir theirs
    chown nobody theirs
    run --separate-stderr fifo_server -d theirs
    assert_failure 2
    assert_equal "$stderr" "fifo_server: theirs: belongs to another user; use a directory of yours"
    rmdir theirs
}

@test "with -d the server removes only its own FIFO, and keeps the counter" {
    mkdir -m 700 d
    mkfifo d/other
    start_server -d "$BATS_TEST_TMPDIR/d"
    run bounded 30 fifo_client d
    assert_output 0
    stop_server TERM
    run ls -A d
    assert_output $'other\nseq'
    rm d/other d/seq
    rmdir d
}

@test "single instance: of two servers started at once exactly one runs; a stray reader is no server" {
    mkdir -m 700 d
    local i a b sa=0 sb=0
    for i in 1 2 3; do
        : > a.out; : > b.out
        fifo_server -d d > a.out 2> a.err 3>&- & a=$!
        fifo_server -d d > b.out 2> b.err 3>&- & b=$!
        bg_pids="$a $b"
        # One of them says it serves, the other that one already does.
        wait_for eval 'grep -q "already running" a.err b.err'
        wait_for eval 'grep -q "serving" a.err b.err'
        run cat a.err b.err
        assert_line --partial "fifo_server: a server is already running in $BATS_TEST_TMPDIR/d"
        run bounded 30 fifo_client d
        assert_success
        kill -TERM "$a" "$b" 2>/dev/null || true
        sa=0; sb=0
        wait "$a" || sa=$?
        wait "$b" || sb=$?
        bg_pids=
        # One was refused (1), the other stopped by SIGTERM (143).
        [[ "$sa $sb" == "1 143" || "$sa $sb" == "143 1" ]]
    done
    # A forgotten reader on a dead server's FIFO no longer passes for a
    # live server: the lock decides.
    start_server -d d
    kill -KILL "$server_pid"
    wait "$server_pid" || true
    # (<> opens it at once, FIFO-04: the reader holds the dead server's
    # FIFO before the new server replaces it, not the new one)
    cat 0<> d/requests > /dev/null 3>&- &
    bg_pids=$!
    wait_for eval "[[ \$(readlink /proc/$bg_pids/fd/0) == */d/requests ]]"
    start_server -d d
    run bounded 30 fifo_client d
    assert_success
    stop_server TERM
    kill "$bg_pids" 2>/dev/null || true
    wait "$bg_pids" || true
    bg_pids=
    rm d/seq
    rmdir d
}

@test "FIFO-10: the FIFO outlives the server killed by SIGKILL; a new server replaces it" {
    start_server
    kill -KILL "$server_pid"
    wait "$server_pid" || true
    server_pid=
    assert_fifo_exists "$dir/requests"         # the litter of a crash
    run --separate-stderr bounded 30 fifo_client "$dir"
    assert_failure 1
    assert_equal "$stderr" "fifo_client: no server is listening in $dir"
    start_server -d "$dir"
    run bounded 30 fifo_client "$dir"
    assert_output 0
    stop_server TERM
    run ls -A "$dir"
    assert_output seq
    rm "$dir/seq"
    rmdir "$dir"
    # The name stays, the data does not: bytes left unread at the last
    # close are gone (a reader would read them first, writer or not).
    mkfifo f
    bash -c 'exec 3<> f; echo lost >&3; exec 3>&-'
    run --separate-stderr bounded 10 fifo_open -n r f
    assert_success
    assert_output ""
    assert_fifo_exists f
    rm f
}

@test "another user cannot reach a server in its private directory" {
    needs_root "to run the client as nobody"
    public_dir=$(mktemp -d /tmp/fifo-test.XXXXXX)
    chmod 755 "$public_dir"
    TMPDIR=$public_dir
    start_server
    [[ $dir == "$public_dir"/fifo_server.?????? ]]
    run --separate-stderr as_nobody "$IPC_BIN/fifo_client" "$dir"
    assert_failure 1
    assert_equal "$stderr" "fifo_client: open $dir: Permission denied"
    # Even with a FIFO of its own it could not open the server's.
    run --separate-stderr as_nobody "$IPC_BIN/fifo_open" -n w "$dir/requests"
    assert_failure 1
    assert_equal "$stderr" "fifo_open: open $dir/requests: Permission denied"
    stop_server TERM
    assert_dir_not_exists "$dir"
}

@test "the server writes only into FIFOs of its directory: regular files and symbolic links (O_NOFOLLOW: ELOOP) are refused" {
    start_server
    echo precious > "$dir/victim"
    ln -s victim "$dir/link"
    # A link even to a FIFO with a reader, which the server could open.
    mkfifo "$dir/real"
    ln -s real "$dir/fifolink"
    exec 5<> "$dir/real"
    mkdir "$dir/sub"
    printf '%s\n' 'victim 1' 'link 1' 'fifolink 1' 'sub 1' > "$dir/requests"
    run bounded 30 fifo_client "$dir"
    assert_output 0
    exec 5>&-
    run server_said
    assert_output "fifo_server: victim: not a FIFO; reply dropped
fifo_server: open link: Too many levels of symbolic links
fifo_server: open fifolink: Too many levels of symbolic links
fifo_server: open sub: Is a directory"
    run cat "$dir/victim"
    assert_output precious
    rm "$dir/victim" "$dir/link" "$dir/real" "$dir/fifolink"
    rmdir "$dir/sub"
    stop_server TERM
    assert_dir_not_exists "$dir"
}

@test "the client writes through no planted link: a world-writable directory, a link (O_NOFOLLOW: ELOOP) or file at requests" {
    echo precious > victim
    # A directory every user may write to (like /tmp): refused outright.
    mkdir open
    chmod 1777 open
    ln -s "$BATS_TEST_TMPDIR/victim" open/requests
    run --separate-stderr bounded 10 fifo_client -t 1000 open
    assert_failure 2
    assert_equal "$stderr" "fifo_client: open: every user may write to it; use a private directory"
    rm open/requests
    rmdir open
    # In a directory that is not, a link or a file at requests is refused.
    mkdir -m 700 d
    ln -s "$BATS_TEST_TMPDIR/victim" d/requests
    run --separate-stderr bounded 10 fifo_client -t 1000 d
    assert_failure 1
    assert_equal "$stderr" "fifo_client: d/requests is a symbolic link; not following it"
    rm d/requests
    cp victim d/requests
    run --separate-stderr bounded 10 fifo_client -t 1000 d
    assert_failure 1
    assert_equal "$stderr" "fifo_client: d/requests is not a FIFO; not touching it"
    run cat victim d/requests
    assert_output $'precious\nprecious'
    run ls -A d
    assert_output requests
    rm d/requests
    rmdir d
}

@test "the client replaces only its own dead FIFO at reply.PID, never another user's name" {
    start_server
    echo precious > victim
    # bash execs the client, which keeps the pid the name was made for.
    # Our own FIFO, a dead client's: replaced, and the client is served.
    run bounded 30 bash -c 'mkfifo "$1/reply.$$"; exec fifo_client "$1"' _ "$dir"
    assert_success
    assert_output 0
    # Our own link to a file: not a FIFO, refused, the file untouched.
    run --separate-stderr bounded 30 bash -c '
        ln -s "$2" "$1/reply.$$"; echo $$ > pid; exec fifo_client "$1"' \
        _ "$dir" "$BATS_TEST_TMPDIR/victim"
    assert_failure 1
    assert_equal "$stderr" "fifo_client: $dir/reply.$(cat pid) exists and is not a FIFO of ours; not touching it"
    assert_link_exists "$dir/reply.$(cat pid)"
    rm "$dir/reply.$(cat pid)"
    run cat victim
    assert_output precious
    needs_root "to give a FIFO to another user"
    run --separate-stderr bounded 30 bash -c '
        mkfifo "$1/reply.$$"; chown nobody "$1/reply.$$"; echo $$ > pid
        exec fifo_client "$1"' _ "$dir"
    assert_failure 1
    assert_equal "$stderr" "fifo_client: $dir/reply.$(cat pid) exists and is not a FIFO of ours; not touching it"
    assert_fifo_exists "$dir/reply.$(cat pid)"
    rm "$dir/reply.$(cat pid)"
    stop_server TERM
}

# pipe_size FIFO [BYTES]: open FIFO read-write (which never waits), set its
# buffer to BYTES with F_SETPIPE_SZ (1031) if given, and print what
# F_GETPIPE_SZ (1032) says, as a program would with fcntl(2).  (Perl
# passes a string to fcntl as a pointer: hence the + 0.)
pipe_size() {
    perl -e 'open(my $f, "+<", $ARGV[0]) or die "$ARGV[0]: $!\n";
             if (@ARGV > 1) { fcntl($f, 1031, $ARGV[1] + 0) or die "F_SETPIPE_SZ: $!\n" }
             my $n = fcntl($f, 1032, 0) or die "F_GETPIPE_SZ: $!\n";
             print $n + 0, "\n"' "$@"
}

@test "a FIFO's F_SETPIPE_SZ holds while someone has it open, and is lost with the last close" {
    mkfifo f
    run -0 pipe_size f
    assert_output 65536
    run -0 pipe_size f 1048576
    assert_output 1048576
    run -0 pipe_size f              # the last close came in between
    assert_output 65536
    exec 4<>f                       # a holder keeps the buffer
    run -0 pipe_size f 1048576
    run -0 pipe_size f
    assert_output 1048576
    exec 4>&-
    run -0 pipe_size f
    assert_output 65536
    rm f
}

@test "every write to a FIFO updates its modification time, and its size stays 0" {
    local t0 t1 t2
    mkfifo f
    exec 4<>f
    t0=$(stat -c %y f)
    sleep 0.05      # not a wait for anything: lets the clock pass a timestamp's grain
    printf x >&4
    t1=$(stat -c %y f)
    [ "$t1" != "$t0" ]
    sleep 0.05
    printf y >&4
    t2=$(stat -c %y f)
    [ "$t2" != "$t1" ]
    run -0 stat -c %s f
    assert_output 0
    exec 4>&-
    rm f
}

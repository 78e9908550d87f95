#!/usr/bin/env bats
# Tests of chapter 10, POSIX shared memory: the API through pshm_ctl, and
# the ring between unrelated processes (shm_ring, ring_bench): exact
# copies in both modes, either side first, dead peers, hostile names,
# nothing left behind.

load helpers/common

setup() {
    # bats' timeout watchdog starts its `sleep` in its own time; wait for
    # it, or the audit may take it for a process this test left.
    [ -z "${BATS_killer_pid:-}" ] ||
        wait_for pgrep -x -P "$BATS_killer_pid" sleep
    ipc_audit_begin
    cd "$BATS_TEST_TMPDIR"
    # A name of this test's own, in case the world is only scoped.
    N=/pshm-test.$$.$BATS_TEST_NUMBER
    F=/dev/shm$N
    bg_pids=
}

teardown() {
    local p
    for p in $bg_pids; do
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -f "$F"
    ipc_audit_end
}

# gone PATH: PATH no longer exists.
gone() {
    [ ! -e "$1" ] && [ ! -L "$1" ]
}

# mode_is MODE: the test's object exists with permissions MODE (octal).
mode_is() {
    [ "$(stat -c %a "$F" 2>/dev/null)" = "$1" ]
}

# ring_ready: the ring at $F is set up: its first word is RING_MAGIC,
# "RING" stored little-endian.
ring_ready() {
    [ "$(head -c 4 "$F" 2>/dev/null)" = GNIR ]
}

# start_recv ARGS...: shm_ring ARGS... recv $N in the background, its
# output in recv.out and its errors in recv.err; its pid in $rpid.
start_recv() {
    : > recv.out
    : > recv.err
    shm_ring "$@" recv "$N" > recv.out 2> recv.err 3>&- &
    rpid=$!
    bg_pids="$bg_pids $rpid"
}

# start_send ARGS...: shm_ring ARGS... send $N in the background, stdin
# from in, its errors in send.err; its pid in $spid.
start_send() {
    : > send.err
    shm_ring "$@" send "$N" < in 2> send.err 3>&- &
    spid=$!
    bg_pids="$bg_pids $spid"
}

# exited PID: process PID has ended (gone, or a zombie not yet reaped).
exited() {
    ! kill -0 "$1" 2>/dev/null ||
        grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# reap PID: wait, with wait_for's bound, for background job PID to end,
# then reap it; its exit status in $status.
reap() {
    wait_for exited "$1"
    status=0
    wait "$1" || status=$?
}

# --- usage and arguments -------------------------------------------------

@test "every program prints its usage with -h (status 0) and refuses an unknown option (status 2)" {
    assert_usage_conventions pshm_ctl shm_ring ring_bench
}

@test "bad arguments give a one-line error and status 2" {
    run --separate-stderr pshm_ctl -m 800 create "$N"
    assert_failure 2
    assert_equal "$stderr" "pshm_ctl: mode: '800' is not an octal mode from 0 to 777"
    run --separate-stderr pshm_ctl truncate "$N"
    assert_failure 2
    run --separate-stderr shm_ring send
    assert_failure 2
    run --separate-stderr shm_ring fly "$N"
    assert_failure 2
    assert_equal "$stderr" "shm_ring: 'fly' is not send or recv"
    run --separate-stderr shm_ring -b 5000 send "$N"
    assert_failure 2
    assert_equal "$stderr" "shm_ring: ring size: 5000 is not a power of two"
    run --separate-stderr shm_ring send noslash
    assert_failure 2
    assert_equal "$stderr" "shm_ring: name: 'noslash' is not a slash and 1 to 255 characters but a slash"
    run --separate-stderr shm_ring send /a/b
    assert_failure 2
    run --separate-stderr shm_ring send "/$(printf '%0256d' 0)"
    assert_failure 2
    run --separate-stderr ring_bench -p 0 rate
    assert_failure 2
    assert_equal "$stderr" "ring_bench: cpus: '0' is not two CPU numbers, cpu1,cpu2"
    run --separate-stderr ring_bench fly
    assert_failure 2
    assert_equal "$stderr" "ring_bench: fly: not rate or pingpong"
    run --separate-stderr ring_bench -l rate
    assert_failure 2
    assert_equal "$stderr" "ring_bench: -l is for pingpong only"
    gone "$F"
}

# --- the API -------------------------------------------------------------

@test "PSHM-01: an object is the file /dev/shm/NAME, and ls shows it until shm_unlink" {
    run -0 pshm_ctl create "$N"
    run -0 ls /dev/shm
    assert_line "${N#/}"
    assert_file_exists "$F"
    run -0 pshm_ctl unlink "$N"
    run -0 ls -a /dev/shm
    refute_line "${N#/}"
}

@test "PSHM-02: a new object has size 0; touching a mapping of it is SIGBUS, reported (EFAULT if write touches it); after ftruncate it reads as zeros" {
    run -0 pshm_ctl create "$N"
    run -0 pshm_ctl stat "$N"
    assert_line "size: 0"
    run -0 stat -c %s "$F"
    assert_output 0
    # map_whole refuses an empty object
    run --separate-stderr pshm_ctl read "$N"
    assert_failure 1
    assert_equal "$stderr" "pshm_ctl: $N: the file is empty"
    # mapped anyway: the first load faults, and map_guard reports it
    run --separate-stderr pshm_ctl -n 4096 read "$N"
    assert_failure 1
    assert_equal "$output" ""
    assert_equal "$stderr" "pshm_ctl: $N: SIGBUS at offset 0 of 4096: truncated, or its file system is full"
    # handed straight to write, the same fault happens in the kernel: no
    # signal, but EFAULT, into a pipe or into a file alike
    run --separate-stderr pshm_ctl -d -n 4096 read "$N"
    assert_failure 1
    assert_equal "$stderr" "pshm_ctl: $N: write from the mapping: Bad address"
    run bash -c "pshm_ctl -d -n 4096 read $N > '$BATS_TEST_TMPDIR/copy'"
    assert_failure 1
    assert_output "pshm_ctl: $N: write from the mapping: Bad address"
    run -0 stat -c %s "$BATS_TEST_TMPDIR/copy"
    assert_output 0
    run -0 pshm_ctl -s 4096 truncate "$N"
    run -0 bash -c "pshm_ctl -n 4096 read $N | od -An -tx1 -v | sort -u"
    assert_output " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    run -0 bash -c "pshm_ctl read $N | wc -c"
    assert_output 4096
    pshm_ctl unlink "$N"
}

@test "PSHM-02: the fault comes at the first page wholly beyond the end, however far the mapping goes" {
    run -0 pshm_ctl -s 10 create "$N"
    run --separate-stderr bash -c "pshm_ctl -n 8192 read $N | wc -c"
    assert_equal "$stderr" "pshm_ctl: $N: SIGBUS at offset 4096 of 8192: truncated, or its file system is full"
    assert_equal "$output" 4096
    pshm_ctl unlink "$N"
}

@test "PSHM-03: O_CREAT|O_EXCL on an existing name is EEXIST; of 8 creators at once exactly one wins" {
    run -0 pshm_ctl create "$N"
    run --separate-stderr pshm_ctl create "$N"
    assert_failure 1
    assert_equal "$stderr" "pshm_ctl: shm_open $N: File exists"
    pshm_ctl unlink "$N"
    run bash -c "for i in 1 2 3 4 5 6 7 8; do pshm_ctl create $N 2>&1 & done; wait"
    assert_equal "$(grep -c 'File exists' <<< "$output")" 7
    assert_equal "${#lines[@]}" 7
    pshm_ctl unlink "$N"
}

@test "PSHM-04: the descriptor shm_open returns is close-on-exec (the chapter's stat example)" {
    run -0 bash -c "umask 022; pshm_ctl -m 666 -s 4096 create $N"
    run -0 pshm_ctl stat "$N"
    assert_output "size: 4096
mode: 644
owner: $(id -u)
group: $(id -g)
close-on-exec: yes"
    pshm_ctl unlink "$N"
}

@test "PSHM-05: an object opened O_RDONLY cannot be mapped PROT_WRITE, MAP_SHARED: EACCES" {
    run -0 pshm_ctl -s 100 create "$N"
    run --separate-stderr pshm_ctl -r write "$N" hello
    assert_failure 1
    assert_equal "$stderr" "pshm_ctl: $N: mmap: Permission denied"
    run -0 pshm_ctl write "$N" hello
    run -0 bash -c "pshm_ctl read $N | head -c 5"
    assert_output hello
    pshm_ctl unlink "$N"
}

@test "PSHM-06: the umask clears bits of a new object's mode" {
    run -0 bash -c "umask 022; pshm_ctl -m 666 create $N"
    run -0 stat -c %a "$F"
    assert_output 644
    run -0 pshm_ctl stat "$N"
    assert_line "mode: 644"
    pshm_ctl unlink "$N"
    run -0 bash -c "umask 077; pshm_ctl -m 666 create $N"
    run -0 stat -c %a "$F"
    assert_output 600
    pshm_ctl unlink "$N"
}

@test "PSHM-08: an object outlives the process that made it, with its data, until shm_unlink" {
    run -0 pshm_ctl -s 4096 create "$N"
    run -0 pshm_ctl write "$N" persistent
    assert_file_exists "$F"
    run -0 bash -c "pshm_ctl read $N | head -c 10"
    assert_output persistent
    run -0 pshm_ctl unlink "$N"
    gone "$F"
    run --separate-stderr pshm_ctl stat "$N"
    assert_failure 1
    assert_equal "$stderr" "pshm_ctl: shm_open $N: No such file or directory"
}

@test "PSHM-09: fstat reports size, mode and owner, as ls -l /dev/shm does" {
    run -0 bash -c "umask 022; pshm_ctl -m 640 -s 12345 create $N"
    run -0 pshm_ctl stat "$N"
    assert_line --index 0 "size: 12345"
    assert_line --index 1 "mode: 640"
    assert_line --index 2 "owner: $(id -u)"
    assert_line --index 3 "group: $(id -g)"
    run -0 stat -c '%s %a %u %g' "$F"
    assert_output "12345 640 $(id -u) $(id -g)"
    pshm_ctl unlink "$N"
}

@test "PSHM-10: the descriptor can be closed after mmap: write closes it, then stores" {
    run -0 pshm_ctl -s 64 create "$N"
    # strace the program itself, not a valgrind wrapper
    # (LeakSanitizer cannot run under ptrace: off, in a SANITIZE=1 build)
    ASAN_OPTIONS=detect_leaks=0 run -0 strace -e trace=close,mmap,munmap -o trace \
        "$IPC_BIN/pshm_ctl" write "$N" after-close
    run -0 grep -A2 -E 'MAP_SHARED, [0-9]+, 0\)' trace
    fd=$(sed -n 's/.*MAP_SHARED, \([0-9]*\), 0).*/\1/p' <<< "${lines[0]}")
    assert_line --index 1 --regexp "^close\\($fd\\) += 0$"
    assert_line --index 2 --regexp '^munmap\('
    # the store, made after the close, landed
    run -0 bash -c "pshm_ctl read $N | head -c 11"
    assert_output after-close
    pshm_ctl unlink "$N"
}

@test "glibc's shm_open is an open of /dev/shm/NAME with O_NOFOLLOW and O_CLOEXEC; shm_unlink an unlink" {
    ASAN_OPTIONS=detect_leaks=0 run -0 strace -e trace=openat,unlink -o trace "$IPC_BIN/pshm_ctl" create "$N"
    run -0 grep "/dev/shm" trace
    assert_output --regexp "^openat\(AT_FDCWD, \"$F\", O_RDWR\|O_CREAT\|O_EXCL\|O_NOFOLLOW\|O_CLOEXEC, 0600\) = [0-9]+$"
    ASAN_OPTIONS=detect_leaks=0 run -0 strace -e trace=openat,unlink -o trace "$IPC_BIN/pshm_ctl" unlink "$N"
    run -0 grep "/dev/shm" trace
    assert_output --regexp "^unlink\(\"$F\"\) += 0$"
}

@test "names: EINVAL for a slash inside or a slash alone, ENAMETOOLONG over 255, ENOENT without O_CREAT; glibc takes a name without its slash" {
    run --separate-stderr pshm_ctl create /a/b
    assert_failure 1
    assert_equal "$stderr" "pshm_ctl: shm_open /a/b: Invalid argument"
    run --separate-stderr pshm_ctl create /
    assert_failure 1
    assert_equal "$stderr" "pshm_ctl: shm_open /: Invalid argument"
    run --separate-stderr pshm_ctl create "/$(printf '%0256d' 0)"
    assert_failure 1
    assert_equal "${stderr##*: }" "File name too long"
    run -0 pshm_ctl create "/$(printf '%0255d' 0)"
    run -0 pshm_ctl unlink "/$(printf '%0255d' 0)"
    run --separate-stderr pshm_ctl stat "$N"
    assert_failure 1
    assert_equal "$stderr" "pshm_ctl: shm_open $N: No such file or directory"
    run -0 pshm_ctl create "${N#/}"
    assert_file_exists "$F"
    run -0 pshm_ctl unlink "$N"
    gone "$F"
    run -0 pshm_ctl create "//$N"
    assert_file_exists "$F"
    run -0 pshm_ctl unlink "${N#/}"
    gone "$F"
}

@test "permissions as nobody: 600 is EACCES at shm_open; 644 lets nobody read but not open O_RDWR" {
    needs_root "to open objects as nobody"
    run -0 bash -c "umask 022; pshm_ctl -m 600 -s 64 create $N"
    run --separate-stderr as_nobody "$IPC_BIN/pshm_ctl" stat "$N"
    assert_failure 1
    assert_equal "$stderr" "pshm_ctl: shm_open $N: Permission denied"
    pshm_ctl write "$N" secret
    chmod 644 "$F"
    run -0 as_nobody "$IPC_BIN/pshm_ctl" read "$N"
    assert_output --partial secret
    run --separate-stderr as_nobody "$IPC_BIN/pshm_ctl" write "$N" mine
    assert_failure 1
    assert_equal "$stderr" "pshm_ctl: shm_open $N: Permission denied"
    pshm_ctl unlink "$N"
}

# --- the ring ------------------------------------------------------------

@test "shm_ring copies a file exactly through shell pipelines, receiver first, sleeping" {
    head -c 3000000 /dev/urandom > in
    start_recv
    wait_for test -e "$F"
    run -0 bounded 20 bash -c "cat in | shm_ring send $N"
    reap "$rpid"
    assert_equal "$status" 0
    cmp in recv.out
    assert_equal "$(cat recv.err)" ""
    gone "$F"
}

@test "shm_ring copies a file exactly through shell pipelines, sender first, spinning" {
    head -c 3000000 /dev/urandom > in
    start_send -s
    wait_for test -e "$F"
    run -0 bounded 20 bash -c "shm_ring -s recv $N | sha256sum"
    assert_output "$(sha256sum < in)"
    reap "$spid"
    assert_equal "$status" 0
    gone "$F"
}

@test "shm_ring: a sleeping side and a spinning side work together, and a ring of 4 KiB wraps many times" {
    head -c 1000000 /dev/urandom > in
    start_recv -s
    wait_for test -e "$F"
    run -0 bounded 20 bash -c "shm_ring -b 4k send $N < in"
    reap "$rpid"
    assert_equal "$status" 0
    cmp in recv.out
}

@test "shm_ring carries 1 GiB, every byte checked, in both modes" {
    local mode size=1024M bytes=1073741824
    # valgrind runs some 50 times slower: 16 MiB there
    [ "${VALGRIND:-}" != 1 ] || size=16M bytes=16777216
    for mode in "" -s; do
        start_recv -C $mode
        run -0 bounded 40 shm_ring -C -n $size $mode send "$N"
        reap "$rpid"
        assert_equal "$status" 0
        assert_equal "$(cat recv.out)" "shm_ring: $bytes bytes, every byte checked"
    done
    gone "$F"
}

@test "shm_ring: an empty input gives an empty output, and a line typed arrives at once" {
    : > in
    start_recv
    run -0 bounded 20 shm_ring send "$N" < in
    reap "$rpid"
    assert_equal "$status" 0
    assert_equal "$(stat -c %s recv.out)" 0
    # the sender's input stays open after one line: it must arrive anyway
    start_recv
    { echo hello; wait_for grep -q hello recv.out; } | bounded 20 shm_ring send "$N"
    reap "$rpid"
    assert_equal "$status" 0
    assert_equal "$(cat recv.out)" hello
}

@test "shm_ring: the name is 0600 under any umask while it waits, and removed once both sides are there" {
    # a umask that takes the owner's write bit: fchmod gives it back
    (umask 277; exec shm_ring -t 30 recv "$N" > recv.out 2> recv.err 3>&-) &
    rpid=$!
    bg_pids=$rpid
    # created 400, then made 600 (if never, wait_for fails)
    wait_for mode_is 600
    kill -TERM "$rpid"
    reap "$rpid"
    gone "$F"
    (umask 000; exec shm_ring -t 30 recv "$N" > recv.out 2> recv.err 3>&-) &
    rpid=$!
    bg_pids=$rpid
    wait_for test -e "$F"
    run -0 stat -c %a "$F"
    assert_output 600
    # the sender's input waits until the name is gone: if it never goes,
    # the test fails
    { echo one; wait_for gone "$F"; echo two; } | bounded 20 shm_ring send "$N"
    reap "$rpid"
    assert_equal "$status" 0
    assert_equal "$(cat recv.out)" "one
two"
}

@test "shm_ring: a sender killed with SIGKILL mid-transfer is detected by the receiver, in both modes; nothing left" {
    local mode
    for mode in "" -s; do
        start_recv -C $mode
        wait_for test -e "$F"           # the receiver made the ring
        shm_ring -C -n 1000000M $mode send "$N" 2> send.err 3>&- &
        spid=$!
        bg_pids="$bg_pids $spid"
        wait_for gone "$F"              # both there: the data flows
        kill -KILL "$spid"
        reap "$rpid"
        assert_equal "$status" 1
        run cat recv.err
        assert_output --regexp "^shm_ring: $N: the sender is gone \(killed\?\) after [0-9]+ bytes$"
    done
}

@test "shm_ring: a receiver killed with SIGKILL mid-transfer is detected by the sender, in both modes" {
    local mode
    for mode in "" -s; do
        start_recv -C $mode
        wait_for test -e "$F"           # the receiver made the ring
        shm_ring -C -n 1000000M $mode send "$N" 2> send.err 3>&- &
        spid=$!
        bg_pids="$bg_pids $spid"
        wait_for gone "$F"
        kill -KILL "$rpid"
        reap "$spid"
        assert_equal "$status" 1
        run cat send.err
        assert_output --regexp "^shm_ring: $N: the receiver is gone \(killed\?\) after [0-9]+ bytes$"
    done
}

@test "shm_ring: a receiver whose output closes reports EPIPE, and its sender learns it is gone" {
    head -c 10000000 /dev/zero > in
    start_send
    run --separate-stderr bounded 20 bash -c "shm_ring recv $N | head -c 10 | wc -c"
    assert_output 10
    assert_equal "$stderr" "shm_ring: write standard output: Broken pipe"
    reap "$spid"
    assert_equal "$status" 1
    run cat send.err
    assert_output --regexp "^shm_ring: $N: the receiver is gone \(killed\?\) after [0-9]+ bytes$"
}

@test "shm_ring: no peer within -t: a clear error, status 1, the name removed" {
    run --separate-stderr bounded 10 shm_ring -t 1 recv "$N"
    assert_failure 1
    assert_equal "$stderr" "shm_ring: $N: no sender came within 1 s"
    gone "$F"
}

@test "shm_ring: SIGINT, SIGTERM and SIGHUP while waiting remove the name, and the process dies of the signal" {
    local sig status
    for sig in INT TERM HUP; do
        env --default-signal=INT shm_ring -t 30 recv "$N" 3>&- &
        rpid=$!
        bg_pids=$rpid
        wait_for ring_ready
        kill -"$sig" "$rpid"
        status=0
        wait "$rpid" || status=$?
        assert_equal "$status" $((128 + $(kill -l "$sig")))
        gone "$F"
    done
}

@test "shm_ring: once the two have met, a third process of the same name makes a ring of its own" {
    printf 'data\n' > in
    start_recv
    wait_for test -e "$F"
    # a sender that stays: its input is open until the test says so
    mkfifo hold
    shm_ring send "$N" < hold 2> send.err 3>&- &
    spid=$!
    bg_pids="$bg_pids $spid"
    exec 4> hold
    wait_for gone "$F"
    # the name is gone, so a second sender makes a ring of its own...
    run --separate-stderr bounded 10 shm_ring -t 1 send "$N" < in
    assert_failure 1
    assert_equal "$stderr" "shm_ring: $N: no receiver came within 1 s"
    echo through >&4
    exec 4>&-
    rm hold
    reap "$rpid"
    assert_equal "$status" 0
    assert_equal "$(cat recv.out)" through
}

@test "shm_ring: two senders on one waiting ring: the second is refused" {
    : > in
    start_send -t 30
    wait_for test -e "$F"
    run --separate-stderr bounded 10 shm_ring -t 1 send "$N" < in
    assert_failure 1
    assert_equal "$stderr" "shm_ring: $N: already has a sender"
    assert_file_exists "$F"
    kill -TERM "$spid"
    wait "$spid" || true
    gone "$F"
}

@test "shm_ring refuses a name squatted by another user, with mode 666" {
    needs_root "to create the object as nobody"
    run -0 as_nobody "$IPC_BIN/pshm_ctl" -m 666 -s 4096 create "$N"
    run --separate-stderr bounded 10 shm_ring -t 1 send "$N" < /dev/null
    assert_failure 1
    assert_equal "$stderr" "shm_ring: $N: belongs to uid $(id -u nobody), not to us: refusing it"
    assert_file_exists "$F"             # not ours: left alone
    run -0 as_nobody "$IPC_BIN/pshm_ctl" unlink "$N"
}

@test "shm_ring refuses an object of ours that others may open, and a planted symbolic link (shm_open fails ELOOP: O_NOFOLLOW)" {
    run -0 bash -c "umask 022; pshm_ctl -m 644 -s 4096 create $N"
    run --separate-stderr bounded 10 shm_ring -t 1 recv "$N"
    assert_failure 1
    assert_equal "$stderr" "shm_ring: $N: mode 644, not 600: refusing it"
    pshm_ctl unlink "$N"
    echo precious > victim
    ln -s "$BATS_TEST_TMPDIR/victim" "$F"
    run --separate-stderr bounded 10 shm_ring -t 1 recv "$N"
    assert_failure 1
    assert_equal "$stderr" "shm_ring: $N: /dev/shm$N is a symbolic link: refusing it"
    assert_equal "$(cat victim)" precious
    rm "$F"
}

@test "shm_ring: a creator killed with SIGKILL before its peer came leaves a stale name, reported with the command that removes it" {
    start_recv -t 30
    wait_for ring_ready
    kill -KILL "$rpid"
    wait "$rpid" || true
    assert_file_exists "$F"
    run --separate-stderr bounded 10 shm_ring -t 1 send "$N" < /dev/null
    assert_failure 1
    assert_equal "$stderr" "shm_ring: $N: left by a receiver that was killed; remove it: rm /dev/shm$N"
    rm "/dev/shm$N"
}

@test "shm_ring: an object truncated under a waiting creator gives SIGBUS, reported as an error; the name removed" {
    start_recv -t 30
    wait_for ring_ready
    truncate -s 0 "$F"
    reap "$rpid"
    assert_equal "$status" 1
    run cat recv.err
    assert_output --regexp "^shm_ring: $N: SIGBUS at offset [0-9]+ of 1048768: truncated, or its file system is full$"
    gone "$F"
}

@test "ring_bench: both modes carry every byte right, one way and both ways" {
    local mode
    for mode in "" -s; do
        run -0 bounded 20 ring_bench -C $mode -m 1000 -n 3000 rate
        assert_output "rate: 3001 messages of 1000 bytes, every byte checked"
        run -0 bounded 20 ring_bench -C $mode -m 64 -n 3000 pingpong
        assert_output "pingpong: 3001 messages of 64 bytes, every byte checked"
    done
}

@test "ring_bench -l: every byte arrives, whatever the size's share of a line's 60 bytes" {
    local mode size
    for mode in "" -s; do
        for size in 1 60 61 64 121; do
            run -0 bounded 20 ring_bench -C -l $mode -m $size -n 500 pingpong
            assert_output "pingpong: 501 messages of $size bytes, every byte checked"
        done
    done
}

@test "ring_bench -l: every byte arrives lap after lap, past lines that still hold the last lap's numbers" {
    local mode
    for mode in "" -s; do
        # 1000 bytes take 17 lines, 1088 bytes of the 1 MiB ring: 2500
        # messages go round it 2.6 times
        run -0 bounded 25 ring_bench -C -l $mode -m 1000 -n 2500 pingpong
        assert_output "pingpong: 2501 messages of 1000 bytes, every byte checked"
    done
}

# child_holds_both_locks PID: PID's child holds two fcntl locks, as
# /proc/locks shows them (its role's byte of each ring)
child_holds_both_locks() {
    local child
    child=$(pgrep -P "$1") || return 1
    [ "$(awk -v p="$child" '$5 == p' /proc/locks | wc -l)" -ge 2 ]
}

@test "ring_bench -l: a child killed with SIGKILL mid-run is reported by the parent, spinning or sleeping" {
    local mode pid
    for mode in "" -s; do
        ring_bench -l $mode -n 1000000000 pingpong 2> bench.err &
        pid=$!
        bg_pids="$bg_pids $pid"
        # the run is under way once the child (the other side) holds its
        # lock on both rings: before that the parent rightly says the
        # other side never came (seen under valgrind)
        wait_for child_holds_both_locks "$pid"
        pkill -KILL -P "$pid"
        reap "$pid"
        assert_equal "$status" 1
        run cat bench.err
        assert_output --regexp "^ring_bench: the ring (there: the receiver|back: the sender) is gone \(killed\?\) after [0-9]+ bytes$"
    done
}

@test "pshm/bench.sh (QUICK=1) writes whole tables and a plot, the ring beside a pipe, with the machine, the method and the limits" {
    local two=1 md=$BATS_TEST_TMPDIR/10-posix-shared-memory-rate.md
    [ "$(taskset -pc $$ | sed 's/.*: //')" != "$(taskset -pc $$ | sed 's/.*: //; s/[,-].*//')" ] || two=
    QUICK=1 OUT=$BATS_TEST_TMPDIR run -0 bounded 40 "$IPC_ROOT/book/build/src/pshm/bench.sh"
    run -0 cat "$md"
    if [ -n "$two" ]; then
        assert_line --index 0 "| message size | one CPU, spinning | one CPU, sleeping | one CPU, pipe | two CPUs, spinning | two CPUs, sleeping | two CPUs, pipe |"
        assert_line --regexp '^\| 64 B( \| [0-9.]+ ±[0-9.]+ %){6} \|$'
        assert_line --regexp '^\| 64 KiB( \| [0-9.]+ ±[0-9.]+ %){6} \|$'
    else
        assert_line --index 0 "| message size | one CPU, spinning | one CPU, sleeping | one CPU, pipe |"
    fi
    assert_line 'Throughput in MiB/s of `ring_bench rate`, and of `pipe_bench send | pipe_bench recv` through a 1 MiB pipe, one run.'
    assert_line --regexp "^Measured on .*, Linux $(uname -r), "
    assert_line --regexp '^\| memcpy, 4 KiB blocks \(in cache\) \| [0-9.]+ MiB/s ±[0-9.]+ % \|$'
    run -0 cat "$BATS_TEST_TMPDIR/10-posix-shared-memory-rtt.md"
    assert_line --regexp '^\| 64 B( \| [0-9.]+ ±[0-9.]+ %)+ \|$'
    assert_line 'Round trip in ns of `ring_bench pingpong` (lines: `-s -l`), and of `pipe_bench ping` and `echo` through two FIFOs, one run.'
    grep -q 'one CPU, pipe' "$BATS_TEST_TMPDIR/10-posix-shared-memory-rtt.md"
    grep -q 'one CPU, spinning' "$BATS_TEST_TMPDIR/10-posix-shared-memory-rate.svg"
}

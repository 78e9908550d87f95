#!/usr/bin/env bats
# Tests of chapter 6, POSIX message queues: the API through pmq_ctl, the
# limits through pmq_limits, and the job queue (pmq_produce, pmq_consume,
# pmq_notify): its safety, its faults, and a load of 4 x 4 x 10000 jobs.

load helpers/common

# Under valgrind every program starts in seconds on a loaded 2-CPU machine,
# and a test that starts a dozen took 60 to 70 s (load 15 to 20): a
# deadlock is still a failure, three minutes later.
[ "${VALGRIND:-}" != 1 ] || BATS_TEST_TIMEOUT=180

setup() {
    ipc_audit_begin
    cd "$BATS_TEST_TMPDIR"
    # A name of this test's own, in case the world is only scoped.
    Q=/pmq-test.$$.$BATS_TEST_NUMBER
    bg_pids=
}

teardown() {
    local p
    # After a failure: stop what is left, letting it clean up (SIGTERM).
    for p in $bg_pids; do
        kill -TERM "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    ipc_audit_end
}

# as_uid UID CMD...: run CMD as a user nobody else on the machine is, so
# that the bytes charged to it against RLIMIT_MSGQUEUE are only ours.
as_uid() {
    local uid=$1
    shift
    setpriv --reuid="$uid" --regid="$uid" --clear-groups -- "$@"
}

# has_sys_resource: this shell has the capability CAP_SYS_RESOURCE (24).
has_sys_resource() {
    local caps
    caps=$(awk '$1 == "CapEff:" { print $2 }' /proc/self/status)
    (( (16#$caps >> 24) & 1 ))
}

# mqueue_fs: the mqueue file system is mounted at /dev/mqueue.
mqueue_fs() {
    [ "$(stat -f -c %T /dev/mqueue 2>/dev/null)" = mqueue ]
}

# exists NAME: the queue NAME exists (asked of the kernel, not of a mount).
exists() {
    "$IPC_BIN/pmq_ctl" "$1" 2>/dev/null
}

# blocked PID: PID waits inside a message queue call.
blocked() {
    [ "$(cat "/proc/$1/wchan" 2>/dev/null)" = wq_sleep ]
}

# waiting PID: PID waits in poll (the job queue's consumers do).
waiting() {
    [[ $(cat "/proc/$1/wchan" 2>/dev/null) == *poll* ]]
}

# registered PID: PID is registered for notification on $Q (the status
# line of the mqueue file system says so).
registered() {
    grep -q "NOTIFY_PID:$1 " "/dev/mqueue${Q}"
}

# --- usage and arguments -------------------------------------------------

@test "every program prints its usage with -h (status 0) and refuses an unknown option (status 2): the lab" {
    assert_usage_conventions pmq_ctl pmq_limits pmq_bench
}

@test "every program prints its usage with -h (status 0) and refuses an unknown option (status 2): the job queue" {
    assert_usage_conventions pmq_produce pmq_consume pmq_notify
}

@test "bad arguments give a one-line error and status 2" {
    run --separate-stderr pmq_produce -p 32768 /q x
    assert_failure 2
    assert_equal "$stderr" "pmq_produce: priority: '32768' is not a number from 0 to 32767"
    run --separate-stderr pmq_consume -n 0 /q
    assert_failure 2
    assert_equal "$stderr" "pmq_consume: count: '0' is not a number from 1 to 1000000000"
    run --separate-stderr pmq_consume -a -m 5 /q
    assert_failure 2
    assert_equal "$stderr" "pmq_consume: -m and -s size a queue we create, not one we adopt (-a)"
    run --separate-stderr pmq_ctl -c "$Q" dance
    assert_failure 2
    assert_equal "$stderr" "pmq_ctl: dance: no such operation (pmq_ctl -h lists them)"
    run -2 pmq_produce
    run -2 pmq_consume
    run -2 pmq_consume /a /b
    run -2 pmq_notify
    run -2 pmq_limits extra
    run -2 pmq_ctl -B /q
    run -2 pmq_ctl -R /q
    run exists "$Q"
    assert_failure
}

# --- names -----------------------------------------------------------------

@test "PMQ-01: a name without a slash is EINVAL, with a second slash EACCES, the slash alone ENOENT, over 255 ENAMETOOLONG" {
    run --separate-stderr pmq_ctl -c jobs
    assert_failure 1
    assert_equal "$stderr" "pmq_ctl: mq_open: EINVAL (Invalid argument)"
    run --separate-stderr pmq_ctl jobs attr
    assert_equal "$stderr" "pmq_ctl: mq_open: EINVAL (Invalid argument)"
    run --separate-stderr pmq_ctl -c /a/b
    assert_equal "$stderr" "pmq_ctl: mq_open: EACCES (Permission denied)"
    run --separate-stderr pmq_ctl -c /
    assert_equal "$stderr" "pmq_ctl: mq_open: ENOENT (No such file or directory)"
    long=$(printf 'n%.0s' {1..255})
    run --separate-stderr pmq_ctl -c "/$long" attr
    assert_success
    assert_output "maxmsg=10 msgsize=8192 curmsgs=0 flags=0"
    run --separate-stderr pmq_ctl -c "/${long}n"
    assert_failure 1
    assert_equal "$stderr" "pmq_ctl: mq_open: ENAMETOOLONG (File name too long)"
}

@test "PMQ-02: O_CREAT|O_EXCL on an existing queue is EEXIST; opening a missing one without O_CREAT is ENOENT" {
    run pmq_ctl -c -x -k "$Q"
    assert_success
    run --separate-stderr pmq_ctl -c -x "$Q"
    assert_failure 1
    assert_equal "$stderr" "pmq_ctl: mq_open: EEXIST (File exists)"
    run pmq_ctl "$Q" unlink
    assert_success
    run --separate-stderr pmq_ctl "$Q" attr
    assert_failure 1
    assert_equal "$stderr" "pmq_ctl: mq_open: ENOENT (No such file or directory)"
}

@test "another user's mq_open of a 0600 queue fails EACCES; the umask masks the mode of mq_open" {
    needs_root "to open the queue as nobody"
    run bash -c "umask 022; pmq_ctl -c -k -M 666 $Q"
    assert_success
    if mqueue_fs; then
        run stat -c '%a %U' "/dev/mqueue${Q}"
        assert_output "644 root"
        bash -c "umask 277; pmq_ctl -c -k -M 600 $Q.ro"
        run stat -c '%a' "/dev/mqueue${Q}.ro"
        assert_output "400"
        pmq_ctl "$Q.ro" unlink
    fi
    run --separate-stderr as_nobody "$IPC_BIN/pmq_ctl" "$Q" attr
    assert_failure 1
    assert_equal "$stderr" "pmq_ctl: mq_open: EACCES (Permission denied)"
    run --separate-stderr as_nobody "$IPC_BIN/pmq_produce" "$Q" job
    assert_failure 1
    assert_equal "$stderr" "pmq_produce: mq_open $Q: Permission denied"
    pmq_ctl "$Q" unlink
}

# --- the mqueue file system and persistence --------------------------------

@test "PMQ-15: cat /dev/mqueue/NAME shows QSIZE, NOTIFY, SIGNO and NOTIFY_PID; ls shows the mode; rm unlinks" {
    mqueue_fs || skip "the mqueue file system is not mounted at /dev/mqueue"
    pmq_ctl -c -k "$Q" send:0:hello send:3:world
    run cat "/dev/mqueue${Q}"
    assert_output --regexp '^QSIZE:10 +NOTIFY:0 +SIGNO:0 +NOTIFY_PID:0 *$'
    run stat -c '%A %U' "/dev/mqueue${Q}"
    assert_output "-rw------- root"
    # A process registered for notification shows up in the status line.
    pmq_ctl "$Q" recv recv > /dev/null
    start n pmq_ctl "$Q" notify wait:20000
    wait_for grep -q "NOTIFY_PID:$pid " "/dev/mqueue${Q}"
    run cat "/dev/mqueue${Q}"
    assert_output --regexp "^QSIZE:0 +NOTIFY:0 +SIGNO:10 +NOTIFY_PID:$pid *\$"
    pmq_ctl "$Q" send:0:go
    reap "$pid"
    assert_equal "$rc" 0
    rm "/dev/mqueue${Q}"
    run exists "$Q"
    assert_failure
}

@test "PMQ-11: a queue and its messages outlive their processes; after mq_unlink the name is gone at once, the open queue lives on" {
    pmq_ctl -c -k "$Q" send:0:kept
    run pmq_ctl "$Q" recv
    assert_output $'0\tkept'
    # Unlinked, then used through the descriptor still open.
    run --separate-stderr pmq_ctl "$Q" send:1:after unlink attr recv
    assert_success
    assert_output $'maxmsg=10 msgsize=8192 curmsgs=1 flags=0\n1\tafter'
    run --separate-stderr pmq_ctl "$Q" attr
    assert_failure 1
    assert_equal "$stderr" "pmq_ctl: mq_open: ENOENT (No such file or directory)"
    # While one process holds it open, a new queue can take the name.
    pmq_ctl -c -k "$Q" send:0:old
    start h pmq_ctl "$Q" unlink notify wait:20000 recv
    wait_for bash -c "! '$IPC_BIN/pmq_ctl' '$Q' 2>/dev/null"
    pmq_ctl -c -x -k "$Q" send:0:new
    kill -USR1 "$pid"
    reap "$pid"
    assert_equal "$rc" 0
    run cat h.out
    assert_output $'SIGUSR1 si_code=SI_USER si_pid='"$BASHPID"$' si_uid=0\n0\told'
    run pmq_ctl "$Q" recv unlink
    assert_output $'0\tnew'
}

# --- attributes and limits -------------------------------------------------

@test "PMQ-03: with attr NULL a queue gets msg_default messages of msgsize_default bytes (10 and 8192)" {
    run cat /proc/sys/fs/mqueue/msg_default /proc/sys/fs/mqueue/msgsize_default
    assert_output $'10\n8192'
    run pmq_ctl -c "$Q" attr
    assert_output "maxmsg=10 msgsize=8192 curmsgs=0 flags=0"
    # The defaults are knobs of the IPC namespace.
    run unshare --ipc sh -c "echo 4 > /proc/sys/fs/mqueue/msg_default &&
        echo 1024 > /proc/sys/fs/mqueue/msgsize_default &&
        '$IPC_BIN/pmq_ctl' -c $Q attr"
    assert_output "maxmsg=4 msgsize=1024 curmsgs=0 flags=0"
}

@test "PMQ-04: without privilege, maxmsg up to msg_max and msgsize up to msgsize_max; one more is EINVAL, named by the job queue" {
    needs_root "to create queues as nobody"
    run cat /proc/sys/fs/mqueue/msg_max /proc/sys/fs/mqueue/msgsize_max
    assert_output $'10\n8192'
    run as_nobody "$IPC_BIN/pmq_ctl" -c -m 10 -s 8192 "$Q" attr
    assert_success
    assert_output "maxmsg=10 msgsize=8192 curmsgs=0 flags=0"
    run --separate-stderr as_nobody "$IPC_BIN/pmq_ctl" -c -m 11 "$Q"
    assert_failure 1
    assert_equal "$stderr" "pmq_ctl: mq_open: EINVAL (Invalid argument)"
    run --separate-stderr as_nobody "$IPC_BIN/pmq_ctl" -c -s 8193 "$Q"
    assert_equal "$stderr" "pmq_ctl: mq_open: EINVAL (Invalid argument)"
    run --separate-stderr as_nobody "$IPC_BIN/pmq_consume" -m 11 "$Q"
    assert_failure 1
    assert_equal "$stderr" "pmq_consume: $Q: maxmsg 11 is over the limit msg_max, 10 (/proc/sys/fs/mqueue/msg_max)"
    run --separate-stderr as_nobody "$IPC_BIN/pmq_consume" -s 8193 "$Q"
    assert_equal "$stderr" "pmq_consume: $Q: msgsize 8193 is over the limit msgsize_max, 8192 (/proc/sys/fs/mqueue/msgsize_max)"
    # CAP_SYS_RESOURCE passes them; root without it (in some containers)
    # is bound like everyone.
    run pmq_ctl -c -m 11 -s 8193 "$Q" attr
    if has_sys_resource; then
        assert_output "maxmsg=11 msgsize=8193 curmsgs=0 flags=0"
    else
        assert_output "pmq_ctl: mq_open: EINVAL (Invalid argument)"
    fi
    # The knob raises the limit, here in an IPC namespace of the test's own.
    run unshare --ipc sh -c "echo 11 > /proc/sys/fs/mqueue/msg_max &&
        setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
        '$IPC_BIN/pmq_ctl' -c -m 11 $Q attr"
    assert_output "maxmsg=11 msgsize=8192 curmsgs=0 flags=0"
}

@test "queues_max queues can be made without privilege; one more is ENOSPC, named by the job queue" {
    needs_root "to change queues_max in a namespace and create queues as nobody"
    run unshare --ipc sh -c "echo 3 > /proc/sys/fs/mqueue/queues_max &&
        for i in 1 2 3 4; do
            setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
                '$IPC_BIN/pmq_ctl' -c -k -m 1 -s 1 /q\$i || exit
        done"
    assert_failure 1
    assert_output "pmq_ctl: mq_open: ENOSPC (No space left on device)"
    run unshare --ipc sh -c "echo 0 > /proc/sys/fs/mqueue/queues_max &&
        setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
        '$IPC_BIN/pmq_consume' /q"
    assert_failure 1
    assert_output "pmq_consume: /q: the limit of queues, queues_max, 0, is reached (/proc/sys/fs/mqueue/queues_max)"
}

@test "PMQ-16: pmq_limits measures the charge per message; RLIMIT_MSGQUEUE admits exactly that many default queues, then EMFILE" {
    needs_root "to run as a user of our own"
    run as_uid 4242 "$IPC_BIN/pmq_limits"
    assert_success
    assert_line --index 0 --regexp '^msg_max +10 '
    assert_line --index 5 --regexp '^prio_max +32768 '
    assert_line --index 6 --regexp '^rlimit +819200 '
    assert_line --index 8 --regexp '^in_use +0 '
    overhead=$(awk '$1 == "overhead" { print $2 }' <<< "$output")
    fit=$(awk '$1 == "default_fit" { print $2 }' <<< "$output")
    assert_line --index 9 --regexp "^default_queue +$((10 * (8192 + overhead))) "
    [ "$overhead" -gt 0 ]
    [ "$fit" -eq $((819200 / (10 * (8192 + overhead)))) ]
    # So many default queues fit; the next one is refused.
    for ((i = 1; i <= fit; i++)); do
        as_uid 4242 "$IPC_BIN/pmq_ctl" -c -k "$Q.$i"
    done
    run --separate-stderr as_uid 4242 "$IPC_BIN/pmq_ctl" -c -k "$Q.x"
    assert_failure 1
    assert_equal "$stderr" "pmq_ctl: mq_open: EMFILE (Too many open files)"
    for ((i = 1; i <= fit; i++)); do
        pmq_ctl "$Q.$i" unlink
    done
}

@test "PMQ-16: the charge is maxmsg * (msgsize + overhead): a limit of exactly that admits the queue, one byte less is EMFILE" {
    needs_root "to run as a user of our own"
    overhead=$(as_uid 4243 "$IPC_BIN/pmq_limits" | awk '$1 == "overhead" { print $2 }')
    need=$((3 * (100 + overhead)))
    run as_uid 4243 prlimit --msgqueue=$need "$IPC_BIN/pmq_ctl" -c -m 3 -s 100 "$Q" attr
    assert_success
    assert_output "maxmsg=3 msgsize=100 curmsgs=0 flags=0"
    run --separate-stderr as_uid 4243 prlimit --msgqueue=$((need - 1)) "$IPC_BIN/pmq_ctl" -c -m 3 -s 100 "$Q"
    assert_failure 1
    assert_equal "$stderr" "pmq_ctl: mq_open: EMFILE (Too many open files)"
    # Root is bound too, and the job queue names the limit.
    run --separate-stderr prlimit --msgqueue=1000 "$IPC_BIN/pmq_consume" "$Q"
    assert_failure 1
    assert_equal "$stderr" "pmq_consume: $Q: the queue would pass RLIMIT_MSGQUEUE, 1000 bytes for all of this user's queues (ulimit -q, prlimit --msgqueue; pmq_limits shows the cost), or the limit of open files"
}

@test "PMQ-09: mq_setattr changes O_NONBLOCK and nothing else" {
    run pmq_ctl -c "$Q" send:0:x nonblock attr setattr:3:5 attr block attr
    assert_success
    assert_output "maxmsg=10 msgsize=8192 curmsgs=1 flags=O_NONBLOCK
maxmsg=10 msgsize=8192 curmsgs=1 flags=O_NONBLOCK
maxmsg=10 msgsize=8192 curmsgs=1 flags=0"
    # O_NONBLOCK belongs to the open queue: another open has its own.
    pmq_ctl -c -k "$Q" nonblock
    run pmq_ctl "$Q" attr unlink
    assert_output "maxmsg=10 msgsize=8192 curmsgs=0 flags=0"
}

@test "a full queue: maxmsg messages fit and one more is EAGAIN; msgsize bytes fit and one more is EMSGSIZE" {
    run --separate-stderr pmq_ctl -c -n -m 2 -s 4 "$Q" send:0:abcd send:0:ab attr send:0:x
    assert_failure 1
    assert_output "maxmsg=2 msgsize=4 curmsgs=2 flags=O_NONBLOCK"
    assert_equal "$stderr" "pmq_ctl: send: EAGAIN (Resource temporarily unavailable)"
    run --separate-stderr pmq_ctl -c -m 2 -s 4 "$Q" send:0:abcde
    assert_failure 1
    assert_equal "$stderr" "pmq_ctl: send: EMSGSIZE (Message too long)"
    # The receiver's buffer must hold mq_msgsize bytes, however short the
    # message.
    run --separate-stderr pmq_ctl -c -m 2 -s 4 "$Q" send:0:a recv:3
    assert_failure 1
    assert_equal "$stderr" "pmq_ctl: recv: EMSGSIZE (Message too long)"
    run --separate-stderr pmq_ctl -c -m 2 -s 4 "$Q" send:0:a recv:4
    assert_output $'0\ta'
}

# --- sending and receiving -------------------------------------------------

@test "PMQ-05: highest priority first, FIFO within a priority; priorities 0 to 32767, 32768 is EINVAL" {
    run pmq_ctl -c "$Q" send:0:msg-b send:5:msg-a send:10:msg-c send:5:msg-a2 \
        send:32767:top recv recv recv recv recv
    assert_output $'32767\ttop\n10\tmsg-c\n5\tmsg-a\n5\tmsg-a2\n0\tmsg-b'
    run --separate-stderr pmq_ctl -c "$Q" send:32768:x
    assert_failure 1
    assert_equal "$stderr" "pmq_ctl: send: EINVAL (Invalid argument)"
    run getconf MQ_PRIO_MAX
    assert_output 32768
}

@test "PMQ-05: jobs queued by several producers come out sorted by priority, in order of sending within one" {
    pmq_ctl -c -k -m 10 "$Q"
    pmq_produce "$Q" low-1 low-2
    pmq_produce -p 7 "$Q" high-1
    printf 'mid-%s\n' 1 2 3 | pmq_produce -p 3 "$Q"
    pmq_produce -p 7 "$Q" high-2
    pmq_produce -e 1 "$Q"
    run pmq_consume -a "$Q"
    assert_success
    assert_output $'7\thigh-1\n7\thigh-2\n3\tmid-1\n3\tmid-2\n3\tmid-3\n0\tlow-1\n0\tlow-2'
    pmq_ctl "$Q" unlink
}

@test "PMQ-10: a zero-length message is an ordinary message; the job queue uses it as its end marker" {
    run pmq_ctl -c "$Q" send:0: attr recv attr
    assert_output $'maxmsg=10 msgsize=8192 curmsgs=1 flags=0\n0\t\nmaxmsg=10 msgsize=8192 curmsgs=0 flags=0'
}

@test "PMQ-07: an empty queue blocks a receiver and a full one a sender; with O_NONBLOCK both are EAGAIN" {
    pmq_ctl -c -k -m 1 "$Q"
    start r pmq_ctl "$Q" recv
    wait_for blocked "$pid"
    pmq_ctl "$Q" send:0:one
    reap "$pid"
    assert_equal "$rc" 0
    assert_equal "$(cat r.out)" $'0\tone'
    pmq_ctl "$Q" send:0:full
    start s pmq_ctl "$Q" send:0:waits
    wait_for blocked "$pid"
    run pmq_ctl -n "$Q" send:0:x
    assert_failure 1
    assert_output "pmq_ctl: send: EAGAIN (Resource temporarily unavailable)"
    run pmq_ctl "$Q" recv
    assert_output $'0\tfull'
    reap "$pid"
    assert_equal "$rc" 0
    run pmq_ctl -n "$Q" recv recv
    assert_failure 1
    assert_output $'0\twaits\npmq_ctl: recv: EAGAIN (Resource temporarily unavailable)'
    pmq_ctl "$Q" unlink
}

@test "PMQ-07: no end of file: a consumer whose producer has gone waits, here until its -t bound" {
    pmq_ctl -c -k "$Q"
    pmq_produce "$Q" only-one
    run --separate-stderr pmq_consume -a -n 2 -t 300 "$Q"
    assert_failure 1
    assert_output $'0\tonly-one'
    assert_equal "$stderr" "pmq_consume: $Q: no job for 300 ms; 1 of 2 taken"
    pmq_ctl "$Q" unlink
}

@test "PMQ-08: the deadline is absolute on CLOCK_REALTIME: ETIMEDOUT when it passes; one already past fails at once only if the call must wait" {
    start=$(date +%s%N)
    run --separate-stderr pmq_ctl -c -t 250 "$Q" recv
    end=$(date +%s%N)
    assert_failure 1
    assert_equal "$stderr" "pmq_ctl: recv: ETIMEDOUT (Connection timed out)"
    [ $(( (end - start) / 1000000 )) -ge 240 ]
    # A deadline of now has passed when the kernel looks at it...
    run --separate-stderr pmq_ctl -c -t 0 "$Q" recv
    assert_equal "$stderr" "pmq_ctl: recv: ETIMEDOUT (Connection timed out)"
    run --separate-stderr pmq_ctl -c -m 1 -t 0 "$Q" send:0:a send:0:b
    assert_equal "$stderr" "pmq_ctl: send: ETIMEDOUT (Connection timed out)"
    # ...but a call that need not wait succeeds.
    run pmq_ctl -c -t 0 "$Q" send:0:a recv
    assert_success
    assert_output $'0\ta'
    # With O_NONBLOCK a timed call does not wait: EAGAIN at once.
    run --separate-stderr pmq_ctl -c -n -t 5000 "$Q" recv
    assert_equal "$stderr" "pmq_ctl: recv: EAGAIN (Resource temporarily unavailable)"
}

@test "PMQ-08: Linux checks the deadline's tv_nsec even when the call need not wait: EINVAL" {
    run --separate-stderr pmq_ctl -c -t 1000 -B "$Q" recv
    assert_failure 1
    assert_equal "$stderr" "pmq_ctl: recv: EINVAL (Invalid argument)"
    run --separate-stderr pmq_ctl -c -k "$Q" send:0:waiting
    run --separate-stderr pmq_ctl -t 1000 -B "$Q" recv
    assert_failure 1
    assert_equal "$stderr" "pmq_ctl: recv: EINVAL (Invalid argument)"
    run --separate-stderr pmq_ctl -t 1000 -B "$Q" send:0:room
    assert_equal "$stderr" "pmq_ctl: send: EINVAL (Invalid argument)"
    run pmq_ctl "$Q" attr recv unlink
    assert_output $'maxmsg=10 msgsize=8192 curmsgs=1 flags=0\n0\twaiting'
}

@test "PMQ-14: a signal caught without SA_RESTART makes a waiting mq_receive fail EINTR; with SA_RESTART it waits on" {
    run --separate-stderr pmq_ctl -c -i 100 "$Q" recv
    assert_failure 1
    assert_equal "$stderr" "pmq_ctl: recv: EINTR (Interrupted system call)"
    run --separate-stderr pmq_ctl -c -m 1 -i 100 "$Q" send:0:a send:0:b
    assert_equal "$stderr" "pmq_ctl: send: EINTR (Interrupted system call)"
    pmq_ctl -c -k "$Q"
    start r pmq_ctl -i 50 -R "$Q" recv
    wait_for bash -c "[ \$(grep -c SIGALRM r.err) -ge 3 ]"
    # (between two alarms it is back in mq_receive; at one, in its handler)
    wait_for blocked "$pid"
    pmq_ctl "$Q" send:2:at-last
    reap "$pid"
    assert_equal "$rc" 0
    assert_equal "$(cat r.out)" $'2\tat-last'
    pmq_ctl "$Q" unlink
}

# --- notification ------------------------------------------------------------

@test "PMQ-13: mq_notify by signal gives SI_MESGQ with the sender's pid and uid; a second process gets EBUSY" {
    needs_root "to send as nobody"
    mqueue_fs || skip "the mqueue file system is not mounted at /dev/mqueue"
    run bash -c "umask 0; pmq_ctl -c -k -M 666 $Q"
    start n pmq_ctl "$Q" notify wait:20000
    wait_for registered "$pid"
    run --separate-stderr pmq_ctl "$Q" notify
    assert_failure 1
    assert_equal "$stderr" "pmq_ctl: notify: EBUSY (Device or resource busy)"
    run as_nobody bash -c "echo \$\$; exec '$IPC_BIN/pmq_ctl' '$Q' send:0:ping"
    sender=$output
    reap "$pid"
    assert_equal "$rc" 0
    assert_equal "$(cat n.out)" "SIGUSR1 si_code=SI_MESGQ si_pid=$sender si_uid=$(id -u nobody)"
    # Notified (and gone), the first leaves the place free.
    run pmq_ctl "$Q" notify unnotify recv unlink
    assert_success
    assert_output $'0\tping'
}

@test "PMQ-13: only the empty to non-empty transition notifies, and only once per registration" {
    # Registered while a message waits: the second arrival tells nobody.
    run pmq_ctl -c "$Q" send:0:a notify send:0:b wait:300
    assert_output "no notification in 300 ms"
    # A NULL sigevent removes the registration.
    run pmq_ctl -c "$Q" notify unnotify send:0:a wait:300
    assert_output "no notification in 300 ms"
    # From empty: notified; then one-shot: the next message is silent.
    run pmq_ctl -c "$Q" notify send:0:a wait:5000 recv send:0:b wait:300 \
        notify recv send:0:c wait:5000
    assert_output --regexp $'^SIGUSR1 si_code=SI_MESGQ si_pid=[0-9]+ si_uid=0\n0\ta\nno notification in 300 ms\n0\tb\nSIGUSR1 si_code=SI_MESGQ si_pid=[0-9]+ si_uid=0$'
}

@test "PMQ-13: no notification while another process waits in mq_receive; the registration stays" {
    mqueue_fs || skip "the mqueue file system is not mounted at /dev/mqueue"
    pmq_ctl -c -k "$Q"
    start n pmq_ctl "$Q" notify wait:800 wait:20000
    notifier=$pid
    wait_for registered "$pid"
    start r pmq_ctl "$Q" recv
    wait_for blocked "$pid"
    pmq_ctl "$Q" send:0:to-the-reader
    reap "$pid"
    assert_equal "$rc" 0
    assert_equal "$(cat r.out)" $'0\tto-the-reader'
    # The notifier heard nothing, and it is still registered.
    wait_for grep -q "no notification" n.out
    pmq_ctl "$Q" send:0:for-the-notifier
    reap "$notifier"
    assert_equal "$rc" 0
    run cat n.out
    assert_output --regexp $'^no notification in 800 ms\nSIGUSR1 si_code=SI_MESGQ'
    pmq_ctl "$Q" recv unlink
}

# bursts [-T]: pmq_notify (by a thread with -T) takes every job of five
# bursts, each sent by its own producer, and removes its queue.
bursts() {
    local how=${1:-} prog=pmq_notify
    # glibc's mq_notify passes the kernel a sigevent with uninitialised
    # padding for SIGEV_THREAD, which memcheck reports as our error:
    # under valgrind the thread mode runs bare.
    [ "$how" = -T ] && [ "${VALGRIND:-}" = 1 ] && prog=$IPC_BIN/pmq_notify
    # -t: a bound if the end marker never comes, far above the time one
    # producer takes to start (seconds under valgrind on a busy machine)
    start n "$prog" $how -t 30000 "$Q"
    wait_for exists "$Q"
    for burst in 1 2 3 4 5; do
        seq "$burst"00 "$burst"99 | pmq_produce "$Q"
    done
    pmq_produce -e 1 "$Q"
    reap "$pid"
    assert_equal "$rc" 0
    run cut -f2 n.out
    assert_output "$(seq 100 199; seq 200 299; seq 300 399; seq 400 499; seq 500 599)"
    run exists "$Q"
    assert_failure
}

@test "pmq_notify by signal takes every job of bursts, re-registering before it drains" {
    bursts
}

@test "pmq_notify -T, by thread, takes every job of bursts, re-registering before it drains" {
    bursts -T
}

@test "a second pmq_notify on one queue fails: only one process may be registered" {
    mqueue_fs || skip "the mqueue file system is not mounted at /dev/mqueue"
    start n pmq_notify -T "$Q"
    wait_for exists "$Q"
    wait_for registered "$pid"
    # The status line says how: NOTIFY 2 is SIGEV_THREAD.
    run cat "/dev/mqueue${Q}"
    assert_output --regexp "^QSIZE:0 +NOTIFY:2 +SIGNO:0 +NOTIFY_PID:$pid *\$"
    run --separate-stderr pmq_notify -a "$Q"
    assert_failure 1
    assert_equal "$stderr" "pmq_notify: $Q: another process is registered for notification (EBUSY): only one may be"
    kill -TERM "$pid"
    reap "$pid"
    assert_equal "$rc" 143
    run exists "$Q"
    assert_failure
}

# --- the job queue: creating, adopting, removing ----------------------------

@test "the consumer creates its queue with mode 0600 whatever the umask, and removes it at the end marker" {
    mqueue_fs || skip "the mqueue file system is not mounted at /dev/mqueue"
    for mask in 000 277; do
        start c bash -c "umask $mask; exec pmq_consume $Q"
        wait_for exists "$Q"
        run stat -c '%a %U' "/dev/mqueue${Q}"
        assert_output "600 root"
        pmq_produce "$Q" one
        pmq_produce -e 1 "$Q"
        reap "$pid"
        assert_equal "$rc" 0
        assert_equal "$(cat c.out)" $'0\tone'
        run exists "$Q"
        assert_failure
    done
}

@test "the creating consumer removes the queue on SIGINT, SIGTERM and SIGHUP, after the job in hand, and dies of the signal" {
    for sig in INT TERM HUP; do
        start c pmq_consume "$Q"
        wait_for exists "$Q"
        pmq_produce "$Q" job-$sig
        wait_for grep -q "job-$sig" c.out
        wait_for waiting "$pid"
        kill -$sig "$pid"
        reap "$pid"
        assert_equal "$rc" $((128 + $(kill -l $sig)))
        run exists "$Q"
        assert_failure
    done
    true
}

@test "an adopting consumer leaves the queue on SIGTERM; a name taken is refused without -a; a missing queue is refused with -a" {
    pmq_ctl -c -k -M 600 "$Q"
    run --separate-stderr pmq_consume "$Q"
    assert_failure 1
    assert_equal "$stderr" "pmq_consume: $Q: exists (a consumer killed by SIGKILL leaves its queue): adopt it with -a, or remove it (rm /dev/mqueue$Q)"
    start c pmq_consume -a "$Q"
    wait_for waiting "$pid"
    kill -TERM "$pid"
    reap "$pid"
    assert_equal "$rc" 143
    run pmq_ctl "$Q" attr unlink
    assert_output "maxmsg=10 msgsize=8192 curmsgs=0 flags=0"
    run --separate-stderr pmq_consume -a "$Q"
    assert_failure 1
    assert_equal "$stderr" "pmq_consume: $Q: no such queue (pmq_consume without -a creates it)"
    run --separate-stderr pmq_produce "$Q" x
    assert_equal "$stderr" "pmq_produce: $Q: no such queue (pmq_consume without -a creates it)"
}

@test "a queue planted by nobody with mode 0666 is neither created over nor adopted nor fed" {
    needs_root "to plant the queue as nobody"
    run as_nobody bash -c "umask 0; exec '$IPC_BIN/pmq_ctl' -c -k -M 666 '$Q'"
    assert_success
    run --separate-stderr pmq_consume "$Q"
    assert_failure 1
    [[ $stderr == "pmq_consume: $Q: exists "* ]]
    run --separate-stderr pmq_consume -a "$Q"
    assert_failure 1
    assert_equal "$stderr" "pmq_consume: $Q: belongs to uid $(id -u nobody), not to us: not adopted"
    run --separate-stderr pmq_produce "$Q" secret
    assert_failure 1
    assert_equal "$stderr" "pmq_produce: $Q: belongs to uid $(id -u nobody), not to us: not adopted"
    run pmq_ctl "$Q" attr unlink
    assert_output "maxmsg=10 msgsize=8192 curmsgs=0 flags=0"
    # Our own queue with a mode that lets others in is refused too.
    bash -c "umask 022; pmq_ctl -c -k -M 644 $Q"
    run --separate-stderr pmq_produce "$Q" secret
    assert_failure 1
    assert_equal "$stderr" "pmq_produce: $Q: mode 644 lets other users in: not adopted"
    pmq_ctl "$Q" unlink
}

# --- the job queue: bad jobs, full queues, lost output ----------------------

@test "empty jobs, jobs with a newline and jobs longer than msgsize are refused one by one; the others are sent" {
    start c pmq_consume -s 8 "$Q"
    wait_for exists "$Q"
    run --separate-stderr pmq_produce "$Q" ok-1 "" $'two\nlines' 12345678 123456789
    assert_failure 1
    assert_equal "$stderr" "pmq_produce: job 2: empty job refused (empty is the end marker)
pmq_produce: job 3: job with a newline refused
pmq_produce: job 5: job of 9 bytes refused: the queue's messages hold 8 (mq_msgsize, set by its creator; at most /proc/sys/fs/mqueue/msgsize_max)"
    run --separate-stderr pmq_produce "$Q" < <(printf 'ok-2\n\nok-3')
    assert_failure 1
    assert_equal "$stderr" "pmq_produce: line 2: empty job refused (empty is the end marker)"
    pmq_produce -e 1 "$Q"
    reap "$pid"
    assert_equal "$rc" 0
    assert_equal "$(cat c.out)" $'0\tok-1\n0\t12345678\n0\tok-2\n0\tok-3'
}

@test "a full queue stops the producer after -t ms (or at once with -t 0), saying how many jobs it sent and which limit" {
    pmq_ctl -c -k -m 3 "$Q"
    run --separate-stderr pmq_produce -t 0 "$Q" a b c d e
    assert_failure 1
    assert_equal "$stderr" "pmq_produce: $Q: the queue is full (maxmsg 3 messages) for 0 ms; 3 jobs sent"
    start=$(date +%s%N)
    run --separate-stderr pmq_produce -t 300 "$Q" f
    end=$(date +%s%N)
    assert_equal "$stderr" "pmq_produce: $Q: the queue is full (maxmsg 3 messages) for 300 ms; 0 jobs sent"
    [ $(( (end - start) / 1000000 )) -ge 290 ]
    run pmq_consume -a -t 100 "$Q"
    assert_output $'0\ta\n0\tb\n0\tc'
    pmq_ctl "$Q" unlink
}

@test "a creating consumer that fails removes its queue (status 1)" {
    start c bash -c "exec pmq_consume '$Q' > /dev/full"
    wait_for exists "$Q"
    pmq_produce "$Q" doomed
    reap "$pid"
    assert_equal "$rc" 1
    run cat c.err
    assert_output "pmq_consume: $Q: job put back into the queue
pmq_consume: stdout: No space left on device"
    run exists "$Q"
    assert_failure
}

@test "a job the consumer cannot print is put back into the queue, and the consumer fails" {
    pmq_ctl -c -k "$Q"
    pmq_produce -p 4 "$Q" precious other
    run --separate-stderr bounded bash -c "exec pmq_consume -a '$Q' > /dev/full"
    assert_failure 1
    assert_equal "$stderr" "pmq_consume: $Q: job put back into the queue
pmq_consume: stdout: No space left on device"
    run pmq_ctl "$Q" recv recv unlink
    assert_output $'4\tother\n4\tprecious'
}

@test "a consumer whose output pipe has lost its reader gets EPIPE, not SIGPIPE: the job goes back, status 1" {
    pmq_ctl -c -k "$Q"
    for prog in pmq_consume pmq_notify; do
        pmq_produce -p 2 "$Q" "kept-by-$prog"
        run --separate-stderr no_reader "$prog" -a -t 5000 "$Q"
        assert_failure 1
        assert_equal "$stderr" "$prog: $Q: job put back into the queue
$prog: stdout: Broken pipe"
        run pmq_ctl "$Q" recv
        assert_output $'2\tkept-by-'"$prog"
    done
    pmq_ctl "$Q" unlink
}

@test "pitfall: a consumer started with standard output closed gets its queue as descriptor 1, and write fails EINVAL" {
    # Under valgrind the descriptors are valgrind's to arrange.
    [ "${VALGRIND:-}" = 1 ] && skip "valgrind opens descriptors of its own"
    pmq_ctl -c -k "$Q"
    pmq_produce "$Q" not-lost
    run --separate-stderr bounded 20 bash -c "exec >&-; exec pmq_consume -a '$Q'"
    assert_failure 1
    assert_equal "$stderr" "pmq_consume: $Q: job put back into the queue
pmq_consume: stdout: Invalid argument"
    run pmq_ctl "$Q" recv unlink
    assert_output $'0\tnot-lost'
}

@test "pmq_produce -e with no job operands sends only the end markers: standard input is not read" {
    pmq_ctl -c -k "$Q"
    run bash -c "echo not-a-job | pmq_produce -e 2 '$Q'"
    assert_success
    run pmq_ctl "$Q" attr recv recv unlink
    assert_output $'maxmsg=10 msgsize=8192 curmsgs=2 flags=0\n0\t\n0\t'
}

@test "a stop signal ignored at the start (nohup) stays ignored; the others still stop the consumer" {
    for prog in pmq_consume pmq_notify; do
        start c bash -c "trap '' HUP; exec $prog '$Q'"
        wait_for exists "$Q"
        wait_for waiting "$pid"
        kill -HUP "$pid"
        pmq_produce "$Q" "after-hup-$prog"
        wait_for grep -q "after-hup-$prog" c.out
        kill -TERM "$pid"
        reap "$pid"
        assert_equal "$prog $rc" "$prog 143"
        run exists "$Q"
        assert_failure
    done
}

@test "-n count stops a consumer after count jobs, -t after ms without one (status 0 without -n)" {
    pmq_ctl -c -k "$Q"
    pmq_produce "$Q" 1 2 3
    run pmq_consume -a -n 2 "$Q"
    assert_success
    assert_output $'0\t1\n0\t2'
    run pmq_notify -a -t 200 "$Q"
    assert_success
    assert_output $'0\t3'
    pmq_ctl "$Q" unlink
}

# --- the job queue under load and under faults ------------------------------

@test "load: 4 producers x 4 consumers (one notify-driven) x 10000 jobs: each consumed exactly once, in order within a priority" {
    n=10000
    [ "${VALGRIND:-}" = 1 ] && n=1000     # the same test, smaller: valgrind is slow
    start c1 pmq_consume "$Q"
    c1=$pid
    wait_for exists "$Q"
    start c2 pmq_consume -a "$Q"; c2=$pid
    start c3 pmq_consume -a "$Q"; c3=$pid
    start c4 pmq_notify -a "$Q"; c4=$pid
    for p in 0 1 2 3; do
        seq -f "p$p-%g" "$n" | pmq_produce -t 30000 -p "$p" "$Q" 3>&- &
        producers="${producers:-} $!"
    done
    for p in $producers; do wait "$p"; done
    pmq_produce -e 4 "$Q"
    for c in $c1 $c2 $c3 $c4; do
        reap "$c"
        assert_equal "$rc" 0
    done
    # Every job exactly once.
    cat c?.out | cut -f2 | sort > got
    for p in 0 1 2 3; do seq -f "p$p-%g" "$n"; done | sort > want
    run comm -3 got want
    assert_output ""
    # Each job with its producer's priority, and within one consumer's
    # output each producer's jobs in the order they were sent.
    for f in c?.out; do
        awk -F'\t' '{ split($2, a, "-"); p = substr(a[1], 2)
                      if ($1 != p) { print "wrong priority: " $0; exit 1 }
                      if (a[2] <= last[p]) { print "out of order: " $0; exit 1 }
                      last[p] = a[2] }' "$f"
    done
    run exists "$Q"
    assert_failure
}

@test "a consumer killed by SIGKILL mid-stream loses at most the job it had taken; the others take the rest" {
    n=5000
    start keep pmq_consume "$Q"
    keeper=$pid
    wait_for exists "$Q"
    start victim pmq_consume -a "$Q"
    victim=$pid
    seq -f "job-%g" "$n" | pmq_produce -t 30000 "$Q" 3>&- &
    producer=$!
    wait_for bash -c "[ \$(wc -l < victim.out) -ge 20 ]"
    kill -KILL "$victim"
    reap "$victim"
    assert_equal "$rc" 137
    wait "$producer"
    pmq_produce -e 1 "$Q"
    reap "$keeper"
    assert_equal "$rc" 0
    cut -f2 keep.out victim.out | sort > got
    run bash -c "sort got | uniq -d"
    assert_output ""                          # nothing twice
    lost=$(seq -f "job-%g" "$n" | sort | comm -23 - got | wc -l)
    [ "$lost" -le 1 ]
    run exists "$Q"
    assert_failure
}

@test "a producer killed by SIGKILL mid-send leaves the queue consistent: a prefix of its jobs, each whole" {
    pmq_ctl -c -k -m 5 "$Q"
    start c pmq_consume -a "$Q"
    consumer=$pid
    seq -f "job-%g-$(printf 'x%.0s' {1..100})" 100000 | pmq_produce -t 30000 "$Q" 3>&- &
    producer=$!
    wait_for bash -c "[ \$(wc -l < c.out) -ge 500 ]"
    kill -KILL "$producer"
    wait "$producer" || true
    pmq_produce -e 1 "$Q"
    reap "$consumer"
    assert_equal "$rc" 0
    got=$(wc -l < c.out)
    [ "$got" -ge 500 ]
    run diff <(cut -f2 c.out) <(seq -f "job-%g-$(printf 'x%.0s' {1..100})" "$got")
    assert_success
    run pmq_ctl "$Q" attr unlink
    assert_output "maxmsg=5 msgsize=8192 curmsgs=0 flags=0"
}

# --- the chapter's sessions, as printed --------------------------------------

@test "the chapter's first session: two sends, attr, two receives in priority order, unlink" {
    run pmq_ctl -c -k "$Q" send:0:hello send:5:urgent attr
    assert_output "maxmsg=10 msgsize=8192 curmsgs=2 flags=0"
    run pmq_ctl "$Q" recv recv unlink
    assert_output $'5\turgent\n0\thello'
}

@test "the chapter's job queue session: two consumers, two producers, two end markers" {
    start c1 pmq_consume "$Q"
    c1=$pid
    wait_for exists "$Q"
    start c2 pmq_consume -a "$Q"
    c2=$pid
    pmq_produce -p 5 "$Q" build-7 build-8
    seq 3 | sed 's/^/lint-/' | pmq_produce "$Q"
    pmq_produce -e 2 "$Q"
    reap "$c1"
    assert_equal "$rc" 0
    reap "$c2"
    assert_equal "$rc" 0
    run sort c1.out c2.out
    assert_output $'0\tlint-1\n0\tlint-2\n0\tlint-3\n5\tbuild-7\n5\tbuild-8'
    run exists "$Q"
    assert_failure
}

# --- the benchmark -----------------------------------------------------------

@test "pmq_bench's check mode moves every byte as sent, one way and both ways, and leaves no queue" {
    run -0 pmq_bench -C -s 8192 -n 300 rate
    assert_line --index 0 --regexp '^rate: 300 messages of 8192 bytes: [0-9.]+ MiB/s$'
    assert_line --index 1 "checked: every byte as sent"
    run -0 pmq_bench -C -p 0,0 -s 1 -n 300 pingpong
    assert_line --index 0 --regexp '^pingpong: 300 round trips of 1 bytes: [0-9]+ ns per round trip$'
    assert_line --index 1 "checked: every byte as sent"
    run --separate-stderr pmq_bench -s 8193 rate
    assert_failure 2
    assert_equal "$stderr" "pmq_bench: size: '8193' is not a number from 1 to 8192"
    run --separate-stderr pmq_bench fly
    assert_failure 2
    assert_equal "$stderr" "pmq_bench: fly: not rate or pingpong"
}

@test "pmq/bench.sh (QUICK=1) writes whole tables and a plot, with the machine, the method and the limits" {
    local two=1 md=$BATS_TEST_TMPDIR/06-posix-message-queues-rate.md
    [ "$(taskset -pc $$ | sed 's/.*: //')" != "$(taskset -pc $$ | sed 's/.*: //; s/[,-].*//')" ] || two=
    QUICK=1 OUT=$BATS_TEST_TMPDIR run -0 bounded 40 "$IPC_ROOT/book/build/src/pmq/bench.sh"
    run -0 cat "$md"
    if [ -n "$two" ]; then
        assert_line --index 0 "| message size | one CPU | two CPUs |"
        assert_line --regexp '^\| 64 B( \| [0-9.]+ ±[0-9.]+ %){2} \|$'
        assert_line --regexp '^\| 8 KiB( \| [0-9.]+ ±[0-9.]+ %){2} \|$'
    else
        assert_line --index 0 "| message size | one CPU |"
    fi
    assert_line --index 4 'Throughput in MiB/s of `pmq_bench rate`, one run.'
    assert_line --regexp "^Measured on .*, Linux $(uname -r), "
    assert_line --regexp '^\| memcpy, 4 KiB blocks \(in cache\) \| [0-9.]+ MiB/s ±[0-9.]+ % \|$'
    run -0 cat "$BATS_TEST_TMPDIR/06-posix-message-queues-rtt.md"
    assert_line --regexp '^\| 64 B( \| [0-9.]+ ±[0-9.]+ %)+ \|$'
    assert_line --regexp '^Round trip in ns of `pmq_bench pingpong`, one run.$'
    grep -q 'one CPU' "$BATS_TEST_TMPDIR/06-posix-message-queues-rate.svg"
}

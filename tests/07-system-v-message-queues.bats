#!/usr/bin/env bats
# Tests of chapter 7, System V message queues: the rules (svmq_lab), and
# the job queue (svmq_produce, svmq_consume, svmq_poll) seen through the
# standard tools: ipcs, ipcrm, /proc/sysvipc/msg.

load helpers/common

# Under valgrind every program starts in seconds on a loaded 2-CPU machine,
# and a test that starts a dozen took 60 to 70 s (load 15 to 20): a
# deadlock is still a failure, three minutes later.
[ "${VALGRIND:-}" != 1 ] || BATS_TEST_TIMEOUT=180

setup() {
    ipc_audit_begin
    export TMPDIR=$BATS_TEST_TMPDIR
    cd "$BATS_TEST_TMPDIR"
    touch jobs
    bg_pids=
    queues_before=$(queue_ids)
}

teardown() {
    local p audit=0 keys
    for p in $bg_pids; do
        kill -TERM "$p" 2>/dev/null || true
        kill -CONT "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    keys=$(our_keys | tr '\n' ' ')
    [ -z "${public_dir:-}" ] || rm -rf "$public_dir"
    # The audit first, so that it sees and names any queue left behind;
    # then those queues are removed, so that the next test starts clean.
    ipc_audit_end || audit=$?
    remove_our_queues "$keys"
    return "$audit"
}

# queue_ids: the ids of the System V queues we can see, one a line.
queue_ids() {
    awk 'NR > 1 { print $2 }' /proc/sysvipc/msg | sort
}

# our_keys: the keys of the paths this test names its queues with.
our_keys() {
    local f
    for f in "$BATS_TEST_TMPDIR/jobs" ${public_dir:+"$public_dir/jobs"}; do
        [ -e "$f" ] && key_of "$f"
    done
    true
}

# remove_our_queues KEYS: remove each queue made since setup that this
# test made: in a world of its own (IPC_AUDIT_SCOPE=ns) every new queue is
# the test's; in a scoped one, only those with one of KEYS, since other
# programs of our uid may have queues of their own.
remove_our_queues() {
    local id keys=$1
    for id in $(comm -13 <(echo "$queues_before") <(queue_ids)); do
        if [ "${IPC_AUDIT_SCOPE:-}" = ns ] ||
           ipcs -q | awk -v id="$id" -v keys=" $keys " '
               $2 == id && index(keys, " " $1 " ") { found = 1 }
               END { exit !found }'; then
            ipcrm -q "$id" 2>/dev/null || true
        fi
    done
}

# key_of PATH: the job queue's key for PATH, as ipcs prints it.
key_of() {
    svmq_lab ftok 106 "$1" | cut -d ' ' -f 1       # 106 is 'j'
}

# queue_id PATH: the id of the job queue of PATH, from ipcs; fails if none.
queue_id() {
    local key
    key=$(key_of "$1")
    ipcs -q | awk -v k="$key" '$1 == k { print $2; found = 1 }
                               END { exit !found }'
}

# sysvipc_field PATH FIELD: a column of /proc/sysvipc/msg for PATH's queue.
sysvipc_field() {
    local id
    id=$(queue_id "$1") || return 1
    awk -v id="$id" -v f="$2" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $2 == id { print $col[f] }' /proc/sysvipc/msg
}

# sleeps_in PID FUNCTION: some thread of PID sleeps in the kernel FUNCTION.
sleeps_in() {
    grep -qx "$2" /proc/"$1"/task/*/wchan 2>/dev/null
}

# statuses PID...: wait for each (our children) and set $st to their
# exit statuses, separated by spaces.
statuses() {
    local p s
    st=
    for p in "$@"; do
        s=0
        wait "$p" || s=$?
        st="${st:+$st }$s"
    done
}

# --- usage and arguments -------------------------------------------------

@test "every program prints its usage with -h (status 0) and refuses an unknown option (status 2): the lab" {
    assert_usage_conventions svmq_lab svmq_bench
}

@test "every program prints its usage with -h (status 0) and refuses an unknown option (status 2): the job queue" {
    assert_usage_conventions svmq_produce svmq_consume svmq_poll
}

@test "bad arguments give a one-line error and status 2" {
    run --separate-stderr svmq_produce -p 32768 jobs x
    assert_failure 2
    assert_equal "$stderr" "svmq_produce: priority: '32768' is not a number from 0 to 32767"
    run --separate-stderr svmq_produce -t 1s jobs x
    assert_failure 2
    assert_equal "$stderr" "svmq_produce: timeout: '1s' is not a number from 0 to 3600000"
    run --separate-stderr svmq_consume -n 0 jobs
    assert_failure 2
    assert_equal "$stderr" "svmq_consume: count: '0' is not a number from 1 to 9223372036854775807"
    run --separate-stderr svmq_poll -b 0 jobs
    assert_failure 2
    assert_equal "$stderr" "svmq_poll: bytes: '0' is not a size from 1 to 2147483647 bytes (suffix k or M allowed)"
    run --separate-stderr svmq_lab select x
    assert_failure 2
    assert_equal "$stderr" "svmq_lab: msgtyp: 'x' is not a number from -999999 to 999999"
    run --separate-stderr svmq_lab select 1 maybe
    assert_failure 2
    assert_equal "$stderr" "svmq_lab: 'maybe': the only word allowed after msgtyp is 'except'"
    run --separate-stderr svmq_lab nosuch
    assert_failure 2
    assert_equal "$stderr" "svmq_lab: no experiment 'nosuch' (svmq_lab -l lists them)"
    run --separate-stderr svmq_lab select
    assert_failure 2
    assert_equal "$stderr" "svmq_lab: usage: svmq_lab select msgtyp [except]"
    # Wrong shapes of command line: the usage, on stderr.
    run -2 svmq_produce
    run -2 svmq_consume
    run -2 svmq_consume jobs extra
    run -2 svmq_consume -a -b 100 jobs
    run -2 svmq_poll -a -b 100 jobs
    run -2 svmq_lab
    run -2 svmq_lab -l extra
    # A path that does not exist has no key.
    run --separate-stderr svmq_consume missing
    assert_failure 1
    assert_equal "$stderr" "svmq_consume: missing: No such file or directory"
}

@test "svmq_lab -l lists every experiment" {
    run svmq_lab -l
    assert_success
    run bash -c "svmq_lab -l | cut -d ' ' -f 1 | tr '\n' ' '"
    assert_output "ftok keys private poll type select nowait restart capacity size copy rmid "
}

# --- keys and ids ----------------------------------------------------------

@test "SVMQ-11: ftok gives one key to every link of a file, keeps 8 bits of proj, and two files can share a key" {
    touch a c
    ln a b
    run svmq_lab ftok 1 a b c
    assert_success
    local ka kb kc
    ka=$(echo "${lines[0]}" | cut -d ' ' -f 1)
    kb=$(echo "${lines[1]}" | cut -d ' ' -f 1)
    kc=$(echo "${lines[2]}" | cut -d ' ' -f 1)
    assert_equal "$kb" "$ka"
    [ "$kc" != "$ka" ]
    [[ $ka == 0x01?????? ]]                 # the top byte is proj
    # then the low 8 bits of the device, the low 16 of the inode number
    local dev ino
    read -r dev ino < <(stat -c '%d %i' a)
    assert_equal "$ka" "$(printf '0x%08x' $(( (1 << 24) | (dev & 0xff) << 16 | (ino & 0xffff) )))"
    run svmq_lab ftok 257 a
    assert_output "$ka a"
    run svmq_lab ftok 0x01 a
    assert_failure 2
    # 65537 files in one directory: two of them have inode numbers equal
    # in their low 16 bits, and ftok cannot tell them apart.
    mkdir many
    (cd many && seq 65537 | xargs touch)
    run bash -c "find many -type f -printf '%i %p\n' |
                 awk '{ k = \$1 % 65536 } k in seen { print seen[k], \$2; exit }
                      { seen[k] = \$2 }'"
    assert_success
    local pair=($output)
    [ "${#pair[@]}" -eq 2 ]
    run svmq_lab ftok 106 "${pair[@]}"
    assert_success
    assert_equal "$(echo "${lines[0]}" | cut -d ' ' -f 1)" \
                 "$(echo "${lines[1]}" | cut -d ' ' -f 1)"
    [ "$(stat -c %i "${pair[0]}")" != "$(stat -c %i "${pair[1]}")" ]
    rm -rf many
}

@test "SVMQ-01: IPC_PRIVATE always makes a new queue" {
    run svmq_lab private
    assert_success
    assert_output "msgget(IPC_PRIVATE) twice: two queues, two ids
msgget(IPC_PRIVATE, IPC_CREAT|IPC_EXCL): a third queue"
}

@test "SVMQ-01: IPC_CREAT|IPC_EXCL fails EEXIST on an existing key, and a missing key without IPC_CREAT is ENOENT" {
    run svmq_lab keys
    assert_success
    assert_output "msgget(key, IPC_CREAT|IPC_EXCL|0600): a new queue
msgget(key, IPC_CREAT|IPC_EXCL|0600) again: EEXIST (File exists)
msgget(key, IPC_CREAT|0600): the same queue, adopted
msgctl(IPC_RMID): removed
msgget(key, 0600): ENOENT (No such file or directory)
msgget(key, IPC_CREAT|IPC_EXCL|0600): a new queue, a different id
msgsnd on the old id: EINVAL (Invalid argument)"
    # The lab's private directory and its key file are gone.
    run find "$TMPDIR" -name 'svmq_lab.*'
    assert_output ""
}

@test "SVMQ-01: the tools: a second creator is refused (EEXIST), a producer or adopter without a queue too (ENOENT)" {
    local key
    key=$(key_of jobs)
    run --separate-stderr svmq_produce jobs x
    assert_failure 1
    assert_equal "$stderr" "svmq_produce: jobs: no queue (key $key): start svmq_consume first"
    run --separate-stderr svmq_consume -a jobs
    assert_failure 1
    assert_equal "$stderr" "svmq_consume: jobs: no queue (key $key) to adopt"
    start c svmq_consume jobs
    wait_for queue_id jobs
    local id
    id=$(queue_id jobs)
    run --separate-stderr svmq_poll jobs
    assert_failure 1
    assert_equal "$stderr" "svmq_poll: jobs: a queue exists already (key $key, id $id; a consumer killed with SIGKILL leaves its queue): adopt it with -a, or remove it with ipcrm -q $id"
    kill -TERM "$pid"
    statuses "$pid"
    assert_equal "$st" 143
    run queue_id jobs
    assert_failure
}

@test "SVMQ-13: removing and recreating a queue gives a different id, even for the same key" {
    local first second
    start c svmq_consume jobs
    wait_for queue_id jobs
    first=$(queue_id jobs)
    kill -TERM "$pid"
    wait "$pid" || true
    start c svmq_consume jobs
    wait_for queue_id jobs
    second=$(queue_id jobs)
    [ "$first" != "$second" ]
    kill -TERM "$pid"
    wait "$pid" || true
}

@test "SVMQ-13: in a fresh IPC namespace ids run 0, 1, 2, and a removed queue's slot is not taken again at once" {
    run bounded 20 unshare --ipc perl -MIPC::SysV=IPC_PRIVATE,IPC_CREAT,IPC_RMID -e '
        my @ids = map { msgget(IPC_PRIVATE, IPC_CREAT | 0600) // die $! } 1 .. 3;
        msgctl($ids[0], IPC_RMID, 0) or die $!;
        push @ids, msgget(IPC_PRIVATE, IPC_CREAT | 0600) // die $!;
        print "@ids\n"'
    assert_success
    assert_output "0 1 2 3"
}

@test "SVMQ-12: an id is not a descriptor: poll says POLLNVAL, fcntl EBADF" {
    run svmq_lab poll
    assert_success
    assert_line --index 0 --regexp '^a queue holds 1 message \([0-9]+ ids skipped\)$'
    assert_line --index 1 "poll on its id: revents POLLNVAL, no such descriptor"
    assert_line --index 2 "fcntl(id, F_GETFD): EBADF (Bad file descriptor)"
}

@test "the creator's queue has mode 0600 whatever the umask, and is ours" {
    start c bash -c 'umask 000; exec svmq_consume jobs'
    wait_for queue_id jobs
    run sysvipc_field jobs perms
    assert_output 600
    run sysvipc_field jobs uid
    assert_output "$(id -u)"
    run bash -c "ipcs -q | awk '\$1 == \"$(key_of jobs)\" { print \$4 }'"
    assert_output 600
    kill -TERM "$pid"
    wait "$pid" || true
}

# --- sending and receiving --------------------------------------------------

@test "SVMQ-02: a message's type must be greater than 0, else EINVAL" {
    run svmq_lab type
    assert_success
    assert_output "msgsnd type 0: EINVAL (Invalid argument)
msgsnd type -1: EINVAL (Invalid argument)
msgsnd type 1: sent"
}

@test "SVMQ-03: msgtyp 0 takes the first message, > 0 the first of that type (or of another with MSG_EXCEPT), < 0 the lowest type up to |msgtyp|" {
    run svmq_lab select 0
    assert_success
    assert_output "type 3: a
type 1: b
type 2: c
type 1: d
type 3: e
type 5: f
msgrcv: ENOMSG (No message of desired type)"
    run svmq_lab select 1
    assert_output "type 1: b
type 1: d
msgrcv: ENOMSG (No message of desired type)"
    run svmq_lab select 1 except
    assert_output "type 3: a
type 2: c
type 3: e
type 5: f
msgrcv: ENOMSG (No message of desired type)"
    run svmq_lab select -3
    assert_output "type 1: b
type 1: d
type 2: c
type 3: a
type 3: e
msgrcv: ENOMSG (No message of desired type)"
    run svmq_lab select 4
    assert_output "msgrcv: ENOMSG (No message of desired type)"
}

@test "SVMQ-05: with IPC_NOWAIT an empty queue gives msgrcv ENOMSG, a full one gives msgsnd EAGAIN" {
    run svmq_lab nowait
    assert_success
    assert_output "msgrcv IPC_NOWAIT, empty queue: ENOMSG (No message of desired type)
msgsnd IPC_NOWAIT, full queue: EAGAIN (Resource temporarily unavailable)"
}

@test "a handler installed with SA_RESTART still interrupts a waiting msgrcv and msgsnd: EINTR" {
    run bounded 20 svmq_lab restart
    assert_success
    assert_output "msgrcv, empty queue, SIGALRM caught with SA_RESTART: EINTR (Interrupted system call)
msgsnd, full queue, SIGALRM caught with SA_RESTART: EINTR (Interrupted system call)"
}

@test "SVMQ-07: a message of msgmax bytes is sent, one byte more is EINVAL; too small a buffer is E2BIG unless MSG_NOERROR" {
    run svmq_lab size
    assert_success
    local max
    max=$(cat /proc/sys/kernel/msgmax)
    assert_output "msgsnd of $max bytes (msgmax $max): sent
msgsnd of $((max + 1)) bytes (msgmax $max): EINVAL (Invalid argument)
msgrcv into 16 bytes: E2BIG (Argument list too long)
messages still in the queue: 1
msgrcv into 16 bytes with MSG_NOERROR: 16 bytes; messages left: 0"
}

@test "SVMQ-06: msg_qbytes starts at msgmnb and bounds both the bytes and the number of messages" {
    run svmq_lab capacity
    assert_success
    local mnb
    mnb=$(cat /proc/sys/kernel/msgmnb)
    assert_line --index 0 "a new queue's msg_qbytes: $mnb"
    assert_line --index 1 "msgsnd of 64 bytes: EAGAIN (Resource temporarily unavailable)"
    assert_line --index 2 "$((mnb / 64)) messages of 64 bytes fit: $mnb bytes"
    assert_line --index 3 "msgsnd of 0 bytes: EAGAIN (Resource temporarily unavailable)"
    assert_line --index 4 "10 messages of 0 bytes fit in msg_qbytes 10"
    # Raising it above msgmnb takes CAP_SYS_RESOURCE (bit 24 of CapEff).
    local capeff
    capeff=$(awk '/^CapEff/ { print $2 }' /proc/self/status)
    if (( (16#$capeff >> 24) & 1 )); then
        assert_line --index 5 "IPC_SET msg_qbytes $((mnb + 1)): done"
    else
        assert_line --index 5 "IPC_SET msg_qbytes $((mnb + 1)): EPERM (Operation not permitted)"
    fi
}

@test "SVMQ-06: without CAP_SYS_RESOURCE, raising msg_qbytes above msgmnb is EPERM, and svmq_consume -b names the knob" {
    needs_root "to run as nobody"
    run as_nobody "$IPC_BIN/svmq_lab" capacity
    assert_success
    assert_line --index 5 "IPC_SET msg_qbytes $(( $(cat /proc/sys/kernel/msgmnb) + 1 )): EPERM (Operation not permitted)"
    public_dir=$(mktemp -d /tmp/svmq-test.XXXXXX)
    chmod 755 "$public_dir"
    touch "$public_dir/jobs"
    run --separate-stderr as_nobody "$IPC_BIN/svmq_consume" -b 20000 -t 100 "$public_dir/jobs"
    assert_failure 1
    assert_equal "$stderr" "svmq_consume: $public_dir/jobs: -b 20000 is above kernel.msgmnb (16384, /proc/sys/kernel/msgmnb): raising it needs CAP_SYS_RESOURCE"
    # Lowering it is anyone's right, for a queue of their own.
    run --separate-stderr as_nobody "$IPC_BIN/svmq_consume" -b 100 -t 100 "$public_dir/jobs"
    assert_success
}

@test "SVMQ-15: MSG_COPY peeks at a message by position, needs IPC_NOWAIT, and leaves the queue as it was" {
    run svmq_lab copy
    assert_success
    if [ "${lines[0]}" = "msgrcv MSG_COPY without IPC_NOWAIT: ENOSYS (Function not implemented)" ]; then
        skip "this kernel has no CONFIG_CHECKPOINT_RESTORE (MSG_COPY: ENOSYS)"
    fi
    assert_output 'msgrcv MSG_COPY without IPC_NOWAIT: EINVAL (Invalid argument)
MSG_COPY of position 0: type 1, "first"
MSG_COPY of position 1: type 2, "second"
MSG_COPY of position 2: ENOMSG (No message of desired type)
messages still in the queue: 2'
}

@test "SVMQ-08: IPC_RMID wakes blocked senders and receivers with EIDRM; the id is then EINVAL" {
    run bounded 30 svmq_lab rmid
    assert_success
    assert_output "blocked msgrcv: EIDRM (Identifier removed)
blocked msgsnd: EIDRM (Identifier removed)
msgsnd on the removed id: EINVAL (Invalid argument)"
}

@test "SVMQ-08: ipcrm under waiting consumers and a waiting producer: each says the queue was removed" {
    start c svmq_consume -b 8 jobs
    local creator=$pid
    wait_for queue_id jobs
    start p svmq_poll -a jobs
    local poller=$pid
    wait_for sleeps_in "$creator" do_msgrcv
    wait_for sleeps_in "$poller" do_msgrcv
    kill -STOP "$creator"
    kill -STOP "$poller"
    # Stopped, they take nothing: two jobs fill the 8 bytes, and the
    # producer waits for room.
    start pr svmq_produce -t 60000 jobs aaaa bbbb cccc dddd
    local producer=$pid
    wait_for sleeps_in "$producer" do_msgsnd
    ipcrm -q "$(queue_id jobs)"
    kill -CONT "$creator" "$poller"
    statuses "$producer"
    assert_equal "$st" 1
    assert_equal "$(cat pr.err)" "svmq_produce: jobs: the queue was removed: sent 2 jobs"
    statuses "$creator" "$poller"
    bg_pids=
    run cat c.out p.out
    assert_output ""
    run cat c.err p.err
    assert_output "svmq_consume: jobs: the queue was removed
svmq_poll: jobs: the queue was removed"
    assert_equal "$st" "1 1"
}

@test "SVMQ-14: each send sets msg_lspid and msg_stime, each receive msg_lrpid and msg_rtime; msg_qnum counts" {
    start c svmq_consume jobs
    local consumer=$pid
    wait_for queue_id jobs
    run sysvipc_field jobs qnum
    assert_output 0
    run sysvipc_field jobs lspid
    assert_output 0
    run sysvipc_field jobs stime
    assert_output 0
    wait_for sleeps_in "$consumer" do_msgrcv
    kill -STOP "$consumer"
    svmq_produce jobs one two three 3>&- &
    local producer=$!
    wait "$producer"
    # A stopped consumer takes nothing: all three wait in the queue.
    run sysvipc_field jobs qnum
    assert_output 3
    run sysvipc_field jobs cbytes
    assert_output 11
    run sysvipc_field jobs lspid
    assert_output "$producer"
    run sysvipc_field jobs lrpid
    assert_output 0
    [ "$(sysvipc_field jobs stime)" -ge "$(( $(date +%s) - 60 ))" ]
    run sysvipc_field jobs rtime
    assert_output 0
    kill -CONT "$consumer"
    qnum_is() { [ "$(sysvipc_field jobs qnum)" = "$1" ]; }
    wait_for qnum_is 0
    run sysvipc_field jobs cbytes
    assert_output 0
    run sysvipc_field jobs lrpid
    assert_output "$consumer"
    [ "$(sysvipc_field jobs rtime)" -ge "$(( $(date +%s) - 60 ))" ]
    kill -TERM "$consumer"
    wait "$consumer" || true
    run cat c.out
    assert_output $'0\tone\n0\ttwo\n0\tthree'
}

# --- the job queue -----------------------------------------------------------

@test "the book's session: two consumers, two producers, an end marker each; every job printed once" {
    start a svmq_consume jobs
    local a=$pid
    wait_for queue_id jobs
    start b svmq_consume -a jobs
    local b=$pid
    run svmq_produce -p 5 jobs build-42 build-43
    assert_success
    run bash -c 'seq 3 | svmq_produce jobs'
    assert_success
    run svmq_produce -e 2 jobs
    assert_success
    statuses "$a" "$b"
    assert_equal "$st" "0 0"
    bg_pids=
    run sort a.out b.out
    assert_output "0	1
0	2
0	3
5	build-42
5	build-43"
    run cat a.err b.err
    assert_output ""
}

@test "jobs come out highest priority first, first in first out within a priority" {
    start c svmq_consume jobs
    local creator=$pid
    wait_for queue_id jobs
    wait_for sleeps_in "$creator" do_msgrcv
    kill -STOP "$creator"
    svmq_produce -p 1 jobs one-a one-b
    svmq_produce -p 7 jobs seven-a
    svmq_produce jobs zero-a
    svmq_produce -p 7 jobs seven-b
    svmq_produce -p 32767 jobs top
    svmq_produce -p 1 jobs one-c
    run bounded 20 svmq_poll -a -n 7 jobs
    assert_success
    assert_output "32767	top
7	seven-a
7	seven-b
1	one-a
1	one-b
1	one-c
0	zero-a"
    kill -TERM "$creator"
    kill -CONT "$creator"
    statuses "$creator"
    assert_equal "$st" 143
    run cat c.out c.err
    assert_output ""
}

@test "load: 4 producers x 10000 jobs, 4 consumers: each job consumed exactly once, each producer's jobs in order" {
    start c1 svmq_consume jobs
    local consumers=$pid i
    wait_for queue_id jobs
    start c2 svmq_consume -a jobs
    consumers="$consumers $pid"
    start c3 svmq_poll -a jobs
    consumers="$consumers $pid"
    start c4 svmq_poll -a jobs
    consumers="$consumers $pid"
    local producers=
    for i in 1 2 3 4; do
        seq -f "p$i-%g" 10000 | svmq_produce -p "$i" -t 60000 jobs 3>&- &
        producers="$producers $!"
    done
    for i in $producers; do wait "$i"; done
    svmq_produce -e 4 jobs
    for i in $consumers; do
        statuses "$i"
    assert_equal "$st" 0
    done
    bg_pids=
    run cat c1.err c2.err c3.err c4.err
    assert_output ""
    run bash -c 'cat c?.out | cut -f 2 | sort | uniq -d | wc -l'
    assert_output 0
    run bash -c 'cat c?.out | wc -l'
    assert_output 40000
    run bash -c 'cat c?.out | cut -f 2 | sort | cmp - <(for i in 1 2 3 4; do seq -f "p$i-%g" 10000; done | sort)'
    assert_success
    # The priority printed is the producer's, and within one consumer each
    # producer's jobs come in the order they were sent.
    run awk -F '\t' '{ split($2, a, "-"); p = substr(a[1], 2) }
                     p != $1 { bad++ }
                     { k = FILENAME SUBSEP p }
                     (k in last) && a[2] <= last[k] { bad++ }
                     { last[k] = a[2] + 0 }
                     END { print bad + 0 }' c1.out c2.out c3.out c4.out
    assert_output 0
    for i in 1 2 3 4; do
        [ "$(wc -l < c$i.out)" -gt 0 ] || echo "# consumer $i took no job" >&3
    done
}

@test "a consumer of either kind killed with SIGKILL loses only the job it had taken; the others take the rest" {
    start c svmq_consume jobs
    local creator=$pid
    wait_for queue_id jobs
    start k svmq_consume -a jobs
    local killed=$pid
    start q svmq_poll -a jobs
    local killed_poller=$pid
    start p svmq_poll -a jobs
    local poller=$pid
    seq -f "job-%g" 20000 | svmq_produce -t 60000 jobs 3>&- &
    local producer=$!
    bg_pids="$bg_pids $producer"
    lines_at_least() { [ "$(wc -l < "$1")" -ge "$2" ]; }
    wait_for lines_at_least k.out 100
    wait_for lines_at_least q.out 100
    kill -KILL "$killed" "$killed_poller"
    wait "$killed" || true
    wait "$killed_poller" || true
    wait "$producer"
    svmq_produce -e 2 jobs
    statuses "$creator" "$poller"
    assert_equal "$st" "0 0"
    bg_pids=
    # Nothing twice; at most one job missing for each consumer killed:
    # the one it had taken and not yet printed.
    run bash -c 'cat c.out k.out q.out p.out | cut -f 2 | sort | uniq -d | wc -l'
    assert_output 0
    run bash -c 'comm -23 <(seq -f "job-%g" 20000 | sort) <(cat c.out k.out q.out p.out | cut -f 2 | sort) | wc -l'
    [ "$output" -le 2 ]
    echo "# the killed consumers printed $(wc -l < k.out) and $(wc -l < q.out) jobs; lost: $output" >&3
    # The others took jobs after the kill.
    [ "$(( $(wc -l < c.out) + $(wc -l < p.out) ))" -gt 0 ]
    run queue_id jobs
    assert_failure
}

@test "a producer killed in the middle of sending leaves the queue consistent: whole jobs, the first N" {
    start c svmq_consume -b 1k jobs
    local creator=$pid
    wait_for queue_id jobs
    wait_for sleeps_in "$creator" do_msgrcv
    kill -STOP "$creator"
    seq -f "job-%05g" 100000 | svmq_produce -t 60000 jobs 3>&- &
    local producer=$!
    bg_pids="$bg_pids $producer"
    wait_for sleeps_in "$producer" do_msgsnd        # full: waiting for room
    kill -KILL "$producer"
    wait "$producer" || true
    # 1024 bytes of 9-byte jobs: 113 jobs, 1017 bytes, by ipcs.
    run bash -c "ipcs -q | awk '\$1 == \"$(key_of jobs)\" { print \$5, \$6 }'"
    assert_output "1017 113"
    kill -CONT "$creator"
    start d svmq_consume -a jobs
    local other=$pid
    svmq_produce -e 2 jobs
    statuses "$creator" "$other"
    assert_equal "$st" "0 0"
    bg_pids=
    # Together they took jobs 1 to 113, each whole.
    run bash -c 'cat c.out d.out | cut -f 2 | sort'
    assert_output "$(seq -f 'job-%05g' 113)"
}

@test "SVMQ-10: a queue outlives a creator killed with SIGKILL; ipcs and /proc/sysvipc/msg see it, -a adopts it, ipcrm removes it" {
    start c svmq_consume jobs
    wait_for queue_id jobs
    local id
    id=$(queue_id jobs)
    kill -KILL "$pid"
    wait "$pid" || true
    bg_pids=
    run bash -c "ipcs -q | awk '\$2 == $id { print \$1, \$3, \$4, \$5, \$6 }'"
    assert_output "$(key_of jobs) $(id -un) 600 0 0"
    run sysvipc_field jobs msqid
    assert_output "$id"
    run bash -c "head -n 1 /proc/sysvipc/msg | tr -s ' '"
    assert_output " key msqid perms cbytes qnum lspid lrpid uid gid cuid cgid stime rtime ctime"
    run svmq_produce jobs left-behind
    assert_success
    run --separate-stderr svmq_consume jobs
    assert_failure 1
    assert_equal "$stderr" "svmq_consume: jobs: a queue exists already (key $(key_of jobs), id $id; a consumer killed with SIGKILL leaves its queue): adopt it with -a, or remove it with ipcrm -q $id"
    run bounded 20 svmq_consume -a -n 1 jobs
    assert_success
    assert_output "0	left-behind"
    # An adopter leaves the queue where it was.
    run queue_id jobs
    assert_output "$id"
    run ipcs -q -i "$id"
    assert_success
    assert_output --partial "msqid=$id"
    ipcrm -q "$id"
    run ipcs -q -i "$id"
    assert_output "ipcs: id $id not found"
    run queue_id jobs
    assert_failure
}

@test "a job the consumer cannot print goes back into the queue, for the next consumer" {
    start c svmq_consume jobs
    wait_for queue_id jobs
    kill -KILL "$pid"                       # litter, with nobody reading it
    wait "$pid" || true
    bg_pids=
    svmq_produce -p 3 jobs precious
    run --separate-stderr bounded 20 bash -c 'exec >&-; exec svmq_consume -a jobs'
    assert_failure 1
    assert_equal "$stderr" "svmq_consume: jobs: stdout: Bad file descriptor
svmq_consume: jobs: the job was put back into the queue"
    run bounded 20 svmq_poll -a -n 1 jobs
    assert_output "3	precious"
    ipcrm -q "$(queue_id jobs)"
}

@test "the producer refuses an empty job, a newline and a job longer than msgmax, and sends the others" {
    start c svmq_consume jobs
    wait_for queue_id jobs
    local max big
    max=$(cat /proc/sys/kernel/msgmax)
    big=$(head -c "$((max + 1))" /dev/zero | tr '\0' x)
    run --separate-stderr svmq_produce jobs first "" $'two\nlines' "$big" "${big:1}" last
    assert_failure 1
    assert_equal "$stderr" "svmq_produce: jobs: job 2: empty (an empty message is the end marker): refused
svmq_produce: jobs: job 2: contains a newline: refused
svmq_produce: jobs: job 2: $((max + 1)) bytes is longer than kernel.msgmax ($max, /proc/sys/kernel/msgmax): refused"
    svmq_produce -e 1 jobs
    statuses "$pid"
    assert_equal "$st" 0
    bg_pids=
    run cut -c 1-8 c.out
    assert_output "0	first
0	xxxxxx
0	last"
    run awk -F '\t' '{ print length($2) }' c.out
    assert_output $'5\n'"$max"$'\n4'
}

@test "a full queue: -t 0 fails at once, -t ms after ms, naming msg_qbytes; a job larger than the queue is refused" {
    start c svmq_consume -b 64 jobs
    local creator=$pid
    wait_for queue_id jobs
    wait_for sleeps_in "$creator" do_msgrcv
    kill -STOP "$creator"
    # Stopped, it takes nothing: 8 jobs of 8 bytes fill the 64 bytes.
    run --separate-stderr bash -c 'seq -f "job-%04g" 10 | svmq_produce -t 0 jobs'
    assert_failure 1
    assert_equal "$stderr" "svmq_produce: jobs: the queue stayed full for 0 ms (msg_qbytes 64: 64 bytes in 8 messages; svmq_consume -b raises it): sent 8 jobs"
    local t0 t1
    t0=$(date +%s%N)
    run --separate-stderr bounded 20 svmq_produce -t 300 jobs job-0011
    t1=$(date +%s%N)
    assert_failure 1
    [ $(( (t1 - t0) / 1000000 )) -ge 290 ]
    assert_equal "$stderr" "svmq_produce: jobs: the queue stayed full for 300 ms (msg_qbytes 64: 64 bytes in 8 messages; svmq_consume -b raises it): sent 0 jobs"
    run --separate-stderr svmq_produce -t 0 jobs "$(printf 'y%.0s' $(seq 65))"
    assert_failure 1
    assert_equal "$stderr" "svmq_produce: jobs: job 1: 65 bytes is more than the queue holds (msg_qbytes 64): refused"
    kill -TERM "$creator"
    kill -CONT "$creator"
    statuses "$creator"
    assert_equal "$st" 143
    bg_pids=
    run cat c.out
    assert_output ""
    run cat c.err
    assert_output "svmq_consume: jobs: removing the queue with 8 messages still in it: they are lost"
}

@test "a consumer whose output pipe has lost its reader gets EPIPE, not SIGPIPE: the job goes back, status 1" {
    perl -MIPC::SysV=IPC_CREAT -e "msgget($(key_of jobs), IPC_CREAT | 0600) // die \$!"
    local prog
    for prog in svmq_consume svmq_poll; do
        svmq_produce -p 3 jobs "kept-by-$prog"
        run --separate-stderr no_reader "$prog" -a -t 5000 jobs
        assert_failure 1
        assert_equal "$stderr" "$prog: jobs: stdout: Broken pipe
$prog: jobs: the job was put back into the queue"
        run bounded 20 svmq_consume -a -n 1 jobs
        assert_output "3	kept-by-$prog"
    done
    ipcrm -q "$(queue_id jobs)"
}

@test "a creator that stops normally waits up to 2 s for its queue to empty, then says how many jobs it destroys" {
    start c svmq_consume -n 1 jobs
    local creator=$pid t0 t1
    wait_for queue_id jobs
    wait_for sleeps_in "$creator" do_msgrcv
    kill -STOP "$creator"
    svmq_produce jobs first second third
    t0=$(date +%s%N)
    kill -CONT "$creator"
    statuses "$creator"
    t1=$(date +%s%N)
    bg_pids=
    assert_equal "$st" 0
    [ $(( (t1 - t0) / 1000000 )) -ge 1900 ]
    run cat c.out c.err
    assert_output "0	first
svmq_consume: jobs: removing the queue with 2 messages still in it: they are lost"
    run queue_id jobs
    assert_failure
}

@test "-n and -t: a count stops the consumer, an idle spell too, and is a failure before the count" {
    run --separate-stderr bounded 20 svmq_consume -t 200 jobs
    assert_success
    assert_output ""
    run --separate-stderr bounded 20 svmq_poll -t 200 -n 3 jobs
    assert_failure 1
    assert_equal "$stderr" "svmq_poll: jobs: no job for 200 ms: took 0 of 3 jobs"
    start c svmq_consume -n 2 jobs
    wait_for queue_id jobs
    svmq_produce jobs a b
    statuses "$pid"
    assert_equal "$st" 0
    bg_pids=
    run cat c.out
    assert_output $'0\ta\n0\tb'
}

@test "SIGINT, SIGTERM and SIGHUP stop either consumer, which removes its queue and dies of the signal" {
    local sig prog
    for prog in svmq_consume svmq_poll; do
        for sig in INT TERM HUP; do
            start c "$prog" jobs
            wait_for queue_id jobs
            kill -"$sig" "$pid"
            statuses "$pid"
            assert_equal "$prog $sig $st" "$prog $sig $((128 + $(kill -l "$sig")))"
            run queue_id jobs
            assert_failure
        done
    done
    bg_pids=
}

@test "an idle svmq_consume wakes about ten times a second; an idle svmq_poll sleeps" {
    [ "${VALGRIND:-}" = 1 ] && skip "valgrind schedules the threads itself"
    # switches PID: the voluntary context switches of all PID's threads.
    switches() {
        awk '/^voluntary_ctxt_switches/ { n += $2 } END { print n }' \
            /proc/"$1"/task/*/status
    }
    local prog before after
    for prog in svmq_consume svmq_poll; do
        start c "$prog" jobs
        wait_for queue_id jobs
        wait_for sleeps_in "$pid" do_msgrcv
        before=$(switches "$pid")
        sleep 1                                 # a window to count in
        after=$(switches "$pid")
        echo "# $prog: $((after - before)) wake-ups in 1 s" >&3
        if [ "$prog" = svmq_consume ]; then
            [ $((after - before)) -ge 4 ]
        else
            [ $((after - before)) -le 1 ]
        fi
        kill -TERM "$pid"
        statuses "$pid"
        assert_equal "$st" 143
    done
    bg_pids=
}

@test "a stop signal ignored at the start (nohup) stays ignored; the others still stop either consumer" {
    local prog
    for prog in svmq_consume svmq_poll; do
        start c bash -c "trap '' HUP; exec $prog jobs"
        wait_for queue_id jobs
        wait_for sleeps_in "$pid" do_msgrcv
        kill -HUP "$pid"
        svmq_produce jobs "after-hup-$prog"
        wait_for grep -q "after-hup-$prog" c.out
        kill -TERM "$pid"
        statuses "$pid"
        assert_equal "$prog $st" "$prog 143"
        run queue_id jobs
        assert_failure
    done
    bg_pids=
}

@test "an adopter stopped by a signal leaves the queue to its creator" {
    start c svmq_consume jobs
    local creator=$pid
    wait_for queue_id jobs
    start a svmq_poll -a jobs
    # Ready: its bridge waits in msgrcv.  (A signal sent before the
    # program runs can be swallowed by the shell that forks it.)
    wait_for sleeps_in "$pid" do_msgrcv
    kill -TERM "$pid"
    statuses "$pid"
    assert_equal "$st" 143
    run queue_id jobs
    assert_success
    kill -TERM "$creator"
    wait "$creator" || true
    bg_pids=
}

# --- limits, in an IPC namespace of the test's own ---------------------------

@test "limits: a fresh IPC namespace starts with msgmax 8192, msgmnb 16384, msgmni 32000" {
    run unshare --ipc cat /proc/sys/kernel/msgmax /proc/sys/kernel/msgmnb /proc/sys/kernel/msgmni
    assert_success
    assert_output $'8192\n16384\n32000'
}

@test "limits: msgmax filled and passed by one, in a fresh IPC namespace" {
    local ours
    ours=$(cat /proc/sys/kernel/msgmax)
    run bounded 30 unshare --ipc bash -c '
        echo 100 > /proc/sys/kernel/msgmax
        svmq_consume jobs > out 2>/dev/null &
        until ipcs -q | grep -q "^0x"; do sleep 0.05; done
        svmq_produce jobs "$(head -c 100 /dev/zero | tr "\0" a)" "$(head -c 101 /dev/zero | tr "\0" b)"
        echo "status $?"
        svmq_produce -e 1 jobs; wait $!
        cut -c 1-4 out; awk -F "\t" "{ print length(\$2) }" out'
    assert_success
    assert_output "svmq_produce: jobs: job 2: 101 bytes is longer than kernel.msgmax (100, /proc/sys/kernel/msgmax): refused
status 1
0	aa
100"
    # The knob belongs to that namespace: ours is as it was.
    run cat /proc/sys/kernel/msgmax
    assert_output "$ours"
}

@test "limits: a job longer than kernel.msgmax was when the consumer started is an error naming it" {
    run bounded 30 unshare --ipc bash -c '
        echo 100 > /proc/sys/kernel/msgmax
        svmq_consume jobs > out 2> err &
        c=$!
        until grep -qx do_msgrcv /proc/$c/wchan 2>/dev/null; do sleep 0.05; done
        echo 200 > /proc/sys/kernel/msgmax
        svmq_produce jobs "$(head -c 150 /dev/zero | tr "\0" c)"
        wait $c
        echo "status $?"
        cat out err
        echo "queues left: $(ipcs -q | grep -c "^0x")"'
    assert_success
    assert_output "status 1
svmq_consume: jobs: a job is longer than kernel.msgmax was at our start (100)
queues left: 0"
}

@test "limits: msgmnb (the default capacity) filled and passed by one, in bytes and in messages" {
    run bounded 30 unshare --ipc bash -c '
        echo 64 > /proc/sys/kernel/msgmnb
        stopped_consumer() {        # a creator that takes nothing
            svmq_consume jobs > /dev/null 2>&1 &
            c=$!
            until ipcs -q | grep -q "^0x"; do sleep 0.05; done
            kill -STOP $c
        }
        stopped_consumer
        seq -f "%08g" 8 | svmq_produce -t 0 jobs && echo "64 bytes in"
        svmq_produce -t 0 jobs x
        kill -TERM $c; kill -CONT $c; wait $c
        stopped_consumer
        seq 64 | sed "s/.*/x/" | svmq_produce -t 0 jobs && echo "64 messages of 1 byte in"
        svmq_produce -t 0 jobs y
        kill -TERM $c; kill -CONT $c; wait $c
        echo "queues left: $(ipcs -q | grep -c "^0x")"'
    assert_success
    assert_output "64 bytes in
svmq_produce: jobs: the queue stayed full for 0 ms (msg_qbytes 64: 64 bytes in 8 messages; svmq_consume -b raises it): sent 0 jobs
64 messages of 1 byte in
svmq_produce: jobs: the queue stayed full for 0 ms (msg_qbytes 64: 64 bytes in 64 messages; svmq_consume -b raises it): sent 0 jobs
queues left: 0"
}

@test "limits: msgmni queues filled and passed by one, with a message naming the knob" {
    run bounded 30 unshare --ipc bash -c '
        echo 3 > /proc/sys/kernel/msgmni
        perl -MIPC::SysV=IPC_PRIVATE,IPC_CREAT -e "msgget(IPC_PRIVATE, IPC_CREAT | 0600) // die for 1 .. 2"
        svmq_consume -t 100 jobs && echo "the third queue: made"
        perl -MIPC::SysV=IPC_PRIVATE,IPC_CREAT -e "msgget(IPC_PRIVATE, IPC_CREAT | 0600) // die"
        svmq_consume -t 100 jobs
        echo "status $?"
        perl -MIPC::SysV=IPC_PRIVATE,IPC_CREAT -e "defined msgget(IPC_PRIVATE, IPC_CREAT | 0600) or print qq(msgget: ), \$!{ENOSPC} ? qq(ENOSPC) : qq(\$!), qq(\n)"
        ipcrm --all=msg     # this namespace is the test'"'"'s own'
    assert_success
    assert_output "the third queue: made
svmq_consume: jobs: cannot create a queue: there are kernel.msgmni (3, /proc/sys/kernel/msgmni) queues already
status 1
msgget: ENOSPC"
}

@test "limits: there is no per-user limit: one unprivileged user can take all msgmni queues, from everyone" {
    needs_root "to create queues as nobody"
    run bounded 30 unshare --ipc bash -c '
        echo 3 > /proc/sys/kernel/msgmni
        setpriv --reuid=nobody --regid=nogroup --clear-groups -- perl -MIPC::SysV=IPC_PRIVATE,IPC_CREAT -e "
            for (1 .. 3) { defined msgget(IPC_PRIVATE, IPC_CREAT | 0600) or die qq(\$!\n) }"
        echo "nobody made $(ipcs -q | grep -c "^0x") queues"
        svmq_consume -t 100 jobs
        echo "status $?"
        ipcrm --all=msg     # this namespace is the test'"'"'s own'
    assert_success
    assert_output "nobody made 3 queues
svmq_consume: jobs: cannot create a queue: there are kernel.msgmni (3, /proc/sys/kernel/msgmni) queues already
status 1"
}

# --- permissions --------------------------------------------------------------

@test "EACCES: nobody may neither send into nor adopt our queue of mode 0600" {
    needs_root "to run as nobody"
    public_dir=$(mktemp -d /tmp/svmq-test.XXXXXX)
    chmod 755 "$public_dir"
    touch "$public_dir/jobs"
    start c svmq_consume "$public_dir/jobs"
    wait_for queue_id "$public_dir/jobs"
    run --separate-stderr as_nobody "$IPC_BIN/svmq_produce" "$public_dir/jobs" x
    assert_failure 1
    assert_equal "$stderr" "svmq_produce: $public_dir/jobs: msgget: Permission denied"
    run --separate-stderr as_nobody "$IPC_BIN/svmq_consume" -a "$public_dir/jobs"
    assert_failure 1
    assert_equal "$stderr" "svmq_consume: $public_dir/jobs: msgget: Permission denied"
    run --separate-stderr as_nobody ipcrm -q "$(queue_id "$public_dir/jobs")"
    assert_failure
    assert_equal "$stderr" "ipcrm: permission denied for id ($(queue_id "$public_dir/jobs"))"
    # Each call checks the mode (or the owner): perl speaks System V.
    run as_nobody perl -MIPC::SysV=IPC_STAT,IPC_SET,IPC_RMID -e '
        my $id = shift; my $buf = ""; local $| = 1;
        for (["msgsnd", sub { msgsnd($id, pack("l! a*", 1, "x"), 0) }],
             ["msgrcv", sub { msgrcv($id, $buf, 64, 0, 0) }],
             ["IPC_STAT", sub { msgctl($id, IPC_STAT, $buf) }],
             ["IPC_SET", sub { msgctl($id, IPC_SET, pack("x120")) }],
             ["IPC_RMID", sub { msgctl($id, IPC_RMID, 0) }]) {
            print "$_->[0]: ", ($_->[1]->() ? "done" : "$!"), "\n";
        }' "$(queue_id "$public_dir/jobs")"
    assert_output "msgsnd: Permission denied
msgrcv: Permission denied
IPC_STAT: Permission denied
IPC_SET: Operation not permitted
IPC_RMID: Operation not permitted"
    # Yet /proc/sysvipc/msg shows every queue to everyone.
    run as_nobody awk -v id="$(queue_id "$public_dir/jobs")" '$2 == id { print $3 }' /proc/sysvipc/msg
    assert_output 600
    kill -TERM "$pid"
    wait "$pid" || true
    bg_pids=
}

@test "a queue planted at our key by another user, or open to others, is refused" {
    needs_root "to plant a queue as nobody"
    local key
    key=$(key_of jobs)
    as_nobody perl -MIPC::SysV=IPC_CREAT -e "msgget($key, IPC_CREAT | 0666) // die \$!"
    local id
    id=$(queue_id jobs)
    run --separate-stderr svmq_produce jobs x
    assert_failure 1
    assert_equal "$stderr" "svmq_produce: jobs: the queue (id $id) belongs to uid $(id -u nobody), not to us: refusing it"
    run --separate-stderr svmq_consume -a jobs
    assert_failure 1
    assert_equal "$stderr" "svmq_consume: jobs: the queue (id $id) belongs to uid $(id -u nobody), not to us: refusing it"
    run --separate-stderr svmq_consume jobs
    assert_failure 1
    [[ $stderr == "svmq_consume: jobs: a queue exists already"* ]]
    ipcrm -q "$id"
    # Our own queue, but mode 0666: the umask does not apply to queues.
    (umask 077 && perl -MIPC::SysV=IPC_CREAT -e "msgget($key, IPC_CREAT | 0666) // die \$!")
    id=$(queue_id jobs)
    run sysvipc_field jobs perms
    assert_output 666
    run --separate-stderr svmq_produce jobs x
    assert_failure 1
    assert_equal "$stderr" "svmq_produce: jobs: the queue (id $id) has mode 666, open to others: refusing it"
    ipcrm -q "$id"
}

# --- the benchmark -------------------------------------------------------------

@test "svmq_bench -C: every byte of every message arrives as sent, in a stream and in round trips" {
    run -0 bounded 60 svmq_bench -C -s 1000 -n 500 rate 0 0
    assert_output "rate: 500 messages of 1000 bytes, every byte checked"
    run -0 bounded 60 svmq_bench -C -s 8192 -n 200 rtt 0 0
    assert_output "rtt: 200 round trips of 8192 bytes, every byte checked"
    run -0 bounded 60 svmq_bench -s 64 -n 1000 rate 0 0
    assert_output --regexp '^rate: 1000 messages of 64 bytes: [0-9.]+ s, [0-9.]+ MiB/s$'
    run --separate-stderr bounded 60 svmq_bench -s 8193 -n 1 rate 0 0
    assert_failure 1
    assert_equal "$stderr" "svmq_bench: msgsnd of 8193 bytes: EINVAL (above kernel.msgmax?)"
    run -2 svmq_bench rate 0
    run -2 svmq_bench fly 0 0
}

@test "svmq/bench.sh (QUICK=1) writes round trips and throughputs of both queues, a pipe and a socket, in one run, and a plot" {
    local two=1 row='( \| [0-9.]+ ±[0-9.]+ %){4} \|$'
    local head="| System V queue | POSIX queue | pipe | stream socket |"
    [ "$(taskset -pc $$ | sed 's/.*: //')" != "$(taskset -pc $$ | sed 's/.*: //; s/[,-].*//')" ] || two=
    QUICK=1 OUT=$BATS_TEST_TMPDIR run -0 bounded 120 "$IPC_ROOT/book/build/src/svmq/bench.sh"
    run -0 cat "$BATS_TEST_TMPDIR/07-svmq-rtt.md"
    assert_line --index 0 "| placement $head"
    assert_line --index 2 --regexp "^\| one CPU$row"
    [ -z "$two" ] || assert_line --index 3 --regexp "^\| two CPUs$row"
    assert_line --regexp '^Round trip in ns of 64 bytes: `svmq_bench rtt`, `pmq_bench pingpong`, .*; 1000 round trips a run, one run\.$'
    assert_line --regexp "^Measured on .*, Linux $(uname -r), "
    assert_line --regexp '^\| memcpy, 4 KiB blocks \(in cache\) \| [0-9.]+ MiB/s ±[0-9.]+ % \|$'
    run -0 cat "$BATS_TEST_TMPDIR/07-svmq-rate-one.md"
    assert_line --index 0 "| message size $head"
    assert_line --index 2 --regexp "^\| 64 B$row"
    assert_line --index 3 --regexp "^\| 8 KiB$row"
    assert_line --regexp '^Throughput in MiB/s, one CPU, of 2000 messages a run: .*, one run\.$'
    if [ -n "$two" ]; then
        run -0 cat "$BATS_TEST_TMPDIR/07-svmq-rate-two.md"
        assert_line --index 3 --regexp "^\| 8 KiB$row"
        grep -q 'stream socket, two CPUs' "$BATS_TEST_TMPDIR/07-svmq-rate.svg"
    fi
    grep -q 'System V queue, one CPU' "$BATS_TEST_TMPDIR/07-svmq-rate.svg"
}

#!/usr/bin/env bats
# Tests of chapter 14, choosing a mechanism: ipc_limits against the
# standard tools (sysctl, ipcs, prlimit, df, getconf), in the namespaces
# it runs in; and the tables of choose/bench.sh.

load helpers/common

setup() { ipc_audit_begin; }
teardown() { ipc_audit_end; }

# value GROUP NAME: the value of limit NAME of GROUP in $limits, which
# holds the output of one run of ipc_limits (each run costs a program
# start, many of them slow a loaded machine, and valgrind more)
value() {
    awk -v g="$1" -v n="$2" '$1 == g && $2 == n { print $3 }' <<< "$limits"
}

# ipcs_limit TEXT: the number after "TEXT = " in `ipcs -l`
ipcs_limit() {
    ipcs -l | sed -n "s/^$1 = //p"
}

@test "ipc_limits follows the usage conventions and refuses an unknown group with status 2" {
    assert_usage_conventions ipc_limits
    run --separate-stderr ipc_limits pipe nosuch
    assert_failure 2
    assert_equal "$output" ""
    assert_equal "${stderr_lines[0]}" "ipc_limits: no group 'nosuch' (try -h)"
}

@test "ipc_limits prints every group, each limit on one line of five fields" {
    local g
    run -0 ipc_limits
    assert_line --index 0 --regexp '^GROUP +LIMIT +VALUE +FROM \| RAISED BY$'
    for g in pipe socket posix-mq sysv-mq sysv-shm posix-shm sysv-sem \
             posix-sem mapping lock process; do
        assert_line --regexp "^$g "
    done
    # Every line after the header: group, name, value, from | raised by.
    run -0 bash -c "ipc_limits | tail -n +2 |
        grep -Evc '^[a-z-]+ +[A-Za-z_-]+ +[0-9a-z/]+ +[^ ].* \| [^ ].*\$' || true"
    assert_output 0
    run -0 ipc_limits lock
    assert_line --index 1 --regexp '^lock +locks +none +'
    run -0 bash -c 'ipc_limits sysv-mq pipe | cut -d " " -f 1 | uniq'
    assert_output "$(printf 'GROUP\npipe\nsysv-mq')"
    # The chapter's example: the first 52 columns are group, limit, value.
    run -0 bash -c "ipc_limits pipe sysv-mq | cut -c 1-52 | sed 's/ *\$//'"
    assert_line --index 0 "GROUP     LIMIT                VALUE"
    assert_line --index 1 --regexp '^pipe      capacity             [0-9]+$'
    assert_line --index 8 --regexp '^sysv-mq   msgmni               [0-9]+$'
    assert_equal "${#lines[@]}" 9
}

@test "ipc_limits pipe: the capacity of a new pipe, PIPE_BUF and the fs.pipe-* limits, as sysctl and getconf give them" {
    limits=$(ipc_limits pipe)
    assert_equal "$(value pipe capacity)" "$(( 16 * $(getconf PAGESIZE) ))"
    assert_equal "$(value pipe PIPE_BUF)" "$(getconf PIPE_BUF /)"
    assert_equal "$(value pipe pipe-max-size)" "$(sysctl -n fs.pipe-max-size)"
    assert_equal "$(value pipe pipe-user-pages-soft)" \
        "$(sysctl -n fs.pipe-user-pages-soft)"
    assert_equal "$(value pipe pipe-user-pages-hard)" \
        "$(sysctl -n fs.pipe-user-pages-hard)"
}

@test "ipc_limits posix-mq: the fs.mqueue files, RLIMIT_MSGQUEUE and MQ_PRIO_MAX, as sysctl, prlimit and getconf give them" {
    local f
    limits=$(ipc_limits posix-mq)
    for f in queues_max msg_max msgsize_max msg_default msgsize_default; do
        assert_equal "$f $(value posix-mq "$f")" \
            "$f $(sysctl -n "fs.mqueue.$f")"
    done
    assert_equal "$(value posix-mq RLIMIT_MSGQUEUE)" \
        "$(prlimit --pid $$ --msgqueue -o SOFT,HARD --noheadings |
           awk '{ print $1 "/" $2 }')"
    assert_equal "$(value posix-mq MQ_PRIO_MAX)" "$(getconf MQ_PRIO_MAX)"
}

@test "ipc_limits sysv-mq, sysv-shm, sysv-sem: what ipcs -l and sysctl kernel.* say" {
    limits=$(ipc_limits sysv-mq sysv-shm sysv-sem)
    assert_equal "$(value sysv-mq msgmax)" \
        "$(ipcs_limit 'max size of message (bytes)')"
    assert_equal "$(value sysv-mq msgmnb)" \
        "$(ipcs_limit 'default max size of queue (bytes)')"
    assert_equal "$(value sysv-mq msgmni)" "$(ipcs_limit 'max queues system wide')"
    assert_equal "$(value sysv-shm shmmni)" "$(ipcs_limit 'max number of segments')"
    assert_equal "$(value sysv-shm shmmax)" "$(sysctl -n kernel.shmmax)"
    assert_equal "$(value sysv-shm shmall)" "$(sysctl -n kernel.shmall)"
    assert_equal "$(value sysv-sem semmsl)" \
        "$(ipcs_limit 'max semaphores per array')"
    assert_equal "$(value sysv-sem semmns)" \
        "$(ipcs_limit 'max semaphores system wide')"
    assert_equal "$(value sysv-sem semopm)" "$(ipcs_limit 'max ops per semop call')"
    assert_equal "$(value sysv-sem semmni)" "$(ipcs_limit 'max number of arrays')"
    assert_equal "$(value sysv-sem semmsl) $(value sysv-sem semmns)" \
        "$(sysctl -n kernel.sem | awk '{ print $1, $2 }')"
}

@test "ipc_limits reads the IPC namespace it runs in: kernel.msgmax changed in unshare --ipc is reported there, and only there" {
    local before
    before=$(sysctl -n kernel.msgmax)
    [ "$before" != 4242 ]
    run -0 unshare --ipc sh -c 'sysctl -qw kernel.msgmax=4242 &&
        ipc_limits sysv-mq'
    assert_line --regexp '^sysv-mq +msgmax +4242 +/proc/sys/kernel/msgmax \| sysctl kernel.msgmax$'
    limits=$(ipc_limits sysv-mq)
    assert_equal "$(value sysv-mq msgmax)" "$before"
    assert_equal "$(sysctl -n kernel.msgmax)" "$before"
}

@test "ipc_limits socket: the net.core and net.unix limits as sysctl gives them, those of the network namespace it runs in" {
    local n
    limits=$(ipc_limits socket)
    for n in wmem_default wmem_max rmem_default rmem_max somaxconn; do
        assert_equal "$n $(value socket "$n")" "$n $(sysctl -n "net.core.$n")"
    done
    assert_equal "$(value socket max_dgram_qlen)" \
        "$(sysctl -n net.unix.max_dgram_qlen)"
    run -0 unshare --net sh -c 'sysctl -qw net.unix.max_dgram_qlen=7 &&
        sysctl -qw net.core.somaxconn=77 && ipc_limits socket'
    assert_line --regexp '^socket +max_dgram_qlen +7 '
    assert_line --regexp '^socket +somaxconn +77 '
}

@test "ipc_limits posix-shm: the size and free space of /dev/shm, as df gives them, and of a tmpfs mounted there in a mount namespace" {
    needs_root "mount a tmpfs on /dev/shm in a mount namespace"
    limits=$(ipc_limits posix-shm)
    assert_equal "$(value posix-shm size)" \
        "$(df -B1 --output=size /dev/shm | tail -n 1 | tr -d ' ')"
    run -0 unshare --mount --propagation private sh -c '
        mount -t tmpfs -o size=1m,mode=1777 none /dev/shm &&
        ipc_limits posix-shm &&
        head -c 262144 /dev/zero > /dev/shm/quarter &&
        ipc_limits posix-shm && df -B1 --output=size,avail /dev/shm'
    assert_line --regexp '^posix-shm +size +1048576 +statvfs\(/dev/shm\) '
    assert_line --regexp '^posix-shm +free +1048576 '
    assert_line --regexp '^posix-shm +free +786432 '
    assert_line --regexp '^ *1048576 +786432$'
}

# nofile SOFT HARD: RLIMIT_NOFILE as the program sees it: valgrind keeps
# 12 descriptors for itself and lowers both limits by as many
nofile() {
    local keep=0
    [ "${VALGRIND:-}" != 1 ] || keep=12
    echo "$(( $1 - keep ))/$(( $2 - keep ))"
}

@test "ipc_limits process and mapping: RLIMIT_NOFILE and RLIMIT_MEMLOCK as prlimit gives them, soft/hard" {
    local want
    limits=$(ipc_limits process mapping)
    assert_equal "$(value process RLIMIT_NOFILE)" \
        "$(nofile $(prlimit --pid $$ --nofile -o SOFT,HARD --noheadings))"
    want=$(prlimit --pid $$ --memlock -o SOFT,HARD --noheadings |
           awk '{ print $1 "/" $2 }')
    assert_equal "$(value mapping RLIMIT_MEMLOCK)" "$want"
    run -0 prlimit --nofile=100:200 --memlock=65536:131072 \
        ipc_limits process mapping
    if [ "${VALGRIND:-}" = 1 ]; then
        # Under a hard limit this low, valgrind sets its own: a number.
        assert_line --regexp '^process +RLIMIT_NOFILE +[0-9]+/[0-9]+ '
    else
        assert_line --regexp '^process +RLIMIT_NOFILE +100/200 +getrlimit\(RLIMIT_NOFILE\) '
    fi
    assert_line --regexp '^mapping +RLIMIT_MEMLOCK +65536/131072 '
}

@test "ipc_limits reports a missing file as absent and carries on with status 0" {
    needs_root "mount over /proc/sys/fs/mqueue in a mount namespace"
    run -0 unshare --mount --propagation private sh -c '
        mount -t tmpfs none /proc/sys/fs/mqueue && ipc_limits posix-mq'
    assert_line --regexp '^posix-mq +msg_max +absent +/proc/sys/fs/mqueue/msg_max \| no such file: not in this kernel$'
    assert_line --regexp '^posix-mq +RLIMIT_MSGQUEUE +[0-9a-z]+/[0-9a-z]+ '
    assert_equal "$(grep -c ' absent ' <<< "$output")" 5
}

@test "ipc_limits reports a file that holds no number, prints the rest and exits 1" {
    needs_root "bind-mount a file over /proc/sys/kernel/msgmax in a mount namespace"
    echo garbage > "$BATS_TEST_TMPDIR/garbage"
    run --separate-stderr unshare --mount --propagation private sh -c '
        mount --bind "$1" /proc/sys/kernel/msgmax && ipc_limits sysv-mq
    ' sh "$BATS_TEST_TMPDIR/garbage"
    assert_failure 1
    assert_line --regexp '^sysv-mq +msgmax +unreadable +/proc/sys/kernel/msgmax '
    assert_line --regexp '^sysv-mq +msgmnb +[0-9]+ '
    assert_line --regexp '^sysv-mq +msgmni +[0-9]+ '
    assert_equal "${stderr_lines[0]}" \
        "ipc_limits: /proc/sys/kernel/msgmax: no number 1 in it"
}

@test "ipc_limits exits 1 when its output cannot be written" {
    run --separate-stderr bash -c 'ipc_limits > /dev/full'
    assert_failure 1
    assert_equal "${stderr_lines[0]}" "ipc_limits: stdout: No space left on device"
}

@test "the table's dead peer: a pipe gives EOF and SIGPIPE, stream and seqpacket sockets EOF and EPIPE, a datagram socket no EOF and ECONNREFUSED (chapter 2's pipe_lab, chapter 4's sock_gone)" {
    run -0 pipe_lab eof
    assert_line --index 2 "writer 2 exited; read returned 0: end of file"
    run -0 pipe_lab sigpipe
    assert_line --index 0 --partial "killed by signal 13"
    local q
    for q in "" -q; do                  # stream, then seqpacket
        run -0 sock_gone $q -n
        assert_line --index 1 "read 0 bytes: end of file"
        assert_line --index 3 "failed: Broken pipe (EPIPE)"
    done
    run -0 sock_gone -d -n
    assert_line --index 1 "read: nothing for a second, and no end of file"
    assert_line --index 3 "failed: Connection refused (ECONNREFUSED)"
}

@test "choose/bench.sh (QUICK=1) writes three whole tables, every mechanism and primitive in them, with the machine, the method and the limits" {
    local two=1 d=$BATS_TEST_TMPDIR k
    [ "$(taskset -pc $$ | sed 's/.*: //')" != "$(taskset -pc $$ | sed 's/.*: //; s/[,-].*//')" ] || two=
    QUICK=1 OUT=$d run -0 bounded 60 "$IPC_ROOT/book/build/src/choose/bench.sh"
    run -0 cat "$d/14-choosing-rtt.md"
    if [ -n "$two" ]; then
        assert_line --index 0 "| 64 bytes there and back, ns | one CPU | two CPUs |"
    else
        assert_line --index 0 "| 64 bytes there and back, ns | one CPU |"
    fi
    for k in pipe stream seqpacket datagram posix-mq sysv-mq ring-sleeping \
             ring-spinning; do
        assert_line --regexp "^\| $k( \| [0-9.]+ ±[0-9.]+ %)+ \|\$"
    done
    assert_line --regexp '^\| memcpy, 4 KiB blocks \(in cache\) \| [0-9.]+ MiB/s ±[0-9.]+ % \|$'
    assert_line --regexp "^Measured on .*, Linux $(uname -r), .*, load average [0-9.]+ at the start and [0-9.]+ at the end\.\$"
    run -0 cat "$d/14-choosing-rate.md"
    assert_line --index 0 "| one CPU, MiB/s | 64 B | 64 KiB |"
    [ -z "$two" ] || assert_line "| two CPUs, MiB/s | 64 B | 64 KiB |"
    for k in pipe stream seqpacket datagram ring-sleeping ring-spinning; do
        assert_line --regexp "^\| $k \| [0-9.]+ ±[0-9.]+ % \| [0-9.]+ ±[0-9.]+ % \|\$"
    done
    # The queues carry no 64 KiB message: a dash.
    assert_line --regexp '^\| posix-mq \| [0-9.]+ ±[0-9.]+ % \| - \|$'
    assert_line --regexp '^\| sysv-mq \| [0-9.]+ ±[0-9.]+ % \| - \|$'
    run -0 cat "$d/14-choosing-sync.md"
    if [ -n "$two" ]; then
        assert_line --index 0 "| ns | hand-off, one CPU | hand-off, two CPUs | wait and release, alone |"
    fi
    for k in psem-named psem-unnamed svsem svsem-undo flock fcntl ofd; do
        assert_line --regexp "^\| $k( \| [0-9.]+ ±[0-9.]+ %)+ \|\$"
    done
    assert_line "QUICK=1: a smoke test, not figures to quote."
}

#!/usr/bin/env bats
# Tests of chapter 13, file and record locks: flock (lockrun, reclock's
# fs/fx/fu), fcntl record locks and OFD locks (reclock), the counter under
# each lock (lock_count), the PID file guard (pidguard) and the hand-off
# benchmark (lock_bench, flock/bench.sh).

load helpers/common

setup() {
    ipc_audit_begin
    export TMPDIR=$BATS_TEST_TMPDIR
    cd "$BATS_TEST_TMPDIR"
    bg_pids=
    : > f
}

teardown() {
    local p
    for p in $bg_pids; do
        kill -TERM "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    [ -z "${public_dir:-}" ] || rm -rf "$public_dir"
    ipc_audit_end
}

# bg NAME CMD...: start CMD in the background, its output in NAME.out and
# NAME.err (emptied first); its pid in $last and in bg_pids.
bg() {
    local name=$1
    shift
    : > "$name.out"
    : > "$name.err"
    "$@" > "$name.out" 2> "$name.err" 3>&- &
    last=$!
    bg_pids="$bg_pids $last"
}

# hold NAME FILE [OPTIONS] OPS...: a reclock in the background that carries
# out OPS on FILE and then holds; returns once it holds.  $last is its pid.
hold() {
    local name=$1
    shift
    bg "$name" reclock "$@" hold
    wait_for grep -q 'waits for SIGUSR2$' "$name.out"
}

# finish PID: let a holding reclock go on (SIGUSR2), and reap it.
finish() {
    kill -USR2 "$1"
    wait "$1" || true
}

# lock_id FILE: the file as /proc/locks names it, MAJ:MIN:INODE.
lock_id() {
    local ma mi ino
    read -r ma mi ino < <(stat -c '%Hd %Ld %i' "$1")
    printf '%02x:%02x:%s\n' "$ma" "$mi" "$ino"
}

# waiting FILE: true when /proc/locks shows a request waiting on FILE.
waiting() {
    grep -q -- "-> .* $(lock_id "$1") " /proc/locks
}

# locked FILE: true when /proc/locks shows a lock on FILE.
locked() {
    grep -q " $(lock_id "$1") " /proc/locks
}

# locks_of FILE: the lines of /proc/locks about FILE, without the ordinal.
locks_of() {
    grep " $(lock_id "$1") " /proc/locks | sed 's/^[0-9]*: *//' || true
}

# --- usage and arguments ----------------------------------------------------

@test "every program prints its usage with -h (status 0) and refuses an unknown option (status 2)" {
    assert_usage_conventions lockrun reclock lock_count pidguard lock_bench
}

@test "bad arguments give a one-line error and status 2" {
    run --separate-stderr reclock f x:1:2
    assert_failure 2
    assert_equal "$stderr" "reclock: 'x:1:2' is not a step (see reclock -h)"
    run --separate-stderr reclock f w:1
    assert_failure 2
    assert_equal "$stderr" "reclock: 'w:1' is not a step (see reclock -h)"
    run --separate-stderr reclock f '&hold'
    assert_failure 2
    run --separate-stderr lock_count -m spin f
    assert_failure 2
    assert_equal "$stderr" "lock_count: mode: 'spin' is not flock, fcntl, ofd or none"
    run --separate-stderr lock_count -p 0 f
    assert_equal "$stderr" "lock_count: procs: '0' is not a number from 1 to 64"
    run --separate-stderr lockrun -w 0 f true
    assert_failure 2
    assert_equal "$stderr" "lockrun: seconds: '0' is not a number from 0.001 to 86400"
    run --separate-stderr lockrun -w 1.5x f true
    assert_equal "$stderr" "lockrun: seconds: '1.5x' is not a number from 0.001 to 86400"
    run --separate-stderr lock_bench spin 0 0
    assert_failure 2
    assert_equal "$stderr" "lock_bench: mode: 'spin' is not flock, fcntl or ofd"
    # Wrong shapes of command line: the usage, on stderr.
    run -2 reclock f
    run -2 reclock -r -w f show
    run -2 reclock -i -I f show
    run -2 lock_count
    run -2 lock_count -k -m none f
    run -2 lockrun f
    run -2 pidguard p
    run -2 lock_bench -u -C flock 0
    run -2 lock_bench flock 0
}

# --- flock --------------------------------------------------------------------

@test "FLOCK-01: LOCK_EX|LOCK_NB against another open file description's lock fails EWOULDBLOCK at once" {
    hold a f fx
    run -1 bounded 10 reclock f fx
    assert_output "fx: busy (EWOULDBLOCK)"
    run -1 bounded 10 reclock f fs
    assert_output "fs: busy (EWOULDBLOCK)"
    # flock(1) meets the same lock the same way.
    run -1 bounded 10 flock -n f true
    finish "$last"
    run -0 reclock f fx
}

@test "FLOCK-03: two opens of one file in one process conflict with each other" {
    run -1 reclock f fx open fx fs
    assert_line --index 0 "fx: locked"
    assert_line --index 1 --regexp "^open: descriptor [0-9]+$"
    assert_line --index 2 "fx: busy (EWOULDBLOCK)"
    assert_line --index 3 "fs: busy (EWOULDBLOCK)"
    # Through one open file description it is one owner: no conflict.
    run -0 reclock f fx fx
}

@test "FLOCK-04: converting shared to exclusive is not atomic: a failed conversion loses the shared lock" {
    run -1 reclock f fs open fs show fx show
    assert_line --index 2 "fs: locked"
    assert_line --index 3 --regexp "^show: FLOCK +ADVISORY +READ "
    assert_line --index 4 --regexp "^show: FLOCK +ADVISORY +READ "
    assert_line --index 5 "fx: busy (EWOULDBLOCK)"
    # Two READ locks before; after the failed upgrade only one is left.
    assert_line --index 6 --regexp "^show: FLOCK +ADVISORY +READ "
    assert_equal "${#lines[@]}" 7
}

@test "FLOCK-05: a flock lock survives execve: lockrun's command holds it under lockrun's pid" {
    run -0 lockrun f sh -c 'echo $$; grep " $1 " /proc/locks' sh "$(lock_id f)"
    assert_line --index 1 --regexp "^[0-9]+: FLOCK +ADVISORY +WRITE ${lines[0]} $(lock_id f) 0 EOF$"
}

@test "FLOCK-06: any open mode takes either lock: LOCK_EX on O_RDONLY, LOCK_SH on O_WRONLY" {
    run -0 reclock -r f fx
    assert_output "fx: locked"
    run -0 reclock -w f fs
    assert_output "fs: locked"
}

@test "FLOCK-07: on a local file system flock and fcntl locks do not see each other, either way" {
    hold a f fx
    run -0 reclock f ?w:0:0 w:0:0 show
    assert_line --index 0 "?w:0:0: free"
    assert_line --index 1 "w:0:0: locked"
    assert_line --partial "FLOCK  ADVISORY  WRITE $last "
    assert_line --regexp "^show: POSIX +ADVISORY +WRITE [0-9]+ $(lock_id f) 0 EOF$"
    run -0 reclock -o f w:0:0
    finish "$last"
    hold b f w:0:0
    run -0 reclock f fx
    finish "$last"
    hold b -o f w:0:0
    run -0 reclock f fx
    finish "$last"
    echo "# NFS and CIFS, where flock is emulated with record locks: not shown here" >&3
}

@test "FLOCK-08: locks are advisory: read and write go straight through an exclusive flock and a write lock" {
    hold a f fx w:0:0
    echo hello >> f
    run -0 bounded 10 cat f
    assert_output hello
    run -1 reclock f fx w:0:1
    finish "$last"
}

@test "FLOCK-09: flock detects no deadlock: two processes crossing wait until their bounds, no EDEADLK" {
    : > a; : > b
    # Each holds one file and, once the other holds its own, asks for the
    # other file: the first for at most 0.5 s, the second for 20 s.
    printf '%s\n' 'lockrun -w 20 "$1" sh -c '"'"'touch "$1.held"; i=0' \
        '    while [ ! -e "$2.held" ] && [ $i -lt 400 ]; do i=$((i+1)); sleep 0.05; done' \
        '    exec lockrun -w "$3" "$2" echo got "$2"'"'"' sh "$1" "$2" "$3"' > cross
    bg p1 sh cross a b 0.5
    local p1=$last st=0
    run bounded 40 sh cross b a 20
    wait "$p1" || st=$?
    # The first waited out its bound and gave up, which freed its file;
    # only then did the second get what it waited for.
    assert_equal "$st" 1
    assert_equal "$(cat p1.err)" "lockrun: b: still locked after 500 ms"
    assert_success
    assert_output "got a"
}

@test "FLOCK-10: a waiting flock fails EINTR when a handler interrupts it, and goes on with SA_RESTART" {
    local st
    hold a f fx
    local holder=$last
    bg w reclock -b -i -t 20000 f fx
    wait_for waiting f
    kill -USR1 "$last"
    st=0; wait "$last" || st=$?
    assert_equal "$st" 1
    run cat w.out w.err
    assert_output $'fx: Interrupted system call\nreclock: SIGUSR1'
    bg w reclock -b -I -t 20000 f fx
    wait_for waiting f
    kill -USR1 "$last"
    wait_for grep -q SIGUSR1 w.err
    wait_for waiting f                  # restarted: waiting again
    finish "$holder"
    wait "$last"
    run cat w.out
    assert_output "fx: locked"
}

@test "FLOCK-11: /proc/locks shows FLOCK ADVISORY WRITE pid dev:inode 0 EOF" {
    bg a lockrun f sleep 60
    wait_for locked f
    run locks_of f
    assert_output --regexp "^FLOCK +ADVISORY +WRITE $last $(lock_id f) 0 EOF$"
    kill "$last"
    wait "$last" || true
    bg a lockrun -s f sleep 60
    wait_for locked f
    run locks_of f
    assert_output --regexp "^FLOCK +ADVISORY +READ $last $(lock_id f) 0 EOF$"
}

# --- lockrun --------------------------------------------------------------------

@test "lockrun and flock(1) exclude each other, both ways, and lockrun's status is the command's" {
    bg a flock -F f sleep 60
    wait_for locked f
    run -1 bounded 10 lockrun -n f true
    assert_output "lockrun: f: locked by another process"
    run -1 bounded 10 lockrun -w 0.3 f true
    assert_output "lockrun: f: still locked after 300 ms"
    # A shared flock(1) lets a shared lockrun in, but not an exclusive one.
    kill "$last"; wait "$last" || true
    bg a flock -F -s f sleep 60
    wait_for locked f
    run -0 bounded 10 lockrun -s -n f echo shared
    assert_output shared
    run -1 bounded 10 lockrun -x -n f true
    kill "$last"; wait "$last" || true
    # The other way: lockrun holds, flock(1) is refused, then served.
    bg a lockrun f sleep 60
    wait_for locked f
    run -1 bounded 10 flock -n f true
    run -1 bounded 10 flock -w 0.3 f true
    kill "$last"; wait "$last" || true
    run -0 bounded 10 flock -n f true
    run bounded 10 lockrun f sh -c 'exit 7'
    assert_failure 7
    run -127 --separate-stderr lockrun f no-such-command
    assert_failure 127
    assert_equal "$stderr" "lockrun: no-such-command: No such file or directory"
    hold a f fx
    local holder=$last
    bg w lockrun -w 20 f echo got it
    wait_for waiting f
    finish "$holder"
    wait "$last"
    run cat w.out
    assert_output "got it"
}

@test "lockrun creates its lock file 0600 whatever the umask, and refuses a symbolic link" {
    run -0 bash -c 'umask 000; lockrun new true && stat -c %a new'
    assert_output 600
    ln -s f link
    run --separate-stderr lockrun link true
    assert_failure 1
    assert_equal "$stderr" "lockrun: link: a symbolic link; refusing it"
    mkfifo fifo
    run --separate-stderr bounded 10 lockrun fifo true
    assert_failure 1
    assert_equal "$stderr" "lockrun: fifo: not a regular file or a directory"
    rm fifo
    run -0 lockrun . echo a directory too
    needs_root "to make a file as nobody"
    public_dir=$(mktemp -d /tmp/lock-test.XXXXXX)
    chmod 1777 "$public_dir"
    as_nobody touch "$public_dir/job.lock"
    run --separate-stderr lockrun "$public_dir/job.lock" true
    assert_failure 1
    assert_equal "$stderr" "lockrun: $public_dir/job.lock: belongs to another user, in a directory every user may write to; refusing it"
    # Its own file there is fine.
    run -0 lockrun "$public_dir/mine.lock" true
}

# --- record locks -----------------------------------------------------------------

@test "REC-01: a conflicting F_SETLK fails at once, with EAGAIN on Linux (EACCES is also allowed)" {
    hold a f w:0:10
    run -1 bounded 10 reclock f w:5:1 r:9:1 w:10:5
    assert_output $'w:5:1: busy (EAGAIN)\nr:9:1: busy (EAGAIN)\nw:10:5: locked'
    finish "$last"
}

@test "REC-02: F_RDLCK needs a descriptor open for reading, F_WRLCK one open for writing (EBADF)" {
    run -1 reclock -r f w:0:1 r:0:1
    assert_output $'w:0:1: Bad file descriptor\nr:0:1: locked'
    run -1 reclock -w f r:0:1 w:0:1
    assert_output $'r:0:1: Bad file descriptor\nw:0:1: locked'
}

@test "REC-03: l_len 0 locks to EOF and beyond as the file grows; past EOF may be locked, before 0 may not (EINVAL)" {
    hold a f w:10:0
    run -0 reclock f ?w:1000000:1 ?w:0:10
    assert_output $'?w:1000000:1: blocked by a write lock on 10:0 held by pid '"$last"$'\n?w:0:10: free'
    head -c 5000 /dev/zero >> f
    run -0 reclock f ?w:4999:1
    assert_output --partial "blocked by a write lock on 10:0"
    finish "$last"
    : > f
    run -1 reclock f w:100:10 w:-1:1 show
    assert_line --index 0 "w:100:10: locked"
    assert_line --index 1 "w:-1:1: Invalid argument"
    assert_line --index 2 --regexp "^show: POSIX +ADVISORY +WRITE [0-9]+ $(lock_id f) 100 109$"
}

@test "REC-04: F_GETLK says free, or names one conflicting lock with its pid (-1 for OFD); never the caller's own" {
    hold a f w:0:10
    run -0 reclock f ?w:5:1 ?r:20:1 ?r:0:0
    assert_output "?w:5:1: blocked by a write lock on 0:10 held by pid $last
?r:20:1: free
?r:0:0: blocked by a write lock on 0:10 held by pid $last"
    finish "$last"
    hold a -o f w:0:10
    run -0 reclock f ?w:0:1
    assert_output "?w:0:1: blocked by a write lock on 0:10 held by pid -1"
    run -0 reclock -o f ?w:0:1
    assert_output "?w:0:1: blocked by a write lock on 0:10 held by pid -1"
    finish "$last"
    # A process's own lock never conflicts with its own request.
    run -0 reclock f w:0:10 ?w:0:10 r:0:10 w:0:10
    assert_output $'w:0:10: locked\n?w:0:10: free\nr:0:10: locked\nw:0:10: locked'
}

@test "REC-05: relocking part of a range splits, converts and merges the owner's locks" {
    local id
    id=$(lock_id f)
    run -0 reclock f w:0:100 u:40:20 show
    assert_line --index 2 --regexp "^show: POSIX +ADVISORY +WRITE [0-9]+ $id 0 39$"
    assert_line --index 3 --regexp "^show: POSIX +ADVISORY +WRITE [0-9]+ $id 60 99$"
    assert_equal "${#lines[@]}" 4
    run -0 reclock f w:0:10 w:10:10 show r:5:3 show
    assert_line --index 2 --regexp "^show: POSIX +ADVISORY +WRITE [0-9]+ $id 0 19$"
    assert_line --index 4 --regexp "^show: POSIX +ADVISORY +WRITE [0-9]+ $id 0 4$"
    assert_line --index 5 --regexp "^show: POSIX +ADVISORY +READ [0-9]+ $id 5 7$"
    assert_line --index 6 --regexp "^show: POSIX +ADVISORY +WRITE [0-9]+ $id 8 19$"
    assert_equal "${#lines[@]}" 7
}

@test "REC-07: record locks are not inherited by fork, kept across execve, released at exit even by SIGKILL" {
    run -1 reclock f w:0:10 fork ?w:0:10 w:0:10
    assert_line --index 2 --regexp "^\?w:0:10: blocked by a write lock on 0:10 held by pid [0-9]+$"
    assert_line --index 3 "w:0:10: busy (EAGAIN)"
    # execve: pidguard takes a record lock and becomes sh, which holds it.
    run -0 pidguard f sh -c 'echo $$; grep " $1 " /proc/locks' sh "$(lock_id f)"
    assert_line --index 1 --regexp "^[0-9]+: POSIX +ADVISORY +WRITE ${lines[0]} $(lock_id f) 0 EOF$"
    # SIGKILL: the kernel releases the dead holder's lock.
    hold a f w:0:10
    kill -KILL "$last"
    wait "$last" || true
    run locks_of f
    assert_output ""
    run -0 reclock f w:0:10
}

@test "REC-08: threads of one process share record locks and cannot exclude each other" {
    run -0 reclock f w:0:10 '&w:0:10' '&?w:0:10' '&u:0:10' show
    assert_output $'w:0:10: locked\n&w:0:10: locked\n&?w:0:10: free\n&u:0:10: unlocked\nshow: no locks'
}

@test "REC-10: a waiting F_SETLKW fails EINTR when a handler interrupts it, and goes on with SA_RESTART" {
    local st
    hold a f w:0:1
    local holder=$last
    bg w reclock -b -i -t 20000 f w:0:1
    wait_for waiting f
    kill -USR1 "$last"
    st=0; wait "$last" || st=$?
    assert_equal "$st" 1
    run cat w.out w.err
    assert_output $'w:0:1: Interrupted system call\nreclock: SIGUSR1'
    bg w reclock -b -I -t 20000 f w:0:1
    wait_for waiting f
    kill -USR1 "$last"
    wait_for grep -q SIGUSR1 w.err
    wait_for waiting f
    finish "$holder"
    wait "$last"
    run cat w.out
    assert_output "w:0:1: locked"
    hold a f w:0:1
    run -1 bounded 10 reclock -b -t 300 f w:0:1
    assert_output "w:0:1: still busy after 300 ms"
    finish "$last"
}

@test "F_SETLKW fails EDEADLK rather than close a cycle of classic locks; OFD locks are not checked" {
    local st
    bg a reclock -b -t 20000 f w:0:1 hold w:1:1
    wait_for grep -q 'waits for SIGUSR2$' a.out
    local first=$last
    bg b reclock -b -t 20000 f w:1:1 hold w:0:1
    wait_for grep -q 'waits for SIGUSR2$' b.out
    kill -USR2 "$first"                 # it now waits for byte 1
    wait_for waiting f
    kill -USR2 "$last"                  # byte 0 would close the cycle
    st=0; wait "$last" || st=$?
    assert_equal "$st" 1
    run tail -n 1 b.out
    assert_output "w:0:1: Resource deadlock avoided"
    wait "$first"                       # b is gone: a gets byte 1
    run tail -n 1 a.out
    assert_output "w:1:1: locked"
    # The same cycle of OFD locks: no EDEADLK; the first to reach its
    # bound gives up, and then the other gets the lock.  The bounds differ
    # (500 ms and 10 s): with equal ones both may give up at once.  (Under
    # valgrind a signal does not interrupt a waiting F_OFD_SETLKW: it would
    # hang.)
    [ "${VALGRIND:-}" != 1 ] || return 0
    bg a reclock -o -b -t 500 f w:0:1 hold w:1:1
    wait_for grep -q 'waits for SIGUSR2$' a.out
    first=$last
    bg b reclock -o -b -t 10000 f w:1:1 hold w:0:1
    wait_for grep -q 'waits for SIGUSR2$' b.out
    kill -USR2 "$first" "$last"
    local s1=0 s2=0
    wait "$last" || s2=$?
    wait "$first" || s1=$?
    assert_equal "$s1 $s2" "1 0"
    run tail -n 1 a.out
    assert_output "w:1:1: still busy after 500 ms"
    run tail -n 1 b.out
    assert_output "w:0:1: locked"
    run cat a.out b.out
    refute_output --partial "deadlock"
    bg_pids=
}

@test "REC-11: OFD locks belong to the open file description: inherited by fork, kept until the last close (classic ones go at any close), two opens conflict, OFD vs classic conflict" {
    # A classic lock goes at the close of any descriptor of the file
    run -0 reclock f w:0:10 open close show
    assert_line --index 0 "w:0:10: locked"
    assert_line --index 1 --regexp "^open: descriptor [0-9]+$"
    assert_line --index 2 --regexp "^close: descriptor [0-9]+ closed$"
    assert_line --index 3 "show: no locks"
    # fork: the child is the same owner (classic locks: another one, REC-07)
    run -0 reclock -o f w:0:10 fork w:0:10 ?w:0:10 show
    assert_line --index 2 "w:0:10: locked"
    assert_line --index 3 "?w:0:10: free"
    assert_line --index 4 --regexp "^show: OFDLCK ADVISORY +WRITE -1 $(lock_id f) 0 9$"
    assert_equal "${#lines[@]}" 5
    # another open's close does not release it
    run -0 reclock -o f w:0:10 open close show
    assert_line --index 3 --regexp "^show: OFDLCK ADVISORY +WRITE -1 $(lock_id f) 0 9$"
    # two opens in one process, and in two threads, conflict
    run -1 reclock -o f w:0:10 open w:0:10 '&w:0:10'
    assert_line --index 0 "w:0:10: locked"
    assert_line --index 2 "w:0:10: busy (EAGAIN)"
    assert_line --index 3 "&w:0:10: busy (EAGAIN)"
    # an OFD lock and a classic lock conflict, even in one process
    run -1 reclock f w:0:10 ofd w:0:10 posix u:0:10 ofd w:0:10
    assert_line --index 2 "w:0:10: busy (EAGAIN)"
    assert_line --index 4 "u:0:10: unlocked"
    assert_line --index 6 "w:0:10: locked"
}

@test "REC-12: mandatory locking is gone: on a mand mount a setgid file's write lock stops no read or write" {
    needs_root "to mount a file system"
    mkdir mnt
    run bounded 30 unshare -m sh -c '
        mount -t tmpfs -o mand none "$1" 2>/dev/null || exit 3
        grep " $1 " /proc/self/mountinfo | grep -q "[ ,]mand" &&
            echo "mounted with mand"
        printf data > "$1/g"; chmod 2644 "$1/g"
        stat -c %A "$1/g"
        reclock "$1/g" w:0:0 hold > "$1/out" &
        i=0; until grep -qs SIGUSR2 "$1/out" || [ $i -ge 200 ]; do
            i=$((i+1)); sleep 0.05; done
        cat "$1/out"
        timeout 5 cat "$1/g"; echo " read: $?"
        echo more >> "$1/g"; echo "write: $?"
        kill $!; wait $!; umount "$1"' sh "$PWD/mnt"
    [ "$status" -ne 3 ] || skip "this kernel refuses the mand mount option"
    assert_success
    assert_line --index 0 "mounted with mand"
    assert_line --index 1 -- "-rw-r-Sr--"
    assert_line --index 2 "w:0:0: locked"
    assert_line --index 4 "data read: 0"
    assert_line --index 5 "write: 0"
    rmdir mnt
}

@test "REC-13: /proc/locks shows a classic lock as POSIX with its pid, an OFD lock as OFDLCK with pid -1" {
    hold a f w:0:10 ofd w:20:10
    run locks_of f
    assert_line --regexp "^POSIX +ADVISORY +WRITE $last $(lock_id f) 0 9$"
    assert_line --regexp "^OFDLCK ADVISORY +WRITE -1 $(lock_id f) 20 29$"
    assert_equal "${#lines[@]}" 2
    finish "$last"
}

@test "REC-14: on Linux a waiting writer does not stop new readers (the order is implementation-defined)" {
    hold a f r:0:10
    local reader=$last
    bg w reclock -b -t 20000 f w:0:10
    wait_for waiting f
    run -0 bounded 10 reclock f r:0:10
    assert_output "r:0:10: locked"
    finish "$reader"
    wait "$last"
    run cat w.out
    assert_output "w:0:10: locked"
}

# --- the PID file guard -------------------------------------------------------

@test "REC-15: pidguard holds a locked PID file for the daemon's life; a second copy fails at once with its pid" {
    bg d pidguard p.pid sleep 60
    wait_for grep -qx "$last" p.pid
    run --separate-stderr bounded 10 pidguard p.pid echo second
    assert_failure 1
    assert_output ""
    assert_equal "$stderr" "pidguard: p.pid: already running as pid $last"
    run locks_of p.pid
    assert_output --regexp "^POSIX +ADVISORY +WRITE $last $(lock_id p.pid) 0 EOF$"
    run stat -c %a p.pid
    assert_output 644
    # Killed: its lock goes with it, and the next copy takes the file.
    kill -KILL "$last"
    wait "$last" || true
    run -0 pidguard p.pid sh -c 'echo $$; cat p.pid'
    assert_equal "${lines[0]}" "${lines[1]}"
    ln -s f link
    run --separate-stderr pidguard link true
    assert_failure 1
    assert_equal "$stderr" "pidguard: link: a symbolic link; refusing it"
    needs_root "to make a file as nobody's"
    touch theirs
    chown nobody theirs
    run --separate-stderr pidguard theirs true
    assert_failure 1
    assert_equal "$stderr" "pidguard: theirs: not a regular file of ours; refusing it"
}

# --- the counter ---------------------------------------------------------------

@test "lock_count: 4 x 50000 increments under flock, fcntl and OFD locks give exactly 200000" {
    local n=50000 m
    [ "${VALGRIND:-}" = 1 ] && n=2000       # valgrind is slow
    for m in flock fcntl ofd; do
        rm -f "c.$m"
        run -0 bounded 40 lock_count -m "$m" -p 4 -n "$n" "c.$m"
        assert_output "$m: 4 x $n increments, counter went from 0 to $((4 * n)) (lost 0)"
    done
    # A rerun continues from where the last one stopped.
    run -0 bounded 40 lock_count -m flock -p 2 -n 10 c.flock
    assert_output "flock: 2 x 10 increments, counter went from $((4 * n)) to $((4 * n + 20)) (lost 0)"
}

@test "lock_count: without a lock, increments are lost" {
    [ "$(nproc)" -ge 2 ] || skip "needs two CPUs: on one, the window is rarely cut"
    local n=50000
    [ "${VALGRIND:-}" = 1 ] && n=5000
    run bounded 40 lock_count -m none -p 4 -n "$n" c
    assert_failure 1
    assert_output --regexp "^none: 4 x $n increments, counter went from 0 to [0-9]+ \(lost [1-9][0-9]*\)$"
    echo "# without a lock: ${output##*counter went}" >&3
}

@test "lock_count: a holder killed with SIGKILL leaves no lock behind: the others finish, nothing lost" {
    local m pid holder
    for m in flock fcntl ofd; do
        rm -f c
        bg k lock_count -k -m "$m" -p 3 -n 500 -t 20000 c
        wait_for grep -q 'holds the lock; kill it$' k.err
        pid=$(sed -n 's/^lock_count: pid \([0-9]*\) holds.*/\1/p' k.err)
        run locks_of c
        [ "$m" = ofd ] && holder=-1 || holder=$pid
        assert_line --index 0 --regexp "^[A-Z]+ +ADVISORY +WRITE $holder $(lock_id c) 0 EOF$"
        kill -KILL "$pid"
        wait "$last"
        run cat k.out k.err
        assert_line "$m: 2 x 500 increments, counter went from 0 to 1000 (lost 0)"
        assert_line "lock_count: pid $pid was killed by signal 9"
    done
    bg_pids=
}

@test "lock_count: a holder that never lets go costs the others -t ms; the file is made 0600 and checked" {
    printf '\0\0\0\0\0\0\0\0' > c
    hold a c w:0:0
    run bounded 20 lock_count -m fcntl -p 1 -n 10 -t 300 c
    assert_failure 1
    assert_line --regexp "^lock_count: pid [0-9]+: no fcntl lock on c within 300 ms; is its holder stuck\?$"
    assert_line "fcntl: 0 x 10 increments, counter went from 0 to 0 (lost 0)"
    finish "$last"
    run -0 bash -c 'umask 000; lock_count -p 1 -n 1 new && stat -c "%a %s" new'
    assert_line "600 8"
    ln -s new link
    run --separate-stderr lock_count link
    assert_failure 1
    assert_equal "$stderr" "lock_count: link: a symbolic link; refusing it"
    echo 123 > short
    run --separate-stderr lock_count short
    assert_failure 1
    assert_equal "$stderr" "lock_count: short: 4 bytes, too short (at least 8)"
    needs_root "to make a file as nobody's"
    printf '\0\0\0\0\0\0\0\0' > theirs
    chown nobody theirs
    run --separate-stderr lock_count theirs
    assert_failure 1
    assert_equal "$stderr" "lock_count: theirs: not a regular file of ours; refusing it"
}

# --- what the tools see ------------------------------------------------------

@test "/proc/locks and lslocks list the tools' locks: flock, POSIX and OFD" {
    bg a lockrun f sleep 60
    local sleeper=$last
    : > g
    hold b g w:0:10 ofd w:20:0
    wait_for locked f
    run -0 lslocks -n -o COMMAND,PID,TYPE,MODE,START,END,PATH
    assert_line --regexp "^sleep +$sleeper +FLOCK +WRITE +0 +0 +$PWD/f$"
    # (under valgrind, the command is valgrind's)
    assert_line --regexp "^(reclock|memcheck-amd64-) +$last +POSIX +WRITE +0 +9 +$PWD/g$"
    assert_line --regexp "^\(undefined\) +-1 +OFDLCK +WRITE +20 +0 "
    finish "$last"
}

# --- the benchmark ------------------------------------------------------------

@test "lock_bench -C: every hand-off comes in its turn; flock/bench.sh (QUICK=1) writes a whole table" {
    local m
    for m in flock fcntl ofd; do
        run -0 bounded 60 lock_bench -C -n 300 "$m" 0 0
        assert_output "$m: 600 hand-offs, each in its turn"
    done
    run -0 bounded 60 lock_bench -n 100 ofd 0 0
    assert_output --regexp '^ofd: 200 hand-offs: [0-9.]+ s, [0-9.]+ ns per hand-off$'
    run -0 bounded 60 lock_bench -u -n 1000 flock 0
    assert_output --regexp '^flock: 1000 lock/unlock pairs: [0-9.]+ s, [0-9.]+ ns per pair$'
    local two=1 md=$BATS_TEST_TMPDIR/13-file-locks-latency.md
    [ "$(taskset -pc $$ | sed 's/.*: //')" != "$(taskset -pc $$ | sed 's/.*: //; s/[,-].*//')" ] || two=
    QUICK=1 OUT=$BATS_TEST_TMPDIR run -0 bounded 120 "$IPC_ROOT/book/build/src/flock/bench.sh"
    run -0 cat "$md"
    if [ -n "$two" ]; then
        assert_line --index 0 "| lock | hand-off, one CPU | hand-off, two CPUs | lock and unlock, alone |"
        assert_line --regexp '^\| ofd( \| [0-9.]+ ±[0-9.]+ %){3} \|$'
    else
        assert_line --index 0 "| lock | hand-off, one CPU | lock and unlock, alone |"
    fi
    assert_line --regexp '^\| flock( \| [0-9.]+ ±[0-9.]+ %)+ \|$'
    assert_line --regexp '^Time in ns of one hand-off .*, one run\.$'
    assert_line --regexp "^Measured on .*, Linux $(uname -r), "
}

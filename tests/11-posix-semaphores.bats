#!/usr/bin/env bats
# Tests of chapter 11, POSIX semaphores: the API through psem_ctl, the
# counter (psem_count) under a named, an unnamed and no semaphore, a holder
# killed with SIGKILL, the bounded buffer (psem_buffer), the benchmark's
# check mode and its script.

load helpers/common

setup() {
    ipc_audit_begin
    cd "$BATS_TEST_TMPDIR"
    # A name of this test's own, in case the world is only scoped.
    S=/psem-test.$$.$BATS_TEST_NUMBER
    F=/dev/shm/sem.${S#/}
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

# blocked PID: PID sleeps in the kernel on a futex (a semaphore wait).
blocked() {
    [[ $(cat "/proc/$1/wchan" 2>/dev/null) == futex* ]]
}

# counter FILE: the 64-bit counter in FILE, in decimal.
counter() {
    od -An -t u8 "$1" | tr -d ' '
}

# has_children PID N: PID has N children.
has_children() {
    [ "$(pgrep -c -P "$1")" = "$2" ]
}

# gone PID...: none of the PIDs is alive.
gone() {
    local p
    for p in "$@"; do
        ! kill -0 "$p" 2>/dev/null || return 1
    done
}

# counter_is FILE N: the counter in FILE is N.
counter_is() {
    [ "$(counter "$1")" = "$2" ]
}

# now_ms: the monotonic time in milliseconds.
now_ms() {
    awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# --- usage and arguments -------------------------------------------------

@test "every program prints its usage with -h (status 0) and refuses an unknown option (status 2)" {
    assert_usage_conventions psem_ctl psem_count psem_buffer psem_bench
}

@test "bad arguments give a one-line error and status 2, and create nothing" {
    run --separate-stderr psem_ctl -c -v 2147483648 "$S"
    assert_failure 2
    assert_equal "$stderr" "psem_ctl: value: '2147483648' is not a number from 0 to 2147483647"
    run --separate-stderr psem_ctl -c "$S" post fly
    assert_failure 2
    assert_equal "$stderr" "psem_ctl: unknown operation 'fly'"
    run --separate-stderr psem_ctl -c -m 800 "$S"
    assert_failure 2
    assert_equal "$stderr" "psem_ctl: mode: '800' is not an octal mode from 0 to 0777"
    run -2 psem_ctl -o "$S"
    run --separate-stderr psem_count -m lock c
    assert_failure 2
    assert_equal "$stderr" "psem_count: mode: 'lock' is not named, unnamed or none"
    run --separate-stderr psem_count -m none -k c
    assert_failure 2
    assert_equal "$stderr" "psem_count: -k needs a semaphore, -P -m unnamed, -a and -s -m named"
    run -2 psem_count -m named -P c
    run -2 psem_count -m unnamed -s "$S" c
    run --separate-stderr psem_count -s noslash c
    assert_failure 2
    assert_equal "$stderr" "psem_count: name: 'noslash' is not /NAME of at most 254 characters"
    run -2 psem_count -p 0 c
    run -2 psem_count
    run -2 psem_buffer -p 0
    run -2 psem_buffer -s 0
    run -2 psem_buffer extra
    run --separate-stderr psem_bench -m other pair 0
    assert_failure 2
    assert_equal "$stderr" "psem_bench: mode: 'other' is not named or unnamed"
    run -2 psem_bench handoff 0
    assert_file_not_exists c
    assert_file_not_exists "$F"
}

# --- the API through psem_ctl ---------------------------------------------

@test "psem_ctl: the chapter's first session prints what the text shows" {
    run -0 psem_ctl -c -k -v 2 "$S" trywait trywait value
    assert_output $'trywait: ok\ntrywait: ok\nvalue: 0'
    run --separate-stderr psem_ctl "$S" trywait
    assert_failure 1
    assert_equal "$stderr" "psem_ctl: $S: trywait: EAGAIN (Resource temporarily unavailable)"
    run -0 psem_ctl "$S" post value unlink
    assert_output $'post: ok\nvalue: 1\nunlink: ok'
    assert_file_not_exists "$F"
}

@test "PSEM-01: a named semaphore is the file /dev/shm/sem.NAME (mode 0600 under umask 000); 251 characters fit, 252 do not" {
    umask 000
    run -0 psem_ctl -c -k "$S" value
    assert_output "value: 0"
    assert_file_exists "$F"
    assert_equal "$(stat -c '%a %U' "$F")" "600 $(id -un)"
    [ "$(getconf LONG_BIT)" != 64 ] || assert_equal "$(stat -c %s "$F")" 32
    # rm does what sem_unlink does
    rm "$F"
    run -1 psem_ctl "$S" value
    assert_output "psem_ctl: $S: sem_open: ENOENT (No such file or directory)"
    long=$(printf 'n%.0s' $(seq 251))
    run -0 psem_ctl -c "/$long" post value
    assert_line "value: 1"
    run -1 psem_ctl -c "/${long}x" value
    assert_output "psem_ctl: /${long}x: sem_open: ENAMETOOLONG (File name too long)"
    run -1 psem_ctl -c "$S/b" value
    assert_output "psem_ctl: $S/b: sem_open: EINVAL (Invalid argument)"
    run -1 psem_ctl -c / value
    assert_output "psem_ctl: /: sem_open: EINVAL (Invalid argument)"
    # glibc accepts a name without its slash, for the same file
    run -0 psem_ctl -c -k "${S#/}" post
    assert_file_exists "$F"
    run -0 psem_ctl "$S" value unlink
    assert_output $'value: 1\nunlink: ok'
    assert_file_not_exists "$F"
}

@test "PSEM-02: O_CREAT on an existing semaphore ignores mode and value; O_CREAT|O_EXCL fails with EEXIST" {
    run -0 psem_ctl -c -k -v 5 "$S"
    run -0 psem_ctl -c -o -v 9 -m 666 "$S" value
    assert_output "value: 5"
    assert_equal "$(stat -c %a "$F")" 600
    run -1 psem_ctl -c -v 9 "$S" value
    assert_output "psem_ctl: $S: sem_open: EEXIST (File exists)"
    # the failed create removed nothing: the semaphore is still there
    run -0 psem_ctl "$S" value unlink
    assert_output $'value: 5\nunlink: ok'
}

@test "PSEM-03: trywait on 0 gives EAGAIN; timedwait and clockwait time out with ETIMEDOUT after their deadline; a free semaphore ignores a past deadline" {
    run -1 psem_ctl -c "$S" trywait
    assert_output "psem_ctl: $S: trywait: EAGAIN (Resource temporarily unavailable)"
    t0=$(now_ms)
    run -1 psem_ctl -c -t 300 "$S" timedwait
    t1=$(now_ms)
    assert_output "psem_ctl: $S: timedwait: ETIMEDOUT (Connection timed out)"
    (( t1 - t0 >= 290 ))
    t0=$(now_ms)
    run -1 psem_ctl -c -t 300 "$S" clockwait
    t1=$(now_ms)
    assert_output "psem_ctl: $S: clockwait: ETIMEDOUT (Connection timed out)"
    (( t1 - t0 >= 290 ))
    # -t 0: the deadline has passed by the time of the call
    run -0 psem_ctl -c -v 2 -t 0 "$S" timedwait clockwait
    assert_output $'timedwait: ok\nclockwait: ok'
    run -1 psem_ctl -c -t 0 "$S" timedwait
    assert_output "psem_ctl: $S: timedwait: ETIMEDOUT (Connection timed out)"
}

@test "PSEM-03: glibc checks the deadline's validity even when the semaphore is free (EINVAL), which POSIX allows it to skip" {
    run -1 psem_ctl -c -k -v 1 -B "$S" timedwait
    assert_output "psem_ctl: $S: timedwait: EINVAL (Invalid argument)"
    run -1 psem_ctl -B "$S" clockwait
    assert_output "psem_ctl: $S: clockwait: EINVAL (Invalid argument)"
    # the failed waits took nothing; on a taken one, EINVAL as well
    run -0 psem_ctl "$S" value trywait
    assert_output $'value: 1\ntrywait: ok'
    run -1 psem_ctl -B "$S" timedwait
    assert_output "psem_ctl: $S: timedwait: EINVAL (Invalid argument)"
    run -0 psem_ctl "$S" unlink
}

@test "PSEM-04: sem_post beyond SEM_VALUE_MAX fails with EOVERFLOW and leaves the value" {
    run -1 psem_ctl -c -k -v 2147483647 "$S" value post
    assert_output - <<EOF
value: 2147483647
psem_ctl: $S: post: EOVERFLOW (Value too large for defined data type)
EOF
    run -0 psem_ctl "$S" value trywait post value unlink
    assert_output $'value: 2147483647\ntrywait: ok\npost: ok\nvalue: 2147483647\nunlink: ok'
}

@test "PSEM-06: a caught signal makes sem_wait fail with EINTR without SA_RESTART, and resumes it with SA_RESTART" {
    : > out
    psem_ctl -c -i "$S" wait > out 2>&1 3>&- &
    bg_pids=$!
    wait_for blocked "$bg_pids"
    kill -USR1 "$bg_pids"
    reap "$bg_pids"
    assert_equal "status $rc" "status 1"
    bg_pids=
    assert_equal "$(cat out)" $'caught SIGUSR1\npsem_ctl: '"$S"$': wait: EINTR (Interrupted system call)'
    assert_file_not_exists "$F"
    : > out
    psem_ctl -c -r "$S" wait > out 2>&1 3>&- &
    bg_pids=$!
    wait_for blocked "$bg_pids"
    kill -USR1 "$bg_pids"
    wait_for grep -qx "caught SIGUSR1" out
    # handled, and asleep in the same wait again
    wait_for blocked "$bg_pids"
    run -0 psem_ctl "$S" post
    reap "$bg_pids"
    assert_equal "status $rc" "status 0"
    bg_pids=
    assert_equal "$(cat out)" $'caught SIGUSR1\nwait: ok'
}

@test "PSEM-07: while two processes are blocked on it, sem_getvalue reads 0, not -2" {
    psem_ctl -c "$S" wait > out1 3>&- &
    bg_pids=$!
    wait_for test -e "$F"
    psem_ctl "$S" wait > out2 3>&- &
    bg_pids="$! $bg_pids"
    for p in $bg_pids; do wait_for blocked "$p"; done
    run -0 psem_ctl "$S" value
    assert_output "value: 0"
    run -0 psem_ctl "$S" post post
    for p in $bg_pids; do wait "$p"; done
    bg_pids=
    assert_equal "$(cat out1 out2)" $'wait: ok\nwait: ok'
}

@test "PSEM-08: a named semaphore outlives its processes; one that dies holding it leaves the value taken" {
    run -0 psem_ctl -c -k -v 1 "$S"
    run -0 psem_ctl "$S" value
    assert_output "value: 1"
    : > out
    psem_ctl "$S" wait pause > out 3>&- &
    bg_pids=$!
    wait_for grep -qx "pause: waiting for a signal" out
    kill -KILL "$bg_pids"
    wait "$bg_pids" || true
    bg_pids=
    run -0 psem_ctl "$S" value
    assert_output "value: 0"
    run -1 psem_ctl -t 200 "$S" clockwait
    assert_output "psem_ctl: $S: clockwait: ETIMEDOUT (Connection timed out)"
    # the operator's repair: give the unit back (or remove the name)
    run -0 psem_ctl "$S" post value unlink
    assert_output $'post: ok\nvalue: 1\nunlink: ok'
}

@test "psem_ctl: another user cannot open a semaphore of mode 0600 (EACCES), but can one of 0666" {
    needs_root "open a semaphore as another user"
    run -0 psem_ctl -c -k "$S"
    run -1 as_nobody "$IPC_BIN/psem_ctl" "$S" value
    assert_output "psem_ctl: $S: sem_open: EACCES (Permission denied)"
    run -0 psem_ctl "$S" unlink
    umask 022
    run -0 psem_ctl -c -k -m 666 "$S"
    assert_equal "$(stat -c %a "$F")" 666      # the umask cleared around it
    run -0 as_nobody "$IPC_BIN/psem_ctl" "$S" post value
    assert_output $'post: ok\nvalue: 1'
    run -0 psem_ctl "$S" unlink
}

# --- linking ----------------------------------------------------------------

@test "PSEM-10: since glibc 2.34 sem_open links from libc.so.6 with -pthread, -lrt or nothing; before, -lrt alone failed" {
    cat > t.c <<'EOF'
#include <fcntl.h>
#include <semaphore.h>
int main(void)
{
    sem_t *s = sem_open("/psem10-nothing-here", 0);
    return s == SEM_FAILED ? 0 : 1;
}
EOF
    run -0 cc -pthread -o with-pthread t.c
    run -0 ./with-pthread
    version=$(getconf GNU_LIBC_VERSION | awk '{ print $2 }')
    minor=${version#2.}
    minor=${minor%%.*}
    if (( minor >= 34 )); then
        run -0 cc -o with-lrt t.c -lrt
        run -0 cc -o with-nothing t.c
        for p in with-pthread with-lrt with-nothing; do
            # the symbol's version is libc's 2.34, and libc is all it needs
            run -0 objdump -p -T "$p"
            assert_output --regexp 'GLIBC_2\.34\)? +sem_open'
            assert_line --regexp '^ +NEEDED +libc\.so\.6$'
            refute_output --partial libpthread
            refute_output --partial librt
        done
    else
        run ! cc -o with-lrt t.c -lrt
        assert_output --partial sem_open
    fi
}

# --- the counter ------------------------------------------------------------

@test "psem_count: 4 x 50000 increments under a named and an unnamed semaphore give exactly 200000 each, leaving no name" {
    run -0 bounded 40 psem_count -m named c
    assert_output "named: 4 x 50000 increments, counter went from 0 to 200000 (lost 0)"
    run -0 bounded 40 psem_count -m unnamed c
    assert_output "unnamed: 4 x 50000 increments, counter went from 200000 to 400000 (lost 0)"
    assert_equal "$(counter c)" 400000
    assert_equal "$(stat -c %a c)" 600
    run -0 ls -A /dev/shm
    refute_output --partial psem_count
}

@test "psem_count -m none: 4 x 50000 unprotected increments fall short" {
    (( $(nproc) >= 2 )) || skip "one CPU: the processes rarely overlap"
    run -1 bounded 40 psem_count -m none c
    assert_output --regexp '^none: 4 x 50000 increments, counter went from 0 to [0-9]+ \(lost [1-9][0-9]*\)$'
    lost=${output##*lost }
    echo "# none: ${lost%)} of 200000 increments lost" >&3
}

@test "PSEM-09: an unnamed semaphore in private memory excludes nothing: with the holder inside, another process goes straight in" {
    : > out
    psem_count -m unnamed -P -k -p 1 -n 1000 -t 500 c > out 2> err 3>&- &
    bg_pids=$!
    wait_for grep -q "holds the unnamed semaphore: kill it" out
    holder=$(sed -n 's/^psem_count: process \([0-9]*\) holds.*/\1/p' out)
    # the other process finishes its 1000 while the holder still holds
    wait_for counter_is c 1000
    kill -0 "$holder"
    kill -KILL "$holder"
    reap "$bg_pids"
    assert_equal "status $rc" "status 0"
    bg_pids=
    assert_equal "$(tail -n 1 out)" "unnamed: 1 x 1000 increments, counter went from 0 to 1000 (lost 0)"
    assert_equal "$(cat err)" "psem_count: process $holder killed by SIGKILL"
    # in shared memory, the same holder keeps the other one out
    : > out
    psem_count -m unnamed -k -p 1 -n 1000 -t 300 c > out 2> err 3>&- &
    bg_pids=$!
    wait_for grep -q "holds the unnamed semaphore: kill it" out
    holder=$(sed -n 's/^psem_count: process \([0-9]*\) holds.*/\1/p' out)
    wait_for grep -q "failed" err
    kill -KILL "$holder"
    reap "$bg_pids"
    assert_equal "status $rc" "status 1"
    bg_pids=
    run -0 grep -x "psem_count: the unnamed semaphore still taken after 300 ms: its holder is stopped, or died holding it (nobody gives a POSIX semaphore back)" err
    assert_equal "$(tail -n 1 out)" "unnamed: 1 x 1000 increments, counter went from 1000 to 1000 (lost 1000)"
}

@test "psem_count: a holder killed with SIGKILL leaves the named semaphore taken; the others fail after their bound, naming it, and nothing is left" {
    : > out
    psem_count -m named -s "$S" -k -p 2 -n 1000 -t 1000 c > out 2> err 3>&- &
    bg_pids=$!
    wait_for grep -q "holds semaphore $S: kill it" out
    holder=$(sed -n 's/^psem_count: process \([0-9]*\) holds.*/\1/p' out)
    kill -KILL "$holder"
    reap "$bg_pids"
    assert_equal "status $rc" "status 1"
    bg_pids=
    run -0 grep -c "^psem_count: semaphore $S still taken after 1000 ms: its holder is stopped, or died holding it (nobody gives a POSIX semaphore back)$" err
    assert_output 2
    run -0 grep -c '^psem_count: process [0-9]* failed$' err
    assert_output 2
    run -0 grep -x "psem_count: process $holder killed by SIGKILL" err
    assert_equal "$(tail -n 1 out)" "named: 2 x 1000 increments, counter went from 0 to 0 (lost 2000)"
    assert_file_not_exists "$F"
}

@test "psem_count: the named semaphore is removed on SIGINT, SIGTERM and SIGHUP, and the children die with the parent" {
    for sig in INT TERM HUP; do
        : > out
        env --default-signal=INT psem_count -m named -s "$S" -k -p 1 -n 10 c > out 2>/dev/null 3>&- &
        bg_pids=$!
        wait_for grep -q "holds semaphore $S" out
        holder=$(sed -n 's/^psem_count: process \([0-9]*\) holds.*/\1/p' out)
        assert_file_exists "$F"
        kill -"$sig" "$bg_pids"
        status=0
        wait "$bg_pids" || status=$?
        bg_pids=
        assert_equal "$sig: $status" "$sig: $((128 + $(kill -l "$sig")))"
        assert_file_not_exists "$F"
        wait_for gone "$holder"
    done
}

@test "psem_count: refuses a squatted name, and adopts with -a only a semaphore of ours, mode 0600, at 1" {
    needs_root "create the squatter's semaphore as nobody"
    run -0 as_nobody "$IPC_BIN/psem_ctl" -c -k -m 666 -v 1 "$S"
    run -1 psem_count -m named -s "$S" -p 1 -n 10 c
    assert_output "psem_count: semaphore $S exists, and we did not make it: not adopted (-a adopts one of ours; rm $F removes it)"
    run -1 psem_count -m named -s "$S" -a -p 1 -n 10 c
    assert_output "psem_count: semaphore $S belongs to uid $(id -u nobody), not to us: not adopted"
    rm "$F"
    run -0 psem_ctl -c -k -m 644 -v 1 "$S"
    run -1 psem_count -m named -s "$S" -a -p 1 -n 10 c
    assert_output "psem_count: semaphore $S has mode 644, open to other users: not adopted"
    run -0 psem_ctl "$S" unlink
    run -0 psem_ctl -c -k "$S"
    run -1 psem_count -m named -s "$S" -a -p 1 -n 10 c
    assert_output "psem_count: semaphore $S has value 0, not 1: taken (by a process that died holding it?); not adopted"
    run -0 psem_ctl "$S" post
    run -0 psem_count -m named -s "$S" -a -p 2 -n 1000 c
    assert_output "named: 2 x 1000 increments, counter went from 0 to 2000 (lost 0)"
    # adopted, so not ours to remove: still there, free
    run -0 psem_ctl "$S" value unlink
    assert_output $'value: 1\nunlink: ok'
}

@test "psem_count: the counter file is created 0600 under umask 000, continued by a rerun, and refused when it is a link, the wrong size or another user's" {
    umask 000
    run -0 psem_count -m unnamed -p 1 -n 5 c
    assert_equal "$(stat -c %a c)" 600
    run -0 psem_count -m unnamed -p 2 -n 5 c
    assert_output "unnamed: 2 x 5 increments, counter went from 5 to 15 (lost 0)"
    ln -s c link
    run -1 psem_count -m unnamed link
    assert_output "psem_count: link: a symbolic link: refused"
    printf 'twelve bytes' > long
    run -1 psem_count -m unnamed long
    assert_output "psem_count: long: 12 bytes, too long (at most 8)"
    mkfifo fifo
    run -1 bounded 5 psem_count -m unnamed fifo
    assert_output "psem_count: fifo: not a regular file"
    rm fifo
    if setpriv --reuid=nobody true 2>/dev/null; then
        cp c theirs
        chown nobody theirs
        run -1 psem_count -m unnamed theirs
        assert_output "psem_count: theirs: belongs to uid $(id -u nobody), not to us: refused"
    fi
    assert_equal "$(counter c)" 15
}

# --- the bounded buffer -----------------------------------------------------

@test "psem_buffer: 4 producers x 5000 items through 8 slots to 4 consumers: every item taken exactly once" {
    run -0 bounded 40 psem_buffer -v -p 4 -c 4 -n 5000 -s 8
    assert_equal "${lines[-1]}" "4 producers x 5000 items, 4 consumers, 8 slots: 20000 taken, each exactly once"
    # the consumers' own account, checked apart from the program's
    printf '%s\n' "${lines[@]}" | sed -n 's/^consumer [0-3]: //p' | sort > taken
    for p in 0 1 2 3; do seq 0 4999 | sed "s/^/producer $p item /"; done |
        sort > expected
    run -0 diff expected taken
}

@test "psem_buffer: one slot, many more consumers than producers, and the reverse" {
    run -0 bounded 20 psem_buffer -p 1 -c 6 -n 300 -s 1
    assert_output "1 producers x 300 items, 6 consumers, 1 slots: 300 taken, each exactly once"
    run -0 bounded 20 psem_buffer -p 6 -c 1 -n 300 -s 1
    assert_output "6 producers x 300 items, 1 consumers, 1 slots: 1800 taken, each exactly once"
}

@test "psem_buffer: with the consumers stopped, the producers and the parent fail after their bound, naming what did not come" {
    psem_buffer -p 2 -c 2 -n 100000 -s 1 -t 300 > out 2> err 3>&- &
    bg_pids=$!
    wait_for has_children "$bg_pids" 4
    kids=$(pgrep -P "$bg_pids" | head -n 2)   # the consumers, forked first
    kill -STOP $kids
    reap "$bg_pids"
    assert_equal "status $rc" "status 1"
    bg_pids=
    kill -CONT $kids
    wait_for gone $kids
    run -0 grep -cE "^psem_buffer: producer [01]: (no free slot within 300 ms \(are the consumers stuck\?\)|the ring's lock not free within 300 ms \(its holder died holding it\?\))$" err
    assert_output 2
    run -0 grep -E "^psem_buffer: parent: (no free slot|the ring's lock not free) within 300 ms" err
}

@test "psem_buffer: SIGKILL of the parent and every child leaves nothing behind: the semaphores have no name" {
    psem_buffer -p 2 -c 2 -n 100000 -s 4 > /dev/null 2>&1 3>&- &
    bg_pids=$!
    wait_for has_children "$bg_pids" 4
    kids=$(pgrep -P "$bg_pids")
    kill -KILL "$bg_pids" $kids
    reap "$bg_pids"
    bg_pids=
    assert_equal "status $rc" "status 137"
    wait_for gone $kids
    # the audit, in teardown, finds nothing in /dev/shm or elsewhere
}

# --- the benchmark ------------------------------------------------------------

@test "psem_bench -C: every hand-off brings the data written before it, named and unnamed; pairs leave the value at 1" {
    run -0 bounded 30 psem_bench -C -n 2000 handoff 0 0
    assert_output "handoff: 2201 round trips between CPUs 0 and 0, each brought its data"
    run -0 bounded 30 psem_bench -C -m named -n 2000 handoff 0 0
    assert_output "handoff: 2201 round trips between CPUs 0 and 0, each brought its data"
    run -0 bounded 30 psem_bench -C -m named -n 1000 pair 0
    assert_output "pair: 1101 pairs on CPU 0, the value back at 1"
    run -0 bounded 30 psem_bench -n 1000 pair 0
    assert_output --regexp '^pair: 1000 pairs on CPU 0: [0-9.]+ s, [0-9.]+ ns per pair$'
}

@test "psem_bench: an uncontended wait and post make no system call; a hand-off to a sleeping process makes futex calls" {
    command -v strace > /dev/null || skip "strace is not installed"
    # the program itself, never the valgrind wrapper; and LeakSanitizer
    # cannot run under ptrace (the semaphores do not care)
    export ASAN_OPTIONS=detect_leaks=0
    run -0 strace -f -o pair.trace -e trace=futex "$IPC_BIN/psem_bench" -m named -n 10000 pair 0
    run -1 grep -c futex pair.trace
    assert_output 0
    run -0 strace -f -o handoff.trace -e trace=futex "$IPC_BIN/psem_bench" -n 1000 handoff 0 0
    run -0 grep -c 'futex(.*FUTEX_WAKE' handoff.trace
    (( output >= 100 ))
}

@test "psem/bench.sh (QUICK=1) writes a whole table with the machine, the method and the limits" {
    QUICK=1 OUT=$BATS_TEST_TMPDIR run -0 bounded 60 "$IPC_ROOT/book/build/src/psem/bench.sh"
    f=$BATS_TEST_TMPDIR/11-posix-semaphores-handoff.md
    assert_file_exists "$f"
    run -0 cat "$f"
    assert_line --index 0 "| ns per hand-off, or per pair | one CPU | two CPUs |"
    assert_line --regexp '^\| hand-off, named \| [0-9.]+ ±[0-9.]+ % \| '
    assert_line --regexp '^\| hand-off, unnamed \| [0-9.]+ ±[0-9.]+ % \| '
    assert_line --regexp '^\| wait \+ post, unnamed, uncontended \| [0-9.]+ ±[0-9.]+ % \| - \|$'
    assert_line --partial "Placement: one CPU:"
    assert_line --partial "memcpy"
    assert_line "QUICK=1: a smoke test, not figures to quote."
}

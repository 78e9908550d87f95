#!/usr/bin/env bats
# Tests of chapter 9, System V shared memory: the rules (svshm_lab), a
# held segment (svshm_hold), the noticeboard (svshm_board) and the
# inspector (shm_inspect), seen through ipcs, ipcrm, ipcmk, /proc/sysvipc/shm
# and ls /dev/shm.

load helpers/common

setup() {
    ipc_audit_begin
    export TMPDIR=$BATS_TEST_TMPDIR
    cd "$BATS_TEST_TMPDIR"
    bg_pids=
    page=$(getconf PAGESIZE)
}

teardown() {
    local p
    for p in $bg_pids; do
        kill -TERM "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    [ -z "${public_dir:-}" ] || rm -rf "$public_dir"
    rm -f "$BATS_TEST_TMPDIR/feed"              # the board tests' FIFO
    # A failed test may leave segments: remove them, so that the next test
    # starts clean (a passing test must have left none: the audit).
    # Only in a world of the file's own: a scoped run shares the host's.
    if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ "${IPC_AUDIT_SCOPE:-}" = ns ]
    then
        ipcrm --all=shm 2>/dev/null || true
        find /dev/shm -mindepth 1 -delete 2>/dev/null || true
    fi
    ipc_audit_end
}

# stop PID: SIGTERM, then reap; its exit status in $stopped.
stop() {
    kill -TERM "$1"
    stopped=0
    wait "$1" || stopped=$?
    bg_pids=${bg_pids/ $1/}
}

has_line() { [ -s "$1" ]; }

# own_world: skip unless this file has an IPC namespace and a /dev/shm of
# its own (tests/run's ns mode): the test counts or lists every segment,
# or changes a setting of the namespace.
own_world() {
    [ "${IPC_AUDIT_SCOPE:-ns}" = ns ] ||
        skip "counts every segment: needs an IPC namespace of its own"
}

# shm_field ID FIELD: a column of /proc/sysvipc/shm for segment ID.
shm_field() {
    awk -v id="$1" -v f="$2" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $2 == id { print $col[f] }' /proc/sysvipc/shm
}

# segment_count: how many segments ipcs -m lists.
segment_count() {
    ipcs -m | grep -c '^0x' || true
}

# ipcmk_id ARGS...: make a segment with ipcmk, print its id.
ipcmk_id() {
    "$@" | sed -n 's/^Shared memory id: //p'
}

@test "usage: every program of chapter 9 follows the book's conventions" {
    assert_usage_conventions svshm_lab svshm_hold svshm_board shm_inspect
    run svshm_lab -l
    assert_success
    assert_equal "${#lines[@]}" 12
    run --separate-stderr svshm_lab nosuch
    assert_failure 2
    assert_equal "$stderr" "svshm_lab: no experiment 'nosuch' (svshm_lab -l lists them)"
    run --separate-stderr svshm_lab zero
    assert_failure 2
    assert_equal "$stderr" "svshm_lab: usage: svshm_lab zero SIZE"
    run --separate-stderr svshm_lab find 0xnot
    assert_failure 2
    run --separate-stderr svshm_hold -a 4096
    assert_failure 2
    run --separate-stderr svshm_board watch
    assert_failure 2
    run --separate-stderr shm_inspect -u root -r 1
    assert_failure 2
}

# --- creating ------------------------------------------------------------

@test "SVSHM-01: a new segment reads 0 to the end of its last page, even after a removed one held 0xff" {
    run svshm_lab zero 10000
    assert_success
    assert_output "shm_segsz 10000, $(( (10000 + page - 1) / page * page )) bytes of pages attached, 0 not 0"
    run svshm_lab zero 1
    assert_output "shm_segsz 1, $page bytes of pages attached, 0 not 0"
}

@test "SVSHM-02: shmget with a larger size than the segment's fails EINVAL; size 0 finds it; the rest of the page is usable" {
    run svshm_lab size
    assert_success
    assert_output "shmget(key, 100, IPC_CREAT|IPC_EXCL|0600): shm_segsz 100
shmget(key, 100, IPC_CREAT|IPC_EXCL|0600) again: EEXIST (File exists)
shmget(key, 0, 0): the same segment
shmget(key, 100, 0): the same segment
shmget(key, 101, 0): EINVAL (Invalid argument)
shmget(IPC_PRIVATE, 0, IPC_CREAT|0600): EINVAL (Invalid argument)
the last byte of the page, past the 100 asked, holds 42"
}

@test "SVSHM-02: ipcs and /proc/sysvipc/shm report the size asked, not the pages" {
    start hold svshm_hold 100
    wait_for has_line hold.out
    id=$(cat hold.out)
    run bash -c "ipcs -m | awk '\$2 == $id { print \$5 }'"
    assert_output 100
    run shm_field "$id" size
    assert_output 100
}

# --- attaching -----------------------------------------------------------

@test "SVSHM-04: fork inherits an attachment, shared; _exit and execve detach it" {
    run svshm_lab fork
    assert_success
    assert_output 'attached: shm_nattch 1
in the child, after fork: shm_nattch 2
the parent reads "stored by the child"
after the child'"'"'s _exit: shm_nattch 1
while the child runs cat after execve: shm_nattch 1'
}

@test "SVSHM-06: one segment attached twice lands at two addresses, and a store through one is read through the other" {
    run svshm_lab addr
    assert_success
    assert_output "two attachments at different addresses
a store of 7 through the first is read as 7 through the second
both attached: shm_nattch 2
a child's own shmat: at an address of its own"
}

@test "SVSHM-10: shmdt of an address where no attachment starts fails EINVAL" {
    run svshm_lab detach
    assert_success
    assert_output "shmdt(start + 1): EINVAL (Invalid argument)
shmdt(start + one page): EINVAL (Invalid argument)
shmdt(start): detached
shmdt(start) again: EINVAL (Invalid argument)"
}

@test "SVSHM-05: a store through SHM_RDONLY is a SIGSEGV, turned by map_guard into a clear error; the segment is removed" {
    own_world
    run --separate-stderr svshm_lab rdonly
    assert_failure 1
    assert_output "attached SHM_RDONLY, byte 0 reads 0; storing 1 ..."
    assert_regex "$stderr" "^svshm_lab: segment [0-9]+, SHM_RDONLY: SIGSEGV at offset 0 of 4096: access not allowed$"
    assert_equal "$(segment_count)" 0
}

@test "SVSHM-05: as nobody, 0400 attaches read-only only, 0200 (write only) not at all; root bypasses the mode" {
    needs_root "attach as nobody a segment nobody owns, and as root"
    local ro wo
    ro=$(ipcmk_id as_nobody ipcmk -M 4096 -p 0400)
    wo=$(ipcmk_id as_nobody ipcmk -M 4096 -p 0200)
    run as_nobody "$IPC_BIN/svshm_lab" attach "$ro"
    assert_output "shmat read-write: EACCES (Permission denied)
shmat SHM_RDONLY: attached"
    run as_nobody "$IPC_BIN/svshm_lab" attach "$wo"
    assert_output "shmat read-write: EACCES (Permission denied)
shmat SHM_RDONLY: EACCES (Permission denied)"
    run svshm_lab attach "$wo"
    assert_output "shmat read-write: attached
shmat SHM_RDONLY: attached"
    ipcrm -m "$ro" -m "$wo"
}

@test "permissions: as nobody, root's 0600 segment is found asking no access, EACCES asking some, and not attached" {
    needs_root "look up root's segment as nobody"
    local id key
    id=$(ipcmk_id ipcmk -M 4096 -p 0600)
    key=$(ipcs -m | awk -v id="$id" '$2 == id { print $1 }')
    run as_nobody "$IPC_BIN/svshm_lab" find "$key"
    assert_output "shmget(key, 0, 0): segment $id
shmget(key, 0, 0400): EACCES (Permission denied)
shmget(key, 0, 0600): EACCES (Permission denied)"
    run as_nobody "$IPC_BIN/svshm_lab" attach "$id"
    assert_output "shmat read-write: EACCES (Permission denied)
shmat SHM_RDONLY: EACCES (Permission denied)"
    ipcrm -m "$id"
    run svshm_lab find "$key"
    assert_output "shmget(key, 0, 0): ENOENT (No such file or directory)
shmget(key, 0, 0400): ENOENT (No such file or directory)
shmget(key, 0, 0600): ENOENT (No such file or directory)"
}

# --- who attached, and for how long --------------------------------------

@test "SVSHM-08: shm_nattch, shm_cpid and shm_lpid follow attach, exit and detach" {
    run svshm_lab who
    assert_success
    assert_output "created: shm_nattch 0, shm_cpid the parent, shm_lpid nobody yet
the child attached: shm_nattch 1, shm_cpid the parent, shm_lpid the child
the parent attached: shm_nattch 2, shm_cpid the parent, shm_lpid the parent
the child called _exit: shm_nattch 1, shm_cpid the parent, shm_lpid the child
the parent detached: shm_nattch 0, shm_cpid the parent, shm_lpid the parent"
}

@test "SVSHM-08: ipcs -m -p and /proc/sysvipc/shm name the holder as creator and last user" {
    own_world
    start hold svshm_hold 64k
    wait_for has_line hold.out
    id=$(cat hold.out)
    run bash -c "ipcs -m -p | awk '\$1 == $id { print \$3, \$4 }'"
    assert_output "$pid $pid"
    run shm_field "$id" nattch
    assert_output 1
    stop "$pid"
    assert_equal "$stopped" 143
    assert_equal "$(segment_count)" 0
}

@test "IPC_RMID on an attached segment: marked dest, key IPC_PRIVATE, memory kept until the last detach" {
    run svshm_lab rmid
    assert_success
    assert_output "after IPC_RMID: shm_nattch 1, SHM_DEST set, key IPC_PRIVATE
shmget(old key, 0, 0): ENOENT (No such file or directory)
a store of 9 reads back as 9
after the last shmdt, IPC_STAT: EINVAL (Invalid argument)"
}

@test "ipcrm on a held segment: ipcs shows it dest with key 0 until the holder exits" {
    own_world
    start hold svshm_hold 64k
    wait_for has_line hold.out
    id=$(cat hold.out)
    ipcrm -m "$id"
    run bash -c "ipcs -m | awk '\$2 == $id { print \$1, \$6, \$7 }'"
    assert_output "0x00000000 1 dest"
    run shm_field "$id" perms
    assert_output 1600
    # Linux still attaches it by its id.
    run svshm_lab attach "$id"
    assert_output "shmat read-write: attached
shmat SHM_RDONLY: attached"
    kill -0 "$pid"
    stop "$pid"
    assert_equal "$(segment_count)" 0
}

@test "SVSHM-07: a segment nobody removes outlives its creator, even svshm_hold killed with SIGKILL" {
    local id
    id=$(ipcmk_id ipcmk -M 8192 -p 0600)
    run bash -c "ipcs -m | awk '\$2 == $id { print \$4, \$5, \$6 }'"
    assert_output "600 8192 0"
    start hold svshm_hold 4096
    wait_for has_line hold.out
    kill -KILL "$pid"
    wait "$pid" || true
    bg_pids=
    run bash -c "ipcs -m | awk '\$2 == $(cat hold.out) { print \$6 }'"
    assert_output 0
    run cat /proc/sys/kernel/shm_rmid_forced
    assert_output 0
    ipcrm -m "$id" -m "$(cat hold.out)"
}

@test "SVSHM-07: shm_rmid_forced=1 destroys orphans at once and each segment when its last attachment and creator are gone" {
    own_world
    run bounded 30 unshare --ipc bash -c '
        cat /proc/sys/kernel/shm_rmid_forced
        ipcmk -M 4096 > /dev/null
        echo "before: $(ipcs -m | grep -c "^0x")"
        echo 1 > /proc/sys/kernel/shm_rmid_forced
        echo "after setting it: $(ipcs -m | grep -c "^0x")"
        ipcmk -M 4096 > /dev/null
        echo "after ipcmk exits: $(ipcs -m | grep -c "^0x")"
        svshm_hold 4096 > id 3>&- &
        until [ -s id ]; do sleep 0.05; done
        echo "held: $(ipcs -m | grep -c "^0x")"
        { kill -KILL $!; wait $!; } 2> /dev/null
        echo "holder killed: $(ipcs -m | grep -c "^0x")"'
    assert_success
    assert_output "0
before: 1
after setting it: 0
after ipcmk exits: 0
held: 1
holder killed: 0"
}

@test "SVSHM-09: as nobody, SHM_LOCK works within RLIMIT_MEMLOCK, ENOMEM beyond, EPERM at 0; root is not limited" {
    needs_root "lock as an unprivileged owner"
    run as_nobody prlimit --memlock=1048576 "$IPC_BIN/svshm_lab" lock 64k
    assert_success
    assert_output "RLIMIT_MEMLOCK 1048576 bytes
SHM_LOCK: SHM_LOCKED set"
    run as_nobody prlimit --memlock=1048576 "$IPC_BIN/svshm_lab" lock 2M
    assert_success
    assert_output "RLIMIT_MEMLOCK 1048576 bytes
SHM_LOCK: ENOMEM (Cannot allocate memory)"
    run as_nobody prlimit --memlock=0 "$IPC_BIN/svshm_lab" lock 64k
    assert_output "RLIMIT_MEMLOCK 0 bytes
SHM_LOCK: EPERM (Operation not permitted)"
    run prlimit --memlock=1048576 svshm_lab lock 2M
    assert_output "RLIMIT_MEMLOCK 1048576 bytes
SHM_LOCK: SHM_LOCKED set"
}

# --- limits, in an IPC namespace of the test's own -------------------------

@test "limits: shmmni and shmall (in pages) filled; shmmax passed; each error names its knob" {
    own_world
    local all
    all=$(unshare --ipc cat /proc/sys/kernel/shmall)
    run bounded 30 unshare --ipc bash -c '
        cat /proc/sys/kernel/shmmni /proc/sys/kernel/shmmax
        echo 8 > /proc/sys/kernel/shmmni
        svshm_lab fill 4096
        echo 2 > /proc/sys/kernel/shmmni
        ipcmk -M 4096 > /dev/null; ipcmk -M 4096 > /dev/null
        svshm_hold 4096; echo "status $?"
        ipcrm --all=shm
        echo 4096 > /proc/sys/kernel/shmmni
        echo 5 > /proc/sys/kernel/shmall
        svshm_lab fill 4096
        svshm_lab fill 8192
        echo 8192 > /proc/sys/kernel/shmmax
        svshm_lab zero 8193; echo "status $?"
        svshm_lab zero 8192'
    assert_success
    assert_equal "$all" 18446744073692774399
    assert_output "4096
18446744073692774399
8 segments of 4096 bytes, then shmget: ENOSPC (No space left on device)
svshm_hold: shmget 4096 bytes: kernel.shmmni (2 segments) or kernel.shmall ($all pages) reached
status 1
5 segments of 4096 bytes, then shmget: ENOSPC (No space left on device)
2 segments of 8192 bytes, then shmget: ENOSPC (No space left on device)
svshm_lab: shmget 8193 bytes: above kernel.shmmax (8192, /proc/sys/kernel/shmmax)
status 1
shm_segsz 8192, 8192 bytes of pages attached, 0 not 0"
}

# --- svshm_hold ------------------------------------------------------------

@test "svshm_hold: mode 0600 under umask 000; removed on SIGINT, SIGTERM and SIGHUP" {
    own_world
    local sig
    umask 000
    for sig in INT TERM HUP; do
        start hold svshm_hold 4096
        wait_for has_line hold.out
        run shm_field "$(cat hold.out)" perms
        assert_output 600
        kill -"$sig" "$pid"
        wait "$pid" || true
        bg_pids=
        assert_equal "$(segment_count)" 0
    done
}

@test "svshm_hold -k: a key with a segment is refused with the ipcrm command; -a adopts ours and leaves it" {
    own_world
    touch keyfile
    start first svshm_hold -k keyfile 4096
    first=$pid
    wait_for has_line first.out
    id=$(cat first.out)
    run --separate-stderr svshm_hold -k keyfile 4096
    assert_failure 1
    assert_regex "$stderr" "^svshm_hold: keyfile: key 0x[0-9a-f]{8} has segment $id already: remove it with 'ipcrm -m $id', or attach it with -a$"
    start second svshm_hold -a -k keyfile 4096
    wait_for has_line second.out
    assert_equal "$(cat second.out)" "$id"
    run shm_field "$id" nattch
    assert_output 2
    stop "$pid"
    run shm_field "$id" nattch
    assert_output 1
    stop "$first"
    assert_equal "$(segment_count)" 0
}

@test "svshm_hold -a: a segment nobody planted on our key is refused, and left alone" {
    needs_root "plant a segment as nobody"
    make_public_dir
    touch "$public_dir/keyfile"
    start planted setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$IPC_BIN/svshm_hold" -k "$public_dir/keyfile" 4096
    wait_for has_line planted.out
    run --separate-stderr svshm_hold -a -k "$public_dir/keyfile" 4096
    assert_failure 1
    assert_equal "$stderr" "svshm_hold: $public_dir/keyfile: segment $(cat planted.out) belongs to uid 65534, not to us: refused"
    run shm_field "$(cat planted.out)" nattch
    assert_output 1
}

# --- the noticeboard --------------------------------------------------------

# notices N: N lines, line i is i repeated i % 97 + 1 times, so that a line
# made of two notices is seen.
notices() {
    awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) { s = i
        for (j = 0; j < i % 97; j++) s = s " " i; print s } }'
}

# check_watched FILE N: every line whole, in increasing order, the last N.
check_watched() {
    awk -v n="$2" '
        { for (i = 2; i <= NF; i++) if ($i != $1) { print "torn: " $0; exit 1 }
          if (NF != $1 % 97 + 1) { print "cut: " $0; exit 1 }
          if ($1 <= last) { print "out of order: " $0; exit 1 }
          last = $1 }
        END { if (last != n) { print "last seen " last; exit 1 } }' "$1"
}

@test "svshm_board: two watchers of 20000 notices see only whole ones, in order, and the last; nothing is left" {
    own_world
    notices 20000 > in
    mkfifo feed
    # The notices go in once the poster and both watchers are attached.
    timeout 30 bash -c 'until awk "NR > 1 && \$7 == 3 { f = 1 } END { exit !f }" \
        /proc/sysvipc/shm; do sleep 0.05; done; cat in' > feed 3>&- &
    writer=$!
    in=feed start post svshm_board post
    poster=$pid
    wait_for has_line post.out
    id=$(cat post.out)
    start w1 svshm_board watch "$id"
    w1=$pid
    start w2 svshm_board -i 2 watch "$id"
    w2=$pid
    wait "$writer"
    wait "$poster"
    wait "$w1"
    wait "$w2"
    bg_pids=
    run check_watched w1.out 20000
    assert_success
    run check_watched w2.out 20000
    assert_success
    assert_equal "$(cat w1.err w2.err post.err)" ""
    assert_equal "$(segment_count)" 0
}

@test "svshm_board: a poster killed with SIGKILL is noticed through shm_nattch; the watcher names the ipcrm command" {
    mkfifo feed
    exec 4<> feed               # a writer: opening it to read does not block
    in=feed start post svshm_board post
    poster=$pid
    wait_for has_line post.out
    id=$(cat post.out)
    echo "1" >&4
    start w svshm_board watch "$id"
    watcher=$pid
    wait_for has_line w.out
    kill -KILL "$poster"
    exec 4>&-
    wait "$watcher" && status=0 || status=$?
    wait "$poster" || true
    bg_pids=
    assert_equal "$status" 1
    assert_equal "$(cat w.out)" "1"
    assert_equal "$(cat w.err)" "svshm_board: board $id: the poster is gone without closing it; remove it with 'ipcrm -m $id'"
    ipcrm -m "$id"
}

@test "svshm_board: a poster ended by SIGTERM removes the board; its watcher says it is gone, and needs no ipcrm" {
    own_world
    mkfifo feed
    exec 4<> feed
    in=feed start post svshm_board post
    poster=$pid
    wait_for has_line post.out
    id=$(cat post.out)
    echo "last words" >&4
    start w svshm_board watch "$id"
    watcher=$pid
    wait_for has_line w.out
    stop "$poster"
    assert_equal "$stopped" 143
    exec 4>&-
    wait "$watcher" && status=0 || status=$?
    bg_pids=
    assert_equal "$status" 1
    assert_equal "$(cat w.out)" "last words"
    assert_equal "$(cat w.err)" "svshm_board: board $id: the poster is gone without closing it"
    assert_equal "$(segment_count)" 0
}

@test "svshm_board watch: refuses a segment that is not a board, another user's, and a line too long to post" {
    own_world
    start hold svshm_hold 64k
    wait_for has_line hold.out
    run --separate-stderr svshm_board watch "$(cat hold.out)"
    assert_failure 1
    assert_equal "$stderr" "svshm_board: board $(cat hold.out): 65536 bytes, not a board"
    run --separate-stderr bash -c "head -c 5000 /dev/zero | tr '\\0' x | svshm_board post"
    assert_failure 1
    assert_equal "$stderr" "svshm_board: a line of 5000 bytes is longer than the board (4096)"
    assert_equal "$(segment_count)" 1
}

@test "svshm_board watch: another user's board is refused" {
    own_world
    needs_root "post a board as nobody"
    mkfifo feed
    chmod 666 feed
    exec 4<> feed
    in=feed start post setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$IPC_BIN/svshm_board" post
    wait_for has_line post.out || { cat post.err; false; }
    run --separate-stderr svshm_board watch "$(cat post.out)"
    assert_failure 1
    assert_equal "$stderr" "svshm_board: board $(cat post.out): segment $(cat post.out) belongs to uid 65534, not to us: refused"
    stop "$pid"
    assert_equal "$stopped" 143
    exec 4>&-
    assert_equal "$(segment_count)" 0
}

# --- the inspector ----------------------------------------------------------

@test "shm_inspect lists exactly what ipcs -m, ipcs -m -p and ls -l /dev/shm show of the user's" {
    own_world
    start a svshm_hold 64k
    wait_for has_line a.out
    start b svshm_hold 100
    wait_for has_line b.out
    ipcrm -m "$(cat b.out)"                     # dest, still attached
    orphan=$(ipcmk_id ipcmk -M 8192 -p 0600)
    head -c 1000 /dev/zero > /dev/shm/ours
    chmod 640 /dev/shm/ours
    ln -s /etc/passwd /dev/shm/link
    run shm_inspect
    assert_success
    assert_line --index 0 "System V segments of root (uid 0)"
    # The segments: key, id, perms, bytes, nattch as ipcs -m; cpid, lpid
    # as ipcs -m -p; status as ipcs -m.
    run bash -c "shm_inspect | awk '/^0x/ { print \$1, \$2, \$3, \$4, \$5 }' | sort"
    expected=$(ipcs -m | awk '/^0x/ { print $1, $2, $4, $5, $6 }' | sort)
    assert_output "$expected"
    assert_equal "${#lines[@]}" 3
    run bash -c "shm_inspect | awk '/^0x/ { print \$2, \$6, \$7 }' | sort"
    assert_output "$(ipcs -m -p | awk '$1 ~ /^[0-9]+$/ { print $1, $3, $4 }' | sort)"
    run bash -c "shm_inspect | awk '/^0x/ { print \$2, \$8 }' | sort"
    assert_output "$(printf '%s -\n%s dest\n%s -' "$(cat a.out)" "$(cat b.out)" "$orphan" | sort)"
    # The objects: as stat (ls -l) shows them.
    run bash -c "shm_inspect | sed -n '/^POSIX/,\$p' | tail -n +3 | sort -k 3"
    assert_output "$(cd /dev/shm && stat -c '%A %s %n' -- * | awk '{ printf "%s %-10s %s\n", $1, $2, $3 }' | sort -k 3)"
    assert_equal "${#lines[@]}" 2
    # ipcrm removes a segment the inspector listed.
    ipcrm -m "$orphan"
    run bash -c "shm_inspect | awk '\$2 == $orphan'"
    assert_output ""
    rm /dev/shm/ours /dev/shm/link
}

@test "shm_inspect -u: lists only that user's; root's listing leaves nobody's out" {
    own_world
    needs_root "make objects as nobody"
    start mine svshm_hold 4096
    wait_for has_line mine.out
    theirs=$(ipcmk_id as_nobody ipcmk -M 4096 -p 0600)
    as_nobody touch /dev/shm/theirs
    run bash -c "shm_inspect | awk '/^0x/ { print \$2 }'"
    assert_output "$(cat mine.out)"
    run bash -c "shm_inspect | tail -n 1"
    assert_output "mode       bytes      name"
    run shm_inspect -u nobody
    assert_line --index 0 "System V segments of nobody (uid 65534)"
    run bash -c "shm_inspect -u 65534 | awk '/^0x/ { print \$2 }; /theirs/ { print \$3 }'"
    assert_output "$theirs
theirs"
    run as_nobody "$IPC_BIN/shm_inspect"
    assert_line --index 2 --regexp "^0x[0-9a-f]{8} $theirs "
    ipcrm -m "$theirs"
    rm /dev/shm/theirs
}

@test "shm_inspect -r/-d: removes our own; refuses another user's (as nobody, and as root), links and bad names" {
    own_world
    needs_root "objects of two users"
    start mine svshm_hold 4096
    wait_for has_line mine.out
    theirs=$(ipcmk_id as_nobody ipcmk -M 4096 -p 0666)
    ours=$(ipcmk_id ipcmk -M 4096 -p 0600)
    as_nobody touch /dev/shm/theirs
    touch /dev/shm/ours
    ln -s ours /dev/shm/link
    # The kernel refuses nobody the removal of root's segment: EPERM.
    run as_nobody ipcrm -m "$ours"
    assert_failure
    assert_output "ipcrm: permission denied for id ($ours)"
    # nobody may not remove root's, though the inspector would list them.
    run --separate-stderr as_nobody "$IPC_BIN/shm_inspect" -r "$ours" -d ours
    assert_failure 1
    assert_equal "$stderr" "shm_inspect: segment $ours belongs to uid 0, not to you: refused
shm_inspect: /dev/shm/ours: not yours: refused"
    # Root may, says the kernel; the inspector still refuses nobody's.
    run --separate-stderr shm_inspect -r "$theirs" -d theirs -d link -d ../etc -d nope
    assert_failure 1
    assert_equal "$stderr" "shm_inspect: segment $theirs belongs to uid 65534, not to you: refused
shm_inspect: /dev/shm/theirs: not yours: refused
shm_inspect: /dev/shm/link: not a regular file: refused
shm_inspect: ../etc: not a name in /dev/shm: refused
shm_inspect: /dev/shm/nope: No such file or directory"
    run --separate-stderr shm_inspect -r 99999
    assert_failure 1
    assert_equal "$stderr" "shm_inspect: segment 99999: no such segment"
    run shm_field "$theirs" perms
    assert_output 666
    [ -e /dev/shm/theirs ] && [ -L /dev/shm/link ] && [ -e /dev/shm/ours ]
    # Our own go.
    run --separate-stderr shm_inspect -r "$ours" -d ours
    assert_success
    assert_equal "$stderr" "shm_inspect: removed segment $ours
shm_inspect: removed /dev/shm/ours"
    [ ! -e /dev/shm/ours ]
    run --separate-stderr as_nobody "$IPC_BIN/shm_inspect" -r "$theirs" -d theirs
    assert_success
    rm /dev/shm/link
    stop "$pid"
}

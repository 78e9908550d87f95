#!/usr/bin/env bats
# Tests of chapter 8, memory mappings: anonymous and file mappings
# (map_lab), the torn-read experiment, and the shared table in a file
# (map_table): lost updates, SIGKILL mid-update, hostile files, faults.

load helpers/common

setup() {
    # bats' timeout watchdog, the subshell $BATS_killer_pid, starts its
    # `sleep` in its own time; on a busy machine that can be after the
    # audit's first look, which then takes it for a process the test left.
    [ -z "${BATS_killer_pid:-}" ] ||
        wait_for pgrep -x -P "$BATS_killer_pid" sleep
    ipc_audit_begin
    export TMPDIR=$BATS_TEST_TMPDIR
    cd "$BATS_TEST_TMPDIR"
    bg_pids= public_dir=
    page=$(getconf PAGE_SIZE)
}

teardown() {
    local p
    for p in $bg_pids; do
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    [ -z "$public_dir" ] || rm -rf "$public_dir"
    ipc_audit_end
}

# stopped PID: the process is stopped (state T).
stopped() {
    grep -q '^State:[[:space:]]*T' "/proc/$1/status"
}

# stop_writer FILE NAME: start map_table -m hit FILE NAME in the
# background and wait until it has stopped itself in the middle of its
# update, holding the lock; its pid is in bg_pids.
stop_writer() {
    map_table -m hit "$@" > /dev/null 2>&1 3>&- &
    bg_pids=$!
    wait_for stopped "$bg_pids"
}

# kill_writer: SIGKILL the writer of stop_writer, and reap it.
kill_writer() {
    kill -KILL "$bg_pids"
    wait "$bg_pids" || true
    bg_pids=
}

# two_cpus: this test may run on two CPUs or more.
two_cpus() {
    [ "$(nproc)" -ge 2 ]
}

# --- usage and arguments -------------------------------------------------

@test "every program prints its usage with -h (status 0) and refuses an unknown option (status 2)" {
    assert_usage_conventions map_lab map_table
}

@test "bad arguments give a one-line error and status 2" {
    run --separate-stderr map_lab nosuch
    assert_failure 2
    assert_equal "$stderr" "map_lab: no experiment 'nosuch' (map_lab -l lists them)"
    run --separate-stderr map_lab fork
    assert_failure 2
    assert_equal "$stderr" "map_lab: usage: map_lab fork shared|private|devzero"
    run --separate-stderr map_lab fork both
    assert_failure 2
    assert_equal "$stderr" "map_lab: kind: 'both' is not shared, private or devzero"
    run --separate-stderr map_lab torn fast 10
    assert_failure 2
    assert_equal "$stderr" "map_lab: mode: 'fast' is not relaxed or seqlock"
    run --separate-stderr map_table -s 0 init t
    assert_failure 2
    assert_equal "$stderr" "map_table: slots: '0' is not a number from 1 to 65536"
    run --separate-stderr map_table hit t 'two words'
    assert_failure 2
    assert_equal "$stderr" "map_table: name: 'two words' is not 1 to 47 letters, digits, '.', '_', '-' or '/'"
    run --separate-stderr map_table hit t "$(printf 'n%.0s' $(seq 48))"
    assert_failure 2
    run -2 map_table frob t
    run -2 map_table hit t
    run -2 map_table init
    run -2 map_lab -l extra
    [ ! -e t ]
}

@test "map_lab -l lists every experiment the chapter runs" {
    run -0 map_lab -l
    assert_equal "${#lines[@]}" 20
    assert_line --regexp '^zero +anonymous pages start zero-filled$'
    assert_line --regexp '^torn +relaxed\|seqlock MS +a pair read'
}

# --- anonymous mappings ------------------------------------------------------

@test "ANON-01: anonymous pages start zero-filled, private or shared" {
    run -0 map_lab zero
    assert_output "MAP_PRIVATE|MAP_ANONYMOUS: 1048576 bytes, 0 of them not zero
MAP_SHARED|MAP_ANONYMOUS: 1048576 bytes, 0 of them not zero"
}

@test "ANON-02: a child's store after fork is seen by the parent with MAP_SHARED, not with MAP_PRIVATE" {
    run -0 map_lab fork shared
    assert_output "parent stored 1 before fork
child reads 1, stores 2
after the child exited, parent reads 2"
    run -0 map_lab fork private
    assert_output "parent stored 1 before fork
child reads 1, stores 2
after the child exited, parent reads 1"
}

@test "ANON-03: a child inherits a mapping at the same address with the same permissions; execve removes it" {
    run -0 map_lab exec
    assert_equal "${#lines[@]}" 3
    assert_line --index 0 "parent: rw-s /dev/zero (deleted)"
    assert_line --index 1 "child:  rw-s /dev/zero (deleted)"
    assert_line --index 2 "after execve: not mapped"
}

@test "ANON-04: /dev/zero mapped with MAP_SHARED is shared across fork like an anonymous mapping" {
    run -0 map_lab fork devzero
    assert_output "parent stored 1 before fork
child reads 1, stores 2
after the child exited, parent reads 2"
}

@test "ANON-05: mmap of length 0 fails EINVAL" {
    run -0 map_lab length0
    assert_output "mmap of length 0: EINVAL (Invalid argument)"
}

@test "ANON-06: after munmap, touching the range raises SIGSEGV (SEGV_MAPERR)" {
    # Run bare: memcheck rightly reports the read of unmapped memory
    # that this experiment makes on purpose.
    run -0 "$IPC_BIN/map_lab" unmap
    assert_output "writing offset 0: ok
after munmap:
reading offset 0: SIGSEGV (SEGV_MAPERR)"
}

@test "ANON-08: an anonymous shared mapping has no name to open; each mapping of /dev/zero is new memory" {
    run -0 map_lab noname
    assert_output "stored 42 through the first mapping of /dev/zero
the second mapping of /dev/zero reads 0"
    run -0 map_lab exec
    assert_line --index 0 "parent: rw-s /dev/zero (deleted)"
    [ ! -e "/dev/zero (deleted)" ]
}

# --- file mappings -------------------------------------------------------------

@test "FMAP-01: MAP_SHARED stores reach read(2), another mapping and the file; MAP_PRIVATE stores reach none" {
    printf 'hello, world\n' > f
    run -0 map_lab private f
    assert_output 'stored "MAPPED" through the mapping
read(2) sees "hello,"
another mapping sees "hello,"'
    assert_equal "$(cat f)" "hello, world"
    run -0 map_lab shared f
    assert_output 'stored "MAPPED" through the mapping
read(2) sees "MAPPED"
another mapping sees "MAPPED"'
    assert_equal "$(cat f)" "MAPPED world"
}

@test "FMAP-02: the offset must be a multiple of the page size, as getconf PAGE_SIZE gives it" {
    { printf 'a%.0s' $(seq "$page"); printf 'b%.0s' $(seq 100); } > f
    run -0 map_lab offset f 100
    assert_output "page size $page
mmap at that offset: EINVAL (Invalid argument)"
    run -0 map_lab offset f "$page"
    assert_output "page size $page
mapped from offset $page: first byte 'b'"
}

@test "FMAP-03: the descriptor can be closed at once; the mapping stays valid" {
    printf 'hello, world\n' > f
    run -0 map_lab close f
    assert_line --index 0 --regexp '^descriptor [0-9]+ closed$'
    assert_line --index 1 'the mapping still reads "hello"'
}

@test "FMAP-04: PROT_WRITE with MAP_SHARED on an O_RDONLY descriptor, or any mapping of an O_WRONLY one, fails EACCES" {
    printf 'hello, world\n' > f
    run -0 map_lab access f
    assert_output "O_RDONLY, PROT_READ MAP_SHARED: mapped
O_RDONLY, PROT_WRITE MAP_SHARED: EACCES (Permission denied)
O_RDONLY, PROT_WRITE MAP_PRIVATE: mapped
O_WRONLY, PROT_WRITE MAP_SHARED: EACCES (Permission denied)"
}

@test "FMAP-06: past the end of the file: zeros in the last page, SIGBUS beyond it, until ftruncate grows the file" {
    printf 'x%.0s' $(seq 300) > f
    run -0 map_lab grow f
    assert_output "file of 100 bytes, mapping of $((2 * page))
reading offset 100: ok, byte 0
reading offset $page: SIGBUS (BUS_ADRERR)
after ftruncate to $((2 * page)) bytes:
writing offset $page: ok
reading offset $page: ok, byte 120"
    # The store after the growth reached the file.
    assert_equal "$(stat -c %s f)" $((2 * page))
    assert_equal "$(od -An -c -j "$page" -N 1 f | tr -d ' ')" x
}

@test "FMAP-07: mapping the whole of an empty file fails EINVAL; map_table says the file is empty" {
    : > e
    run -0 map_lab empty e
    assert_output "file size 0
mmap of the whole file: EINVAL (Invalid argument)"
    run --separate-stderr map_table show e
    assert_failure 1
    assert_equal "$stderr" "map_table: e: the file is empty"
}

@test "FMAP-08: a store into a PROT_READ mapping raises SIGSEGV (SEGV_ACCERR); reading works" {
    printf 'B' > f
    run -0 map_lab readonly f
    assert_output "reading offset 0: ok, byte 66
writing offset 0: SIGSEGV (SEGV_ACCERR)"
}

@test "FMAP-09: msync(MS_SYNC) succeeds and the mtime follows the store on a disk file system (tmpfs: not); misuse fails EINVAL and ENOMEM" {
    # msync FILE EXPECTED: run the experiment on FILE, which says whether
    # the mtime was updated as EXPECTED.
    msync_on() {
        printf 'hello, world\n' > "$1"
        # Bare: memcheck rightly reports the msync of an unmapped range
        # that the experiment makes on purpose.
        run -0 "$IPC_BIN/map_lab" msync "$1"
        assert_output "mtime 0
after a store and msync(MS_SYNC): mtime $2
msync of an address inside a page: EINVAL (Invalid argument)
msync with MS_SYNC|MS_ASYNC: EINVAL (Invalid argument)
msync after munmap: ENOMEM (Cannot allocate memory)"
        # The store is in the file.
        assert_equal "$(head -c 1 "$1")" x
    }
    # The test's directory is on tmpfs in a namespace world (and maybe
    # not otherwise); the build directory is on the disk.
    if [ "$(stat -f -c %T .)" = tmpfs ]; then
        msync_on f unchanged
        assert_equal "$(stat -c %Y f)" 0
    fi
    [ "$(stat -f -c %T "$IPC_ROOT/book/build")" != tmpfs ] ||
        skip "no disk file system at hand"
    public_dir=$(mktemp -d "$IPC_ROOT/book/build/map-test.XXXXXX")
    msync_on "$public_dir/f" updated
    [ "$(stat -c %Y "$public_dir/f")" -gt 0 ]
}

@test "FMAP-10: a private mapping sees the file's changes until its own first store into the page" {
    printf 'hello, world\n' > f
    run -0 map_lab privsee f
    assert_output "the mapping reads 'h'
after pwrite of 'A': the mapping reads 'A'
stored '*' at offset 1 through the mapping: the page is copied
after pwrite of 'B': the mapping reads 'A'"
    assert_equal "$(cat f)" "Bello, world"
}

@test "FMAP-11: MAP_FIXED replaces a mapping silently; MAP_FIXED_NOREPLACE fails EEXIST" {
    # Bare: valgrind does not know MAP_FIXED_NOREPLACE, and treats it as
    # a kernel before 4.17 would, as a hint.
    run -0 "$IPC_BIN/map_lab" fixed
    assert_output "a page at the address holds 42
MAP_FIXED_NOREPLACE there: EEXIST (File exists)
MAP_FIXED there: no error; the page now holds 0"
}

@test "FMAP-12: one file at two addresses: an offset works through both, a pointer does not" {
    head -c "$page" /dev/zero > f
    run -0 map_lab twice f
    assert_output "the file is mapped at two addresses, different
through the second mapping, the offset leads to its own copy of the string
through the second mapping, the pointer leads outside the second mapping"
}

@test "FMAP-12: two processes map the same table at different addresses" {
    [ "$(cat /proc/sys/kernel/randomize_va_space)" != 0 ] ||
        skip "address-space randomisation is off"
    map_table init t
    # Bare: valgrind lays out every run the same way.
    run -0 "$IPC_BIN/map_table" -v check t
    a=$(echo "$output" | sed -n 's/.* mapped at //p')
    run -0 "$IPC_BIN/map_table" -v check t
    b=$(echo "$output" | sed -n 's/.* mapped at //p')
    [ -n "$a" ] && [ -n "$b" ]
    [ "$a" != "$b" ]
}

# --- ordering --------------------------------------------------------------

@test "atomic integers up to 64 bits are always lock-free here, so they work between processes" {
    run -0 map_lab lockfree
    assert_output "atomic_int: always lock-free
atomic_long: always lock-free
atomic_llong: always lock-free
atomic_is_lock_free(_Atomic uint64_t): yes"
}

@test "a pair read without ordering is torn on two CPUs; read under a sequence lock, never" {
    run -0 bounded 30 map_lab torn seqlock 200
    assert_output --regexp '^seqlock: [1-9][0-9]* reads, 0 torn$'
    two_cpus || skip "one CPU: torn reads are rare, not certain"
    run -0 bounded 30 map_lab torn relaxed 300
    assert_output --regexp '^relaxed: [1-9][0-9]* reads, [1-9][0-9]* torn$'
}

# --- the shared table ----------------------------------------------------------

@test "map_table init makes a 0600 table of the right size under any umask, and never replaces a file" {
    run bash -c 'umask 000; map_table -s 10 init t'
    assert_success
    assert_equal "$(stat -c %a t)" 600
    size=$(stat -c %s t)
    run -0 map_table -s 20 init u
    # Ten more slots: the size grows by ten slot sizes, and no more.
    assert_equal $(( ($(stat -c %s u) - size) % 10 )) 0
    echo precious > v
    run --separate-stderr map_table init v
    assert_failure 1
    assert_equal "$stderr" "map_table: v: File exists"
    assert_equal "$(cat v)" precious
    # No temporary file is left behind, after success or failure.
    run ls -d t.* u.* v.*
    assert_failure
    refute_output --regexp '^[tuv]\.'
}

@test "the book's session: hits add up across restarts; a stopped writer holds the lock; killed, its update is undone" {
    map_table init hits
    run -0 map_table hit hits /index.html
    assert_output 1
    run -0 map_table -n 9 hit hits /index.html
    assert_output 10
    run -0 map_table hit hits /about
    assert_output 1
    run -0 map_table show hits
    assert_output $'/index.html 10\n/about 1'
    run -0 map_table check hits
    assert_output "hits: consistent: 2 names, total 11"
    # Running it: a writer stopped mid-update, another that gives up.
    stop_writer hits /index.html
    run --separate-stderr bounded 10 map_table -t 300 hit hits /about
    assert_failure 1
    assert_equal "$stderr" "map_table: hits: lock still held after 300 ms (holder stopped?)"
    kill_writer
    run --separate-stderr map_table check hits
    assert_success
    assert_equal "$stderr" "map_table: hits: a process died in the middle of an update; undone"
    assert_output "hits: consistent: 2 names, total 11"
}

@test "a full table refuses a new name with status 1, and still counts the names it has" {
    map_table -s 2 init t
    map_table hit t a > /dev/null
    map_table hit t b > /dev/null
    run --separate-stderr map_table hit t c
    assert_failure 1
    assert_equal "$stderr" "map_table: t: the table is full (2 names)"
    run -0 map_table hit t a
    assert_output 2
    run -0 map_table check t
    assert_output "t: consistent: 2 names, total 3"
}

@test "4 processes x 50000 increments of one counter give exactly 200000" {
    map_table init t
    for i in 1 2 3 4; do
        map_table -n 50000 hit t k > /dev/null 3>&- &
        bg_pids="$bg_pids $!"
    done
    for p in $bg_pids; do
        wait "$p"
    done
    bg_pids=
    run -0 map_table show t
    assert_output "k 200000"
    run -0 map_table check t
    assert_output "t: consistent: 1 name, total 200000"
}

@test "a writer killed with SIGKILL in the middle of an update: the next process gets EOWNERDEAD and undoes it" {
    map_table init t
    map_table -n 3 hit t a > /dev/null
    # -m stops the writer inside its update, holding the lock, with the
    # count of a changed and the total not yet.
    stop_writer t a
    kill_writer
    run --separate-stderr map_table check t
    assert_success
    assert_equal "$stderr" "map_table: t: a process died in the middle of an update; undone"
    assert_output "t: consistent: 1 name, total 3"
    # A new name, cut short the same way, is undone too: its slot is free.
    stop_writer t b
    kill_writer
    run --separate-stderr map_table show t
    assert_success
    assert_output "a 3"
    run -0 map_table hit t b
    assert_output 1
}

@test "EOWNERDEAD again: a repairer killed before pthread_mutex_consistent leaves the repair to the next holder" {
    map_table init t
    map_table -n 3 hit t a > /dev/null
    stop_writer t a
    kill_writer
    # -m stops the repairer after its undo, before it marks the lock
    # consistent.
    : > repair.err
    map_table -m check t > /dev/null 2> repair.err 3>&- &
    bg_pids=$!
    wait_for stopped "$bg_pids"
    kill_writer
    assert_equal "$(cat repair.err)" "map_table: t: a process died in the middle of an update; undone"
    # Its undo stands; the lock still says "owner died".
    run --separate-stderr map_table check t
    assert_success
    assert_equal "$stderr" "map_table: t: a process died holding the lock, between updates: nothing to undo"
    assert_output "t: consistent: 1 name, total 3"
    # Marked consistent at last: the next holder gets 0.
    run --separate-stderr map_table check t
    assert_success
    assert_equal "$stderr" ""
}

@test "writers killed at random while others write: the table stays consistent and the survivors lose nothing" {
    map_table init t
    map_table -n 20000 hit t one > /dev/null 3>&- &
    p1=$!
    map_table -n 20000 hit t two > /dev/null 3>&- &
    p2=$!
    for i in 1 2 3; do
        map_table -n 1000000 hit t victim > /dev/null 2> victim.err 3>&- &
        bg_pids=$!
        wait_for grep -q victim t
        # (a victim that ended by itself says why)
        kill -KILL "$bg_pids" || { cat victim.err; false; }
        wait "$bg_pids" || true
        bg_pids=
    done
    wait "$p1"
    wait "$p2"
    # A victim may have died inside the lock; then check repairs first.
    run --separate-stderr map_table check t
    assert_success
    assert_output --regexp '^t: consistent: 3 names, total [0-9]+$'
    [[ $stderr =~ ^(map_table: t: a process died (in the middle of an update; undone|holding the lock, between updates: nothing to undo))?$ ]]
    run -0 bash -c 'map_table show t | sort'
    assert_line --index 0 "one 20000"
    assert_line --index 1 "two 20000"
    assert_line --index 2 --regexp '^victim [1-9][0-9]*$'
}

@test "a lock held by a stopped process: the others give up after -t ms with a clear error" {
    map_table init t
    stop_writer t a
    run --separate-stderr bounded 10 map_table -t 300 hit t b
    assert_failure 1
    assert_equal "$stderr" "map_table: t: lock still held after 300 ms (holder stopped?)"
    kill_writer
    run --separate-stderr map_table hit t b
    assert_success
    assert_output 1
    assert_equal "$stderr" "map_table: t: a process died in the middle of an update; undone"
}

@test "a table truncated under a writer: SIGBUS becomes a clear error and status 1, not a crash" {
    map_table init t
    size=$(stat -c %s t)
    map_table -m hit t a > out 2> err 3>&- &
    bg_pids=$!
    wait_for stopped "$bg_pids"
    truncate -s 0 t
    kill -CONT "$bg_pids"
    status=0
    wait "$bg_pids" || status=$?
    bg_pids=
    assert_equal "$status" 1
    run cat err
    assert_output --regexp "^map_table: t: SIGBUS at offset [0-9]+ of $size: truncated, or its file system is full\$"
    assert_equal "$(cat out)" ""
}

@test "a table on a full file system: a page that cannot be had is SIGBUS, reported as an error, status 1" {
    needs_root "to mount a small tmpfs in a mount namespace of its own"
    mkdir d
    # 2000 slots span 28 pages; the file system holds 4.
    run --separate-stderr unshare -m sh -c '
        mount -t tmpfs -o size=16k tmpfs d || exit 9
        map_table -s 2000 init d/t || exit 8
        i=0
        while [ $i -lt 2000 ]; do
            map_table hit d/t "n$i" > /dev/null || exit
            i=$((i + 1))
        done'
    assert_failure 1
    [[ ${stderr_lines[0]} =~ ^map_table:\ d/t:\ SIGBUS\ at\ offset\ [0-9]+\ of\ [0-9]+:\ truncated,\ or\ its\ file\ system\ is\ full$ ]]
}

@test "init on a full file system: SIGBUS at the first store is an error, status 1, and no file is left" {
    needs_root "to mount a small tmpfs in a mount namespace of its own"
    mkdir d
    run --separate-stderr unshare -m sh -c '
        mount -t tmpfs -o size=4k tmpfs d || exit 9
        head -c 4096 /dev/zero > d/fill || exit 8
        map_table init d/t
        status=$?
        ls d
        exit $status'
    assert_failure 1
    assert_output fill
    [[ $stderr =~ ^map_table:\ d/t:\ SIGBUS\ at\ offset\ [0-9]+\ of\ [0-9]+:\ truncated,\ or\ its\ file\ system\ is\ full$ ]]
}

@test "files that are not tables are refused with status 1 and a clear message" {
    map_table init good
    size=$(stat -c %s good)
    map_table -s 1 init smallest
    min=$(stat -c %s smallest)
    max=$((min + 65535 * (size - min) / 255))
    truncate -s $((max + 1)) long
    head -c "$size" /dev/urandom > garbage
    : > empty
    head -c 100 good > short
    head -c $((size - 100)) good > truncated
    cp good version2
    printf '\002' | dd of=version2 bs=1 seek=8 conv=notrunc status=none
    # The header's head_size, after magic, version and slot count.
    cp good othermachine
    printf '\377' | dd of=othermachine bs=1 seek=16 conv=notrunc status=none
    mkdir dir
    mkfifo fifo
    ln -s nowhere dangling
    for f in garbage empty short long truncated version2 othermachine dir fifo dangling missing; do
        run --separate-stderr bounded 10 map_table show "$f"
        assert_failure 1
        assert_equal "$output" ""
        case $f in
        garbage)   want="garbage: not a map_table file (no magic number)" ;;
        empty)     want="empty: the file is empty" ;;
        short)     want="short: 100 bytes, too short (at least $min)" ;;
        long)      want="long: $((max + 1)) bytes, too long (at most $max)" ;;
        truncated) want="truncated: $((size - 100)) bytes, but its header says 256 slots: truncated or damaged" ;;
        version2)  want="version2: format version 2; this program reads 1" ;;
        othermachine) want="othermachine: made by a map_table for another machine" ;;
        dir)       want="dir: Is a directory" ;;
        fifo)      want="fifo: not a regular file" ;;
        dangling)  want="dangling: No such file or directory" ;;
        missing)   want="missing: No such file or directory" ;;
        esac
        assert_equal "$stderr" "map_table: $want"
    done
    # Nothing was changed by looking.
    assert_equal "$(stat -c %s short)" 100
    rm fifo
}

@test "a table damaged inside is reported inconsistent, with the reason, and status 1" {
    map_table -s 4 init t
    map_table hit t a > /dev/null
    size=$(stat -c %s t)
    slot=$(( (size - $(map_table -s 1 init one && stat -c %s one)) / 3 ))
    # A name written into the first free slot, with no count.
    for i in 0 1 2 3; do
        cp t damaged
        off=$((size - (4 - i) * slot))
        [ "$(od -An -c -j "$off" -N 1 t | tr -d ' ')" = '\0' ] || continue
        printf 'z' | dd of=damaged bs=1 seek="$off" conv=notrunc status=none
        break
    done
    run --separate-stderr map_table check damaged
    assert_failure 1
    assert_equal "$stderr" "map_table: damaged: inconsistent: a name has a count of 0"
    run --separate-stderr map_table show damaged
    assert_failure 1
    assert_output ""
}

@test "a table another user may not write is refused with EACCES, as nobody" {
    needs_root "to run map_table as nobody"
    public_dir=$(mktemp -d /tmp/map-test.XXXXXX)
    chmod 755 "$public_dir"
    map_table init "$public_dir/t"
    chmod 644 "$public_dir/t"
    run --separate-stderr as_nobody "$IPC_BIN/map_table" hit "$public_dir/t" a
    assert_failure 1
    assert_equal "$stderr" "map_table: $public_dir/t: Permission denied"
    # And nobody may not make a table where it may not write.
    run --separate-stderr as_nobody "$IPC_BIN/map_table" init "$public_dir/u"
    assert_failure 1
    assert_equal "$stderr" "map_table: $public_dir/u: making a temporary file: Permission denied"
    run -0 map_table check "$public_dir/t"
    assert_output "$public_dir/t: consistent: 0 names, total 0"
}

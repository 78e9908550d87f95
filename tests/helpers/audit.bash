# What a test, and the whole suite, must leave as it found it.  Needs IPC_BIN
# (the directory of the book's programs) for the stray-process check.

# The state a test must leave as it found it.  Each line names one object.
ipc_audit_snapshot() {
    {
        # System V ids: queues, segments, semaphore sets (key and id).
        for f in msg shm sem; do
            awk -v t="$f" 'NR > 1 { print "sysv-" t, $1, $2 }' "/proc/sysvipc/$f"
        done
        # POSIX shared memory and named semaphores live in /dev/shm.
        find /dev/shm -mindepth 1 -maxdepth 1 -printf 'dev-shm %f\n' 2>/dev/null
        # POSIX message queues, where the mqueue file system is mounted.
        if mountpoint -q /dev/mqueue 2>/dev/null; then
            find /dev/mqueue -mindepth 1 -maxdepth 1 -printf 'mqueue %f\n'
        fi
        # FIFOs and socket files anywhere under /tmp.
        find /tmp -xdev \( -type p -o -type s \) -printf 'tmp-%y %p\n' 2>/dev/null
        # Bound UNIX sockets, by path or abstract name (the Path column).
        awk 'NR > 1 && NF >= 8 { print "unix-socket", $8 }' /proc/net/unix
        # Locks held by anyone (type, kind, inode; not pids, which change).
        # (not the requests still waiting, marked "->")
        awk '$2 != "->" { print "lock", $2, $3, $4, $6 }' /proc/locks
        # Processes running one of the book's programs.
        for p in "$IPC_BIN"/*; do
            [ -x "$p" ] && [ -f "$p" ] || continue
            # Zombies are not counted: they hold nothing, and an orphan's
            # is reaped by PID 1 in its own time.
            # By name, and (under valgrind, whose process is "memcheck")
            # by the program's path on the command line.
            { pgrep -r R,S,D,T,t -x "$(basename "$p" | cut -c1-15)" ||
              pgrep -r R,S,D,T,t -f "$p( |\$)"; } >/dev/null &&
                echo "process ${p##*/}"
        done
    } | sort
}

# ipc_audit_begin in setup (or setup_file); ipc_audit_end in teardown.
ipc_audit_begin() {
    ipc_audit_snapshot > "${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/.audit-before"
}
ipc_audit_end() {
    local before="${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}/.audit-before" left i
    # Give processes that were just killed a moment to go.
    for i in $(seq 40); do
        left=$(comm -13 "$before" <(ipc_audit_snapshot))
        [ -z "$left" ] && return 0
        sleep 0.05
    done
    echo "left behind by this test:" >&2
    echo "$left" >&2
    return 1
}

# The audit: what a test, and a whole test file, must leave as it found it.
#
# tests/run runs each test file in a world of its own (tests/helpers/world):
# where the kernel allows it, its own IPC, mount, network and PID
# namespaces, with a private /tmp, /dev/shm and /dev/mqueue.  The audit
# then sees only that world, so it is exact: anything it reports was made
# by this test file, and nothing another program on the machine does can
# make a test fail.  Where namespaces cannot be had, the world is "scoped":
# the audit looks at this run's own objects (its TMPDIR, its uid's System V
# and POSIX objects, its session's processes) and compares before and
# after, which is close but not exact.  IPC_AUDIT_SCOPE says which.
#
# The snapshot itself is one small C program, tests/helpers/audit.c
# (ipc-audit), built here on first use: a test takes two snapshots, and
# the dozen shell tools it replaces cost about 50 ms a snapshot.

_ipc_audit_src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/audit.c

# ipc_audit_build: make sure IPC_AUDIT_BIN is an ipc-audit built from the
# current audit.c (in book/build/test-tools, beside the book's programs).
ipc_audit_build() {
    local dir
    dir=$(cd "$(dirname "$_ipc_audit_src")/../.." && pwd)/book/build/test-tools
    IPC_AUDIT_BIN=$dir/ipc-audit
    export IPC_AUDIT_BIN
    [ "$IPC_AUDIT_BIN" -nt "$_ipc_audit_src" ] && return 0
    mkdir -p "$dir" &&
    cc -std=c11 -O2 -Wall -Wextra -Werror -o "$IPC_AUDIT_BIN.$$" "$_ipc_audit_src" &&
    mv -f "$IPC_AUDIT_BIN.$$" "$IPC_AUDIT_BIN"
}
[ -x "${IPC_AUDIT_BIN:-}" ] || ipc_audit_build

# ipc_audit_snapshot: print the state that must be left as found, one
# object a line, sorted (the line formats are in audit.c).
ipc_audit_snapshot() {
    "$IPC_AUDIT_BIN"
}

# ipc_audit_begin in setup; ipc_audit_end in teardown.  A test that leaves
# anything behind fails, naming each object.
ipc_audit_begin() {
    "$IPC_AUDIT_BIN" > "$BATS_TEST_TMPDIR/.audit-before"
}

# ipc_audit_end [BEFORE]: fail, naming each object, if anything is here
# that was not in BEFORE (default: what ipc_audit_begin saw).  Processes
# just killed take a moment to go, so while the only thing new is a
# process it looks again, for up to 2 s (10 s under valgrind).
ipc_audit_end() {
    local before=${1:-$BATS_TEST_TMPDIR/.audit-before} left status i tries=40
    [ "${VALGRIND:-}" = 1 ] && tries=200
    for ((i = 0; ; i++)); do
        status=0
        left=$("$IPC_AUDIT_BIN" "$before") || status=$?
        [ "$status" -eq 0 ] && return 0
        [ "$status" -eq 3 ] && ((i < tries)) || break
        sleep 0.05
    done
    echo "left behind:" >&2
    ipc_audit_describe <<< "$left" >&2
    return 1
}

# ipc_audit_describe: snapshot lines on stdin, each process with its
# command line, so that a stray is recognised at a glance.
ipc_audit_describe() {
    local kind pid rest args
    while read -r kind pid rest; do
        if [ "$kind" = process ] && [ -r "/proc/$pid/cmdline" ]; then
            args=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)
            echo "  process $pid $rest: ${args% }"
        else
            echo "  $kind${pid:+ $pid}${rest:+ $rest}"
        fi
    done
}

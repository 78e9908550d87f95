# Shared helpers for every chapter's tests.  Load with:
#     load helpers/common
# It loads bats-support, bats-assert and bats-file, puts the book's
# programs first on PATH (through valgrind when VALGRIND=1), and gives:
#   ipc_audit_begin / ipc_audit_end   prove a test leaves nothing behind
#   wait_for CMD...                   poll (bounded) until CMD succeeds
#   as_nobody CMD...                  run CMD as an unprivileged user
#   needs_root WHY...                 skip unless this run may act as root
#   assert_usage_conventions PROG...  -h gives usage (0), a bad option 2
#   bounded CMD...                    run CMD under a timeout (10 s default)
#   start NAME CMD...                 CMD in the background, output in files
#   no_reader CMD...                  CMD writing to a pipe nobody reads

bats_require_minimum_version 1.5.0
bats_load_library bats-support 2>/dev/null || load /usr/lib/bats/bats-support/load
bats_load_library bats-assert  2>/dev/null || load /usr/lib/bats/bats-assert/load
bats_load_library bats-file    2>/dev/null || load /usr/lib/bats/bats-file/load

IPC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${IPC_BIN:=$IPC_ROOT/book/build/plain/bin}"
export IPC_ROOT IPC_BIN
# A deadlock is a failure, not a hang.
: "${BATS_TEST_TIMEOUT:=60}"
export BATS_TEST_TIMEOUT                 # ipc-audit knows its timer by it

# The programs are found by name, as a user would run them.
if [ "${VALGRIND:-}" = 1 ]; then
    # One wrapper per program, so tests need not know about valgrind.
    # Exit status 99 marks a memory error or leak.
    ipc_vg_dir=${BATS_RUN_TMPDIR:-/tmp}/valgrind-bin
    if [ ! -d "$ipc_vg_dir" ]; then
        mkdir -p "$ipc_vg_dir"
        for p in "$IPC_BIN"/*; do
            [ -x "$p" ] && [ -f "$p" ] || continue
            printf '#!/bin/sh\nexec valgrind -q --vgdb=no --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --child-silent-after-fork=yes "%s" "$@"\n' \
                "$p" > "$ipc_vg_dir/${p##*/}"
            chmod +x "$ipc_vg_dir/${p##*/}"
        done
    fi
    PATH="$ipc_vg_dir:$PATH"
else
    PATH="$IPC_BIN:$PATH"
fi
export PATH

# bounded [SECONDS] CMD...: a command that must finish; a hang fails the test.
bounded() {
    local t=10
    case $1 in [0-9]*) t=$1; shift ;; esac
    timeout -k 2 "$t" "$@"
}

# wait_for CMD...: retry CMD every 50 ms until it succeeds: for up to 5 s,
# or 20 s under valgrind, where everything starts slowly.
wait_for() {
    local i tries=100
    [ "${VALGRIND:-}" = 1 ] && tries=400
    for ((i = 0; i < tries; i++)); do
        "$@" && return 0
        sleep 0.05
    done
    echo "timed out waiting for: $*" >&2
    return 1
}

# start NAME CMD...: CMD in the background, stdin from the file $in
# (default /dev/null), stdout in NAME.out and stderr in NAME.err; sets
# $pid and adds it to $bg_pids, which the test file's teardown kills.
# SIGINT restored (bash starts background jobs with it ignored, and a
# test may want to interrupt one); fds 3 (bats') and 4 (a test's FIFO)
# closed, so that CMD holds neither open.
start() {
    local name=$1
    shift
    : > "$name.out"
    : > "$name.err"
    env --default-signal=INT "$@" < "${in:-/dev/null}" > "$name.out" \
        2> "$name.err" 3>&- 4>&- &
    pid=$!
    bg_pids="${bg_pids:-} $pid"
}

# reap PID: wait for PID, a background job of this shell; its exit status
# in $rc, and PID off $bg_pids (nothing left for teardown to kill).
reap() {
    rc=0
    wait "$1" || rc=$?
    bg_pids=${bg_pids/ $1/}
}

# stop_server SIGNAL: send it to $server_pid, reap the server, check it
# died of that signal.
stop_server() {
    local status=0
    kill -"$1" "$server_pid"
    wait "$server_pid" || status=$?
    server_pid=
    assert_equal "server status $status" "server status $((128 + $(kill -l "$1")))"
}

# make_public_dir: $public_dir, a new directory under /tmp that every user
# may search but only root may write, for a permission test run as nobody;
# the test file's teardown removes it.
make_public_dir() {
    public_dir=$(mktemp -d /tmp/ipc-test.XXXXXX)
    chmod 755 "$public_dir"
}

# no_reader CMD...: run CMD with its standard output a pipe whose reader
# has gone, and SIGPIPE at its default action (death), as a shell would.
no_reader() {
    perl -e 'pipe(my $r, my $w) or die "pipe: $!"; close $r;
             open(STDOUT, ">&", $w) or die "dup: $!"; close $w;
             exec { "env" } "env", "--default-signal=PIPE", @ARGV
                 or die "exec: $!"' -- "$@"
}

# assert_usage_conventions PROG...: the book's rules for every program:
# -h prints "usage: PROG ..." to stdout and exits 0; an unknown option
# prints nothing on stdout, names itself on stderr ("PROG: invalid option",
# by its name, not its path, however it was started) and exits 2.
assert_usage_conventions() {
    local p
    for p in "$@"; do
        run --separate-stderr "$p" -h
        assert_success
        assert_line --index 0 --regexp "^usage: $p( |$)"
        assert_equal "$stderr" ""
        # Started by its full path, as make install or a script might.
        run --separate-stderr "$(command -v "$p")" -Q </dev/null
        assert_failure 2
        assert_equal "$output" ""
        # getopt names the program as err(3) does: "prog:", not a path.
        assert_equal "${stderr_lines[0]}" "$p: invalid option -- 'Q'"
    done
}

# as_nobody CMD...: run CMD as nobody:nogroup with no supplementary groups,
# to show a permission check root would bypass.  A test that uses it, or
# chown, calls needs_root first.
as_nobody() {
    setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
}

# needs_root WHY...: skip the rest of this test, saying WHY, unless this run
# can do what only root can: become another user (as_nobody), give a file
# away (chown).  An ordinary user's `make check` skips these and counts them.
needs_root() {
    setpriv --reuid=nobody --regid=nogroup --clear-groups -- true 2>/dev/null ||
        skip "needs root: $*"
}

# The audit (ipc_audit_snapshot, ipc_audit_begin, ipc_audit_end) is shared
# with tests/run, which wraps the whole suite in it.
source "$IPC_ROOT/tests/helpers/audit.bash"

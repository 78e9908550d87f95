#!/usr/bin/env bats
# Tests of chapter 4, UNIX stream sockets: addresses and socket files
# (sock_bind, lib/unaddr), and, checked through socat, ss and /proc, what
# the kernel does with them.

load helpers/common

setup() {
    ipc_audit_begin
    # Private directories made by the programs go under the test's own
    # directory, so that a failed test cannot leave them in /tmp proper.
    export TMPDIR=$BATS_TEST_TMPDIR
    cd "$BATS_TEST_TMPDIR"
    public_dir= server_pid= bg_pids=
}

teardown() {
    local p
    for p in $server_pid $bg_pids; do
        kill -TERM "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    [ -z "$public_dir" ] || rm -rf "$public_dir"
    ipc_audit_end
}

# make_public_dir: a directory every user may search but only root may
# write, for the permission tests (they run as nobody).
make_public_dir() {
    public_dir=$(mktemp -d /tmp/sock-test.XXXXXX)
    chmod 755 "$public_dir"
}

# --- addresses and the socket file --------------------------------------

@test "SOCK-01: bind makes a socket file that close leaves; a second bind fails EADDRINUSE" {
    run --separate-stderr sock_bind -k s s
    assert_failure 1
    assert_line --index 0 "s: bound; getsockname: s, length 4"
    assert_line --index 1 "s: after close: the socket file is still there"
    assert_equal "$stderr" "sock_bind: bind s: Address already in use"
    assert_equal "$(stat -c %F s)" "socket"
    assert_equal "$(ls -l s | cut -c1)" "s"
    rm s
}

@test "sock_bind removes the files it made at exit, unless -k" {
    run sock_bind a b
    assert_success
    assert_line "b: after close: the socket file is still there"
    assert_not_exist a
    assert_not_exist b
}

@test "SOCK-02: connect to a socket file nobody is bound to is ECONNREFUSED, to no file ENOENT" {
    sock_bind -k s
    run socat -u /dev/null UNIX-CONNECT:s
    assert_failure
    assert_output --partial "Connection refused"
    run socat -u /dev/null UNIX-CONNECT:nothere
    assert_failure
    assert_output --partial "No such file or directory"
    rm s
}

@test "SOCK-03: a path of 108 bytes is refused; a raw one comes back from getsockname without NUL" {
    local long107 long108
    long107=$(printf '%0107d' 7)
    long108=$(printf '%0108d' 8)
    run sock_bind "$long107"
    assert_success
    assert_line --index 0 "$long107: bound; getsockname: $long107, length 110"
    run --separate-stderr sock_bind "$long108"
    assert_failure 1
    assert_equal "$stderr" "sock_bind: bind $long108: File name too long"
    assert_not_exist "$long108"
    run sock_bind -r "$long108"
    assert_success
    assert_line --index 0 "$long108: bound; getsockname: $long108, length 111 (more than sockaddr_un, no NUL)"
    assert_not_exist "$long108"
}

@test "abstract names: @name is bound with no file; an empty name is refused" {
    local name=ipcbook-$$-$RANDOM
    mkdir empty && cd empty
    run sock_bind "@$name"
    assert_success
    assert_output "@$name: bound; getsockname: @$name, length $((2 + 1 + ${#name}))"
    assert_equal "$(ls -A)" ""
    run --separate-stderr sock_bind "" "@"
    assert_failure 1
    assert_equal "$stderr" "sock_bind: bind : Invalid argument
sock_bind: bind @: Invalid argument"
}

@test "SOCK-07: creating a socket file needs write permission on the directory (as nobody)" {
    needs_root "to run sock_bind as nobody"
    make_public_dir
    run as_nobody "$IPC_BIN/sock_bind" "$public_dir/s"
    assert_failure 1
    assert_output "sock_bind: bind $public_dir/s: Permission denied"
}

@test "SOCK-07: connect needs write permission on the socket file and search on its directory (as nobody)" {
    needs_root "to connect as nobody"
    make_public_dir
    (umask 022 && sock_bind -k "$public_dir/s")
    assert_equal "$(stat -c %a "$public_dir/s")" "755"
    run as_nobody socat -u /dev/null "UNIX-CONNECT:$public_dir/s"
    assert_output --partial "Permission denied"
    # With write permission the kernel lets nobody through to the socket,
    # which refuses only because no one listens.
    chmod 777 "$public_dir/s"
    run as_nobody socat -u /dev/null "UNIX-CONNECT:$public_dir/s"
    assert_output --partial "Connection refused"
    # A directory nobody may search hides it whatever its mode.
    chmod 700 "$public_dir"
    run as_nobody socat -u /dev/null "UNIX-CONNECT:$public_dir/s"
    assert_output --partial "Permission denied"
}

@test "unix_bind takes over a stale socket file but never a live socket, a link or a file" {
    sock_bind -k s
    run sock_bind -T s
    assert_success
    assert_line --index 0 "s: bound; getsockname: s, length 4"
    assert_not_exist s
    ln -s /etc/passwd l
    touch f
    run --separate-stderr sock_bind -T l f
    assert_failure 1
    assert_equal "$stderr" "sock_bind: bind l: File exists
sock_bind: bind f: File exists"
    assert_equal "$(readlink l)" "/etc/passwd"
    assert_file_exists f
    for t in stream dgram seqpacket; do
        run --separate-stderr sock_bind -t $t -n x -T x
        assert_failure 1
        assert_equal "$stderr" "sock_bind: bind x: Address already in use"
    done
    rm l f
}

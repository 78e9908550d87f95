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
    rm -f "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out" "$BATS_TEST_TMPDIR"/f[0-9]*
    ipc_audit_end
}

# start_server [options]: sock_server in the background (behind
# $server_prefix, if set); sets server_pid and sock (the path it printed)
# once it listens.  SIGINT is restored
# (bash starts background jobs with it ignored).
start_server() {
    : > "$BATS_TEST_TMPDIR/server.out"
    : > "$BATS_TEST_TMPDIR/server.err"
    env --default-signal=INT ${server_prefix:-} sock_server "$@" \
        > "$BATS_TEST_TMPDIR/server.out" 2> "$BATS_TEST_TMPDIR/server.err" 3>&- &
    server_pid=$!
    wait_for server_says_part "listening on"
    sock=$(cat "$BATS_TEST_TMPDIR/server.out")
}

server_said() { cat "$BATS_TEST_TMPDIR/server.err"; }
server_says_part() { grep -qF -- "$1" "$BATS_TEST_TMPDIR/server.err"; }
# server_says LINE: wait until the server has logged LINE.
server_says() {
    wait_for grep -qxF -- "sock_server: $1" "$BATS_TEST_TMPDIR/server.err"
}

# frame TEXT: TEXT as a request frame of the protocol (4-byte length).
frame() {
    local n=${#1}
    printf "\\$(printf %03o $((n >> 24 & 255)))\\$(printf %03o $((n >> 16 & 255)))\\$(printf %03o $((n >> 8 & 255)))\\$(printf %03o $((n & 255)))%s" "$1"
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
    # Without -k, sock_bind removes what it made when it exits.
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

@test "abstract names: socat listens on @name, ss shows it with its @, and sock_client reaches it" {
    local name=ipcbook-$$-$RANDOM
    printf '\000\000\000\003OHI' > reply
    socat "ABSTRACT-LISTEN:$name" SYSTEM:'cat reply' 3>&- &
    bg_pids=$!
    wait_for grep -q "@$name\$" /proc/net/unix
    run ss -xl
    assert_output --regexp "u_str +LISTEN .* @$name "
    run sock_client "@$name" hi
    assert_success
    assert_output "HI"
    wait $bg_pids
    bg_pids=
    # The name went with its socket.
    run grep -c "@$name\$" /proc/net/unix
    assert_output 0
}

# "Permission denied" is strerror(EACCES); EPERM would be "Operation not
# permitted".
@test "SOCK-07: creating a socket file needs write and search permission on the directory, or bind fails EACCES (as nobody)" {
    needs_root "to run sock_bind as nobody"
    make_public_dir
    run as_nobody "$IPC_BIN/sock_bind" "$public_dir/s"
    assert_failure 1
    assert_output "sock_bind: bind $public_dir/s: Permission denied"
    # A directory nobody may write to, inside one nobody may not search.
    mkdir -m 777 "$public_dir/open"
    run as_nobody "$IPC_BIN/sock_bind" "$public_dir/open/s"
    assert_success
    chmod 700 "$public_dir"
    run as_nobody "$IPC_BIN/sock_bind" "$public_dir/open/s"
    assert_failure 1
    assert_output "sock_bind: bind $public_dir/open/s: Permission denied"
}

@test "SOCK-07: connect needs write permission on the socket file and search on its directory, or fails EACCES (as nobody)" {
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

@test "unix_bind takes over a stale socket file but never a live socket (EADDRINUSE), a link or a file (EEXIST, File exists)" {
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
        run --separate-stderr sock_bind -t $t -n -l x -T x
        assert_failure 1
        assert_equal "$stderr" "sock_bind: bind x: Address already in use"
    done
    # A stream socket bound but not yet listening refuses connections, so
    # it looks stale: the window between a server's bind and listen.
    run sock_bind -n x -T x
    assert_success
    assert_equal "$(grep -c "x: bound" <<< "$output")" 2
    rm l f
}

# --- the service: sock_server and sock_client ----------------------------

@test "bad arguments give a one-line error and status 2" {
    run --separate-stderr sock_server -m 800
    assert_failure 2
    assert_equal "$stderr" "sock_server: mode: '800' is not an octal mode from 0 to 777"
    run --separate-stderr sock_server -c 0
    assert_failure 2
    assert_equal "$stderr" "sock_server: clients: '0' is not a number from 1 to 1000"
    run --separate-stderr sock_server -d /tmp
    assert_failure 2
    assert_equal "$stderr" "sock_server: /tmp: every user may write to it; use a private directory"
    run --separate-stderr sock_client -n 0 s
    assert_failure 2
    assert_equal "$stderr" "sock_client: count: '0' is not a number from 1 to 10000000"
    run --separate-stderr sock_client "$(printf '%0108d' 0)" x
    assert_failure 2
    assert_equal "$stderr" "sock_client: $(printf '%0108d' 0): File name too long"
    run --separate-stderr sock_bind -t raw s
    assert_failure 2
    assert_equal "$stderr" "sock_bind: type: 'raw' is not stream, dgram or seqpacket"
}

@test "sock_server listens on a 0600 socket in a 0700 directory, shown by ss -x; SIGTERM removes both" {
    umask 000
    start_server
    [[ $sock == "$BATS_TEST_TMPDIR"/sock_server.??????/upper.sock ]]
    assert_equal "$(stat -c '%F %a' "$sock")" "socket 600"
    assert_equal "$(stat -c '%a' "${sock%/*}")" "700"
    assert_equal "$(server_said)" "sock_server: pid $server_pid listening on $sock"
    run ss -xlp
    assert_output --regexp "u_str +LISTEN .* $sock .*pid=$server_pid"
    grep -q " $sock\$" /proc/net/unix
    stop_server TERM
    assert_not_exist "$sock"
    assert_not_exist "${sock%/*}"
}

@test "sock_server removes its socket and directory on SIGINT and SIGHUP too" {
    for sig in INT HUP; do
        start_server
        stop_server $sig
        assert_not_exist "${sock%/*}"
    done
}

@test "sock_client sends each argument or each line and prints each reply in upper case" {
    start_server
    run sock_client "$sock" hello "wOrld 42"
    assert_success
    assert_output "HELLO
WORLD 42"
    run bash -c 'printf "one\n\ntwo\n" | sock_client "$1"' _ "$sock"
    assert_success
    assert_output "ONE

TWO"
    server_says "client 2: done after 3 requests"
}

@test "socat as a client: a framed request gets a framed reply, and its half-close ends the session" {
    start_server
    frame "hello" > req
    frame "sockets" >> req
    run bash -c 'socat -t 5 - "UNIX-CONNECT:$1" < req | od -An -c -w64 | tr -s " "' _ "$sock"
    assert_success
    assert_output " \\0 \\0 \\0 006 O H E L L O \\0 \\0 \\0 \\b O S O C K E T S"
    server_says "client 1: done after 2 requests"
}

@test "socat as a server: sock_client speaks to it, over SOCK_STREAM and SOCK_SEQPACKET" {
    printf '\000\000\000\003OHI' > reply
    socat UNIX-LISTEN:s.sock SYSTEM:'cat reply' 3>&- &
    bg_pids=$!
    wait_for test -S s.sock
    run sock_client s.sock hi
    assert_success
    assert_output "HI"
    wait $bg_pids
    socat UNIX-LISTEN:q.sock,type=5 SYSTEM:'printf OHI' 3>&- &
    bg_pids=$!
    wait_for test -S q.sock
    run sock_client -q q.sock hi
    assert_success
    assert_output "HI"
    wait $bg_pids
    bg_pids=
}

@test "SOCK_SEQPACKET service: a record is a request, socat sends one per line" {
    start_server -q
    run sock_client -q "$sock" one two
    assert_output "ONE
TWO"
    run bash -c 'printf "hello\n" | socat -t 5 - "UNIX-CONNECT:$1,type=5"' _ "$sock"
    assert_success
    assert_output "OHELLO"
    run --separate-stderr sock_client -q "$sock" "$(head -c 70000 /dev/zero | tr '\0' a)"
    assert_failure 1
    assert_equal "$stderr" "sock_client: the server says: a request is longer than 65536 bytes"
    run sock_client -q "$sock" still
    assert_output "STILL"
}

@test "load: 50 clients x 1000 round trips at once, every reply checked: none lost, repeated, reordered or damaged" {
    local i n=50 trips=1000
    # Under valgrind every client is 20 times slower: fewer, and shorter.
    [ "${VALGRIND:-}" = 1 ] && n=10 trips=100
    start_server
    for ((i = 1; i <= n; i++)); do
        sock_client -t 20000 -n $trips -i $i "$sock" > out.$i 2>&1 3>&- &
        bg_pids+=" $!"
    done
    for p in $bg_pids; do wait $p; done
    bg_pids=
    for ((i = 1; i <= n; i++)); do
        assert_equal "$(cat out.$i)" "client $i: $trips round trips, every reply checked"
    done
    assert_equal "$(grep -c "done after $trips requests" "$BATS_TEST_TMPDIR/server.err")" $n
}

@test "the load test's checks fail on a reply that is not the request in upper case" {
    # A server of socat's that answers every request with the same reply.
    printf '\000\000\000\003OHI' > reply
    socat UNIX-LISTEN:s.sock SYSTEM:'cat reply' 3>&- &
    bg_pids=$!
    wait_for test -S s.sock
    run --separate-stderr sock_client -n 1 -i 7 s.sock
    assert_failure 1
    assert_equal "$stderr" "sock_client: client 7: reply 0 is not a checked reply"
    wait $bg_pids
    bg_pids=
}

@test "an oversized request is refused with a clear error, and the server carries on" {
    start_server -s 1k
    run --separate-stderr sock_client "$sock" "$(head -c 1025 /dev/zero | tr '\0' a)"
    assert_failure 1
    assert_equal "$stderr" "sock_client: the server says: a request of 1025 bytes is longer than 1024"
    server_says "client 1: a request of 1025 bytes is longer than 1024; refused"
    run sock_client "$sock" "$(head -c 1024 /dev/zero | tr '\0' a)"
    assert_success
    assert_equal "${#output}" 1024
}

# hold_client: a client of socat's that sends what the test writes to fd 5
# (through the FIFO in) and keeps the connection open until fd 5 closes;
# sets hold_pid.
hold_client() {
    mkfifo in
    socat -u PIPE:in "UNIX-CONNECT:$sock" 3>&- &
    hold_pid=$!
    bg_pids+=" $hold_pid"
    exec 5> in
}

# fifo_client N: a sock_client whose requests are the lines the test
# writes to descriptor 20+N (the FIFO fN); its output goes to outN when
# it ends.  Each starts without the test's descriptors to earlier FIFOs,
# or closing one would not end the client that reads it.
fifo_client() {
    local i=$1 j closes=
    for ((j = 1; j < i; j++)); do closes+=" $((20 + j))>&-"; done
    mkfifo f$i
    eval "sock_client -t 20000 \"\$sock\" < f$i > out$i 2>&1 3>&- $closes &"
    bg_pids+=" $!"
    eval "exec $((20 + i))> f$i"
}

# served_within_1s: a new client is answered within a second.
served_within_1s() {
    local t=1
    # Under valgrind the client alone takes longer than that to start.
    [ "${VALGRIND:-}" = 1 ] && t=20
    run bounded $t sock_client "$sock" next
    assert_success
    assert_output "NEXT"
}

@test "hostile peers: a silent client and one that stops mid-frame cost only their own slot, until their deadline" {
    local silent ms=2000
    # under valgrind the next client alone takes seconds to start
    [ "${VALGRIND:-}" = 1 ] && ms=8000
    start_server -t $ms
    hold_client
    silent=$hold_pid
    exec 6>&5 5>&-                      # client 1's end, kept open on fd 6
    wait_for server_says_part "client 1: pid $silent"
    mv in in.1
    hold_client
    frame "a request cut short" | head -c 9 >&5
    wait_for server_says_part "client 2: pid $hold_pid"
    # Both are held, neither dropped yet: the next client is served now,
    # not after their deadlines, as a server that waited would be.
    served_within_1s
    if grep -q "dropped" "$BATS_TEST_TMPDIR/server.err"; then
        fail "a held client was dropped before the next client was served"
    fi
    server_says "client 1: sent no request within $ms ms; dropped"
    server_says "client 2: did not finish its request within $ms ms; dropped"
    exec 5>&- 6>&-
    wait "$silent" || true
    wait "$hold_pid" || true
    rm in in.1
    bg_pids=
}

@test "hostile peers: a client killed mid-frame is dropped at once, and the next is served" {
    start_server
    hold_client
    frame "a request cut short" | head -c 9 >&5
    wait_for server_says_part "client 1: pid $hold_pid"
    kill -KILL $hold_pid
    wait $hold_pid || true
    exec 5>&-
    bg_pids=
    server_says "client 1: end of file in the middle of a request; dropped"
    served_within_1s
}

@test "hostile peers: a 4 GiB length and 1 MiB of noise are refused at once, and the next client is served" {
    start_server
    run bash -c 'printf "\377\377\377\377" | socat -t 5 - "UNIX-CONNECT:$1" | tail -c +6' _ "$sock"
    assert_output "a request of 4294967295 bytes is longer than 65536"
    server_says "client 1: a request of 4294967295 bytes is longer than 65536; refused"
    served_within_1s
    head -c 1M /dev/urandom > noise
    printf 'noise' | dd of=noise conv=notrunc status=none
    run socat -t 5 - "UNIX-CONNECT:$sock" < noise
    server_says "client 3: a request of 1852795251 bytes is longer than 65536; refused"
    served_within_1s
    run ps -o stat= -p $server_pid
    assert_success
}

@test "a client that does not read its replies is dropped at its deadline" {
    start_server -t 300
    # 20 requests of 60000 bytes, sent by socat -u, which never reads:
    # the replies fill the socket buffers and the server must wait.
    frame "$(head -c 60000 /dev/zero | tr '\0' a)" > one
    for i in $(seq 20); do cat one; done > reqs
    socat -u OPEN:reqs "UNIX-CONNECT:$sock" 2>/dev/null 3>&- &
    bg_pids=$!
    server_says "client 1: did not take its reply within 300 ms; dropped"
    served_within_1s
}

@test "removing the socket file stops new clients (ENOENT) and disturbs no connection made" {
    start_server
    fifo_client 1
    wait_for server_says_part "client 1: pid"
    rm "$sock"
    run --separate-stderr sock_client "$sock" x
    assert_failure 1
    assert_equal "$stderr" "sock_client: connect $sock: No such file or directory"
    echo "still connected" >&21
    exec 21>&-
    server_says "client 1: done after 1 requests"
    wait_for grep -qx "STILL CONNECTED" out1
}

@test "with every slot taken, a new client waits in the backlog until a slot is free" {
    start_server -c 1
    fifo_client 1
    wait_for server_says_part "client 1: pid"
    sock_client "$sock" queued > queued.out 3>&- 21>&- &
    bg_pids+=" $!"
    echo first >&21
    exec 21>&-
    wait_for grep -qx QUEUED queued.out
    # The second client was accepted only after the first had gone.
    run grep -e "client 1: done" -e "client 2: pid" "$BATS_TEST_TMPDIR/server.err"
    assert_line --index 0 "sock_server: client 1: done after 1 requests"
    assert_line --index 1 --regexp "^sock_server: client 2: pid [0-9]+ uid"
    assert_equal "$(cat out1)" "FIRST"
}

@test "no ECONNABORTED on Linux: a client that gave up while waiting in the backlog is accepted, and reads as end of file" {
    start_server -c 1
    fifo_client 1
    wait_for server_says_part "client 1: pid"
    # socat connects, sends nothing, and closes before it is accepted.
    run bounded socat -u /dev/null "UNIX-CONNECT:$sock"
    assert_success
    echo first >&21
    exec 21>&-
    server_says "client 2: done after 0 requests"
    run grep -e "client 1: done" -e "client 2: pid" "$BATS_TEST_TMPDIR/server.err"
    assert_line --index 0 "sock_server: client 1: done after 1 requests"
    assert_line --index 1 --regexp "^sock_server: client 2: pid [0-9]+ uid"
    served_within_1s
}

# queued N: N connections wait in the listener's backlog (ss shows the
# queue's length as a listening socket's Recv-Q).
queued() {
    [ "$(ss -xlH | awk -v p="$sock" '$5 == p { print $3 }')" = "$1" ]
}

@test "ECONNRESET: a server that exits with clients in its backlog resets them; sock_client says the server closed the connection" {
    local qpid spid status=0
    start_server -c 1
    fifo_client 1
    wait_for server_says_part "client 1: pid"
    : > queued.out
    : > socat.out
    sock_client "$sock" queued > queued.out 2>&1 3>&- 21>&- &
    qpid=$!
    # socat -d reports a read error as a warning, and carries on as if at
    # end of file.
    socat -d -u "UNIX-CONNECT:$sock" - > socat.out 2>&1 3>&- 21>&- &
    spid=$!
    bg_pids+=" $qpid $spid"
    wait_for queued 2
    stop_server TERM
    wait $qpid || status=$?
    assert_equal "$status: $(cat queued.out)" "1: sock_client: read: the server closed the connection"
    wait $spid || true
    run cat socat.out
    assert_output --regexp "W read\(.*\): Connection reset by peer$"
    # The client it had accepted, with nothing unread, sees end of file.
    echo late >&21
    exec 21>&-
    wait_for grep -qx "sock_client: the server closed the connection" out1
    bg_pids=
}

@test "out of descriptors (EMFILE), the server stops accepting until a client leaves, then serves the one waiting" {
    local i n=6 full=
    # Valgrind takes descriptors of its own from the top of the limit.
    [ "${VALGRIND:-}" = 1 ] && skip "under valgrind: the limit is valgrind's too"
    server_prefix="prlimit --nofile=$n" start_server -c 30
    # One more client each time, until the server has no descriptor left.
    for ((i = 1; i <= 20; i++)); do
        fifo_client $i
        wait_for grep -q -e "client $i: pid" -e "Too many open files" \
            "$BATS_TEST_TMPDIR/server.err"
        if grep -q "Too many open files" "$BATS_TEST_TMPDIR/server.err"; then
            full=$i
            break
        fi
    done
    [ -n "$full" ] && [ "$full" -gt 1 ]
    server_says "accept (not accepting until a client leaves): Too many open files"
    eval "echo late >&$((20 + full))"
    eval "exec $((20 + full))>&-"
    # The first client leaves; the server accepts the one that waited.
    echo first >&21
    exec 21>&-
    server_says "client 1: done after 1 requests"
    wait_for grep -qx LATE out$full
    assert_equal "$(cat out1)" "FIRST"
    for ((i = 2; i < full; i++)); do eval "exec $((20 + i))>&-"; done
    for p in $bg_pids; do wait $p || true; done
    bg_pids=
}

@test "SIGKILL leaves a stale socket file that the next start takes over; a live server is never displaced" {
    mkdir -m 700 d
    start_server -d d
    local first=$server_pid
    kill -KILL $server_pid
    wait $server_pid || true
    server_pid=
    assert_equal "$(stat -c %F d/upper.sock)" "socket"
    run socat -u /dev/null UNIX-CONNECT:d/upper.sock
    assert_output --partial "Connection refused"
    start_server -d d
    [ "$server_pid" != "$first" ]
    run sock_client d/upper.sock again
    assert_output "AGAIN"
    run --separate-stderr sock_server -d d
    assert_failure 1
    assert_equal "$stderr" "sock_server: d/upper.sock: a server is already listening there"
    run sock_client d/upper.sock still
    assert_output "STILL"
    stop_server TERM
    assert_equal "$(ls -A d)" ""
    rmdir d
}

@test "a link or file planted at the socket's path is refused and left alone" {
    mkdir -m 700 d
    ln -s /etc/passwd d/upper.sock
    run --separate-stderr sock_server -d d
    assert_failure 1
    assert_equal "$stderr" "sock_server: d/upper.sock: exists and is not a socket of ours; not touching it"
    assert_equal "$(readlink d/upper.sock)" "/etc/passwd"
    rm d/upper.sock
    echo data > d/upper.sock
    run sock_server -d d
    assert_failure 1
    assert_equal "$(cat d/upper.sock)" "data"
    rm -r d
}

@test "SOCK-08: SO_PEERCRED gives the server the client's pid, uid and gid" {
    start_server
    sock_client "$sock" x > /dev/null 3>&- &
    local pid=$!
    wait $pid
    server_says "client 1: pid $pid uid $(id -u) gid $(id -g): connected"
}

@test "as nobody: a 0700 directory keeps nobody out; SO_PEERCRED refuses nobody unless allowed with -u" {
    needs_root "to connect as nobody"
    start_server
    run --separate-stderr as_nobody "$IPC_BIN/sock_client" "$sock" x
    assert_failure 1
    assert_equal "$stderr" "sock_client: connect $sock: Permission denied"
    stop_server TERM
    make_public_dir
    start_server -m 666 -d "$public_dir"
    run --separate-stderr as_nobody "$IPC_BIN/sock_client" "$sock" x
    assert_failure 1
    assert_equal "$stderr" "sock_client: the server says: uid 65534 may not use this server"
    server_says "client 1: uid 65534 may not use this server; refused"
    assert_equal "$(server_said | grep -c "client 1: pid .* uid 65534 gid 65534: connected")" 1
    stop_server TERM
    start_server -m 666 -d "$public_dir" -u 65534
    run as_nobody "$IPC_BIN/sock_client" "$sock" x
    assert_success
    assert_output "X"
}

# --- the kernel's rules, one program each --------------------------------

@test "every program prints its usage with -h (status 0) and refuses an unknown option (status 2)" {
    assert_usage_conventions sock_bind sock_server sock_client fd_send fd_recv
}

@test "every demonstration program prints its usage with -h (status 0) and refuses an unknown option (status 2)" {
    assert_usage_conventions sock_pair sock_gone sock_backlog sock_fill sock_eintr sock_reads
    run --separate-stderr sock_eintr poll
    assert_failure 2
    assert_equal "$stderr" "sock_eintr: call: 'poll' is not recv, send, accept or connect"
    run --separate-stderr sock_reads -t dgram 1
    assert_failure 2
    assert_equal "$stderr" "sock_reads: type: 'dgram' is not stream or seqpacket"
    run --separate-stderr sock_reads 0
    assert_failure 2
    run --separate-stderr fd_send -n 17 s f
    assert_failure 2
    assert_equal "$stderr" "fd_send: copies: '17' is not a number from 1 to 16"
}

@test "SOCK-09: socketpair gives two connected ends that both read and write; SO_PEERCRED names its maker on both" {
    run sock_pair
    assert_success
    assert_line --index 0 --regexp "^parent [0-9]+ read: hello from the child$"
    assert_line --index 1 --regexp "^child [0-9]+ read: hello from the parent$"
    local parent child
    parent=$(sed -n 's/^parent \([0-9]*\) read.*/\1/p' <<< "$output")
    child=$(sed -n 's/^child \([0-9]*\) read.*/\1/p' <<< "$output")
    [ "$parent" != "$child" ]
    assert_line --index 2 "child $child: peer pid $parent uid $(id -u) gid $(id -g)"
    assert_line --index 3 "parent $parent: peer pid $parent uid $(id -u) gid $(id -g)"
}

@test "SOCK-05: read gives 0 after the peer closes; write raises SIGPIPE, or fails EPIPE if it is ignored or with MSG_NOSIGNAL" {
    run sock_gone
    assert_equal "$status" 141          # 128 + SIGPIPE
    assert_output "read 3 bytes: bye
read 0 bytes: end of file
writing to it with write"
    run sock_gone -i
    assert_success
    assert_line --index 3 "failed: Broken pipe (EPIPE)"
    run sock_gone -n
    assert_success
    assert_line --index 2 "writing to it with send(MSG_NOSIGNAL)"
    assert_line --index 3 "failed: Broken pipe (EPIPE)"
}

@test "ECONNRESET: a peer that closes with data unread makes the other end's read fail, not return 0" {
    run --separate-stderr sock_gone -r
    assert_failure 1
    assert_output "read 3 bytes: bye"
    assert_equal "$stderr" "sock_gone: read: Connection reset by peer"
}

@test "sock_gone -q: a SOCK_SEQPACKET connection ends as a stream's does (end of file, EPIPE, ECONNRESET), but on Linux with no SIGPIPE, and the reset ahead of the data" {
    # write(2) with SIGPIPE at its default action: EPIPE, and alive
    run sock_gone -q
    assert_success
    assert_output "read 3 bytes: bye
read 0 bytes: end of file
writing to it with write
failed: Broken pipe (EPIPE)"
    # and under strace: no SIGPIPE was raised at all, where a stream's
    # write gets one (the program itself, never the valgrind wrapper;
    # LeakSanitizer cannot run under ptrace)
    export ASAN_OPTIONS=detect_leaks=0
    run -0 strace -o seqpacket.trace -e trace=none -e signal=SIGPIPE \
        "$IPC_BIN/sock_gone" -q
    run -1 grep -c SIGPIPE seqpacket.trace
    run strace -o stream.trace -e trace=none -e signal=SIGPIPE \
        "$IPC_BIN/sock_gone"
    assert_equal "$status" 141
    run -0 grep -c -- '--- SIGPIPE' stream.trace
    assert_output 1
    run sock_gone -q -n
    assert_success
    assert_line --index 2 "writing to it with send(MSG_NOSIGNAL)"
    assert_line --index 3 "failed: Broken pipe (EPIPE)"
    # the reset comes before the record the peer sent, not after it
    run --separate-stderr sock_gone -q -r
    assert_failure 1
    assert_output ""
    assert_equal "$stderr" "sock_gone: read: Connection reset by peer"
}

@test "SOCK-04: two writes can come out of one read, and one write out of several" {
    run sock_reads -a 5 3 7
    assert_success
    assert_output "read 15 bytes: a...
read 0 bytes: end of file"
    # One write of 1 MiB, read with a 2 MiB buffer: still several reads,
    # on one CPU (on two, the reader can keep pace and take it in one).
    run taskset -c "$(taskset -pc $$ | sed 's/.*: //; s/[,-].*//')" sock_reads -b 2M 1M
    assert_success
    [ "${#lines[@]}" -gt 2 ]
    local total=0 n
    for n in $(sed -n 's/^read \([0-9]*\) bytes.*/\1/p' <<< "$output"); do
        total=$((total + n))
    done
    assert_equal "$total" 1048576
}

@test "SOCK-12: SOCK_SEQPACKET keeps each record, cuts one longer than the buffer (MSG_TRUNC), refuses one longer than the send buffer (EMSGSIZE)" {
    run sock_reads -a -t seqpacket 5 3 7
    assert_success
    assert_output "read 5 bytes: a...
read 3 bytes: b...
read 7 bytes: c...
read 0 bytes: end of file"
    run sock_reads -a -t seqpacket -b 6 5 3 7
    assert_success
    assert_output "read 5 bytes: a...
read 3 bytes: b...
read 6 bytes: c... (truncated)
read 0 bytes: end of file"
    run --separate-stderr sock_reads -t seqpacket 1M
    assert_failure 1
    assert_equal "${stderr_lines[0]}" "sock_reads: send 1048576 bytes: Message too long"
}

@test "SOCK-12: a SOCK_SEQPACKET socket is connection-oriented: socat connects, sends records, sees end of file" {
    start_server -q
    run bash -c 'printf "abc\n" | socat -t 5 - "UNIX-CONNECT:$1,type=5"' _ "$sock"
    assert_output "OABC"
    server_says "client 1: done after 1 requests"
    run ss -xl
    assert_output --regexp "u_seq +LISTEN .* $sock "
    # A stream client cannot connect to it: EPROTOTYPE.
    run --separate-stderr sock_client "$sock" x
    assert_failure 1
    assert_equal "$stderr" "sock_client: connect $sock: Protocol wrong type for socket"
}

@test "SOCK-10: a non-blocking connect to a full backlog fails EAGAIN (Linux queues backlog + 1); a blocking one waits until SO_SNDTIMEO" {
    run sock_backlog -b 2
    assert_success
    assert_output "listening with backlog 2, never accepting
connect 1: connected
connect 2: connected
connect 3: connected
connect 4: EAGAIN
connect 5: EAGAIN"
    run sock_backlog -b 0 -n 2 -t 300
    assert_success
    assert_line --index 1 --regexp "^connect 1: connected after [0-9]+ ms$"
    assert_line --index 2 --regexp "^connect 2: EAGAIN after [0-9]+ ms$"
    local took=${lines[2]##*after }
    took=${took% ms}
    [ "$took" -ge 290 ]
}

# tcp_port_of PID: set port to the TCP port PID listens on, if it does.
tcp_port_of() {
    port=$(ss -tlnpH | awk -v p="pid=$1," 'index($0, p) {
        n = split($4, a, ":"); print a[n] }')
    [ -n "$port" ]
}

@test "EINPROGRESS is TCP's: a non-blocking connect over loopback TCP returns it, over a UNIX socket it completes at once" {
    ip link show lo | grep -q "UP" || skip "the loopback interface is down here"
    command -v strace > /dev/null || skip "strace is not installed"
    local lpid port
    # Port 0: the kernel picks a free one, which ss tells.
    socat -u TCP-LISTEN:0,bind=127.0.0.1 /dev/null 3>&- &
    lpid=$!
    bg_pids+=" $lpid"
    wait_for tcp_port_of "$lpid"
    # socat's connect-timeout makes its connect non-blocking.
    run bounded strace -e trace=connect socat -u /dev/null "TCP:127.0.0.1:$port,connect-timeout=5"
    assert_success
    assert_line --regexp "^connect\\(.*htons\\($port\\).* = -1 EINPROGRESS "
    wait $lpid
    start_server
    run bounded strace -e trace=connect socat -u /dev/null "UNIX-CONNECT:$sock,connect-timeout=5"
    assert_success
    assert_line --regexp "^connect\\(.*\"$sock\".* = 0\$"
    server_says "client 1: done after 0 requests"
    bg_pids=
}

@test "SOCK-13: SO_SNDBUF bounds what a writer can queue; SO_RCVBUF changes nothing" {
    local base small_snd small_rcv
    run sock_fill
    base=$(sed -n 's/^\([0-9]*\) bytes went in.*/\1/p' <<< "$output")
    run sock_fill -s 8k
    assert_line --index 0 --regexp "^writer's SO_SNDBUF 16384, "
    small_snd=$(sed -n 's/^\([0-9]*\) bytes went in.*/\1/p' <<< "$output")
    run sock_fill -r 8k
    assert_line --index 0 --regexp ", reader's SO_RCVBUF 16384$"
    small_rcv=$(sed -n 's/^\([0-9]*\) bytes went in.*/\1/p' <<< "$output")
    [ "$base" -gt 0 ] && [ "$small_snd" -gt 0 ]
    [ $((small_snd * 4)) -lt "$base" ]
    assert_equal "$small_rcv" "$base"
}

@test "SOCK-14: under SA_RESTART, recv, send, accept and connect are restarted, unless a socket timeout is set: then EINTR" {
    for call in recv send accept connect; do
        run sock_eintr $call
        assert_success
        assert_output "$call: returned after 3 signal(s)"
    done
    for call in recv send accept connect; do
        run sock_eintr -t 10000 $call
        assert_success
        assert_output "$call: Interrupted system call after 1 signal(s)"
    done
}

# --- passing descriptors: fd_send and fd_recv ----------------------------

# start_fd_recv CMD...: fd_recv in the background, as CMD starts it
# (fd_recv -u 0, or setpriv ... fd_recv: as_nobody, being a function,
# would run in a subshell whose pid is not fd_recv's); sets recv_pid and fds
# (its socket) once it listens.
start_fd_recv() {
    : > "$BATS_TEST_TMPDIR/recv.out"
    : > "$BATS_TEST_TMPDIR/recv.err"
    "$@" > "$BATS_TEST_TMPDIR/recv.out" 2> "$BATS_TEST_TMPDIR/recv.err" 3>&- &
    recv_pid=$!
    bg_pids+=" $recv_pid"
    wait_for grep -q "listening on" "$BATS_TEST_TMPDIR/recv.err"
    fds=$(head -1 "$BATS_TEST_TMPDIR/recv.out")
}

recv_says() {
    wait_for grep -qxF -- "fd_recv: $1" "$BATS_TEST_TMPDIR/recv.err"
}

@test "fd_send passes open descriptors, of a file and of a pipe; fd_recv copies what they read" {
    start_fd_recv fd_recv
    echo "from a file" > f
    run bash -c 'echo "from a pipe" | fd_send "$1" f -' _ "$fds"
    assert_success
    recv_says "copied 12 bytes from a descriptor"
    assert_equal "$(tail -n +2 "$BATS_TEST_TMPDIR/recv.out")" "from a file
from a pipe"
    kill -TERM $recv_pid
    wait $recv_pid || true
    bg_pids=
    assert_not_exist "${fds%/*}"
}

@test "privilege separation: root opens a file nobody may read and nobody's fd_recv reads it" {
    needs_root "to run fd_recv as nobody"
    echo "for root's eyes" > secret
    chmod 600 secret
    run as_nobody cat "$BATS_TEST_TMPDIR/secret"
    assert_failure
    public_dir=$(mktemp -d /tmp/sock-test.XXXXXX)
    chown nobody "$public_dir"
    # Without -u 0, the worker refuses root's descriptors.
    TMPDIR=$public_dir start_fd_recv setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$IPC_BIN/fd_recv"
    [ "$(stat -c %U "$fds")" = nobody ]
    run fd_send "$fds" secret
    wait_for grep -q "uid 0: not allowed; refused" "$BATS_TEST_TMPDIR/recv.err"
    assert_equal "$(tail -n +2 "$BATS_TEST_TMPDIR/recv.out")" ""
    kill -TERM $recv_pid
    wait $recv_pid || true
    TMPDIR=$public_dir start_fd_recv setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$IPC_BIN/fd_recv" -u 0
    run fd_send "$fds" secret
    assert_success
    recv_says "copied 16 bytes from a descriptor"
    assert_equal "$(tail -n +2 "$BATS_TEST_TMPDIR/recv.out")" "for root's eyes"
}

@test "MSG_CTRUNC: extra descriptors are refused and closed; the receiver holds no more descriptors than before" {
    start_fd_recv fd_recv
    echo data > f
    local before after
    before=$(ls /proc/$recv_pid/fd | wc -l)
    for i in 1 2 3; do
        run fd_send -n 5 "$fds" f
    done
    wait_for test "$(grep -c MSG_CTRUNC "$BATS_TEST_TMPDIR/recv.err")" = 3
    recv_says "a message with more descriptors than one (MSG_CTRUNC): the kernel closed those that did not fit; dropped"
    after=$(ls /proc/$recv_pid/fd | wc -l)
    assert_equal "$after" "$before"
    # Nothing was copied from them, and the receiver still serves.
    assert_equal "$(tail -n +2 "$BATS_TEST_TMPDIR/recv.out")" ""
    run fd_send "$fds" f
    assert_success
    recv_says "copied 5 bytes from a descriptor"
}

# --- the benchmark ----------------------------------------------------------------

# listening NAME: a socket listens on NAME (a path or @name), as ss sees it.
listening() { [ -n "$(ss -xlH src "$1")" ]; }

# bench_bg ARGS...: sock_bench ARGS in the background (output in bench.out
# and bench.err) once it listens on its address, the last of ARGS.
bench_bg() {
    sock_bench "$@" > bench.out 2> bench.err 3>&- &
    bg_pids=$!
    wait_for listening "${@: -1}"
}

# bench_wait: reap it; its exit status in bench_status.
bench_wait() {
    bench_status=0
    wait "$bg_pids" || bench_status=$?
    bg_pids=
}

@test "sock_bench prints its usage with -h (status 0); a bad option, type, role, size or address is status 2" {
    assert_usage_conventions sock_bench
    run --separate-stderr sock_bench -t dgram send @x
    assert_failure 2
    assert_equal "$stderr" "sock_bench: type: 'dgram' is not stream or seqpacket"
    run --separate-stderr sock_bench fly @x
    assert_failure 2
    assert_equal "$stderr" "sock_bench: role: 'fly' is not echo, sink, ping or send"
    run -2 sock_bench -s 0 send @x
    run -2 sock_bench -n 0 send @x
    run -2 sock_bench send
    run --separate-stderr sock_bench send "@$(printf '%0200d' 0)"
    assert_failure 2
    [[ $stderr == *": File name too long" ]]
}

@test "sock_bench -C: every byte of streams and of records arrives as sent, one way and round trip, up to 1 MiB" {
    local t s n
    for t in stream seqpacket; do
        for s in 1:50 1000:50 64K:8 1M:2; do
            n=${s#*:} s=${s%:*}
            bench_bg -C -t $t -s $s -n $n sink @sink
            run -0 bounded 30 sock_bench -C -t $t -s $s -n $n send @sink
            bench_wait
            assert_equal "$bench_status: $(cat bench.out)" \
                "0: $n messages of $(numfmt --from=iec $s) bytes, every byte checked"
        done
        # echo sends back what came; ping checks it.  A path is removed.
        bench_bg -C -t $t -s 333 -n 100 echo ./e
        run -0 bounded 30 sock_bench -C -t $t -s 333 -n 100 ping ./e
        assert_output "100 round trips of 333 bytes checked"
        bench_wait
        assert_equal "$bench_status" 0
        assert_not_exist e
    done
}

@test "sock_bench -C fails with status 1 on a stream with a byte lost, too few or too many bytes, a wrong record, unchecked data" {
    # A relay, socat, that drops byte 100 of the stream on its way.
    bench_bg -C -s 100 -n 10 sink @sink
    socat -u ABSTRACT-LISTEN:relay - 3>&- |
        { dd bs=1 count=100 2>/dev/null; dd bs=1 count=1 of=/dev/null 2>/dev/null; cat; } |
        socat -u - ABSTRACT-CONNECT:sink 3>&- &
    local relay=$!
    wait_for listening @relay
    run -0 bounded 30 sock_bench -C -s 100 -n 10 send @relay
    wait "$relay"
    bench_wait
    assert_equal "$bench_status" 1
    [[ $(cat bench.err) =~ ^"sock_bench: byte 100 is 0x"[0-9a-f]{2}", expected 0x"[0-9a-f]{2}$ ]]
    # Too few bytes, and too many: the sender's count is not the sink's.
    local n
    for n in 5 20; do
        bench_bg -C -s 100 -n 10 sink @sink
        run -0 bounded 30 sock_bench -C -s 100 -n $n send @sink
        bench_wait
        assert_equal "$bench_status: $(cat bench.err)" \
            "1: sock_bench: received $((n * 100)) bytes, not the 1000 expected: did the sender fail?"
    done
    # The timed sender's buffer is not the pattern: the check sees it.
    # (the sink stops at the first wrong byte, so the sender may meet
    # EPIPE before it is done: its status is not the point here)
    bench_bg -C -s 100 -n 10 sink @sink
    run bounded 30 sock_bench -s 100 -n 10 send @sink
    [[ $status -eq 0 || $output == *"Broken pipe"* ]]
    bench_wait
    assert_equal "$bench_status: $(cat bench.err)" "1: sock_bench: byte 1 is 0x00, expected 0x9e"
    # A record shorter or longer than expected.
    for n in 99 101; do
        bench_bg -C -t seqpacket -s 100 -n 5 sink @sink
        run bounded 30 sock_bench -C -t seqpacket -s $n -n 5 send @sink
        bench_wait
        assert_equal "$bench_status: $(cat bench.err)" "1: sock_bench: record 0: $n bytes, not 100"
    done
}

@test "sock_bench raises SO_SNDBUF to hold a record whole; past net.core.wmem_max only root may (SO_SNDBUFFORCE)" {
    needs_root "to run sock_bench as nobody"
    local max
    max=$(cat /proc/sys/net/core/wmem_max)
    (( 2 * max < 16777216 + 4096 )) || skip "net.core.wmem_max ($max) lets anyone hold a 16 MiB record"
    # Run bare: nobody may not read the valgrind wrappers.
    run --separate-stderr as_nobody "$IPC_BIN/sock_bench" -t seqpacket -s 16M send @nowhere
    assert_failure 1
    assert_equal "$stderr" "sock_bench: records of 16777216 bytes need SO_SNDBUF above $((2 * max)): raise net.core.wmem_max, or run as root"
}

@test "sock/bench.sh (QUICK=1) writes whole tables and a plot: stream, seqpacket, datagram and pipe side by side" {
    local two=1 kinds4 cells
    [ "$(taskset -pc $$ | sed 's/.*: //')" != "$(taskset -pc $$ | sed 's/.*: //; s/[,-].*//')" ] || two=
    QUICK=1 OUT=$BATS_TEST_TMPDIR run -0 bounded 40 "$IPC_ROOT/book/build/src/sock/bench.sh"
    kinds4="stream, one CPU | seqpacket, one CPU | datagram, one CPU | pipe, one CPU"
    cells=4
    if [ -n "$two" ]; then
        kinds4="$kinds4 | ${kinds4//one CPU/two CPUs}"
        cells=8
    fi
    run -0 cat 04-stream-sockets-throughput.md
    assert_line --index 0 "| message size | $kinds4 |"
    assert_line --regexp "^\| 64 B( \| [0-9.]+ ±[0-9.]+ %){$cells} \|$"
    assert_line --regexp "^\| 64 KiB( \| [0-9.]+ ±[0-9.]+ %){$cells} \|$"
    assert_line --index 4 --regexp '^Throughput in MiB/s of a one-way stream of messages: .*, one run\.$'
    assert_line --regexp "^Measured on .*, Linux $(uname -r), "
    assert_line --regexp '^\| memcpy, 4 KiB blocks \(in cache\) \| [0-9.]+ MiB/s ±[0-9.]+ % \|$'
    run -0 cat 04-stream-sockets-latency.md
    assert_line --index 0 "| message size | $kinds4 |"
    assert_line --regexp "^\| 1 B( \| [0-9.]+ ±[0-9.]+ %){$cells} \|$"
    assert_line --regexp "^\| 64 B( \| [0-9.]+ ±[0-9.]+ %){$cells} \|$"
    assert_line --regexp 'through two FIFOs \(pipe\)'
    grep -q 'seqpacket, one CPU' 04-stream-sockets-throughput.svg
    grep -q 'pipe, one CPU' 04-stream-sockets-throughput.svg
}

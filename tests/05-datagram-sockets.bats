#!/usr/bin/env bats
# Tests of chapter 5, UNIX datagram sockets: the rules, shown with
# dgram_send, dgram_recv and dgram_probe and checked through socat, ss and
# /proc; and the sequence-number service (dgram_server, dgram_client).

load helpers/common

setup() {
    ipc_audit_begin
    # Private directories made by the programs go under the test's own
    # directory, so that a failed test cannot leave them in /tmp proper.
    export TMPDIR=$BATS_TEST_TMPDIR
    cd "$BATS_TEST_TMPDIR"
    public_dir= server_pid= recv_pid= bg_pids=
}

teardown() {
    local p
    # After a failure: stop what is left, letting it clean up (SIGTERM).
    for p in $server_pid $recv_pid $bg_pids; do
        kill -TERM "$p" 2>/dev/null || true
        kill -CONT "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    [ -z "$public_dir" ] || rm -rf "$public_dir"
    ipc_audit_end
}

# start_recv [options] address: dgram_recv in the background, its lines in
# recv.out; returns once it has bound.  Sets recv_pid.
start_recv() {
    : > recv.out
    : > recv.err
    dgram_recv "$@" > recv.out 2> recv.err 3>&- &
    recv_pid=$!
    wait_for grep -q '^dgram_recv: bound to ' recv.err
}

# recv_lines N: wait until dgram_recv has printed N lines.
recv_lines() {
    wait_for eval "[ \$(wc -l < recv.out) -ge $1 ]"
}

# finish_recv: wait for a dgram_recv started with -n to exit, status 0.
finish_recv() {
    wait "$recv_pid"
    recv_pid=
}

# start_server [options]: dgram_server in the background; sets server_pid,
# and sock, the socket's path, once the server has said where it is.
# Bash starts a background job with SIGINT ignored; env restores it.
start_server() {
    : > server.out
    : > server.err
    env --default-signal=INT dgram_server "$@" > server.out 2> server.err 3>&- &
    server_pid=$!
    wait_for test -s server.out
    local pid
    read -r pid sock < server.out
    assert_equal "$pid" "$server_pid"
}

# server_says LINE: wait until the server has written LINE on stderr.
server_says() {
    wait_for grep -qxF -- "$1" server.err
}

# blocked_in FUNCTION PID...: some PID sleeps in that kernel function.
blocked_in() {
    local f=$1 p
    shift
    for p in "$@"; do
        [ "$(cat "/proc/$p/wchan" 2>/dev/null)" = "$f" ] && return 0
    done
    return 1
}

# --- usage and arguments -------------------------------------------------

@test "every program prints its usage with -h (status 0) and refuses an unknown option (status 2)" {
    assert_usage_conventions dgram_send dgram_recv dgram_probe dgram_server dgram_client dgram_bench
}

@test "bad arguments give a one-line error and status 2" {
    run --separate-stderr dgram_send -s 65M s
    assert_failure 2
    assert_equal "$stderr" "dgram_send: size: '65M' is not a size from 0 to 67108864 bytes (suffix k or M allowed)"
    run --separate-stderr dgram_send "$(printf '%0108d' 1)" x
    assert_failure 2
    assert_equal "$stderr" "dgram_send: address '$(printf '%0108d' 1)': File name too long"
    run --separate-stderr dgram_recv @
    assert_failure 2
    assert_equal "$stderr" "dgram_recv: address '@': Invalid argument"
    run --separate-stderr dgram_recv -n 0 s
    assert_failure 2
    assert_equal "$stderr" "dgram_recv: count: '0' is not a number from 1 to 9223372036854775807"
    run --separate-stderr dgram_client -n 1000001 s
    assert_failure 2
    assert_equal "$stderr" "dgram_client: count: '1000001' is not a number from 1 to 1000000"
    run --separate-stderr dgram_client -t 0 s
    assert_failure 2
    assert_equal "$stderr" "dgram_client: timeout: '0' is not a number from 1 to 3600000"
    run --separate-stderr dgram_probe -s 0
    assert_failure 2
    # Wrong shapes of command line: the usage, on stderr.
    run -2 dgram_send s
    run -2 dgram_send
    run -2 dgram_recv
    run -2 dgram_client
    run -2 dgram_server extra
    run -2 dgram_probe extra
}

# --- the rules ---------------------------------------------------------------

@test "DGRAM-01: each receive returns exactly one datagram, whole and in order" {
    start_recv -n 3 ./s
    run --separate-stderr bounded 10 dgram_send ./s one two three
    assert_success
    finish_recv
    run cat recv.out
    assert_output 'returned 3, flags 0, from (unnamed): "one"
returned 3, flags 0, from (unnamed): "two"
returned 5, flags 0, from (unnamed): "three"'
    assert_not_exist s
    # socat, which reads stdin in blocks, sends each block as one datagram.
    start_recv -n 3 ./s
    run bounded 10 bash -c 'printf 1234567890 | socat -b 4 -u - UNIX-SENDTO:./s'
    assert_success
    finish_recv
    run cut -d: -f2 recv.out
    assert_output ' "1234"
 "5678"
 "90"'
}

@test "DGRAM-04: a datagram of zero bytes is received as 0, and the receiver goes on" {
    start_recv -n 3 ./s
    run bounded 10 dgram_send ./s '' after ''
    assert_success
    finish_recv
    run cat recv.out
    assert_output 'returned 0, flags 0, from (unnamed): ""
returned 5, flags 0, from (unnamed): "after"
returned 0, flags 0, from (unnamed): ""'
}

@test "DGRAM-03: a short buffer truncates: MSG_TRUNC in msg_flags; MSG_TRUNC passed returns the real length" {
    start_recv -n 2 -b 4 ./s
    bounded 10 dgram_send ./s hello ok
    finish_recv
    run cat recv.out
    assert_output 'returned 4, flags MSG_TRUNC, from (unnamed): "hell"
returned 2, flags 0, from (unnamed): "ok"'
    # The rest of "hello" is gone: the next receive returned "ok".
    start_recv -n 2 -b 4 -T ./s
    bounded 10 dgram_send ./s hello ok
    finish_recv
    run cat recv.out
    assert_output 'returned 5, flags MSG_TRUNC, from (unnamed): "hell"
returned 2, flags 0, from (unnamed): "ok"'
    # MSG_PEEK | MSG_TRUNC: the length of the next datagram, left queued.
    start_recv -n 1 -p -b 4 ./s
    bounded 10 dgram_send -s 70000 ./s
    finish_recv
    run cat recv.out
    assert_output 'peeked 70000, returned 4, flags MSG_TRUNC, from (unnamed): "xxxx"'
}

@test "DGRAM-05: the largest datagram is SO_SNDBUF - 32 bytes; one byte more fails EMSGSIZE" {
    run --separate-stderr bounded 30 dgram_probe
    assert_success
    local sndbuf largest
    sndbuf=$(awk '$1 == "SO_SNDBUF" { print $2 }' <<< "$output")
    largest=$(awk '$1 == "largest" { print $3 }' <<< "$output")
    # SO_SNDBUF starts at wmem_default.
    assert_equal "$sndbuf" "$(cat /proc/sys/net/core/wmem_default)"
    assert_line --index 1 "largest datagram        $((sndbuf - 32)) bytes (SO_SNDBUF - 32)"
    echo "# SO_SNDBUF $sndbuf, largest datagram $largest" >&3
    # The same limit seen by dgram_send, at a receiver with room for it.
    start_recv -n 1 -b 1 ./s
    run --separate-stderr bounded 10 dgram_send -s $((largest + 1)) ./s
    assert_failure 1
    assert_equal "$stderr" "dgram_send: send to ./s: Message too long"
    run bounded 10 dgram_send -s "$largest" ./s
    assert_success
    finish_recv
    assert_equal "$(cat recv.out)" 'returned 1, flags MSG_TRUNC, from (unnamed): "x"'
    # Asking for a bigger send buffer: the kernel doubles it (up to wmem_max).
    local want=$((1024 * 1024)) max got
    max=$(cat /proc/sys/net/core/wmem_max)
    got=$((2 * (want < max ? want : max)))
    run --separate-stderr bounded 30 dgram_probe -s 1M
    assert_success
    assert_line --index 0 "SO_SNDBUF               $got bytes"
    assert_line --index 1 "largest datagram        $((got - 32)) bytes (SO_SNDBUF - 32)"
}

@test "DGRAM-08: a receiver's queue takes max_dgram_qlen + 1 small datagrams, fewer big ones; then a non-blocking sender gets EAGAIN" {
    local qlen
    qlen=$(cat /proc/sys/net/unix/max_dgram_qlen)
    run --separate-stderr bounded 30 dgram_probe
    assert_success
    assert_line --index 2 "net.unix.max_dgram_qlen $qlen"
    assert_line --index 4 "        1 bytes  $((qlen + 1)) datagrams"
    assert_line --index 5 "     1024 bytes  $((qlen + 1)) datagrams"
    # 64 KiB datagrams stop at the sender's send buffer, before the count.
    local n64
    n64=$(awk '$1 == 65536 { print $3 }' <<< "$output")
    [ "$n64" -ge 1 ] && [ "$n64" -lt $((qlen + 1)) ]
    assert_line --index 8 --regexp '^ +[0-9]+ bytes  1 datagrams$'
    echo "# max_dgram_qlen $qlen; 64 KiB datagrams queued: $n64" >&3
    # The same with dgram_send -n, at a receiver that does not read.
    start_recv ./s
    kill -STOP "$recv_pid"
    run --separate-stderr bounded 10 dgram_send -n -v ./s $(seq $((qlen + 2)))
    assert_failure 1
    assert_equal "${#stderr_lines[@]}" $((qlen + 2))
    run grep -c '^dgram_send: sent [0-9]* bytes$' <<< "$stderr"
    assert_output $((qlen + 1))
    assert_equal "${stderr_lines[$((qlen + 1))]}" "dgram_send: send to ./s: Resource temporarily unavailable"
    kill -CONT "$recv_pid"
    recv_lines $((qlen + 1))
    run cat recv.out
    assert_equal "${#lines[@]}" $((qlen + 1))
    local last=$((qlen + 1))
    assert_line --index "$qlen" "returned ${#last}, flags 0, from (unnamed): \"$last\""
}

@test "DGRAM-08: net.unix.max_dgram_qlen sets the count (in this test file's own network namespace)" {
    needs_root "to set a sysctl"
    # Only where this file has a network namespace of its own: never the host's.
    [ "${IPC_AUDIT_SCOPE:-}" = ns ] || skip "no network namespace of our own"
    local old
    old=$(cat /proc/sys/net/unix/max_dgram_qlen)
    echo 3 > /proc/sys/net/unix/max_dgram_qlen
    run --separate-stderr bounded 30 dgram_probe
    echo "$old" > /proc/sys/net/unix/max_dgram_qlen
    assert_success
    assert_line --index 2 "net.unix.max_dgram_qlen 3"
    assert_line --index 4 "        1 bytes  4 datagrams"
}

@test "DGRAM-08: a blocking sender waits for room in a full queue, and nothing is lost" {
    start_recv -n 30 ./s
    kill -STOP "$recv_pid"
    dgram_send -v ./s $(seq 30) 2> send.err 3>&- &
    bg_pids=$!
    # It sends 11 (the queue's limit), then sleeps in the kernel.
    wait_for blocked_in unix_wait_for_peer "$bg_pids"
    run grep -c sent send.err
    assert_output $(( $(cat /proc/sys/net/unix/max_dgram_qlen) + 1 ))
    kill -CONT "$recv_pid"
    wait "$bg_pids"
    bg_pids=
    finish_recv
    run bash -c "sed 's/.*: \"\\(.*\\)\"\$/\\1/' recv.out"
    assert_output "$(seq 30)"
}

@test "EINTR: a send waiting for room, interrupted by dgram_client's timeout, sent nothing" {
    local qlen
    qlen=$(cat /proc/sys/net/unix/max_dgram_qlen)
    start_recv ./s
    kill -STOP "$recv_pid"
    run bounded 10 dgram_send -n ./s $(seq $((qlen + 1)))
    assert_success
    # The queue is full: the client's sendto sleeps until SIGALRM.
    run --separate-stderr bounded 10 dgram_client -t 300 ./s
    assert_failure 1
    assert_equal "$stderr" "dgram_client: no room in the server's queue within 300 ms"
    kill -CONT "$recv_pid"
    dgram_send ./s last
    recv_lines $((qlen + 2))
    # The queued datagrams, then the last one: the request never went in.
    run bash -c "sed 's/.*: \"\\(.*\\)\"\$/\\1/' recv.out"
    assert_output "$(seq $((qlen + 1)); echo last)"
}

@test "DGRAM-06: autobind gives a socket an abstract name of 5 hex digits; an unbound sender is (unnamed)" {
    start_recv -n 2 ./s
    bounded 10 dgram_send -a ./s named
    bounded 10 dgram_send ./s anonymous
    finish_recv
    run cat recv.out
    assert_line --index 0 --regexp '^returned 5, flags 0, from @[0-9a-f]{5}: "named"$'
    assert_line --index 1 'returned 9, flags 0, from (unnamed): "anonymous"'
    # Nothing of it is in the file system.
    run find . -type s
    assert_output ""
}

@test "DGRAM-07: sendto a missing path is ENOENT; a socket file nobody is bound to, or a plain file, ECONNREFUSED; a stream socket, EPROTOTYPE" {
    run --separate-stderr bounded 10 dgram_send ./nothing hi
    assert_failure 1
    assert_equal "$stderr" "dgram_send: send to ./nothing: No such file or directory"
    # A stale socket file: its receiver killed by SIGKILL.
    start_recv ./stale
    kill -KILL "$recv_pid"
    wait "$recv_pid" || true
    recv_pid=
    assert_socket_exists stale
    run --separate-stderr bounded 10 dgram_send ./stale hi
    assert_failure 1
    assert_equal "$stderr" "dgram_send: send to ./stale: Connection refused"
    rm stale
    touch plain
    run --separate-stderr bounded 10 dgram_send ./plain hi
    assert_failure 1
    assert_equal "$stderr" "dgram_send: send to ./plain: Connection refused"
    # A stream socket, listening (socat, a program nobody here wrote).
    socat UNIX-LISTEN:./stream /dev/null 2>/dev/null 3>&- &
    bg_pids=$!
    wait_for test -S stream
    run --separate-stderr bounded 10 dgram_send ./stream hi
    assert_failure 1
    assert_equal "$stderr" "dgram_send: send to ./stream: Protocol wrong type for socket"
    # The client says the same.
    run --separate-stderr bounded 10 dgram_client ./stream
    assert_failure 1
    assert_equal "$stderr" "dgram_client: send to ./stream: Protocol wrong type for socket"
    kill "$bg_pids"
    wait "$bg_pids" || true
    bg_pids=
    rm -f stream plain
}

@test "DGRAM-09: a datagram of zero bytes carries a descriptor; the receiver reads the file through it" {
    echo secret > notes
    start_recv -n 1 ./s
    run --separate-stderr bounded 10 dgram_send -f notes ./s ''
    assert_success
    finish_recv
    run cat recv.out
    assert_output 'returned 0, flags 0, from (unnamed), descriptor holding "secret?": ""'
    # More descriptors than the receiver has room for (with -c, the
    # credentials leave room for 4): MSG_CTRUNC, and only those that fit
    # arrive.
    start_recv -n 1 -c ./s
    bounded 10 dgram_send -f notes -f notes -f notes -f notes -f notes -f notes ./s x
    finish_recv
    run grep -o 'descriptor holding' recv.out
    assert_equal "${#lines[@]}" 4
    run grep -c '^returned 1, flags MSG_CTRUNC, ' recv.out
    assert_output 1
    # Nine are refused before anything is sent.
    run --separate-stderr dgram_send -f notes -f notes -f notes -f notes -f notes \
        -f notes -f notes -f notes -f notes ./s x
    assert_failure 2
    assert_equal "$stderr" "dgram_send: at most 8 files"
}

@test "SO_PASSCRED: each datagram comes with its sender's pid, uid and gid, filled in by the kernel" {
    start_recv -n 1 -c ./s
    run bounded 10 bash -c 'echo $$; exec dgram_send ./s hi'
    assert_success
    local pid=$output
    finish_recv
    run cat recv.out
    assert_output "returned 2, flags 0, from (unnamed), pid $pid uid $(id -u) gid $(id -g): \"hi\""
}

@test "connect on a datagram socket: a stranger's sendto gets EPERM; an unconnected client ignores strangers" {
    start_server
    kill -STOP "$server_pid"            # requests wait; clients wait
    dgram_client -c -v -t 20000 "$sock" > c.out 2> c.err 3>&- &
    local connected=$!
    dgram_client -v -t 20000 "$sock" > u.out 2> u.err 3>&- &
    local unconnected=$!
    bg_pids="$connected $unconnected"
    wait_for grep -q 'my address' c.err
    wait_for grep -q 'my address' u.err
    local caddr uaddr
    caddr=$(sed -n 's/^dgram_client: my address is //p' c.err)
    uaddr=$(sed -n 's/^dgram_client: my address is //p' u.err)
    run --separate-stderr bounded 10 dgram_send "$caddr" 99
    assert_failure 1
    assert_equal "$stderr" "dgram_send: send to $caddr: Operation not permitted"
    run --separate-stderr bounded 10 dgram_send "$uaddr" 99
    assert_success
    wait_for grep -q ignored u.err
    # Anyone can read an autobound name in /proc/net/unix.
    run grep -c " $uaddr\$" /proc/net/unix
    assert_output 1
    kill -CONT "$server_pid"
    wait "$connected"
    wait "$unconnected"
    bg_pids=
    run sort -n c.out u.out
    assert_output $'0\n1'
    run sed -n 2p u.err
    assert_output "dgram_client: ignored a datagram from (unnamed)"
    # connect reports a missing server at once.
    run --separate-stderr bounded 10 dgram_client -c ./nothing
    assert_failure 1
    assert_equal "$stderr" "dgram_client: connect ./nothing: No such file or directory"
    stop_server TERM
}

# --- the sequence-number service ---------------------------------------------

@test "dgram_server makes a private 0700 directory holding its socket, mode 0600 even under umask 000, and says its pid and path" {
    umask 000
    start_server
    umask 022
    [[ $sock == "$TMPDIR"/dgram_server.??????/socket ]]
    run stat -c "%F %a" "${sock%/socket}" "$sock"
    assert_output $'directory 700\nsocket 600'
    # ss, a program nobody here wrote, lists it: an unconnected datagram socket.
    run ss -xa
    assert_line --regexp "^u_dgr +UNCONN +0 +0 +$sock "
    stop_server TERM
    assert_not_exist "${sock%/socket}"
}

@test "the book's session: 0; 1 for a client in a private directory; 11, 12, 13 connected; 14 for socat" {
    start_server
    run --separate-stderr bounded 30 dgram_client -v "$sock"
    assert_success
    assert_output 0
    [[ $stderr =~ ^"dgram_client: my address is @"[0-9a-f]{5}$ ]]
    run --separate-stderr bounded 30 dgram_client -d -v -n 10 "$sock"
    assert_output 1
    [[ $stderr =~ ^"dgram_client: my address is $TMPDIR/dgram_client."[[:alnum:]]{6}/socket$ ]]
    run bounded 30 dgram_client -c -r 3 "$sock"
    assert_output $'11\n12\n13'
    # socat as a client: it must bind to get the reply.
    run bounded 10 bash -c 'echo 5 | socat - UNIX-SENDTO:"$0",bind=./reply' "$sock"
    assert_success
    assert_output 14
    assert_not_exist reply              # socat removes its socket file
    run bounded 30 dgram_client "$sock"
    assert_output 19
    run cat server.err
    assert_output ""
    stop_server TERM
}

@test "DGRAM-06: a client with no address gets no reply; the server says so and serves the next" {
    start_server
    run --separate-stderr bounded 10 bash -c 'echo $$; exec dgram_send "$0" 1' "$sock"
    assert_success
    server_says "dgram_server: request from (unnamed) (pid $output, uid $(id -u)): unnamed, so no reply"
    # socat without bind= sends from no address, too.
    echo 1 | bounded 10 socat -u - UNIX-SENDTO:"$sock"
    wait_for eval '[ $(grep -c "unnamed, so no reply" server.err) = 2 ]'
    run bounded 30 dgram_client "$sock"
    assert_output 0
    stop_server TERM
}

@test "socat as the server: dgram_client talks to a service it did not write" {
    mkdir -m 700 d
    socat UNIX-RECVFROM:d/socket,fork SYSTEM:'read n; echo \$((n * 100))' \
        2>/dev/null 3>&- &
    bg_pids=$!
    wait_for test -S d/socket
    run bounded 30 dgram_client -n 3 d/socket
    assert_success
    assert_output 300
    run bounded 30 dgram_client -d -c -n 7 d/socket
    assert_output 700
    # And socat receives what dgram_send sends.
    kill "$bg_pids"
    wait "$bg_pids" || true
    bg_pids=
    assert_not_exist d/socket           # socat removes what it bound
    socat -u UNIX-RECV:d/socket - > got 2>/dev/null 3>&- &
    bg_pids=$!
    wait_for test -S d/socket
    bounded 10 dgram_send d/socket 'one datagram'
    wait_for grep -q 'one datagram' got
    kill "$bg_pids"
    wait "$bg_pids" || true
    bg_pids=
    rmdir d
}

@test "DGRAM-08: the pair under a full queue loses nothing: 20 clients x 10 requests get 0 to 199" {
    start_server
    kill -STOP "$server_pid"
    local i pids=
    for i in $(seq 20); do
        dgram_client -t 60000 -r 10 "$sock" > "got.$i" 2> "err.$i" 3>&- &
        pids="$pids $!"
    done
    bg_pids=$pids
    # The server's queue is full: some clients sleep in sendto.
    wait_for blocked_in unix_wait_for_peer $pids
    kill -CONT "$server_pid"
    for i in $pids; do wait "$i"; done
    bg_pids=
    run bash -c 'cat got.* | sort -n'
    assert_output "$(seq 0 199)"
    run cat err.* server.err
    assert_output ""
    stop_server TERM
}

@test "hostile clients: oversized, malformed, empty, noise, descriptors, a flood never read; the server survives and serves the next within 1 s" {
    start_server
    local fds me
    fds=$(ls "/proc/$server_pid/fd" | wc -l)
    me="uid $(id -u)"
    # Oversized (found with MSG_TRUNC), empty: refused, and said who sent it.
    run bounded 10 bash -c 'echo $$; exec dgram_send -a -s 70000 "$0" ""' "$sock"
    assert_success
    wait_for grep -qE "^dgram_server: rejected request from @[0-9a-f]{5} \(pid $output, $me\): 70000 bytes; at most 64$" server.err
    wait_for grep -qE "^dgram_server: rejected request from @[0-9a-f]{5} \(pid $output, $me\): empty request; want COUNT$" server.err
    # Malformed: an error reply each, which socat prints.
    local req
    for req in '0\n' '1x' '12\0003' '1000001' ' 1' '-1' '1\n\n'; do
        run bounded 10 bash -c 'printf -- "$1" | socat - UNIX-SENDTO:"$0",bind=./r' "$sock" "$req"
        assert_output "error: COUNT must be a number from 1 to 1000000"
        assert_not_exist r
    done
    run bounded 30 dgram_client -t 1000 "$sock"
    assert_output 0
    # 256 KiB of noise in 4 KiB datagrams, from a socket that never reads
    # the error replies: its queue fills, and the server drops the rest.
    head -c 256K /dev/urandom > noise
    run bounded 30 socat -b 4096 -u FILE:noise UNIX-SENDTO:"$sock",bind=./noise.sock
    assert_success
    assert_not_exist noise.sock
    run bounded 30 dgram_client -t 1000 "$sock"
    assert_output 1
    run grep -c ': 4096 bytes; at most 64$' server.err
    assert_output 64
    run grep -c '^dgram_server: reply to ./noise.sock (.*dropped: its queue is full$' server.err
    [ "$output" -ge 1 ]
    # A flood of good requests never read: only its own replies are lost,
    # and the numbers of lost replies go to the next client.
    yes 1 | head -n 100 > flood
    run bounded 30 socat -b 2 -u FILE:flood UNIX-SENDTO:"$sock",bind=./flood.sock
    assert_success
    assert_not_exist flood.sock
    run bounded 30 dgram_client -t 1000 "$sock"
    assert_success
    local dropped
    dropped=$(grep -c '^dgram_server: reply to ./flood.sock (.* dropped' server.err)
    echo "# flood: $dropped of 100 replies dropped" >&3
    [ "$dropped" -ge 1 ]
    assert_output $((2 + 100 - dropped))
    # Descriptors sent with a request are closed, not kept.
    echo x > notes
    run bounded 10 bash -c 'echo $$; exec dgram_send -a -f notes -f notes -f notes "$0" 1' "$sock"
    wait_for grep -qE "^dgram_server: request from @[0-9a-f]{5} \(pid $output, $me\) came with descriptors: closed$" server.err
    run bounded 30 dgram_client -t 1000 "$sock"
    assert_success
    assert_equal "$(ls "/proc/$server_pid/fd" | wc -l)" "$fds"
    stop_server TERM
}

@test "clients that time out or die cost the server one dropped reply; their numbers go to the next client" {
    start_server
    kill -STOP "$server_pid"
    run --separate-stderr bounded 30 dgram_client -t 300 "$sock"
    assert_failure 1
    assert_equal "$stderr" "dgram_client: no reply within 300 ms"
    # One killed while it waits: autobind leaves nothing behind; a socket
    # in a private directory (-d) stays, with its directory.
    dgram_client -v -t 60000 "$sock" 2> a.err 3>&- &
    local a=$!
    dgram_client -d -v -t 60000 "$sock" 2> d.err 3>&- &
    local d=$!
    bg_pids="$a $d"
    wait_for grep -q 'my address' a.err
    wait_for grep -q 'my address' d.err
    kill -KILL "$a" "$d"
    wait "$a" || true
    wait "$d" || true
    bg_pids=
    local left
    left=$(sed -n 's/^dgram_client: my address is //p' d.err)
    assert_socket_exists "$left"
    rm "$left"
    rmdir "${left%/socket}"
    kill -CONT "$server_pid"
    run bounded 30 dgram_client "$sock"
    assert_output 0
    run grep -c ' dropped: ' server.err
    assert_output 3
    run grep -c ' dropped: No such file or directory$' server.err
    assert_output 1
    stop_server TERM
}

@test "SIGINT, SIGTERM and SIGHUP stop the server, which removes its socket and directory and dies of the signal" {
    local sig
    for sig in INT TERM HUP; do
        start_server
        run bounded 30 dgram_client "$sock"
        assert_output 0
        stop_server "$sig"
        assert_not_exist "${sock%/socket}"
    done
}

@test "a server killed by SIGKILL leaves its socket: clients get ECONNREFUSED; the next server takes it over, but never a live one" {
    start_server
    local dir=${sock%/socket}
    kill -KILL "$server_pid"
    wait "$server_pid" || true
    server_pid=
    assert_socket_exists "$sock"
    run --separate-stderr bounded 30 dgram_client "$sock"
    assert_failure 1
    assert_equal "$stderr" "dgram_client: send to $sock: Connection refused"
    start_server -d "$dir"
    run bounded 30 dgram_client "$sock"
    assert_output 0
    # A second server beside a live one refuses, and leaves it alone.
    run --separate-stderr dgram_server -d "$dir"
    assert_failure 1
    assert_equal "$stderr" "dgram_server: a server is already listening on $sock"
    run bounded 30 dgram_client "$sock"
    assert_output 1
    stop_server TERM
    run ls -A "$dir"
    assert_output ""
    rmdir "$dir"
}

@test "the server never removes a link or a file planted at its path, and refuses directories others may write" {
    mkdir -m 700 d
    echo precious > d/target
    ln -s target d/socket
    run --separate-stderr dgram_server -d d
    assert_failure 1
    assert_equal "$stderr" "dgram_server: d/socket exists and is not a socket of ours"
    rm d/socket
    mv d/target d/socket
    run --separate-stderr dgram_server -d d
    assert_failure 1
    assert_equal "$(cat d/socket)" precious
    rm d/socket
    rmdir d
    mkdir open
    chmod 1777 open
    run --separate-stderr dgram_server -d open
    assert_failure 2
    assert_equal "$stderr" "dgram_server: open: every user may write to it; use a private directory"
    assert_not_exist open/socket
    rmdir open
}

@test "another user cannot send a request (EACCES, Permission denied): not through the 0700 directory, nor to the 0600 socket in a public one" {
    needs_root "to run the client as nobody"
    make_public_dir
    TMPDIR=$public_dir
    start_server
    [[ $sock == "$public_dir"/dgram_server.??????/socket ]]
    run --separate-stderr as_nobody "$IPC_BIN/dgram_client" -t 2000 "$sock"
    assert_failure 1
    assert_equal "$stderr" "dgram_client: send to $sock: Permission denied"
    stop_server TERM
    # A directory all may search, the socket still 0600.
    mkdir -m 755 "$public_dir/srv"
    start_server -d "$public_dir/srv"
    run --separate-stderr as_nobody "$IPC_BIN/dgram_send" "$sock" 1
    assert_failure 1
    assert_equal "$stderr" "dgram_send: send to $sock: Permission denied"
    # Its own user (root here) is served.
    run bounded 30 dgram_client "$sock"
    assert_output 0
    stop_server TERM
}

@test "DGRAM-06: a server of another user can reply to an autobound client, not into a client's private directory (EACCES)" {
    needs_root "to run the server as nobody"
    make_public_dir
    mkdir -m 700 "$public_dir/srv"
    chown nobody "$public_dir/srv"
    : > server.out
    : > server.err
    # setpriv itself, not as_nobody: $! must be the server's pid.
    setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
        env --default-signal=INT "$IPC_BIN/dgram_server" -d "$public_dir/srv" \
        > server.out 2> server.err 3>&- &
    server_pid=$!
    wait_for test -s server.out
    read -r _ sock < server.out
    # Root may send to nobody's socket; the reply is what differs.
    run bounded 30 dgram_client "$sock"
    assert_output 0
    run --separate-stderr bounded 30 dgram_client -d -v -t 500 "$sock"
    assert_failure 1
    local me
    me=$(sed -n 's/^dgram_client: my address is //p' <<< "$stderr")
    assert_equal "${stderr_lines[1]}" "dgram_client: no reply within 500 ms"
    run bash -c 'grep -F "dgram_server: reply to $0 (pid " server.err' "$me"
    assert_output --regexp ', uid 0\) dropped: Permission denied$'
    assert_equal "${#lines[@]}" 1
    stop_server TERM
    assert_not_exist "$public_dir/srv/socket"
}

@test "dir=\$(dgram_server &) returns at once: the server closes its stdout when ready" {
    run bounded 30 bash -c 'line=$(dgram_server 2>/dev/null &)
                            dgram_client "${line#* }" && echo "$line"'
    assert_success
    assert_line --index 0 0
    local pid=${lines[1]%% *} path=${lines[1]#* }
    [[ $path == "$TMPDIR"/dgram_server.??????/socket ]]
    kill -TERM "$pid"
    wait_for eval "! kill -0 $pid 2>/dev/null"
    assert_not_exist "${path%/socket}"
}

# --- the benchmark -------------------------------------------------------------

@test "dgram_bench -C: every datagram of a stream and of round trips arrives whole, in order, up to 1 MiB" {
    local s
    for s in 1 1000 65536 1M; do
        dgram_bench -C -s "$s" -n 50 sink @sink 3>&- > sink.out &
        bg_pids=$!
        run -0 bounded 30 dgram_bench -C -s "$s" -n 50 send @sink
        wait "$bg_pids"
        bg_pids=
        assert_equal "$(cat sink.out)" "50 datagrams of $(numfmt --from=iec "$s") bytes checked"
    done
    dgram_bench -C -s 333 -n 100 echo ./e 3>&- > /dev/null &
    bg_pids=$!
    run -0 bounded 30 dgram_bench -C -s 333 -n 100 ping ./e
    assert_output "100 round trips of 333 bytes checked"
    wait "$bg_pids"
    bg_pids=
    assert_not_exist e
    # A wrong size is caught: the sink expects 100-byte datagrams.
    dgram_bench -C -s 100 -n 5 sink @sink2 3>&- 2> sink.err &
    bg_pids=$!
    run bounded 30 dgram_bench -C -s 99 -n 5 send @sink2
    local status=0
    wait "$bg_pids" || status=$?
    bg_pids=
    assert_equal "$status" 1
    assert_equal "$(cat sink.err)" "dgram_bench: datagram 0: 99 bytes, not 100"
}

@test "dgram/bench.sh (QUICK=1) writes whole tables and a plot, with the machine, the method and the limits" {
    local two=1 status=0
    [ "$(taskset -pc $$ | sed 's/.*: //')" != "$(taskset -pc $$ | sed 's/.*: //; s/[,-].*//')" ] || two=
    # Meanwhile, a sink nobody sends to gives up after 10 s.
    dgram_bench -n 2 sink @lonely 2> lonely.err 3>&- &
    bg_pids=$!
    QUICK=1 OUT=$BATS_TEST_TMPDIR run -0 bounded 60 "$IPC_ROOT/book/build/src/dgram/bench.sh"
    run -0 cat 05-datagram-sockets-throughput.md
    if [ -n "$two" ]; then
        assert_line --index 0 "| datagram size | one CPU | two CPUs |"
        assert_line --regexp '^\| 64 KiB( \| [0-9.]+ ±[0-9.]+ %){2} \|$'
    else
        assert_line --index 0 "| datagram size | one CPU |"
    fi
    assert_line --index 4 'Throughput in MiB/s of `dgram_bench send` into `dgram_bench sink`, one run.'
    assert_line --regexp "^Measured on .*, Linux $(uname -r), "
    assert_line --regexp '^\| memcpy, 4 KiB blocks \(in cache\) \| [0-9.]+ MiB/s ±[0-9.]+ % \|$'
    run -0 cat 05-datagram-sockets-latency.md
    assert_line --regexp '^\| 1 B( \| [0-9.]+ ±[0-9.]+ %)+ \|$'
    assert_line --regexp '^\| 64 B( \| [0-9.]+ ±[0-9.]+ %)+ \|$'
    assert_line --regexp '^Nanoseconds per round trip of `dgram_bench ping` and `echo`, one run.$'
    grep -q 'one CPU' 05-datagram-sockets-throughput.svg
    wait "$bg_pids" || status=$?
    bg_pids=
    assert_equal "$status" 1
    assert_equal "$(cat lonely.err)" "dgram_bench: datagram 0: none came within 10 s"
}

@test "a connected datagram pair: the reader gets what was queued, then no end of file; a send to the gone peer fails ECONNREFUSED (chapter 4's sock_gone -d), where a stream gives end of file and EPIPE" {
    SECONDS=0
    run -0 sock_gone -d
    assert_output "read 3 bytes: bye
read: nothing for a second, and no end of file
writing to it with write
failed: Connection refused (ECONNREFUSED)"
    (( SECONDS >= 1 ))                  # the read did wait, for its bound
    run -0 sock_gone -d -n
    assert_line --index 3 "failed: Connection refused (ECONNREFUSED)"
    # "When to choose something else": a stream tells each side
    run -0 sock_gone -n
    assert_line --index 1 "read 0 bytes: end of file"
    assert_line --index 3 "failed: Broken pipe (EPIPE)"
}

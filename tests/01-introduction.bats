#!/usr/bin/env bats
# Tests of chapter 1: the shared helpers, through the two programs that use
# them (rwcopy and cleanup_demo).

load helpers/common

setup()    { ipc_audit_begin; }
teardown() { ipc_audit_end; }

# --- rwcopy: read_full, write_full, parse_size --------------------------------

@test "rwcopy -h prints usage to stdout and exits 0" {
    run --separate-stderr rwcopy -h
    assert_success
    assert_line --index 0 "usage: rwcopy [-iv] [-b size] [-n count]"
    assert_equal "$stderr" ""
}

@test "both programs print usage with -h (status 0) and refuse an unknown option (status 2)" {
    assert_usage_conventions rwcopy cleanup_demo
}

@test "rwcopy rejects an extra operand with status 2" {
    run --separate-stderr rwcopy extra
    assert_failure 2
    assert_equal "$output" ""
    assert_equal "${stderr_lines[0]}" "usage: rwcopy [-iv] [-b size] [-n count]"
}

@test "parse_size refuses junk, negative, zero and oversized sizes with status 2" {
    local bad
    for bad in 10x '' -1 0 65M 18446744073709551615k k 1Mk ' 5' +5 '5 '; do
        run --separate-stderr rwcopy -b "$bad" </dev/null
        assert_failure 2
        assert_equal "$stderr" "rwcopy: block size: '$bad' is not a size from 1 to 67108864 bytes (suffix k or M allowed)"
    done
}

@test "parse_long refuses junk, overflow and out-of-range counts with status 2" {
    local bad
    # The one rule of both parsers: digits, no blanks, no sign.
    for bad in 10x '' ' ' -1 99999999999999999999 0x10 ' 5' +5 '5 ' -0; do
        run --separate-stderr rwcopy -n "$bad" </dev/null
        assert_failure 2
        assert_equal "$stderr" "rwcopy: count: '$bad' is not a number from 0 to 9223372036854775807"
    done
}

@test "rwcopy -n stops after that many blocks" {
    run -0 bash -c 'head -c 10000 /dev/zero | rwcopy -n 2 -b 1k | wc -c'
    assert_output 2048
    run -0 bash -c 'rwcopy -n 0 < /dev/zero | wc -c'
    assert_output 0
}

@test "parse_size accepts the k and M suffixes" {
    run --separate-stderr bash -c 'head -c 3000000 /dev/zero | rwcopy -v -b 1M | wc -c'
    assert_success
    assert_output 3000000
    assert_equal "$stderr" "rwcopy: 2 full blocks of 1048576, 1 partial, 0 signals caught"
}

@test "the book's sample: seq 100000 | rwcopy -v -b 4k gives 143 full blocks and 1 partial" {
    run --separate-stderr bash -c 'seq 100000 | rwcopy -v -b 4k | wc -c'
    assert_success
    assert_output 588895
    assert_equal "$stderr" "rwcopy: 143 full blocks of 4096, 1 partial, 0 signals caught"
}

@test "read_full returns whole blocks however the data trickles in" {
    # 1000 writes of 1000 bytes, each a separate read(2)'s worth for rwcopy.
    run --separate-stderr bash -c '
        for i in $(seq 1000); do head -c 1000 /dev/zero; done | rwcopy -v -b 64k | wc -c'
    assert_success
    assert_output 1000000
    assert_equal "$stderr" "rwcopy: 15 full blocks of 65536, 1 partial, 0 signals caught"
}

@test "read_full and write_full survive EINTR and partial writes: 8 MiB copied exactly under a hail of signals" {
    local d=$BATS_TEST_TMPDIR pid job n=0
    head -c 8M /dev/urandom > "$d/in"
    # A trickling producer keeps rwcopy waiting in read; a late consumer
    # keeps its output pipe full, so its 1 MiB writes are cut short.
    D=$d bash -c '
        for i in 0 1 2 3 4 5 6 7; do
            dd if="$D/in" bs=1M skip=$i count=1 status=none; sleep 0.05
        done | { echo $BASHPID > "$D/pid"; exec rwcopy -i -v -b 1M 2> "$D/report"; } |
        { sleep 0.3; cat > "$D/out"; }' &
    job=$!
    wait_for test -s "$d/pid"
    pid=$(cat "$d/pid")
    # Output has arrived, so rwcopy is past its option parsing and catches
    # SIGUSR1; an earlier signal would have killed it.
    wait_for test -s "$d/out"
    while kill -USR1 "$pid" 2>/dev/null && [ $n -lt 300 ]; do
        n=$((n + 1)); sleep 0.002
    done
    wait "$job"
    cmp "$d/in" "$d/out"
    run cat "$d/report"
    assert_output --regexp '^rwcopy: 8 full blocks of 1048576, 0 partial, [1-9][0-9]* signals caught$'
}

# --- cleanup_demo: lib/cleanup ------------------------------------------------

# start_demo [CMD...]: run CMD (default: cleanup_demo) in the background,
# its output in $BATS_TEST_TMPDIR/out; sets $demo_pid and $demo_dir once
# the names exist.  The file is emptied first: the background job empties
# it only once it runs, and an earlier run's path must not pass for this
# one's.
start_demo() {
    [ $# -gt 0 ] || set -- cleanup_demo
    : > "$BATS_TEST_TMPDIR/out"
    "$@" > "$BATS_TEST_TMPDIR/out" 2> "$BATS_TEST_TMPDIR/err" &
    demo_pid=$!
    wait_for test -s "$BATS_TEST_TMPDIR/out"
    demo_dir=$(head -n 1 "$BATS_TEST_TMPDIR/out")
    wait_for test -p "$demo_dir/fifo"
}

@test "cleanup_demo makes a private 0700 directory holding a FIFO" {
    export TMPDIR=$BATS_TEST_TMPDIR
    start_demo
    assert_dir_exists "$demo_dir"
    assert_fifo_exists "$demo_dir/fifo"
    run stat -c %a "$demo_dir"
    assert_output 700
    [[ $demo_dir == "$BATS_TEST_TMPDIR"/cleanup_demo.?????? ]]
    kill -TERM "$demo_pid"
    wait "$demo_pid" || true
}

@test "cleanup: names are removed on a normal exit" {
    export TMPDIR=$BATS_TEST_TMPDIR
    run -0 cleanup_demo -x
    assert_dir_not_exists "$output"
}

@test "cleanup: names are removed when the program fails (err exits 1)" {
    export TMPDIR=$BATS_TEST_TMPDIR
    run --separate-stderr cleanup_demo -f
    assert_failure 1
    assert_equal "$stderr" "cleanup_demo: failing on purpose: Input/output error"
    assert_dir_not_exists "$output"
}

@test "a failed system call is named with its error text, and exits 1" {
    [ "${VALGRIND:-}" != 1 ] || skip "valgrind itself needs a usable TMPDIR"
    TMPDIR=$BATS_TEST_TMPDIR/no-such-dir run --separate-stderr cleanup_demo -x
    assert_failure 1
    assert_equal "$stderr" "cleanup_demo: mkdtemp in $BATS_TEST_TMPDIR/no-such-dir: No such file or directory"
}

@test "cleanup: a forked child that exits normally removes nothing of its parent's" {
    export TMPDIR=$BATS_TEST_TMPDIR
    start_demo cleanup_demo -c
    # The parent says when it has reaped the child; only then look.
    wait_for grep -q '^child [0-9]* exited, status 0$' "$BATS_TEST_TMPDIR/out"
    assert_fifo_exists "$demo_dir/fifo"
    assert_dir_exists "$demo_dir"
    kill -TERM "$demo_pid"
    wait "$demo_pid" || true
    assert_dir_not_exists "$demo_dir"
}

@test "cleanup: SIGINT, SIGTERM and SIGHUP remove the names and the process dies of the signal" {
    export TMPDIR=$BATS_TEST_TMPDIR
    local sig num status
    for sig in INT TERM HUP; do
        num=$(kill -l "$sig")
        # Background jobs of a script start with SIGINT ignored; give the
        # program the default disposition, as an interactive shell would.
        start_demo env --default-signal=INT cleanup_demo
        kill -"$sig" "$demo_pid"
        status=0
        wait "$demo_pid" || status=$?
        assert_equal "$sig $status" "$sig $((128 + num))"
        assert_dir_not_exists "$demo_dir"
    done
}

@test "cleanup: a signal ignored at start stays ignored (nohup)" {
    export TMPDIR=$BATS_TEST_TMPDIR
    start_demo nohup cleanup_demo
    # Two signals, HUP first.  Had SIGHUP not been ignored, it would have
    # killed the process (status 129) before SIGTERM could: the kernel
    # delivers the lower-numbered of two pending signals first.
    kill -HUP "$demo_pid"
    kill -TERM "$demo_pid"
    local status=0
    wait "$demo_pid" || status=$?
    assert_equal "$status" 143
    assert_dir_not_exists "$demo_dir"
}

@test "cleanup: SIGKILL cannot be caught, so the names stay behind" {
    export TMPDIR=$BATS_TEST_TMPDIR
    start_demo
    kill -KILL "$demo_pid"
    wait "$demo_pid" || true
    assert_fifo_exists "$demo_dir/fifo"      # the litter the chapter warns of
    # ...which the next run trips over: the name is taken (EEXIST).
    run mkfifo "$demo_dir/fifo"
    assert_failure 1
    assert_output "mkfifo: cannot create fifo '$demo_dir/fifo': File exists"
    rm "$demo_dir/fifo" && rmdir "$demo_dir"  # so the audit passes
}

@test "litter: the socket file of a server killed by SIGKILL stays, and the next bind to it fails EADDRINUSE" {
    cd "$BATS_TEST_TMPDIR"
    socat UNIX-LISTEN:"$BATS_TEST_TMPDIR/sock",mode=600 /dev/null 3>&- &
    local pid=$!
    wait_for grep -q "$BATS_TEST_TMPDIR/sock" /proc/net/unix
    kill -KILL "$pid"
    wait "$pid" || true
    assert_socket_exists sock
    # (socat would refuse the name itself, before any bind: Perl binds.)
    run perl -MSocket -e '
        socket(my $s, PF_UNIX, SOCK_STREAM, 0) or die "socket: $!\n";
        bind($s, pack_sockaddr_un($ARGV[0])) or die "bind $ARGV[0]: $!\n"' sock
    assert_failure 98                       # perl's die: the errno
    assert_output "bind sock: Address already in use"
    rm sock
}

@test "cleanup removes a registered name whatever is there at exit: why a name is registered only once created" {
    export TMPDIR=$BATS_TEST_TMPDIR
    start_demo env --default-signal=INT cleanup_demo
    # Someone else's object now holds the name of ours.
    rm "$demo_dir/fifo"
    echo theirs > "$demo_dir/fifo"
    run mkfifo "$demo_dir/fifo"             # a create fails: EEXIST
    assert_output "mkfifo: cannot create fifo '$demo_dir/fifo': File exists"
    kill -TERM "$demo_pid"
    wait "$demo_pid" || true
    # The remover went by name: their file went, and the directory with it.
    assert_dir_not_exists "$demo_dir"
}

# --- measuring: bench_limits and the benchmark harness --------------------------

harness=$IPC_ROOT/book/build/src/bench/harness.sh
# The first CPU this process may use, and a second one if there is one.
cpus=$(taskset -pc $$ | sed 's/.*: //' | tr ',' '\n' |
       awk -F- '{ for (c = $1; c <= ($2 == "" ? $1 : $2); c++) print c }')
cpu1=$(echo $cpus | cut -d ' ' -f 1)
cpu2=$(echo $cpus | cut -s -d ' ' -f 2)

@test "bench_limits: -h gives usage (0); bad options and operands, and timing on one CPU, give status 2" {
    assert_usage_conventions bench_limits
    run -2 bench_limits
    run -2 bench_limits fly
    run -2 bench_limits pingpong 0
    run --separate-stderr bench_limits pingpong 0 x
    assert_failure 2
    assert_equal "$stderr" "bench_limits: cpu2: 'x' is not a number from 0 to 1023"
    run --separate-stderr bench_limits pingpong "$cpu1" "$cpu1"
    assert_failure 2
    assert_equal "$stderr" "bench_limits: pingpong needs two different CPUs (or -C)"
}

@test "bench_limits: -C checks every byte copied and every hand-over of the line; untimed runs say what they timed" {
    run -0 bench_limits -C -s 1000 -t 10000 memcpy
    assert_output "memcpy: 10 copies of 1000 bytes, every byte checked"
    run -0 bench_limits -C -n 500 pingpong "$cpu1" "$cpu1"
    assert_output "pingpong: 500 round trips between CPUs $cpu1 and $cpu1, each brought its data"
    run -0 bench_limits -s 4k -t 1M memcpy
    assert_output --regexp '^memcpy: 256 copies of 4096 bytes: [0-9.]+ s, [0-9.]+ MiB/s$'
    [ -n "$cpu2" ] || skip "one CPU only"
    # Across two CPUs, run bare: valgrind runs one thread at a time, and
    # the thread that has the line would spin or yield for the other in
    # vain, for a whole time slice per hand-over.
    run -0 "$IPC_BIN/bench_limits" -C -n 500 pingpong "$cpu1" "$cpu2"
    assert_output "pingpong: 500 round trips between CPUs $cpu1 and $cpu2, each brought its data"
    run -0 "$IPC_BIN/bench_limits" -n 100 pingpong "$cpu1" "$cpu2"
    assert_output --regexp "^pingpong: 100 round trips between CPUs $cpu1 and $cpu2: [0-9.]+ s, [0-9.]+ ns per round trip\$"
}

# harness_run SCRIPT: source the harness in a fresh shell, then run SCRIPT.
harness_run() {
    OUT=$BATS_TEST_TMPDIR bash -c '. "$1"; eval "$2"' _ "$harness" "$1"
}

@test "harness: median, spread and table from made-up samples; a bad sample or setting stops it (status 1, 2)" {
    local samples='
        for v in 5 1 4 2 3; do bench_sample 64 a echo "$v"; done
        for v in 10 40 20 30; do bench_sample 64 b echo "$v"; done'
    # In the order first measured: X, series, median, smallest, largest.
    run -0 harness_run "$samples"'
        bench_sample 8 a echo 7.5
        bench_summary "$bench_tmp/samples"'
    assert_output "$(printf '64\ta\t3\t1\t5\n64\tb\t25\t10\t40\n8\ta\t7.5\t7.5\t7.5')"
    # A row per X, a column per series, median ± spread in each cell.
    run -0 harness_run "$samples"'
        bench_sample 4096 a echo 1500
        bench_sample 1048576 b echo 0.5
        bench_table size bytes'
    assert_equal "${lines[0]}" "| size | a | b |"
    assert_equal "${lines[1]}" "|---:|---:|---:|"
    assert_equal "${lines[2]}" "| 64 B | 3.00 ±67 % | 25.0 ±60 % |"
    assert_equal "${lines[3]}" "| 4 KiB | 1500 ±0.0 % | - |"
    assert_equal "${lines[4]}" "| 1 MiB | - | 0.50 ±0.0 % |"
    assert_equal "${#lines[@]}" 5
    # Anything but one number stops the benchmark.
    run --separate-stderr harness_run 'bench_sample 1 a echo oops; echo not reached'
    assert_failure 1
    assert_equal "$output" ""
    assert_equal "$stderr" "harness: 'echo oops' printed 'oops', not one number"
    run -1 harness_run 'bench_sample 1 a echo 1.2.3'
    run -1 harness_run 'bench_sample 1 a false'
    # RUNS must be a number from 1; IPC_BIN and OUT must be set.
    RUNS=0 run -2 harness_run true
    RUNS=x run -2 harness_run true
    run --separate-stderr env -u IPC_BIN bash -c '. "$1"' _ "$harness"
    assert_failure 2
    assert_equal "$stderr" "harness: set IPC_BIN (the programs) and OUT (for the results)"
    run -2 env -u OUT bash -c '. "$1"' _ "$harness"
}

@test "harness: placements pin to the CPUs the caption states; QUICK=1 samples the limits, tables them, plots (plot_set after the defaults)" {
    run -0 harness_run '
        bench_place one; on_first cat /proc/self/status; on_second cat /proc/self/status
        bench_caption "X" first second'
    assert_equal "$(grep -c "^Cpus_allowed_list:[[:space:]]*$cpu1\$" <<< "$output")" 2
    assert_line "Placement: one CPU: first and second both pinned to CPU $cpu1;"
    CPUS=$cpu1 run -0 harness_run 'echo "$placements"; bench_caption X A B'
    assert_line --index 0 "one"
    assert_line "two CPUs: not measured, only one CPU available."
    QUICK=1 run -0 harness_run '
        bench_limits_sample
        bench_sample 1 a echo 2; bench_sample 2 a echo 4
        bench_limits_table
        bench_caption "What" W R
        bench_plot "$OUT/p.svg" Title "bytes" MiB/s
        plot_set="unset key"; bench_plot "$OUT/q.svg" Title "bytes" MiB/s'
    assert_line --index 0 "| limit, measured in the same run, for scale | median ± spread |"
    assert_line --regexp '^\| memcpy, 4 KiB blocks \(in cache\) \| [0-9.]+ MiB/s ±0\.0 % \|$'
    assert_line --regexp '^\| memcpy, 1 MiB blocks \(out of cache\) \| [0-9.]+ MiB/s ±0\.0 % \|$'
    assert_line "What, one run."
    assert_line --regexp "^Measured on .*, Linux $(uname -r), .*, load average [0-9.]+ at the start and [0-9.]+ at the end\.\$"
    assert_line "QUICK=1: a smoke test, not figures to quote."
    grep -q '<svg' "$BATS_TEST_TMPDIR/p.svg"
    grep -q '<tspan[^>]*>memcpy, 4 KiB blocks (in cache)<' "$BATS_TEST_TMPDIR/p.svg"
    # plot_set comes after the defaults, so it can undo them: no key
    if grep -q '<tspan[^>]*>memcpy, 4 KiB blocks (in cache)<' "$BATS_TEST_TMPDIR/q.svg"; then
        fail "plot_set='unset key' left the key in the plot"
    fi
    [ -n "$cpu2" ] || skip "one CPU only"
    assert_line --regexp "^\| cache line, CPU $cpu1 to CPU $cpu2 and back \| [0-9.]+ ns ±0\.0 % \|\$"
    run -0 harness_run '
        bench_place two; on_first cat /proc/self/status; on_second cat /proc/self/status'
    assert_line --regexp "^Cpus_allowed_list:[[:space:]]*$cpu1\$"
    assert_line --regexp "^Cpus_allowed_list:[[:space:]]*$cpu2\$"
}

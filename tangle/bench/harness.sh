# harness.sh - what every chapter's benchmark script shares (ipc-book).
# Not run but sourced, first thing, by a chapter's bench.sh:
#     . "$(dirname "$0")/../bench/harness.sh"
# Needs IPC_BIN (the programs) and OUT (the directory for the results).
# Optional: RUNS (runs per figure, default 7), CPUS ("a b", the two CPUs
# to pin to), QUICK=1 (a smoke test: small sizes, one run, not to quote).
# Uses the EXIT trap; scratch files go in $bench_tmp.
# Tangled from chapters/01-introduction.md; do not edit.
if [ -z "${IPC_BIN:-}" ] || [ -z "${OUT:-}" ]; then
    echo "harness: set IPC_BIN (the programs) and OUT (for the results)" >&2
    exit 2
fi
PATH=$IPC_BIN:$PATH
quick=${QUICK:-0}
if [ "$quick" = 1 ]; then runs=${RUNS:-1}; else runs=${RUNS:-7}; fi
case $runs in
''|*[!0-9]*|0) echo "harness: RUNS must be a number from 1" >&2; exit 2 ;;
esac
bench_tmp=$(mktemp -d)
trap 'rm -rf "$bench_tmp"' EXIT
: > "$bench_tmp/samples"
: > "$bench_tmp/limits"
bench_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo |
            head -n 1 | tr -d '"')
bench_machine=${bench_cpu:-$(uname -m)}
if grep -qw hypervisor /proc/cpuinfo; then
    bench_machine="$bench_machine, a virtual machine"
fi
bench_machine="$bench_machine, $(getconf _NPROCESSORS_ONLN)"
bench_machine="$bench_machine CPUs online, Linux $(uname -r),"
bench_machine="$bench_machine $(date -u '+%Y-%m-%d %H:%M UTC')"
bench_load() { cut -d ' ' -f 1 /proc/loadavg; }
bench_load_start=$(bench_load)
bench_allowed() {
    taskset -pc $$ | sed 's/.*: //' | tr ',' '\n' |
        awk -F- '{ for (c = $1; c <= ($2 == "" ? $1 : $2); c++) print c }'
}
bench_cpus=${CPUS:-$(bench_allowed | head -n 2 | tr '\n' ' ')}
cpu_a=$(echo $bench_cpus | cut -d ' ' -f 1)
cpu_b=$(echo $bench_cpus | cut -s -d ' ' -f 2)
if [ -n "$cpu_b" ]; then placements="one two"; else placements=one; fi
bench_place() {
    case $1 in
    one) bench_first=$cpu_a bench_second=$cpu_a ;;
    two) bench_first=$cpu_a bench_second=$cpu_b ;;
    *)   echo "harness: no placement '$1'" >&2; exit 2 ;;
    esac
}
bench_label() {
    case $1 in one) echo "one CPU" ;; two) echo "two CPUs" ;; esac
}
on_first()  { taskset -c "$bench_first" "$@"; }
on_second() { taskset -c "$bench_second" "$@"; }
bench_rounds() { seq "$runs"; }
# bench_keep FILE X SERIES CMD...: append CMD's one number to FILE
bench_keep() {
    bench_file=$1 bench_x=$2 bench_series=$3
    shift 3
    bench_v=$("$@") || { echo "harness: '$*' failed" >&2; exit 1; }
    case $bench_v in
    ''|*[!0-9.]*|*.*.*)
        echo "harness: '$*' printed '$bench_v', not one number" >&2
        exit 1 ;;
    esac
    printf '%s\t%s\t%s\n' "$bench_x" "$bench_series" "$bench_v" \
        >> "$bench_file"
}
bench_sample() { bench_keep "$bench_tmp/samples" "$@"; }
# bench_summary FILE: "X SERIES MEDIAN MIN MAX", tab-separated
bench_summary() {
    awk -F '\t' '
        !(($1 FS $2) in n) { order[++keys] = $1 FS $2 }
        { k = $1 FS $2; v[k, ++n[k]] = $3 + 0 }
        END {
            for (i = 1; i <= keys; i++) {
                k = order[i]; m = n[k]
                for (a = 2; a <= m; a++)            # insertion sort
                    for (b = a; b > 1 && v[k, b - 1] > v[k, b]; b--) {
                        t = v[k, b]; v[k, b] = v[k, b - 1]; v[k, b - 1] = t
                    }
                if (m % 2) med = v[k, (m + 1) / 2]
                else med = (v[k, m / 2] + v[k, m / 2 + 1]) / 2
                print k FS med FS v[k, 1] FS v[k, m]
            }
        }' "$1"
}
if [ "$quick" = 1 ]; then
    lim_small=4096 lim_big=1048576 lim_total=16777216 lim_rounds=1000
else
    lim_small=32768 lim_big=268435456 lim_total=2147483648 lim_rounds=300000
fi
bench_memcpy() {
    taskset -c "$cpu_a" bench_limits -s "$1" -t "$lim_total" memcpy |
        sed -n 's/.* \([0-9.]*\) MiB\/s$/\1/p'
}
bench_pingpong() {
    bench_limits -n "$lim_rounds" pingpong "$cpu_a" "$cpu_b" |
        sed -n 's/.* \([0-9.]*\) ns per round trip$/\1/p'
}
bench_limits_sample() {
    bench_keep "$bench_tmp/limits" \
        "memcpy, $(bench_bytes "$lim_small") blocks (in cache)" MiB/s \
        bench_memcpy "$lim_small"
    bench_keep "$bench_tmp/limits" \
        "memcpy, $(bench_bytes "$lim_big") blocks (out of cache)" MiB/s \
        bench_memcpy "$lim_big"
    [ -z "$cpu_b" ] || bench_keep "$bench_tmp/limits" \
        "cache line, CPU $cpu_a to CPU $cpu_b and back" ns bench_pingpong
}
bench_awk='
    function bytes(x) {
        if (x >= 1048576 && x % 1048576 == 0) return x / 1048576 " MiB"
        if (x >= 1024 && x % 1024 == 0) return x / 1024 " KiB"
        return x " B"
    }
    function num(v) {
        return sprintf(v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v)
    }
    function spread(med, lo, hi,    d) {
        d = hi - med > med - lo ? hi - med : med - lo
        d = med > 0 ? 100 * d / med : 0
        return "±" sprintf(d < 10 ? "%.1f" : "%.0f", d) " %"
    }
    function cell(med, lo, hi) { return num(med) " " spread(med, lo, hi) }'
bench_bytes() { awk -v x="$1" "$bench_awk"' BEGIN { print bytes(x) }'; }
bench_table() {
    bench_summary "$bench_tmp/samples" |
    awk -F '\t' -v head="$1" -v as="${2:-}" "$bench_awk"'
        !($1 in row) { row[$1] = ++rows; xs[rows] = $1 }
        !($2 in col) { col[$2] = ++cols; names[cols] = $2 }
        { c[row[$1], col[$2]] = cell($3, $4, $5) }
        END {
            line = "| " head; rule = "|---:"
            for (j = 1; j <= cols; j++) {
                line = line " | " names[j]; rule = rule "|---:"
            }
            print line " |"; print rule "|"
            for (i = 1; i <= rows; i++) {
                line = "| " (as == "bytes" ? bytes(xs[i]) : xs[i])
                for (j = 1; j <= cols; j++)
                    line = line " | " ((i, j) in c ? c[i, j] : "-")
                print line " |"
            }
        }'
}
bench_limits_table() {
    echo "| limit, measured in the same run, for scale | median ± spread |"
    echo "|:---|---:|"
    bench_summary "$bench_tmp/limits" | awk -F '\t' "$bench_awk"'
        { print "| " $1 " | " num($3) " " $2 " " spread($3, $4, $5) " |" }'
}
# bench_caption WHAT FIRST SECOND: WHAT was measured, FIRST and SECOND
# name the two processes
bench_caption() {
    if [ "$runs" = 1 ]; then echo "$1, one run."
    else echo "$1, median of $runs runs ± spread" \
              "(the largest distance of a run from the median)."
    fi
    echo "The runs of all columns and the limits were interleaved, in one" \
         "run of the script."
    echo "Placement: one CPU: $2 and $3 both pinned to CPU $cpu_a;"
    if [ -n "$cpu_b" ]; then
        echo "two CPUs: $2 on CPU $cpu_a, $3 on CPU $cpu_b."
    else
        echo "two CPUs: not measured, only one CPU available."
    fi
    echo "Measured on $bench_machine, load average $bench_load_start at" \
         "the start and $(bench_load) at the end."
    [ "$quick" != 1 ] || echo "QUICK=1: a smoke test, not figures to quote."
}
bench_plot() {
    bench_summary "$bench_tmp/samples" | awk -F '\t' -v dir="$bench_tmp" '
        !($2 in s) { s[$2] = ++n; print $2 > (dir "/series") }
        { print $1, $3, $4, $5 > (dir "/series." s[$2]) }'
    {
        echo "set terminal svg size 720,440 dynamic font 'DejaVu Sans,11'"
        echo "set output '$1'"
        [ -z "${plot_log-xy}" ] || echo "set logscale ${plot_log-xy}"
        echo "set xlabel '$3'; set ylabel '$4 (bars: smallest to largest)'"
        echo "set key bottom right; set grid"
        printf '%s\n' "${plot_set:-}"  # after the defaults: may undo them
        echo "set title \"$2: $bench_machine\" font ',9'"
        printf 'plot \\\n'
        n=0
        while IFS= read -r name; do
            n=$((n + 1))
            echo "'$bench_tmp/series.$n' using 1:2:3:4" \
                 "with yerrorlines title '$name'"
        done < "$bench_tmp/series" > "$bench_tmp/clauses"
        bench_summary "$bench_tmp/limits" | awk -F '\t' -v unit="$4" '
            $2 == unit { print $3 " with lines dashtype 2 title \"" $1 "\"" }
        ' >> "$bench_tmp/clauses"
        sed '$!s/$/, \\/' "$bench_tmp/clauses"
    } > "$bench_tmp/plot.gp"
    gnuplot "$bench_tmp/plot.gp"
}

/*
 * bench_limits - measure two limits that give IPC figures their scale
 *
 * usage: bench_limits [-C] [-s size] [-t total] memcpy
 *        bench_limits [-C] [-n count] pingpong cpu1 cpu2
 *
 * memcpy copies a block of `size` bytes (default 32k; suffixes k and M)
 * from one buffer to another until `total` bytes (default 1G) are copied,
 * and prints the rate.  pingpong pins one thread to CPU cpu1 and another
 * to cpu2, has them hand a cache line to each other `count` times
 * (default 1000000), and prints the time of one round trip.  With -C
 * nothing is timed: memcpy checks every byte of every copy, pingpong that
 * each hand-over brings the data written before it (and then the two
 * CPUs may be the same one).
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/bench.h"
#include "lib/num.h"
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: bench_limits [-C] [-s size] [-t total] memcpy\n"
            "       bench_limits [-C] [-n count] pingpong cpu1 cpu2\n"
            "  -C        check the data instead of timing\n"
            "  -n count  round trips of the cache line (default 1000000)\n"
            "  -s size   bytes per copy (default 32k)\n"
            "  -t total  bytes to copy in all (default 1G)\n");
    exit(status);
}
static void copy_rate(size_t size, size_t total)
{
    void *(*volatile copy)(void *, const void *, size_t) = memcpy;
    unsigned char *src = malloc(size), *dst = malloc(size);
    size_t count = total / size > 0 ? total / size : 1;
    double t0, t1;

    if (src == NULL || dst == NULL)
        err(1, "malloc");
    memset(src, 'x', size);
    memset(dst, 0, size);
    copy(dst, src, size);
    t0 = bench_now();
    for (size_t i = 0; i < count; i++)
        copy(dst, src, size);
    t1 = bench_now();
    printf("memcpy: %zu copies of %zu bytes: %.6f s, %.1f MiB/s\n",
           count, size, t1 - t0,
           (double)count * (double)size / (t1 - t0) / (1 << 20));
    free(src);
    free(dst);
}
static void copy_check(size_t size, size_t total)
{
    unsigned char *src = malloc(size), *dst = malloc(size);
    size_t count = total / size > 0 ? total / size : 1, bad;

    if (src == NULL || dst == NULL)
        err(1, "malloc");
    memset(dst, 0, size);
    for (size_t i = 0; i < count; i++) {
        pattern_fill(src, size, (uint64_t)i * size);
        memcpy(dst, src, size);
        if ((bad = pattern_mismatch(dst, size, (uint64_t)i * size)) < size)
            errx(1, "copy %zu: byte %zu is wrong", i, bad);
    }
    printf("memcpy: %zu copies of %zu bytes, every byte checked\n",
           count, size);
    free(src);
    free(dst);
}
struct line {
    _Alignas(64) atomic_ulong turn; /* even: main thread's turn; odd: the
                                       partner's */
    unsigned long data;             /* -C: written before each hand-over */
};

struct partner {
    struct line *line;
    unsigned long rounds;           /* round trips, warm-up included */
    long cpu;
    int check;
};
static void pin(long cpu)
{
    cpu_set_t set;
    int rc;

    CPU_ZERO(&set);
    CPU_SET((int)cpu, &set);
    if ((rc = pthread_setaffinity_np(pthread_self(), sizeof set, &set))) {
        errno = rc;
        err(1, "pin to CPU %ld", cpu);
    }
}
static void serve(struct line *l, unsigned long from, unsigned long to)
{
    for (unsigned long t = from; t < to; t += 2) {
        atomic_store_explicit(&l->turn, t + 1, memory_order_release);
        while (atomic_load_explicit(&l->turn, memory_order_acquire) != t + 2)
            continue;
    }
}

static void reply(struct line *l, unsigned long rounds)
{
    for (unsigned long t = 1; t < 2 * rounds; t += 2) {
        while (atomic_load_explicit(&l->turn, memory_order_acquire) != t)
            continue;
        atomic_store_explicit(&l->turn, t + 1, memory_order_release);
    }
}
static void await(struct line *l, unsigned long t)
{
    while (atomic_load_explicit(&l->turn, memory_order_acquire) != t)
        sched_yield();
    if (l->data != ~t)
        errx(1, "turn %lu brought %#lx, expected %#lx", t, l->data, ~t);
}

static void hand_over(struct line *l, unsigned long t)
{
    l->data = ~t;
    atomic_store_explicit(&l->turn, t, memory_order_release);
}

static void serve_checked(struct line *l, unsigned long rounds)
{
    for (unsigned long t = 0; t < 2 * rounds; t += 2) {
        hand_over(l, t + 1);
        await(l, t + 2);
    }
}

static void reply_checked(struct line *l, unsigned long rounds)
{
    for (unsigned long t = 1; t < 2 * rounds; t += 2) {
        await(l, t);
        hand_over(l, t + 1);
    }
}
static void *partner(void *arg)
{
    struct partner *p = arg;

    pin(p->cpu);
    if (p->check)
        reply_checked(p->line, p->rounds);
    else
        reply(p->line, p->rounds);
    return NULL;
}
static void pingpong(long cpu1, long cpu2, unsigned long count, int check)
{
    struct line line = { .data = 0 };
    unsigned long warm = check ? 0 : count / 10 + 1;
    struct partner p = { &line, warm + count, cpu2, check };
    pthread_t tid;
    double t0 = 0, t1 = 0;
    int rc;

    if (cpu1 == cpu2 && !check)
        errx(2, "pingpong needs two different CPUs (or -C)");
    atomic_init(&line.turn, 0);
    pin(cpu1);
    if ((rc = pthread_create(&tid, NULL, partner, &p))) {
        errno = rc;
        err(1, "pthread_create");
    }
    if (check) {
        serve_checked(&line, p.rounds);
    } else {
        serve(&line, 0, 2 * warm);
        t0 = bench_now();
        serve(&line, 2 * warm, 2 * p.rounds);
        t1 = bench_now();
    }
    if ((rc = pthread_join(tid, NULL))) {
        errno = rc;
        err(1, "pthread_join");
    }
    if (check)
        printf("pingpong: %lu round trips between CPUs %ld and %ld, "
               "each brought its data\n", p.rounds, cpu1, cpu2);
    else
        printf("pingpong: %lu round trips between CPUs %ld and %ld: "
               "%.6f s, %.1f ns per round trip\n",
               count, cpu1, cpu2, t1 - t0, (t1 - t0) * 1e9 / (double)count);
}
int main(int argc, char *argv[])
{
    size_t size = 32 * 1024, total = (size_t)1 << 30;
    long count = 1000000;
    int opt, check = 0;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "Chn:s:t:")) != -1) {
        switch (opt) {
        case 'C': check = 1; break;
        case 'n': count = parse_long(optarg, 1, 1000000000, "count"); break;
        case 's': size = parse_size(optarg, 1, 1 << 30, "size"); break;
        case 't': total = parse_size(optarg, 1, (size_t)1 << 40, "total");
                  break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    argc -= optind, argv += optind;
    if (argc == 1 && strcmp(argv[0], "memcpy") == 0) {
        if (check)
            copy_check(size, total);
        else
            copy_rate(size, total);
    } else if (argc == 3 && strcmp(argv[0], "pingpong") == 0) {
        pingpong(parse_long(argv[1], 0, CPU_SETSIZE - 1, "cpu1"),
                 parse_long(argv[2], 0, CPU_SETSIZE - 1, "cpu2"),
                 (unsigned long)count, check);
    } else {
        usage(2);
    }
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

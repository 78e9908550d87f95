/*
 * psem_bench - measure what POSIX semaphores cost
 *
 * usage: psem_bench [-C] [-m named|unnamed] [-n count] handoff cpu1 cpu2
 *        psem_bench [-C] [-m named|unnamed] [-n count] pair cpu
 *
 * handoff: a parent on CPU cpu1 and a child on cpu2 pass the turn to each
 * other count times (default 100000) through two semaphores: each posts
 * one and waits on the other.  Prints the time of one hand-off, half a
 * round trip.  pair: one process on CPU cpu does count sem_wait and
 * sem_post pairs on a free semaphore, and prints the time of one pair.
 * -m: the semaphores are named (created O_EXCL, removed at once) or
 * unnamed (default, in a shared anonymous mapping).  -C: nothing is
 * timed; each hand-off checks that it brings the data written before it.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib/bench.h"
#include "lib/cleanup.h"
#include "lib/num.h"
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: psem_bench [-C] [-m named|unnamed] [-n count] "
            "handoff cpu1 cpu2\n"
            "       psem_bench [-C] [-m named|unnamed] [-n count] "
            "pair cpu\n"
            "  -C        check instead of timing\n"
            "  -m mode   named or unnamed semaphores (default unnamed)\n"
            "  -n count  hand-offs, or wait-post pairs (default 100000)\n");
    exit(status);
}
struct shared {
    sem_t ping, pong;                   /* unnamed mode */
    unsigned long data;                 /* -C: written before each post */
};

struct bench {
    struct shared *sh;
    sem_t *ping, *pong;
    unsigned long count;
    int check, named;
    struct timespec deadline;           /* of every wait in the run */
};
static sem_t *make_named(const char *role, unsigned value)
{
    char name[64];
    sem_t *s;

    snprintf(name, sizeof name, "/psem_bench.%ld.%s", (long)getpid(), role);
    if ((s = sem_open(name, O_CREAT | O_EXCL, 0600, value)) == SEM_FAILED)
        err(1, "sem_open %s", name);
    cleanup_push(sem_unlink, name);
    if (sem_unlink(name) == -1)
        err(1, "sem_unlink %s", name);
    return s;
}

static void make_sems(struct bench *b, unsigned value)
{
    b->sh = mmap(NULL, sizeof *b->sh, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (b->sh == MAP_FAILED)
        err(1, "mmap");
    if (b->named) {
        b->ping = make_named("ping", value);
        b->pong = make_named("pong", 0);
    } else {
        b->ping = &b->sh->ping;
        b->pong = &b->sh->pong;
        if (sem_init(b->ping, 1, value) == -1
            || sem_init(b->pong, 1, 0) == -1)
            err(1, "sem_init");
    }
}

static void end_sems(struct bench *b)
{
    if (b->named && (sem_close(b->ping) == -1 || sem_close(b->pong) == -1))
        err(1, "sem_close");
    if (!b->named && (sem_destroy(b->ping) == -1
                      || sem_destroy(b->pong) == -1))
        err(1, "sem_destroy");
    if (munmap(b->sh, sizeof *b->sh) == -1)
        err(1, "munmap");
}
static void pin(long cpu)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET((int)cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) == -1)
        err(1, "pin to CPU %ld", cpu);
}

static void set_deadline(struct bench *b)
{
    if (clock_gettime(CLOCK_MONOTONIC, &b->deadline) == -1)
        err(1, "clock_gettime");
    b->deadline.tv_sec += 60;
}

static void wait_on(const struct bench *b, sem_t *s)
{
    while (sem_clockwait(s, CLOCK_MONOTONIC, &b->deadline) == -1) {
        if (errno == ETIMEDOUT)
            errx(1, "the other process stopped answering");
        if (errno != EINTR)
            err(1, "sem_clockwait");
    }
}

static void post_on(sem_t *s)
{
    if (sem_post(s) == -1)
        err(1, "sem_post");
}
static void handoff_child(const struct bench *b, unsigned long rounds)
{
    for (unsigned long i = 0; i < rounds; i++) {
        wait_on(b, b->ping);
        if (b->check && b->sh->data != 2 * i + 1)
            errx(1, "hand-off %lu brought %lu", 2 * i + 1, b->sh->data);
        b->sh->data = 2 * i + 2;
        post_on(b->pong);
    }
}

static void handoff_parent(const struct bench *b, unsigned long from,
                           unsigned long to)
{
    for (unsigned long i = from; i < to; i++) {
        b->sh->data = 2 * i + 1;
        post_on(b->ping);
        wait_on(b, b->pong);
        if (b->check && b->sh->data != 2 * i + 2)
            errx(1, "hand-off %lu brought %lu", 2 * i + 2, b->sh->data);
    }
}
static void handoff(struct bench *b, long cpu1, long cpu2)
{
    unsigned long warm = b->count / 10 + 1;
    double t0, t1;
    int status;
    pid_t pid;

    make_sems(b, 0);
    set_deadline(b);
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    if ((pid = fork()) == -1)
        err(1, "fork");
    if (pid == 0) {                     /* child: waits, then answers */
        pin(cpu2);
        handoff_child(b, warm + b->count);
        _exit(0);
    }
    pin(cpu1);
    handoff_parent(b, 0, warm);
    t0 = bench_now();
    handoff_parent(b, warm, warm + b->count);
    t1 = bench_now();
    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR)
            err(1, "waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        errx(1, "the child failed");
    if (b->check)
        printf("handoff: %lu round trips between CPUs %ld and %ld, each "
               "brought its data\n", warm + b->count, cpu1, cpu2);
    else
        printf("handoff: %lu round trips between CPUs %ld and %ld: %.6f s, "
               "%.1f ns per hand-off\n", b->count, cpu1, cpu2, t1 - t0,
               (t1 - t0) * 1e9 / (2.0 * (double)b->count));
    end_sems(b);
}
static void pairs(struct bench *b, long cpu)
{
    unsigned long warm = b->count / 10 + 1;
    double t0, t1;
    int v;

    make_sems(b, 1);
    set_deadline(b);
    pin(cpu);
    for (unsigned long i = 0; i < warm; i++)
        wait_on(b, b->ping), post_on(b->ping);
    t0 = bench_now();
    for (unsigned long i = 0; i < b->count; i++)
        wait_on(b, b->ping), post_on(b->ping);
    t1 = bench_now();
    if (sem_getvalue(b->ping, &v) == -1)
        err(1, "sem_getvalue");
    if (v != 1)
        errx(1, "the value is %d after the pairs, not 1", v);
    if (b->check)
        printf("pair: %lu pairs on CPU %ld, the value back at 1\n",
               warm + b->count, cpu);
    else
        printf("pair: %lu pairs on CPU %ld: %.6f s, %.1f ns per pair\n",
               b->count, cpu, t1 - t0, (t1 - t0) * 1e9 / (double)b->count);
    end_sems(b);
}
int main(int argc, char *argv[])
{
    struct bench b = { .count = 100000 };
    const char *mode = "unnamed";
    int opt, n;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "Chm:n:")) != -1) {
        switch (opt) {
        case 'C': b.check = 1; break;
        case 'm': mode = optarg; break;
        case 'n': b.count = (unsigned long)parse_long(optarg, 1, 1000000000,
                                                      "count"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (strcmp(mode, "named") != 0 && strcmp(mode, "unnamed") != 0)
        errx(2, "mode: '%s' is not named or unnamed", mode);
    b.named = strcmp(mode, "named") == 0;
    n = argc - optind;
    if (n == 3 && strcmp(argv[optind], "handoff") == 0)
        handoff(&b, parse_long(argv[optind + 1], 0, CPU_SETSIZE - 1, "cpu1"),
                parse_long(argv[optind + 2], 0, CPU_SETSIZE - 1, "cpu2"));
    else if (n == 2 && strcmp(argv[optind], "pair") == 0)
        pairs(&b, parse_long(argv[optind + 1], 0, CPU_SETSIZE - 1, "cpu"));
    else
        usage(2);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

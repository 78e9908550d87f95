/*
 * svmq_bench - measure how fast messages go through a System V queue
 *
 * usage: svmq_bench [-C] [-s size] [-n count] rate cpu1 cpu2
 *        svmq_bench [-C] [-s size] [-n count] rtt cpu1 cpu2
 *
 * Makes a private queue and forks.  rate: the parent, on CPU cpu1, sends
 * count messages (default 100000) of size bytes (default 64), then an
 * empty one; the child, on cpu2, receives them and prints the rate.
 * rtt: the parent sends count requests of type 1 and waits each time for
 * the child's reply of type 2, and prints the time of one round trip.
 * With -C nothing is timed: every byte of every message is checked.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/bench.h"
#include "lib/cleanup.h"
#include "lib/num.h"
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: svmq_bench [-C] [-s size] [-n count] rate cpu1 cpu2\n"
            "       svmq_bench [-C] [-s size] [-n count] rtt cpu1 cpu2\n"
            "  -C        check every byte instead of timing\n"
            "  -n count  messages, or round trips (default 100000)\n"
            "  -s size   bytes per message (default 64)\n");
    exit(status);
}
static int remove_queue(const char *id)
{
    int q = 0;

    for (; *id >= '0' && *id <= '9'; id++)
        q = q * 10 + (*id - '0');
    return msgctl(q, IPC_RMID, NULL);
}

static void remove_at_exit(int id)
{
    char name[16];

    (void)snprintf(name, sizeof name, "%d", id);
    cleanup_push(remove_queue, name);
}
struct run {
    int id;
    size_t size;
    unsigned long count;
    int check;
    int child;                  /* we are the child: the parent reports */
    struct { long mtype; unsigned char mtext[]; } *msg;
};

static void pin(long cpu)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET((int)cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) == -1)
        err(1, "pin to CPU %ld", cpu);
}
static void quit_if_removed(struct run *r)
{
    if (r->child && (errno == EIDRM || errno == EINVAL))
        _exit(1);               /* the parent failed, and has said why */
}

static void put(struct run *r, long type, size_t len)
{
    r->msg->mtype = type;
    while (msgsnd(r->id, r->msg, len, 0) == -1)
        if (errno != EINTR) {
            quit_if_removed(r);
            if (errno == EINVAL)
                errx(1, "msgsnd of %zu bytes: EINVAL (above "
                     "kernel.msgmax?)", len);
            err(1, "msgsnd");
        }
}

static size_t take(struct run *r, long type)
{
    ssize_t n;

    while ((n = msgrcv(r->id, r->msg, r->size, type, 0)) == -1)
        if (errno != EINTR) {
            quit_if_removed(r);
            err(1, "msgrcv");
        }
    return (size_t)n;
}

static void check(struct run *r, size_t n, unsigned long i)
{
    size_t bad;

    if (n != r->size)
        errx(1, "message %lu: %zu bytes, expected %zu", i, n, r->size);
    if ((bad = pattern_mismatch(r->msg->mtext, n, (uint64_t)i * n)) < n)
        errx(1, "message %lu: byte %zu is wrong", i, bad);
}
static void stream_send(struct run *r)
{
    pattern_fill(r->msg->mtext, r->size, 0);
    for (unsigned long i = 0; i < r->count; i++) {
        if (r->check)
            pattern_fill(r->msg->mtext, r->size, (uint64_t)i * r->size);
        put(r, 1, r->size);
    }
    put(r, 1, 0);                       /* the end */
}

static void stream_receive(struct run *r)
{
    double t0 = 0, t;
    size_t n;

    for (unsigned long i = 0; (n = take(r, 0)) > 0; i++) {
        if (i == 0)
            t0 = bench_now();
        if (r->check)
            check(r, n, i);
    }
    t = bench_now() - t0;               /* the first message is not timed */
    if (r->check)
        printf("rate: %lu messages of %zu bytes, every byte checked\n",
               r->count, r->size);
    else
        printf("rate: %lu messages of %zu bytes: %.6f s, %.1f MiB/s\n",
               r->count, r->size, t,
               (double)(r->count - 1) * (double)r->size / t / (1 << 20));
}
static void echo(struct run *r)
{
    size_t n;

    while ((n = take(r, 1)) > 0)
        put(r, 2, n);
}

static void ask(struct run *r)
{
    unsigned long warm = r->check ? 0 : r->count / 10 + 1;
    double t0 = 0, t;

    pattern_fill(r->msg->mtext, r->size, 0);
    for (unsigned long i = 0; i < warm + r->count; i++) {
        if (i == warm)
            t0 = bench_now();
        if (r->check)
            pattern_fill(r->msg->mtext, r->size, (uint64_t)i * r->size);
        put(r, 1, r->size);
        size_t n = take(r, 2);
        if (r->check)
            check(r, n, i);
    }
    t = bench_now() - t0;
    put(r, 1, 0);                       /* the end */
    if (r->check)
        printf("rtt: %lu round trips of %zu bytes, every byte checked\n",
               r->count, r->size);
    else
        printf("rtt: %lu round trips of %zu bytes: %.6f s, %.1f ns per "
               "round trip\n", r->count, r->size, t,
               t * 1e9 / (double)r->count);
}
int main(int argc, char *argv[])
{
    struct run r = { .size = 64, .count = 100000 };
    int opt, rtt, status;
    long cpu1, cpu2;
    pid_t pid;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "Chn:s:")) != -1) {
        switch (opt) {
        case 'C': r.check = 1; break;
        case 'n': r.count = (unsigned long)parse_long(optarg, 1, 1000000000,
                                                      "count"); break;
        case 's': r.size = parse_size(optarg, 1, 1 << 20, "size"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind != 3)
        usage(2);
    if (strcmp(argv[optind], "rate") != 0 && strcmp(argv[optind], "rtt") != 0)
        usage(2);
    rtt = strcmp(argv[optind], "rtt") == 0;
    cpu1 = parse_long(argv[optind + 1], 0, CPU_SETSIZE - 1, "cpu1");
    cpu2 = parse_long(argv[optind + 2], 0, CPU_SETSIZE - 1, "cpu2");
    if ((r.msg = malloc(sizeof *r.msg + r.size)) == NULL)
        err(1, "malloc");
    if ((r.id = msgget(IPC_PRIVATE, IPC_CREAT | 0600)) == -1)
        err(1, "msgget");
    remove_at_exit(r.id);
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    switch (pid = fork()) {
    case -1:
        err(1, "fork");
    case 0:                                 /* child: the receiver, the echo */
        r.child = 1;
        pin(cpu2);
        if (rtt)
            echo(&r);
        else
            stream_receive(&r);
        if (fflush(stdout) == EOF)
            err(1, "stdout");
        free(r.msg);
        _exit(0);
    default:                                /* parent: the sender, the asker */
        pin(cpu1);
        if (rtt)
            ask(&r);
        else
            stream_send(&r);
        while (waitpid(pid, &status, 0) == -1)
            if (errno != EINTR)
                err(1, "waitpid");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            errx(1, "the child failed");
    }
    free(r.msg);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

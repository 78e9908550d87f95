/*
 * pmq_bench - throughput and round trip of POSIX message queues
 *
 * usage: pmq_bench [-C] [-p cpuA,cpuB] [-s size] [-n count] rate|pingpong
 *
 * rate: the parent sends count messages of size bytes through a queue of
 * 10 messages, the child receives them; prints MiB/s.  pingpong: the
 * parent sends one message of size bytes, the child sends it back through
 * a second queue, count times; prints ns per round trip.  -p pins the
 * parent to cpuA and the child to cpuB.  -C fills every message with a
 * pattern and checks every byte received (untimed figures).
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/bench.h"
#include "lib/cleanup.h"
#include "lib/num.h"
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: pmq_bench [-C] [-p cpuA,cpuB] [-s size] [-n count] "
            "rate|pingpong\n"
            "  -C          check every byte (the figures are then not "
            "timed)\n"
            "  -p A,B      pin the sender to CPU A, the receiver to CPU B\n"
            "  -s size     bytes per message, 1 to 8192 (default 64)\n"
            "  -n count    messages, or round trips (default 100000)\n");
    exit(status);
}

static mqd_t private_queue(const char *tag, long size)
{
    struct mq_attr a = { .mq_maxmsg = 10, .mq_msgsize = size };
    char name[64];
    mqd_t q;

    snprintf(name, sizeof name, "/pmq_bench.%ld.%s", (long)getpid(), tag);
    q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
    if (q == (mqd_t)-1)
        err(1, "mq_open %s", name);
    cleanup_push(mq_unlink, name);
    cleanup_run();                      /* unlinks it: the queue stays */
    return q;
}

static void pin(int cpu)
{
    cpu_set_t set;

    if (cpu < 0)
        return;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) == -1)
        err(1, "sched_setaffinity %d", cpu);
}

static void put(mqd_t q, char *buf, long size, long i, int check)
{
    if (check)
        pattern_fill((unsigned char *)buf, (size_t)size,
                     (uint64_t)i * (uint64_t)size);
    if (mq_send(q, buf, (size_t)size, 0) == -1)
        err(1, "mq_send");
}

static void get(mqd_t q, char *buf, long size, long i, int check)
{
    ssize_t n = mq_receive(q, buf, (size_t)size, NULL);
    size_t bad;

    if (n == -1)
        err(1, "mq_receive");
    if (n != size)
        errx(1, "message %ld: %zd bytes, expected %ld", i, n, size);
    if (check && (bad = pattern_mismatch((unsigned char *)buf, (size_t)n,
                                         (uint64_t)i * (uint64_t)size))
                 < (size_t)n)
        errx(1, "message %ld: byte %zu is wrong", i, bad);
}

int main(int argc, char *argv[])
{
    long size = 64, count = 100000;
    int opt, check = 0, cpu_a = -1, cpu_b = -1, status, pingpong;
    mqd_t there, back = (mqd_t)-1;
    double t0, t;
    char *buf;
    pid_t pid;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "Chn:p:s:")) != -1) {
        switch (opt) {
        case 'C': check = 1; break;
        case 'n': count = parse_long(optarg, 1, 100000000, "count"); break;
        case 'p':
            if (sscanf(optarg, "%d,%d", &cpu_a, &cpu_b) != 2
                || cpu_a < 0 || cpu_b < 0)
                errx(2, "-p: want two CPU numbers, such as 0,1");
            break;
        case 's': size = parse_long(optarg, 1, 8192, "size"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind != 1)
        usage(2);
    if (strcmp(argv[optind], "pingpong") == 0)
        pingpong = 1;
    else if (strcmp(argv[optind], "rate") == 0)
        pingpong = 0;
    else
        errx(2, "%s: not rate or pingpong", argv[optind]);
    there = private_queue("there", size);
    if (pingpong)
        back = private_queue("back", size);
    if ((buf = calloc(1, (size_t)size)) == NULL)
        err(1, "calloc");
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    if ((pid = fork()) == -1)
        err(1, "fork");
    if (pid == 0) {
        pin(cpu_b);
        for (long i = 0; i < count; i++) {
            get(there, buf, size, i, check);
            if (pingpong && mq_send(back, buf, (size_t)size, 0) == -1)
                err(1, "mq_send");
        }
        free(buf);
        _exit(0);
    }
    pin(cpu_a);
    t0 = bench_now();
    for (long i = 0; i < count; i++) {
        put(there, buf, size, i, check);
        if (pingpong)
            get(back, buf, size, i, check);
    }
    if (waitpid(pid, &status, 0) == -1)
        err(1, "waitpid");
    t = bench_now() - t0;
    free(buf);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        errx(1, "the receiver failed");
    if (pingpong)
        printf("pingpong: %ld round trips of %ld bytes: %.0f ns per "
               "round trip\n", count, size, t * 1e9 / (double)count);
    else
        printf("rate: %ld messages of %ld bytes: %.1f MiB/s\n", count,
               size, (double)count * (double)size / t / 1048576.0);
    if (check)
        printf("checked: every byte as sent\n");
    return 0;
}

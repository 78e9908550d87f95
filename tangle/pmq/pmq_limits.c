/*
 * pmq_limits - print the limits on POSIX message queues, and measure the
 * memory each queue is charged
 *
 * usage: pmq_limits
 *
 * Prints the knobs of /proc/sys/fs/mqueue, the number of priorities and
 * RLIMIT_MSGQUEUE, one a line: name, value, what it limits and where to
 * raise it.  Then it finds, by lowering its own RLIMIT_MSGQUEUE, how many
 * bytes a queue of one and of two messages is charged, and from those the
 * kernel's overhead per message, the bytes already charged to the user,
 * and how many more default queues the user may create.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/prog.h"
#include "pmq/jobq.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: pmq_limits\n"
            "  print the limits on POSIX message queues, and measure what\n"
            "  a queue is charged against RLIMIT_MSGQUEUE\n");
    exit(status);
}

static long long smallest_fit(const char *name, long maxmsg, rlim_t hard)
{
    struct mq_attr a = { .mq_maxmsg = maxmsg, .mq_msgsize = 1 };
    long long lo = 1, hi = hard == RLIM_INFINITY ? 1LL << 32 : (long long)hard;
    struct rlimit rl = { .rlim_max = hard };

    while (lo < hi) {                   /* the answer is in [lo, hi] */
        long long mid = lo + (hi - lo) / 2;
        mqd_t q;

        rl.rlim_cur = (rlim_t)mid;
        if (setrlimit(RLIMIT_MSGQUEUE, &rl) == -1)
            err(1, "setrlimit RLIMIT_MSGQUEUE");
        q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
        if (q != (mqd_t)-1) {
            mq_close(q);
            if (mq_unlink(name) == -1)
                err(1, "mq_unlink %s", name);
            hi = mid;
        } else if (errno == EMFILE) {
            lo = mid + 1;
        } else {
            err(1, "mq_open %s", name);
        }
    }
    return lo;
}

int main(int argc, char *argv[])
{
    struct rlimit rl;
    char name[64];
    long long one, two, overhead, in_use, dflt;
    long prio_max = sysconf(_SC_MQ_PRIO_MAX);
    int opt;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "h")) != -1)
        usage(opt == 'h' ? 0 : 2);
    if (optind != argc)
        usage(2);
    printf("%-16s %-7ld %s\n", "msg_max", mq_knob("msg_max"),
           "fs.mqueue.msg_max: largest maxmsg");
    printf("%-16s %-7ld %s\n", "msgsize_max", mq_knob("msgsize_max"),
           "fs.mqueue.msgsize_max: largest msgsize");
    printf("%-16s %-7ld %s\n", "msg_default", mq_knob("msg_default"),
           "fs.mqueue.msg_default: maxmsg for attr NULL");
    printf("%-16s %-7ld %s\n", "msgsize_default", mq_knob("msgsize_default"),
           "fs.mqueue.msgsize_default: msgsize for attr NULL");
    printf("%-16s %-7ld %s\n", "queues_max", mq_knob("queues_max"),
           "fs.mqueue.queues_max: queues in this namespace");
    printf("%-16s %-7ld sysconf(_SC_MQ_PRIO_MAX): priorities 0 to %ld\n",
           "prio_max", prio_max, prio_max - 1);
    if (getrlimit(RLIMIT_MSGQUEUE, &rl) == -1)
        err(1, "getrlimit RLIMIT_MSGQUEUE");
    if (rl.rlim_cur == RLIM_INFINITY)
        printf("%-16s %-7s", "rlimit", "unlimited");
    else
        printf("%-16s %-7llu", "rlimit", (unsigned long long)rl.rlim_cur);
    printf(" RLIMIT_MSGQUEUE (ulimit -q): bytes per user\n");
    snprintf(name, sizeof name, "/pmq_limits.%ld", (long)getpid());
    cleanup_push(mq_unlink, name);
    one = smallest_fit(name, 1, rl.rlim_max);
    two = smallest_fit(name, 2, rl.rlim_max);
    if (setrlimit(RLIMIT_MSGQUEUE, &rl) == -1)
        err(1, "setrlimit RLIMIT_MSGQUEUE");
    overhead = two - one - 1;
    in_use = one - 1 - overhead;
    dflt = mq_knob("msg_default") * (mq_knob("msgsize_default") + overhead);
    printf("%-16s %-7lld %s\n", "overhead", overhead,
           "bytes per message besides msgsize (measured)");
    printf("%-16s %-7lld %s\n", "in_use", in_use,
           "bytes charged to this user now (measured)");
    printf("%-16s %-7lld %s\n", "default_queue", dflt,
           "bytes a queue with attr NULL is charged");
    if (rl.rlim_cur == RLIM_INFINITY)
        printf("%-16s %-7s %s\n", "default_fit", "any",
               "such queues this user can still create");
    else
        printf("%-16s %-7lld %s\n", "default_fit",
               ((long long)rl.rlim_cur - in_use) / dflt,
               "such queues this user can still create");
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

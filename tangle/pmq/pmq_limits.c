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
           "largest mq_maxmsg without privilege (/proc/sys/fs/mqueue/msg_max)");
    printf("%-16s %-7ld %s\n", "msgsize_max", mq_knob("msgsize_max"),
           "largest mq_msgsize without privilege "
           "(/proc/sys/fs/mqueue/msgsize_max)");
    printf("%-16s %-7ld %s\n", "msg_default", mq_knob("msg_default"),
           "mq_maxmsg when attr is NULL (/proc/sys/fs/mqueue/msg_default)");
    printf("%-16s %-7ld %s\n", "msgsize_default", mq_knob("msgsize_default"),
           "mq_msgsize when attr is NULL "
           "(/proc/sys/fs/mqueue/msgsize_default)");
    printf("%-16s %-7ld %s\n", "queues_max", mq_knob("queues_max"),
           "queues in this IPC namespace (/proc/sys/fs/mqueue/queues_max)");
    printf("%-16s %-7ld %s\n", "prio_max", prio_max,
           "priorities are 0 to prio_max - 1 (sysconf(_SC_MQ_PRIO_MAX))");
    if (getrlimit(RLIMIT_MSGQUEUE, &rl) == -1)
        err(1, "getrlimit RLIMIT_MSGQUEUE");
    if (rl.rlim_cur == RLIM_INFINITY)
        printf("%-16s %-7s", "rlimit", "unlimited");
    else
        printf("%-16s %-7llu", "rlimit", (unsigned long long)rl.rlim_cur);
    printf(" bytes of queues per user "
           "(RLIMIT_MSGQUEUE: ulimit -q, prlimit --msgqueue)\n");
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
           "bytes charged per message besides mq_msgsize (measured)");
    printf("%-16s %-7lld %s\n", "in_use", in_use,
           "bytes already charged to this user (measured)");
    printf("%-16s %-7lld %s\n", "default_queue", dflt,
           "bytes a queue with attr NULL is charged");
    if (rl.rlim_cur == RLIM_INFINITY)
        printf("%-16s %-7s %s\n", "default_fit", "any",
               "more such queues this user can create");
    else
        printf("%-16s %-7lld %s\n", "default_fit",
               ((long long)rl.rlim_cur - in_use) / dflt,
               "more such queues this user can create");
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

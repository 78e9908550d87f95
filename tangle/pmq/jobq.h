/* jobq.h: what pmq_produce, pmq_consume and pmq_notify share: creating
 * or adopting the job queue safely, explaining a failed mq_open by the
 * limit it hit, printing a job, and stopping on SIGINT, SIGTERM, SIGHUP
 * only between jobs.  Linux: a queue descriptor is a file descriptor. */
#ifndef JOBQ_H
#define JOBQ_H
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/sig.h"

/* The number in /proc/sys/fs/mqueue/knob, or -1 if it cannot be read. */
static inline long mq_knob(const char *knob)
{
    char path[128];
    long v = -1;
    FILE *f;

    snprintf(path, sizeof path, "/proc/sys/fs/mqueue/%s", knob);
    if ((f = fopen(path, "r")) != NULL) {
        if (fscanf(f, "%ld", &v) != 1)
            v = -1;
        fclose(f);
    }
    return v;
}

static inline _Noreturn void jobq_open_failed(const char *name,
                                              const struct mq_attr *a)
{
    int e = errno;
    struct rlimit rl;

    if (e == EEXIST)
        errx(1, "%s: exists (a consumer killed by SIGKILL leaves its "
             "queue): adopt it with -a, or remove it (rm /dev/mqueue%s)",
             name, name);
    if (e == ENOENT)
        errx(1, "%s: no such queue (pmq_consume without -a creates it)",
             name);
    if (e == EINVAL && a && a->mq_maxmsg > mq_knob("msg_max"))
        errx(1, "%s: maxmsg %ld is over the limit msg_max, %ld "
             "(/proc/sys/fs/mqueue/msg_max)", name, a->mq_maxmsg,
             mq_knob("msg_max"));
    if (e == EINVAL && a && a->mq_msgsize > mq_knob("msgsize_max"))
        errx(1, "%s: msgsize %ld is over the limit msgsize_max, %ld "
             "(/proc/sys/fs/mqueue/msgsize_max)", name, a->mq_msgsize,
             mq_knob("msgsize_max"));
    if (e == ENOSPC)
        errx(1, "%s: the limit of queues, queues_max, %ld, is reached "
             "(/proc/sys/fs/mqueue/queues_max)", name, mq_knob("queues_max"));
    if (e == EMFILE && getrlimit(RLIMIT_MSGQUEUE, &rl) == 0)
        errx(1, "%s: the queue would pass RLIMIT_MSGQUEUE, %llu bytes for "
             "all of this user's queues (ulimit -q, prlimit --msgqueue; "
             "pmq_limits shows the cost), or the limit of open files",
             name, (unsigned long long)rl.rlim_cur);
    errno = e;
    err(1, "mq_open %s", name);
}

enum { JOBQ_MODE = 0600 };

static inline mqd_t jobq_create(const char *name, int oflag,
                                struct mq_attr *attr)
{
    mode_t old = umask(0);
    mqd_t q = mq_open(name, oflag | O_CREAT | O_EXCL, JOBQ_MODE, attr);
    int e = errno;

    umask(old);
    if (q == (mqd_t)-1) {
        errno = e;
        jobq_open_failed(name, attr);
    }
    cleanup_push(mq_unlink, name);
    return q;
}

static inline mqd_t jobq_adopt(const char *name, int oflag)
{
    struct stat st;
    mqd_t q = mq_open(name, oflag);

    if (q == (mqd_t)-1)
        jobq_open_failed(name, NULL);
    if (fstat(q, &st) == -1)
        err(1, "fstat %s", name);
    if (st.st_uid != geteuid())
        errx(1, "%s: belongs to uid %ld, not to us: not adopted", name,
             (long)st.st_uid);
    if (st.st_mode & 077)
        errx(1, "%s: mode %03o lets other users in: not adopted", name,
             (unsigned)(st.st_mode & 0777));
    return q;
}

static volatile sig_atomic_t jobq_stop;

static inline void jobq_on_stop(int sig)
{
    jobq_stop = sig;
}

/* Block the stop signals; *waitmask is the mask to wait with. */
static inline void jobq_catch_stop(sigset_t *waitmask)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    sigset_t block;

    sigemptyset(&block);
    for (size_t i = 0; i < 3; i++)
        sigaddset(&block, sigs[i]);
    if (sigprocmask(SIG_BLOCK, &block, waitmask) == -1)
        err(1, "sigprocmask");
    sig_catch_unless_ignored(sigs, 3, jobq_on_stop);
}

static inline void jobq_die_of_stop(void)
{
    sigset_t only;

    cleanup_run();
    sigemptyset(&only);
    sigaddset(&only, jobq_stop);
    signal(jobq_stop, SIG_DFL);
    raise(jobq_stop);
    sigprocmask(SIG_UNBLOCK, &only, NULL);      /* dies here */
}

static inline int jobq_wait(int fd, const struct timespec *deadline,
                            const sigset_t *waitmask)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    struct timespec now, left, *tp = NULL;

    for (;;) {
        if (jobq_stop)
            return -1;
        if (deadline) {
            if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
                err(1, "clock_gettime");
            left.tv_sec = deadline->tv_sec - now.tv_sec;
            left.tv_nsec = deadline->tv_nsec - now.tv_nsec;
            if (left.tv_nsec < 0) {
                left.tv_sec -= 1;
                left.tv_nsec += 1000000000;
            }
            if (left.tv_sec < 0)
                return 0;
            tp = &left;
        }
        switch (ppoll(&p, 1, tp, waitmask)) {
        case -1:
            if (errno != EINTR)
                err(1, "ppoll");
            break;                      /* a handler ran: look again */
        case 0:
            return 0;
        default:
            return 1;
        }
    }
}

/* The monotonic time ms milliseconds from now. */
static inline struct timespec jobq_after(long ms)
{
    struct timespec t;

    if (clock_gettime(CLOCK_MONOTONIC, &t) == -1)
        err(1, "clock_gettime");
    t.tv_sec += ms / 1000;
    t.tv_nsec += ms % 1000 * 1000000;
    if (t.tv_nsec >= 1000000000) {
        t.tv_sec += 1;
        t.tv_nsec -= 1000000000;
    }
    return t;
}

static inline void jobq_print(mqd_t q, const char *name, const char *job,
                              size_t len, unsigned prio)
{
    int e;

    if (printf("%u\t", prio) >= 0 && fwrite(job, 1, len, stdout) == len
        && putchar('\n') != EOF && fflush(stdout) != EOF)
        return;
    e = errno;
    if (mq_send(q, job, len, prio) == -1)
        warnx("%s: job not put back (%s): %.*s", name, strerror(errno),
              (int)len, job);
    else
        warnx("%s: job put back into the queue", name);
    errno = e;
    err(1, "stdout");
}

#endif

/*
 * pmq_notify - take jobs from a job queue when mq_notify says they came
 *
 * usage: pmq_notify [-a] [-T] [-m maxmsg] [-s msgsize] [-n count] [-t ms]
 *                   /name
 *
 * Like pmq_consume, but waits for a notification (mq_notify) instead of
 * waiting on the queue: by the signal SIGUSR1 (SIGEV_SIGNAL), or with -T
 * by a thread (SIGEV_THREAD).  After each notification it registers again
 * and then takes every job queued, so that none is missed.  Only one
 * process may be registered for a queue: a second pmq_notify fails.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/sig.h"
#include "pmq/jobq.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
        "usage: pmq_notify [-a] [-T] [-m maxmsg] [-s msgsize] [-n count] "
        "[-t ms] /name\n"
        "  -T          be notified by a thread (SIGEV_THREAD) instead of a\n"
        "              signal (SIGEV_SIGNAL, the default)\n"
        "  (the other options and the output as for pmq_consume)\n");
    exit(status);
}

struct consumer {
    const char *name;
    mqd_t q;
    int adopt;
    long maxmsg, msgsize;       /* -m, -s: 0 for the default */
    long count;                 /* -n: 0 for no limit */
    long ms;                    /* -t: 0 for no limit */
    long taken;
    char *buf;                  /* mq_msgsize bytes */
    size_t size;
};

static void parse_consumer_option(struct consumer *c, int opt,
                                  const char *arg)
{
    switch (opt) {
    case 'a': c->adopt = 1; break;
    case 'm': c->maxmsg = parse_long(arg, 1, 65536, "maxmsg"); break;
    case 's': c->msgsize = parse_long(arg, 1, 16777216, "msgsize"); break;
    case 'n': c->count = parse_long(arg, 1, 1000000000, "count"); break;
    case 't': c->ms = parse_long(arg, 1, 3600000, "timeout"); break;
    }
}

static void open_consumer_queue(struct consumer *c)
{
    struct mq_attr a, *ap = NULL;

    if (c->adopt && (c->maxmsg || c->msgsize))
        errx(2, "-m and -s size a queue we create, not one we adopt (-a)");
    if (c->maxmsg || c->msgsize) {
        a.mq_maxmsg = c->maxmsg ? c->maxmsg : mq_knob("msg_default");
        a.mq_msgsize = c->msgsize ? c->msgsize : mq_knob("msgsize_default");
        ap = &a;
    }
    if (c->adopt)
        c->q = jobq_adopt(c->name, O_RDWR | O_NONBLOCK);
    else
        c->q = jobq_create(c->name, O_RDWR | O_NONBLOCK, ap);
    if (mq_getattr(c->q, &a) == -1)
        err(1, "mq_getattr %s", c->name);
    c->size = (size_t)a.mq_msgsize;
    if ((c->buf = malloc(c->size)) == NULL)
        err(1, "malloc");
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        err(1, "signal");
}

static int wake[2] = { -1, -1 };        /* the pipe: [0] read, [1] write */

static void wake_up(void)
{
    int saved_errno = errno;
    ssize_t n = write(wake[1], "!", 1);

    (void)n;                            /* EAGAIN: a byte is waiting */
    errno = saved_errno;
}

static void on_signal(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    if (si->si_code == SI_MESGQ)
        wake_up();
}

static void on_thread(union sigval v)
{
    (void)v;
    wake_up();
}

static void make_wake_pipe(int thread)
{
    struct sigaction sa;

    if (pipe2(wake, O_NONBLOCK | O_CLOEXEC) == -1)
        err(1, "pipe2");
    if (thread)
        return;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL) == -1)
        err(1, "sigaction SIGUSR1");
}

static void listen_for_jobs(const struct consumer *c, int thread)
{
    struct sigevent sev;

    memset(&sev, 0, sizeof sev);
    if (thread) {
        sev.sigev_notify = SIGEV_THREAD;
        sev.sigev_notify_function = on_thread;
    } else {
        sev.sigev_notify = SIGEV_SIGNAL;
        sev.sigev_signo = SIGUSR1;
    }
    if (mq_notify(c->q, &sev) == 0)
        return;
    if (errno == EBUSY)
        errx(1, "%s: another process is registered for notification "
             "(EBUSY): only one may be", c->name);
    err(1, "mq_notify %s", c->name);
}

static int drain(struct consumer *c)
{
    unsigned prio;
    ssize_t n;

    while ((n = mq_receive(c->q, c->buf, c->size, &prio)) >= 0) {
        if (n == 0)
            return 1;
        jobq_print(c->q, c->name, c->buf, (size_t)n, prio);
        if (++c->taken == c->count)
            return 1;
        if (jobq_stop)
            return 1;
    }
    if (errno != EAGAIN)
        err(1, "mq_receive %s", c->name);
    return 0;
}

static int notified(struct consumer *c, int thread, const sigset_t *mask)
{
    struct timespec idle = jobq_after(c->ms);
    char bytes[64];

    for (;;) {
        long before = c->taken;

        listen_for_jobs(c, thread);
        if (drain(c))
            return 0;
        if (c->taken != before)
            idle = jobq_after(c->ms);
        switch (jobq_wait(wake[0], c->ms ? &idle : NULL, mask)) {
        case -1:
            return 0;                   /* a stop signal */
        case 0:
            if (c->count == 0)
                return 0;
            warnx("%s: no job for %ld ms; %ld of %ld taken", c->name,
                  c->ms, c->taken, c->count);
            return 1;
        }
        while (read(wake[0], bytes, sizeof bytes) > 0)
            ;                           /* empty the pipe */
    }
}

int main(int argc, char *argv[])
{
    struct consumer c = { .q = (mqd_t)-1 };
    sigset_t waitmask, usr1;
    int opt, thread = 0, status;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "ahm:n:s:t:T")) != -1) {
        if (opt == 'h')
            usage(0);
        if (opt == '?')
            usage(2);
        if (opt == 'T')
            thread = 1;
        parse_consumer_option(&c, opt, optarg);
    }
    if (argc - optind != 1)
        usage(2);
    c.name = argv[optind];
    open_consumer_queue(&c);
    jobq_catch_stop(&waitmask);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    if (sigprocmask(SIG_BLOCK, &usr1, NULL) == -1)
        err(1, "sigprocmask");
    make_wake_pipe(thread);
    status = notified(&c, thread, &waitmask);
    free(c.buf);
    if (mq_close(c.q) == -1)
        err(1, "mq_close %s", c.name);
    if (jobq_stop)
        jobq_die_of_stop();
    return status;
}

/*
 * pmq_consume - take jobs from a job queue and print them
 *
 * usage: pmq_consume [-a] [-m maxmsg] [-s msgsize] [-n count] [-t ms] /name
 *
 * Creates the POSIX queue /name (mode 0600, O_EXCL; -m and -s set its
 * size) and removes it when it stops; with -a it adopts the existing
 * queue instead, if it is ours alone, and leaves it.  Prints each job as
 * "PRIO<TAB>JOB" on a line of its own, flushed before the next is taken.
 * Stops at an end marker (an empty message), after count jobs, after ms
 * milliseconds without a job (status 1 if -n count was not reached), or
 * on SIGINT, SIGTERM or SIGHUP, after the job in hand.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "lib/num.h"
#include "lib/prog.h"
#include "pmq/jobq.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
        "usage: pmq_consume [-a] [-m maxmsg] [-s msgsize] [-n count] "
        "[-t ms] /name\n"
        "  -a          adopt the existing queue /name (ours, mode 0600) "
        "instead\n"
        "              of creating it; an adopted queue is not removed "
        "on exit\n"
        "  -m maxmsg   create the queue holding maxmsg messages "
        "(default: msg_default)\n"
        "  -s msgsize  ... of at most msgsize bytes each "
        "(default: msgsize_default)\n"
        "  -n count    stop after count jobs\n"
        "  -t ms       stop when no job comes for ms milliseconds\n"
        "  Prints each job as \"PRIO<TAB>JOB\" on its own line.  Stops at "
        "an end\n"
        "  marker, after count jobs, after ms idle, or on SIGINT, "
        "SIGTERM, SIGHUP.\n");
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

static int consume(struct consumer *c, const sigset_t *waitmask)
{
    struct timespec idle = jobq_after(c->ms);
    unsigned prio;
    ssize_t n;

    while (!jobq_stop) {
        n = mq_receive(c->q, c->buf, c->size, &prio);
        if (n == 0)
            return 0;                   /* an end marker */
        if (n > 0) {
            jobq_print(c->q, c->name, c->buf, (size_t)n, prio);
            if (++c->taken == c->count)
                return 0;
            idle = jobq_after(c->ms);
            continue;
        }
        if (errno != EAGAIN)
            err(1, "mq_receive %s", c->name);
        if (jobq_wait(c->q, c->ms ? &idle : NULL, waitmask) == 0) {
            if (c->count == 0)
                return 0;
            warnx("%s: no job for %ld ms; %ld of %ld taken", c->name,
                  c->ms, c->taken, c->count);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char *argv[])
{
    struct consumer c = { .q = (mqd_t)-1 };
    sigset_t waitmask;
    int opt, status;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "ahm:n:s:t:")) != -1) {
        if (opt == 'h')
            usage(0);
        if (opt == '?')
            usage(2);
        parse_consumer_option(&c, opt, optarg);
    }
    if (argc - optind != 1)
        usage(2);
    c.name = argv[optind];
    open_consumer_queue(&c);
    jobq_catch_stop(&waitmask);
    status = consume(&c, &waitmask);
    free(c.buf);
    if (mq_close(c.q) == -1)
        err(1, "mq_close %s", c.name);
    if (jobq_stop)
        jobq_die_of_stop();
    return status;
}

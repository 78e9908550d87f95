/*
 * pmq_produce - put jobs into a job queue
 *
 * usage: pmq_produce [-p prio] [-t ms] [-e n] /name [job ...]
 *
 * Sends each job operand, or with none each line of standard input, as
 * one message of the POSIX queue /name, at priority prio (default 0; the
 * highest is taken first).  The queue must exist (pmq_consume creates it)
 * and be ours alone.  Empty jobs, jobs with a newline and jobs longer
 * than the queue's messages are refused, the others still sent (status
 * 1).  A full queue is waited on for at most ms milliseconds per job
 * (default 5000; 0: not at all); then the producer stops, saying how many
 * jobs it sent.  -e n sends n end markers after the jobs: empty
 * messages at priority 0, each of which stops one consumer.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lib/num.h"
#include "lib/prog.h"
#include "pmq/jobq.h"

struct producer {
    const char *name;
    mqd_t q;
    long msgsize, maxmsg;       /* the queue's, from mq_getattr */
    unsigned prio;
    long ms;                    /* how long to wait for room */
    long sent;                  /* jobs sent so far */
    int status;                 /* 1 once a job is refused */
};

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: pmq_produce [-p prio] [-t ms] [-e n] /name [job ...]\n"
            "  -p prio  send the jobs with priority prio, 0 (default) to "
            "32767;\n"
            "           higher is taken first\n"
            "  -t ms    wait at most ms for room in a full queue "
            "(default 5000);\n"
            "           0 fails at once\n"
            "  -e n     after the jobs, send n end markers (one per "
            "consumer to stop)\n"
            "  Each job operand is one job; with none, each line of "
            "standard input\n"
            "  is one job (without its newline).  The queue must exist "
            "and be ours.\n");
    exit(status);
}

static void send_message(struct producer *p, const char *msg, size_t len,
                         unsigned prio)
{
    struct timespec ts;
    int r;

    if (p->ms == 0) {
        r = mq_send(p->q, msg, len, prio);
    } else {
        if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
            err(1, "clock_gettime");
        ts.tv_sec += p->ms / 1000;
        ts.tv_nsec += p->ms % 1000 * 1000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec += 1;
            ts.tv_nsec -= 1000000000;
        }
        r = mq_timedsend(p->q, msg, len, prio, &ts);
    }
    if (r == 0)
        return;
    if (errno == EAGAIN || errno == ETIMEDOUT)
        errx(1, "%s: the queue is full (maxmsg %ld messages) for %ld ms; "
             "%ld jobs sent", p->name, p->maxmsg, p->ms, p->sent);
    err(1, "mq_send %s (%ld jobs sent)", p->name, p->sent);
}

static void produce(struct producer *p, const char *job, size_t len,
                    const char *where, long n)
{
    if (len == 0) {
        warnx("%s %ld: empty job refused (empty is the end marker)",
              where, n);
        p->status = 1;
    } else if (memchr(job, '\n', len) != NULL) {
        warnx("%s %ld: job with a newline refused", where, n);
        p->status = 1;
    } else if ((long)len > p->msgsize) {
        warnx("%s %ld: job of %zu bytes refused: the queue's messages "
              "hold %ld (mq_msgsize, set by its creator; at most "
              "/proc/sys/fs/mqueue/msgsize_max)", where, n, len,
              p->msgsize);
        p->status = 1;
    } else {
        send_message(p, job, len, p->prio);
        p->sent++;
    }
}

int main(int argc, char *argv[])
{
    struct producer p = { .ms = 5000 };
    struct mq_attr a;
    long ends = 0;
    int opt;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "e:hp:t:")) != -1) {
        switch (opt) {
        case 'e': ends = parse_long(optarg, 1, 1000, "end markers"); break;
        case 'p': p.prio = (unsigned)parse_long(optarg, 0, 32767,
                                                "priority"); break;
        case 't': p.ms = parse_long(optarg, 0, 3600000, "timeout"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind == argc)
        usage(2);
    p.name = argv[optind++];
    p.q = jobq_adopt(p.name, O_WRONLY | (p.ms == 0 ? O_NONBLOCK : 0));
    if (mq_getattr(p.q, &a) == -1)
        err(1, "mq_getattr %s", p.name);
    p.msgsize = a.mq_msgsize;
    p.maxmsg = a.mq_maxmsg;
    if (optind < argc) {
        for (int i = optind; i < argc; i++)
            produce(&p, argv[i], strlen(argv[i]), "job", i - optind + 1);
    } else if (ends == 0) {
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        long n = 0;

        while ((len = getline(&line, &cap, stdin)) != -1) {
            if (len > 0 && line[len - 1] == '\n')
                len--;
            produce(&p, line, (size_t)len, "line", ++n);
        }
        if (ferror(stdin))
            err(1, "stdin");
        free(line);
    }
    for (long i = 0; i < ends; i++)
        send_message(&p, "", 0, 0);
    if (mq_close(p.q) == -1)
        err(1, "mq_close %s", p.name);
    return p.status;
}

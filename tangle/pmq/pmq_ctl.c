/*
 * pmq_ctl - open a POSIX message queue and perform operations on it
 *
 * usage: pmq_ctl [-cxknBR] [-m maxmsg] [-s msgsize] [-M mode] [-t ms]
 *                [-i ms] /name [op ...]
 *
 * Opens /name for reading and writing (-c: creating it, -x: exclusively),
 * then does each op in order and prints what it returns.  A queue that
 * pmq_ctl created is removed when it exits, unless -k keeps it.  A failed
 * call prints "pmq_ctl: op: ENAME (text)" and exits 1.
 *
 * ops: attr, send:PRIO:TEXT, recv, recv:SIZE, nonblock, block,
 *      setattr:MAXMSG:MSGSIZE, notify, unnotify, wait:MS, unlink
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/sig.h"
#include "pmq/jobq.h"

struct ctl {
    const char *name;
    mqd_t q;
    int timed;                  /* -t: use mq_timedsend/mq_timedreceive */
    long ms;                    /* ... with a deadline ms from now */
    int bad_deadline;           /* -B: ... with tv_nsec out of range */
};

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
        "usage: pmq_ctl [-cxknBR] [-m maxmsg] [-s msgsize] [-M mode] [-t ms]\n"
        "               [-i ms] /name [op ...]\n"
        "  -c          create the queue if it does not exist (O_CREAT)\n"
        "  -x          with -c: fail if it exists (O_EXCL)\n"
        "  -k          keep a queue we created (default: remove it at exit)\n"
        "  -n          open with O_NONBLOCK\n"
        "  -m maxmsg   with -c: hold at most maxmsg messages\n"
        "  -s msgsize  with -c: messages of at most msgsize bytes\n"
        "              (neither -m nor -s: attr NULL, the defaults)\n"
        "  -M mode     with -c: the mode, octal (default 600; umask applies)\n"
        "  -t ms       send and receive with a deadline ms from now\n"
        "              (0: now, a deadline past when the kernel looks)\n"
        "  -B          with -t: a deadline with tv_nsec out of range\n"
        "  -i ms       SIGALRM every ms milliseconds, interrupting calls\n"
        "  -R          with -i: restart interrupted calls (SA_RESTART)\n"
        "ops: attr  send:PRIO:TEXT  recv  recv:SIZE  nonblock  block\n"
        "     setattr:MAXMSG:MSGSIZE  notify  unnotify  wait:MS  unlink\n");
    exit(status);
}

static const char *errname(int e)
{
    static const struct { int e; const char *name; } names[] = {
        { EACCES, "EACCES" }, { EAGAIN, "EAGAIN" }, { EBADF, "EBADF" },
        { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" }, { EINTR, "EINTR" },
        { EINVAL, "EINVAL" }, { EMFILE, "EMFILE" },
        { EMSGSIZE, "EMSGSIZE" }, { ENAMETOOLONG, "ENAMETOOLONG" },
        { ENOENT, "ENOENT" }, { ENOSPC, "ENOSPC" },
        { ETIMEDOUT, "ETIMEDOUT" },
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].e == e)
            return names[i].name;
    return "unexpected error";
}

static _Noreturn void fail(const char *op)
{
    int e = errno;

    errx(1, "%s: %s (%s)", op, errname(e), strerror(e));
}

static struct timespec deadline(const struct ctl *c)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
        err(1, "clock_gettime");
    ts.tv_sec += c->ms / 1000;
    ts.tv_nsec += c->ms % 1000 * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec += 1;
        ts.tv_nsec -= 1000000000;
    }
    if (c->bad_deadline)
        ts.tv_nsec = 1000000000;        /* out of range, on purpose */
    return ts;
}

static void do_send(const struct ctl *c, const char *arg)
{
    const char *colon = strchr(arg, ':');
    char prio[16];
    unsigned p;
    struct timespec ts;
    int r;

    if (colon == NULL || (size_t)(colon - arg) >= sizeof prio)
        errx(2, "send: want send:PRIO:TEXT");
    memcpy(prio, arg, (size_t)(colon - arg));
    prio[colon - arg] = '\0';
    p = (unsigned)parse_long(prio, 0, 4294967295L, "priority");
    if (c->timed) {
        ts = deadline(c);
        r = mq_timedsend(c->q, colon + 1, strlen(colon + 1), p, &ts);
    } else {
        r = mq_send(c->q, colon + 1, strlen(colon + 1), p);
    }
    if (r == -1)
        fail("send");
}

static void do_recv(const struct ctl *c, long size)
{
    struct mq_attr a;
    struct timespec ts;
    unsigned prio;
    ssize_t n;
    char *buf;

    if (size == 0) {                    /* the size that always fits */
        if (mq_getattr(c->q, &a) == -1)
            fail("mq_getattr");
        size = a.mq_msgsize;
    }
    if ((buf = malloc((size_t)size)) == NULL)
        err(1, "malloc");
    if (c->timed) {
        ts = deadline(c);
        n = mq_timedreceive(c->q, buf, (size_t)size, &prio, &ts);
    } else {
        n = mq_receive(c->q, buf, (size_t)size, &prio);
    }
    if (n == -1) {
        free(buf);
        fail("recv");
    }
    printf("%u\t%.*s\n", prio, (int)n, buf);
    free(buf);
}

static void interrupt_only(int sig)
{
    (void)sig;                          /* being there is the point */
}

static void report_alarm(int sig)
{
    static const char msg[] = "pmq_ctl: SIGALRM\n";
    int saved_errno = errno;
    ssize_t n = write(STDERR_FILENO, msg, sizeof msg - 1);

    (void)sig;
    (void)n;                            /* nothing to do if it fails */
    errno = saved_errno;
}

static void do_notify(const struct ctl *c, int on)
{
    struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL,
                            .sigev_signo = SIGUSR1 };

    if (mq_notify(c->q, on ? &sev : NULL) == -1)
        fail(on ? "notify" : "unnotify");
}

static void do_wait(long ms)
{
    sigset_t usr1;
    siginfo_t si;
    struct timespec ts = { .tv_sec = ms / 1000,
                           .tv_nsec = ms % 1000 * 1000000 };
    int sig;

    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    while ((sig = sigtimedwait(&usr1, &si, &ts)) == -1 && errno == EINTR)
        ;                               /* a SIGALRM of -i: wait on */
    if (sig == -1 && errno == EAGAIN) {
        printf("no notification in %ld ms\n", ms);
        return;
    }
    if (sig == -1)
        fail("wait");
    printf("SIGUSR1 si_code=%s si_pid=%ld si_uid=%ld\n",
           si.si_code == SI_MESGQ ? "SI_MESGQ"
           : si.si_code == SI_USER ? "SI_USER" : "other",
           (long)si.si_pid, (long)si.si_uid);
}

static void do_attr(const struct ctl *c)
{
    struct mq_attr a;

    if (mq_getattr(c->q, &a) == -1)
        fail("attr");
    printf("maxmsg=%ld msgsize=%ld curmsgs=%ld flags=%s\n", a.mq_maxmsg,
           a.mq_msgsize, a.mq_curmsgs,
           a.mq_flags & O_NONBLOCK ? "O_NONBLOCK" : "0");
}

static void do_setattr(const struct ctl *c, long flags, long maxmsg,
                       long msgsize)
{
    struct mq_attr a = { .mq_flags = flags, .mq_maxmsg = maxmsg,
                         .mq_msgsize = msgsize, .mq_curmsgs = 12345 };

    if (mq_setattr(c->q, &a, NULL) == -1)
        fail("setattr");
}
static void do_op(const struct ctl *c, const char *op)
{
    struct mq_attr now;

    if (strcmp(op, "attr") == 0) {
        do_attr(c);
    } else if (strncmp(op, "send:", 5) == 0) {
        do_send(c, op + 5);
    } else if (strcmp(op, "recv") == 0) {
        do_recv(c, 0);
    } else if (strncmp(op, "recv:", 5) == 0) {
        do_recv(c, parse_long(op + 5, 1, 1L << 26, "buffer size"));
    } else if (strcmp(op, "nonblock") == 0 || strcmp(op, "block") == 0) {
        do_setattr(c, op[0] == 'n' ? O_NONBLOCK : 0, 0, 0);
    } else if (strncmp(op, "setattr:", 8) == 0) {
        char *end;
        long m = strtol(op + 8, &end, 10);
        if (*end != ':')
            errx(2, "setattr: want setattr:MAXMSG:MSGSIZE");
        if (mq_getattr(c->q, &now) == -1)
            fail("mq_getattr");
        do_setattr(c, now.mq_flags, m,
                   parse_long(end + 1, 0, 1L << 30, "msgsize"));
    } else if (strcmp(op, "notify") == 0 || strcmp(op, "unnotify") == 0) {
        do_notify(c, op[0] == 'n');
    } else if (strncmp(op, "wait:", 5) == 0) {
        do_wait(parse_long(op + 5, 0, 600000, "wait"));
    } else if (strcmp(op, "unlink") == 0) {
        if (mq_unlink(c->name) == -1)
            fail("unlink");
    } else {
        errx(2, "%s: no such operation (pmq_ctl -h lists them)", op);
    }
    if (fflush(stdout) == EOF)
        err(1, "stdout");
}

int main(int argc, char *argv[])
{
    struct ctl c = { .name = NULL };
    struct mq_attr attr, *ap = NULL;
    int opt, oflag = O_RDWR, keep = 0, restart = 0;
    long maxmsg = 0, msgsize = 0, mode = 0600, every = 0;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "BcRhi:kM:m:ns:t:x")) != -1) {
        switch (opt) {
        case 'B': c.bad_deadline = 1; break;
        case 'c': oflag |= O_CREAT; break;
        case 'i': every = parse_long(optarg, 1, 600000, "interval"); break;
        case 'k': keep = 1; break;
        case 'M': mode = strtol(optarg, NULL, 8) & 07777; break;
        case 'm': maxmsg = parse_long(optarg, 1, 1L << 20, "maxmsg"); break;
        case 'n': oflag |= O_NONBLOCK; break;
        case 'R': restart = 1; break;
        case 's': msgsize = parse_long(optarg, 1, 1L << 26, "msgsize"); break;
        case 't': c.timed = 1;
                  c.ms = parse_long(optarg, 0, 3600000, "ms"); break;
        case 'x': oflag |= O_EXCL; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind < 1 || (c.bad_deadline && !c.timed)
        || (restart && every == 0))
        usage(2);
    c.name = argv[optind++];
    if (maxmsg || msgsize) {
        attr.mq_maxmsg = maxmsg ? maxmsg : mq_knob("msg_default");
        attr.mq_msgsize = msgsize ? msgsize : mq_knob("msgsize_default");
        ap = &attr;
    }
    c.q = (mqd_t)-1;
    if (oflag & O_CREAT) {
        c.q = mq_open(c.name, oflag | O_EXCL, (mode_t)mode, ap);
        if (c.q != (mqd_t)-1 && !keep)
            cleanup_push(mq_unlink, c.name);
        else if (c.q == (mqd_t)-1 && errno == EEXIST && !(oflag & O_EXCL))
            oflag &= ~O_CREAT;              /* it exists: just open it */
        else if (c.q == (mqd_t)-1)
            fail("mq_open");
    }
    if (c.q == (mqd_t)-1 && (c.q = mq_open(c.name, oflag)) == (mqd_t)-1)
        fail("mq_open");
    if (every > 0) {
        sig_catch(SIGALRM, restart ? report_alarm : interrupt_only,
                  restart ? SA_RESTART : 0);
        alarm_every(every);
    }
    {
        sigset_t usr1;                      /* taken only by sigtimedwait */
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        if (sigprocmask(SIG_BLOCK, &usr1, NULL) == -1)
            err(1, "sigprocmask");
    }
    for (; optind < argc; optind++)
        do_op(&c, argv[optind]);
    if (mq_close(c.q) == -1)
        fail("mq_close");
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

/*
 * svmq_poll - take jobs from the System V job queue in a poll loop
 *
 * usage: svmq_poll [-a] [-b bytes] [-n count] [-t ms] path
 *
 * Does what svmq_consume does, with an event loop: a bridge thread takes
 * one job at a time from the queue with msgrcv and passes it to the main
 * thread through a pipe; the main thread waits with poll on that pipe and
 * on a signalfd for SIGINT, SIGTERM and SIGHUP, prints the job and lets
 * the thread take the next.  Options, output and exit statuses as for
 * svmq_consume.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/io.h"
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/sig.h"
#include "svmq/jobq.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: svmq_poll [-a] [-b bytes] [-n count] [-t ms] path\n"
            "  svmq_consume in a poll loop: a thread bridges msgrcv into "
            "a pipe.\n"
            "  (the options and the output as for svmq_consume)\n");
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
static key_t path_key(const char *path)
{
    key_t key = ftok(path, JOBQ_PROJ);

    if (key == -1)
        err(1, "%s", path);
    return key;
}
static long sysv_limit(const char *name)
{
    char path[64];
    long v = -1;
    FILE *f;

    (void)snprintf(path, sizeof path, "/proc/sys/kernel/%s", name);
    if ((f = fopen(path, "r")) == NULL)
        err(1, "%s", path);
    if (fscanf(f, "%ld", &v) != 1)
        errx(1, "%s: not a number", path);
    (void)fclose(f);
    return v;
}
static struct msqid_ds check_ours(int id, const char *path)
{
    struct msqid_ds ds;

    if (msgctl(id, IPC_STAT, &ds) == -1)
        err(1, "%s: msgctl IPC_STAT", path);
    if (ds.msg_perm.uid != geteuid())
        errx(1, "%s: the queue (id %d) belongs to uid %ld, not to us: "
             "refusing it", path, id, (long)ds.msg_perm.uid);
    if (ds.msg_perm.mode & 077)
        errx(1, "%s: the queue (id %d) has mode %03o, open to others: "
             "refusing it", path, id, (unsigned)ds.msg_perm.mode & 0777);
    return ds;
}
struct consumer {
    const char *path;
    int id;
    int created;                /* we made the queue: we remove it */
    unsigned long count;        /* -n; 0: no limit */
    long idle_ms;               /* -t; 0: wait for ever */
    unsigned long done;         /* jobs printed */
    long max;                   /* kernel.msgmax when we started */
    struct { long mtype; char mtext[]; } *msg;
    char *line;                 /* "PRIO\tJOB\n" */
};

static void consumer_buffers(struct consumer *c)
{
    c->max = sysv_limit("msgmax");
    c->msg = malloc(sizeof *c->msg + (size_t)c->max);
    c->line = malloc((size_t)c->max + 16);
    if (c->msg == NULL || c->line == NULL)
        err(1, "malloc");
}
static void open_queue(struct consumer *c, int adopt, unsigned long qbytes)
{
    key_t key = path_key(c->path);

    if (adopt) {
        if ((c->id = msgget(key, S_IRUSR)) == -1 && errno == ENOENT)
            errx(1, "%s: no queue (key 0x%08x) to adopt", c->path,
                 (unsigned)key);
        if (c->id == -1)
            err(1, "%s: msgget", c->path);
        (void)check_ours(c->id, c->path);
        return;
    }
    if ((c->id = msgget(key, IPC_CREAT | IPC_EXCL | 0600)) == -1) {
        int e = errno, old = msgget(key, 0);
        if (e == EEXIST)
            errx(1, "%s: a queue exists already (key 0x%08x, id %d; a consumer "
                 "killed with SIGKILL leaves its queue): adopt it with -a, or "
                 "remove it with ipcrm -q %d", c->path, (unsigned)key, old,
                 old);
        if (e == ENOSPC)
            errx(1, "%s: cannot create a queue: there are kernel.msgmni (%ld, "
                 "/proc/sys/kernel/msgmni) queues already", c->path,
                 sysv_limit("msgmni"));
        errno = e;
        err(1, "%s: msgget", c->path);
    }
    remove_at_exit(c->id);
    c->created = 1;
    if (qbytes > 0) {
        struct msqid_ds ds;
        if (msgctl(c->id, IPC_STAT, &ds) == -1)
            err(1, "%s: msgctl IPC_STAT", c->path);
        ds.msg_qbytes = qbytes;
        if (msgctl(c->id, IPC_SET, &ds) == -1) {
            if (errno == EPERM)
                errx(1, "%s: -b %lu is above kernel.msgmnb (%ld, "
                     "/proc/sys/kernel/msgmnb): raising it needs "
                     "CAP_SYS_RESOURCE", c->path, qbytes, sysv_limit("msgmnb"));
            err(1, "%s: msgctl IPC_SET", c->path);
        }
    }
}
static int print_job(struct consumer *c, size_t len)
{
    int head = snprintf(c->line, 16, "%ld\t", type_prio(c->msg->mtype));

    memcpy(c->line + head, c->msg->mtext, len);
    c->line[head + len] = '\n';
    if (write_full(STDOUT_FILENO, c->line, (size_t)head + len + 1) != -1) {
        c->done++;
        return 0;
    }
    warn("%s: stdout", c->path);
    if (msgsnd(c->id, c->msg, len, IPC_NOWAIT) == -1)
        warn("%s: a job could not be put back, and is lost: msgsnd",
             c->path);
    else
        warnx("%s: the job was put back into the queue", c->path);
    return -1;
}
static long ms_since(const struct timespec *t0)
{
    struct timespec now;

    if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
        err(1, "clock_gettime");
    return (long)(now.tv_sec - t0->tv_sec) * 1000
           + (now.tv_nsec - t0->tv_nsec) / 1000000;
}
static int same_activity(const struct msqid_ds *a, const struct msqid_ds *b)
{
    return a->msg_qnum == b->msg_qnum && a->msg_lspid == b->msg_lspid
           && a->msg_lrpid == b->msg_lrpid && a->msg_stime == b->msg_stime
           && a->msg_rtime == b->msg_rtime;
}

static void remove_when_empty(struct consumer *c, int wait)
{
    struct timespec start, quiet, nap = { 0, 10000000 };        /* 10 ms */
    struct msqid_ds ds, seen = { .msg_qnum = 0 };
    int looked = 0;

    if (!c->created)
        return;
    if (clock_gettime(CLOCK_MONOTONIC, &start) == -1)
        err(1, "clock_gettime");
    while (wait && ms_since(&start) < 2000
           && msgctl(c->id, IPC_STAT, &ds) == 0) {
        if (!looked || ds.msg_qnum > 0 || !same_activity(&ds, &seen)) {
            seen = ds, looked = 1;      /* something happened: start again */
            if (clock_gettime(CLOCK_MONOTONIC, &quiet) == -1)
                err(1, "clock_gettime");
        } else if (ms_since(&quiet) >= 200) {
            break;                      /* empty and quiet */
        }
        (void)nanosleep(&nap, NULL);
    }
    if (msgctl(c->id, IPC_STAT, &ds) == 0 && ds.msg_qnum > 0)
        warnx("%s: removing the queue with %lu messages still in it: "
              "they are lost", c->path, (unsigned long)ds.msg_qnum);
    cleanup_run();                      /* IPC_RMID, through lib/cleanup */
}
struct bridge {
    struct consumer *c;
    int jobs[2];                /* thread -> loop: a record per message */
    int nods[2];                /* loop -> thread: a byte per job done */
    atomic_int stop;            /* set by the loop: the thread leaves */
    pthread_t tid;
};

struct record {
    ssize_t len;                /* msgrcv's result: the job is in c->msg */
    int error;                  /* its errno when len is -1 */
};
static void wake(int sig)
{
    (void)sig;
}

static void *bridge(void *arg)
{
    struct bridge *b = arg;
    struct record r;
    char nod;

    memset(&r, 0, sizeof r);            /* its padding goes into the pipe */
    while (!atomic_load(&b->stop)) {
        r.len = msgrcv(b->c->id, b->c->msg, (size_t)b->c->max,
                       -TYPE_LOWEST, 0);
        if (r.len == -1 && errno == EINTR)
            continue;                   /* woken: look at stop */
        r.error = r.len == -1 ? errno : 0;
        if (write_full(b->jobs[1], &r, sizeof r) == -1 || r.len == -1
            || read_full(b->nods[0], &nod, 1) != 1)
            break;                      /* an error, or no nod will come */
    }
    (void)close(b->jobs[1]);            /* the loop reads end of file */
    return NULL;
}
static void start_bridge(struct bridge *b, struct consumer *c)
{
    int rc;

    b->c = c;
    atomic_init(&b->stop, 0);
    sig_catch(SIGUSR1, wake, 0);        /* no SA_RESTART: msgrcv gets EINTR */
    if (pipe(b->jobs) == -1 || pipe(b->nods) == -1)
        err(1, "pipe");
    if ((rc = pthread_create(&b->tid, NULL, bridge, b)) != 0) {
        errno = rc;
        err(1, "pthread_create");
    }
}
static void stop_bridge(struct bridge *b)
{
    struct pollfd p = { .fd = b->jobs[0], .events = POLLIN };
    struct record r;
    ssize_t n = -1;

    atomic_store(&b->stop, 1);
    (void)close(b->nods[1]);            /* a thread awaiting its nod leaves */
    for (int tries = 0; n != 0; tries++) {
        if (tries == 1000)
            errx(1, "%s: the bridge thread does not stop", b->c->path);
        (void)pthread_kill(b->tid, SIGUSR1);
        if (poll(&p, 1, 10) <= 0)
            continue;
        if ((n = read_full(b->jobs[0], &r, sizeof r)) == (ssize_t)sizeof r
            && r.len > 0)
            (void)print_job(b->c, (size_t)r.len);   /* taken: finish it */
        else if (n == (ssize_t)sizeof r && r.len == 0
                 && msgsnd(b->c->id, b->c->msg, 0, IPC_NOWAIT) == -1)
            warn("%s: an end marker could not be put back", b->c->path);
    }
    if ((n = pthread_join(b->tid, NULL)) != 0) {
        errno = (int)n;
        err(1, "pthread_join");
    }
    (void)close(b->jobs[0]);
    (void)close(b->nods[0]);
}
static int stops_fd(sigset_t *set)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    struct sigaction old;
    int fd;

    sigemptyset(set);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        if (sigaction(sigs[i], NULL, &old) == -1)
            err(1, "sigaction");
        if (old.sa_handler != SIG_IGN)  /* ignored (nohup): stays so */
            sigaddset(set, sigs[i]);
    }
    if (sigprocmask(SIG_BLOCK, set, NULL) == -1)
        err(1, "sigprocmask");
    if ((fd = signalfd(-1, set, SFD_CLOEXEC)) == -1)
        err(1, "signalfd");
    return fd;
}
enum { GO_ON = -1 };

static int take(struct consumer *c, struct bridge *b)
{
    struct record r;
    ssize_t n = read_full(b->jobs[0], &r, sizeof r);

    if (n == -1)
        err(1, "read");
    if (n != (ssize_t)sizeof r) {
        (void)pthread_join(b->tid, NULL);
        errx(1, "%s: the bridge thread stopped", c->path);
    }
    if (r.len == -1) {
        (void)pthread_join(b->tid, NULL);       /* it has left: reap it */
        errno = r.error;
        if (errno == EIDRM || errno == EINVAL)
            errx(1, "%s: the queue was removed", c->path);
        if (errno == E2BIG)
            errx(1, "%s: a job is longer than kernel.msgmax was "
                 "at our start (%ld)", c->path, c->max);
        err(1, "%s: msgrcv", c->path);
    }
    if (r.len == 0)
        return 0;                       /* an end marker */
    if (print_job(c, (size_t)r.len) == -1)
        return 1;
    if (c->count > 0 && c->done == c->count)
        return 0;
    if (write_full(b->nods[1], "y", 1) == -1)
        err(1, "write");
    return GO_ON;
}
static int serve(struct consumer *c, struct bridge *b, int sfd, int *sig)
{
    struct pollfd p[2] = { { .fd = b->jobs[0], .events = POLLIN },
                           { .fd = sfd, .events = POLLIN } };
    struct signalfd_siginfo si;
    struct timespec last;
    int r, status = GO_ON;

    if (clock_gettime(CLOCK_MONOTONIC, &last) == -1)
        err(1, "clock_gettime");
    while (status == GO_ON) {
        long left = c->idle_ms - ms_since(&last);
        r = poll(p, 2, c->idle_ms == 0 ? -1 : left > 0 ? (int)left : 0);
        if (r == -1 && errno == EINTR)
            continue;
        if (r == -1)
            err(1, "poll");
        if (r == 0) {
            if (c->count == 0)
                return 0;
            warnx("%s: no job for %ld ms: took %lu of %lu jobs", c->path,
                  c->idle_ms, c->done, c->count);
            return 1;
        }
        if (p[1].revents & POLLIN) {
            if (read(sfd, &si, sizeof si) != (ssize_t)sizeof si)
                err(1, "read signalfd");
            *sig = (int)si.ssi_signo;
            return 0;
        }
        if (p[0].revents != 0 && (status = take(c, b)) == GO_ON
            && clock_gettime(CLOCK_MONOTONIC, &last) == -1)
            err(1, "clock_gettime");
    }
    return status;
}
int main(int argc, char *argv[])
{
    struct consumer c = { .id = -1 };
    struct bridge b;
    unsigned long qbytes = 0;
    int opt, adopt = 0, status, sfd, sig = 0;
    sigset_t stops;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "ab:hn:t:")) != -1) {
        switch (opt) {
        case 'a': adopt = 1; break;
        case 'b': qbytes = parse_size(optarg, 1, INT_MAX, "bytes"); break;
        case 'n': c.count = (unsigned long)parse_long(optarg, 1, LONG_MAX,
                                                      "count"); break;
        case 't': c.idle_ms = parse_long(optarg, 1, 3600000, "timeout");
                  break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind != 1 || (adopt && qbytes > 0))
        usage(2);
    c.path = argv[optind];
    sfd = stops_fd(&stops);
    open_queue(&c, adopt, qbytes);
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        err(1, "signal");
    consumer_buffers(&c);
    start_bridge(&b, &c);
    status = serve(&c, &b, sfd, &sig);
    stop_bridge(&b);
    remove_when_empty(&c, sig == 0);
    free(c.msg);
    free(c.line);
    (void)close(sfd);
    if (sig != 0) {
        sigset_t only;
        sigemptyset(&only);
        sigaddset(&only, sig);
        signal(sig, SIG_DFL);
        raise(sig);
        sigprocmask(SIG_UNBLOCK, &only, NULL);  /* dies here */
    }
    return status;
}

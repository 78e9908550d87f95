/*
 * svmq_consume - take jobs from the System V job queue and print them
 *
 * usage: svmq_consume [-a] [-b bytes] [-n count] [-t ms] path
 *
 * Creates the queue whose key is ftok(path, 'j'), mode 0600, or with -a
 * adopts the existing one (ours, mode 0600).  Takes jobs, the highest
 * priority first, and prints each as "PRIO<TAB>JOB" on its own line.
 * Stops at an end marker, after count jobs, when no job comes for ms
 * milliseconds, or on SIGINT, SIGTERM, SIGHUP.  A consumer that created
 * the queue removes it when it stops: on a normal stop once it is empty
 * (waiting at most 2 s for the other consumers to empty it), on a signal
 * at once.
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
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
            "usage: svmq_consume [-a] [-b bytes] [-n count] [-t ms] path\n"
            "  -a        adopt the existing queue of path (ours, mode 0600) "
            "instead\n"
            "            of creating it; an adopted queue is not removed "
            "on exit\n"
            "  -b bytes  create the queue holding bytes of jobs "
            "(msg_qbytes;\n"
            "            default: kernel.msgmnb)\n"
            "  -n count  stop after count jobs\n"
            "  -t ms     stop when no job comes for ms milliseconds\n"
            "  Prints each job as \"PRIO<TAB>JOB\" on its own line.  "
            "Stops at an end\n"
            "  marker, after count jobs, after ms idle, or on SIGINT, "
            "SIGTERM, SIGHUP.\n");
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
static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
    stop_signal = sig;
}

static void catch_stop_signals(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

    sig_catch_unless_ignored(sigs, sizeof sigs / sizeof sigs[0], on_stop);
}
static int consume(struct consumer *c)
{
    struct timespec last;
    ssize_t n;

    if (clock_gettime(CLOCK_MONOTONIC, &last) == -1)
        err(1, "clock_gettime");
    while (!stop_signal) {
        n = msgrcv(c->id, c->msg, (size_t)c->max, -TYPE_LOWEST, 0);
        if (n == -1 && errno == EINTR) {
            if (c->idle_ms > 0 && ms_since(&last) >= c->idle_ms) {
                if (c->count == 0)
                    return 0;
                warnx("%s: no job for %ld ms: took %lu of %lu jobs", c->path,
                      c->idle_ms, c->done, c->count);
                return 1;
            }
            continue;
        }
        if (n == -1) {
            if (errno == EIDRM || errno == EINVAL)
                errx(1, "%s: the queue was removed", c->path);
            if (errno == E2BIG)
                errx(1, "%s: a job is longer than kernel.msgmax was "
                     "at our start (%ld)", c->path, c->max);
            err(1, "%s: msgrcv", c->path);
        }
        if (n == 0)
            return 0;                   /* an end marker */
        if (print_job(c, (size_t)n) == -1)
            return 1;
        if (clock_gettime(CLOCK_MONOTONIC, &last) == -1)
            err(1, "clock_gettime");
        if (c->count > 0 && c->done == c->count)
            return 0;
    }
    return 0;
}
int main(int argc, char *argv[])
{
    struct consumer c = { .id = -1 };
    unsigned long qbytes = 0;
    int opt, adopt = 0, status;

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
    open_queue(&c, adopt, qbytes);
    catch_stop_signals();
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        err(1, "signal");
    consumer_buffers(&c);
    timeout_start(c.idle_ms > 0 && c.idle_ms < 100 ? c.idle_ms : 100);
    status = consume(&c);
    timeout_stop();
    remove_when_empty(&c, !stop_signal);
    free(c.msg);
    free(c.line);
    if (stop_signal) {
        signal(stop_signal, SIG_DFL);
        raise(stop_signal);
    }
    return status;
}

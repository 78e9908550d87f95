/*
 * svmq_produce - put jobs into the System V job queue
 *
 * usage: svmq_produce [-p prio] [-t ms] [-e n] path [job ...]
 *
 * Sends each job operand, or with none each line of standard input
 * (without its newline), as one message into the queue whose key is
 * ftok(path, 'j'), with priority prio (0 to 32767, higher taken first).
 * A full queue is waited on for at most ms milliseconds per job (default
 * 5000; 0 fails at once).  After the jobs, -e sends n end markers, one
 * per consumer to stop.  The queue must exist (svmq_consume creates it)
 * and be ours, mode 0600.  Exit status 1 if a job was refused (empty,
 * with a newline, too long: the others are still sent) or the queue
 * failed (nothing more is sent); 2 for bad usage.
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/sig.h"
#include "svmq/jobq.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: svmq_produce [-p prio] [-t ms] [-e n] path [job ...]\n"
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
            "  is one job (without its newline).  The queue, keyed by "
            "ftok(path, 'j'),\n"
            "  must exist and be ours.\n");
    exit(status);
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
struct producer {
    const char *path;
    int id;
    long type;                  /* prio_type of -p */
    long ms;                    /* -t */
    long max;                   /* kernel.msgmax when we started */
    unsigned long sent;         /* jobs sent so far */
    struct msqid_ds ds;         /* the queue, as IPC_STAT saw it */
    struct { long mtype; char mtext[]; } *msg;  /* room for msgmax bytes */
};
static void find_queue(struct producer *p)
{
    key_t key = path_key(p->path);

    if ((p->id = msgget(key, S_IWUSR)) == -1) {
        if (errno == ENOENT)
            errx(1, "%s: no queue (key 0x%08x): start svmq_consume first",
                 p->path, (unsigned)key);
        err(1, "%s: msgget", p->path);
    }
    p->ds = check_ours(p->id, p->path);
}
static void send_msg(struct producer *p, long type, size_t len)
{
    int r;

    p->msg->mtype = type;
    if ((r = msgsnd(p->id, p->msg, len, IPC_NOWAIT)) == -1
        && errno == EAGAIN && p->ms > 0) {
        timeout_start(p->ms);
        while ((r = msgsnd(p->id, p->msg, len, 0)) == -1 && errno == EINTR
               && !timeout_expired())
            continue;
        timeout_stop();
        if (r == -1 && errno == EINTR)
            errno = EAGAIN;             /* the time is up: still full */
    }
    if (r == -1) {
        if (errno == EAGAIN) {
            struct msqid_ds ds;
            if (msgctl(p->id, IPC_STAT, &ds) == -1)
                err(1, "%s: msgctl IPC_STAT", p->path);
            errx(1, "%s: the queue stayed full for %ld ms (msg_qbytes %lu: "
                 "%lu bytes in %lu messages; svmq_consume -b raises it): "
                 "sent %lu jobs", p->path, p->ms, (unsigned long)ds.msg_qbytes,
                 (unsigned long)ds.__msg_cbytes, (unsigned long)ds.msg_qnum,
                 p->sent);
        }
        if (errno == EIDRM || errno == EINVAL)
            errx(1, "%s: the queue was removed: sent %lu jobs", p->path,
                 p->sent);
        err(1, "%s: msgsnd: sent %lu jobs", p->path, p->sent);
    }
}
static int produce(struct producer *p, const char *job, size_t len)
{
    if (len == 0)
        warnx("%s: job %lu: empty (an empty message is the end marker): "
              "refused", p->path, p->sent + 1);
    else if (memchr(job, '\n', len) != NULL)
        warnx("%s: job %lu: contains a newline: refused", p->path,
              p->sent + 1);
    else if ((long)len > p->max)
        warnx("%s: job %lu: %zu bytes is longer than kernel.msgmax (%ld, "
              "/proc/sys/kernel/msgmax): refused", p->path, p->sent + 1,
              len, p->max);
    else if (len > p->ds.msg_qbytes)
        warnx("%s: job %lu: %zu bytes is more than the queue holds "
              "(msg_qbytes %lu): refused", p->path, p->sent + 1, len,
              (unsigned long)p->ds.msg_qbytes);
    else {
        memcpy(p->msg->mtext, job, len);
        send_msg(p, p->type, len);
        p->sent++;
        return 0;
    }
    return 1;
}
int main(int argc, char *argv[])
{
    struct producer p = { .type = prio_type(0), .ms = 5000 };
    long ends = 0;
    int opt, status = 0;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "e:hp:t:")) != -1) {
        switch (opt) {
        case 'e': ends = parse_long(optarg, 0, 1000000, "end markers"); break;
        case 'p': p.type = prio_type(parse_long(optarg, 0, PRIO_MAX,
                                                "priority")); break;
        case 't': p.ms = parse_long(optarg, 0, 3600000, "timeout"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind == argc)
        usage(2);
    p.path = argv[optind++];
    find_queue(&p);
    p.max = sysv_limit("msgmax");
    if ((p.msg = malloc(sizeof *p.msg + (size_t)p.max)) == NULL)
        err(1, "malloc");
    if (optind < argc) {
        for (int i = optind; i < argc; i++)
            status |= produce(&p, argv[i], strlen(argv[i]));
    } else {
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, stdin)) != -1) {
            if (n > 0 && line[n - 1] == '\n')
                n--;
            status |= produce(&p, line, (size_t)n);
        }
        if (ferror(stdin))
            err(1, "stdin");
        free(line);
    }
    for (long i = 0; i < ends; i++)
        send_msg(&p, prio_type(0), 0);  /* an end marker: empty, last */
    free(p.msg);
    return status;
}

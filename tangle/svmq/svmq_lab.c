/*
 * svmq_lab - small experiments that show how System V message queues behave
 *
 * usage: svmq_lab experiment [operand...]
 *        svmq_lab -l
 *
 * Runs one experiment on fresh queues and prints what it observed, one
 * sentence a line.  -l lists the experiments and what each shows.  Each
 * is a rule of chapter 7 of ipc-book, and a test checks what it prints.
 * Every queue it makes is removed on exit and on SIGINT, SIGTERM, SIGHUP.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/num.h"
#include "lib/privdir.h"
#include "lib/prog.h"
#include "lib/sig.h"

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

/* A new queue, mode 0600, removed when the program ends. */
static int new_queue(void)
{
    int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);

    if (id == -1)
        err(1, "msgget IPC_PRIVATE");
    remove_at_exit(id);
    return id;
}
struct msg {
    long mtype;
    char mtext[64];
};

static void put(int id, long type, const char *text)
{
    struct msg m = { .mtype = type };
    size_t len = strlen(text);

    if (len > sizeof m.mtext)
        errx(1, "a message of %zu bytes is too long for the lab", len);
    memcpy(m.mtext, text, len);
    if (msgsnd(id, &m, len, IPC_NOWAIT) == -1)
        err(1, "msgsnd type %ld", type);
}

static struct msqid_ds stat_queue(int id)
{
    struct msqid_ds ds;

    if (msgctl(id, IPC_STAT, &ds) == -1)
        err(1, "msgctl IPC_STAT");
    return ds;
}

static void set_qbytes(int id, unsigned long bytes)
{
    struct msqid_ds ds = stat_queue(id);

    ds.msg_qbytes = bytes;
    if (msgctl(id, IPC_SET, &ds) == -1)
        err(1, "msgctl IPC_SET msg_qbytes %lu", bytes);
}
static const char *errname(int e)
{
    switch (e) {
    case E2BIG:  return "E2BIG";
    case EACCES: return "EACCES";
    case EAGAIN: return "EAGAIN";
    case EBADF:  return "EBADF";
    case EEXIST: return "EEXIST";
    case EIDRM:  return "EIDRM";
    case EINTR:  return "EINTR";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case ENOMSG: return "ENOMSG";
    case ENOSYS: return "ENOSYS";
    case EPERM:  return "EPERM";
    default:     return "unexpected error";
    }
}

/* Print "what: ENAME (text)" for the error an experiment expected. */
static void report_error(const char *what)
{
    int e = errno;

    printf("%s: %s (%s)\n", what, errname(e), strerror(e));
}
static void lab_ftok(char *ops[])
{
    int proj = (int)parse_long(ops[0], 0, INT_MAX, "proj");

    for (char **p = ops + 1; *p != NULL; p++) {
        key_t key = ftok(*p, proj);
        if (key == -1)
            err(1, "ftok %s", *p);
        printf("0x%08lx %s\n", (unsigned long)(unsigned)key, *p);
    }
}
static void lab_keys(char *ops[])
{
    char dir[PATH_MAX], file[PATH_MAX + 8];
    int id, again, fd;
    key_t key;

    (void)ops;
    private_dir(dir, sizeof dir, "svmq_lab");
    (void)snprintf(file, sizeof file, "%s/key", dir);
    if ((fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1)
        err(1, "open %s", file);
    cleanup_push(unlink, file);
    if (close(fd) == -1)
        err(1, "close %s", file);
    if ((key = ftok(file, 'k')) == -1)
        err(1, "ftok %s", file);
    if ((id = msgget(key, IPC_CREAT | IPC_EXCL | 0600)) == -1)
        err(1, "msgget key 0x%08x: taken already", (unsigned)key);
    remove_at_exit(id);
    printf("msgget(key, IPC_CREAT|IPC_EXCL|0600): a new queue\n");
    if (msgget(key, IPC_CREAT | IPC_EXCL | 0600) == -1)
        report_error("msgget(key, IPC_CREAT|IPC_EXCL|0600) again");
    if ((again = msgget(key, IPC_CREAT | 0600)) != -1)
        printf("msgget(key, IPC_CREAT|0600): %s\n",
               again == id ? "the same queue, adopted" : "another queue?");
    if (msgctl(id, IPC_RMID, NULL) == -1)
        err(1, "msgctl IPC_RMID");
    printf("msgctl(IPC_RMID): removed\n");
    if (msgget(key, 0600) == -1)
        report_error("msgget(key, 0600)");
    if ((again = msgget(key, IPC_CREAT | IPC_EXCL | 0600)) == -1)
        err(1, "msgget key 0x%08x", (unsigned)key);
    remove_at_exit(again);
    printf("msgget(key, IPC_CREAT|IPC_EXCL|0600): a new queue, %s id\n",
           again == id ? "the same" : "a different");
    if (msgsnd(id, &(struct msg){ .mtype = 1 }, 0, IPC_NOWAIT) == -1)
        report_error("msgsnd on the old id");
}
static void lab_private(char *ops[])
{
    int a, b, c;

    (void)ops;
    a = new_queue();
    b = new_queue();
    printf("msgget(IPC_PRIVATE) twice: %s\n",
           a != b ? "two queues, two ids" : "the same queue?");
    if ((c = msgget(IPC_PRIVATE, IPC_CREAT | IPC_EXCL | 0600)) == -1)
        err(1, "msgget IPC_PRIVATE");
    remove_at_exit(c);
    printf("msgget(IPC_PRIVATE, IPC_CREAT|IPC_EXCL): %s\n",
           c != a && c != b ? "a third queue" : "an old queue?");
}
static void lab_poll(char *ops[])
{
    struct pollfd p;
    int id, skipped = 0;

    (void)ops;
    while (fcntl(id = new_queue(), F_GETFD) != -1)
        skipped++;                      /* the id is an open descriptor */
    put(id, 1, "ready");
    printf("a queue holds 1 message (%d ids skipped)\n", skipped);
    p.fd = id, p.events = POLLIN, p.revents = 0;
    if (poll(&p, 1, 0) == -1)
        err(1, "poll");
    printf("poll on its id: revents %s\n",
           p.revents == POLLNVAL ? "POLLNVAL, no such descriptor"
           : p.revents & POLLIN ? "POLLIN?" : "something else");
    if (fcntl(id, F_GETFD) == -1)
        report_error("fcntl(id, F_GETFD)");
}
static void lab_type(char *ops[])
{
    int id = new_queue();
    long types[] = { 0, -1, 1 };

    (void)ops;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        char what[64];
        struct msg m = { .mtype = types[i], .mtext = "x" };
        (void)snprintf(what, sizeof what, "msgsnd type %ld", types[i]);
        if (msgsnd(id, &m, 1, IPC_NOWAIT) == -1)
            report_error(what);
        else
            printf("%s: sent\n", what);
    }
}
static void lab_select(char *ops[])
{
    static const struct { long type; const char *text; } load[] = {
        { 3, "a" }, { 1, "b" }, { 2, "c" }, { 1, "d" }, { 3, "e" }, { 5, "f" },
    };
    int id = new_queue(), flags = IPC_NOWAIT;
    long typ = strtol(ops[0], NULL, 10);
    struct msg m;
    ssize_t n;

    if (ops[0][strspn(ops[0], "-0123456789")] != '\0'
        || strlen(ops[0]) > 6 || !strpbrk(ops[0], "0123456789"))
        errx(2, "msgtyp: '%s' is not a number from -999999 to 999999", ops[0]);
    if (ops[1] != NULL) {
        if (strcmp(ops[1], "except") != 0)
            errx(2, "'%s': the only word allowed after msgtyp is 'except'",
                 ops[1]);
        flags |= MSG_EXCEPT;
    }
    for (size_t i = 0; i < sizeof load / sizeof load[0]; i++)
        put(id, load[i].type, load[i].text);
    while ((n = msgrcv(id, &m, sizeof m.mtext, typ, flags)) != -1)
        printf("type %ld: %.*s\n", m.mtype, (int)n, m.mtext);
    report_error("msgrcv");
}
static void lab_nowait(char *ops[])
{
    int id = new_queue();
    struct msg m;

    (void)ops;
    if (msgrcv(id, &m, sizeof m.mtext, 0, IPC_NOWAIT) == -1)
        report_error("msgrcv IPC_NOWAIT, empty queue");
    set_qbytes(id, 4);                  /* room for 4 bytes of text */
    put(id, 1, "full");
    if (msgsnd(id, &(struct msg){ .mtype = 1, .mtext = "x" }, 1,
               IPC_NOWAIT) == -1)
        report_error("msgsnd IPC_NOWAIT, full queue");
}
static void on_alarm(int sig)
{
    (void)sig;
}

static void lab_restart(char *ops[])
{
    int id = new_queue();
    struct msg m = { .mtype = 1, .mtext = "y" };

    (void)ops;
    sig_catch(SIGALRM, on_alarm, SA_RESTART);
    alarm_every(200);
    if (msgrcv(id, &m, sizeof m.mtext, 0, 0) == -1)
        report_error("msgrcv, empty queue, SIGALRM caught with SA_RESTART");
    set_qbytes(id, 1);
    put(id, 1, "x");
    if (msgsnd(id, &m, 1, 0) == -1)
        report_error("msgsnd, full queue, SIGALRM caught with SA_RESTART");
    alarm_every(0);
}
static void lab_capacity(char *ops[])
{
    int id = new_queue();
    struct msg m = { .mtype = 1 };
    unsigned long qbytes = stat_queue(id).msg_qbytes, n;

    (void)ops;
    printf("a new queue's msg_qbytes: %lu\n", qbytes);
    for (n = 0; msgsnd(id, &m, sizeof m.mtext, IPC_NOWAIT) == 0; n++)
        continue;
    report_error("msgsnd of 64 bytes");
    printf("%lu messages of 64 bytes fit: %lu bytes\n", n, n * 64);
    id = new_queue();
    set_qbytes(id, 10);
    for (n = 0; msgsnd(id, &m, 0, IPC_NOWAIT) == 0; n++)
        continue;
    report_error("msgsnd of 0 bytes");
    printf("%lu messages of 0 bytes fit in msg_qbytes 10\n", n);
    {
        struct msqid_ds ds = stat_queue(id);
        char what[64];

        ds.msg_qbytes = qbytes + 1;
        (void)snprintf(what, sizeof what, "IPC_SET msg_qbytes %lu", qbytes + 1);
        if (msgctl(id, IPC_SET, &ds) == -1)
            report_error(what);
        else
            printf("%s: done\n", what);
    }
}
static long read_sysctl(const char *path)
{
    FILE *f = fopen(path, "r");
    long v;

    if (f == NULL)
        err(1, "%s", path);
    if (fscanf(f, "%ld", &v) != 1)
        errx(1, "%s: not a number", path);
    (void)fclose(f);
    return v;
}

static void lab_size(char *ops[])
{
    long max = read_sysctl("/proc/sys/kernel/msgmax");
    struct { long mtype; char mtext[]; } *big = calloc(1, sizeof *big
                                                        + (size_t)max + 1);
    int id = new_queue();
    char what[64];

    (void)ops;
    if (big == NULL)
        err(1, "calloc");
    big->mtype = 1;
    set_qbytes(id, (unsigned long)max);
    for (long n = max; n <= max + 1; n++) {
        (void)snprintf(what, sizeof what, "msgsnd of %ld bytes (msgmax %ld)",
                       n, max);
        if (msgsnd(id, big, (size_t)n, IPC_NOWAIT) == -1)
            report_error(what);
        else
            printf("%s: sent\n", what);
    }
    if (msgrcv(id, big, 16, 0, IPC_NOWAIT) == -1)
        report_error("msgrcv into 16 bytes");
    printf("messages still in the queue: %lu\n",
           (unsigned long)stat_queue(id).msg_qnum);
    ssize_t got = msgrcv(id, big, 16, 0, IPC_NOWAIT | MSG_NOERROR);
    if (got == -1)
        err(1, "msgrcv MSG_NOERROR");
    printf("msgrcv into 16 bytes with MSG_NOERROR: %zd bytes; "
           "messages left: %lu\n", got, (unsigned long)stat_queue(id).msg_qnum);
    free(big);
}
static void lab_copy(char *ops[])
{
    int id = new_queue();
    struct msg m;
    ssize_t n;

    (void)ops;
    put(id, 1, "first");
    put(id, 2, "second");
    if (msgrcv(id, &m, sizeof m.mtext, 1, MSG_COPY) == -1)
        report_error("msgrcv MSG_COPY without IPC_NOWAIT");
    for (long pos = 0; pos < 3; pos++) {
        char what[64];
        (void)snprintf(what, sizeof what, "MSG_COPY of position %ld", pos);
        if ((n = msgrcv(id, &m, sizeof m.mtext, pos,
                        MSG_COPY | IPC_NOWAIT)) == -1)
            report_error(what);
        else
            printf("%s: type %ld, \"%.*s\"\n", what, m.mtype, (int)n,
                   m.mtext);
    }
    printf("messages still in the queue: %lu\n",
           (unsigned long)stat_queue(id).msg_qnum);
}
static void await_sleep(pid_t pid, const char *function)
{
    char path[64], buf[64];
    struct timespec ms = { 0, 1000000 };

    (void)snprintf(path, sizeof path, "/proc/%ld/wchan", (long)pid);
    for (int i = 0; i < 10000; i++) {
        FILE *f = fopen(path, "r");
        size_t n = 0;
        if (f != NULL) {
            n = fread(buf, 1, sizeof buf - 1, f);
            (void)fclose(f);
        }
        buf[n] = '\0';
        if (strcmp(buf, function) == 0)
            return;
        (void)nanosleep(&ms, NULL);
    }
    errx(1, "process %ld never slept in %s", (long)pid, function);
}

static pid_t blocked_child(int id, int receive)
{
    struct msg m = { .mtype = 1, .mtext = "y" };
    pid_t pid;

    if (fflush(stdout) == EOF)
        err(1, "stdout");
    if ((pid = fork()) == -1)
        err(1, "fork");
    if (pid == 0) {             /* child: block, exit with the errno */
        if (receive)
            (void)msgrcv(id, &m, sizeof m.mtext, 99, 0);
        else
            (void)msgsnd(id, &m, 1, 0);
        _exit(errno);
    }
    return pid;
}

static void lab_rmid(char *ops[])
{
    int id = new_queue(), status;
    pid_t kids[2];

    (void)ops;
    set_qbytes(id, 1);
    put(id, 1, "x");
    kids[0] = blocked_child(id, 1);
    kids[1] = blocked_child(id, 0);
    await_sleep(kids[0], "do_msgrcv");
    await_sleep(kids[1], "do_msgsnd");
    if (msgctl(id, IPC_RMID, NULL) == -1)
        err(1, "msgctl IPC_RMID");
    for (int i = 0; i < 2; i++) {
        if (waitpid(kids[i], &status, 0) == -1)
            err(1, "waitpid");
        errno = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
        report_error(i == 0 ? "blocked msgrcv" : "blocked msgsnd");
    }
    if (msgsnd(id, &(struct msg){ .mtype = 1 }, 0, IPC_NOWAIT) == -1)
        report_error("msgsnd on the removed id");
}
struct experiment {
    const char *name;
    const char *operands;               /* synopsis of its operands */
    int min_ops, max_ops;
    void (*run)(char *ops[]);
    const char *shows;
};

static const struct experiment experiments[] = {
    { "ftok", "proj path...", 2, INT_MAX, lab_ftok,
      "the key ftok makes of each path" },
    { "keys", "", 0, 0, lab_keys,
      "IPC_CREAT|IPC_EXCL, EEXIST, ENOENT, new ids" },
    { "private", "", 0, 0, lab_private, "IPC_PRIVATE always makes new queues" },
    { "poll", "", 0, 0, lab_poll, "an id is not a descriptor: POLLNVAL" },
    { "type", "", 0, 0, lab_type, "a message's type must be greater than 0" },
    { "select", "msgtyp [except]", 1, 2, lab_select,
      "which message msgrcv takes for msgtyp" },
    { "nowait", "", 0, 0, lab_nowait, "IPC_NOWAIT: ENOMSG and EAGAIN" },
    { "restart", "", 0, 0, lab_restart, "SA_RESTART does not restart them" },
    { "capacity", "", 0, 0, lab_capacity,
      "msg_qbytes bounds bytes and messages" },
    { "size", "", 0, 0, lab_size, "msgmax, E2BIG and MSG_NOERROR" },
    { "copy", "", 0, 0, lab_copy, "MSG_COPY peeks at a message by position" },
    { "rmid", "", 0, 0, lab_rmid, "IPC_RMID wakes blocked callers: EIDRM" },
};
enum { NEXPERIMENTS = sizeof experiments / sizeof experiments[0] };
static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: svmq_lab experiment [operand...]\n"
            "       svmq_lab -l    list the experiments\n");
    exit(status);
}

static void list_experiments(void)
{
    for (int i = 0; i < NEXPERIMENTS; i++)
        printf("%-9s %-18s %s\n", experiments[i].name,
               experiments[i].operands, experiments[i].shows);
}
int main(int argc, char *argv[])
{
    const struct experiment *e = NULL;
    int opt, nops, list = 0;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "+hl")) != -1) {
        switch (opt) {
        case 'l': list = 1; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (list && optind == argc) {
        list_experiments();
    } else {
        if (list || optind == argc)
            usage(2);
        for (int i = 0; i < NEXPERIMENTS && e == NULL; i++)
            if (strcmp(argv[optind], experiments[i].name) == 0)
                e = &experiments[i];
        if (e == NULL)
            errx(2, "no experiment '%s' (svmq_lab -l lists them)",
                 argv[optind]);
        nops = argc - optind - 1;
        if (nops < e->min_ops || nops > e->max_ops)
            errx(2, "usage: svmq_lab %s%s%s", e->name, *e->operands ? " " : "",
                 e->operands);
        e->run(argv + optind + 1);
    }
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

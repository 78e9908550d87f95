/*
 * psem_ctl - open a named POSIX semaphore and operate on it from the shell
 *
 * usage: psem_ctl [-cokBir] [-v value] [-m mode] [-t ms] NAME op...
 *
 * Opens the named semaphore NAME; with -c creates it (O_CREAT|O_EXCL,
 * mode 0600 whatever the umask, value 0) and removes it at exit unless -k;
 * with -o as well, O_CREAT without O_EXCL (and keeps it).  Then does each
 * op in turn and prints what it returned:
 *   wait trywait timedwait clockwait post   the call of that name
 *   value                                   sem_getvalue
 *   unlink                                  sem_unlink NAME
 *   pause                                   wait for a signal
 * A failed op prints its error, "psem_ctl: NAME: OP: EAGAIN (...)", and
 * ends the program with status 1.  timedwait and clockwait wait until ms
 * milliseconds from now (-t, default 1000), on CLOCK_REALTIME and
 * CLOCK_MONOTONIC; -B gives them an invalid deadline instead.  -i catches
 * SIGUSR1 without SA_RESTART, -r with it; each catch prints "caught
 * SIGUSR1".
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <semaphore.h>
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

struct ctl {
    const char *name;
    sem_t *sem;
    int create, nonexcl, keep;          /* -c, -o, -k */
    unsigned value;                     /* -v */
    mode_t mode;                        /* -m */
    long ms;                            /* -t */
    int bad_deadline;                   /* -B */
};
static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: psem_ctl [-cokBir] [-v value] [-m mode] [-t ms] "
            "NAME op...\n"
            "  -c        create NAME (O_CREAT|O_EXCL), remove it at exit\n"
            "  -o        with -c: without O_EXCL (and keep it)\n"
            "  -k        keep a semaphore made with -c\n"
            "  -v value  initial value of a new one (default 0)\n"
            "  -m mode   mode of a new one (octal, default 0600)\n"
            "  -t ms     deadline of timedwait, clockwait (default 1000)\n"
            "  -B        give them an invalid deadline\n"
            "  -i        catch SIGUSR1 without SA_RESTART\n"
            "  -r        catch SIGUSR1 with SA_RESTART\n"
            "  op: wait trywait timedwait clockwait post value unlink "
            "pause\n");
    exit(status);
}
static const char *errno_name(int e)
{
    static const struct { int e; const char *name; } names[] = {
        { EAGAIN, "EAGAIN" }, { ETIMEDOUT, "ETIMEDOUT" },
        { EINTR, "EINTR" }, { EINVAL, "EINVAL" },
        { EOVERFLOW, "EOVERFLOW" }, { EEXIST, "EEXIST" },
        { ENOENT, "ENOENT" }, { EACCES, "EACCES" },
        { ENAMETOOLONG, "ENAMETOOLONG" },
    };

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].e == e)
            return names[i].name;
    return "error";
}

static _Noreturn void failed(const char *name, const char *what)
{
    int e = errno;

    errx(1, "%s: %s: %s (%s)", name, what, errno_name(e), strerror(e));
}
static struct timespec deadline(const struct ctl *c, clockid_t clock)
{
    struct timespec ts;

    if (clock_gettime(clock, &ts) == -1)
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
static void on_usr1(int sig)
{
    static const char msg[] = "caught SIGUSR1\n";
    ssize_t n = write(STDOUT_FILENO, msg, sizeof msg - 1);

    (void)sig;
    (void)n;                            /* nothing to do if it fails */
}
static void do_op(const struct ctl *c, const char *op)
{
    struct timespec ts;
    int r, v;

    if (strcmp(op, "wait") == 0) {
        r = sem_wait(c->sem);
    } else if (strcmp(op, "trywait") == 0) {
        r = sem_trywait(c->sem);
    } else if (strcmp(op, "timedwait") == 0) {
        ts = deadline(c, CLOCK_REALTIME);
        r = sem_timedwait(c->sem, &ts);
    } else if (strcmp(op, "clockwait") == 0) {
        ts = deadline(c, CLOCK_MONOTONIC);
        r = sem_clockwait(c->sem, CLOCK_MONOTONIC, &ts);
    } else if (strcmp(op, "post") == 0) {
        r = sem_post(c->sem);
    } else if (strcmp(op, "unlink") == 0) {
        r = sem_unlink(c->name);
    } else if (strcmp(op, "value") == 0) {
        if ((r = sem_getvalue(c->sem, &v)) == 0)
            printf("value: %d\n", v);
    } else {                            /* pause: until a caught signal */
        printf("pause: waiting for a signal\n");
        if (fflush(stdout) == EOF)
            err(1, "stdout");
        r = pause() == -1 && errno == EINTR ? 0 : -1;
    }
    if (r == -1)
        failed(c->name, op);
    if (strcmp(op, "value") != 0)
        printf("%s: ok\n", op);
    if (fflush(stdout) == EOF)
        err(1, "stdout");
}

static int known_op(const char *op)
{
    static const char *const ops[] = { "wait", "trywait", "timedwait",
        "clockwait", "post", "value", "unlink", "pause" };

    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(op, ops[i]) == 0)
            return 1;
    return 0;
}
static void open_sem(struct ctl *c)
{
    int oflag = O_CREAT | (c->nonexcl ? 0 : O_EXCL), e;
    mode_t old;

    if (!c->create) {
        c->sem = sem_open(c->name, 0);
    } else {
        old = umask(0);
        c->sem = sem_open(c->name, oflag, c->mode, c->value);
        e = errno;
        umask(old);
        errno = e;
    }
    if (c->sem == SEM_FAILED)
        failed(c->name, "sem_open");
    if (c->create && !c->nonexcl && !c->keep)
        cleanup_push(sem_unlink, c->name);
}
static mode_t parse_mode(const char *s)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 8);
    if (s[0] < '0' || s[0] > '7' || *end != '\0' || errno == ERANGE
        || v > 0777)
        errx(2, "mode: '%s' is not an octal mode from 0 to 0777", s);
    return (mode_t)v;
}
int main(int argc, char *argv[])
{
    struct ctl c = { .mode = 0600, .ms = 1000 };
    int opt;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "Bchikm:ort:v:")) != -1) {
        switch (opt) {
        case 'B': c.bad_deadline = 1; break;
        case 'c': c.create = 1; break;
        case 'k': c.keep = 1; break;
        case 'o': c.nonexcl = 1; break;
        case 'i': sig_catch(SIGUSR1, on_usr1, 0); break;
        case 'r': sig_catch(SIGUSR1, on_usr1, SA_RESTART); break;
        case 'm': c.mode = parse_mode(optarg); break;
        case 't': c.ms = parse_long(optarg, 0, 3600000, "timeout"); break;
        case 'v': c.value = (unsigned)parse_long(optarg, 0, SEM_VALUE_MAX,
                                                 "value"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind == argc || (c.nonexcl && !c.create))
        usage(2);
    c.name = argv[optind++];
    for (int i = optind; i < argc; i++)
        if (!known_op(argv[i]))
            errx(2, "unknown operation '%s'", argv[i]);
    open_sem(&c);
    for (int i = optind; i < argc; i++)
        do_op(&c, argv[i]);
    if (sem_close(c.sem) == -1)
        err(1, "sem_close");
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

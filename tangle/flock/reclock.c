/*
 * reclock - take, test and release locks on a file, one step at a time
 *
 * usage: reclock [-bo] [-i | -I] [-r | -w] [-t ms] FILE OP...
 *
 * Opens FILE (read-write; -r read-only, -w write-only; never through a
 * symbolic link) and carries out each OP in turn, printing a line for
 * each.  Record locks are classic fcntl locks, or with -o open file
 * description (OFD) locks.  The OPs:
 *   r:START:LEN  w:START:LEN  u:START:LEN   read-lock, write-lock or
 *                unlock LEN bytes from START (LEN 0: to the end, and on)
 *   ?r:START:LEN  ?w:START:LEN              would that lock be granted?
 *   fs  fx  fu   flock: shared, exclusive, unlock (the whole file)
 *   show         print the lines of /proc/locks about FILE
 *   open         open FILE again; the next OPs use the new descriptor
 *   close        close the descriptor in use; back to the one before
 *   ofd  posix   record locks are OFD locks, or classic ones, from now on
 *   fork         the next OPs run in a child; the parent waits for it
 *   &OP          run OP in a thread of its own, and wait for it
 *   hold         say so, and wait for SIGUSR2 before going on
 * A lock that is taken fails at once, unless -b: then the call waits, at
 * most ms milliseconds (-t, default 5000).  -i catches SIGUSR1 without
 * SA_RESTART, so that a waiting call fails with EINTR; -I with SA_RESTART,
 * so that it goes on waiting.  Exit status 0 if every OP succeeded, 1 if
 * one did not.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/sig.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: reclock [-bo] [-i | -I] [-r | -w] [-t ms] FILE OP...\n"
            "  OP: r:START:LEN w:START:LEN u:START:LEN  lock or unlock\n"
            "      ?r:START:LEN ?w:START:LEN  would it be granted?\n"
            "      fs fx fu  flock shared, exclusive, unlock\n"
            "      show  open  close  ofd  posix  fork  hold  &OP\n"
            "  -b     wait for a lock that is taken (at most -t ms)\n"
            "  -o     open file description locks (F_OFD_*)\n"
            "  -i     SIGUSR1 interrupts a wait (EINTR)\n"
            "  -I     SIGUSR1 is caught with SA_RESTART\n"
            "  -r|-w  open FILE read-only | write-only\n"
            "  -t ms  the longest wait for a lock (default 5000)\n");
    exit(status);
}
enum kind { SET, TEST, FLOCK, SHOW, OPEN, CLOSE, MODE, FORK, HOLD };

struct op {
    const char *text;           /* as given, to label its report */
    enum kind kind;
    int type;                   /* F_RDLCK...; LOCK_SH...; MODE: -o or not */
    int thread;                 /* &OP */
    off_t start, len;
};

static const struct word {
    const char *word;
    enum kind kind;
    int type;
} words[] = {
    { "fs", FLOCK, LOCK_SH }, { "fx", FLOCK, LOCK_EX },
    { "fu", FLOCK, LOCK_UN }, { "show", SHOW, 0 }, { "open", OPEN, 0 },
    { "close", CLOSE, 0 }, { "ofd", MODE, 1 }, { "posix", MODE, 0 },
    { "fork", FORK, 0 }, { "hold", HOLD, 0 },
};

static int parse_off(const char *s, char **end, off_t *v)
{
    long long x;

    if (*s != '-' && (*s < '0' || *s > '9'))
        return -1;
    errno = 0;
    x = strtoll(s, end, 10);
    if (errno == ERANGE || *end == s)
        return -1;
    *v = (off_t)x;
    return 0;
}

static int parse_op(const char *s, struct op *op)
{
    char *end;

    op->text = s;
    if ((op->thread = *s == '&'))
        s++;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(s, words[i].word) == 0) {
            op->kind = words[i].kind;
            op->type = words[i].type;
            return op->thread && op->kind >= FORK ? -1 : 0;
        }
    op->kind = *s == '?' ? TEST : SET;
    s += *s == '?';
    if (*s == 'r' || *s == 'w' || (*s == 'u' && op->kind == SET))
        op->type = *s == 'r' ? F_RDLCK : *s == 'w' ? F_WRLCK : F_UNLCK;
    else
        return -1;
    if (*++s != ':' || parse_off(s + 1, &end, &op->start) == -1
        || *end != ':' || parse_off(end + 1, &end, &op->len) == -1
        || *end != '\0')
        return -1;
    return 0;
}
enum { MAX_FDS = 16 };
struct run {
    const char *path;
    int flags;                  /* O_RDWR, O_RDONLY or O_WRONLY */
    int ofd, block;
    long ms;
    int fds[MAX_FDS], nfds;     /* the open descriptors; the last in use */
    char id[64];                /* "MAJ:MIN:INODE" as /proc/locks has it */
};

static void report(const struct op *op, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void report(const struct op *op, const char *fmt, ...)
{
    va_list ap;

    flockfile(stdout);
    printf("%s: ", op->text);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    funlockfile(stdout);
}
static void open_file(struct run *r)
{
    struct stat st;
    int fd;

    if (r->nfds == MAX_FDS)
        errx(1, "more than %d descriptors", MAX_FDS);
    if ((fd = open(r->path, r->flags | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC
                   | O_NONBLOCK)) == -1)
        err(1, "open %s", r->path);
    if (fstat(fd, &st) == -1)
        err(1, "fstat %s", r->path);
    if (!S_ISREG(st.st_mode))
        errx(1, "%s: not a regular file", r->path);
    snprintf(r->id, sizeof r->id, "%02x:%02x:%lu", major(st.st_dev),
             minor(st.st_dev), (unsigned long)st.st_ino);
    r->fds[r->nfds++] = fd;
}
static int set_lock(const struct run *r, int fd, const struct op *op)
{
    struct flock fl = { .l_type = (short)op->type, .l_whence = SEEK_SET,
                        .l_start = op->start, .l_len = op->len };
    int cmd = r->ofd ? (r->block ? F_OFD_SETLKW : F_OFD_SETLK)
                     : (r->block ? F_SETLKW : F_SETLK);

    if (op->kind == FLOCK)
        return flock(fd, op->type | (r->block ? 0 : LOCK_NB));
    return fcntl(fd, cmd, &fl);         /* l_pid is 0, as F_OFD_* need */
}

static void report_failure(const struct run *r, const struct op *op, int e)
{
    if (e == EWOULDBLOCK && op->kind == FLOCK)
        report(op, "busy (EWOULDBLOCK)");
    else if (e == EAGAIN || e == EACCES)        /* POSIX allows either */
        report(op, "busy (%s)", e == EAGAIN ? "EAGAIN" : "EACCES");
    else if (e == EINTR && timeout_expired())
        report(op, "still busy after %ld ms", r->ms);
    else
        report(op, "%s", strerror(e));
}

static const char *type_name(int type)
{
    return type == F_RDLCK ? "read" : type == F_WRLCK ? "write" : "no";
}

static int test_lock(const struct run *r, int fd, const struct op *op)
{
    struct flock fl = { .l_type = (short)op->type, .l_whence = SEEK_SET,
                        .l_start = op->start, .l_len = op->len };

    if (fcntl(fd, r->ofd ? F_OFD_GETLK : F_GETLK, &fl) == -1) {
        report(op, "%s", strerror(errno));
        return 0;
    }
    if (fl.l_type == F_UNLCK)
        report(op, "free");
    else
        report(op, "blocked by a %s lock on %lld:%lld held by pid %ld",
               type_name(fl.l_type), (long long)fl.l_start,
               (long long)fl.l_len, (long)fl.l_pid);
    return 1;
}
static void show(const struct run *r, const struct op *op)
{
    char line[512], key[80];
    int found = 0;
    FILE *f = fopen("/proc/locks", "re");

    if (f == NULL)
        err(1, "/proc/locks");
    snprintf(key, sizeof key, " %s ", r->id);
    while (fgets(line, sizeof line, f) != NULL) {
        char *p = strchr(line, ':');
        if (strstr(line, key) == NULL || p == NULL)
            continue;
        p += strspn(p + 1, " ") + 1;    /* past "12: " */
        line[strcspn(line, "\n")] = '\0';
        report(op, "%s", p);
        found = 1;
    }
    if (ferror(f))
        err(1, "/proc/locks");
    fclose(f);
    if (!found)
        report(op, "no locks");
}
static int do_op(struct run *r, const struct op *op)
{
    int fd = r->fds[r->nfds - 1], rc, unlock;

    switch (op->kind) {
    case SET:
    case FLOCK:
        if (r->block)
            timeout_start(r->ms);
        rc = set_lock(r, fd, op);
        if (r->block)
            timeout_stop();
        if (rc == -1) {
            report_failure(r, op, errno);
            return 0;
        }
        unlock = op->kind == SET ? op->type == F_UNLCK : op->type == LOCK_UN;
        report(op, unlock ? "unlocked" : "locked");
        return 1;
    case TEST:
        return test_lock(r, fd, op);
    case SHOW:
        show(r, op);
        return 1;
    case OPEN:
        open_file(r);
        report(op, "descriptor %d", r->fds[r->nfds - 1]);
        return 1;
    case CLOSE:
        if (r->nfds == 1) {
            report(op, "the first descriptor stays open");
            return 0;
        }
        if (close(fd) == -1)
            err(1, "close");
        r->nfds--;
        report(op, "descriptor %d closed", fd);
        return 1;
    case MODE:
        r->ofd = op->type;
        report(op, "%s record locks from now on",
               r->ofd ? "open file description" : "classic POSIX");
        return 1;
    default:
        return 1;                       /* FORK and HOLD: see main */
    }
}
struct job {
    struct run *r;
    const struct op *op;
    int ok;
};

static void *thread_main(void *arg)
{
    struct job *j = arg;
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGALRM);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    j->ok = do_op(j->r, j->op);
    return NULL;
}

static int in_thread(struct run *r, const struct op *op)
{
    struct job j = { r, op, 0 };
    sigset_t set, old;
    pthread_t t;
    int rc;

    sigemptyset(&set);
    sigaddset(&set, SIGALRM);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    if ((rc = pthread_create(&t, NULL, thread_main, &j)) != 0
        || (rc = pthread_join(t, NULL)) != 0) {
        errno = rc;
        err(1, "thread");
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return j.ok;
}
static void fork_rest(const struct op *op)
{
    int status;
    pid_t pid;

    if (fflush(stdout) == EOF)
        err(1, "stdout");
    switch (pid = fork()) {
    case -1:
        err(1, "fork");
    case 0:                             /* child: carries on */
        report(op, "pid %ld carries on", (long)getpid());
        return;
    default:                            /* parent: waits, keeps its locks */
        while (waitpid(pid, &status, 0) == -1)
            if (errno != EINTR)
                err(1, "waitpid");
        exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
    }
}

static void hold(const struct op *op)
{
    sigset_t set;
    int sig;

    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    report(op, "pid %ld waits for SIGUSR2", (long)getpid());
    if ((errno = sigwait(&set, &sig)) != 0)
        err(1, "sigwait");
}
static void on_usr1(int sig)
{
    static const char msg[] = "reclock: SIGUSR1\n";
    int saved_errno = errno;
    ssize_t n = write(STDERR_FILENO, msg, sizeof msg - 1);

    (void)sig;
    (void)n;                            /* nothing to do if it fails */
    errno = saved_errno;
}

int main(int argc, char *argv[])
{
    struct run r = { .flags = O_RDWR, .ms = 5000 };
    struct op *ops;
    int opt, nops, ok = 1, usr1 = -1;
    sigset_t usr2;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "bhiIort:w")) != -1) {
        switch (opt) {
        case 'b': r.block = 1; break;
        case 'o': r.ofd = 1; break;
        case 'i': usr1 = usr1 == -1 ? 0 : -2; break;
        case 'I': usr1 = usr1 == -1 ? SA_RESTART : -2; break;
        case 'r': r.flags = r.flags == O_RDWR ? O_RDONLY : -1; break;
        case 'w': r.flags = r.flags == O_RDWR ? O_WRONLY : -1; break;
        case 't': r.ms = parse_long(optarg, 1, 3600000, "timeout"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind < 2 || r.flags == -1 || usr1 == -2)
        usage(2);
    r.path = argv[optind++];
    nops = argc - optind;
    if ((ops = calloc((size_t)nops, sizeof *ops)) == NULL)
        err(1, "calloc");
    for (int i = 0; i < nops; i++)
        if (parse_op(argv[optind + i], &ops[i]) == -1)
            errx(2, "'%s' is not a step (see reclock -h)", argv[optind + i]);
    if (usr1 >= 0)
        sig_catch(SIGUSR1, on_usr1, usr1);
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr2, NULL);
    open_file(&r);
    for (int i = 0; i < nops; i++) {
        if (ops[i].kind == FORK)
            fork_rest(&ops[i]);
        else if (ops[i].kind == HOLD)
            hold(&ops[i]);
        else if (!(ops[i].thread ? in_thread(&r, &ops[i])
                                 : do_op(&r, &ops[i])))
            ok = 0;
    }
    free(ops);
    while (r.nfds > 0)
        if (close(r.fds[--r.nfds]) == -1)
            err(1, "close");
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return ok ? 0 : 1;
}

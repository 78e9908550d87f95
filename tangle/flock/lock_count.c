/*
 * lock_count - processes add to one counter in a file, under a file lock
 *
 * usage: lock_count [-k] [-m mode] [-p procs] [-n count] [-t ms] FILE
 *
 * FILE holds the counter, a 64-bit integer in a shared file mapping.  It
 * is created with mode 0600 if missing; an existing FILE must be a
 * regular file of ours of 8 bytes, and is kept afterwards so that a rerun
 * continues.  procs processes (default 4) each add 1 to the counter count
 * times (default 50000), each increment protected by mode: flock (the
 * default), fcntl (a classic record lock), ofd (an open file description
 * lock) or none.  A lock that is taken is waited for at most ms
 * milliseconds (default 5000).  With -k the first process takes the lock
 * once and waits to be killed.  The processes end if lock_count does.
 * Prints
 *     MODE: P x N increments, counter went from A to B (lost L)
 * (P counts the processes that finished) and exits 0 if nothing was
 * lost, 1 if something was or a process failed.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/mapfile.h"
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/sig.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: lock_count [-k] [-m mode] [-p procs] [-n count] [-t ms] "
            "FILE\n"
            "  -m mode   flock (default), fcntl, ofd or none\n"
            "  -p procs  processes at once (default 4)\n"
            "  -n count  increments by each (default 50000)\n"
            "  -t ms     the longest wait for the lock (default 5000)\n"
            "  -k        the first process takes the lock and waits to be "
            "killed\n"
            "  FILE      the counter, created 0600 if missing\n");
    exit(status);
}
enum mode { FLOCK, FCNTL, OFD, NONE };
static const char *const mode_names[] = { "flock", "fcntl", "ofd", "none" };

struct counter {
    const char *path;
    enum mode mode;
    long ms;
    dev_t dev;                  /* the file the parent checked */
    ino_t ino;
    pid_t parent;
    struct mapped map;
    volatile uint64_t *value;
};
static int open_counter(struct counter *c)
{
    struct stat st;
    int fd, made = 1;

    fd = open(c->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
              0600);
    if (fd == -1 && errno == EEXIST) {
        made = 0;
        fd = open(c->path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    }
    if (fd == -1) {
        if (errno == ELOOP)
            errx(1, "%s: a symbolic link; refusing it", c->path);
        err(1, "open %s", c->path);
    }
    if (fstat(fd, &st) == -1)
        err(1, "fstat %s", c->path);
    if (!S_ISREG(st.st_mode) || st.st_uid != geteuid())
        errx(1, "%s: not a regular file of ours; refusing it", c->path);
    if (made && (fchmod(fd, 0600) == -1 || ftruncate(fd, 8) == -1))
        err(1, "%s: make it 8 bytes of mode 0600", c->path);
    c->dev = st.st_dev;
    c->ino = st.st_ino;
    return fd;
}
static int lock_call(int fd, enum mode mode, int type, int wait)
{
    struct flock fl = { .l_type = (short)type, .l_whence = SEEK_SET };

    switch (mode) {
    case FLOCK:
        return flock(fd, (type == F_UNLCK ? LOCK_UN : LOCK_EX)
                         | (wait ? 0 : LOCK_NB));
    case FCNTL:
        return fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl);
    case OFD:
        return fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl);
    default:
        return 0;
    }
}
static void lock(const struct counter *c, int fd)
{
    if (lock_call(fd, c->mode, F_WRLCK, 0) == -1) {
        if (errno != EWOULDBLOCK && errno != EAGAIN && errno != EACCES)
            err(1, "lock %s", c->path);
        timeout_start(c->ms);
        while (lock_call(fd, c->mode, F_WRLCK, 1) == -1) {
            if (errno != EINTR)
                err(1, "lock %s", c->path);
            if (timeout_expired())
                errx(1, "pid %ld: no %s lock on %s within %ld ms; is its "
                     "holder stuck?", (long)getpid(), mode_names[c->mode],
                     c->path, c->ms);
        }
        timeout_stop();
    }
    atomic_thread_fence(memory_order_seq_cst);
}

static void unlock(const struct counter *c, int fd)
{
    atomic_thread_fence(memory_order_seq_cst);
    if (lock_call(fd, c->mode, F_UNLCK, 0) == -1)
        err(1, "unlock %s", c->path);
}
static void add(const struct counter *c, long count, int hang)
{
    struct stat st;
    int fd;

    if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
        err(1, "prctl");
    if (getppid() != c->parent)         /* gone before prctl: leave */
        _exit(1);
    fd = open(c->path, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd == -1)
        err(1, "open %s", c->path);
    if (fstat(fd, &st) == -1)
        err(1, "fstat %s", c->path);
    if (st.st_dev != c->dev || st.st_ino != c->ino)
        errx(1, "%s: replaced by another file", c->path);
    if (hang) {
        lock(c, fd);
        fprintf(stderr, "lock_count: pid %ld holds the lock; kill it\n",
                (long)getpid());
        for (;;)
            pause();
    }
    for (long i = 0; i < count; i++) {
        lock(c, fd);
        uint64_t v = *c->value;         /* load ... */
        for (volatile int w = 0; w < 200; w = w + 1)
            continue;                   /* ... a window ... */
        *c->value = v + 1;              /* ... store */
        unlock(c, fd);
    }
    if (close(fd) == -1)
        err(1, "close %s", c->path);
}
static long run_all(const struct counter *c, long procs, long count,
                    int hang)
{
    long done = 0;
    pid_t pid;
    int status;

    if (fflush(stdout) == EOF || fflush(stderr) == EOF)
        err(1, "flush");
    for (long i = 0; i < procs; i++) {
        switch (fork()) {
        case -1:
            err(1, "fork");
        case 0:                         /* child: its share, then leave */
            add(c, count, hang && i == 0);
            _exit(0);
        }
    }
    while ((pid = wait(&status)) != -1 || errno == EINTR) {
        if (pid == -1)
            continue;
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            done++;
        else if (WIFSIGNALED(status))
            warnx("pid %ld was killed by signal %d", (long)pid,
                  WTERMSIG(status));
        else
            warnx("pid %ld failed", (long)pid);
    }
    return done;
}
int main(int argc, char *argv[])
{
    struct counter c = { .mode = FLOCK, .ms = 5000 };
    long procs = 4, count = 50000, done;
    int opt, hang = 0, fd;
    uint64_t from, to, want;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "hkm:n:p:t:")) != -1) {
        switch (opt) {
        case 'k': hang = 1; break;
        case 'm':
            for (c.mode = FLOCK; c.mode <= NONE; c.mode++)
                if (strcmp(optarg, mode_names[c.mode]) == 0)
                    break;
            if (c.mode > NONE)
                errx(2, "mode: '%s' is not flock, fcntl, ofd or none", optarg);
            break;
        case 'n': count = parse_long(optarg, 1, 100000000, "count"); break;
        case 'p': procs = parse_long(optarg, 1, 64, "procs"); break;
        case 't': c.ms = parse_long(optarg, 1, 3600000, "timeout"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind != 1 || (hang && (c.mode == NONE || procs < 2)))
        usage(2);
    c.path = argv[optind];
    fd = open_counter(&c);
    c.map.name = c.path;
    map_whole(fd, PROT_READ | PROT_WRITE, 8, 8, &c.map);
    map_guard(&c.map);
    if (close(fd) == -1)
        err(1, "close %s", c.path);
    c.value = (volatile uint64_t *)(void *)c.map.addr;
    c.parent = getpid();
    from = *c.value;
    done = run_all(&c, procs, count, hang);
    to = *c.value;
    want = (uint64_t)done * (uint64_t)count;
    printf("%s: %ld x %ld increments, counter went from %llu to %llu "
           "(lost %lld)\n", mode_names[c.mode], done, count,
           (unsigned long long)from, (unsigned long long)to,
           (long long)(want - (to - from)));
    map_unguard();
    map_release(&c.map);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return done == procs - hang && to - from == want ? 0 : 1;
}

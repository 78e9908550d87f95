/*
 * lock_bench - time a lock's hand-off between two processes, and its cost
 *
 * usage: lock_bench [-C] [-n count] [-t ms] MODE cpu1 cpu2
 *        lock_bench -u [-n count] [-t ms] MODE cpu
 *
 * MODE is flock, fcntl or ofd.  Without -u, two processes, pinned to CPUs
 * cpu1 and cpu2, pass three locks (on three files, made in a private
 * directory and removed at once) to each other, each lock going from a
 * process that releases it to one that waits for it, count round trips
 * (default 20000); prints the time of one hand-off, half a round trip.
 * With -u, one process takes and releases one lock count times (default
 * 1000000), and prints the time of one pair.  With -C nothing is timed:
 * each process checks that it got each lock in its turn.  The whole run
 * takes at most ms milliseconds (default 60000).
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/bench.h"
#include "lib/cleanup.h"
#include "lib/io.h"
#include "lib/num.h"
#include "lib/privdir.h"
#include "lib/prog.h"
#include "lib/sig.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: lock_bench [-C] [-n count] [-t ms] MODE cpu1 cpu2\n"
            "       lock_bench -u [-n count] [-t ms] MODE cpu\n"
            "  MODE      flock, fcntl or ofd\n"
            "  -C        check the order of the hand-offs instead of timing\n"
            "  -n count  round trips (default 20000), or with -u lock and\n"
            "            unlock pairs (default 1000000)\n"
            "  -t ms     the longest the run may take (default 60000)\n"
            "  -u        one process alone: the uncontended cost\n");
    exit(status);
}
enum mode { FLOCK, FCNTL, OFD };
static const char *const mode_names[] = { "flock", "fcntl", "ofd" };

static void lock_op(enum mode mode, int fd, int take)
{
    struct flock fl = { .l_type = take ? F_WRLCK : F_UNLCK,
                        .l_whence = SEEK_SET };
    int rc;

    do {
        if (mode == FLOCK)
            rc = flock(fd, take ? LOCK_EX : LOCK_UN);
        else
            rc = fcntl(fd, mode == OFD ? F_OFD_SETLKW : F_SETLKW, &fl);
    } while (rc == -1 && errno == EINTR && !timeout_expired());
    if (rc == -1) {
        if (errno == EINTR)
            errx(1, "the run took too long: a lost hand-off?");
        err(1, "%s %s", mode_names[mode], take ? "lock" : "unlock");
    }
}
static void pin(long cpu)
{
    cpu_set_t set;

    CPU_ZERO(&set);
    CPU_SET((int)cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) == -1)
        err(1, "pin to CPU %ld", cpu);
}
static void uncontended(enum mode mode, long count, long cpu)
{
    char dir[PATH_MAX], path[PATH_MAX + 8];
    double t0, t;
    int fd;

    private_dir(dir, sizeof dir, "lock_bench");
    snprintf(path, sizeof path, "%s/lock", dir);
    if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1)
        err(1, "open %s", path);
    if (unlink(path) == -1)
        err(1, "unlink %s", path);
    pin(cpu);
    lock_op(mode, fd, 1);               /* warm up */
    lock_op(mode, fd, 0);
    t0 = bench_now();
    for (long i = 0; i < count; i++) {
        lock_op(mode, fd, 1);
        lock_op(mode, fd, 0);
    }
    t = bench_now() - t0;
    printf("%s: %ld lock/unlock pairs: %.6f s, %.1f ns per pair\n",
           mode_names[mode], count, t, t * 1e9 / (double)count);
}
struct pair {
    enum mode mode;
    long count;
    int check;
    int fd[2][3];               /* [side][lock]: each side's own opens */
    atomic_long *turn;          /* -C: the last hand-off made */
};

static void make_locks(struct pair *p)
{
    char dir[PATH_MAX], path[PATH_MAX + 8];

    private_dir(dir, sizeof dir, "lock_bench");
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s/%d", dir, k);
        p->fd[0][k] = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
                           0600);
        if (p->fd[0][k] == -1)
            err(1, "open %s", path);
        cleanup_push(unlink, path);
        if ((p->fd[1][k] = open(path, O_RDWR | O_CLOEXEC)) == -1)
            err(1, "open %s", path);
        if (unlink(path) == -1)         /* both sides have it */
            err(1, "unlink %s", path);
    }
    if (rmdir(dir) == -1)
        err(1, "rmdir %s", dir);
}
static void wait_byte(int fd)
{
    char c;
    ssize_t n;

    while ((n = read(fd, &c, 1)) == -1 && errno == EINTR
           && !timeout_expired())
        continue;
    if (n != 1)
        errx(1, "the other process is gone, or the run took too long");
}

static void send_byte(int fd)
{
    if (write_full(fd, "x", 1) == -1)
        err(1, "write");
}
static void expect(const struct pair *p, long h)
{
    if (p->check && atomic_load(p->turn) != h)
        errx(1, "hand-off %ld came out of turn (%ld)", h,
             atomic_load(p->turn));
}

static void hand_over(const struct pair *p, int fd, long h)
{
    if (p->check)
        atomic_store(p->turn, h);
    lock_op(p->mode, fd, 0);
}

/* Step i: the first releases lock i%3, waking the second, which then
 * releases lock (i+2)%3, waking the first. */
static void first(const struct pair *p)
{
    for (long i = 0; i < p->count; i++) {
        hand_over(p, p->fd[0][i % 3], 2 * i + 1);
        lock_op(p->mode, p->fd[0][(i + 2) % 3], 1);
        expect(p, 2 * i + 2);
    }
}

static void second(const struct pair *p)
{
    for (long i = 0; i < p->count; i++) {
        lock_op(p->mode, p->fd[1][i % 3], 1);
        expect(p, 2 * i + 1);
        hand_over(p, p->fd[1][(i + 2) % 3], 2 * i + 2);
    }
}
static void handoff(struct pair *p, long cpu1, long cpu2)
{
    int go[2], ready[2], status;
    double t0, t;
    pid_t pid;

    make_locks(p);
    if (p->check && (p->turn = mmap(NULL, sizeof *p->turn,
                                    PROT_READ | PROT_WRITE,
                                    MAP_SHARED | MAP_ANONYMOUS, -1, 0))
        == MAP_FAILED)
        err(1, "mmap");
    if (pipe(go) == -1 || pipe(ready) == -1)
        err(1, "pipe");
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    switch (pid = fork()) {
    case -1:
        err(1, "fork");
    case 0:                                 /* child: the second side */
        pin(cpu2);
        for (int k = 0; k < 3; k++)
            close(p->fd[0][k]);
        wait_byte(go[0]);                   /* the first holds locks 0, 1 */
        lock_op(p->mode, p->fd[1][2], 1);
        send_byte(ready[1]);
        second(p);
        _exit(0);
    }
    pin(cpu1);                          /* parent: the first side */
    for (int k = 0; k < 3; k++)
        close(p->fd[1][k]);
    lock_op(p->mode, p->fd[0][0], 1);
    lock_op(p->mode, p->fd[0][1], 1);
    send_byte(go[1]);
    wait_byte(ready[0]);                /* the second holds lock 2 */
    t0 = bench_now();
    first(p);
    t = bench_now() - t0;
    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR || timeout_expired())
            err(1, "waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        errx(1, "the second side failed");
    if (p->check)
        printf("%s: %ld hand-offs, each in its turn\n", mode_names[p->mode],
               2 * p->count);
    else
        printf("%s: %ld hand-offs: %.6f s, %.1f ns per hand-off\n",
               mode_names[p->mode], 2 * p->count, t,
               t * 1e9 / (double)(2 * p->count));
}
int main(int argc, char *argv[])
{
    struct pair p = { .count = 0 };
    int opt, alone = 0;
    long ms = 60000;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "Chn:t:u")) != -1) {
        switch (opt) {
        case 'C': p.check = 1; break;
        case 'n': p.count = parse_long(optarg, 1, 1000000000, "count"); break;
        case 't': ms = parse_long(optarg, 1, 3600000, "timeout"); break;
        case 'u': alone = 1; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind != (alone ? 2 : 3) || (alone && p.check))
        usage(2);
    for (p.mode = FLOCK; p.mode <= OFD; p.mode++)
        if (strcmp(argv[optind], mode_names[p.mode]) == 0)
            break;
    if (p.mode > OFD)
        errx(2, "mode: '%s' is not flock, fcntl or ofd", argv[optind]);
    timeout_start(ms);                  /* the bound of the whole run */
    if (alone)
        uncontended(p.mode, p.count ? p.count : 1000000,
                    parse_long(argv[optind + 1], 0, CPU_SETSIZE - 1, "cpu"));
    else {
        p.count = p.count ? p.count : 20000;
        handoff(&p, parse_long(argv[optind + 1], 0, CPU_SETSIZE - 1, "cpu1"),
                parse_long(argv[optind + 2], 0, CPU_SETSIZE - 1, "cpu2"));
    }
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

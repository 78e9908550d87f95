/*
 * svsem_count - processes add to one counter, under a System V semaphore
 *
 * usage: svsem_count [-k] [-m mode] [-p procs] [-n count] [-t ms] FILE
 *
 * FILE holds the counter, a 64-bit integer in a file mapping; it is
 * created (mode 0600) if missing, and kept.  procs processes (default 4)
 * each add 1 count times (default 50000), each time under a semaphore
 * of a private set: -m undo takes it with SEM_UNDO (the default),
 * noundo without, none takes no lock.  Prints how many increments were
 * lost; exit 0 if none, 1 if some.  Every wait is bounded by -t ms
 * (default 5000).  -k: first one process takes the lock and is killed
 * with SIGKILL, to show what the others then see.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/mapfile.h"
#include "lib/num.h"
#include "lib/prog.h"

/* semctl's fourth argument.  The caller must declare it (semctl(2));
 * <sys/sem.h> does not. */
union semun {
    int val;                    /* SETVAL */
    struct semid_ds *buf;       /* IPC_STAT, IPC_SET */
    unsigned short *array;      /* GETALL, SETALL */
};
static int remove_set(const char *name)
{
    int id = 0;

    for (; *name >= '0' && *name <= '9'; name++)
        id = id * 10 + (*name - '0');
    return semctl(id, 0, IPC_RMID);
}

static void remove_at_exit(int id)
{
    char name[16];

    (void)snprintf(name, sizeof name, "%d", id);
    cleanup_push(remove_set, name);
}
static void usage(int status)
{
    fprintf(status ? stderr : stdout,
"usage: svsem_count [-k] [-m mode] [-p procs] [-n count] [-t ms] FILE\n"
"  -m mode   how each increment is protected: undo (a semaphore taken\n"
"            with SEM_UNDO, the default), noundo (without), none\n"
"  -p procs  run procs processes at once (default 4)\n"
"  -n count  each one adds 1 count times (default 50000)\n"
"  -t ms     give up waiting for the lock after ms (default 5000)\n"
"  -k        first, one process takes the lock and is killed (SIGKILL)\n"
"  FILE      holds the counter (created 0600 if missing, and kept)\n");
    exit(status);
}

enum mode { UNDO, NOUNDO, NONE };
static const char *const mode_names[] = { "undo", "noundo", "none" };
enum { PROCS_MAX = 64 };

struct opts {
    enum mode mode;
    long procs, count, ms;
    int kill;                   /* -k */
};
static int open_counter(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0600);
    struct stat st;

    if (fd != -1) {
        if (ftruncate(fd, sizeof(uint64_t)) == -1) {
            warn("%s: ftruncate", path);
            (void)unlink(path);
            exit(1);
        }
        return fd;
    }
    if (errno != EEXIST)
        err(1, "%s", path);
    fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd == -1 && errno == ELOOP)
        errx(1, "%s: a symbolic link; not following it", path);
    if (fd == -1)
        err(1, "%s", path);
    if (fstat(fd, &st) == -1)
        err(1, "%s: fstat", path);
    if (st.st_uid != geteuid())
        errx(1, "%s: belongs to uid %u, not to us", path,
             (unsigned)st.st_uid);
    return fd;
}
static int sem_add(int id, short op, const struct opts *o)
{
    struct sembuf sb = { 0, op, o->mode == UNDO ? SEM_UNDO : 0 };
    struct timespec ts = { o->ms / 1000, o->ms % 1000 * 1000000L };
    int r;

    while ((r = semtimedop(id, &sb, 1, &ts)) == -1 && errno == EINTR)
        ;
    return r;
}

static void lock_or_leave(int id, const struct opts *o)
{
    if (sem_add(id, -1, o) == 0)
        return;
    if (errno == EAGAIN)
        warnx("semaphore 0 of set %d still taken after %ld ms: its holder "
              "is stuck, or died without SEM_UNDO (ipcs -s -i %d)", id,
              o->ms, id);
    else if (errno != EIDRM && errno != EINVAL)
        warn("semop on set %d", id);
    _exit(1);
}

static void unlock_or_leave(int id, const struct opts *o)
{
    if (sem_add(id, +1, o) == 0)
        return;
    if (errno != EIDRM && errno != EINVAL)
        warn("semop on set %d", id);
    _exit(1);
}
enum { WINDOW = 200 };                   /* iterations between load, store */

static void wait_for_start(const int start[2])
{
    char c;

    (void)close(start[1]);
    while (read(start[0], &c, 1) == -1)
        if (errno != EINTR)
            _exit(1);
    (void)close(start[0]);
}

static void work(int id, volatile uint64_t *counter, const struct opts *o,
                 const int start[2])
{
    wait_for_start(start);
    for (long i = 0; i < o->count; i++) {
        if (id != -1)
            lock_or_leave(id, o);
        uint64_t v = *counter;
        for (volatile int k = 0; k < WINDOW; k++)
            ;
        *counter = v + 1;
        if (id != -1)
            unlock_or_leave(id, o);
    }
    _exit(0);
}
static int new_lock(void)
{
    union semun arg = { .val = 1 };
    int id = semget(IPC_PRIVATE, 1, IPC_CREAT | IPC_EXCL | 0600);

    if (id == -1)
        err(1, "semget");
    remove_at_exit(id);
    if (semctl(id, 0, SETVAL, arg) == -1)
        err(1, "semctl SETVAL");
    return id;
}
static void kill_a_holder(int id, const struct opts *o, const int start[2])
{
    int ready[2], status;
    pid_t pid;
    ssize_t n;
    char c;

    if (pipe(ready) == -1)
        err(1, "pipe");
    switch (pid = fork()) {
    case -1:
        err(1, "fork");
    case 0:                             /* child: the holder */
        (void)close(ready[0]);
        lock_or_leave(id, o);
        if (write(ready[1], "x", 1) != 1)
            _exit(1);
        wait_for_start(start);          /* killed before it comes */
        _exit(1);
    }
    (void)close(ready[1]);
    while ((n = read(ready[0], &c, 1)) == -1 && errno == EINTR)
        ;
    (void)close(ready[0]);
    if (kill(pid, SIGKILL) == -1)
        err(1, "kill");
    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR)
            err(1, "waitpid");
    if (n != 1)
        errx(1, "the process meant to hold the lock did not get it");
    fprintf(stderr, "svsem_count: process %ld took the lock and was "
            "killed with SIGKILL holding it\n", (long)pid);
}
int main(int argc, char *argv[])
{
    struct opts o = { UNDO, 4, 50000, 5000, 0 };
    struct mapped m = { NULL, 0, NULL };
    volatile uint64_t *counter;
    uint64_t from, to;
    int opt, fd, id = -1, start[2], status, failed = 0;

    prog_name(argv);
    if (setvbuf(stderr, NULL, _IOLBF, 0) != 0)   /* a message, one write */
        errx(1, "setvbuf");
    while ((opt = getopt(argc, argv, "hkm:n:p:t:")) != -1) {
        switch (opt) {
        case 'k': o.kill = 1; break;
        case 'm':
            for (o.mode = UNDO; o.mode <= NONE; o.mode++)
                if (strcmp(optarg, mode_names[o.mode]) == 0)
                    break;
            if (o.mode > NONE)
                errx(2, "-m %s: the modes are undo, noundo and none", optarg);
            break;
        case 'n': o.count = parse_long(optarg, 1, 100000000, "count"); break;
        case 'p': o.procs = parse_long(optarg, 1, PROCS_MAX, "procs"); break;
        case 't': o.ms = parse_long(optarg, 1, 3600000, "-t"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind != 1)
        usage(2);
    if (o.kill && o.mode == NONE)
        errx(2, "-k: mode none has no lock to hold");
    m.name = argv[optind];
    fd = open_counter(m.name);
    map_whole(fd, PROT_READ | PROT_WRITE, sizeof *counter, sizeof *counter,
              &m);
    if (close(fd) == -1)
        err(1, "%s: close", m.name);
    map_guard(&m);
    counter = (volatile uint64_t *)m.addr;
    from = *counter;
    if (o.mode != NONE)
        id = new_lock();
    if (pipe(start) == -1)
        err(1, "pipe");
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    if (o.kill)
        kill_a_holder(id, &o, start);
    for (long p = 0; p < o.procs; p++) {
        switch (fork()) {
        case -1:
            err(1, "fork");                 /* the set goes: the others quit */
        case 0:
            work(id, counter, &o, start);
        }
    }
    (void)close(start[1]);                  /* end of file: all start now */
    (void)close(start[0]);
    while (wait(&status) != -1 || errno == EINTR)
        if (errno != EINTR && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
            failed++;
    if (errno != ECHILD)
        err(1, "wait");
    to = *counter;
    map_unguard();
    map_release(&m);
    if (failed)
        errx(1, "%d of %ld processes failed; the counter went from %llu "
             "to %llu", failed, o.procs, (unsigned long long)from,
             (unsigned long long)to);
    uint64_t want = from + (uint64_t)o.procs * (uint64_t)o.count;
    printf("%s: %ld x %ld increments, counter went from %llu to %llu "
           "(lost %lld)\n", mode_names[o.mode], o.procs, o.count,
           (unsigned long long)from, (unsigned long long)to,
           (long long)(want - to));
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return to == want ? 0 : 1;
}

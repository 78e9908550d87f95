/*
 * psem_count - processes add to one counter, under a POSIX semaphore or not
 *
 * usage: psem_count [-akP] [-m mode] [-p procs] [-n count] [-t ms]
 *                   [-s name] FILE
 *
 * Runs procs processes at once (default 4); each adds 1 count times
 * (default 50000) to the 64-bit counter in FILE, each addition protected
 * as mode says: named (default), a named semaphore (/psem_count.PID, or
 * -s name), created O_EXCL, mode 0600, and removed on exit; unnamed, a
 * semaphore in a MAP_SHARED anonymous mapping; none, nothing.  Prints
 * "MODE: P x N increments, counter went from A to B (lost L)" and exits 0
 * when nothing was lost, 1 otherwise.  FILE is created (mode 0600) if
 * missing; an existing FILE must be a regular file of ours of 8 bytes,
 * and is kept, so that a rerun continues.  Every wait for the semaphore
 * lasts at most ms milliseconds (default 5000).  -a adopts an existing
 * named semaphore if it is ours, mode 0600 and free.  -k makes one more
 * process that takes the semaphore first and waits to be killed.  -P puts
 * the unnamed semaphore in private memory: wrong, to see what it does.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/mapfile.h"
#include "lib/num.h"
#include "lib/prog.h"
#include "psem/psem.h"

enum kind { NAMED, UNNAMED, NONE };

struct run {
    enum kind kind;
    const char *mode;                   /* -m, as given */
    long procs, count, ms;              /* -p, -n, -t */
    int hold, private_mem, adopt;       /* -k, -P, -a */
    char name[NAME_MAX + 1];            /* named: the semaphore's name */
    char what[NAME_MAX + 32];           /* the semaphore, for messages */
    sem_t *sem;
    volatile uint64_t *counter;         /* in FILE's mapping */
    int gate[2];                        /* children start at its EOF */
};
static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: psem_count [-akP] [-m mode] [-p procs] [-n count] "
            "[-t ms] [-s name] FILE\n"
            "  -m mode   named (default), unnamed, or none\n"
            "  -p procs  run procs processes at once (default 4)\n"
            "  -n count  each one adds 1 count times (default 50000)\n"
            "  -t ms     wait at most ms for the semaphore (default 5000)\n"
            "  -s name   the named semaphore (default /psem_count.PID)\n"
            "  -a        adopt an existing named one, if ours and free\n"
            "  -k        one more process takes it and waits to be killed\n"
            "  -P        unnamed: in private memory (wrong, on purpose)\n"
            "  FILE      holds the counter; created 0600 if missing\n");
    exit(status);
}
static volatile uint64_t *open_counter(const char *path, struct mapped *m)
{
    int flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC;
    int fd = open(path, flags | O_CREAT | O_EXCL, 0600);
    struct stat st;

    if (fd != -1) {
        if (ftruncate(fd, sizeof(uint64_t)) == -1)
            err(1, "%s: ftruncate", path);
    } else if (errno != EEXIST) {
        err(1, "%s", path);
    } else if ((fd = open(path, flags | O_NONBLOCK | O_NOCTTY)) == -1) {
        if (errno == ELOOP)
            errx(1, "%s: a symbolic link: refused", path);
        err(1, "%s", path);
    }
    if (fstat(fd, &st) == -1)
        err(1, "%s: fstat", path);
    if (S_ISREG(st.st_mode) && st.st_uid != geteuid())
        errx(1, "%s: belongs to uid %ld, not to us: refused", path,
             (long)st.st_uid);
    m->name = path;
    map_whole(fd, PROT_READ | PROT_WRITE, sizeof(uint64_t),
              sizeof(uint64_t), m);
    if (close(fd) == -1)
        err(1, "%s: close", path);
    map_guard(m);
    return (volatile uint64_t *)m->addr;
}
static void adopt_sem(struct run *r);   /* below */

static void named_sem(struct run *r)
{
    mode_t old = umask(0);
    int e;

    r->sem = sem_open(r->name, O_CREAT | O_EXCL, 0600, 1);
    e = errno;
    umask(old);
    if (r->sem != SEM_FAILED) {
        cleanup_push(sem_unlink, r->name);
        return;
    }
    errno = e;
    if (e != EEXIST)
        err(1, "sem_open %s", r->name);
    if (!r->adopt)
        errx(1, "semaphore %s exists, and we did not make it: not adopted "
             "(-a adopts one of ours; rm /dev/shm/sem.%s removes it)",
             r->name, r->name + 1);
    adopt_sem(r);
}
static void adopt_sem(struct run *r)
{
    char path[PATH_MAX];
    struct stat st;
    int v;

    if ((r->sem = sem_open(r->name, 0)) == SEM_FAILED)
        err(1, "sem_open %s", r->name);
    snprintf(path, sizeof path, "/dev/shm/sem.%s", r->name + 1);
    if (stat(path, &st) == -1)
        err(1, "%s", path);
    if (st.st_uid != geteuid())
        errx(1, "semaphore %s belongs to uid %ld, not to us: not adopted",
             r->name, (long)st.st_uid);
    if (st.st_mode & 077)
        errx(1, "semaphore %s has mode %03o, open to other users: not "
             "adopted", r->name, (unsigned)(st.st_mode & 0777));
    if (sem_getvalue(r->sem, &v) == -1)
        err(1, "sem_getvalue %s", r->name);
    if (v != 1)
        errx(1, "semaphore %s has value %d, not 1: taken (by a process "
             "that died holding it?); not adopted", r->name, v);
}
static void unnamed_sem(struct run *r)
{
    int share = r->private_mem ? MAP_PRIVATE : MAP_SHARED;
    void *p = mmap(NULL, sizeof(sem_t), PROT_READ | PROT_WRITE,
                   share | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED)
        err(1, "mmap");
    r->sem = p;
    if (sem_init(r->sem, 1, 1) == -1)   /* shared by processes, free */
        err(1, "sem_init");
}
static void take(const struct run *r)
{
    if (r->kind == NONE)
        return;
    if (psem_take(r->sem, r->ms) == 0)
        return;
    if (errno == ETIMEDOUT)
        errx(1, "%s still taken after %ld ms: its holder is stopped, or "
             "died holding it (nobody gives a POSIX semaphore back)",
             r->what, r->ms);
    err(1, "%s: wait", r->what);
}

static void give(const struct run *r)
{
    if (r->kind != NONE && sem_post(r->sem) == -1)
        err(1, "%s: sem_post", r->what);
}
enum { WINDOW = 50, YIELD_EVERY = 1000 };

static void add_one(const struct run *r, long i)
{
    uint64_t v = *r->counter;           /* load */

    for (volatile int j = 0; j < WINDOW; j++)
        continue;                       /* widen the window */
    if (i % YIELD_EVERY == YIELD_EVERY - 1)
        sched_yield();                  /* as if preempted, now */
    *r->counter = v + 1;                /* store */
}
static void become_child(const struct run *r, pid_t parent)
{
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
        err(1, "prctl");
    if (getppid() != parent)
        _exit(1);                       /* the parent is already gone */
    if (close(r->gate[1]) == -1)
        err(1, "close");
}

static _Noreturn void counter_child(const struct run *r, pid_t parent)
{
    char c;

    become_child(r, parent);
    if (read(r->gate[0], &c, 1) == -1)  /* returns 0 when the gate opens */
        err(1, "read the gate");
    for (long i = 0; i < r->count; i++) {
        take(r);
        add_one(r, i);
        give(r);
    }
    _exit(0);
}

static _Noreturn void holder_child(const struct run *r, pid_t parent,
                                   int ready)
{
    become_child(r, parent);
    take(r);
    printf("psem_count: process %ld holds %s: kill it\n", (long)getpid(),
           r->what);
    if (fflush(stdout) == EOF || write(ready, "k", 1) != 1)
        err(1, "tell the parent");
    for (;;)
        pause();                        /* until a signal kills us */
}
static pid_t spawn(const struct run *r, int holder, int ready)
{
    pid_t parent = getpid(), pid;

    if (fflush(stdout) == EOF)
        err(1, "stdout");
    if ((pid = fork()) == -1)
        err(1, "fork");
    if (pid == 0 && holder)
        holder_child(r, parent, ready);
    if (pid == 0)
        counter_child(r, parent);
    return pid;
}

static void wait_for_holder(const struct run *r)
{
    int ready[2];
    char c;

    if (pipe(ready) == -1)
        err(1, "pipe");
    spawn(r, 1, ready[1]);
    if (close(ready[1]) == -1)
        err(1, "close");
    if (read(ready[0], &c, 1) != 1)     /* 0: it died before taking it */
        errx(1, "the holder did not take %s", r->what);
    if (close(ready[0]) == -1)
        err(1, "close");
}
static int run_children(struct run *r)
{
    int status, failures = 0;
    pid_t pid;

    if (pipe(r->gate) == -1)
        err(1, "pipe");
    if (r->hold)
        wait_for_holder(r);
    for (long i = 0; i < r->procs; i++)
        spawn(r, 0, -1);
    if (close(r->gate[1]) == -1 || close(r->gate[0]) == -1)
        err(1, "close");                /* the gate opens */
    while ((pid = wait(&status)) != -1 || errno == EINTR) {
        if (pid == -1)
            continue;
        if (WIFSIGNALED(status) && r->hold && WTERMSIG(status) == SIGKILL) {
            warnx("process %ld killed by SIGKILL", (long)pid);
        } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            warnx("process %ld failed", (long)pid);
            failures++;
        }
    }
    if (errno != ECHILD)
        err(1, "wait");
    return failures;
}
int main(int argc, char *argv[])
{
    struct run r = { .mode = "named", .procs = 4, .count = 50000,
                     .ms = 5000 };
    const char *name = NULL;
    struct mapped m;
    uint64_t from, to;
    long long lost;
    int opt, failures;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "ahkm:n:p:Ps:t:")) != -1) {
        switch (opt) {
        case 'a': r.adopt = 1; break;
        case 'k': r.hold = 1; break;
        case 'P': r.private_mem = 1; break;
        case 'm': r.mode = optarg; break;
        case 'n': r.count = parse_long(optarg, 1, 100000000, "count"); break;
        case 'p': r.procs = parse_long(optarg, 1, 64, "procs"); break;
        case 's': name = optarg; break;
        case 't': r.ms = parse_long(optarg, 1, 3600000, "timeout"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind != 1)
        usage(2);
    if (setvbuf(stderr, NULL, _IOLBF, 0) != 0)
        errx(1, "setvbuf");             /* one write per message */
    if (strcmp(r.mode, "named") == 0)
        r.kind = NAMED;
    else if (strcmp(r.mode, "unnamed") == 0)
        r.kind = UNNAMED;
    else if (strcmp(r.mode, "none") == 0)
        r.kind = NONE;
    else
        errx(2, "mode: '%s' is not named, unnamed or none", r.mode);
    if ((r.hold && r.kind == NONE) || (r.private_mem && r.kind != UNNAMED)
        || ((r.adopt || name) && r.kind != NAMED))
        errx(2, "-k needs a semaphore, -P -m unnamed, -a and -s -m named");
    if (name && (name[0] != '/' || strlen(name) >= sizeof r.name))
        errx(2, "name: '%s' is not /NAME of at most %d characters", name,
             NAME_MAX - 1);
    r.counter = open_counter(argv[optind], &m);
    if (r.kind == NAMED) {
        if (name)
            strcpy(r.name, name);
        else
            snprintf(r.name, sizeof r.name, "/psem_count.%ld", (long)getpid());
        snprintf(r.what, sizeof r.what, "semaphore %s", r.name);
        named_sem(&r);
    } else if (r.kind == UNNAMED) {
        snprintf(r.what, sizeof r.what, "the unnamed semaphore");
        unnamed_sem(&r);
    }
    from = *r.counter;
    failures = run_children(&r);
    to = *r.counter;
    lost = (long long)(from + (uint64_t)(r.procs * r.count) - to);
    printf("%s: %ld x %ld increments, counter went from %llu to %llu "
           "(lost %lld)\n", r.mode, r.procs, r.count,
           (unsigned long long)from, (unsigned long long)to, lost);
    if (r.kind == NAMED && sem_close(r.sem) == -1)
        err(1, "sem_close");
    if (r.kind == UNNAMED) {
        if (sem_destroy(r.sem) == -1)
            err(1, "sem_destroy");
        if (munmap(r.sem, sizeof(sem_t)) == -1)
            err(1, "munmap");
    }
    map_unguard();
    map_release(&m);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return failures || lost ? 1 : 0;
}

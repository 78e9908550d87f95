/*
 * svsem_bench - time hand-offs and lock/unlock pairs of System V semaphores
 *
 * usage: svsem_bench [-u] [-n count] handoff cpu1 cpu2
 *        svsem_bench [-u] [-n count] pair cpu
 *
 * handoff: the parent, on CPU cpu1, gives semaphore 0 and waits on 1;
 * the child, on cpu2, waits on 0 and gives 1; count round trips (default
 * 10000); prints the time of one hand-off, half a round trip.  pair: one
 * process on cpu takes and gives back one semaphore count times, and
 * prints the time of one pair.  -u: every operation with SEM_UNDO.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib/bench.h"
#include "lib/cleanup.h"
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
enum { UNDO_ROUNDS_MAX = 29000 };

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: svsem_bench [-u] [-n count] handoff cpu1 cpu2\n"
            "       svsem_bench [-u] [-n count] pair cpu\n"
            "  -n count  round trips, or pairs (default 10000)\n"
            "  -u        every operation with SEM_UNDO (handoff: at most "
            "%d round trips)\n", UNDO_ROUNDS_MAX);
    exit(status);
}
struct run {
    int id;
    short flg;                          /* 0 or SEM_UNDO */
    unsigned long count, warm;
    int child;
};

static void step(const struct run *r, unsigned short num, short op)
{
    struct sembuf sb = { num, op, r->flg };
    struct timespec ts = { 5, 0 };

    while (semtimedop(r->id, &sb, 1, &ts) == -1) {
        if (errno == EINTR)
            continue;
        if (r->child && (errno == EIDRM || errno == EINVAL))
            _exit(1);
        if (errno == EAGAIN)
            warnx("semaphore %u: no hand-off within 5 s", num);
        else
            warn("semop on semaphore %u", num);
        if (r->child)
            _exit(1);
        exit(1);
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
static void answer(const struct run *r)
{
    for (unsigned long i = 0; i < r->warm + r->count; i++) {
        step(r, 0, -1);
        step(r, 1, +1);
    }
    step(r, 0, -1);                     /* the parent has the last reply */
}

static void ask(const struct run *r)
{
    double t0 = 0, t;

    for (unsigned long i = 0; i < r->warm + r->count; i++) {
        if (i == r->warm)
            t0 = bench_now();
        step(r, 0, +1);
        step(r, 1, -1);
    }
    t = bench_now() - t0;
    step(r, 0, +1);                     /* the child may go */
    printf("handoff: %lu round trips%s: %.6f s, %.1f ns per hand-off\n",
           r->count, r->flg ? " with SEM_UNDO" : "", t,
           t * 1e9 / (2.0 * (double)r->count));
}

static void handoff(struct run *r, long cpu1, long cpu2)
{
    int status;
    pid_t pid;

    if (fflush(stdout) == EOF)
        err(1, "stdout");
    switch (pid = fork()) {
    case -1:
        err(1, "fork");
    case 0:                             /* child: waits on 0, gives 1 */
        r->child = 1;
        pin(cpu2);
        answer(r);
        _exit(0);
    }
    pin(cpu1);                          /* parent: gives 0, waits on 1 */
    ask(r);
    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR)
            err(1, "waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        errx(1, "the child failed");
}
static void pairs(const struct run *r, long cpu)
{
    union semun arg = { .val = 1 };
    double t0 = 0, t;

    pin(cpu);
    if (semctl(r->id, 0, SETVAL, arg) == -1)
        err(1, "semctl SETVAL");
    for (unsigned long i = 0; i < r->warm + r->count; i++) {
        if (i == r->warm)
            t0 = bench_now();
        step(r, 0, -1);
        step(r, 0, +1);
    }
    t = bench_now() - t0;
    printf("pair: %lu lock/unlock pairs%s: %.6f s, %.1f ns per pair\n",
           r->count, r->flg ? " with SEM_UNDO" : "", t,
           t * 1e9 / (double)r->count);
}
int main(int argc, char *argv[])
{
    struct run r = { .count = 10000 };
    int opt, is_handoff;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "hn:u")) != -1) {
        switch (opt) {
        case 'n': r.count = (unsigned long)parse_long(optarg, 1, 100000000,
                                                      "count"); break;
        case 'u': r.flg = SEM_UNDO; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind == argc)
        usage(2);
    is_handoff = strcmp(argv[optind], "handoff") == 0;
    if (is_handoff ? argc - optind != 3
        : strcmp(argv[optind], "pair") != 0 || argc - optind != 2)
        usage(2);
    r.warm = r.count / 10 + 1;
    if (is_handoff && r.flg && r.count + r.warm > 32767)
        errx(2, "-u handoff: at most %d round trips: each process's undo "
             "adjustment grows by one a round trip, up to 32767",
             UNDO_ROUNDS_MAX);
    if ((r.id = semget(IPC_PRIVATE, 2, IPC_CREAT | IPC_EXCL | 0600)) == -1)
        err(1, "semget");
    remove_at_exit(r.id);
    if (is_handoff)
        handoff(&r, parse_long(argv[optind + 1], 0, CPU_SETSIZE - 1, "cpu1"),
                parse_long(argv[optind + 2], 0, CPU_SETSIZE - 1, "cpu2"));
    else
        pairs(&r, parse_long(argv[optind + 1], 0, CPU_SETSIZE - 1, "cpu"));
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

/*
 * psem_buffer - producers and consumers through a bounded buffer
 *
 * usage: psem_buffer [-v] [-p producers] [-c consumers] [-n items]
 *                    [-s slots] [-t ms]
 *
 * Forks producers (default 4) that each put items numbered 0 to items-1
 * (default 10000) into a ring of slots slots (default 8) in shared
 * memory, and consumers (default 4) that take them out; three unnamed
 * semaphores (empty, full, mutex) coordinate them.  Every wait lasts at
 * most ms milliseconds (default 5000).  At the end the parent checks that
 * every item was taken exactly once and says so, or how many were not;
 * exit status 0 only if all were.  -v: each consumer prints each item
 * it takes, "consumer C: producer P item I".
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/num.h"
#include "lib/prog.h"
#include "psem/psem.h"

struct item {
    uint32_t producer;                  /* END: no more items */
    uint32_t seq;
};
enum { END = UINT32_MAX };

struct ring {
    sem_t empty;                        /* free slots */
    sem_t full;                         /* filled slots */
    sem_t mutex;                        /* 1: in, out and slot are free */
    size_t in, out, slots;
    struct item slot[];                 /* slots of them */
};

struct run {
    long producers, consumers, items, slots, ms;
    int verbose;
    struct ring *ring;
    atomic_uchar *taken;                /* producers x items counters */
    size_t size;                        /* of the whole mapping */
    char who[32];                       /* "producer 2", for messages */
};
static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: psem_buffer [-v] [-p producers] [-c consumers] "
            "[-n items] [-s slots] [-t ms]\n"
            "  -p producers  processes that put items (default 4)\n"
            "  -c consumers  processes that take them (default 4)\n"
            "  -n items      items per producer (default 10000)\n"
            "  -s slots      size of the buffer (default 8)\n"
            "  -t ms         the longest wait (default 5000)\n"
            "  -v            print each item taken\n");
    exit(status);
}
static void make_ring(struct run *r)
{
    size_t ring = sizeof(struct ring) + (size_t)r->slots
                                        * sizeof(struct item);
    void *p;

    r->size = ring + (size_t)(r->producers * r->items);
    p = mmap(NULL, r->size, PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        err(1, "mmap of %zu bytes", r->size);
    r->ring = p;                        /* zeros: in = out = 0 */
    r->taken = (atomic_uchar *)((char *)p + ring);
    r->ring->slots = (size_t)r->slots;
    if (sem_init(&r->ring->empty, 1, (unsigned)r->slots) == -1
        || sem_init(&r->ring->full, 1, 0) == -1
        || sem_init(&r->ring->mutex, 1, 1) == -1)
        err(1, "sem_init");
}
static void await(const struct run *r, sem_t *sem, const char *what,
                  const char *why)
{
    if (psem_take(sem, r->ms) == 0)
        return;
    if (errno == ETIMEDOUT)
        errx(1, "%s: %s within %ld ms (%s)", r->who, what, r->ms, why);
    err(1, "%s: wait for %s", r->who, what);
}

static void post(const struct run *r, sem_t *sem)
{
    if (sem_post(sem) == -1)
        err(1, "%s: sem_post", r->who);
}
static void put(const struct run *r, struct item it)
{
    struct ring *g = r->ring;

    await(r, &g->empty, "no free slot", "are the consumers stuck?");
    await(r, &g->mutex, "the ring's lock not free",
          "its holder died holding it?");
    g->slot[g->in] = it;
    g->in = (g->in + 1) % g->slots;
    post(r, &g->mutex);
    post(r, &g->full);
}

static struct item take_item(const struct run *r)
{
    struct ring *g = r->ring;
    struct item it;

    await(r, &g->full, "no item", "are the producers stuck?");
    await(r, &g->mutex, "the ring's lock not free",
          "its holder died holding it?");
    it = g->slot[g->out];
    g->out = (g->out + 1) % g->slots;
    post(r, &g->mutex);
    post(r, &g->empty);
    return it;
}
static void produce(const struct run *r, long p)
{
    for (long i = 0; i < r->items; i++)
        put(r, (struct item){ (uint32_t)p, (uint32_t)i });
}

static void consume(const struct run *r, long c)
{
    struct item it;

    while ((it = take_item(r)).producer != END) {
        if (it.producer >= r->producers || it.seq >= r->items)
            errx(1, "%s: item %u of producer %u: no such item", r->who,
                 it.seq, it.producer);
        atomic_fetch_add(&r->taken[it.producer * r->items + it.seq], 1);
        if (r->verbose)
            printf("consumer %ld: producer %u item %u\n", c, it.producer,
                   it.seq);
    }
}
static int check_taken(const struct run *r)
{
    long once = 0, never = 0, more = 0, all = r->producers * r->items;

    for (long i = 0; i < all; i++) {
        unsigned n = atomic_load(&r->taken[i]);
        if (n == 1)
            once++;
        else if (n == 0)
            never++;
        else
            more++;
    }
    printf("%ld producers x %ld items, %ld consumers, %ld slots: ",
           r->producers, r->items, r->consumers, r->slots);
    if (never == 0 && more == 0)
        printf("%ld taken, each exactly once\n", once);
    else
        printf("%ld taken once, %ld never, %ld more than once\n", once,
               never, more);
    return never == 0 && more == 0;
}
static pid_t spawn(struct run *r, int producer, long n)
{
    pid_t parent = getpid(), pid;

    if (fflush(stdout) == EOF)
        err(1, "stdout");
    if ((pid = fork()) == -1)
        err(1, "fork");
    if (pid > 0)
        return pid;
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1)
        err(1, "prctl");
    if (getppid() != parent)
        _exit(1);
    snprintf(r->who, sizeof r->who, "%s %ld",
             producer ? "producer" : "consumer", n);
    if (producer)
        produce(r, n);
    else
        consume(r, n);
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    _exit(0);
}

static int reap(pid_t pid, const char *who, long n)
{
    int status;

    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR)
            err(1, "waitpid");
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    warnx("%s %ld (process %ld) failed", who, n, (long)pid);
    return 1;
}
int main(int argc, char *argv[])
{
    struct run r = { .producers = 4, .consumers = 4, .items = 10000,
                     .slots = 8, .ms = 5000, .who = "parent" };
    pid_t *pids;
    int opt, failures = 0, whole;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "c:hn:p:s:t:v")) != -1) {
        switch (opt) {
        case 'c': r.consumers = parse_long(optarg, 1, 64, "consumers");
                  break;
        case 'n': r.items = parse_long(optarg, 1, 1000000, "items"); break;
        case 'p': r.producers = parse_long(optarg, 1, 64, "producers");
                  break;
        case 's': r.slots = parse_long(optarg, 1, 65536, "slots"); break;
        case 't': r.ms = parse_long(optarg, 1, 3600000, "timeout"); break;
        case 'v': r.verbose = 1; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind != argc)
        usage(2);
    if (setvbuf(stdout, NULL, _IOLBF, 0) != 0
        || setvbuf(stderr, NULL, _IOLBF, 0) != 0)
        errx(1, "setvbuf");
    make_ring(&r);
    if ((pids = malloc(sizeof *pids * (size_t)(r.producers + r.consumers)))
        == NULL)
        err(1, "malloc");
    for (long c = 0; c < r.consumers; c++)
        pids[c] = spawn(&r, 0, c);
    for (long p = 0; p < r.producers; p++)
        pids[r.consumers + p] = spawn(&r, 1, p);
    for (long p = 0; p < r.producers; p++)
        failures += reap(pids[r.consumers + p], "producer", p);
    for (long c = 0; c < r.consumers; c++)
        put(&r, (struct item){ END, 0 });
    for (long c = 0; c < r.consumers; c++)
        failures += reap(pids[c], "consumer", c);
    whole = check_taken(&r);
    if (sem_destroy(&r.ring->empty) == -1 || sem_destroy(&r.ring->full) == -1
        || sem_destroy(&r.ring->mutex) == -1)
        err(1, "sem_destroy");
    if (munmap(r.ring, r.size) == -1)
        err(1, "munmap");
    free(pids);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return failures || !whole ? 1 : 0;
}

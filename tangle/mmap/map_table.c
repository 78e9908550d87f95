/*
 * map_table - a table of named counters in a file, shared by processes
 *
 * usage: map_table [-s slots] init file
 *        map_table [-mv] [-n count] [-t ms] hit file name
 *        map_table [-v] [-t ms] show|check file
 *
 * init makes file, a table of `slots` counters (default 256, at most
 * 65536), mode 0600; it never replaces an existing file.  hit adds 1 to
 * the counter `name` (1 to 47 letters, digits, '.', '_', '-', '/'),
 * `count` times (default 1), and prints its new value.  show prints each
 * counter as "name value"; check says whether the table is consistent.
 * Any number of processes may use a table at once: each update takes a
 * robust process-shared mutex in the file, waiting at most ms
 * milliseconds (default 5000).  An update cut short by the death of its
 * process is undone by the next process to take the lock.  A file that is
 * not a table, or is truncated, is refused.  -v says where the file is
 * mapped; -m stops the process with SIGSTOP in the middle of each update,
 * and of each repair, so that you (or a test) can kill it there.
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/mapfile.h"
#include "lib/num.h"
#include "lib/prog.h"

#define TABLE_MAGIC "MAPTABLE"          /* 8 bytes, no NUL in the file */
enum {
    TABLE_VERSION = 1,
    NAME_MAX_LEN = 47,                  /* a name, without its NUL */
    SLOTS_DEFAULT = 256,
    SLOTS_MAX = 65536
};

struct slot {
    char name[NAME_MAX_LEN + 1];        /* NUL-terminated; "" when free */
    uint64_t count;                     /* at least 1 when used */
};

struct undo {
    atomic_uint active;                 /* 1 while an update is under way */
    uint32_t slot;                      /* the slot it changes */
    uint64_t total;                     /* the table's total before it */
    struct slot old;                    /* the slot before it */
};

struct table {
    char magic[8];                      /* TABLE_MAGIC */
    uint32_t version;                   /* TABLE_VERSION */
    uint32_t nslots;                    /* slots after the header */
    uint32_t head_size, slot_size;      /* this machine's sizeof */
    pthread_mutex_t lock;               /* robust, process-shared */
    uint64_t total;                     /* the sum of all counts */
    struct undo undo;
    struct slot slots[];
};

static size_t table_size(size_t nslots)
{
    return sizeof(struct table) + nslots * sizeof(struct slot);
}
struct options {
    long slots;                         /* init: -s */
    long count;                         /* hit: -n */
    long ms;                            /* -t: the longest wait for the lock */
    int stop;                           /* -m: SIGSTOP in each update */
    int verbose;                        /* -v: say where it is mapped */
};
static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: map_table [-s slots] init file\n"
            "       map_table [-mv] [-n count] [-t ms] hit file name\n"
            "       map_table [-mv] [-t ms] show|check file\n"
            "  -s slots  slots of a new table (default 256)\n"
            "  -n count  add count times, one update each (default 1)\n"
            "  -t ms     wait at most ms for the lock (default 5000)\n"
            "  -m        stop (SIGSTOP) in the middle of each update "
            "or repair\n"
            "  -v        say where the file is mapped\n");
    exit(status);
}
static int valid_name(const char *s, size_t len)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/";

    return len >= 1 && len <= NAME_MAX_LEN && strspn(s, ok) == len;
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u;           /* FNV-1a */

    while (*s != '\0')
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}
/* The slot holding name, or the free slot where it goes; -1 when the
 * table is full. */
static long find_slot(const struct table *t, uint32_t nslots,
                      const char *name)
{
    uint32_t i = hash(name) % nslots;

    for (uint32_t n = 0; n < nslots; n++, i = (i + 1) % nslots) {
        const struct slot *s = &t->slots[i];
        if (s->name[0] == '\0'
            || strncmp(s->name, name, sizeof s->name) == 0)
            return i;
    }
    return -1;
}
static void init_lock(pthread_mutex_t *lock, const char *path)
{
    pthread_mutexattr_t a;
    int e;

    if ((e = pthread_mutexattr_init(&a)) != 0
        || (e = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED))
           != 0
        || (e = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST)) != 0
        || (e = pthread_mutex_init(lock, &a)) != 0)
        errx(1, "%s: making the lock: %s", path, strerror(e));
    pthread_mutexattr_destroy(&a);
}

static void init_table(const char *path, const struct options *o)
{
    char tmp[PATH_MAX];
    size_t size = table_size((size_t)o->slots);
    struct mapped m = { NULL, 0, path };
    struct table *t;
    int fd;

    if ((size_t)snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= sizeof tmp)
        errx(1, "%s: name too long", path);
    if ((fd = mkstemp(tmp)) == -1)
        err(1, "%s: making a temporary file", path);
    cleanup_push(unlink, tmp);
    if (ftruncate(fd, (off_t)size) == -1)
        err(1, "%s: ftruncate", tmp);
    map_whole(fd, PROT_READ | PROT_WRITE, size, size, &m);
    if (close(fd) == -1)
        err(1, "%s: close", tmp);
    map_guard(&m);                      /* a full disk: SIGBUS */
    t = (struct table *)m.addr;
    t->version = TABLE_VERSION;
    t->nslots = (uint32_t)o->slots;
    t->head_size = sizeof(struct table);
    t->slot_size = sizeof(struct slot);
    init_lock(&t->lock, path);
    memcpy(t->magic, TABLE_MAGIC, sizeof t->magic);
    if (msync(m.addr, m.len, MS_SYNC) == -1)
        err(1, "%s: msync", path);
    map_unguard();
    map_release(&m);
    if (link(tmp, path) == -1)
        err(1, "%s", path);
}
static struct table *open_table(const char *path, struct mapped *m,
                                uint32_t *nslots, const struct options *o)
{
    int fd = open(path, O_RDWR | O_NONBLOCK | O_NOCTTY);
    struct table *t;

    if (fd == -1)
        err(1, "%s", path);
    m->name = path;
    map_whole(fd, PROT_READ | PROT_WRITE, table_size(1),
              table_size(SLOTS_MAX), m);
    if (close(fd) == -1)
        err(1, "%s: close", path);
    map_guard(m);
    t = (struct table *)m->addr;
    if (memcmp(t->magic, TABLE_MAGIC, sizeof t->magic) != 0)
        errx(1, "%s: not a map_table file (no magic number)", path);
    if (t->version != TABLE_VERSION)
        errx(1, "%s: format version %" PRIu32 "; this program reads %d",
             path, t->version, TABLE_VERSION);
    if (t->head_size != sizeof(struct table)
        || t->slot_size != sizeof(struct slot))
        errx(1, "%s: made by a map_table for another machine", path);
    *nslots = t->nslots;
    if (*nslots < 1 || *nslots > SLOTS_MAX || table_size(*nslots) != m->len)
        errx(1, "%s: %zu bytes, but its header says %" PRIu32 " slots: "
             "truncated or damaged", path, m->len, *nslots);
    if (o->verbose)
        fprintf(stderr, "map_table: %s is mapped at %p\n", path,
                (void *)m->addr);
    return t;
}

static void close_table(struct mapped *m)
{
    map_unguard();
    map_release(m);
}
static void undo_update(struct table *t, uint32_t nslots, const char *path)
{
    struct undo *u = &t->undo;

    if (atomic_load_explicit(&u->active, memory_order_relaxed) == 0) {
        warnx("%s: a process died holding the lock, between updates: "
              "nothing to undo", path);
        return;
    }
    if (u->slot >= nslots)
        errx(1, "%s: damaged: the undo record names slot %" PRIu32
             " of %" PRIu32, path, u->slot, nslots);
    t->slots[u->slot] = u->old;
    t->total = u->total;
    atomic_signal_fence(memory_order_seq_cst);
    atomic_store_explicit(&u->active, 0, memory_order_relaxed);
    warnx("%s: a process died in the middle of an update; undone", path);
}
static void lock_table(struct table *t, uint32_t nslots, const char *path,
                       long ms, int stop)
{
    struct timespec deadline;
    int e;

    if (clock_gettime(CLOCK_REALTIME, &deadline) == -1)
        err(1, "clock_gettime");
    deadline.tv_sec += ms / 1000;
    deadline.tv_nsec += ms % 1000 * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    e = pthread_mutex_timedlock(&t->lock, &deadline);
    if (e == EOWNERDEAD) {
        undo_update(t, nslots, path);
        if (stop)
            raise(SIGSTOP);                 /* -m: repaired, not yet marked */
        e = pthread_mutex_consistent(&t->lock);
    }
    if (e == ETIMEDOUT)
        errx(1, "%s: lock still held after %ld ms (holder stopped?)", path,
             ms);
    if (e == ENOTRECOVERABLE)
        errx(1, "%s: the lock is unusable: its holder died and nobody "
             "repaired the table", path);
    if (e != 0)
        errx(1, "%s: lock: %s", path, strerror(e));
}

static void unlock_table(struct table *t, const char *path)
{
    int e = pthread_mutex_unlock(&t->lock);

    if (e != 0)
        errx(1, "%s: unlock: %s", path, strerror(e));
}
static void add_one(struct table *t, uint32_t i, const char *name,
                    int stop)
{
    struct undo *u = &t->undo;
    struct slot *s = &t->slots[i];

    u->slot = i;
    u->total = t->total;
    u->old = *s;
    atomic_signal_fence(memory_order_seq_cst);
    atomic_store_explicit(&u->active, 1, memory_order_relaxed);
    atomic_signal_fence(memory_order_seq_cst);
    if (s->name[0] == '\0')
        memcpy(s->name, name, strlen(name) + 1);
    s->count++;
    if (stop)
        raise(SIGSTOP);                 /* -m: be killed here, if you like */
    t->total++;
    atomic_signal_fence(memory_order_seq_cst);
    atomic_store_explicit(&u->active, 0, memory_order_relaxed);
}
/* NULL if the table is consistent, else what is wrong with it. */
static const char *inconsistency(const struct table *t, uint32_t nslots,
                                 uint64_t *names)
{
    uint64_t sum = 0;

    *names = 0;
    if (atomic_load_explicit(&t->undo.active, memory_order_relaxed))
        return "an update is unfinished";
    for (uint32_t i = 0; i < nslots; i++) {
        const struct slot *s = &t->slots[i];
        size_t len = strnlen(s->name, sizeof s->name);
        if (len == 0 && s->count != 0)
            return "a free slot has a count";
        if (len == 0)
            continue;
        if (len == sizeof s->name || !valid_name(s->name, len))
            return "a name is not a valid name";
        if (s->count == 0)
            return "a name has a count of 0";
        if (find_slot(t, nslots, s->name) != (long)i)
            return "a name is not where a lookup finds it";
        sum += s->count;
        (*names)++;
    }
    if (sum != t->total)
        return "the counts do not add up to the total";
    return NULL;
}
static void hit(const char *path, const char *name, const struct options *o)
{
    struct mapped m;
    uint32_t nslots;
    struct table *t;
    uint64_t value = 0;

    if (!valid_name(name, strlen(name)))
        errx(2, "name: '%s' is not 1 to %d letters, digits, '.', '_', "
             "'-' or '/'", name, NAME_MAX_LEN);
    t = open_table(path, &m, &nslots, o);
    for (long n = 0; n < o->count; n++) {
        long i;
        lock_table(t, nslots, path, o->ms, o->stop);
        if ((i = find_slot(t, nslots, name)) == -1) {
            unlock_table(t, path);
            errx(1, "%s: the table is full (%" PRIu32 " names)", path,
                 nslots);
        }
        add_one(t, (uint32_t)i, name, o->stop);
        value = t->slots[i].count;
        unlock_table(t, path);
    }
    if (msync(m.addr, m.len, MS_SYNC) == -1)
        err(1, "%s: msync", path);
    close_table(&m);
    printf("%" PRIu64 "\n", value);
}
static void show(const char *path, const struct options *o, int list)
{
    struct mapped m;
    uint32_t nslots;
    struct table *t = open_table(path, &m, &nslots, o);
    struct slot *copy = malloc(nslots * sizeof *copy);
    uint64_t names, total = t->total;
    const char *why;

    if (copy == NULL)
        err(1, "malloc");
    lock_table(t, nslots, path, o->ms, o->stop);
    if ((why = inconsistency(t, nslots, &names)) == NULL) {
        memcpy(copy, t->slots, nslots * sizeof *copy);
        total = t->total;
    }
    unlock_table(t, path);
    close_table(&m);
    if (why != NULL)
        errx(1, "%s: inconsistent: %s", path, why);
    for (uint32_t i = 0; list && i < nslots; i++)
        if (copy[i].name[0] != '\0')
            printf("%s %" PRIu64 "\n", copy[i].name, copy[i].count);
    if (!list)
        printf("%s: consistent: %" PRIu64 " name%s, total %" PRIu64 "\n",
               path, names, names == 1 ? "" : "s", total);
    free(copy);
}
int main(int argc, char *argv[])
{
    struct options o = { SLOTS_DEFAULT, 1, 5000, 0, 0 };
    const char *cmd;
    int opt;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "hmn:s:t:v")) != -1) {
        switch (opt) {
        case 'm': o.stop = 1; break;
        case 'n': o.count = parse_long(optarg, 1, 1000000000, "count");
                  break;
        case 's': o.slots = parse_long(optarg, 1, SLOTS_MAX, "slots"); break;
        case 't': o.ms = parse_long(optarg, 1, 3600000, "timeout"); break;
        case 'v': o.verbose = 1; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind < 2)
        usage(2);
    cmd = argv[optind];
    if (strcmp(cmd, "init") == 0 && argc - optind == 2)
        init_table(argv[optind + 1], &o);
    else if (strcmp(cmd, "hit") == 0 && argc - optind == 3)
        hit(argv[optind + 1], argv[optind + 2], &o);
    else if (strcmp(cmd, "show") == 0 && argc - optind == 2)
        show(argv[optind + 1], &o, 1);
    else if (strcmp(cmd, "check") == 0 && argc - optind == 2)
        show(argv[optind + 1], &o, 0);
    else
        usage(2);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

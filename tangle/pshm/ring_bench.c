/*
 * ring_bench - throughput and round trip of shm_ring's ring buffer
 *
 * usage: ring_bench [-Cs] [-m size] [-n count] [-p cpu1,cpu2] rate
 *        ring_bench [-Cls] [-m size] [-n count] [-p cpu1,cpu2] pingpong
 *
 * Makes a ring in POSIX shared memory (two for pingpong), removes its
 * name, and forks.  rate: the parent sends `count` messages (default
 * 100000) of `size` bytes (default 64; suffixes k and M) to the child,
 * and prints MiB/s.  pingpong: the parent sends `size` bytes, the child
 * sends them back, `count` times after a warm-up of count/10; prints ns
 * per round trip.  -p pins the parent to cpu1 and the child to cpu2; -s
 * spins instead of sleeping; -l gives every cache line its own sequence
 * number (pingpong only); -C checks every byte instead of timing.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib/bench.h"
#include "lib/num.h"
#include "lib/prog.h"

enum { SENDER, RECEIVER };
static const char *const role_name[] = { "sender", "receiver" };

#define RING_MAGIC 0x52494e47u          /* "RING": set up and ready */
#define RING_HDR 192                    /* three cache lines, then data */
#define RING_MAX ((uint32_t)1 << 30)    /* largest cap: counters wrap */
#define RING_LOOKS 1000                 /* looks before a sleeper sleeps */

struct ring_shared {
    _Alignas(64) atomic_uint ready;     /* RING_MAGIC once cap is set */
    uint32_t cap;                       /* data bytes, a power of two */
    atomic_uint joined[2];              /* came, and hold their lock */
    _Alignas(64) atomic_uint head;      /* the sender's line */
    atomic_uint eof;                    /* no more data after head */
    atomic_uint data_seq;               /* the receiver sleeps on it */
    atomic_uint recv_waits;             /* the receiver sleeps on data_seq */
    _Alignas(64) atomic_uint tail;      /* the receiver's line */
    atomic_uint space_seq;              /* the sender sleeps on it */
    atomic_uint send_waits;             /* the sender sleeps on space_seq */
};
_Static_assert(sizeof(struct ring_shared) == RING_HDR, "three lines");
struct ring {
    struct ring_shared *sh;
    unsigned char *data;                /* cap bytes after the header */
    uint32_t cap;
    uint32_t head, tail;                /* ours exact; the other's a copy */
    int fd;                             /* kept open: it holds our lock */
    int role, spin;
    const char *name;
    unsigned long long moved;           /* bytes sent or received */
};
/* Lock our role's byte of the object (cmd F_SETLK) or ask who holds the
 * peer's (F_GETLK): 0 if free or taken, 1 if held by someone else. */
static int role_lock(int fd, int role, int cmd)
{
    struct flock fl;

    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = role;
    fl.l_len = 1;
    if (fcntl(fd, cmd, &fl) == 0)
        return cmd == F_GETLK && fl.l_type != F_UNLCK;
    if (cmd == F_SETLK && (errno == EACCES || errno == EAGAIN))
        return 1;
    err(1, "fcntl lock");
}

static void ring_check_peer(struct ring *r)
{
    int peer = !r->role;

    if (!atomic_load_explicit(&r->sh->joined[peer], memory_order_acquire)
        || role_lock(r->fd, peer, F_GETLK))
        return;                         /* not come yet, or still there */
    if (r->role == RECEIVER
        && atomic_load_explicit(&r->sh->eof, memory_order_acquire))
        return;                         /* it finished, then left */
    errx(1, "%s: the %s is gone (killed?) after %llu bytes", r->name,
         role_name[peer], r->moved);
}
static void ring_pause(struct ring *r, unsigned long looks)
{
    if (looks % 256 == 0 && sched_yield() == -1)
        err(1, "sched_yield");
    if (looks % 65536 == 0)
        ring_check_peer(r);
}
/* Sleep while *word == seen, at most 100 ms; then check on the peer. */
static void ring_sleep(struct ring *r, atomic_uint *word, unsigned seen)
{
    struct timespec ts = { 0, 100 * 1000 * 1000 };

    if (syscall(SYS_futex, (void *)word, FUTEX_WAIT, seen, &ts, NULL, 0)
        == -1) {
        if (errno == ETIMEDOUT)
            ring_check_peer(r);
        else if (errno != EAGAIN && errno != EINTR)
            err(1, "futex wait");
    }
}

/* If the other side sleeps (or is about to), bump its word and wake it. */
static void ring_wake(atomic_uint *waits, atomic_uint *word)
{
    if (atomic_load_explicit(waits, memory_order_seq_cst)) {
        atomic_fetch_add_explicit(word, 1, memory_order_seq_cst);
        if (syscall(SYS_futex, (void *)word, FUTEX_WAKE, 1, NULL, NULL, 0)
            == -1)
            err(1, "futex wake");
    }
}
static int ring_data_ready(struct ring *r, uint32_t want, memory_order mo)
{
    r->head = atomic_load_explicit(&r->sh->head, mo);
    if (r->head - r->tail >= want)
        return 1;
    if (!atomic_load_explicit(&r->sh->eof, mo))
        return 0;
    r->head = atomic_load_explicit(&r->sh->head, mo); /* the last head */
    return 1;
}

static uint32_t ring_wait_data(struct ring *r, uint32_t want)
{
    struct ring_shared *sh = r->sh;
    unsigned long looks = 0;
    unsigned seq;

    while (!ring_data_ready(r, want, memory_order_acquire)) {
        if (r->spin || looks < RING_LOOKS) {
            ring_pause(r, ++looks);
            continue;
        }
        seq = atomic_load_explicit(&sh->data_seq, memory_order_acquire);
        atomic_store_explicit(&sh->recv_waits, 1, memory_order_seq_cst);
        if (!ring_data_ready(r, want, memory_order_seq_cst))
            ring_sleep(r, &sh->data_seq, seq);
        atomic_store_explicit(&sh->recv_waits, 0, memory_order_relaxed);
    }
    return r->head - r->tail;
}
static int ring_space_ready(struct ring *r, uint32_t want, memory_order mo)
{
    if (r->cap - (r->head - r->tail) >= want)
        return 1;
    r->tail = atomic_load_explicit(&r->sh->tail, mo);
    return r->cap - (r->head - r->tail) >= want;
}

static uint32_t ring_wait_space(struct ring *r, uint32_t want)
{
    struct ring_shared *sh = r->sh;
    unsigned long looks = 0;
    unsigned seq;

    while (!ring_space_ready(r, want, memory_order_acquire)) {
        if (r->spin || looks < RING_LOOKS) {
            ring_pause(r, ++looks);
            continue;
        }
        seq = atomic_load_explicit(&sh->space_seq, memory_order_acquire);
        atomic_store_explicit(&sh->send_waits, 1, memory_order_seq_cst);
        if (!ring_space_ready(r, want, memory_order_seq_cst))
            ring_sleep(r, &sh->space_seq, seq);
        atomic_store_explicit(&sh->send_waits, 0, memory_order_relaxed);
    }
    return r->cap - (r->head - r->tail);
}
static void ring_publish(struct ring *r, uint32_t n)
{
    r->head += n;
    r->moved += n;
    atomic_store_explicit(&r->sh->head, r->head, memory_order_seq_cst);
    ring_wake(&r->sh->recv_waits, &r->sh->data_seq);
}

static void ring_consume(struct ring *r, uint32_t n)
{
    r->tail += n;
    r->moved += n;
    atomic_store_explicit(&r->sh->tail, r->tail, memory_order_seq_cst);
    ring_wake(&r->sh->send_waits, &r->sh->space_seq);
}

static void ring_end(struct ring *r)
{
    atomic_store_explicit(&r->sh->eof, 1, memory_order_seq_cst);
    ring_wake(&r->sh->recv_waits, &r->sh->data_seq);
}
static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: ring_bench [-Cs] [-m size] [-n count] [-p cpu1,cpu2] "
            "rate\n"
            "       ring_bench [-Cls] [-m size] [-n count] [-p cpu1,cpu2] "
            "pingpong\n"
            "  -C        check every byte instead of timing\n"
            "  -l        a sequence number in every cache line\n"
            "  -m size   bytes per message (default 64)\n"
            "  -n count  messages or round trips (default 100000)\n"
            "  -p c1,c2  pin the parent to CPU c1, the child to c2\n"
            "  -s        spin instead of sleeping\n");
    exit(status);
}
static void make_ring(struct ring *r, size_t room, int spin,
                      const char *what)
{
    static int made;
    char name[64];
    uint32_t cap = 1 << 20;
    void *p;

    while (cap < 4 * room)
        cap *= 2;
    snprintf(name, sizeof name, "/ring_bench.%ld.%d", (long)getpid(),
             made++);
    if ((r->fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600)) == -1)
        err(1, "shm_open %s", name);
    if (shm_unlink(name) == -1)
        err(1, "shm_unlink %s", name);
    if (ftruncate(r->fd, (off_t)RING_HDR + cap) == -1)
        err(1, "ftruncate");
    if ((p = mmap(NULL, RING_HDR + cap, PROT_READ | PROT_WRITE,
                  MAP_SHARED | MAP_POPULATE, r->fd, 0)) == MAP_FAILED)
        err(1, "mmap");
    r->sh = p;
    r->sh->cap = r->cap = cap;
    r->data = (unsigned char *)p + RING_HDR;
    r->spin = spin;
    r->name = what;                     /* for errors: which ring */
}
static void pin(long cpu)
{
    cpu_set_t set;

    if (cpu < 0)
        return;
    CPU_ZERO(&set);
    CPU_SET((int)cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) == -1)
        err(1, "pin to CPU %ld", cpu);
}

static void join(struct ring *r, int role)
{
    r->role = role;
    role_lock(r->fd, role, F_SETLK);
    atomic_store_explicit(&r->sh->joined[role], 1, memory_order_release);
}

static void await(struct ring *r)
{
    double deadline = bench_now() + 10;

    while (!atomic_load_explicit(&r->sh->joined[!r->role],
                                 memory_order_acquire))
        if (bench_now() > deadline)
            errx(1, "the other side never came");
}
struct bench {
    struct ring there, back;            /* parent to child, and back */
    size_t size;
    long count, warm, cpu[2];           /* timed messages, untimed first */
    int pingpong, check, lines;
};
#define LINE 64
#define LINE_DATA (LINE - sizeof(atomic_uint))  /* 60 bytes a line */

struct line {
    atomic_uint seq;                    /* its place in lines, plus 1 */
    unsigned char data[LINE_DATA];
};
_Static_assert(sizeof(struct line) == LINE, "one cache line");

/* The room a message of size bytes takes: whole lines. */
static size_t lines_room(size_t size)
{
    return (size + LINE_DATA - 1) / LINE_DATA * LINE;
}

static struct line *line_at(struct ring *r, uint32_t at)
{
    return (struct line *)(r->data + (at & (r->cap - 1)));
}

static void put_lines(struct ring *r, const unsigned char *buf, size_t size)
{
    uint32_t room = (uint32_t)lines_room(size), at = r->head;

    ring_wait_space(r, room);
    for (size_t done = 0; done < size; done += LINE_DATA, at += LINE) {
        struct line *l = line_at(r, at);
        size_t n = size - done < LINE_DATA ? size - done : LINE_DATA;

        memcpy(l->data, buf + done, n);
        atomic_store_explicit(&l->seq, at / LINE + 1, memory_order_release);
    }
    ring_publish(r, room);
}

/* Whether every line of the next message is there.  No early exit: the
 * loads are independent, so their misses overlap. */
static int lines_ready(struct ring *r, uint32_t room)
{
    int ready = 1;

    for (uint32_t at = r->tail; at != r->tail + room; at += LINE)
        if (atomic_load_explicit(&line_at(r, at)->seq, memory_order_acquire)
            != at / LINE + 1)
            ready = 0;
    return ready;
}

static void get_lines(struct ring *r, unsigned char *buf, size_t size)
{
    uint32_t room = (uint32_t)lines_room(size), at = r->tail;
    unsigned long looks = 0;

    while (!lines_ready(r, room))
        if (++looks < RING_LOOKS)
            ring_pause(r, looks);
        else if (ring_wait_data(r, room) < room)
            errx(1, "the stream ended early");
    for (size_t done = 0; done < size; done += LINE_DATA, at += LINE) {
        size_t n = size - done < LINE_DATA ? size - done : LINE_DATA;

        memcpy(buf + done, line_at(r, at)->data, n);
    }
    ring_consume(r, room);
}
static void put_bytes(struct ring *r, const unsigned char *buf, size_t size)
{
    uint32_t at, first;

    ring_wait_space(r, (uint32_t)size);
    at = r->head & (r->cap - 1);
    first = r->cap - at < size ? r->cap - at : (uint32_t)size;
    memcpy(r->data + at, buf, first);
    memcpy(r->data, buf + first, size - first);
    ring_publish(r, (uint32_t)size);
}

static void get_bytes(struct ring *r, unsigned char *buf, size_t size)
{
    uint32_t at, first;

    if (ring_wait_data(r, (uint32_t)size) < size)
        errx(1, "the stream ended early");
    at = r->tail & (r->cap - 1);
    first = r->cap - at < size ? r->cap - at : (uint32_t)size;
    memcpy(buf, r->data + at, first);
    memcpy(buf + first, r->data, size - first);
    ring_consume(r, (uint32_t)size);
}
static void put(struct bench *b, struct ring *r, unsigned char *buf, long i)
{
    if (b->check)
        pattern_fill(buf, b->size, (uint64_t)i * b->size);
    if (b->lines)
        put_lines(r, buf, b->size);
    else
        put_bytes(r, buf, b->size);
}

static void get(struct bench *b, struct ring *r, unsigned char *buf, long i)
{
    if (b->lines)
        get_lines(r, buf, b->size);
    else
        get_bytes(r, buf, b->size);
    if (b->check
        && pattern_mismatch(buf, b->size, (uint64_t)i * b->size) < b->size)
        errx(1, "message %ld is wrong", i);
}
static void child(struct bench *b, unsigned char *buf)
{
    pin(b->cpu[1]);
    join(&b->there, RECEIVER);
    if (b->pingpong)
        join(&b->back, SENDER);
    for (long i = 0; i < b->warm + b->count; i++) {
        get(b, &b->there, buf, i);
        if (b->pingpong)
            put(b, &b->back, buf, i);
    }
    _exit(0);
}
static double parent(struct bench *b, unsigned char *buf, pid_t pid)
{
    double t0 = 0;
    int status;

    pin(b->cpu[0]);
    join(&b->there, SENDER);
    if (b->pingpong)
        join(&b->back, RECEIVER);
    await(&b->there);
    for (long i = 0; i < b->warm + b->count; i++) {
        if (i == b->warm)
            t0 = bench_now();
        put(b, &b->there, buf, i);
        if (b->pingpong)
            get(b, &b->back, buf, i);
    }
    ring_end(&b->there);
    if (waitpid(pid, &status, 0) == -1)
        err(1, "waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        errx(1, "the child failed");
    return bench_now() - t0;
}
static void parse_cpus(const char *s, long cpu[2])
{
    char a[32];
    const char *comma = strchr(s, ',');

    if (comma == NULL || (size_t)(comma - s) >= sizeof a)
        errx(2, "cpus: '%s' is not two CPU numbers, cpu1,cpu2", s);
    memcpy(a, s, (size_t)(comma - s));
    a[comma - s] = '\0';
    cpu[0] = parse_long(a, 0, CPU_SETSIZE - 1, "cpu1");
    cpu[1] = parse_long(comma + 1, 0, CPU_SETSIZE - 1, "cpu2");
}
int main(int argc, char *argv[])
{
    struct bench b = { .size = 64, .count = 100000, .cpu = { -1, -1 } };
    int opt, spin = 0;
    unsigned char *buf;
    size_t room;
    double t;
    pid_t pid;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "Chlm:n:p:s")) != -1) {
        switch (opt) {
        case 'C': b.check = 1; break;
        case 'l': b.lines = 1; break;
        case 'm': b.size = parse_size(optarg, 1, 1 << 24, "size"); break;
        case 'n': b.count = parse_long(optarg, 1, 1000000000, "count");
                  break;
        case 'p': parse_cpus(optarg, b.cpu); break;
        case 's': spin = 1; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind != 1)
        usage(2);
    if (strcmp(argv[optind], "pingpong") == 0)
        b.pingpong = 1;
    else if (strcmp(argv[optind], "rate") != 0)
        errx(2, "%s: not rate or pingpong", argv[optind]);
    if (b.lines && !b.pingpong)
        errx(2, "-l is for pingpong only");
    b.warm = 1 + (b.pingpong && !b.check ? b.count / 10 : 0);
    room = b.lines ? lines_room(b.size) : b.size;
    make_ring(&b.there, room, spin, "the ring there");
    if (b.pingpong)
        make_ring(&b.back, room, spin, "the ring back");
    if ((buf = malloc(b.size)) == NULL)
        err(1, "malloc");
    memset(buf, 'x', b.size);
    fflush(stdout);
    if ((pid = fork()) == -1)
        err(1, "fork");
    if (pid == 0)
        child(&b, buf);
    t = parent(&b, buf, pid);
    if (b.check)
        printf("%s: %ld messages of %zu bytes, every byte checked\n",
               argv[optind], b.warm + b.count, b.size);
    else if (b.pingpong)
        printf("pingpong: %ld round trips of %zu bytes: %.6f s, "
               "%.0f ns per round trip\n", b.count, b.size, t,
               t / (double)b.count * 1e9);
    else
        printf("rate: %ld messages of %zu bytes: %.6f s, %.1f MiB/s\n",
               b.count, b.size, t, (double)b.count * (double)b.size / t
               / (1 << 20));
    free(buf);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

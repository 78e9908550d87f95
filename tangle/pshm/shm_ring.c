/*
 * shm_ring - a pipe made of POSIX shared memory, between unrelated
 * processes
 *
 * usage: shm_ring [-Cs] [-b size] [-n size] [-t seconds] send|recv NAME
 *
 * `send` copies standard input into the ring called NAME (a slash and up
 * to 255 other characters), `recv` copies the ring to standard output:
 * `cmd | shm_ring send /r` and `shm_ring recv /r | cmd` copy cmd's output
 * exactly.  Either side may start first; the first creates NAME in
 * /dev/shm (mode 600, size -b, default 1M, a power of two), the second
 * joins it, and once both are there the name is removed.  Each waits at
 * most -t seconds (default 10) for the other.  -s spins instead of
 * sleeping when the ring is empty or full.  -C: the sender sends -n
 * bytes of the check pattern, the receiver checks every byte.  A side
 * that finds its peer gone (killed) says so and exits with status 1.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "lib/bench.h"
#include "lib/cleanup.h"
#include "lib/io.h"
#include "lib/mapfile.h"
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
            "usage: shm_ring [-Cs] [-b size] [-n size] [-t seconds] "
            "send|recv NAME\n"
            "  -b size     bytes in a new ring, a power of two "
            "(default 1M)\n"
            "  -C          check mode: send -n bytes of the pattern, "
            "or check them\n"
            "  -n size     bytes to send in check mode (default 1M)\n"
            "  -s          spin when the ring is empty or full "
            "(default: sleep)\n"
            "  -t seconds  wait at most this long for the other side "
            "(default 10)\n");
    exit(status);
}
static volatile sig_atomic_t named;     /* the name is ours to remove */

static int unlink_ours(const char *name)
{
    return named ? shm_unlink(name) : 0;
}

static void unlink_now(const char *name)
{
    sigset_t block, old;

    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigprocmask(SIG_BLOCK, &block, &old);
    if (shm_unlink(name) == -1)
        err(1, "shm_unlink %s", name);
    named = 0;
    sigprocmask(SIG_SETMASK, &old, NULL);
}
static int create_ring(struct ring *r, struct mapped *m, uint32_t cap)
{
    int fd = shm_open(r->name, O_RDWR | O_CREAT | O_EXCL, 0600);

    if (fd == -1) {
        if (errno == EEXIST)
            return 0;
        err(1, "shm_open %s", r->name);
    }
    named = 1;
    cleanup_push(unlink_ours, r->name);
    if (fchmod(fd, 0600) == -1)          /* whatever the umask took */
        err(1, "fchmod %s", r->name);
    r->fd = fd;
    role_lock(fd, r->role, F_SETLK);    /* a new object: nobody else's */
    if (ftruncate(fd, (off_t)RING_HDR + cap) == -1)
        err(1, "ftruncate %s", r->name);
    map_whole(fd, PROT_READ | PROT_WRITE, RING_HDR + (size_t)cap,
              RING_HDR + (size_t)cap, m);
    map_guard(m);
    r->sh = (struct ring_shared *)m->addr;
    r->sh->cap = cap;
    atomic_store_explicit(&r->sh->joined[r->role], 1, memory_order_relaxed);
    atomic_store_explicit(&r->sh->ready, RING_MAGIC, memory_order_release);
    return 1;
}
static void nap(void)
{
    struct timespec ms = { 0, 1000 * 1000 };

    nanosleep(&ms, NULL);
}

static int adopt_ring(struct ring *r, struct mapped *m, double deadline)
{
    struct stat st;
    int fd = shm_open(r->name, O_RDWR, 0);

    if (fd == -1 && errno == ENOENT)
        return 0;                       /* removed meanwhile: start over */
    if (fd == -1 && errno == ELOOP)
        errx(1, "%s: /dev/shm%s is a symbolic link: refusing it", r->name,
             r->name);
    if (fd == -1)
        err(1, "shm_open %s", r->name);
    r->fd = fd;
    if (fstat(fd, &st) == -1)
        err(1, "fstat %s", r->name);
    if (!S_ISREG(st.st_mode))
        errx(1, "%s: not a shared memory object", r->name);
    if (st.st_uid != geteuid())
        errx(1, "%s: belongs to uid %ld, not to us: refusing it", r->name,
             (long)st.st_uid);
    if ((st.st_mode & 0777) != 0600)
        errx(1, "%s: mode %03o, not 600: refusing it", r->name,
             (unsigned)(st.st_mode & 0777));
    while (st.st_size == 0) {
        if (bench_now() > deadline)
            errx(1, "%s: never given a size (its creator killed?); "
                 "remove it: rm /dev/shm%s", r->name, r->name);
        nap();
        if (fstat(fd, &st) == -1)
            err(1, "fstat %s", r->name);
    }
    map_whole(fd, PROT_READ | PROT_WRITE, RING_HDR + 64,
              RING_HDR + (size_t)RING_MAX, m);
    map_guard(m);
    r->sh = (struct ring_shared *)m->addr;
    while (atomic_load_explicit(&r->sh->ready, memory_order_acquire)
           != RING_MAGIC) {
        if (bench_now() > deadline)
            errx(1, "%s: never set up (its creator killed?); "
                 "remove it: rm /dev/shm%s", r->name, r->name);
        nap();
    }
    if (r->sh->cap < 64 || (r->sh->cap & (r->sh->cap - 1)) != 0
        || RING_HDR + (size_t)r->sh->cap != m->len)
        errx(1, "%s: not a ring of shm_ring", r->name);
    if (role_lock(fd, r->role, F_SETLK))
        errx(1, "%s: already has a %s", r->name, role_name[r->role]);
    if (atomic_load_explicit(&r->sh->joined[!r->role], memory_order_acquire)
        && !role_lock(fd, !r->role, F_GETLK))
        errx(1, "%s: left by a %s that was killed; remove it: rm /dev/shm%s",
             r->name, role_name[!r->role], r->name);
    atomic_store_explicit(&r->sh->joined[r->role], 1, memory_order_release);
    return 1;
}
static void ring_meet(struct ring *r, struct mapped *m, uint32_t cap,
                      long timeout)
{
    double deadline = bench_now() + (double)timeout;
    int created;

    while (!(created = create_ring(r, m, cap))
           && !adopt_ring(r, m, deadline))
        if (bench_now() > deadline)
            errx(1, "%s: cannot create it nor open it", r->name);
    while (!atomic_load_explicit(&r->sh->joined[!r->role],
                                 memory_order_acquire)) {
        if (bench_now() > deadline)
            errx(1, "%s: no %s came within %ld s", r->name,
                 role_name[!r->role], timeout);
        nap();
    }
    if (created)
        unlink_now(r->name);
    r->cap = r->sh->cap;
    r->data = m->addr + RING_HDR;
}
static void send_input(struct ring *r)
{
    for (;;) {
        uint32_t room = ring_wait_space(r, 1);
        uint32_t at = r->head & (r->cap - 1);
        size_t span = room < r->cap - at ? room : r->cap - at;
        ssize_t n = read(STDIN_FILENO, r->data + at, span);

        if (n == 0)
            break;
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            err(1, "read standard input");
        ring_publish(r, (uint32_t)n);
    }
    ring_end(r);
}
static void receive_output(struct ring *r)
{
    uint32_t avail;

    while ((avail = ring_wait_data(r, 1)) > 0) {
        uint32_t at = r->tail & (r->cap - 1);
        uint32_t span = avail < r->cap - at ? avail : r->cap - at;

        if (write_full(STDOUT_FILENO, r->data + at, span) == -1)
            err(1, "write standard output");
        ring_consume(r, span);
    }
}
static void send_pattern(struct ring *r, unsigned long long total)
{
    while (r->moved < total) {
        uint32_t room = ring_wait_space(r, 1);
        uint32_t at = r->head & (r->cap - 1);
        unsigned long long left = total - r->moved;
        uint32_t span = room < r->cap - at ? room : r->cap - at;

        if (span > left)
            span = (uint32_t)left;
        pattern_fill(r->data + at, span, r->moved);
        ring_publish(r, span);
    }
    ring_end(r);
}
static void check_pattern(struct ring *r)
{
    uint32_t avail;
    size_t bad;

    while ((avail = ring_wait_data(r, 1)) > 0) {
        uint32_t at = r->tail & (r->cap - 1);
        uint32_t span = avail < r->cap - at ? avail : r->cap - at;

        if ((bad = pattern_mismatch(r->data + at, span, r->moved)) < span)
            errx(1, "%s: byte %llu is wrong", r->name, r->moved + bad);
        ring_consume(r, span);
    }
    printf("shm_ring: %llu bytes, every byte checked\n", r->moved);
}
static void check_name(const char *name)
{
    size_t len = strlen(name);

    if (name[0] != '/' || len < 2 || len > NAME_MAX + 1
        || strchr(name + 1, '/') != NULL)
        errx(2, "name: '%s' is not a slash and 1 to %d characters "
             "but a slash", name, NAME_MAX);
}

int main(int argc, char *argv[])
{
    struct ring r = { 0 };
    struct mapped m = { NULL, 0, NULL };
    size_t cap = 1 << 20;
    unsigned long long total = 1 << 20;
    long timeout = 10;
    int opt, check = 0;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "b:Chn:st:")) != -1) {
        switch (opt) {
        case 'b': cap = parse_size(optarg, 4096, RING_MAX, "ring size");
                  break;
        case 'C': check = 1; break;
        case 'n': total = parse_size(optarg, 0, (size_t)1 << 50, "size");
                  break;
        case 's': r.spin = 1; break;
        case 't': timeout = parse_long(optarg, 1, 3600, "seconds"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    argc -= optind, argv += optind;
    if (argc != 2)
        usage(2);
    if (strcmp(argv[0], "send") == 0)
        r.role = SENDER;
    else if (strcmp(argv[0], "recv") == 0)
        r.role = RECEIVER;
    else
        errx(2, "'%s' is not send or recv", argv[0]);
    if ((cap & (cap - 1)) != 0)
        errx(2, "ring size: %zu is not a power of two", cap);
    check_name(argv[1]);
    r.name = m.name = argv[1];
    if (r.role == RECEIVER)
        signal(SIGPIPE, SIG_IGN);           /* a closed output is EPIPE */
    ring_meet(&r, &m, (uint32_t)cap, timeout);
    if (r.role == SENDER && check)
        send_pattern(&r, total);
    else if (r.role == SENDER)
        send_input(&r);
    else if (check)
        check_pattern(&r);
    else
        receive_output(&r);
    map_unguard();
    map_release(&m);
    if (close(r.fd) == -1)
        err(1, "close %s", r.name);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

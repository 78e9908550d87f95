/*
 * svshm_board - a noticeboard in System V shared memory
 *
 * usage: svshm_board post
 *        svshm_board [-i ms] watch id
 *
 * post creates a board (a segment of mode 0600), prints its id, and posts
 * each line of standard input as the notice on it, replacing the one
 * before; at end of input it closes the board and removes the segment.
 * watch attaches board id read-only and prints each notice it sees, once,
 * looking every ms milliseconds (default 1), until the board is closed.
 * A watcher may miss notices posted between two looks; it never prints
 * part of one.  It fails if the poster dies without closing the board.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/io.h"
#include "lib/mapfile.h"
#include "lib/num.h"
#include "lib/prog.h"

enum { BOARD_WORDS = 512 };             /* 4096 bytes of text */
#define BOARD_MAGIC 0x424f415244303031ull /* "BOARD001" */

struct board {
    uint64_t magic;                     /* written before anyone attaches */
    _Alignas(64) atomic_ulong seq;      /* odd while a notice is written */
    atomic_int closed;                  /* the poster is done */
    atomic_uint len;                    /* bytes of text */
    _Alignas(64) atomic_ulong text[BOARD_WORDS];
};
static int remove_segment(const char *name)
{
    int id = 0;

    while (*name >= '0' && *name <= '9')
        id = id * 10 + (*name++ - '0');
    return shmctl(id, IPC_RMID, NULL);
}

static void remove_segment_at_exit(int id)
{
    char name[16];

    (void)snprintf(name, sizeof name, "%d", id);
    cleanup_push(remove_segment, name);
}
static unsigned long long shm_limit(const char *name)
{
    char path[64];
    unsigned long long v = 0;
    FILE *f;

    (void)snprintf(path, sizeof path, "/proc/sys/kernel/%s", name);
    if ((f = fopen(path, "r")) == NULL)
        err(1, "%s", path);
    if (fscanf(f, "%llu", &v) != 1)
        errx(1, "%s: not a number", path);
    fclose(f);
    return v;
}

static void shmget_failed(size_t size)
{
    int e = errno;

    if (e == EINVAL && size > shm_limit("shmmax"))
        errx(1, "shmget %zu bytes: above kernel.shmmax (%llu, "
             "/proc/sys/kernel/shmmax)", size, shm_limit("shmmax"));
    if (e == ENOSPC)
        errx(1, "shmget %zu bytes: kernel.shmmni (%llu segments) or "
             "kernel.shmall (%llu pages) reached", size,
             shm_limit("shmmni"), shm_limit("shmall"));
    errno = e;
    err(1, "shmget %zu bytes", size);
}
static void check_ours(int id, const char *what)
{
    struct shmid_ds ds;

    if (shmctl(id, IPC_STAT, &ds) == -1)
        err(1, "%s: segment %d: IPC_STAT", what, id);
    if (ds.shm_perm.uid != getuid() || ds.shm_perm.cuid != getuid())
        errx(1, "%s: segment %d belongs to uid %ld, not to us: refused",
             what, id, (long)ds.shm_perm.uid);
    if ((ds.shm_perm.mode & 0777) != 0600)
        errx(1, "%s: segment %d has mode %03o, not 0600: refused", what,
             id, ds.shm_perm.mode & 0777);
}
static void post(struct board *b, const char *line, size_t len)
{
    unsigned long words[BOARD_WORDS] = { 0 };
    unsigned long seq = atomic_load_explicit(&b->seq, memory_order_relaxed);

    memcpy(words, line, len);
    atomic_store_explicit(&b->seq, seq + 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_release);
    for (size_t i = 0; i < (len + sizeof words[0] - 1) / sizeof words[0];
         i++)
        atomic_store_explicit(&b->text[i], words[i], memory_order_relaxed);
    atomic_store_explicit(&b->len, (unsigned)len, memory_order_relaxed);
    atomic_store_explicit(&b->seq, seq + 2, memory_order_release);
}
static int read_notice(const struct board *b, char *out, size_t *len,
                       unsigned long *seq)
{
    unsigned long words[BOARD_WORDS];
    unsigned long s1, s2;
    size_t n;

    s1 = atomic_load_explicit(&b->seq, memory_order_acquire);
    n = atomic_load_explicit(&b->len, memory_order_relaxed);
    if (n > sizeof words)
        n = sizeof words;               /* torn: s2 will tell */
    for (size_t i = 0; i < (n + sizeof words[0] - 1) / sizeof words[0]; i++)
        words[i] = atomic_load_explicit(&b->text[i], memory_order_relaxed);
    atomic_thread_fence(memory_order_acquire);
    s2 = atomic_load_explicit(&b->seq, memory_order_relaxed);
    if (s1 != s2 || s1 % 2 == 1)
        return 0;
    memcpy(out, words, n);
    *len = n;
    *seq = s1;
    return 1;
}
static void run_poster(void)
{
    int id = shmget(IPC_PRIVATE, sizeof(struct board),
                    IPC_CREAT | IPC_EXCL | 0600);
    struct board *b;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    if (id == -1)
        shmget_failed(sizeof(struct board));
    remove_segment_at_exit(id);
    if ((b = shmat(id, NULL, 0)) == (void *)-1)
        err(1, "shmat %d", id);
    b->magic = BOARD_MAGIC;
    printf("%d\n", id);
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    while ((n = getline(&line, &cap, stdin)) != -1) {
        if (n > 0 && line[n - 1] == '\n')
            n--;
        if ((size_t)n > sizeof b->text) {
            free(line);
            errx(1, "a line of %zd bytes is longer than the board (%zu)", n,
                 sizeof b->text);
        }
        post(b, line, (size_t)n);
    }
    if (ferror(stdin))
        err(1, "stdin");
    atomic_store_explicit(&b->closed, 1, memory_order_release);
    free(line);
}
static const struct board *attach_board(int id, struct mapped *m)
{
    static char name[32];
    struct shmid_ds ds;
    const struct board *b;

    (void)snprintf(name, sizeof name, "board %d", id);
    check_ours(id, name);
    if (shmctl(id, IPC_STAT, &ds) == -1)
        err(1, "%s: IPC_STAT", name);
    if (ds.shm_segsz != sizeof *b)
        errx(1, "%s: %zu bytes, not a board", name, (size_t)ds.shm_segsz);
    if ((b = shmat(id, NULL, SHM_RDONLY)) == (void *)-1)
        err(1, "%s: shmat", name);
    if (b->magic != BOARD_MAGIC)
        errx(1, "%s: not a board", name);
    *m = (struct mapped){ .addr = (void *)b, .len = sizeof *b, .name = name };
    map_guard(m);
    return b;
}
/* Has the poster detached?  *removed says whether it removed the board. */
static int poster_gone(int id, int *removed)
{
    struct shmid_ds ds;

    if (shmctl(id, IPC_STAT, &ds) == -1)
        err(1, "board %d: IPC_STAT", id);
    *removed = (ds.shm_perm.mode & SHM_DEST) != 0;
    return ds.shm_nattch < 2;           /* only we are left */
}

static void print_notice(const char *text, size_t len)
{
    if (write_full(STDOUT_FILENO, text, len) == -1
        || write_full(STDOUT_FILENO, "\n", 1) == -1)
        err(1, "stdout");
}
static void run_watcher(int id, long ms)
{
    struct mapped m;
    const struct board *b = attach_board(id, &m);
    struct timespec interval;
    unsigned long seen = 0, seq;
    char text[sizeof b->text];
    size_t len;
    int removed;

    for (unsigned long looks = 1;; looks++) {
        int closed = atomic_load_explicit(&b->closed, memory_order_acquire);
        int whole = read_notice(b, text, &len, &seq);

        if (whole && seq != seen) {
            print_notice(text, len);
            seen = seq;
        }
        if (closed && whole)
            break;
        if (looks % 100 == 0 && poster_gone(id, &removed)
            && !atomic_load_explicit(&b->closed, memory_order_acquire)) {
            if (removed)
                errx(1, "board %d: the poster is gone without closing it",
                     id);
            errx(1, "board %d: the poster is gone without closing it; "
                 "remove it with 'ipcrm -m %d'", id, id);
        }
        interval = (struct timespec){ ms / 1000, ms % 1000 * 1000000 };
        while (nanosleep(&interval, &interval) == -1 && errno == EINTR)
            continue;
    }
    map_unguard();
    if (shmdt(b) == -1)
        err(1, "board %d: shmdt", id);
}
static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: svshm_board post\n"
            "       svshm_board [-i ms] watch id\n");
    exit(status);
}
int main(int argc, char *argv[])
{
    long ms = 1;
    int opt;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "hi:")) != -1) {
        switch (opt) {
        case 'i': ms = parse_long(optarg, 1, 10000, "interval"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind == 1 && strcmp(argv[optind], "post") == 0)
        run_poster();
    else if (argc - optind == 2 && strcmp(argv[optind], "watch") == 0)
        run_watcher((int)parse_long(argv[optind + 1], 0, 0x7fffffff,
                                    "board id"), ms);
    else
        usage(2);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

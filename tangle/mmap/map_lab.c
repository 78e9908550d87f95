/*
 * map_lab - small experiments that show how memory mappings behave
 *
 * usage: map_lab experiment [operand...]
 *        map_lab -l
 *
 * Runs one experiment and prints what it observed, one sentence a line.
 * -l lists the experiments and their operands.  Experiments on files
 * take an existing file, which some of them change (as they say).  Each
 * is a rule of chapter 8 of ipc-book, and a test checks what it prints.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib/num.h"
#include "lib/prog.h"

static void *map(size_t len, int prot, int flags, int fd, off_t off)
{
    void *p = mmap(NULL, len, prot, flags, fd, off);

    if (p == MAP_FAILED)
        err(1, "mmap");
    return p;
}

static void unmap(void *p, size_t len)
{
    if (munmap(p, len) == -1)
        err(1, "munmap");
}

static int open_file(const char *path, int flags)
{
    int fd = open(path, flags);

    if (fd == -1)
        err(1, "open %s", path);
    return fd;
}

static void close_file(int fd)
{
    if (close(fd) == -1)
        err(1, "close");
}

static size_t page_size(void)
{
    long n = sysconf(_SC_PAGE_SIZE);

    if (n == -1)
        err(1, "sysconf");
    return (size_t)n;
}

static const char *errname(int e)
{
    switch (e) {
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    default:     return "unexpected error";
    }
}

/* Print "what: ENAME (text)", for an error an experiment expected. */
static void report_error(const char *what)
{
    int e = errno;

    printf("%s: %s (%s)\n", what, errname(e), strerror(e));
}
static pid_t flush_and_fork(void)
{
    pid_t pid;

    if (fflush(stdout) == EOF)
        err(1, "stdout");
    if ((pid = fork()) == -1)
        err(1, "fork");
    return pid;
}

static void reap(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR)
            err(1, "waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        errx(1, "child %ld failed", (long)pid);
}
/* The permissions and path of the mapping starting at p, from
 * /proc/self/maps, into out; "not mapped" if there is none. */
static void maps_entry(const void *p, char *out, size_t size)
{
    char line[512], start[32];
    FILE *f = fopen("/proc/self/maps", "r");
    int found = 0;

    if (f == NULL)
        err(1, "/proc/self/maps");
    snprintf(start, sizeof start, "%08lx-", (unsigned long)(uintptr_t)p);
    while (!found && fgets(line, sizeof line, f) != NULL) {
        char perms[8] = "", path[256] = "";
        if (strncmp(line, start, strlen(start)) != 0)
            continue;
        sscanf(line, "%*s %7s %*s %*s %*s %255[^\n]", perms, path);
        snprintf(out, size, "%s %s", perms, path);
        found = 1;
    }
    if (!found)
        snprintf(out, size, "not mapped");
    fclose(f);
}
static sigjmp_buf fault_jump;
static volatile sig_atomic_t fault_code;

static void on_fault(int sig, siginfo_t *si, void *context)
{
    (void)context;
    fault_code = si->si_code;
    siglongjmp(fault_jump, sig);
}

/* Read the byte at p (value < 0) or store value there; 0 if that
 * worked, else the signal it raised (SIGSEGV, SIGBUS). */
static int touch(volatile unsigned char *p, int value)
{
    struct sigaction sa, old_segv, old_bus;
    int sig;

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, &old_segv) == -1
        || sigaction(SIGBUS, &sa, &old_bus) == -1)
        err(1, "sigaction");
    if ((sig = sigsetjmp(fault_jump, 1)) == 0) {
        if (value < 0)
            (void)*p;
        else
            *p = (unsigned char)value;
    }
    if (sigaction(SIGSEGV, &old_segv, NULL) == -1
        || sigaction(SIGBUS, &old_bus, NULL) == -1)
        err(1, "sigaction");
    return sig;
}
static const char *fault_name(int sig)
{
    if (sig == SIGSEGV)
        return fault_code == SEGV_MAPERR ? "SIGSEGV (SEGV_MAPERR)"
             : fault_code == SEGV_ACCERR ? "SIGSEGV (SEGV_ACCERR)"
             : "SIGSEGV";
    if (sig == SIGBUS)
        return fault_code == BUS_ADRERR ? "SIGBUS (BUS_ADRERR)" : "SIGBUS";
    return "no fault";
}

/* Touch offset off of the mapping at p and say what happened. */
static void try_access(unsigned char *p, size_t off, int value)
{
    int sig = touch(p + off, value);
    const char *how = value < 0 ? "reading" : "writing";

    if (sig == 0 && value < 0)
        printf("%s offset %zu: ok, byte %d\n", how, off, p[off]);
    else if (sig == 0)
        printf("%s offset %zu: ok\n", how, off);
    else
        printf("%s offset %zu: %s\n", how, off, fault_name(sig));
}
static void lab_zero(char *ops[])
{
    const size_t len = 1 << 20;
    const int flags[] = { MAP_PRIVATE, MAP_SHARED };
    const char *names[] = { "MAP_PRIVATE", "MAP_SHARED" };

    (void)ops;
    for (int i = 0; i < 2; i++) {
        unsigned char *p = map(len, PROT_READ | PROT_WRITE,
                               flags[i] | MAP_ANONYMOUS, -1, 0);
        size_t nonzero = 0;

        for (size_t j = 0; j < len; j++)
            nonzero += p[j] != 0;
        printf("%s|MAP_ANONYMOUS: %zu bytes, %zu of them not zero\n",
               names[i], len, nonzero);
        unmap(p, len);
    }
}
static volatile int *map_kind(const char *kind, size_t len)
{
    int fd;
    void *p;

    if (strcmp(kind, "shared") == 0)
        return map(len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);
    if (strcmp(kind, "private") == 0)
        return map(len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                   -1, 0);
    if (strcmp(kind, "devzero") != 0)
        errx(2, "kind: '%s' is not shared, private or devzero", kind);
    fd = open_file("/dev/zero", O_RDWR);
    p = map(len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close_file(fd);
    return p;
}

static void lab_fork(char *ops[])
{
    size_t len = page_size();
    volatile int *p = map_kind(ops[0], len);
    pid_t pid;

    p[0] = 1;
    printf("parent stored %d before fork\n", p[0]);
    if ((pid = flush_and_fork()) == 0) {         /* child */
        printf("child reads %d, stores 2\n", p[0]);
        p[0] = 2;
        fflush(stdout);
        _exit(0);
    }
    reap(pid);                                   /* parent */
    printf("after the child exited, parent reads %d\n", p[0]);
    unmap((void *)p, len);
}
static void lab_exec(char *ops[])
{
    size_t len = 3 * page_size();
    void *p = map(len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                  -1, 0);
    char entry[300], start[32];
    pid_t pid;

    (void)ops;
    maps_entry(p, entry, sizeof entry);
    printf("parent: %s\n", entry);
    snprintf(start, sizeof start, "%08lx", (unsigned long)(uintptr_t)p);
    if ((pid = flush_and_fork()) == 0) {         /* child */
        maps_entry(p, entry, sizeof entry);
        printf("child:  %s\n", entry);
        fflush(stdout);
        execl("/bin/sh", "sh", "-c",
              "if grep -q \"^$1-\" /proc/self/maps; then "
              "echo 'after execve: still mapped'; "
              "else echo 'after execve: not mapped'; fi", "sh", start,
              (char *)NULL);
        warn("execl /bin/sh");
        _exit(1);
    }
    reap(pid);                                   /* parent */
    unmap(p, len);
}
static void lab_noname(char *ops[])
{
    size_t len = page_size();
    volatile int *a = map_kind("devzero", len), *b = map_kind("devzero", len);

    (void)ops;
    a[0] = 42;
    printf("stored %d through the first mapping of /dev/zero\n", a[0]);
    printf("the second mapping of /dev/zero reads %d\n", b[0]);
    unmap((void *)a, len);
    unmap((void *)b, len);
}
static void lab_length0(char *ops[])
{
    (void)ops;
    if (mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        == MAP_FAILED)
        report_error("mmap of length 0");
    else
        printf("mmap of length 0 succeeded\n");
}
static void lab_unmap(char *ops[])
{
    size_t len = page_size();
    unsigned char *p = map(len, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    (void)ops;
    try_access(p, 0, 'x');
    unmap(p, len);
    printf("after munmap:\n");
    try_access(p, 0, -1);
}
static void show_observers(int fd, const char *path, size_t len)
{
    char buf[7];
    pid_t pid;

    if (pread(fd, buf, 6, 0) != 6)
        errx(1, "%s: cannot read 6 bytes", path);
    printf("read(2) sees \"%.6s\"\n", buf);
    if ((pid = flush_and_fork()) == 0) {         /* child: a mapping of */
        int cfd = open_file(path, O_RDONLY);     /* its own */
        char *q = map(len, PROT_READ, MAP_SHARED, cfd, 0);
        printf("another mapping sees \"%.6s\"\n", q);
        fflush(stdout);
        _exit(0);
    }
    reap(pid);
}

static void store_and_look(const char *path, int flags)
{
    int fd = open_file(path, O_RDWR);
    size_t len = page_size();
    char *p = map(len, PROT_READ | PROT_WRITE, flags, fd, 0);

    memcpy(p, "MAPPED", 6);
    printf("stored \"MAPPED\" through the mapping\n");
    show_observers(fd, path, len);
    unmap(p, len);
    close_file(fd);
}

static void lab_shared(char *ops[])
{
    store_and_look(ops[0], MAP_SHARED);
}

static void lab_private(char *ops[])
{
    store_and_look(ops[0], MAP_PRIVATE);
}
static void lab_privsee(char *ops[])
{
    int fd = open_file(ops[0], O_RDWR);
    size_t len = page_size();
    volatile char *p = map(len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

    printf("the mapping reads '%c'\n", p[0]);
    if (pwrite(fd, "A", 1, 0) != 1)
        err(1, "pwrite");
    printf("after pwrite of 'A': the mapping reads '%c'\n", p[0]);
    p[1] = '*';
    printf("stored '*' at offset 1 through the mapping: the page is copied\n");
    if (pwrite(fd, "B", 1, 0) != 1)
        err(1, "pwrite");
    printf("after pwrite of 'B': the mapping reads '%c'\n", p[0]);
    unmap((void *)p, len);
    close_file(fd);
}
static void lab_offset(char *ops[])
{
    int fd = open_file(ops[0], O_RDONLY);
    long off = parse_long(ops[1], 0, 1L << 30, "offset");
    size_t len = page_size();
    char *p;

    printf("page size %zu\n", len);
    p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, (off_t)off);
    if (p == MAP_FAILED) {
        report_error("mmap at that offset");
    } else {
        printf("mapped from offset %ld: first byte '%c'\n", off, p[0]);
        unmap(p, len);
    }
    close_file(fd);
}
static void lab_close(char *ops[])
{
    int fd = open_file(ops[0], O_RDONLY);
    size_t len = page_size();
    char *p = map(len, PROT_READ, MAP_SHARED, fd, 0);

    close_file(fd);
    if (fcntl(fd, F_GETFD) == -1 && errno == EBADF)
        printf("descriptor %d closed\n", fd);
    printf("the mapping still reads \"%.5s\"\n", p);
    unmap(p, len);
}
static void try_map(const char *path, int oflags, const char *oname,
                    int prot, int flags, const char *what)
{
    int fd = open_file(path, oflags);
    size_t len = page_size();
    char label[128];
    void *p = mmap(NULL, len, prot, flags, fd, 0);

    snprintf(label, sizeof label, "%s, %s", oname, what);
    if (p == MAP_FAILED) {
        report_error(label);
    } else {
        printf("%s: mapped\n", label);
        unmap(p, len);
    }
    close_file(fd);
}

static void lab_access(char *ops[])
{
    try_map(ops[0], O_RDONLY, "O_RDONLY", PROT_READ, MAP_SHARED,
            "PROT_READ MAP_SHARED");
    try_map(ops[0], O_RDONLY, "O_RDONLY", PROT_READ | PROT_WRITE,
            MAP_SHARED, "PROT_WRITE MAP_SHARED");
    try_map(ops[0], O_RDONLY, "O_RDONLY", PROT_READ | PROT_WRITE,
            MAP_PRIVATE, "PROT_WRITE MAP_PRIVATE");
    try_map(ops[0], O_WRONLY, "O_WRONLY", PROT_WRITE, MAP_SHARED,
            "PROT_WRITE MAP_SHARED");
}
static void lab_readonly(char *ops[])
{
    int fd = open_file(ops[0], O_RDWR);
    size_t len = page_size();
    unsigned char *p = map(len, PROT_READ, MAP_SHARED, fd, 0);

    close_file(fd);
    try_access(p, 0, -1);
    try_access(p, 0, 'x');
    unmap(p, len);
}
static void lab_grow(char *ops[])
{
    int fd = open_file(ops[0], O_RDWR);
    size_t len = 2 * page_size();
    unsigned char *p;

    if (ftruncate(fd, 100) == -1)
        err(1, "ftruncate");
    p = map(len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    printf("file of 100 bytes, mapping of %zu\n", len);
    try_access(p, 100, -1);
    try_access(p, len / 2, -1);
    if (ftruncate(fd, (off_t)len) == -1)
        err(1, "ftruncate");
    printf("after ftruncate to %zu bytes:\n", len);
    try_access(p, len / 2, 'x');
    try_access(p, len / 2, -1);
    unmap(p, len);
    close_file(fd);
}
static void lab_empty(char *ops[])
{
    int fd = open_file(ops[0], O_RDONLY);
    struct stat st;

    if (fstat(fd, &st) == -1)
        err(1, "fstat");
    printf("file size %lld\n", (long long)st.st_size);
    if (mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0)
        == MAP_FAILED)
        report_error("mmap of the whole file");
    else
        printf("mmap of the whole file succeeded\n");
    close_file(fd);
}
static long long mtime(int fd)
{
    struct stat st;

    if (fstat(fd, &st) == -1)
        err(1, "fstat");
    return (long long)st.st_mtime;
}

static void lab_msync(char *ops[])
{
    int fd = open_file(ops[0], O_RDWR);
    const struct timespec epoch[2] = { { 0, 0 }, { 0, 0 } };
    size_t len = page_size();
    char *p = map(len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

    if (futimens(fd, epoch) == -1)
        err(1, "futimens");
    printf("mtime %lld\n", mtime(fd));
    p[0] = p[0] == 'x' ? 'y' : 'x';
    if (msync(p, len, MS_SYNC) == -1)
        err(1, "msync");
    printf("after a store and msync(MS_SYNC): mtime %s\n",
           mtime(fd) > 0 ? "updated" : "unchanged");
    if (msync(p + 1, len - 1, MS_SYNC) == -1)
        report_error("msync of an address inside a page");
    if (msync(p, len, MS_SYNC | MS_ASYNC) == -1)
        report_error("msync with MS_SYNC|MS_ASYNC");
    unmap(p, len);
    if (msync(p, len, MS_SYNC) == -1)
        report_error("msync after munmap");
    close_file(fd);
}
static void lab_fixed(char *ops[])
{
    size_t len = page_size();
    const int anon = MAP_PRIVATE | MAP_ANONYMOUS;
    volatile int *p = map(len, PROT_READ | PROT_WRITE, anon, -1, 0), *q;

    (void)ops;
    p[0] = 42;
    printf("a page at the address holds %d\n", p[0]);
    q = mmap((void *)p, len, PROT_READ | PROT_WRITE,
             anon | MAP_FIXED_NOREPLACE, -1, 0);
    if (q == MAP_FAILED) {
        report_error("MAP_FIXED_NOREPLACE there");
    } else {                            /* a kernel before 4.17 */
        printf("MAP_FIXED_NOREPLACE there: mapped at %s address\n",
               q == p ? "the same" : "another");
        if (q != p)
            unmap((void *)q, len);
    }
    q = mmap((void *)p, len, PROT_READ | PROT_WRITE, anon | MAP_FIXED,
             -1, 0);
    if (q == MAP_FAILED)
        err(1, "mmap MAP_FIXED");
    printf("MAP_FIXED there: no error; the page now holds %d\n", p[0]);
    unmap((void *)p, len);
}
struct twice_head {
    uint64_t offset;                    /* of the string: same everywhere */
    char *pointer;                      /* to it: valid in one mapping */
};

static void lab_twice(char *ops[])
{
    int fd = open_file(ops[0], O_RDWR);
    size_t len = page_size();
    char *a = map(len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *b = map(len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    struct twice_head *ha = (struct twice_head *)a;
    struct twice_head *hb = (struct twice_head *)b;

    close_file(fd);
    printf("the file is mapped at two addresses, %s\n",
           a != b ? "different" : "the same");
    strcpy(a + 64, "a string in the file");
    ha->offset = 64;
    ha->pointer = a + 64;
    printf("through the second mapping, the offset leads to %s\n",
           b + hb->offset == b + 64 ? "its own copy of the string"
                                    : "somewhere else");
    printf("through the second mapping, the pointer leads %s\n",
           hb->pointer >= b && hb->pointer < b + len
               ? "into the second mapping"
               : "outside the second mapping");
    unmap(a, len);
    unmap(b, len);
}
static const char *lock_free(int macro)
{
    return macro == 2 ? "always lock-free"
         : macro == 1 ? "sometimes lock-free" : "never lock-free";
}

static void lab_lockfree(char *ops[])
{
    _Atomic uint64_t u64;

    (void)ops;
    printf("atomic_int: %s\n", lock_free(ATOMIC_INT_LOCK_FREE));
    printf("atomic_long: %s\n", lock_free(ATOMIC_LONG_LOCK_FREE));
    printf("atomic_llong: %s\n", lock_free(ATOMIC_LLONG_LOCK_FREE));
    printf("atomic_is_lock_free(_Atomic uint64_t): %s\n",
           atomic_is_lock_free(&u64) ? "yes" : "no");
}
struct pair {
    _Alignas(64) atomic_ulong seq;      /* odd while the writer writes */
    _Alignas(64) atomic_ulong a, b;     /* always equal, when whole */
    _Alignas(64) atomic_int stop;       /* the reader is done */
};
static void write_pairs(struct pair *p, int seqlock)
{
    unsigned long v = 0;

    while (!atomic_load_explicit(&p->stop, memory_order_relaxed)) {
        v++;
        if (seqlock) {
            atomic_store_explicit(&p->seq, 2 * v - 1, memory_order_relaxed);
            atomic_thread_fence(memory_order_release);
        }
        atomic_store_explicit(&p->a, v, memory_order_relaxed);
        atomic_store_explicit(&p->b, v, memory_order_relaxed);
        if (seqlock)
            atomic_store_explicit(&p->seq, 2 * v, memory_order_release);
    }
}
static int read_pair(struct pair *p, int seqlock)
{
    unsigned long s1, s2, a, b;

    do {
        s1 = seqlock ? atomic_load_explicit(&p->seq, memory_order_acquire)
                     : 0;
        a = atomic_load_explicit(&p->a, memory_order_relaxed);
        b = atomic_load_explicit(&p->b, memory_order_relaxed);
        if (seqlock)
            atomic_thread_fence(memory_order_acquire);
        s2 = seqlock ? atomic_load_explicit(&p->seq, memory_order_relaxed)
                     : 0;
    } while (s1 != s2 || s1 % 2 == 1);
    return a != b;
}
static double now_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
        err(1, "clock_gettime");
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void lab_torn(char *ops[])
{
    int seqlock = strcmp(ops[0], "seqlock") == 0;
    long ms = parse_long(ops[1], 1, 60000, "milliseconds");
    struct pair *p = map(sizeof *p, PROT_READ | PROT_WRITE,
                         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    unsigned long reads = 0, torn = 0;
    double end;
    pid_t pid;

    if (!seqlock && strcmp(ops[0], "relaxed") != 0)
        errx(2, "mode: '%s' is not relaxed or seqlock", ops[0]);
    if ((pid = flush_and_fork()) == 0) {         /* child: the writer */
        write_pairs(p, seqlock);
        _exit(0);
    }
    end = now_ms() + (double)ms;                 /* parent: the reader */
    while (reads % 4096 != 0 || now_ms() < end) {
        torn += (unsigned long)read_pair(p, seqlock);
        reads++;
    }
    atomic_store_explicit(&p->stop, 1, memory_order_relaxed);
    reap(pid);
    printf("%s: %lu reads, %lu torn\n", ops[0], reads, torn);
    unmap(p, sizeof *p);
}
struct experiment {
    const char *name;
    const char *operands;               /* synopsis of its operands */
    int nops;
    void (*run)(char *ops[]);
    const char *shows;
};

static const struct experiment experiments[] = {
    { "zero", "", 0, lab_zero, "anonymous pages start zero-filled" },
    { "fork", "shared|private|devzero", 1, lab_fork,
      "a child's store is seen by the parent only in a shared mapping" },
    { "exec", "", 0, lab_exec,
      "a child inherits a mapping as it is; execve removes it" },
    { "noname", "", 0, lab_noname,
      "two mappings of /dev/zero are two different memories" },
    { "length0", "", 0, lab_length0, "mmap of 0 bytes fails EINVAL" },
    { "unmap", "", 0, lab_unmap, "touching an unmapped range is SIGSEGV" },
    { "shared", "FILE", 1, lab_shared,
      "MAP_SHARED stores reach the file, read(2) and other mappings" },
    { "private", "FILE", 1, lab_private,
      "MAP_PRIVATE stores reach nothing but the process's copy" },
    { "privsee", "FILE", 1, lab_privsee,
      "a private mapping sees others' changes until its own first store" },
    { "offset", "FILE OFFSET", 2, lab_offset,
      "the offset must be a multiple of the page size" },
    { "close", "FILE", 1, lab_close,
      "the mapping outlives the descriptor it was made from" },
    { "access", "FILE", 1, lab_access,
      "the descriptor's access mode limits the mapping: EACCES" },
    { "readonly", "FILE", 1, lab_readonly,
      "a store into a PROT_READ mapping is SIGSEGV" },
    { "grow", "FILE", 1, lab_grow,
      "beyond the end of the file is SIGBUS, until ftruncate grows it" },
    { "empty", "FILE", 1, lab_empty,
      "mapping the whole of an empty file fails EINVAL" },
    { "msync", "FILE", 1, lab_msync,
      "msync(MS_SYNC) writes back; mtime follows the store" },
    { "fixed", "", 0, lab_fixed,
      "MAP_FIXED replaces a mapping silently; NOREPLACE fails EEXIST" },
    { "twice", "FILE", 1, lab_twice,
      "one file at two addresses: store offsets, not pointers" },
    { "lockfree", "", 0, lab_lockfree,
      "which atomics are lock-free, so usable between processes" },
    { "torn", "relaxed|seqlock MS", 2, lab_torn,
      "a pair read without ordering can be torn; a seqlock never is" },
};
enum { NEXPERIMENTS = sizeof experiments / sizeof experiments[0] };
static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: map_lab experiment [operand...]\n"
            "       map_lab -l    list the experiments\n");
    exit(status);
}

static void list_experiments(void)
{
    for (int i = 0; i < NEXPERIMENTS; i++)
        printf("%-9s %-19s %s\n", experiments[i].name,
               experiments[i].operands, experiments[i].shows);
}
int main(int argc, char *argv[])
{
    const struct experiment *e = NULL;
    int opt, list = 0;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "hl")) != -1) {
        switch (opt) {
        case 'l': list = 1; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (list && optind == argc) {
        list_experiments();
    } else {
        if (list || optind == argc)
            usage(2);
        for (int i = 0; i < NEXPERIMENTS && e == NULL; i++)
            if (strcmp(argv[optind], experiments[i].name) == 0)
                e = &experiments[i];
        if (e == NULL)
            errx(2, "no experiment '%s' (map_lab -l lists them)",
                 argv[optind]);
        if (argc - optind - 1 != e->nops)
            errx(2, "usage: map_lab %s %s", e->name, e->operands);
        e->run(argv + optind + 1);
    }
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

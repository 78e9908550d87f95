/*
 * pipe_lab - small experiments that show how a Linux pipe behaves
 *
 * usage: pipe_lab experiment [operand...]
 *        pipe_lab -l
 *
 * Runs one experiment on a fresh pipe and prints what it observed, one
 * sentence a line.  -l lists the experiments and what each shows.  Each
 * is a rule of chapter 2 of ipc-book, and a test checks what it prints.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib/io.h"
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/sig.h"

static const char *access_mode(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags == -1)
        err(1, "fcntl F_GETFL");
    switch (flags & O_ACCMODE) {
    case O_RDONLY: return "read-only";
    case O_WRONLY: return "write-only";
    default:       return "read-write";
    }
}
static void new_pipe(int fd[2], int flags)
{
    if (pipe2(fd, flags) == -1)
        err(1, "pipe2");
}

static void close_end(int fd)
{
    if (close(fd) == -1)
        err(1, "close");
}
static const char *errname(int e)
{
    switch (e) {
    case EAGAIN: return "EAGAIN";
    case EBADF:  return "EBADF";
    case EBUSY:  return "EBUSY";
    case ECHILD: return "ECHILD";
    case EINTR:  return "EINTR";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case EPERM:  return "EPERM";
    case EPIPE:  return "EPIPE";
    case ESPIPE: return "ESPIPE";
    default:     return "unexpected error";
    }
}

/* Print "what: ENAME (text)" for the error an experiment expected. */
static void report_error(const char *what)
{
    int e = errno;

    printf("%s: %s (%s)\n", what, errname(e), strerror(e));
}
static int open_devnull(void)
{
    int fd = open("/dev/null", O_RDONLY);

    if (fd == -1)
        err(1, "/dev/null");
    return fd;
}

static void set_nofile(struct rlimit *rl)
{
    if (setrlimit(RLIMIT_NOFILE, rl) == -1)
        err(1, "setrlimit RLIMIT_NOFILE");
}
static volatile sig_atomic_t caught;

static void count_signal(int sig)
{
    (void)sig;
    caught = caught + 1;
}

/* Count sig; flags is 0 (it interrupts calls) or SA_RESTART. */
static void catch_signal(int sig, int flags)
{
    sig_catch(sig, count_signal, flags);    /* chapter 1's lib/sig.h */
}
/* SIGALRM once, ms milliseconds from now, caught with the given flags. */
static void alarm_in(long ms, int flags)
{
    struct itimerval it = { { 0, 0 }, { ms / 1000, ms % 1000 * 1000 } };

    catch_signal(SIGALRM, flags);
    if (setitimer(ITIMER_REAL, &it, NULL) == -1)
        err(1, "setitimer");
}

static void set_nonblock(int fd, int on)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags == -1)
        err(1, "fcntl F_GETFL");
    flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
    if (fcntl(fd, F_SETFL, flags) == -1)
        err(1, "fcntl F_SETFL");
}
static pid_t flush_and_fork(void)
{
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    return fork();
}

static _Noreturn void child_fail(const char *what)
{
    warn("%s", what);
    _exit(1);
}

static int reap(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR)
            err(1, "waitpid");
    return status;
}
static volatile sig_atomic_t reaped;

static void reap_children(int sig)
{
    int e = errno;

    (void)sig;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        reaped = reaped + 1;
    errno = e;
}
static int capacity(int fd)
{
    int size = fcntl(fd, F_GETPIPE_SZ);

    if (size == -1)
        err(1, "fcntl F_GETPIPE_SZ");
    return size;
}
static long fill(int fd, size_t size)
{
    static const char zeros[65536];
    long total = 0;
    ssize_t n;

    while ((n = write(fd, zeros, size)) > 0)
        total += n;
    if (n == -1 && errno != EAGAIN)
        err(1, "write");
    return total;
}
static const void *fill_bytes(size_t n)
{
    static char bytes[65536];

    memset(bytes, 'x', n);
    return bytes;
}
static int unread(int fd)
{
    int n;

    if (ioctl(fd, FIONREAD, &n) == -1)
        err(1, "ioctl FIONREAD");
    return n;
}
static void write_or_die(int fd, const char *s, size_t n)
{
    if (write(fd, s, n) != (ssize_t)n)
        err(1, "write");
}
/* The number in a /proc/sys file such as pipe-user-pages-soft. */
static long proc_number(const char *path)
{
    FILE *f = fopen(path, "r");
    long v;

    if (f == NULL)
        err(1, "%s", path);
    if (fscanf(f, "%ld", &v) != 1)
        errx(1, "%s: no number in it", path);
    fclose(f);
    return v;
}
/* Does select say fd is writable right now? */
static int writable(int fd)
{
    fd_set set;
    struct timeval now = { 0, 0 };
    int n;

    FD_ZERO(&set);
    FD_SET(fd, &set);
    if ((n = select(fd + 1, NULL, &set, NULL, &now)) == -1)
        err(1, "select");
    return n == 1 && FD_ISSET(fd, &set);
}
/* Print "what: FLAG..." for what poll reports on fd right now. */
static void print_poll(const char *what, int fd, short events)
{
    struct pollfd p = { .fd = fd, .events = events };

    if (poll(&p, 1, 0) == -1)
        err(1, "poll");
    printf("%s:%s%s%s%s%s\n", what,
           p.revents & POLLIN ? " POLLIN" : "",
           p.revents & POLLOUT ? " POLLOUT" : "",
           p.revents & POLLHUP ? " POLLHUP" : "",
           p.revents & POLLERR ? " POLLERR" : "",
           p.revents == 0 ? " nothing" : "");
}
static void print_reads(int fd, size_t bufsize)
{
    char buf[8192];
    ssize_t n;
    int reads = 0;

    while ((n = read(fd, buf, bufsize)) > 0) {
        if (n <= 16)
            printf(" \"%.*s\"", (int)n, buf);
        else
            printf(" %zd bytes", n);
        reads++;
    }
    if (n == -1 && errno != EAGAIN)
        err(1, "read");
    printf("%s\n", reads ? "" : " nothing");
}
/* Pin this process, and the children it forks from now on, to the first
 * CPU it may use; return that CPU. */
static int pin_to_one_cpu(void)
{
    cpu_set_t set;
    int cpu = 0;

    if (sched_getaffinity(0, sizeof set, &set) == -1)
        err(1, "sched_getaffinity");
    while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &set))
        cpu++;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) == -1)
        err(1, "sched_setaffinity");
    return cpu;
}
static void lab_ends(char *ops[])
{
    int fd[2];
    char buf[16];
    ssize_t n;

    (void)ops;
    new_pipe(fd, 0);
    printf("fd[0] is %s, fd[1] is %s\n", access_mode(fd[0]),
           access_mode(fd[1]));
    if (write_full(fd[1], "hello", 5) == -1)
        err(1, "write");
    if ((n = read(fd[0], buf, sizeof buf)) == -1)
        err(1, "read");
    printf("wrote \"hello\" into fd[1], read \"%.*s\" from fd[0]\n",
           (int)n, buf);
    if (write(fd[0], "x", 1) == -1)
        report_error("write to fd[0]");
    else
        printf("write to fd[0] worked: this pipe is two-way\n");
    if (read(fd[1], buf, sizeof buf) == -1)
        report_error("read from fd[1]");
    else
        printf("read from fd[1] worked: this pipe is two-way\n");
    close_end(fd[0]);
    close_end(fd[1]);
}
static void lab_stat(char *ops[])
{
    int fd[2];
    struct stat st;

    (void)ops;
    new_pipe(fd, 0);
    if (write_full(fd[1], "0123456789", 10) == -1)
        err(1, "write");
    for (int i = 0; i < 2; i++) {
        if (fstat(fd[i], &st) == -1)
            err(1, "fstat");
        printf("fd[%d]: S_ISFIFO %s, st_size %lld with 10 bytes unread\n", i,
               S_ISFIFO(st.st_mode) ? "true" : "false",
               (long long)st.st_size);
    }
    if (lseek(fd[0], 0, SEEK_SET) == -1)
        report_error("lseek on fd[0]");
    else
        printf("lseek on fd[0] worked\n");
    close_end(fd[0]);
    close_end(fd[1]);
}
static void lab_onefree(char *ops[])
{
    struct rlimit old, one;
    int fd[2], last = open_devnull();   /* the lowest free descriptor */

    (void)ops;
    close_end(last);
    if (getrlimit(RLIMIT_NOFILE, &old) == -1)
        err(1, "getrlimit RLIMIT_NOFILE");
    one = old;
    one.rlim_cur = (rlim_t)last + 1;
    set_nofile(&one);
    if (pipe(fd) == -1)
        report_error("pipe with one descriptor free");
    else
        printf("pipe with one descriptor free worked: fd %d and %d\n",
               fd[0], fd[1]);
    fd[0] = open_devnull();
    printf("descriptor %s still free afterwards\n",
           fd[0] == last ? "is" : "is NOT");
    close_end(fd[0]);
    set_nofile(&old);
}
static void lab_badflag(char *ops[])
{
    int fd[2];

    (void)ops;
    if (pipe2(fd, O_APPEND) == -1) {
        report_error("pipe2 with O_APPEND");
    } else {
        printf("pipe2 with O_APPEND worked\n");
        close_end(fd[0]);
        close_end(fd[1]);
    }
}
static void lab_empty(char *ops[])
{
    int fd[2];
    char c;

    (void)ops;
    new_pipe(fd, O_NONBLOCK);
    if (read(fd[0], &c, 1) == -1)
        report_error("O_NONBLOCK read, empty pipe");
    set_nonblock(fd[0], 0);
    alarm_in(200, 0);
    if (read(fd[0], &c, 1) == -1)
        report_error("blocking read, empty pipe, 200 ms later");
    close_end(fd[0]);
    close_end(fd[1]);
}
static void lab_eof(char *ops[])
{
    int data[2], hold[2];
    pid_t w1, w2;
    char buf[16];
    ssize_t n;

    (void)ops;
    new_pipe(data, 0);
    new_pipe(hold, 0);
    switch (w1 = flush_and_fork()) {
    case -1:
        err(1, "fork");
    case 0:                                 /* writer 1 */
        if (write(data[1], "1", 1) != 1)
            child_fail("write");
        _exit(0);                           /* closes its descriptors */
    }
    switch (w2 = flush_and_fork()) {
    case -1:
        err(1, "fork");
    case 0:                                 /* writer 2 */
        if (close(hold[1]) == -1)           /* else it waits for itself */
            child_fail("close");
        if (read(hold[0], buf, 1) == -1)    /* 0 once parent closes hold[1] */
            child_fail("read");
        _exit(0);
    }
    close_end(data[1]);                 /* ours: else no EOF, ever */
    close_end(hold[0]);                 /* only writer 2 reads it */
    reap(w1);
    if ((n = read(data[0], buf, sizeof buf)) == -1)
        err(1, "read");
    printf("writer 1 wrote and exited; read returned %zd byte: \"%.*s\"\n",
           n, (int)n, buf);
    set_nonblock(data[0], 1);
    if (read(data[0], buf, sizeof buf) == -1)
        report_error("writer 2 holds fd[1]: no EOF; read");
    set_nonblock(data[0], 0);
    close_end(hold[1]);                     /* writer 2 reads EOF and exits */
    reap(w2);
    if ((n = read(data[0], buf, sizeof buf)) == -1)
        err(1, "read");
    printf("writer 2 exited; read returned %zd: end of file\n", n);
    close_end(data[0]);
}
static void write_with_default(int fd)
{
    pid_t pid;
    int status;

    switch (pid = flush_and_fork()) {
    case -1:
        err(1, "fork");
    case 0:                                 /* child: dies in write */
        if (signal(SIGPIPE, SIG_DFL) == SIG_ERR || write(fd, "x", 1) == -1)
            child_fail("signal or write");
        _exit(0);
    }
    status = reap(pid);
    if (WIFSIGNALED(status))
        printf("default action: the writer was killed by signal %d (%s)\n",
               WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        printf("default action: the writer exited with %d\n",
               WEXITSTATUS(status));
}
static void lab_sigpipe(char *ops[])
{
    int fd[2];

    (void)ops;
    new_pipe(fd, 0);
    close_end(fd[0]);                   /* no reader, from the start */
    write_with_default(fd[1]);
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        err(1, "signal");
    if (write(fd[1], "x", 1) == -1)
        report_error("SIGPIPE ignored: write");
    catch_signal(SIGPIPE, SA_RESTART);
    if (write(fd[1], "x", 1) == -1) {
        int e = errno;

        printf("SIGPIPE caught with SA_RESTART: handler ran %d time, ",
               (int)caught);
        errno = e;
        report_error("write");
    }
    close_end(fd[1]);
}
static void pclose_after_handler(void)
{
    struct timespec ms = { 0, 1000000 };
    FILE *f;

    sig_catch(SIGCHLD, reap_children, SA_RESTART);
    if ((f = popen("exit 3", "r")) == NULL)
        err(1, "popen");
    for (int i = 0; i < 5000 && reaped == 0; i++)
        nanosleep(&ms, NULL);
    if (pclose(f) == -1)
        report_error("pclose after a SIGCHLD handler reaped the shell");
    else
        printf("pclose worked: the handler did not reap the shell\n");
    if (signal(SIGCHLD, SIG_DFL) == SIG_ERR)
        err(1, "signal");
}
static void second_popen(void)
{
    FILE *first, *second;
    int fd[2];
    char cmd[200], line[100];

    new_pipe(fd, 0);
    if ((first = popen("cat >/dev/null", "w")) == NULL)
        err(1, "popen");
    snprintf(cmd, sizeof cmd, "for fd in %d %d; do [ -e /proc/$$/fd/$fd ] "
             "&& echo open || echo closed; done", fileno(first), fd[0]);
    if ((second = popen(cmd, "r")) == NULL)
        err(1, "popen");
    for (int i = 0; i < 2 && fgets(line, sizeof line, second); i++)
        printf("in a second popen's shell, %s: %s",
               i ? "a plain pipe's end" : "the first popen stream", line);
    if (pclose(second) == -1 || pclose(first) == -1)
        err(1, "pclose");
    close_end(fd[0]);
    close_end(fd[1]);
}
static void lab_popen(char *ops[])
{
    (void)ops;
    pclose_after_handler();
    for (int e = 0; e < 2; e++) {
        FILE *f = popen("cat >/dev/null", e ? "we" : "w");
        int flags;

        if (f == NULL)
            err(1, "popen");
        if ((flags = fcntl(fileno(f), F_GETFD)) == -1)
            err(1, "fcntl F_GETFD");
        printf("popen mode \"%s\": the stream's descriptor is %s on exec\n",
               e ? "we" : "w", flags & FD_CLOEXEC ? "closed" : "kept");
        if (pclose(f) == -1)
            err(1, "pclose");
    }
    second_popen();
}
static void lab_pipebuf(char *ops[])
{
    int fd[2];
    long v;

    (void)ops;
    new_pipe(fd, 0);
    errno = 0;
    if ((v = fpathconf(fd[0], _PC_PIPE_BUF)) == -1)
        err(1, "fpathconf");
    printf("PIPE_BUF: %d; fpathconf(fd[0], _PC_PIPE_BUF): %ld\n", PIPE_BUF, v);
    close_end(fd[0]);
    close_end(fd[1]);
}
static void lab_capacity(char *ops[])
{
    int fd[2];

    (void)ops;
    new_pipe(fd, O_NONBLOCK);
    printf("F_GETPIPE_SZ: %d bytes\n", capacity(fd[1]));
    printf("1-byte writes until EAGAIN: %ld bytes\n", fill(fd[1], 1));
    close_end(fd[0]);
    close_end(fd[1]);
}
static void lab_setsize(char *ops[])
{
    size_t size = parse_size(ops[0], 0, INT_MAX, "size");
    size_t stored = ops[1] ? parse_size(ops[1], 0, 65536, "fill") : 0;
    int fd[2], got;

    new_pipe(fd, O_NONBLOCK);
    if (stored > 0) {
        if (write(fd[1], fill_bytes(stored), stored) != (ssize_t)stored)
            err(1, "write");
        printf("%zu bytes stored\n", stored);
    }
    if ((got = fcntl(fd[0], F_SETPIPE_SZ, (int)size)) == -1)
        err(1, "F_SETPIPE_SZ %zu", size);
    printf("F_SETPIPE_SZ %zu: capacity now %d bytes\n", size, got);
    close_end(fd[0]);
    close_end(fd[1]);
}
static void lab_unread(char *ops[])
{
    int fd[2];
    char buf[1000];

    (void)ops;
    new_pipe(fd, 0);
    if (write_full(fd[1], fill_bytes(1234), 1234) == -1)
        err(1, "write");
    printf("wrote 1234 bytes: FIONREAD says %d unread\n", unread(fd[0]));
    if (read_full(fd[0], buf, sizeof buf) == -1)
        err(1, "read");
    printf("read 1000 bytes: FIONREAD says %d unread\n", unread(fd[1]));
    close_end(fd[0]);
    close_end(fd[1]);
}
static void lab_slots(char *ops[])
{
    long page = sysconf(_SC_PAGESIZE);
    static char buf[65536];
    int fd[2], got;

    (void)ops;
    if (page < 2 || page > (long)sizeof buf)
        errx(1, "page size %ld: not between 2 and %zu", page, sizeof buf);
    for (int slots = 1; slots <= 2; slots++) {
        new_pipe(fd, O_NONBLOCK);
        if (slots == 1) {
            write_or_die(fd[1], "xx", 2);
        } else {
            write_or_die(fd[1], fill_bytes((size_t)page), (size_t)page);
            write_or_die(fd[1], "x", 1);
            if (read(fd[0], buf, (size_t)page - 1) != page - 1)
                err(1, "read");
        }
        printf("%d bytes in %d slot%s: F_SETPIPE_SZ %ld", unread(fd[0]),
               slots, slots > 1 ? "s" : "", page);
        if ((got = fcntl(fd[0], F_SETPIPE_SZ, (int)page)) == -1)
            report_error("");
        else
            printf(": capacity now %d bytes\n", got);
        close_end(fd[0]);
        close_end(fd[1]);
    }
}
static void allow_pipes(int max)
{
    struct rlimit rl;
    rlim_t need = 2 * (rlim_t)max + 16;

    if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
        err(1, "getrlimit RLIMIT_NOFILE");
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
            errx(1, "needs %llu descriptors; the hard limit is %llu",
                 (unsigned long long)need, (unsigned long long)rl.rlim_max);
        rl.rlim_cur = need;
        set_nofile(&rl);
    }
}
static void lab_userpages(char *ops[])
{
    long soft = proc_number("/proc/sys/fs/pipe-user-pages-soft");
    int first, got = 0, n = 0, max = (int)(soft / 16 + 2), *fds;

    (void)ops;
    printf("pipe-user-pages-soft: %ld pages\n", soft);
    if (soft == 0 || max > 100000)
        errx(1, "no soft limit to show, or too high a one (%ld)", soft);
    allow_pipes(max);
    if ((fds = malloc(2 * (size_t)max * sizeof *fds)) == NULL)
        err(1, "malloc");
    new_pipe(fds, 0);
    first = capacity(fds[0]);
    for (n = 1; n < max; n++) {
        new_pipe(fds + 2 * n, 0);
        if ((got = capacity(fds[2 * n])) < first)
            break;
    }
    printf("pipes 1 to %d got %d bytes each\n", n, first);
    if (n == max) {
        printf("no pipe came out smaller: this process is privileged\n");
    } else {
        printf("pipe %d got %d bytes\n", n + 1, got);
        if (fcntl(fds[2 * n], F_SETPIPE_SZ, first) == -1)
            report_error("growing it back");
        else
            printf("growing it back worked\n");
    }
    for (int i = 0; i < 2 * n + (n < max ? 2 : 0); i++)
        close_end(fds[i]);
    free(fds);
}
static void lab_bigwrite(char *ops[])
{
    enum { BIG = 1024 * 1024 };
    int fd[2];
    char *big;
    pid_t pid;
    ssize_t n;

    (void)ops;
    new_pipe(fd, 0);
    switch (pid = flush_and_fork()) {
    case -1:
        err(1, "fork");
    case 0: {                               /* child: the reader */
        char buf[4096];
        long total = 0;

        if (close(fd[1]) == -1)             /* else no EOF */
            child_fail("close");
        while ((n = read(fd[0], buf, sizeof buf)) > 0)
            total += n;
        _exit(n == 0 && total == BIG ? 0 : 1);
    }
    }
    close_end(fd[0]);                   /* the child reads */
    if ((big = calloc(BIG, 1)) == NULL) /* after the fork: not the child's */
        err(1, "calloc");
    n = write(fd[1], big, BIG);
    printf("one write of %d bytes into a %d-byte pipe returned %zd\n",
           BIG, capacity(fd[1]), n);
    close_end(fd[1]);                   /* the child sees EOF */
    if (reap(pid) == 0)
        printf("the reader received all %d bytes\n", BIG);
    free(big);
}
static void lab_readergone(char *ops[])
{
    enum { BIG = 200000 };
    int fd[2];
    char *big;
    pid_t pid;
    ssize_t n;

    (void)ops;
    new_pipe(fd, 0);
    switch (pid = flush_and_fork()) {
    case -1:
        err(1, "fork");
    case 0: {                               /* child: reads nothing */
        struct timespec ms = { 0, 1000000 };
        int cap = fcntl(fd[0], F_GETPIPE_SZ), held = 0;

        if (close(fd[1]) == -1 || cap == -1)
            child_fail("close or F_GETPIPE_SZ");
        for (int i = 0; i < 10000 && held < cap; i++) {
            if (ioctl(fd[0], FIONREAD, &held) == -1)
                child_fail("ioctl FIONREAD");
            if (held < cap)
                nanosleep(&ms, NULL);
        }
        _exit(close(fd[0]) == 0 && held == cap ? 0 : 1);
    }
    }
    close_end(fd[0]);
    catch_signal(SIGPIPE, SA_RESTART);
    if ((big = calloc(BIG, 1)) == NULL)
        err(1, "calloc");
    if ((n = write(fd[1], big, BIG)) == -1)
        report_error("write");
    else
        printf("one write of %d bytes, the reader gone part-way: returned "
               "%zd; SIGPIPE caught %d time\n", BIG, n, (int)caught);
    close_end(fd[1]);
    free(big);
    reap(pid);
}
static void read_without_restart(void)
{
    int fd[2];
    char buf[16];

    new_pipe(fd, 0);
    alarm_in(100, 0);
    if (read(fd[0], buf, sizeof buf) == -1)
        report_error("read, handler without SA_RESTART");
    close_end(fd[0]);
    close_end(fd[1]);
}
static void read_with_restart(void)
{
    int fd[2];
    char buf[16];
    pid_t pid;
    ssize_t n;

    new_pipe(fd, 0);
    switch (pid = flush_and_fork()) {
    case -1:
        err(1, "fork");
    case 0:                             /* child: writes a second later */
        sleep(1);
        _exit(write(fd[1], "hello", 5) == 5 ? 0 : 1);
    }
    close_end(fd[1]);                   /* the child writes */
    caught = 0;
    alarm_in(100, SA_RESTART);
    if ((n = read(fd[0], buf, sizeof buf)) == -1)
        err(1, "read");
    printf("read, handler with SA_RESTART: handler ran %d time, then read "
           "returned %zd bytes\n", (int)caught, n);
    close_end(fd[0]);
    reap(pid);
}
static void write_cut_short(void)
{
    enum { BIG = 1024 * 1024 };
    int fd[2];
    char *big = calloc(BIG, 1);
    ssize_t n;

    if (big == NULL)
        err(1, "calloc");
    new_pipe(fd, 0);
    alarm_in(100, SA_RESTART);          /* nobody reads: the write waits */
    if ((n = write(fd[1], big, BIG)) == -1)
        err(1, "write");
    printf("write of %d bytes, nobody reading, signal after 100 ms: "
           "returned %zd\n", BIG, n);
    free(big);
    close_end(fd[0]);
    close_end(fd[1]);
}
static void lab_eintr(char *ops[])
{
    (void)ops;
    read_without_restart();
    read_with_restart();
    write_cut_short();
}
static void nonblock_small(void)
{
    int fd[2], whole = 0, partial = 0;
    ssize_t n;

    new_pipe(fd, O_NONBLOCK);
    if (write(fd[1], "x", 1) != 1)
        err(1, "write");
    while ((n = write(fd[1], fill_bytes(PIPE_BUF), PIPE_BUF)) > 0) {
        if (n == PIPE_BUF)
            whole++;
        else
            partial++;
    }
    if (n == -1 && errno != EAGAIN)
        err(1, "write");
    printf("after 1 byte: %d whole %d-byte writes, %d partial, EAGAIN; "
           "%d bytes stored\n", whole, PIPE_BUF, partial, unread(fd[0]));
    close_end(fd[0]);
    close_end(fd[1]);
}
static void nonblock_big(void)
{
    enum { BIG = 100000 };
    char *big = calloc(BIG, 1);
    int fd[2];
    ssize_t n;

    if (big == NULL)
        err(1, "calloc");
    new_pipe(fd, O_NONBLOCK);
    if ((n = write(fd[1], big, BIG)) == -1)
        err(1, "write");
    printf("%d-byte write into an empty pipe: %zd written\n", BIG, n);
    if (write(fd[1], big, BIG) == -1)
        report_error("the same write into the full pipe");
    free(big);
    close_end(fd[0]);
    close_end(fd[1]);
}
static void lab_nonblock(char *ops[])
{
    (void)ops;
    nonblock_small();
    nonblock_big();
}
static void lab_select(char *ops[])
{
    int fd[2];

    (void)ops;
    new_pipe(fd, O_NONBLOCK);
    fill(fd[1], 4096);
    printf("full pipe, reader open: select says %s\n",
           writable(fd[1]) ? "writable" : "not writable");
    close_end(fd[0]);
    printf("reader closed: select says %s\n",
           writable(fd[1]) ? "writable" : "not writable");
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        err(1, "signal");
    if (write(fd[1], "x", 1) == -1)
        report_error("write");
    close_end(fd[1]);
}
static void lab_poll(char *ops[])
{
    int fd[2];
    char c;

    (void)ops;
    new_pipe(fd, O_NONBLOCK);
    print_poll("read end, empty", fd[0], POLLIN);
    print_poll("write end, room", fd[1], POLLOUT);
    write_or_die(fd[1], "x", 1);
    print_poll("read end, 1 byte", fd[0], POLLIN);
    fill(fd[1], 1);
    print_poll("write end, full", fd[1], POLLOUT);
    close_end(fd[0]);
    print_poll("write end, full, no reader", fd[1], POLLOUT);
    close_end(fd[1]);

    new_pipe(fd, O_NONBLOCK);
    write_or_die(fd[1], "x", 1);
    close_end(fd[1]);
    print_poll("read end, 1 byte, no writer", fd[0], POLLIN);
    if (read(fd[0], &c, 1) != 1)
        err(1, "read");
    print_poll("read end, empty, no writer", fd[0], POLLIN);
    close_end(fd[0]);

    new_pipe(fd, O_NONBLOCK);
    close_end(fd[0]);
    print_poll("write end, room, no reader", fd[1], POLLOUT);
    close_end(fd[1]);
}
static void packet_by_fcntl(void)
{
    int fd[2], flags;

    new_pipe(fd, O_NONBLOCK);
    if ((flags = fcntl(fd[1], F_GETFL)) == -1 ||
        fcntl(fd[1], F_SETFL, flags | O_DIRECT) == -1)
        err(1, "fcntl F_SETFL O_DIRECT");
    write_or_die(fd[1], "hello", 5);
    write_or_die(fd[1], "world", 5);
    printf("F_SETFL O_DIRECT: wrote \"hello\", \"world\"; reads got");
    print_reads(fd[0], sizeof "helloworld");
    close_end(fd[0]);
    close_end(fd[1]);
}
static void lab_packet(char *ops[])
{
    int fd[2];

    (void)ops;
    for (int mode = 0; mode < 2; mode++) {
        new_pipe(fd, O_NONBLOCK | (mode ? O_DIRECT : 0));
        write_or_die(fd[1], "hello", 5);
        write_or_die(fd[1], "world", 5);
        printf("%s: wrote \"hello\", \"world\"; reads got",
               mode ? "packets" : "byte stream");
        print_reads(fd[0], sizeof "helloworld");
        close_end(fd[0]);
        close_end(fd[1]);
    }
    new_pipe(fd, O_NONBLOCK | O_DIRECT);
    write_or_die(fd[1], "abcdefgh", 8);
    write_or_die(fd[1], "XY", 2);
    printf("packets: wrote \"abcdefgh\", \"XY\"; 3-byte reads got");
    print_reads(fd[0], 3);
    write_or_die(fd[1], fill_bytes(6000), 6000);
    printf("packets: wrote 6000 bytes at once; reads got");
    print_reads(fd[0], 8192);
    write_or_die(fd[1], "", 0);
    printf("packets: wrote 0 bytes; reads got");
    print_reads(fd[0], 8192);
    close_end(fd[0]);
    close_end(fd[1]);
    new_pipe(fd, O_NONBLOCK | O_DIRECT);
    printf("packets: 1-byte writes until EAGAIN: %ld, into a %d-byte pipe\n",
           fill(fd[1], 1), capacity(fd[1]));
    close_end(fd[0]);
    close_end(fd[1]);
    packet_by_fcntl();
}
static void stdio_child(int linebuf);

static void lab_stdio(char *ops[])
{
    (void)ops;
    stdio_child(0);
    stdio_child(1);
}
/* Say "your turn" on to, then wait for ours on from (-1: skip). */
static int turn(int to, int from)
{
    char c = '.';

    if ((to >= 0 && write(to, &c, 1) != 1) ||
        (from >= 0 && read(from, &c, 1) != 1))
        return -1;
    return 0;
}
static void stdio_child(int linebuf)
{
    int data[2], up[2], down[2], after_printf, after_fflush;
    pid_t pid;

    new_pipe(data, 0);
    new_pipe(up, 0);
    new_pipe(down, 0);
    switch (pid = flush_and_fork()) {
    case -1:
        err(1, "fork");
    case 0:                             /* child: the printer */
        {
            FILE *out;

            if (close(data[0]) == -1 || close(up[0]) == -1 ||
                close(down[1]) == -1)
                child_fail("close");            /* the parent's ends */
            if ((out = fdopen(data[1], "w")) == NULL)
                child_fail("fdopen");
            if (linebuf && setvbuf(out, NULL, _IOLBF, 0) != 0)
                child_fail("setvbuf");
            if (fprintf(out, "hello from the child\n") < 0)
                child_fail("fprintf");
            if (turn(up[1], down[0]) == -1)     /* printed; wait */
                child_fail("turn");
            if (fflush(out) == EOF)
                child_fail("fflush");
            if (turn(up[1], -1) == -1)          /* flushed */
                child_fail("turn");
            if (fclose(out) == EOF)
                child_fail("fclose");
            _exit(0);
        }
    }
    close_end(data[1]);                     /* the child's ends */
    close_end(up[1]);
    close_end(down[0]);
    if (turn(-1, up[0]) == -1)              /* the child has printed */
        errx(1, "the printing child stopped taking turns");
    after_printf = unread(data[0]);
    if (turn(down[1], up[0]) == -1)         /* go on; it has flushed */
        errx(1, "the printing child stopped taking turns");
    after_fflush = unread(data[0]);
    if (reap(pid) != 0)
        errx(1, "the printing child failed");
    close_end(data[0]);
    close_end(up[0]);
    close_end(down[1]);
    printf("%s: %d bytes in the pipe after fprintf, %d after fflush\n",
           linebuf ? "line buffered" : "default", after_printf, after_fflush);
}
static void tee_pipe(int a[2], int b[2])
{
    ssize_t n;

    write_or_die(a[1], "hello", 5);
    if ((n = tee(a[0], b[1], 5, 0)) == -1)
        err(1, "tee");
    printf("tee of \"hello\" moved %zd bytes: the first pipe holds %d, "
           "the second %d\n", n, unread(a[0]), unread(b[0]));
    printf("reads got");
    print_reads(a[0], 16);
    printf("and");
    print_reads(b[0], 16);
}
static void vmsplice_page(int a[2])
{
    static _Alignas(4096) char page[4096];
    struct iovec iov = { page, 6 };

    memcpy(page, "before", 6);
    if (vmsplice(a[1], &iov, 1, 0) != 6)
        err(1, "vmsplice");
    memcpy(page, "after!", 6);          /* too soon: nobody has read */
    printf("vmsplice of \"before\", then the buffer changed: reads got");
    print_reads(a[0], 16);
}
static void splice_file(int a[2])
{
    FILE *f = tmpfile();
    off_t off = 0;

    if (f == NULL)
        err(1, "tmpfile");
    if (pwrite(fileno(f), "before", 6, 0) != 6)
        err(1, "pwrite");
    if (splice(fileno(f), &off, a[1], NULL, 6, 0) != 6)
        err(1, "splice");
    if (pwrite(fileno(f), "after!", 6, 0) != 6)
        err(1, "pwrite");
    printf("splice of a file holding \"before\", then the file changed: "
           "reads got");
    print_reads(a[0], 16);
    if (fclose(f) == EOF)
        err(1, "fclose");
}
static void lab_zerocopy(char *ops[])
{
    int a[2], b[2];

    (void)ops;
    new_pipe(a, O_NONBLOCK);
    new_pipe(b, O_NONBLOCK);
    tee_pipe(a, b);
    vmsplice_page(a);
    splice_file(a);
    close_end(a[0]);
    close_end(a[1]);
    close_end(b[0]);
    close_end(b[1]);
}
/* lab_turns's reader: read to end of file, 64 KiB at most at a time. */
static _Noreturn void count_reads(int fd[2])
{
    static char buf[65536];
    long reads = 0, bytes = 0;
    ssize_t n;

    if (close(fd[1]) == -1)
        child_fail("close");
    while ((n = read(fd[0], buf, sizeof buf)) > 0) {
        reads++;
        bytes += n;
    }
    if (n == -1 || reads == 0)
        child_fail("read");
    printf("the reader: %ld bytes in %ld reads, %ld bytes a read\n",
           bytes, reads, bytes / reads);
    if (fflush(stdout) == EOF)
        child_fail("stdout");
    _exit(0);
}
static void lab_turns(char *ops[])
{
    enum { WRITES = 4096, SIZE = 4096 };
    static const char block[SIZE];
    int fd[2], cpu = pin_to_one_cpu(), roomy, during = 0;
    struct rusage w0, w1, r;
    pid_t pid;

    (void)ops;
    new_pipe(fd, 0);
    roomy = capacity(fd[1]) - 3 * SIZE;
    if ((pid = flush_and_fork()) == -1)
        err(1, "fork");
    if (pid == 0)
        count_reads(fd);
    close_end(fd[0]);
    if (getrusage(RUSAGE_SELF, &w0) == -1)
        err(1, "getrusage");
    for (int k = 0; k < WRITES; k++) {
        int before = unread(fd[1]);

        if (write_full(fd[1], block, SIZE) == -1)
            err(1, "write");
        if (before <= roomy && unread(fd[1]) < before + SIZE)
            during++;
    }
    if (getrusage(RUSAGE_SELF, &w1) == -1)
        err(1, "getrusage");
    close_end(fd[1]);
    if (reap(pid) != 0)
        errx(1, "the reader failed");
    if (getrusage(RUSAGE_CHILDREN, &r) == -1)
        err(1, "getrusage");
    printf("both on CPU %d: %d writes of %d bytes; the reader ran during %d "
           "of them that had room\n", cpu, WRITES, SIZE, during);
    printf("switches of the writer: %ld voluntary, %ld involuntary\n",
           w1.ru_nvcsw - w0.ru_nvcsw, w1.ru_nivcsw - w0.ru_nivcsw);
    printf("switches of the reader: %ld voluntary, %ld involuntary\n",
           r.ru_nvcsw, r.ru_nivcsw);
}
struct experiment {
    const char *name;
    const char *operands;               /* synopsis of its operands */
    int min_ops, max_ops;
    void (*run)(char *ops[]);
    const char *shows;
};

static const struct experiment experiments[] = {
    { "ends", "", 0, 0, lab_ends, "fd[0] reads, fd[1] writes, never reversed" },
    { "stat", "", 0, 0, lab_stat, "fstat says S_ISFIFO; st_size means little" },
    { "onefree", "", 0, 0, lab_onefree, "pipe needs two free descriptors" },
    { "badflag", "", 0, 0, lab_badflag, "pipe2 refuses unknown flags" },
    { "empty", "", 0, 0, lab_empty, "reading an empty pipe waits, or EAGAIN" },
    { "eof", "", 0, 0, lab_eof, "EOF comes after the last writer closes" },
    { "sigpipe", "", 0, 0, lab_sigpipe, "no reader: SIGPIPE, or EPIPE" },
    { "popen", "", 0, 0, lab_popen, "ECHILD, the \"e\" flag, earlier streams" },
    { "pipebuf", "", 0, 0, lab_pipebuf, "the size of an atomic write" },
    { "capacity", "", 0, 0, lab_capacity, "a pipe holds 64 KiB by default" },
    { "setsize", "size [fill]", 1, 2, lab_setsize,
      "F_SETPIPE_SZ, after storing fill bytes" },
    { "unread", "", 0, 0, lab_unread, "FIONREAD counts the unread bytes" },
    { "slots", "", 0, 0, lab_slots, "EBUSY counts page slots, not bytes" },
    { "userpages", "", 0, 0, lab_userpages,
      "past pipe-user-pages-soft, new pipes are small" },
    { "bigwrite", "", 0, 0, lab_bigwrite, "a blocking 1 MiB write writes all" },
    { "readergone", "", 0, 0, lab_readergone,
      "a big write whose reader leaves returns short" },
    { "eintr", "", 0, 0, lab_eintr, "signals: EINTR, restart, short write" },
    { "nonblock", "", 0, 0, lab_nonblock, "O_NONBLOCK: all, part or EAGAIN" },
    { "select", "", 0, 0, lab_select, "no reader: select says writable" },
    { "poll", "", 0, 0, lab_poll, "what poll reports on each end, and when" },
    { "packet", "", 0, 0, lab_packet, "O_DIRECT: a read returns one write" },
    { "stdio", "", 0, 0, lab_stdio, "a FILE on a pipe is fully buffered" },
    { "zerocopy", "", 0, 0, lab_zerocopy, "tee, vmsplice, splice: references" },
    { "turns", "", 0, 0, lab_turns, "one CPU: the reader runs early" },
};
enum { NEXPERIMENTS = sizeof experiments / sizeof experiments[0] };
static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: pipe_lab experiment [operand...]\n"
            "       pipe_lab -l    list the experiments\n");
    exit(status);
}

static void list_experiments(void)
{
    for (int i = 0; i < NEXPERIMENTS; i++)
        printf("%-10s %-12s %s\n", experiments[i].name,
               experiments[i].operands, experiments[i].shows);
}
int main(int argc, char *argv[])
{
    const struct experiment *e = NULL;
    int opt, nops, list = 0;

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
            errx(2, "no experiment '%s' (pipe_lab -l lists them)",
                argv[optind]);
        nops = argc - optind - 1;
        if (nops < e->min_ops || nops > e->max_ops)
            errx(2, "usage: pipe_lab %s%s%s", e->name, *e->operands ? " " : "",
                 e->operands);
        e->run(argv + optind + 1);
    }
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

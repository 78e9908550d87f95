/*
 * pipe_bench - measure how fast bytes go through a pipe
 *
 * usage: pipe_bench [-CZ] [-c capacity] [-s size] [-t total] send
 *        pipe_bench [-C | -Z] [-s size] [-t total] recv
 *        pipe_bench [-C] [-n count] [-s size] ping there back
 *        pipe_bench [-s size] echo there back
 *
 * send writes `total` bytes (default 64M; suffixes k and M) to standard
 * output in writes of `size` bytes (default 64k), after setting the pipe's
 * capacity to `capacity` with F_SETPIPE_SZ (a Linux extension) if -c is
 * given.  recv reads standard input in reads of `size` bytes until end of
 * file and prints the rate, timed from the end of its first read; given
 * -t, it fails unless exactly `total` bytes came.  With
 * -C on both sides nothing is timed: send writes the book's check pattern
 * and recv checks every byte, and that exactly `total` bytes came.  Both
 * need a pipe:  pipe_bench send | pipe_bench recv
 * ping and echo time round trips through two FIFOs, `there` and `back`
 * (made with mkfifo): ping writes `size` bytes (default 64k) into there,
 * reads them back from back, count times (default 10000), and prints the
 * time of one round trip; echo copies there into back until end of file.
 * With -C, ping checks each reply instead of timing.  -Z avoids the
 * copies: send puts its buffer into the pipe with vmsplice, and recv
 * hands the pipe's pages to /dev/null with splice (Linux extensions).
 * A mode given an option it does not take fails with status 2.
 */
#define _GNU_SOURCE
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "lib/bench.h"
#include "lib/io.h"
#include "lib/num.h"
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: pipe_bench [-CZ] [-c capacity] [-s size] [-t total] "
            "send\n"
            "       pipe_bench [-C | -Z] [-s size] [-t total] recv\n"
            "       pipe_bench [-C] [-n count] [-s size] ping there back\n"
            "       pipe_bench [-s size] echo there back\n"
            "  -C           check the data instead of timing\n"
            "  -c capacity  set the pipe's capacity (F_SETPIPE_SZ)\n"
            "  -n count     round trips to time (default 10000)\n"
            "  -s size      bytes per write or read (default 64k)\n"
            "  -t total     bytes to send (default 64M), or to expect\n"
            "  -Z           send with vmsplice, receive with splice into "
            "/dev/null\n");
    exit(status);
}
static void only_options(const char *given, const char *takes,
                         const char *mode)
{
    for (; *given != '\0'; given++)
        if (strchr(takes, *given) == NULL)
            errx(2, "%s takes no -%c (see pipe_bench -h)", mode, *given);
}
static void need_pipe(int fd, const char *what)
{
    struct stat st;

    if (fstat(fd, &st) == -1)
        err(1, "fstat");
    if (!S_ISFIFO(st.st_mode))
        errx(2, "%s is not a pipe (try: pipe_bench send | pipe_bench recv)",
             what);
}
static void send_pattern(unsigned char *buf, size_t size, size_t total)
{
    for (size_t sent = 0, n; sent < total; sent += n) {
        n = total - sent < size ? total - sent : size;
        pattern_fill(buf, n, sent);
        if (write_full(STDOUT_FILENO, buf, n) == -1)
            err(1, "write");
    }
}

/* 0, or -1 after saying what went wrong (the caller frees buf first). */
static int recv_pattern(unsigned char *buf, size_t size, size_t total)
{
    size_t got = 0, bad;
    ssize_t n;

    while ((n = read(STDIN_FILENO, buf, size)) > 0) {
        if ((bad = pattern_mismatch(buf, (size_t)n, got)) < (size_t)n) {
            warnx("byte %zu is 0x%02x, expected 0x%02x", got + bad,
                  buf[bad], pattern_byte(got + bad));
            return -1;
        }
        got += (size_t)n;
    }
    if (n == -1) {
        warn("read");
        return -1;
    }
    if (got != total) {
        warnx("%zu bytes came, expected %zu", got, total);
        return -1;
    }
    printf("recv: %zu bytes in %zu-byte reads, every byte as sent\n",
           got, size);
    return 0;
}
static void vmsplice_all(const unsigned char *buf, size_t n)
{
    struct iovec iov = { (void *)buf, n };
    ssize_t k;

    while (iov.iov_len > 0) {
        if ((k = vmsplice(STDOUT_FILENO, &iov, 1, 0)) == -1)
            err(1, "vmsplice");
        iov.iov_base = (unsigned char *)iov.iov_base + k;
        iov.iov_len -= (size_t)k;
    }
}

static void send_pattern_mapped(size_t size, size_t total)
{
    for (size_t sent = 0, n; sent < total; sent += n) {
        void *p;

        n = total - sent < size ? total - sent : size;
        p = mmap(NULL, n, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            err(1, "mmap");
        pattern_fill(p, n, sent);
        vmsplice_all(p, n);
        if (munmap(p, n) == -1)
            err(1, "munmap");
    }
}

/* Up to size bytes off standard input: read into buf, or, given a
 * descriptor for /dev/null, spliced there.  0 at end of file. */
static ssize_t take(unsigned char *buf, size_t size, int devnull)
{
    ssize_t n;

    if (devnull == -1)
        n = read(STDIN_FILENO, buf, size);
    else
        n = splice(STDIN_FILENO, NULL, devnull, NULL, size, SPLICE_F_MOVE);
    if (n == -1)
        err(1, devnull == -1 ? "read" : "splice");
    return n;
}
static void sender(size_t size, size_t total, size_t cap, int check,
                   int zero)
{
    unsigned char *buf = malloc(size);

    if (buf == NULL)
        err(1, "malloc");
    memset(buf, 'x', size);
    need_pipe(STDOUT_FILENO, "standard output");
    if (cap > 0 && fcntl(STDOUT_FILENO, F_SETPIPE_SZ, (int)cap) == -1)
        err(1, "F_SETPIPE_SZ %zu", cap);
    if (check && zero)
        send_pattern_mapped(size, total);
    else if (check)
        send_pattern(buf, size, total);
    else
        for (size_t sent = 0, n; sent < total; sent += n) {
            n = total - sent < size ? total - sent : size;
            if (zero)
                vmsplice_all(buf, n);
            else if (write_full(STDOUT_FILENO, buf, n) == -1)
                err(1, "write");
        }
    free(buf);
}
static void receiver(size_t size, size_t total, int check, int zero)
{                                       /* total 0: any */
    unsigned char *buf = malloc(size);
    double t0, t1, secs;
    size_t first, rest = 0;
    ssize_t n;
    int cap, devnull = -1;

    if (buf == NULL)
        err(1, "malloc");
    need_pipe(STDIN_FILENO, "standard input");
    if (check) {
        int r = recv_pattern(buf, size, total);

        free(buf);
        if (r == -1)
            exit(1);
        return;
    }
    if (zero && (devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
        err(1, "/dev/null");
    first = (size_t)take(buf, size, devnull);
    t0 = bench_now();
    while ((n = take(buf, size, devnull)) > 0)
        rest += (size_t)n;
    t1 = bench_now();
    if ((cap = fcntl(STDIN_FILENO, F_GETPIPE_SZ)) == -1)
        err(1, "F_GETPIPE_SZ");
    secs = t1 - t0;
    if (total != 0 && first + rest != total)
        errx(1, "received %zu bytes, not the %zu expected: did the sender "
             "fail?", first + rest, total);
    printf("recv: %zu bytes in %zu-byte %s, %d-byte pipe: %.6f s, "
           "%.3f MiB/s\n", first + rest, size, zero ? "splices" : "reads", cap,
           secs,
           secs > 0 ? (double)rest / secs / (1 << 20) : 0.0);
    if (devnull != -1 && close(devnull) == -1)
        err(1, "close");
    free(buf);
}
/* Open the FIFO at path, never through a symbolic link. */
static int open_fifo(const char *path, int flags)
{
    int fd = open(path, flags | O_NOFOLLOW | O_CLOEXEC);

    if (fd == -1)
        err(1, "open %s", path);
    need_pipe(fd, path);
    return fd;
}

static void pinger(size_t size, long count, int check, const char *there,
                   const char *back)
{
    unsigned char *out = malloc(size), *in = malloc(size);
    int w = open_fifo(there, O_WRONLY), r = open_fifo(back, O_RDONLY);
    double t0 = 0;

    if (out == NULL || in == NULL)
        err(1, "malloc");
    memset(out, 'x', size);
    for (long i = 0; i <= count; i++) {
        if (i == 1)
            t0 = bench_now();           /* round 0 waited for echo */
        if (check)
            pattern_fill(out, size, (uint64_t)i * size);
        if (write_full(w, out, size) == -1)
            err(1, "write %s", there);
        if (read_full(r, in, size) != (ssize_t)size)
            errx(1, "round trip %ld: the reply did not come whole", i);
        if (check && memcmp(in, out, size) != 0)
            errx(1, "round trip %ld: the reply differs", i);
    }
    if (check)
        printf("%ld round trips of %zu bytes checked\n", count, size);
    else
        printf("%ld round trips of %zu bytes: %.0f ns per round trip\n",
               count, size, (bench_now() - t0) / (double)count * 1e9);
    if (close(w) == -1 || close(r) == -1)
        err(1, "close");
    free(out);
    free(in);
}

static void echoer(size_t size, const char *there, const char *back)
{
    unsigned char *buf = malloc(size);
    int r = open_fifo(there, O_RDONLY), w = open_fifo(back, O_WRONLY);
    ssize_t n;

    if (buf == NULL)
        err(1, "malloc");
    while ((n = read_full(r, buf, size)) > 0)
        if (write_full(w, buf, (size_t)n) == -1)
            err(1, "write %s", back);
    if (n == -1)
        err(1, "read %s", there);
    if (close(w) == -1 || close(r) == -1)
        err(1, "close");
    free(buf);
}
int main(int argc, char *argv[])
{
    size_t size = 64 * 1024, total = 64 << 20, cap = 0;
    long count = 10000;
    int opt, check = 0, zero = 0;
    char given[8] = "";                 /* the option letters seen */
    const char *mode;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "Cc:hn:s:t:Z")) != -1) {
        switch (opt) {
        case 'C': check = 1; break;
        case 'c': cap = parse_size(optarg, 1, 1 << 30, "capacity"); break;
        case 'n': count = parse_long(optarg, 1, 1000000000, "count"); break;
        case 's': size = parse_size(optarg, 1, 16 << 20, "size"); break;
        case 't': total = parse_size(optarg, 1, (size_t)1 << 40, "total");
                  break;
        case 'Z': zero = 1; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
        if (strchr(given, opt) == NULL)
            given[strlen(given)] = (char)opt;
    }
    mode = optind < argc ? argv[optind] : "";
    if (optind == argc - 3 && strcmp(mode, "ping") == 0) {
        only_options(given, "Cns", mode);
        pinger(size, count, check, argv[optind + 1], argv[optind + 2]);
    } else if (optind == argc - 3 && strcmp(mode, "echo") == 0) {
        only_options(given, "s", mode);
        echoer(size, argv[optind + 1], argv[optind + 2]);
    } else if (optind == argc - 1 && strcmp(mode, "send") == 0) {
        only_options(given, "CcstZ", mode);
        sender(size, total, cap, check, zero);
    } else if (optind == argc - 1 && strcmp(mode, "recv") == 0) {
        only_options(given, check ? "Cst" : "stZ", check ? "recv -C" : mode);
        receiver(size, strchr(given, 't') || check ? total : 0, check, zero);
    } else {
        usage(2);
    }
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

/*
 * pipe_bench - measure how fast bytes go through a pipe
 *
 * usage: pipe_bench [-c capacity] [-s size] [-t total] send
 *        pipe_bench [-s size] recv
 *
 * send writes `total` bytes (default 64M; suffixes k and M) to standard
 * output in writes of `size` bytes (default 64k), after setting the pipe's
 * capacity to `capacity` with F_SETPIPE_SZ (a Linux extension) if -c is
 * given.  recv reads standard input in reads of `size` bytes until end of
 * file and prints the rate, timed from the end of its first read.  Both
 * need a pipe:  pipe_bench send | pipe_bench recv
 */
#define _GNU_SOURCE
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "lib/io.h"
#include "lib/num.h"
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: pipe_bench [-c capacity] [-s size] [-t total] send\n"
            "       pipe_bench [-s size] recv\n"
            "  -c capacity  set the pipe's capacity (F_SETPIPE_SZ)\n"
            "  -s size      bytes per write or read (default 64k)\n"
            "  -t total     bytes to send (default 64M)\n");
    exit(status);
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
static void sender(size_t size, size_t total, size_t cap)
{
    char *buf = malloc(size);

    if (buf == NULL)
        err(1, "malloc");
    memset(buf, 'x', size);
    need_pipe(STDOUT_FILENO, "standard output");
    if (cap > 0 && fcntl(STDOUT_FILENO, F_SETPIPE_SZ, (int)cap) == -1)
        err(1, "F_SETPIPE_SZ %zu", cap);
    for (size_t sent = 0, n; sent < total; sent += n) {
        n = total - sent < size ? total - sent : size;
        if (write_full(STDOUT_FILENO, buf, n) == -1)
            err(1, "write");
    }
    free(buf);
}
static void receiver(size_t size)
{
    char *buf = malloc(size);
    struct timespec t0, t1;
    size_t first, rest = 0;
    ssize_t n;
    double secs;
    int cap;

    if (buf == NULL)
        err(1, "malloc");
    need_pipe(STDIN_FILENO, "standard input");
    if ((n = read(STDIN_FILENO, buf, size)) == -1)
        err(1, "read");
    first = (size_t)n;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while ((n = read(STDIN_FILENO, buf, size)) > 0)
        rest += (size_t)n;
    if (n == -1)
        err(1, "read");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if ((cap = fcntl(STDIN_FILENO, F_GETPIPE_SZ)) == -1)
        err(1, "F_GETPIPE_SZ");
    secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("recv: %zu bytes in %zu-byte reads, %d-byte pipe: %.6f s, "
           "%.1f MiB/s\n", first + rest, size, cap, secs,
           secs > 0 ? (double)rest / secs / (1 << 20) : 0.0);
    free(buf);
}
int main(int argc, char *argv[])
{
    size_t size = 64 * 1024, total = 64 << 20, cap = 0;
    int opt;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "c:hs:t:")) != -1) {
        switch (opt) {
        case 'c': cap = parse_size(optarg, 1, 1 << 30, "capacity"); break;
        case 's': size = parse_size(optarg, 1, 16 << 20, "size"); break;
        case 't': total = parse_size(optarg, 1, (size_t)1 << 40, "total");
                  break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind != argc - 1)
        usage(2);
    if (strcmp(argv[optind], "send") == 0)
        sender(size, total, cap);
    else if (strcmp(argv[optind], "recv") == 0)
        receiver(size);
    else
        usage(2);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

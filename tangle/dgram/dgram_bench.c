/*
 * dgram_bench - time datagram round trips and one-way streams
 *
 * usage: dgram_bench [-C] [-n count] [-s size] echo|sink address
 *        dgram_bench [-C] [-n count] [-s size] ping|send address
 *
 * echo binds address and sends each of count datagrams (default 10000)
 * back to its sender; ping sends count datagrams of size bytes (default
 * 64) to address, waits for each to come back, and prints the time of one
 * round trip.  sink binds address, receives count datagrams and prints
 * the rate, timed from the end of the first receive; send sends them.
 * address is a path or an @name; start echo or sink first (ping and send
 * retry for 10 s while nobody is bound).  Both sides raise SO_SNDBUF to
 * fit the size.  With -C on both sides nothing is timed: the datagrams
 * carry the book's check pattern, and every byte and length is checked.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "lib/bench.h"
#include "lib/cleanup.h"
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/unaddr.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: dgram_bench [-C] [-n count] [-s size] echo|sink address\n"
            "       dgram_bench [-C] [-n count] [-s size] ping|send address\n"
            "  -C        check the data instead of timing (both sides)\n"
            "  -n count  datagrams (default 10000)\n"
            "  -s size   bytes per datagram (default 64; suffixes k, M)\n");
    exit(status);
}

static void autobind(int fd)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };

    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa_family_t)) == -1)
        err(1, "bind (autobind)");
}

static int bench_socket(size_t size)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), v;
    socklen_t len = sizeof v;
    struct timeval patience = { .tv_sec = 10 };

    if (fd == -1)
        err(1, "socket");
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience,
                   sizeof patience) == -1)
        err(1, "setsockopt SO_RCVTIMEO");
    v = (int)(size + 4096);             /* the kernel doubles it */
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
    if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &len) == -1)
        err(1, "getsockopt SO_SNDBUF");
    if ((size_t)v < size + 32) {
        v = (int)(size + 4096);
        (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof v);
        if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &len) == -1)
            err(1, "getsockopt SO_SNDBUF");
    }
    if ((size_t)v < size + 32)
        errx(1, "datagrams of %zu bytes need SO_SNDBUF above %d: "
             "raise net.core.wmem_max", size, v);
    return fd;
}

static void connect_when_bound(int fd, const char *name)
{
    struct sockaddr_un sa;
    socklen_t len = unix_addr(&sa, name);
    struct timespec ms = { 0, 1000000 };

    if (len == 0)
        err(2, "address '%s'", name);
    for (int i = 0; connect(fd, (struct sockaddr *)&sa, len) == -1; i++) {
        if ((errno != ECONNREFUSED && errno != ENOENT) || i == 10000)
            err(1, "connect %s", name);
        nanosleep(&ms, NULL);
    }
}

static void receive_exactly(int fd, char *buf, size_t size, long i, int check)
{
    ssize_t n;

    while ((n = recv(fd, buf, size + 1, 0)) == -1) {
        if (errno == EAGAIN)
            errx(1, "datagram %ld: none came within 10 s", i);
        if (errno != EINTR)
            err(1, "recv");
    }
    if ((size_t)n != size)
        errx(1, "datagram %ld: %zd bytes, not %zu", i, n, size);
    if (check && pattern_mismatch((unsigned char *)buf, size,
                                  (uint64_t)i * size) != size)
        errx(1, "datagram %ld: wrong bytes", i);
}

static void send_one(int fd, char *buf, size_t size, long i, int check)
{
    if (check)
        pattern_fill((unsigned char *)buf, size, (uint64_t)i * size);
    while (send(fd, buf, size, 0) == -1)
        if (errno != EINTR)
            err(1, "send");
}

static void echo(int fd, char *buf, size_t size, long count)
{
    struct sockaddr_un from;
    socklen_t len;
    ssize_t n;

    for (long i = 0; i < count; i++) {
        len = sizeof from;
        while ((n = recvfrom(fd, buf, size + 1, 0, (struct sockaddr *)&from,
                             &len)) == -1) {
            if (errno == EAGAIN)
                errx(1, "datagram %ld: none came within 10 s", i);
            if (errno != EINTR)
                err(1, "recvfrom");
        }
        while (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from,
                      len) == -1)
            if (errno != EINTR)
                err(1, "sendto");
    }
}

int main(int argc, char *argv[])
{
    size_t size = 64;
    long count = 10000;
    int opt, fd, check = 0;
    const char *role, *name;
    char *buf;
    double t0 = 0;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "Chn:s:")) != -1) {
        switch (opt) {
        case 'C': check = 1; break;
        case 'n': count = parse_long(optarg, 1, 100000000, "count"); break;
        case 's': size = parse_size(optarg, 1, 16 << 20, "size"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind != 2)
        usage(2);
    role = argv[optind], name = argv[optind + 1];
    if (strcmp(role, "echo") && strcmp(role, "sink") && strcmp(role, "ping")
        && strcmp(role, "send"))
        errx(2, "role: '%s' is not echo, sink, ping or send", role);
    if ((buf = calloc(1, size + 1)) == NULL)
        err(1, "calloc");
    fd = bench_socket(size);
    if (!strcmp(role, "echo") || !strcmp(role, "sink")) {
        if (unix_bind(fd, name) == -1)
            err(1, "bind %s", name);
        if (name[0] != '@')
            cleanup_push(unlink, name);
        if (!strcmp(role, "echo"))
            echo(fd, buf, size, count);
        else
            for (long i = 0; i < count; i++) {
                receive_exactly(fd, buf, size, i, check);
                if (i == 0)
                    t0 = bench_now();
            }
        if (check && !strcmp(role, "sink"))
            printf("%ld datagrams of %zu bytes checked\n", count, size);
        else if (!strcmp(role, "sink") && count > 1)
            printf("%ld datagrams of %zu bytes: %.1f MiB/s\n", count, size,
                   (double)(count - 1) * (double)size / (1 << 20)
                   / (bench_now() - t0));
    } else {
        autobind(fd);
        connect_when_bound(fd, name);
        t0 = bench_now();
        for (long i = 0; i < count; i++) {
            send_one(fd, buf, size, i, check);
            if (!strcmp(role, "ping"))
                receive_exactly(fd, buf, size, i, check);
        }
        if (check && !strcmp(role, "ping"))
            printf("%ld round trips of %zu bytes checked\n", count, size);
        else if (!strcmp(role, "ping"))
            printf("%ld round trips of %zu bytes: %.0f ns per round trip\n",
                   count, size, (bench_now() - t0) * 1e9 / (double)count);
    }
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    free(buf);
    if (close(fd) == -1)
        err(1, "close");
    return 0;
}

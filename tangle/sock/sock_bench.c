/*
 * sock_bench - time round trips and one-way streams over UNIX sockets
 *
 * usage: sock_bench [-C] [-n count] [-s size] [-t type] echo|sink address
 *        sock_bench [-C] [-n count] [-s size] [-t type] ping|send address
 *
 * type is stream (default) or seqpacket.  echo and sink bind address,
 * accept one connection and close the listening socket; ping and send
 * connect to it, retrying for 10 s while nobody listens.  ping sends count
 * messages (default 10000) of size bytes (default 64), each after the last
 * came back from echo, and prints the time of one round trip.  send writes
 * count messages and closes; sink reads until end of file, fails unless
 * count * size bytes came, and prints the rate, timed from the end of its
 * first read.  address is a path or an @name.  With -C on both sides
 * nothing is timed: the messages carry the book's check pattern and every
 * byte, record length and total is checked.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
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
#include "lib/io.h"
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/unaddr.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: sock_bench [-C] [-n count] [-s size] [-t type] "
            "echo|sink address\n"
            "       sock_bench [-C] [-n count] [-s size] [-t type] "
            "ping|send address\n"
            "  -C       check the data instead of timing (both sides)\n"
            "  -n count messages (default 10000)\n"
            "  -s size  bytes per message (default 64; suffixes k, M)\n"
            "  -t type  stream (default) or seqpacket\n");
    exit(status);
}
struct run {
    int fd;
    int seqpacket;      /* SOCK_SEQPACKET: each message is one record */
    int check;          /* -C */
    size_t size;
    long count;
    unsigned char *buf; /* size + 1 bytes */
};
static void tune(int fd, int seqpacket, size_t size)
{
    struct timeval patience = { .tv_sec = 10 };
    int want, got;
    socklen_t len = sizeof got;

    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &patience,
                   sizeof patience) == -1)
        err(1, "setsockopt SO_RCVTIMEO");
    if (!seqpacket)
        return;
    if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &got, &len) == -1)
        err(1, "getsockopt SO_SNDBUF");
    if ((size_t)got >= size + 4096)
        return;                         /* never shrink the default */
    want = size > INT_MAX / 2 - 4096 ? INT_MAX / 2 : (int)size + 4096;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof want) == -1)
        err(1, "setsockopt SO_SNDBUF");
    if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &got, &len) == -1)
        err(1, "getsockopt SO_SNDBUF");
    if ((size_t)got < size + 4096 &&
        setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof want) == -1)
        errx(1, "records of %zu bytes need SO_SNDBUF above %d: raise "
             "net.core.wmem_max, or run as root", size, got);
}

static int bench_socket(int seqpacket, size_t size)
{
    int type = seqpacket ? SOCK_SEQPACKET : SOCK_STREAM;
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

    if (fd == -1)
        err(1, "socket");
    tune(fd, seqpacket, size);
    return fd;
}
static int accept_one(int lfd, const char *name, int seqpacket,
                      size_t size)
{
    int fd;

    if (unix_bind(lfd, name) == -1)
        err(1, "bind %s", name);
    if (name[0] != '@')
        cleanup_push(unlink, name);
    if (listen(lfd, 1) == -1)
        err(1, "listen");
    while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
        if (errno == EAGAIN)
            errx(1, "nobody connected to %s within 10 s", name);
        if (errno != EINTR)
            err(1, "accept");
    }
    if (close(lfd) == -1)
        err(1, "close");
    tune(fd, seqpacket, size);
    return fd;
}

static void connect_when_listening(int fd, const char *name)
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
static void receive_one(const struct run *r, long i)
{
    ssize_t n;

    if (r->seqpacket) {
        while ((n = recv(r->fd, r->buf, r->size + 1, 0)) == -1 &&
               errno == EINTR)
            continue;
    } else {
        n = read_full(r->fd, r->buf, r->size);
    }
    if (n == -1 && errno == EAGAIN)
        errx(1, "message %ld: nothing came within 10 s", i);
    if (n == -1)
        err(1, "receive");
    if (n == 0)
        errx(1, "message %ld: the peer closed the connection", i);
    if ((size_t)n != r->size)
        errx(1, "message %ld: %zd bytes, not %zu", i, n, r->size);
    if (r->check && pattern_mismatch(r->buf, r->size,
                                     (uint64_t)i * r->size) != r->size)
        errx(1, "message %ld: wrong bytes", i);
}

static void send_one(const struct run *r, long i)
{
    if (r->check)
        pattern_fill(r->buf, r->size, (uint64_t)i * r->size);
    if (write_full(r->fd, r->buf, r->size) == -1)
        err(1, "send");
}
static void ping(struct run *r)
{
    double t0 = bench_now();

    for (long i = 0; i < r->count; i++) {
        send_one(r, i);
        receive_one(r, i);
    }
    if (r->check)
        printf("%ld round trips of %zu bytes checked\n", r->count, r->size);
    else
        printf("%ld round trips of %zu bytes: %.0f ns per round trip\n",
               r->count, r->size,
               (bench_now() - t0) * 1e9 / (double)r->count);
}

static void echo(struct run *r)
{
    int check = r->check;

    r->check = 0;                       /* ping checks what comes back */
    for (long i = 0; i < r->count; i++) {
        receive_one(r, i);
        if (write_full(r->fd, r->buf, r->size) == -1)
            err(1, "send");
    }
    r->check = check;
}
static void send_all(struct run *r)
{
    for (long i = 0; i < r->count; i++)
        send_one(r, i);
}

static void sink(struct run *r)
{
    uint64_t want = (uint64_t)r->count * r->size, got = 0, first = 0;
    size_t bad;
    double t0 = 0;
    ssize_t n;

    for (long i = 0;; i++) {
        while ((n = read(r->fd, r->buf, r->size + (size_t)r->seqpacket))
               == -1 && errno == EINTR)
            continue;
        if (n == -1 && errno == EAGAIN)
            errx(1, "after %ju bytes: nothing came within 10 s",
                 (uintmax_t)got);
        if (n == -1)
            err(1, "read");
        if (n == 0)
            break;
        if (r->seqpacket && (size_t)n != r->size)
            errx(1, "record %ld: %zd bytes, not %zu", i, n, r->size);
        if (r->check && (bad = pattern_mismatch(r->buf, (size_t)n, got))
                        < (size_t)n)
            errx(1, "byte %ju is 0x%02x, expected 0x%02x",
                 (uintmax_t)(got + bad), r->buf[bad],
                 pattern_byte(got + bad));
        if (got == 0)
            t0 = bench_now(), first = (uint64_t)n;
        got += (uint64_t)n;
    }
    if (got != want)
        errx(1, "received %ju bytes, not the %ju expected: did the sender "
             "fail?", (uintmax_t)got, (uintmax_t)want);
    if (r->check)
        printf("%ld messages of %zu bytes, every byte checked\n",
               r->count, r->size);
    else if (got > first)
        printf("%ld messages of %zu bytes: %.1f MiB/s\n", r->count, r->size,
               (double)(got - first) / (1 << 20) / (bench_now() - t0));
    else
        errx(1, "one read took it all: nothing to time (raise -n)");
}
int main(int argc, char *argv[])
{
    struct run r = { .size = 64, .count = 10000 };
    const char *role, *name;
    int opt;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "Chn:s:t:")) != -1) {
        switch (opt) {
        case 'C': r.check = 1; break;
        case 'n': r.count = parse_long(optarg, 1, 100000000, "count"); break;
        case 's': r.size = parse_size(optarg, 1, 16 << 20, "size"); break;
        case 't':
            if (strcmp(optarg, "stream") == 0)
                r.seqpacket = 0;
            else if (strcmp(optarg, "seqpacket") == 0)
                r.seqpacket = 1;
            else
                errx(2, "type: '%s' is not stream or seqpacket", optarg);
            break;
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
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        err(1, "signal");
    if ((r.buf = calloc(1, r.size + 1)) == NULL)
        err(1, "calloc");
    r.fd = bench_socket(r.seqpacket, r.size);
    if (!strcmp(role, "echo") || !strcmp(role, "sink")) {
        r.fd = accept_one(r.fd, name, r.seqpacket, r.size);
        if (!strcmp(role, "echo"))
            echo(&r);
        else
            sink(&r);
    } else {
        connect_when_listening(r.fd, name);
        if (!strcmp(role, "ping"))
            ping(&r);
        else
            send_all(&r);
    }
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    free(r.buf);
    if (close(r.fd) == -1)
        err(1, "close");
    return 0;
}

/*
 * dgram_probe - measure the datagram size limit and queue length
 *
 * usage: dgram_probe [-s sndbuf]
 *
 * Prints, for UNIX datagram sockets on the running kernel: SO_SNDBUF, the
 * largest datagram a socket can send (found by trying), the kernel's
 * max_dgram_qlen, and how many datagrams of several sizes a receiver that
 * never reads takes before a non-blocking sender gets EAGAIN.  -s asks
 * for a send buffer of sndbuf bytes first (the kernel doubles it).
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "lib/num.h"
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: dgram_probe [-s sndbuf]\n"
            "  -s sndbuf  ask for this SO_SNDBUF first (suffix k, M)\n");
    exit(status);
}

static void autobind(int fd)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };

    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa_family_t)) == -1)
        err(1, "bind (autobind)");
}

static int dgram_socket(int sndbuf)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (fd == -1)
        err(1, "socket");
    if (sndbuf > 0
        && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) == -1)
        err(1, "setsockopt SO_SNDBUF");
    return fd;
}

static int sndbuf_of(int fd)
{
    int v;
    socklen_t len = sizeof v;

    if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &len) == -1)
        err(1, "getsockopt SO_SNDBUF");
    return v;
}

static size_t largest_datagram(int sndbuf)
{
    int sv[2];
    size_t lo = 0, hi;
    char *buf, c;

    if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) == -1)
        err(1, "socketpair");
    if (sndbuf > 0 && setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf,
                                 sizeof sndbuf) == -1)
        err(1, "setsockopt SO_SNDBUF");
    hi = 2 * (size_t)sndbuf_of(sv[0]) + 4096;   /* surely too big */
    if ((buf = calloc(1, hi)) == NULL)
        err(1, "calloc");
    while (lo + 1 < hi) {               /* lo is known to fit, hi not */
        size_t mid = lo + (hi - lo) / 2;
        if (send(sv[0], buf, mid, MSG_DONTWAIT) == -1) {
            if (errno != EMSGSIZE)
                err(1, "send %zu bytes", mid);
            hi = mid;
        } else {
            if (recv(sv[1], &c, 1, 0) == -1)
                err(1, "recv");
            lo = mid;
        }
    }
    free(buf);
    if (close(sv[0]) == -1 || close(sv[1]) == -1)
        err(1, "close");
    return lo;
}

static long fill_queue(size_t size, int sndbuf)
{
    struct sockaddr_un to;
    socklen_t tolen = sizeof to;
    int rfd = dgram_socket(-1), sfd = dgram_socket(sndbuf);
    char *buf;
    long n = 0;

    autobind(rfd);
    if (getsockname(rfd, (struct sockaddr *)&to, &tolen) == -1)
        err(1, "getsockname");
    if ((buf = calloc(1, size)) == NULL)
        err(1, "calloc");
    while (n < 100000 && sendto(sfd, buf, size, MSG_DONTWAIT,
                                (struct sockaddr *)&to, tolen) != -1)
        n++;
    if (n < 100000 && errno != EAGAIN)
        err(1, "sendto, %zu bytes", size);
    free(buf);
    if (close(sfd) == -1 || close(rfd) == -1)
        err(1, "close");
    return n;
}

int main(int argc, char *argv[])
{
    static const size_t sizes[] = { 1, 1024, 16384, 65536 };
    int opt, sndbuf = -1, actual;
    size_t largest;
    char qlen[32] = "unknown";
    FILE *f;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "hs:")) != -1) {
        switch (opt) {
        case 's': sndbuf = (int)parse_size(optarg, 1, 64 << 20, "sndbuf");
                  break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind != argc)
        usage(2);
    {
        int fd = dgram_socket(sndbuf);
        actual = sndbuf_of(fd);
        if (close(fd) == -1)
            err(1, "close");
    }
    largest = largest_datagram(sndbuf);
    if ((f = fopen("/proc/sys/net/unix/max_dgram_qlen", "r")) != NULL) {
        if (fscanf(f, "%31s", qlen) != 1)
            strcpy(qlen, "unknown");
        fclose(f);
    }
    printf("SO_SNDBUF               %d bytes\n", actual);
    printf("largest datagram        %zu bytes (SO_SNDBUF - %ld)\n", largest,
           (long)actual - (long)largest);
    printf("net.unix.max_dgram_qlen %s\n", qlen);
    printf("queued before EAGAIN, by size:\n");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        printf("%9zu bytes  %ld datagrams\n", sizes[i],
               fill_queue(sizes[i], sndbuf));
    printf("%9zu bytes  %ld datagrams\n", largest, fill_queue(largest, sndbuf));
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

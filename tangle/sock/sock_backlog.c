/*
 * sock_backlog - what connect does when a listener's backlog is full
 *
 * usage: sock_backlog [-b backlog] [-n connects] [-t ms]
 *
 * Listens on a socket in a new private directory with the backlog
 * (default 2), never accepts, and connects connects times (default
 * backlog + 3) without blocking, printing how each connect ends.  With
 * -t, each connect blocks instead, bounded by SO_SNDTIMEO of ms, and the
 * time it took is printed too.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/num.h"
#include "lib/privdir.h"
#include "lib/prog.h"
#include "lib/unaddr.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: sock_backlog [-b backlog] [-n connects] [-t ms]\n"
            "  -b backlog  listen's backlog (default 2)\n"
            "  -n connects how many connects to try (default backlog + 3)\n"
            "  -t ms       block in connect, at most ms (default: "
            "non-blocking)\n");
    exit(status);
}

static int try_connect(const struct sockaddr_un *sa, socklen_t len,
                       long ms, long *took)
{
    struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = ms % 1000 * 1000 };
    struct timespec t0, t1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC
                    | (ms ? 0 : SOCK_NONBLOCK), 0);

    if (fd == -1)
        err(1, "socket");
    if (ms && setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == -1)
        err(1, "setsockopt SO_SNDTIMEO");
    if (clock_gettime(CLOCK_MONOTONIC, &t0) == -1)
        err(1, "clock_gettime");
    if (connect(fd, (const struct sockaddr *)sa, len) == -1) {
        int e = errno;
        (void)close(fd);
        errno = e;
        fd = -1;
    }
    if (clock_gettime(CLOCK_MONOTONIC, &t1) == -1)
        err(1, "clock_gettime");
    *took = (t1.tv_sec - t0.tv_sec) * 1000
            + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    return fd;
}

int main(int argc, char *argv[])
{
    char dir[PATH_MAX], path[PATH_MAX];
    struct sockaddr_un sa;
    socklen_t len;
    long backlog = 2, n = -1, ms = 0, took;
    int c, lfd;

    prog_name(argv);
    while ((c = getopt(argc, argv, "b:hn:t:")) != -1) {
        switch (c) {
        case 'b': backlog = parse_long(optarg, 0, 100, "backlog"); break;
        case 'h': usage(0); break;
        case 'n': n = parse_long(optarg, 1, 200, "connects"); break;
        case 't': ms = parse_long(optarg, 1, 60000, "timeout"); break;
        default: usage(2);
        }
    }
    if (optind != argc)
        usage(2);
    if (n == -1)
        n = backlog + 3;
    private_dir(dir, sizeof dir, "sock_backlog");
    if ((size_t)snprintf(path, sizeof path, "%s/s", dir) >= sizeof path
        || (len = unix_addr(&sa, path)) == 0)
        errx(1, "%s: name too long", dir);
    if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
        err(1, "socket");
    if (bind(lfd, (struct sockaddr *)&sa, len) == -1)
        err(1, "bind %s", path);
    cleanup_push(unlink, path);
    if (listen(lfd, (int)backlog) == -1)
        err(1, "listen");
    printf("listening with backlog %ld, never accepting\n", backlog);
    for (long i = 1; i <= n; i++) {
        int fd = try_connect(&sa, len, ms, &took);
        printf("connect %ld: %s", i, fd != -1 ? "connected"
               : errno == EAGAIN ? "EAGAIN" : strerror(errno));
        printf(ms ? " after %ld ms\n" : "\n", took);
    }
    return fclose(stdout) == EOF;       /* exit closes every socket */
}

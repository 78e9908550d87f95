/*
 * sock_fill - how many bytes a stream socket takes before a write blocks
 *
 * usage: sock_fill [-s sndbuf] [-r rcvbuf] [-c chunk]
 *
 * Makes a stream socketpair, sets SO_SNDBUF on the writing end and
 * SO_RCVBUF on the reading end when asked, prints the values getsockopt
 * then reports, and writes chunk bytes at a time (default 1k) without
 * blocking until a write would block; prints how many bytes went in.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "lib/num.h"
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: sock_fill [-s sndbuf] [-r rcvbuf] [-c chunk]\n");
    exit(status);
}

static int bufsize(int fd, int opt, size_t set)
{
    int v = (int)set;
    socklen_t len = sizeof v;

    if (set && setsockopt(fd, SOL_SOCKET, opt, &v, sizeof v) == -1)
        err(1, "setsockopt");
    if (getsockopt(fd, SOL_SOCKET, opt, &v, &len) == -1)
        err(1, "getsockopt");
    return v;
}

int main(int argc, char *argv[])
{
    size_t snd = 0, rcv = 0, chunk = 1024, total = 0;
    char *buf;
    int c, sv[2];
    ssize_t n;

    prog_name(argv);
    while ((c = getopt(argc, argv, "c:hr:s:")) != -1) {
        switch (c) {
        case 'c': chunk = parse_size(optarg, 1, 1 << 20, "chunk"); break;
        case 'h': usage(0); break;
        case 'r': rcv = parse_size(optarg, 1, 64 << 20, "rcvbuf"); break;
        case 's': snd = parse_size(optarg, 1, 64 << 20, "sndbuf"); break;
        default: usage(2);
        }
    }
    if (optind != argc)
        usage(2);
    if ((buf = calloc(1, chunk)) == NULL)
        err(1, "calloc");
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == -1)
        err(1, "socketpair");
    printf("writer's SO_SNDBUF %d, reader's SO_RCVBUF %d\n",
           bufsize(sv[0], SO_SNDBUF, snd), bufsize(sv[1], SO_RCVBUF, rcv));
    while ((n = write(sv[0], buf, chunk)) > 0)
        total += (size_t)n;
    if (errno != EAGAIN)
        err(1, "write");
    printf("%zu bytes went in before a write would block\n", total);
    free(buf);
    (void)close(sv[0]);
    (void)close(sv[1]);
    return fclose(stdout) == EOF;
}

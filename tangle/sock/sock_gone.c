/*
 * sock_gone - read and write on a socket whose peer has closed
 *
 * usage: sock_gone [-i | -n | -r] [-d | -q]
 *
 * Makes a socketpair, writes a line into one end and closes it, then
 * reads the other end to end of file and writes to it: with write(2), so
 * that SIGPIPE kills the program; -i ignores SIGPIPE first, so write
 * fails with EPIPE; -n sends with MSG_NOSIGNAL, which fails with EPIPE
 * while SIGPIPE keeps its default action.  -r first sends the closing
 * end a byte it never reads: then the read fails with ECONNRESET.  -q
 * does the same over SOCK_SEQPACKET, -d over SOCK_DGRAM.  A read waits
 * at most a second for what never comes.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: sock_gone [-i | -n | -r] [-d | -q]\n");
    exit(status);
}

static void read_to_eof(int fd)
{
    char buf[64];
    ssize_t n;

    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            printf("read: nothing for a second, and no end of file\n");
            return;                     /* SO_RCVTIMEO, set by main */
        }
        if (n == -1)
            err(1, "read");
        printf("read %zd bytes: %.*s\n", n, (int)n, buf);
    }
    printf("read 0 bytes: end of file\n");
}

int main(int argc, char *argv[])
{
    int c, sv[2], nosignal = 0, unread = 0, type = SOCK_STREAM;
    struct timeval second = { .tv_sec = 1 };
    ssize_t n;

    prog_name(argv);
    while ((c = getopt(argc, argv, "dhinqr")) != -1) {
        switch (c) {
        case 'd': type = SOCK_DGRAM; break;
        case 'h': usage(0); break;
        case 'i':
            if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
                err(1, "signal");
            break;
        case 'n': nosignal = 1; break;
        case 'q': type = SOCK_SEQPACKET; break;
        case 'r': unread = 1; break;
        default: usage(2);
        }
    }
    if (optind != argc)
        usage(2);
    if (socketpair(AF_UNIX, type, 0, sv) == -1)
        err(1, "socketpair");
    if (setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &second, sizeof second)
        == -1)
        err(1, "setsockopt SO_RCVTIMEO");
    if (unread && write(sv[0], "?", 1) != 1)
        err(1, "write to the peer");
    if (write(sv[1], "bye", 3) != 3 || close(sv[1]) == -1)
        err(1, "write and close the peer");
    read_to_eof(sv[0]);
    printf("writing to it with %s\n", nosignal ? "send(MSG_NOSIGNAL)"
           : "write");
    if (fflush(stdout) == EOF)          /* before SIGPIPE can kill us */
        err(1, "stdout");
    n = nosignal ? send(sv[0], "x", 1, MSG_NOSIGNAL) : write(sv[0], "x", 1);
    if (n != -1)
        errx(1, "the write succeeded");
    printf("failed: %s%s\n", strerror(errno), errno == EPIPE ? " (EPIPE)"
           : errno == ECONNREFUSED ? " (ECONNREFUSED)" : "");
    if (close(sv[0]) == -1)
        err(1, "close");
    return fclose(stdout) == EOF;
}

/*
 * fd_send - open files and send their descriptors over a UNIX socket
 *
 * usage: fd_send [-n copies] [-t ms] socket file...
 *
 * Opens each file read-only ("-" is standard input) and sends its
 * descriptor to socket (a path, or @name) with SCM_RIGHTS, in a message
 * of one byte; -n puts copies of it in each message (default 1, at most
 * 16), as a hostile sender might.  Then shuts down its sending half and
 * waits for the receiver to close, at most ms milliseconds (default 5000).
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/unaddr.h"

enum { COPIES_MAX = 16 };

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: fd_send [-n copies] [-t ms] socket file...\n");
    exit(status);
}

static void send_fd(int sock, int fd, int copies)
{
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int) * COPIES_MAX)];
    } ctl;
    struct iovec iov = { .iov_base = "F", .iov_len = 1 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = ctl.buf,
                        .msg_controllen = CMSG_SPACE(sizeof(int) * copies) };
    struct cmsghdr *c;

    memset(&ctl, 0, sizeof ctl);
    c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * copies);
    for (int i = 0; i < copies; i++)
        memcpy(CMSG_DATA(c) + i * sizeof fd, &fd, sizeof fd);
    if (sendmsg(sock, &m, MSG_NOSIGNAL) == -1)
        err(1, "sendmsg");
}

int main(int argc, char *argv[])
{
    struct sockaddr_un sa;
    struct timeval tv = { 5, 0 };
    socklen_t len;
    long copies = 1, ms = 5000;
    int c, sock;
    char byte;

    prog_name(argv);
    while ((c = getopt(argc, argv, "hn:t:")) != -1) {
        switch (c) {
        case 'h': usage(0); break;
        case 'n': copies = parse_long(optarg, 1, COPIES_MAX, "copies"); break;
        case 't': ms = parse_long(optarg, 1, 3600000, "timeout"); break;
        default: usage(2);
        }
    }
    if (argc - optind < 2)
        usage(2);
    if ((len = unix_addr(&sa, argv[optind])) == 0)
        err(2, "%s", argv[optind]);
    tv.tv_sec = ms / 1000;
    tv.tv_usec = ms % 1000 * 1000;
    if ((sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1
        || setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == -1
        || setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == -1)
        err(1, "socket");
    if (connect(sock, (struct sockaddr *)&sa, len) == -1)
        err(1, "connect %s", argv[optind]);
    for (int i = optind + 1; i < argc; i++) {
        int fd = strcmp(argv[i], "-") == 0 ? STDIN_FILENO
                 : open(argv[i], O_RDONLY | O_NOCTTY | O_CLOEXEC);
        if (fd == -1)
            err(1, "open %s", argv[i]);
        send_fd(sock, fd, (int)copies);
        if (fd != STDIN_FILENO && close(fd) == -1)  /* in flight: safe */
            err(1, "close %s", argv[i]);
    }
    if (shutdown(sock, SHUT_WR) == -1)
        err(1, "shutdown");
    if (read(sock, &byte, 1) == -1)     /* 0: the receiver has closed */
        err(1, "waiting for the receiver");
    return close(sock) == -1;
}

/*
 * sock_reads - what each read returns, on a stream and on a seqpacket
 *
 * usage: sock_reads [-a] [-b size] [-t stream|seqpacket] length...
 *
 * Makes a socketpair of the type (default stream) and forks a child that
 * sends one message of each length (bytes of 'a', 'b', 'c'...), then
 * closes its end.  The parent reads with a buffer of size bytes (default
 * 64k) until end of file, printing what each read returned, marked
 * "truncated" when the kernel cut a record short.  With -a the parent
 * first waits until the child has sent everything (only for messages
 * that fit in the socket's buffers together).
 */
#define _GNU_SOURCE
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/io.h"
#include "lib/num.h"
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: sock_reads [-a] [-b size] [-t stream|seqpacket] "
            "length...\n");
    exit(status);
}

static void send_all(int fd, int stream, char **lengths, int n)
{
    for (int i = 0; i < n; i++) {
        size_t len = parse_size(lengths[i], 1, 16 << 20, "length");
        char *msg = malloc(len);
        if (msg == NULL)
            err(1, "malloc");
        memset(msg, 'a' + i % 26, len);
        if (stream ? write_full(fd, msg, len) == -1
                   : send(fd, msg, len, 0) == -1)
            err(1, "send %zu bytes", len);
        free(msg);
    }
}

static void read_all(int fd, size_t size)
{
    char *buf = malloc(size);
    struct iovec iov = { .iov_base = buf, .iov_len = size };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t n;

    if (buf == NULL)
        err(1, "malloc");
    while ((n = recvmsg(fd, &m, 0)) > 0)
        printf("read %zd bytes: %c...%s\n", n, buf[0],
               m.msg_flags & MSG_TRUNC ? " (truncated)" : "");
    if (n == -1)
        err(1, "recvmsg");
    printf("read 0 bytes: end of file\n");
    free(buf);
}

int main(int argc, char *argv[])
{
    size_t size = 64 * 1024;
    int c, sv[2], status, stream = 1, after = 0;

    prog_name(argv);
    while ((c = getopt(argc, argv, "ab:ht:")) != -1) {
        switch (c) {
        case 'a': after = 1; break;
        case 'b': size = parse_size(optarg, 1, 16 << 20, "size"); break;
        case 'h': usage(0); break;
        case 't':
            if (strcmp(optarg, "stream") != 0
                && strcmp(optarg, "seqpacket") != 0)
                errx(2, "type: '%s' is not stream or seqpacket", optarg);
            stream = strcmp(optarg, "stream") == 0;
            break;
        default: usage(2);
        }
    }
    if (optind == argc)
        usage(2);
    for (int i = optind; i < argc; i++)     /* bad usage before the fork */
        (void)parse_size(argv[i], 1, 16 << 20, "length");
    if (socketpair(AF_UNIX, stream ? SOCK_STREAM : SOCK_SEQPACKET, 0, sv)
        == -1)
        err(1, "socketpair");
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    switch (fork()) {
    case -1:
        err(1, "fork");
    case 0:                             /* child: the writer */
        (void)close(sv[0]);             /* the reader's end */
        send_all(sv[1], stream, argv + optind, argc - optind);
        _exit(0);                       /* closes sv[1]: end of file */
    }
    (void)close(sv[1]);                 /* the writer's end: for the EOF */
    if (after && wait(&status) == -1)
        err(1, "wait");
    read_all(sv[0], size);
    if (!after && wait(&status) == -1)
        err(1, "wait");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        errx(1, "the writer failed");
    return fclose(stdout) == EOF;
}

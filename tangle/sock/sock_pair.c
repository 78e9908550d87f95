/*
 * sock_pair - a socketpair between parent and child, used both ways
 *
 * usage: sock_pair [-t stream|seqpacket|dgram]
 *
 * Makes a socketpair of the type (default stream) and forks.  The child
 * writes a line on its end and reads the parent's answer; the parent
 * reads the child's line and answers on its end.  Then each prints what
 * SO_PEERCRED says of its peer.
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
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: sock_pair [-t stream|seqpacket|dgram]\n");
    exit(status);
}

static void hear(const char *who, int fd)
{
    char buf[64];
    ssize_t n = read(fd, buf, sizeof buf);

    if (n == -1)
        err(1, "%s: read", who);
    printf("%s %ld read: %.*s\n", who, (long)getpid(), (int)n, buf);
    if (fflush(stdout) == EOF)
        err(1, "stdout");
}

static void tell(const char *who, int fd, const char *msg)
{
    if (write_full(fd, msg, strlen(msg)) == -1)
        err(1, "%s: write", who);
}

static void peer(const char *who, int fd)
{
    struct ucred cr;
    socklen_t len = sizeof cr;

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1)
        err(1, "%s: getsockopt SO_PEERCRED", who);
    printf("%s %ld: peer pid %ld uid %ld gid %ld\n", who, (long)getpid(),
           (long)cr.pid, (long)cr.uid, (long)cr.gid);
    if (fflush(stdout) == EOF)
        err(1, "stdout");
}

int main(int argc, char *argv[])
{
    int c, sv[2], status, type = SOCK_STREAM;

    prog_name(argv);
    while ((c = getopt(argc, argv, "ht:")) != -1) {
        if (c == 'h')
            usage(0);
        else if (c == 't' && strcmp(optarg, "stream") == 0)
            type = SOCK_STREAM;
        else if (c == 't' && strcmp(optarg, "seqpacket") == 0)
            type = SOCK_SEQPACKET;
        else if (c == 't' && strcmp(optarg, "dgram") == 0)
            type = SOCK_DGRAM;
        else if (c == 't')
            errx(2, "type: '%s' is not stream, seqpacket or dgram", optarg);
        else
            usage(2);
    }
    if (optind != argc)
        usage(2);
    if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) == -1)
        err(1, "socketpair");
    if (fflush(stdout) == EOF)          /* nothing to print twice */
        err(1, "stdout");
    switch (fork()) {
    case -1:
        err(1, "fork");
    case 0:                             /* child: talks on sv[1] */
        (void)close(sv[0]);             /* the parent's end */
        tell("child", sv[1], "hello from the child");
        hear("child", sv[1]);
        peer("child", sv[1]);
        _exit(0);
    default:                            /* parent: talks on sv[0] */
        (void)close(sv[1]);             /* the child's end */
        hear("parent", sv[0]);
        tell("parent", sv[0], "hello from the parent");
        if (wait(&status) == -1)
            err(1, "wait");
        peer("parent", sv[0]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            errx(1, "the child failed");
    }
    return 0;
}

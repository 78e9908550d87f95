/*
 * dgram_recv - receive datagrams and show what recvmsg reports
 *
 * usage: dgram_recv [-cpT] [-b size] [-n count] address
 *
 * Binds a datagram socket to address (a path, made with mode 0600, or
 * @name for an abstract name), says so on standard error, and prints a
 * line for each datagram: what recvmsg returned, its msg_flags, the
 * sender's address and the data (unprintable bytes as '?').  -b receives
 * into a buffer of size bytes (default 64k); -T passes the flag MSG_TRUNC,
 * so that recvmsg returns the datagram's whole length; -p first asks for
 * that length alone, with MSG_PEEK | MSG_TRUNC; -c asks for the
 * sender's credentials with each datagram (SO_PASSCRED).  A descriptor
 * that comes with a datagram (SCM_RIGHTS) is shown, its first bytes read,
 * and closed.  Stops after count datagrams, or on SIGINT, SIGTERM or
 * SIGHUP, and removes its socket file.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/unaddr.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: dgram_recv [-cpT] [-b size] [-n count] address\n"
            "  address   a path to bind (mode 0600), or @name (abstract)\n"
            "  -b size   receive into a buffer of size bytes (default 64k)\n"
            "  -c        show each sender's credentials (SO_PASSCRED)\n"
            "  -n count  stop after count datagrams\n"
            "  -p        peek at each datagram's length first\n"
            "  -T        recvmsg with MSG_TRUNC: return the real length\n");
    exit(status);
}

static int bind_private(int fd, const char *name)
{
    mode_t old = umask(0177);
    int r = unix_bind(fd, name), saved_errno = errno;

    umask(old);
    errno = saved_errno;
    return r;
}

static const char *quote(const char *data, size_t len)
{
    static char out[128];               /* room for a whole sun_path */
    size_t i;

    for (i = 0; i < len && i < 108; i++)
        out[i] = data[i] >= 0x20 && data[i] < 0x7f ? data[i] : '?';
    strcpy(out + i, i < len ? "..." : "");
    return out;
}

static void show_fd(int fd)
{
    char data[41];
    struct stat st;
    ssize_t n;

    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)
        && (n = pread(fd, data, sizeof data - 1, 0)) >= 0)
        printf(", descriptor holding \"%s\"", quote(data, (size_t)n));
    else
        printf(", descriptor (not a regular file)");
    if (close(fd) == -1)
        err(1, "close received descriptor");
}

static void show_ancillary(struct msghdr *msg)
{
    struct cmsghdr *c;

    for (c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
        if (c->cmsg_level != SOL_SOCKET)
            continue;
        if (c->cmsg_type == SCM_CREDENTIALS) {
            struct ucred u;
            memcpy(&u, CMSG_DATA(c), sizeof u);
            printf(", pid %ld uid %ld gid %ld", (long)u.pid, (long)u.uid,
                   (long)u.gid);
        } else if (c->cmsg_type == SCM_RIGHTS) {
            size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < n; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
                show_fd(fd);
            }
        }
    }
}

static void receive_one(int fd, char *buf, size_t size, int flags, int peek)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(struct ucred))
                 + CMSG_SPACE(4 * sizeof(int))];
    } ctl;
    struct sockaddr_un from;
    struct iovec iov = { .iov_base = buf, .iov_len = size };
    struct msghdr msg = {
        .msg_name = &from, .msg_namelen = sizeof from,
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf,
    };
    char who[sizeof from.sun_path + 16];
    ssize_t n;

    if (peek) {
        ssize_t whole;

        while ((whole = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC)) == -1)
            if (errno != EINTR)
                err(1, "recv MSG_PEEK");
        printf("peeked %zd, ", whole);
    }
    while ((n = recvmsg(fd, &msg, flags | MSG_CMSG_CLOEXEC)) == -1)
        if (errno != EINTR)
            err(1, "recvmsg");
    unix_addr_str(&from, msg.msg_namelen, who, sizeof who);
    printf("returned %zd, flags %s, from %s", n,
           (msg.msg_flags & MSG_TRUNC) && (msg.msg_flags & MSG_CTRUNC)
               ? "MSG_TRUNC|MSG_CTRUNC"
           : msg.msg_flags & MSG_TRUNC ? "MSG_TRUNC"
           : msg.msg_flags & MSG_CTRUNC ? "MSG_CTRUNC" : "0",
           quote(who, strlen(who)));
    show_ancillary(&msg);
    printf(": \"%s\"\n", quote(buf, (size_t)n < size ? (size_t)n : size));
    if (fflush(stdout) == EOF)
        err(1, "stdout");
}

int main(int argc, char *argv[])
{
    struct sockaddr_un sa;
    size_t size = 64 * 1024;
    long count = -1;                    /* -1: until a signal */
    int opt, fd, flags = 0, creds = 0, peek = 0, on = 1;
    char *buf;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "b:chn:pT")) != -1) {
        switch (opt) {
        case 'b': size = parse_size(optarg, 1, 16 << 20, "size"); break;
        case 'c': creds = 1; break;
        case 'n': count = parse_long(optarg, 1, LONG_MAX, "count"); break;
        case 'p': peek = 1; break;
        case 'T': flags |= MSG_TRUNC; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind != 1)
        usage(2);
    if (unix_addr(&sa, argv[optind]) == 0)
        err(2, "address '%s'", argv[optind]);
    if ((buf = malloc(size)) == NULL)
        err(1, "malloc");
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
        err(1, "socket");
    if (creds && setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) == -1)
        err(1, "setsockopt SO_PASSCRED");
    if (bind_private(fd, argv[optind]) == -1)
        err(1, "bind %s", argv[optind]);
    if (argv[optind][0] != '@')         /* a file: ours to remove */
        cleanup_push(unlink, argv[optind]);
    fprintf(stderr, "dgram_recv: bound to %s\n", argv[optind]);
    while (count == -1 || count-- > 0)
        receive_one(fd, buf, size, flags, peek);
    free(buf);
    if (close(fd) == -1)
        err(1, "close");
    return 0;
}

/*
 * dgram_server - hand out sequence numbers over a UNIX datagram socket
 *
 * usage: dgram_server [-d dir]
 *
 * Binds the datagram socket "socket" (mode 0600) in a new private
 * directory (mode 0700, under $TMPDIR, default /tmp) or in dir, prints
 * its process id and the socket's path on one line, closes standard
 * output, and serves until SIGINT, SIGTERM or SIGHUP.  A request is one
 * datagram "COUNT" (1 to 1000000, a newline allowed); the reply, sent to
 * the request's sender, is the first of COUNT consecutive numbers, or
 * "error: WHY".  A reply that cannot be sent at once is dropped, and the
 * number is not used up.  On exit it removes the socket, and the
 * directory if it made it.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/privdir.h"
#include "lib/prog.h"
#include "lib/unaddr.h"
#include "dgram/dgram_protocol.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: dgram_server [-d dir]\n"
            "  -d dir  serve in dir (default: a new private directory)\n");
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

struct request {
    char data[REQUEST_MAX + 1];         /* room for a NUL */
    size_t len;                         /* the datagram's real length */
    struct sockaddr_un from;
    socklen_t fromlen;
    struct ucred cred;                  /* pid -1 if none came */
    char who[200];                      /* "ADDRESS (pid P, uid U)" */
};

static void receive(int fd, struct request *r)
{
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(struct ucred))];
    } ctl;
    struct iovec iov = { .iov_base = r->data, .iov_len = REQUEST_MAX };
    struct msghdr msg = {
        .msg_name = &r->from, .msg_namelen = sizeof r->from,
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf,
    };
    ssize_t n;
    char addr[sizeof r->from.sun_path * 4 + 16];

    while ((n = recvmsg(fd, &msg, MSG_TRUNC | MSG_CMSG_CLOEXEC)) == -1)
        if (errno != EINTR)
            err(1, "recvmsg");
    r->len = (size_t)n;
    r->fromlen = msg.msg_namelen;
    r->cred.pid = -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c != NULL;
         c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET)
            continue;
        if (c->cmsg_type == SCM_CREDENTIALS)
            memcpy(&r->cred, CMSG_DATA(c), sizeof r->cred);
        else if (c->cmsg_type == SCM_RIGHTS)
            for (size_t i = 0; i < (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                 i++) {
                int stray;
                memcpy(&stray, CMSG_DATA(c) + i * sizeof(int), sizeof stray);
                (void)close(stray);         /* never ours to keep */
            }
    }
    unix_addr_str(&r->from, r->fromlen, addr, sizeof addr);
    snprintf(r->who, sizeof r->who, "%s (pid %ld, uid %ld)",
             quote(addr, strlen(addr)), (long)r->cred.pid,
             (long)r->cred.uid);
    if (msg.msg_flags & MSG_CTRUNC)
        warnx("request from %s came with descriptors: closed", r->who);
}

static const char *check_request(struct request *r, unsigned long *count)
{
    char *end;

    static char toolong[64];

    if (r->len > REQUEST_MAX) {
        snprintf(toolong, sizeof toolong, "%zu bytes; at most %d",
                 r->len, REQUEST_MAX);
        return toolong;
    }
    if (r->len > 0 && r->data[r->len - 1] == '\n')
        r->len--;
    r->data[r->len] = '\0';
    if (r->len == 0)
        return "empty request; want COUNT";
    errno = 0;
    *count = strtoul(r->data, &end, 10);
    if (!isdigit((unsigned char)r->data[0]) || end != r->data + r->len
        || errno == ERANGE || *count < 1 || *count > COUNT_MAX)
        return "COUNT must be a number from 1 to 1000000";
    return NULL;
}

static void answer(int fd, struct request *r, unsigned long long *next)
{
    char reply[REPLY_MAX];
    const char *why;
    unsigned long count = 0;
    int len;

    if (r->fromlen <= offsetof(struct sockaddr_un, sun_path)) {
        warnx("request from %s: unnamed, so no reply", r->who);
        return;
    }
    if ((why = check_request(r, &count)) != NULL) {
        warnx("rejected request from %s: %s", r->who, why);
        len = snprintf(reply, sizeof reply, "error: %s\n", why);
    } else {
        len = snprintf(reply, sizeof reply, "%llu\n", *next);
    }
    if (sendto(fd, reply, (size_t)len, MSG_DONTWAIT,
               (struct sockaddr *)&r->from, r->fromlen) == -1) {
        if (errno == EAGAIN)
            warnx("reply to %s dropped: its queue is full", r->who);
        else
            warn("reply to %s dropped", r->who);
        return;
    }
    if (why == NULL)
        *next += count;
}

int main(int argc, char *argv[])
{
    char dir[PATH_MAX], path[PATH_MAX];
    const char *userdir = NULL;
    unsigned long long next = 0;
    struct request r;
    int opt, fd, on = 1;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "d:h")) != -1) {
        switch (opt) {
        case 'd': userdir = optarg; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind != argc)
        usage(2);
    if (userdir != NULL) {
        check_private_dir(userdir);
        if ((size_t)snprintf(dir, sizeof dir, "%s", userdir) >= sizeof dir)
            errx(2, "%s: directory name too long", userdir);
    } else {
        private_dir(dir, sizeof dir, "dgram_server");
    }
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, SOCKET_NAME)
        >= sizeof path)
        errx(2, "%s: directory name too long", dir);
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
        err(1, "socket");
    if (bind_private(fd, path) == -1) {
        if (errno == EADDRINUSE)
            errx(1, "a server is already listening on %s", path);
        if (errno == EEXIST)
            errx(1, "%s exists and is not a socket of ours", path);
        err(1, "bind %s", path);
    }
    cleanup_push(unlink, path);
    if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) == -1)
        err(1, "setsockopt SO_PASSCRED");
    printf("%ld %s\n", (long)getpid(), path);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    for (;;) {
        receive(fd, &r);
        answer(fd, &r, &next);
    }
}

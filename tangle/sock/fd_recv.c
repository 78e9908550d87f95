/*
 * fd_recv - receive open files over a UNIX socket and copy them out
 *
 * usage: fd_recv [-d dir] [-m mode] [-t ms] [-u uid]...
 *
 * Listens on the socket "fds.sock" in a new private directory (under
 * $TMPDIR, default /tmp) or in dir, prints its path, and serves one
 * sender at a time until SIGINT, SIGTERM or SIGHUP.  Takes descriptors
 * (SCM_RIGHTS, one per message) only from senders with its own uid or
 * one given with -u, and copies what each descriptor reads to standard
 * output.  A sender or a descriptor silent for ms milliseconds (default
 * 5000) is dropped.  The socket file has mode mode (default 600).
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/io.h"
#include "lib/num.h"
#include "lib/privdir.h"
#include "lib/prog.h"
#include "lib/sig.h"
#include "lib/unaddr.h"

enum { UIDS_MAX = 16 };

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: fd_recv [-d dir] [-m mode] [-t ms] [-u uid]...\n");
    exit(status);
}

static mode_t parse_mode(const char *s)
{
    char *end;
    long m;

    errno = 0;
    m = strtol(s, &end, 8);
    if (errno != 0 || end == s || *end != '\0' || m < 0 || m > 0777)
        errx(2, "mode: '%s' is not an octal mode from 0 to 777", s);
    return (mode_t)m;
}

/* The descriptor of the next message, -1 at end of file, or -2 after an
 * error, reported, with nothing left open. */
static int recv_fd(int sock)
{
    union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int))]; } ctl;
    char byte;
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = ctl.buf,
                        .msg_controllen = sizeof ctl.buf };
    ssize_t n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
    int fd = -1;

    if (n == -1) {
        warn(errno == EAGAIN ? "recvmsg: sender silent" : "recvmsg");
        return -2;
    }
    if (n == 0)
        return -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        size_t k = c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS
                   ? (c->cmsg_len - CMSG_LEN(0)) / sizeof(int) : 0;
        for (size_t i = 0; i < k; i++) {
            int f;
            memcpy(&f, CMSG_DATA(c) + i * sizeof f, sizeof f);
            if (fd == -1)
                fd = f;
            else
                (void)close(f);         /* more than one: not wanted */
        }
    }
    if (m.msg_flags & MSG_CTRUNC) {
        warnx("a message with more descriptors than one (MSG_CTRUNC): "
              "the kernel closed those that did not fit; dropped");
        if (fd != -1)
            (void)close(fd);
        return -2;
    }
    if (fd == -1)
        warnx("a message without a descriptor; dropped");
    return fd == -1 ? -2 : fd;
}

static void copy_out(int fd, long ms)
{
    char buf[8192];
    uintmax_t total = 0;
    ssize_t n;

    timeout_start(ms);
    while ((n = read(fd, buf, sizeof buf)) != 0) {
        if (n == -1 && errno == EINTR && !timeout_expired())
            continue;
        if (n == -1)
            break;
        if (write_full(STDOUT_FILENO, buf, (size_t)n) == -1)
            err(1, "stdout");
        total += (uintmax_t)n;
    }
    timeout_stop();
    if (n == -1)
        warn("a descriptor: read, after %ju bytes", total);
    else
        warnx("copied %ju bytes from a descriptor", total);
}

static void serve(int sock, long ms, const uid_t *allowed, size_t n)
{
    struct timeval tv = { .tv_sec = ms / 1000,
                          .tv_usec = ms % 1000 * 1000 };
    struct ucred cr;
    socklen_t len = sizeof cr;
    size_t i = 0;
    int fd;

    if (getsockopt(sock, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1
        || setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == -1)
        err(1, "getsockopt/setsockopt");
    while (i < n && allowed[i] != cr.uid)
        i++;
    if (i == n) {
        warnx("sender pid %ld uid %ld: not allowed; refused",
              (long)cr.pid, (long)cr.uid);
        return;
    }
    warnx("sender pid %ld uid %ld: connected", (long)cr.pid, (long)cr.uid);
    while ((fd = recv_fd(sock)) >= 0) {
        copy_out(fd, ms);
        if (close(fd) == -1)
            warn("close");
    }
    if (fd == -1)
        warnx("sender pid %ld: done", (long)cr.pid);
}

int main(int argc, char *argv[])
{
    char dir[PATH_MAX] = "", path[PATH_MAX];
    uid_t allowed[UIDS_MAX];
    size_t nallowed = 0;
    long ms = 5000;
    mode_t mode = 0600, old;
    int c, lfd, sock;

    prog_name(argv);
    while ((c = getopt(argc, argv, "d:hm:t:u:")) != -1) {
        switch (c) {
        case 'd':
            if (strlen(optarg) >= sizeof dir)
                errx(2, "dir: too long");
            strcpy(dir, optarg);
            break;
        case 'h': usage(0); break;
        case 'm': mode = parse_mode(optarg); break;
        case 't': ms = parse_long(optarg, 1, 3600000, "timeout"); break;
        case 'u':
            if (nallowed == UIDS_MAX - 1)
                errx(2, "uid: at most %d users", UIDS_MAX - 1);
            allowed[nallowed++] =
                (uid_t)parse_long(optarg, 0, (long)UINT32_MAX - 1, "uid");
            break;
        default: usage(2);
        }
    }
    if (optind != argc)
        usage(2);
    allowed[nallowed++] = geteuid();
    if (*dir)
        check_private_dir(dir);
    else
        private_dir(dir, sizeof dir, "fd_recv");
    if ((size_t)snprintf(path, sizeof path, "%s/fds.sock", dir) >= sizeof path)
        errx(2, "%s: directory name too long", dir);
    if ((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
        err(1, "socket");
    old = umask(~mode & 0777);
    if (unix_bind(lfd, path) == -1)
        err(1, "bind %s", path);
    (void)umask(old);
    cleanup_push(unlink, path);
    if (listen(lfd, 8) == -1)
        err(1, "listen");
    if (printf("%s\n", path) < 0 || fflush(stdout) == EOF)
        err(1, "stdout");
    warnx("pid %ld listening on %s", (long)getpid(), path);
    for (;;) {
        if ((sock = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            err(1, "accept");
        }
        serve(sock, ms, allowed, nallowed);
        if (close(sock) == -1)
            warn("close");
    }
}

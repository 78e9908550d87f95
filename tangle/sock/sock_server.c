/*
 * sock_server - answer requests in upper case, for many clients at once
 *
 * usage: sock_server [-q] [-c clients] [-d dir] [-m mode] [-s size]
 *                    [-t ms] [-u uid]...
 *
 * Listens on the socket "upper.sock" in a new private directory (mode
 * 0700, under $TMPDIR, default /tmp) or in dir, taking over a stale socket
 * file there but never a live one.  Prints the socket's path on standard
 * output, then serves until SIGINT, SIGTERM or SIGHUP, and removes the
 * socket (and the directory it made).  The socket file has mode mode
 * (octal, default 600).  Requests are frames (sock/upper.h) of at most
 * size bytes (default 64k); -q serves SOCK_SEQPACKET instead of
 * SOCK_STREAM.  Only clients with the server's uid or one given with -u
 * are served.  At most clients (default 64) are served at once; each has
 * ms milliseconds (default 10000) to send each request and to take each
 * reply.  Each client's comings and goings are logged on standard error.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/num.h"
#include "lib/privdir.h"
#include "lib/prog.h"
#include "lib/unaddr.h"
#include "sock/upper.h"

enum { UIDS_MAX = 16 };

struct client {
    int fd;                     /* -1: a free slot */
    unsigned long id;           /* numbered from 1, for the log */
    unsigned char *in;          /* the request so far: length, body */
    size_t inlen;
    unsigned char *out;         /* the reply being sent */
    size_t outlen, outoff;
    int closing;                /* close once the reply is out */
    long long deadline;         /* ms, CLOCK_MONOTONIC */
    unsigned long requests;     /* answered so far */
};

struct server {
    int lfd;                    /* the listening socket */
    int type;                   /* SOCK_STREAM or SOCK_SEQPACKET */
    size_t max;                 /* the longest request */
    long ms;                    /* each client's deadline */
    uid_t allowed[UIDS_MAX];    /* the users it serves */
    size_t nallowed;
    struct client *c;           /* nslots slots */
    size_t nslots, nclients;
    int starved;                /* out of descriptors: stop accepting */
    unsigned long next_id;
};

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: sock_server [-q] [-c clients] [-d dir] [-m mode] "
            "[-s size]\n"
            "                   [-t ms] [-u uid]...\n"
            "  -q          SOCK_SEQPACKET (default SOCK_STREAM)\n"
            "  -c clients  serve at most clients at once (default 64)\n"
            "  -d dir      listen in dir (default: a new private "
            "directory)\n"
            "  -m mode     the socket file's mode, octal (default 600)\n"
            "  -s size     the longest request (default 64k)\n"
            "  -t ms       each client's deadline per request and reply "
            "(default 10000)\n"
            "  -u uid      also serve this user (default: only our own)\n");
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

static void allow_uid(struct server *s, const char *arg)
{
    if (s->nallowed == UIDS_MAX - 1)    /* one place kept for our own */
        errx(2, "uid: at most %d users", UIDS_MAX - 1);
    s->allowed[s->nallowed++] =
        (uid_t)parse_long(arg, 0, (long)UINT32_MAX - 1, "uid");
}

static void listen_on(struct server *s, const char *path, mode_t mode)
{
    mode_t old;
    int e;

    s->lfd = socket(AF_UNIX, s->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->lfd == -1)
        err(1, "socket");
    old = umask(~mode & 0777);          /* the file gets exactly mode */
    e = unix_bind(s->lfd, path) == -1 ? errno : 0;
    (void)umask(old);
    if (e == EADDRINUSE)
        errx(1, "%s: a server is already listening there", path);
    if (e == EEXIST)
        errx(1, "%s: exists and is not a socket of ours; not touching it",
             path);
    if (e != 0) {
        errno = e;
        err(1, "bind %s", path);
    }
    cleanup_push(unlink, path);
    if (listen(s->lfd, SOMAXCONN) == -1)
        err(1, "listen");
}

static long long now_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
        err(1, "clock_gettime");
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void say(const struct client *c, const char *fmt, ...)
{
    char msg[UPPER_MSG + 1];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    warnx("client %lu: %s", c->id, msg);
}

static void drop(struct server *s, struct client *c)
{
    if (close(c->fd) == -1)
        warn("client %lu: close", c->id);
    c->fd = -1;
    s->nclients--;
    s->starved = 0;                     /* a descriptor is free again */
}

static int allowed(const struct server *s, uid_t uid)
{
    for (size_t i = 0; i < s->nallowed; i++)
        if (s->allowed[i] == uid)
            return 1;
    return 0;
}

static void refuse(struct client *c, const char *fmt, ...);

static void accept_client(struct server *s)
{
    struct client *c = s->c;
    struct ucred cr;
    socklen_t len = sizeof cr;
    int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (fd == -1) {
        if (errno == EAGAIN || errno == ECONNABORTED || errno == EINTR)
            return;
        if (errno != EMFILE && errno != ENFILE)
            err(1, "accept");
        warn("accept (not accepting until a client leaves)");
        s->starved = 1;
        return;
    }
    while (c->fd != -1)                 /* a free slot: we only poll the */
        c++;                            /* listener while there is one */
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1)
        err(1, "getsockopt SO_PEERCRED");
    *c = (struct client){ .fd = fd, .id = ++s->next_id, .in = c->in,
                          .out = c->out, .deadline = now_ms() + s->ms };
    s->nclients++;
    say(c, "pid %ld uid %ld gid %ld: connected", (long)cr.pid,
        (long)cr.uid, (long)cr.gid);
    if (!allowed(s, cr.uid))
        refuse(c, "uid %ld may not use this server", (long)cr.uid);
}

static void send_reply(struct server *s, struct client *c)
{
    ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
                     MSG_NOSIGNAL);

    if (n == -1) {
        if (errno == EAGAIN || errno == EINTR)
            return;                     /* poll will say when */
        say(c, "send: %s; dropped", strerror(errno));
        drop(s, c);
        return;
    }
    c->outoff += (size_t)n;
    if (c->outoff < c->outlen)
        return;
    c->outlen = c->outoff = 0;
    if (c->closing) {
        drop(s, c);
        return;
    }
    c->deadline = now_ms() + s->ms;
}

static int stream_type;                 /* SOCK_STREAM: replies framed */

static void set_reply(struct client *c, int ok, const unsigned char *body,
                      size_t n)
{
    size_t h = stream_type ? UPPER_HEADER : 0;

    if (h)
        upper_put_len(c->out, (uint32_t)(n + 1));
    c->out[h] = ok ? UPPER_OK : UPPER_ERR;
    for (size_t i = 0; i < n; i++)
        c->out[h + 1 + i] = ok ? (unsigned char)toupper(body[i]) : body[i];
    c->outlen = h + 1 + n;
    c->outoff = 0;
    c->closing = !ok;
}

static void refuse(struct client *c, const char *fmt, ...)
{
    char msg[UPPER_MSG + 1];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof msg)
        n = sizeof msg - 1;
    say(c, "%s; refused", msg);
    set_reply(c, 0, (const unsigned char *)msg, (size_t)n);
}

static void answer(struct client *c, size_t n)
{
    set_reply(c, 1, c->in + (stream_type ? UPPER_HEADER : 0), n);
    c->inlen = 0;
    c->requests++;
}

static void read_frame(struct server *s, struct client *c)
{
    size_t want = c->inlen < UPPER_HEADER ? UPPER_HEADER - c->inlen
                  : UPPER_HEADER + upper_get_len(c->in) - c->inlen;
    ssize_t n = read(c->fd, c->in + c->inlen, want);

    if (n == -1 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n == -1 || n == 0) {
        if (n == -1)
            say(c, "read: %s; dropped", strerror(errno));
        else if (c->inlen > 0)
            say(c, "end of file in the middle of a request; dropped");
        else
            say(c, "done after %lu requests", c->requests);
        drop(s, c);
        return;
    }
    c->inlen += (size_t)n;
    if (c->inlen < UPPER_HEADER)
        return;
    if (upper_get_len(c->in) > s->max) {
        refuse(c, "a request of %lu bytes is longer than %zu",
               (unsigned long)upper_get_len(c->in), s->max);
        return;
    }
    if (c->inlen == UPPER_HEADER + upper_get_len(c->in))
        answer(c, c->inlen - UPPER_HEADER);
}

static void read_record(struct server *s, struct client *c)
{
    struct iovec iov = { .iov_base = c->in, .iov_len = s->max };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t n = recvmsg(c->fd, &m, 0);

    if (n == -1 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n == -1 || n == 0) {
        if (n == -1)
            say(c, "recvmsg: %s; dropped", strerror(errno));
        else
            say(c, "done after %lu requests", c->requests);
        drop(s, c);
        return;
    }
    if (m.msg_flags & MSG_TRUNC)
        refuse(c, "a request is longer than %zu bytes", s->max);
    else
        answer(c, (size_t)n);
}

static int expire(struct server *s)
{
    long long now = now_ms(), next = -1;

    for (size_t i = 0; i < s->nslots; i++) {
        struct client *c = &s->c[i];
        if (c->fd == -1)
            continue;
        if (c->deadline <= now) {
            say(c, "%s within %ld ms; dropped",
                c->outlen ? "did not take its reply"
                : c->inlen ? "did not finish its request"
                : "sent no request", s->ms);
            drop(s, c);
        } else if (next == -1 || c->deadline - now < next) {
            next = c->deadline - now;
        }
    }
    return (int)next;
}

static void serve(struct server *s, struct pollfd *p, size_t *slot)
{
    for (;;) {
        int timeout = expire(s);
        size_t n = 0;

        if (s->nclients < s->nslots && !s->starved)
            p[n++] = (struct pollfd){ .fd = s->lfd, .events = POLLIN };
        for (size_t i = 0; i < s->nslots; i++) {
            if (s->c[i].fd == -1)
                continue;
            p[n] = (struct pollfd){ .fd = s->c[i].fd,
                         .events = s->c[i].outlen ? POLLOUT : POLLIN };
            slot[n++] = i;
        }
        if (poll(p, n, timeout) == -1) {
            if (errno == EINTR)
                continue;
            err(1, "poll");
        }
        for (size_t k = 0; k < n; k++) {
            struct client *c = &s->c[slot[k]];
            if (p[k].revents == 0)
                continue;
            if (p[k].fd == s->lfd) {
                accept_client(s);       /* a refusal goes out next time */
                continue;
            }
            if (c->outlen)
                send_reply(s, c);
            else if (s->type == SOCK_STREAM)
                read_frame(s, c);
            else
                read_record(s, c);
            if (c->fd != -1 && c->outlen && c->outoff == 0)
                send_reply(s, c);       /* a new reply: try it at once */
        }
    }
}

int main(int argc, char *argv[])
{
    struct server s = { .type = SOCK_STREAM, .max = UPPER_MAX,
                        .ms = 10000 };
    char dir[PATH_MAX] = "", path[PATH_MAX];
    mode_t mode = 0600;
    long clients = 64;
    struct pollfd *p;
    size_t *slot;
    int c;

    prog_name(argv);
    while ((c = getopt(argc, argv, "c:d:hm:qs:t:u:")) != -1) {
        switch (c) {
        case 'c': clients = parse_long(optarg, 1, 1000, "clients"); break;
        case 'd':
            if (strlen(optarg) >= sizeof dir)
                errx(2, "dir: too long");
            strcpy(dir, optarg);
            break;
        case 'h': usage(0); break;
        case 'm': mode = parse_mode(optarg); break;
        case 'q': s.type = SOCK_SEQPACKET; break;
        case 's': s.max = parse_size(optarg, 1, 16 << 20, "size"); break;
        case 't': s.ms = parse_long(optarg, 1, 3600000, "timeout"); break;
        case 'u': allow_uid(&s, optarg); break;
        default: usage(2);
        }
    }
    if (optind != argc)
        usage(2);
    s.allowed[s.nallowed++] = geteuid();
    stream_type = s.type == SOCK_STREAM;
    s.nslots = (size_t)clients;
    s.c = calloc(s.nslots, sizeof *s.c);
    p = calloc(s.nslots + 1, sizeof *p);
    slot = calloc(s.nslots + 1, sizeof *slot);
    if (s.c == NULL || p == NULL || slot == NULL)
        err(1, "calloc");
    for (size_t i = 0; i < s.nslots; i++) {
        s.c[i].fd = -1;
        s.c[i].in = malloc(UPPER_HEADER + s.max);
        s.c[i].out = malloc(UPPER_HEADER + 1 + (s.max > UPPER_MSG
                                                ? s.max : UPPER_MSG));
        if (s.c[i].in == NULL || s.c[i].out == NULL)
            err(1, "malloc");
    }
    if (*dir)
        check_private_dir(dir);
    else
        private_dir(dir, sizeof dir, "sock_server");
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, UPPER_SOCKET)
        >= sizeof path)
        errx(2, "%s: directory name too long", dir);
    listen_on(&s, path, mode);
    if (printf("%s\n", path) < 0 || fclose(stdout) == EOF)
        err(1, "stdout");
    warnx("pid %ld listening on %s", (long)getpid(), path);
    serve(&s, p, slot);
}

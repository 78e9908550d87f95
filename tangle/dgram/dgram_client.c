/*
 * dgram_client - get sequence numbers from dgram_server
 *
 * usage: dgram_client [-cdv] [-n count] [-r requests] [-t ms] socket
 *
 * Sends the request COUNT (default 1) to socket, the path dgram_server
 * printed, and prints the first of the COUNT numbers in the reply; with
 * -r, does so `requests` times, one after the other.  The server replies
 * to the client's own address: one the kernel picks (autobind), or with
 * -d a socket in a new private directory, both removed on exit.  -c
 * connects the socket to the server, so that nobody else can send to it.
 * Gives up when a request and its reply take longer than ms milliseconds
 * (default 5000).  -v says on standard error what the address is.
 */
#define _GNU_SOURCE
#include <ctype.h>
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
#include "lib/privdir.h"
#include "lib/prog.h"
#include "lib/sig.h"
#include "lib/unaddr.h"
#include "dgram/dgram_protocol.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: dgram_client [-cdv] [-n count] [-r requests] [-t ms] "
            "socket\n"
            "  socket       the server's socket, as dgram_server printed it\n"
            "  -c           connect to the server first\n"
            "  -d           bind in a new private directory, not autobind\n"
            "  -n count     numbers to ask for, 1 to 1000000 (default 1)\n"
            "  -r requests  ask that many times (default 1)\n"
            "  -t ms        give up on a request after ms (default 5000)\n"
            "  -v           say what our address is\n");
    exit(status);
}

static void autobind(int fd)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };

    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa_family_t)) == -1)
        err(1, "bind (autobind)");
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

struct server {
    int fd;                             /* our socket */
    struct sockaddr_un sa;
    socklen_t len;
    const char *path;
    int connected;
    char name[sizeof(struct sockaddr_un) * 4 + 16];  /* as the kernel says */
};

static void own_address(int fd, int privdir, int verbose)
{
    char dir[PATH_MAX], path[PATH_MAX], name[sizeof path * 4];
    struct sockaddr_un me;
    socklen_t len = sizeof me;

    if (privdir) {
        private_dir(dir, sizeof dir, "dgram_client");
        if ((size_t)snprintf(path, sizeof path, "%s/socket", dir)
            >= sizeof path)
            errx(1, "TMPDIR is too long");
        if (bind_private(fd, path) == -1)
            err(1, "bind %s", path);
        cleanup_push(unlink, path);
    } else {
        autobind(fd);
    }
    if (getsockname(fd, (struct sockaddr *)&me, &len) == -1)
        err(1, "getsockname");
    if (verbose)
        fprintf(stderr, "dgram_client: my address is %s\n",
                unix_addr_str(&me, len, name, sizeof name));
}

static unsigned long long ask(const struct server *s, long count, long ms)
{
    char req[32], buf[REPLY_MAX + 1], from[sizeof buf * 8], *end;
    struct sockaddr_un sa;
    socklen_t len;
    ssize_t n;
    unsigned long long first;
    int reqlen = snprintf(req, sizeof req, "%ld", count);

    timeout_start(ms);
    while ((s->connected ? send(s->fd, req, (size_t)reqlen, 0)
            : sendto(s->fd, req, (size_t)reqlen, 0,
                     (const struct sockaddr *)&s->sa, s->len)) == -1) {
        if (errno != EINTR)
            err(1, "send to %s", s->path);
        if (timeout_expired())
            errx(1, "no room in the server's queue within %ld ms", ms);
    }
    for (;;) {
        len = sizeof sa;
        n = recvfrom(s->fd, buf, sizeof buf - 1, 0, (struct sockaddr *)&sa,
                     &len);
        if (n == -1 && errno == EINTR && timeout_expired())
            errx(1, "no reply within %ld ms", ms);
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1)
            err(1, "recvfrom");
        unix_addr_str(&sa, len, from, sizeof from);
        if (s->connected || strcmp(from, s->name) == 0)
            break;
        warnx("ignored a datagram from %s", quote(from, strlen(from)));
    }
    timeout_stop();
    buf[n] = '\0';
    if (strncmp(buf, "error: ", 7) == 0)
        errx(1, "the server says: %s", quote(buf + 7, strcspn(buf + 7, "\n")));
    errno = 0;
    first = strtoull(buf, &end, 10);
    if (!isdigit((unsigned char)buf[0]) || strcmp(end, "\n") != 0
        || errno == ERANGE)
        errx(1, "bad reply from the server: \"%s\"", quote(buf, (size_t)n));
    return first;
}

int main(int argc, char *argv[])
{
    struct server s = { .fd = -1 };
    long count = 1, requests = 1, ms = 5000;
    int opt, privdir = 0, verbose = 0;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "cdhn:r:t:v")) != -1) {
        switch (opt) {
        case 'c': s.connected = 1; break;
        case 'd': privdir = 1; break;
        case 'n': count = parse_long(optarg, 1, COUNT_MAX, "count"); break;
        case 'r': requests = parse_long(optarg, 1, 1000000, "requests");
                  break;
        case 't': ms = parse_long(optarg, 1, 3600000, "timeout"); break;
        case 'v': verbose = 1; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind != 1)
        usage(2);
    s.path = argv[optind];
    if ((s.len = unix_addr(&s.sa, s.path)) == 0)
        err(2, "socket '%s'", s.path);
    unix_addr_str(&s.sa, s.len, s.name, sizeof s.name);
    if ((s.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
        err(1, "socket");
    own_address(s.fd, privdir, verbose);
    if (s.connected
        && connect(s.fd, (const struct sockaddr *)&s.sa, s.len) == -1)
        err(1, "connect %s", s.path);
    for (long i = 0; i < requests; i++)
        printf("%llu\n", ask(&s, count, ms));
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    if (close(s.fd) == -1)
        err(1, "close");
    return 0;
}

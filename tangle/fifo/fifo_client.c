/*
 * fifo_client - get sequence numbers from fifo_server
 *
 * usage: fifo_client [-v] [-n count] [-t ms] dir
 *
 * Makes the FIFO reply.PID in dir, the directory fifo_server printed, and
 * holds it open for reading; sends the request "reply.PID COUNT" into
 * dir/requests, and prints the first of the COUNT (default 1) consecutive
 * numbers the server reserved.  Gives up if the whole exchange has not
 * finished within ms milliseconds (default 5000).  -v says on standard
 * error when the request has gone.  Refuses a dir that every user may
 * write to, and any name in it that is not a FIFO.  The reply FIFO is
 * removed on exit and on SIGINT, SIGTERM and SIGHUP.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/num.h"
#include "lib/privdir.h"
#include "lib/prog.h"
#include "lib/sig.h"
#include "fifo/seq_protocol.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: fifo_client [-v] [-n count] [-t ms] dir\n"
            "  dir       the directory fifo_server printed\n"
            "  -n count  numbers to reserve, 1 to 1000000 (default 1)\n"
            "  -t ms     give up after ms in all (default 5000)\n"
            "  -v        say when the request has been sent\n");
    exit(status);
}

static int open_fifo(int dfd, const char *dir, const char *name, int flags)
{
    struct stat st;
    int fd;

    fd = openat(dfd, name, flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd == -1 && errno == ELOOP)
        errx(1, "%s/%s is a symbolic link; not following it", dir, name);
    if (fd == -1)
        return -1;
    if (fstat(fd, &st) == -1)
        err(1, "fstat %s/%s", dir, name);
    if (!S_ISFIFO(st.st_mode))
        errx(1, "%s/%s is not a FIFO; not touching it", dir, name);
    return fd;
}

static int make_reply_fifo(int dfd, const char *dir, char *name,
                           size_t nsize, char *path, size_t psize)
{
    struct stat st;
    int fd;

    (void)snprintf(name, nsize, "reply.%ld", (long)getpid());
    if ((size_t)snprintf(path, psize, "%s/%s", dir, name) >= psize)
        errx(2, "%s: directory name too long", dir);
    if (mkfifoat(dfd, name, 0600) == -1) {
        if (errno != EEXIST)
            err(1, "mkfifo %s", path);
        if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
            err(1, "stat %s", path);
        if (!S_ISFIFO(st.st_mode) || st.st_uid != geteuid())
            errx(1, "%s exists and is not a FIFO of ours; not touching it",
                 path);
        if (unlinkat(dfd, name, 0) == -1)       /* a dead client's */
            err(1, "unlink %s", path);
        if (mkfifoat(dfd, name, 0600) == -1)
            err(1, "mkfifo %s", path);
    }
    cleanup_push(unlink, path);
    if ((fd = open_fifo(dfd, dir, name, O_RDONLY)) == -1)
        err(1, "open %s", path);
    return fd;
}

static void send_request(int dfd, const char *dir, const char *name,
                         long count, long ms, int verbose)
{
    char req[REQUEST_MAX];
    int fd, fl, len;

    len = snprintf(req, sizeof req, "\n%s %ld\n", name, count);
    if ((fd = open_fifo(dfd, dir, REQUESTS, O_WRONLY)) == -1) {
        if (errno == ENXIO || errno == ENOENT)
            errx(1, "no server is listening in %s", dir);
        err(1, "open %s/%s", dir, REQUESTS);
    }
    if ((fl = fcntl(fd, F_GETFL)) == -1
        || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1)
        err(1, "fcntl %s/%s", dir, REQUESTS);
    if (write(fd, req, (size_t)len) == -1) {
        if (errno == EINTR && timeout_expired())
            errx(1, "request not sent within %ld ms: the server is not "
                 "reading", ms);
        err(1, "write %s/%s", dir, REQUESTS);
    }
    if (close(fd) == -1)                /* done: the server holds a writer */
        err(1, "close %s/%s", dir, REQUESTS);
    if (verbose)
        fprintf(stderr, "fifo_client: sent '%s %ld' to %s/%s\n", name,
                count, dir, REQUESTS);
}

static unsigned long long await_reply(int fd, const char *path, long ms)
{
    char buf[32], *end;
    size_t len = 0;
    ssize_t n = 1;
    unsigned long long first;
    struct pollfd p = { .fd = fd, .events = POLLIN };

    while (n > 0 && memchr(buf, '\n', len) == NULL && len < sizeof buf - 1) {
        if (poll(&p, 1, -1) == -1) {
            if (errno == EINTR && timeout_expired())
                errx(1, "no reply within %ld ms", ms);
            if (errno != EINTR)
                err(1, "poll %s", path);
            continue;
        }
        n = read(fd, buf + len, sizeof buf - 1 - len);
        if (n == -1 && errno != EAGAIN && errno != EINTR)
            err(1, "read %s", path);
        if (n > 0)
            len += (size_t)n;
    }
    if (close(fd) == -1)                /* the reply is in; read end done */
        err(1, "close %s", path);
    buf[len] = '\0';
    errno = 0;
    first = strtoull(buf, &end, 10);
    if (!isdigit((unsigned char)buf[0]) || strcmp(end, "\n") != 0
        || errno == ERANGE)
        errx(1, "bad reply from the server: '%.20s'", buf);
    return first;
}

int main(int argc, char *argv[])
{
    char name[32], path[PATH_MAX];
    const char *dir;
    long count = 1, ms = 5000;
    int opt, verbose = 0, dfd, rfd;
    unsigned long long first;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "hn:t:v")) != -1) {
        switch (opt) {
        case 'n': count = parse_long(optarg, 1, COUNT_MAX, "count"); break;
        case 't': ms = parse_long(optarg, 1, 3600000, "timeout"); break;
        case 'v': verbose = 1; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind != 1 || *(dir = argv[optind]) == '\0')
        usage(2);
    dfd = open_checked_dir(dir, 0);
    rfd = make_reply_fifo(dfd, dir, name, sizeof name, path, sizeof path);
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)    /* a dead server: EPIPE */
        err(1, "signal");
    timeout_start(ms);
    send_request(dfd, dir, name, count, ms, verbose);
    first = await_reply(rfd, path, ms);
    timeout_stop();
    if (close(dfd) == -1)
        err(1, "close %s", dir);
    printf("%llu\n", first);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

/*
 * fifo_client - get sequence numbers from fifo_server
 *
 * usage: fifo_client [-v] [-n count] [-t ms] dir
 *
 * Makes the FIFO reply.PID in dir, the directory fifo_server printed,
 * sends the request "reply.PID COUNT" into dir/requests, and prints the
 * first of the COUNT (default 1) consecutive numbers the server reserved.
 * Gives up if no reply has come within ms milliseconds (default 5000).
 * -v says on standard error when the request has gone.  The reply FIFO is
 * removed on exit and on SIGINT, SIGTERM and SIGHUP.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/io.h"
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/sig.h"
#include "fifo/seq_protocol.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: fifo_client [-v] [-n count] [-t ms] dir\n"
            "  dir       the directory fifo_server printed\n"
            "  -n count  numbers to reserve, 1 to 1000000 (default 1)\n"
            "  -t ms     wait at most ms for the reply (default 5000)\n"
            "  -v        say when the request has been sent\n");
    exit(status);
}

static void make_reply_fifo(const char *dir, char *name, size_t nsize,
                            char *path, size_t psize)
{
    int r;

    (void)snprintf(name, nsize, "reply.%ld", (long)getpid());
    if ((size_t)snprintf(path, psize, "%s/%s", dir, name) >= psize)
        errx(2, "%s: directory name too long", dir);
    r = mkfifo(path, 0600);
    if (r == -1 && errno == EEXIST) {   /* a dead client's: replace it */
        if (unlink(path) == -1)
            err(1, "unlink %s", path);
        r = mkfifo(path, 0600);
    }
    if (r == -1)
        err(1, "mkfifo %s", path);
    cleanup_push(unlink, path);
}

static void send_request(const char *dir, const char *name, long count,
                         int verbose)
{
    char path[PATH_MAX], req[REQUEST_MAX];
    int fd, fl, len;

    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, REQUESTS)
        >= sizeof path)
        errx(2, "%s: directory name too long", dir);
    len = snprintf(req, sizeof req, "%s %ld\n", name, count);
    if ((fd = open(path, O_WRONLY | O_NONBLOCK)) == -1) {
        if (errno == ENXIO)
            errx(1, "no server is listening on %s", path);
        err(1, "open %s", path);
    }
    if ((fl = fcntl(fd, F_GETFL)) == -1
        || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1)
        err(1, "fcntl %s", path);
    if (write_full(fd, req, (size_t)len) == -1)  /* len <= PIPE_BUF: whole */
        err(1, "write %s", path);
    if (close(fd) == -1)                /* done: the server holds a writer */
        err(1, "close %s", path);
    if (verbose)
        fprintf(stderr, "fifo_client: sent '%s %ld' to %s\n", name, count,
                path);
}

static unsigned long long await_reply(const char *path, long ms)
{
    char buf[32], *end;
    size_t len = 0;
    ssize_t n;
    unsigned long long first;
    int fd;

    timeout_start(ms);
    if ((fd = open(path, O_RDONLY)) == -1) {
        if (errno == EINTR && timeout_expired())
            errx(1, "no reply within %ld ms", ms);
        err(1, "open %s", path);
    }
    while ((n = read(fd, buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)n;
    if (n == -1 && errno == EINTR && timeout_expired())
        errx(1, "no reply within %ld ms", ms);
    if (n == -1)
        err(1, "read %s", path);
    timeout_stop();
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
    long count = 1, ms = 5000;
    int opt, verbose = 0;
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
    if (argc - optind != 1)
        usage(2);
    make_reply_fifo(argv[optind], name, sizeof name, path, sizeof path);
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)    /* a dead server: EPIPE */
        err(1, "signal");
    send_request(argv[optind], name, count, verbose);
    first = await_reply(path, ms);
    printf("%llu\n", first);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

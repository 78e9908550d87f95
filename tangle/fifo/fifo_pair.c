/*
 * fifo_pair - talk with a peer through two FIFOs, one each way
 *
 * usage: fifo_pair [-nw] [-t ms] in out
 *
 * Opens the FIFO in for reading, then the FIFO out for writing (with -w,
 * out first), and says on standard error when each open has returned.
 * Then writes standard input into out, closes it, and copies in to
 * standard output until the peer closes its end.  -n opens in with
 * O_NONBLOCK, so that its open does not wait.  Gives up if the whole
 * exchange has not finished within ms milliseconds (default 5000).  Two
 * peers that each send more than a FIFO holds (64 KiB) before reading
 * wait for each other until then.
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/sig.h"

static long limit_ms = 5000;            /* the bound on the whole exchange */

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: fifo_pair [-nw] [-t ms] in out\n"
            "  in     the FIFO to read the peer's message from\n"
            "  out    the FIFO to send standard input into\n"
            "  -n     open in with O_NONBLOCK\n"
            "  -w     open out first, then in\n"
            "  -t ms  give up after ms in all (default 5000)\n");
    exit(status);
}

static void give_up_if_late(const char *what, const char *path)
{
    if (errno == EINTR && timeout_expired())
        errx(1, "%s %s: not done within %ld ms", what, path, limit_ms);
}

static int open_fifo(const char *path, int flags)
{
    int fd = open(path, flags);

    if (fd == -1) {
        give_up_if_late("open", path);
        err(1, "open %s", path);
    }
    fprintf(stderr, "fifo_pair: opened %s for %s\n", path,
            (flags & O_ACCMODE) == O_RDONLY ? "reading" : "writing");
    return fd;
}

static void write_all(int fd, const char *buf, size_t len, const char *path)
{
    ssize_t n;

    while (len > 0) {
        if ((n = write(fd, buf, len)) == -1) {
            give_up_if_late("write", path);
            if (errno == EINTR)
                continue;
            err(1, "write %s", path);
        }
        buf += n;
        len -= (size_t)n;
    }
}

static void send_input(int out, const char *path)
{
    static char buf[65536];
    ssize_t n;

    while ((n = read(STDIN_FILENO, buf, sizeof buf)) != 0) {
        if (n == -1) {
            give_up_if_late("read", "stdin");
            if (errno == EINTR)
                continue;
            err(1, "read stdin");
        }
        write_all(out, buf, (size_t)n, path);
    }
}

static void receive(int in, const char *path)
{
    struct pollfd p = { .fd = in, .events = POLLIN };
    static char buf[65536];
    ssize_t n;

    for (;;) {
        if (poll(&p, 1, -1) == -1) {
            give_up_if_late("poll", path);
            if (errno == EINTR)
                continue;
            err(1, "poll %s", path);
        }
        if ((n = read(in, buf, sizeof buf)) == 0)
            return;                     /* the peer has closed its end */
        if (n == -1) {
            give_up_if_late("read", path);
            if (errno == EAGAIN || errno == EINTR)
                continue;
            err(1, "read %s", path);
        }
        write_all(STDOUT_FILENO, buf, (size_t)n, "stdout");
    }
}

int main(int argc, char *argv[])
{
    int opt, nonblock = 0, out_first = 0, in, out;
    const char *inpath, *outpath;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "hnt:w")) != -1) {
        switch (opt) {
        case 'n': nonblock = 1; break;
        case 't': limit_ms = parse_long(optarg, 1, 3600000, "timeout"); break;
        case 'w': out_first = 1; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind != 2)
        usage(2);
    inpath = argv[optind];
    outpath = argv[optind + 1];
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        err(1, "signal");
    timeout_start(limit_ms);
    if (out_first)
        out = open_fifo(outpath, O_WRONLY);
    in = open_fifo(inpath, O_RDONLY | (nonblock ? O_NONBLOCK : 0));
    if (!out_first)
        out = open_fifo(outpath, O_WRONLY);
    send_input(out, outpath);
    if (close(out) == -1)               /* the peer's end of file */
        err(1, "close %s", outpath);
    receive(in, inpath);
    if (close(in) == -1)
        err(1, "close %s", inpath);
    timeout_stop();
    return 0;
}

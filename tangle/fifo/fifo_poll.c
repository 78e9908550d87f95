/*
 * fifo_poll - what poll reports for a FIFO reader that came first
 *
 * usage: fifo_poll
 *
 * Makes a FIFO in a private directory under $TMPDIR, opens it for
 * reading with O_NONBLOCK before any writer, and prints what read and
 * poll report as a writer comes, writes, leaves, and another comes.
 * Removes the FIFO on exit.
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/privdir.h"
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout, "usage: fifo_poll\n");
    exit(status);
}

static void report(const char *when, int fd, int do_read)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    char buf[16];
    ssize_t n = 0;

    if (poll(&p, 1, 0) == -1)
        err(1, "poll");
    printf("%s: poll reports%s%s%s", when,
           p.revents & POLLIN ? " POLLIN" : "",
           p.revents & POLLHUP ? " POLLHUP" : "",
           p.revents == 0 ? " nothing" : "");
    if (do_read) {
        if ((n = read(fd, buf, sizeof buf)) == -1)
            err(1, "read");
        printf("; read returns %zd", n);
    }
    printf("\n");
}

int main(int argc, char *argv[])
{
    char dir[PATH_MAX], fifo[PATH_MAX];
    int opt, r, w;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "h")) != -1)
        usage(opt == 'h' ? 0 : 2);
    if (optind != argc)
        usage(2);
    private_dir(dir, sizeof dir, "fifo_poll");
    if ((size_t)snprintf(fifo, sizeof fifo, "%s/fifo", dir) >= sizeof fifo)
        errx(1, "TMPDIR is too long");
    if (mkfifo(fifo, 0600) == -1)
        err(1, "mkfifo %s", fifo);
    cleanup_push(unlink, fifo);
    if ((r = open(fifo, O_RDONLY | O_NONBLOCK)) == -1)
        err(1, "open %s", fifo);
    report("a reader, no writer yet", r, 1);
    if ((w = open(fifo, O_WRONLY)) == -1)   /* a reader is there: no wait */
        err(1, "open %s", fifo);
    report("a writer opened", r, 0);
    if (write(w, "hi", 2) != 2)
        err(1, "write %s", fifo);
    report("the writer wrote 2 bytes", r, 0);
    if (close(w) == -1)
        err(1, "close %s", fifo);
    report("the writer closed", r, 1);
    report("again", r, 1);
    if ((w = open(fifo, O_WRONLY)) == -1)
        err(1, "open %s", fifo);
    report("a second writer opened", r, 0);
    if (close(w) == -1 || close(r) == -1)
        err(1, "close %s", fifo);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

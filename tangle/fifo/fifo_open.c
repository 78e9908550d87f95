/*
 * fifo_open - open a FIFO for reading, writing or both, and use it
 *
 * usage: fifo_open [-ns] [-t ms] r|w|rw path
 *
 * Opens path with O_RDONLY (r), O_WRONLY (w) or O_RDWR (rw), adding
 * O_NONBLOCK with -n, and says on standard error when the open has
 * returned.  Then r copies the FIFO to standard output until end of file,
 * w copies standard input into the FIFO, and rw just closes it.  -t sends
 * SIGALRM every ms milliseconds while the open waits, caught without
 * SA_RESTART: the open fails with EINTR, a timeout.  -s catches it with
 * SA_RESTART instead and reports each signal: the open goes on waiting.
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/io.h"
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/sig.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: fifo_open [-ns] [-t ms] r|w|rw path\n"
            "  r|w|rw  open for reading, writing, or both (O_RDWR)\n"
            "  -n      add O_NONBLOCK to the open\n"
            "  -t ms   interrupt a waiting open every ms milliseconds\n"
            "  -s      with -t: restart the open instead (SA_RESTART)\n");
    exit(status);
}

static void interrupt_on_alarm(int sig)
{
    (void)sig;
}

static void report_alarm(int sig)
{
    static const char msg[] = "fifo_open: SIGALRM\n";
    int saved_errno = errno;
    ssize_t n = write(STDERR_FILENO, msg, sizeof msg - 1);

    (void)sig;
    (void)n;                            /* nothing to do if it fails */
    errno = saved_errno;
}

static void copy(int from, int to, const char *fromname, const char *toname)
{
    static char buf[65536];
    ssize_t n;

    while ((n = read(from, buf, sizeof buf)) != 0) {
        if (n == -1) {
            if (errno == EINTR)
                continue;
            err(1, "read %s", fromname);
        }
        if (write_full(to, buf, (size_t)n) == -1)
            err(1, "write %s", toname);
    }
}

int main(int argc, char *argv[])
{
    int opt, flags, fd, nonblock = 0, restart = 0;
    long ms = 0;
    const char *path, *how;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "hnst:")) != -1) {
        switch (opt) {
        case 'n': nonblock = 1; break;
        case 's': restart = 1; break;
        case 't': ms = parse_long(optarg, 1, 3600000, "timeout"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind != 2 || (restart && ms == 0))
        usage(2);
    path = argv[optind + 1];
    if (strcmp(argv[optind], "r") == 0)
        flags = O_RDONLY, how = "reading";
    else if (strcmp(argv[optind], "w") == 0)
        flags = O_WRONLY, how = "writing";
    else if (strcmp(argv[optind], "rw") == 0)
        flags = O_RDWR, how = "reading and writing";
    else
        errx(2, "mode: '%s' is not r, w or rw", argv[optind]);
    if (nonblock)
        flags |= O_NONBLOCK;
    if (ms > 0) {
        sig_catch(SIGALRM, restart ? report_alarm : interrupt_on_alarm,
                  restart ? SA_RESTART : 0);
        alarm_every(ms);
    }
    fd = open(path, flags);
    if (ms > 0) {
        int saved_errno = errno;
        alarm_every(0);                     /* the open is over */
        errno = saved_errno;
    }
    if (fd == -1)
        err(1, "open %s", path);
    fprintf(stderr, "fifo_open: opened %s for %s\n", path, how);
    if (nonblock) {
        int fl = fcntl(fd, F_GETFL);
        if (fl == -1 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1)
            err(1, "fcntl %s", path);
    }
    if ((flags & O_ACCMODE) == O_RDONLY)
        copy(fd, STDOUT_FILENO, path, "stdout");
    else if ((flags & O_ACCMODE) == O_WRONLY)
        copy(STDIN_FILENO, fd, "stdin", path);
    if (close(fd) == -1)
        err(1, "close %s", path);
    return 0;
}

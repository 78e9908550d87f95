/*
 * fifo_table - show which opens of a FIFO block, succeed or fail
 *
 * usage: fifo_table [-t ms]
 *
 * Makes a FIFO in a private directory under $TMPDIR and opens it in six
 * ways, first with nobody at the other end, then with a partner already
 * there (a writer for a reader, a reader otherwise).  An open still
 * waiting after ms milliseconds (default 200) is reported as "blocks".
 * Prints the table on standard output and removes the FIFO.
 */
#define _POSIX_C_SOURCE 200809L
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
#include "lib/num.h"
#include "lib/privdir.h"
#include "lib/prog.h"
#include "lib/sig.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: fifo_table [-t ms]\n"
            "  -t ms  an open still waiting after ms milliseconds "
            "blocks (default 200)\n");
    exit(status);
}

static int open_partner(const char *path, int flags)
{
    int r, w;

    if ((r = open(path, O_RDONLY | O_NONBLOCK)) == -1)
        err(1, "open %s", path);
    if ((flags & O_ACCMODE) != O_RDONLY)
        return r;                       /* a reader is the partner */
    if ((w = open(path, O_WRONLY | O_NONBLOCK)) == -1)
        err(1, "open %s", path);
    if (close(r) == -1)                 /* the writer alone is the partner */
        err(1, "close %s", path);
    return w;
}

static const char *probe(const char *path, int flags, int partner, long ms)
{
    int other = -1, fd, e;

    if (partner)
        other = open_partner(path, flags);
    timeout_start(ms);
    fd = open(path, flags);
    e = errno;
    timeout_stop();
    if (fd != -1 && close(fd) == -1)
        err(1, "close %s", path);
    if (other != -1 && close(other) == -1)
        err(1, "close %s", path);
    if (fd != -1)
        return "opens";
    if (e == EINTR && timeout_expired())
        return "blocks";                /* still waiting when time was up */
    if (e == ENXIO)
        return "fails ENXIO";
    errno = e;
    err(1, "open %s", path);
}

int main(int argc, char *argv[])
{
    static const struct { int flags; const char *name; } rows[] = {
        { O_RDONLY, "O_RDONLY" },
        { O_RDONLY | O_NONBLOCK, "O_RDONLY|O_NONBLOCK" },
        { O_WRONLY, "O_WRONLY" },
        { O_WRONLY | O_NONBLOCK, "O_WRONLY|O_NONBLOCK" },
        { O_RDWR, "O_RDWR" },
        { O_RDWR | O_NONBLOCK, "O_RDWR|O_NONBLOCK" },
    };
    char dir[PATH_MAX], fifo[PATH_MAX];
    long ms = 200;
    int opt;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "ht:")) != -1) {
        switch (opt) {
        case 't': ms = parse_long(optarg, 1, 60000, "timeout"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind != argc)
        usage(2);
    private_dir(dir, sizeof dir, "fifo_table");
    if ((size_t)snprintf(fifo, sizeof fifo, "%s/fifo", dir) >= sizeof fifo)
        errx(1, "TMPDIR is too long");
    if (mkfifo(fifo, 0600) == -1)
        err(1, "mkfifo %s", fifo);
    cleanup_push(unlink, fifo);
    printf("%-20s %-12s %s\n", "open flags", "no partner", "partner there");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *alone = probe(fifo, rows[i].flags, 0, ms);
        const char *paired = probe(fifo, rows[i].flags, 1, ms);
        printf("%-20s %-12s %s\n", rows[i].name, alone, paired);
    }
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

/*
 * cleanup_demo - create a private directory and a FIFO, then remove them
 *
 * usage: cleanup_demo [-c] [-f | -x]
 *
 * Creates a directory under $TMPDIR (default /tmp) with mkdtemp, mode
 * 0700, and a FIFO named "fifo" inside it; prints the directory's path;
 * waits for a signal.  -x exits normally at once; -f fails with an error
 * (status 1) instead; -c first forks a child that exits normally.  In every
 * case, and on SIGINT, SIGTERM and SIGHUP, both names are removed.
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/privdir.h"
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: cleanup_demo [-c] [-f | -x]\n"
            "  -c  fork a child that exits normally first\n"
            "  -f  fail with an error after creating the names\n"
            "  -x  exit normally after creating the names\n");
    exit(status);
}
static void make_names(char *dir, size_t dirsize, char *fifo, size_t fifosize)
{
    private_dir(dir, dirsize, "cleanup_demo");  /* registers it for rmdir */
    if ((size_t)snprintf(fifo, fifosize, "%s/fifo", dir) >= fifosize)
        errx(1, "TMPDIR is too long");
    if (mkfifo(fifo, 0600) == -1)
        err(1, "mkfifo %s", fifo);
    cleanup_push(unlink, fifo);
}
int main(int argc, char *argv[])
{
    char dir[PATH_MAX], fifo[PATH_MAX];
    int opt, child = 0, fail = 0, leave = 0;
    int status;
    pid_t pid;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "cfhx")) != -1) {
        switch (opt) {
        case 'c': child = 1; break;
        case 'f': fail = 1; break;
        case 'x': leave = 1; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind != argc || (fail && leave))
        usage(2);
    make_names(dir, sizeof dir, fifo, sizeof fifo);
    printf("%s\n", dir);
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    if (child) {
        switch (pid = fork()) {
        case -1:
            err(1, "fork");
        case 0:             /* child: exit normally, remove nothing */
            exit(0);
        default:                        /* parent: reap it, names still there */
            if (waitpid(pid, &status, 0) == -1)
                err(1, "waitpid");
            printf("child %ld exited, status %d\n", (long)pid,
                   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
            if (fflush(stdout) == EOF)
                err(1, "stdout");
        }
    }
    if (fail) {
        errno = EIO;
        err(1, "failing on purpose");
    }
    if (!leave)
        pause();                        /* until a signal ends us */
    return 0;
}

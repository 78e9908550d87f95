/*
 * pipe_demo - copy standard input to standard output through a child
 *
 * usage: pipe_demo [-kv]
 *
 * The parent reads its standard input and writes it into a pipe; a child
 * it forks reads the pipe and writes what it gets to standard output.
 * -v makes the child report on standard error how many bytes it passed on.
 * -k makes the child keep its copy of the write end open, the classic
 * mistake: the child never sees end of file and pipe_demo never ends.
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/io.h"
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: pipe_demo [-kv]\n"
            "  -k  the child keeps the write end open (and never ends)\n"
            "  -v  the child reports how many bytes it passed on\n");
    exit(status);
}
static _Noreturn void child_fail(const char *what)
{
    warn("%s", what);
    _exit(1);
}
static _Noreturn void child(int in, int verbose)
{
    char buf[4096];
    unsigned long total = 0;
    ssize_t n;

    while ((n = read(in, buf, sizeof buf)) > 0) {
        if (write_full(STDOUT_FILENO, buf, (size_t)n) == -1)
            child_fail("write");
        total += (unsigned long)n;
    }
    if (n == -1)
        child_fail("read");
    if (verbose)
        fprintf(stderr, "pipe_demo: the child passed on %lu bytes\n", total);
    _exit(0);
}
static void parent(int out)
{
    char buf[4096];
    ssize_t n;

    while ((n = read(STDIN_FILENO, buf, sizeof buf)) > 0)
        if (write_full(out, buf, (size_t)n) == -1)
            err(1, "write");
    if (n == -1)
        err(1, "read");
    if (close(out) == -1)               /* the child's read returns 0 now */
        err(1, "close");
}
/* The child's exit status, once it has ended. */
static int child_status(pid_t pid)
{
    int status;

    if (waitpid(pid, &status, 0) == -1)
        err(1, "waitpid");
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    errx(1, "the child was killed by signal %d", WTERMSIG(status));
}
int main(int argc, char *argv[])
{
    int fd[2], opt, keep = 0, verbose = 0;
    pid_t pid;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "hkv")) != -1) {
        switch (opt) {
        case 'k': keep = 1; break;
        case 'v': verbose = 1; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind != argc)
        usage(2);
    if (pipe(fd) == -1)
        err(1, "pipe");
    switch (pid = fork()) {
    case -1:
        err(1, "fork");
    case 0:                                 /* child: the reader */
        if (!keep && close(fd[1]) == -1)    /* write end unused: else no EOF */
            child_fail("close");
        child(fd[0], verbose);              /* does not return */
    default:                                /* parent: the writer */
        if (close(fd[0]) == -1)             /* read end unused: if the child */
            err(1, "close");                /* dies, writes fail, not block */
        parent(fd[1]);
    }
    return child_status(pid);
}

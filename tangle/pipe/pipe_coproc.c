/*
 * pipe_coproc - run a filter as a coprocess, driven with poll
 *
 * usage: pipe_coproc [-n] command [arg...]
 *
 * Runs command (looked up in PATH) with one pipe as its standard input and
 * another as its standard output.  pipe_coproc writes its own standard
 * input into the first and copies the second to its standard output, both
 * at once in one poll loop, so that neither waits for the other whatever
 * the command buffers and however much it writes back.  It exits as the
 * command did: its exit status, or 128 + N if signal N killed it.  -n is
 * the naive way, for comparison: all the input first, then the output,
 * which deadlocks once both pipes are full.
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
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
            "usage: pipe_coproc [-n] command [arg...]\n"
            "  -n  write all the input before reading any output "
            "(deadlocks)\n");
    exit(status);
}
/* Start argv; to[1] is its standard input, from[0] its output. */
static pid_t start(char *argv[], int *to, int *from)
{
    int in[2], out[2];
    pid_t pid;

    if (pipe(in) == -1 || pipe(out) == -1)
        err(1, "pipe");
    switch (pid = fork()) {
    case -1:
        err(1, "fork");
    case 0:                             /* child: becomes the command */
        if (close(in[1]) == -1 || close(out[0]) == -1 ||
            dup2(in[0], STDIN_FILENO) == -1 || close(in[0]) == -1 ||
            dup2(out[1], STDOUT_FILENO) == -1 || close(out[1]) == -1)
            _exit(126);
        execvp(argv[0], argv);
        warn("%s", argv[0]);
        _exit(errno == ENOENT ? 127 : 126);
    }
    if (close(in[0]) == -1 || close(out[1]) == -1 ||   /* the child's */
        fcntl(in[1], F_SETFD, FD_CLOEXEC) == -1 ||
        fcntl(out[0], F_SETFD, FD_CLOEXEC) == -1)
        err(1, "close or fcntl");
    *to = in[1];
    *from = out[0];
    return pid;
}
/* Bytes copied, 0 at end of file. */
static ssize_t copy_some(int in, int out)
{
    char buf[65536];
    ssize_t n = read(in, buf, sizeof buf);

    if (n == -1)
        err(1, "read");
    if (n > 0 && write_full(out, buf, (size_t)n) == -1) {
        if (errno == EPIPE && out == STDOUT_FILENO &&
            signal(SIGPIPE, SIG_DFL) != SIG_ERR)
            raise(SIGPIPE);             /* dies here, as a filter would */
        err(1, "write");
    }
    return n;
}
static void one_way_then_the_other(int to, int from)
{
    while (copy_some(STDIN_FILENO, to) > 0)
        ;
    if (close(to) == -1)                /* the command sees end of file */
        err(1, "close");
    while (copy_some(from, STDOUT_FILENO) > 0)
        ;
}
static void both_ways(int to, int from)
{
    static char buf[65536];
    size_t have = 0, off = 0;           /* buf[off..have) not yet taken */
    int more = 1;                       /* standard input not at its end */
    struct pollfd p[3] = { { .fd = -1, .events = POLLIN },
                           { .fd = -1, .events = POLLOUT },
                           { .fd = from, .events = POLLIN } };
    ssize_t n;

    if (fcntl(to, F_SETFL, fcntl(to, F_GETFL) | O_NONBLOCK) == -1)
        err(1, "fcntl");
    while (p[2].fd != -1) {
        p[0].fd = more && have == 0 ? STDIN_FILENO : -1;
        p[1].fd = have > 0 ? to : -1;
        if (poll(p, 3, -1) == -1) {
            if (errno == EINTR)
                continue;
            err(1, "poll");
        }
        if (p[0].revents) {
            if ((n = read(STDIN_FILENO, buf, sizeof buf)) == -1)
                err(1, "read");
            more = n > 0;
            have = (size_t)n;
            off = 0;
        }
        if (p[1].revents) {
            n = write(to, buf + off, have - off);
            if (n == -1 && errno == EPIPE) {    /* it reads no more: */
                more = 0;                       /* drop the rest */
                have = 0;
            } else if (n == -1 && errno != EAGAIN)
                err(1, "write");
            else if (n > 0 && (off += (size_t)n) == have)
                have = 0;
        }
        if (!more && have == 0 && to != -1) {
            if (close(to) == -1)
                err(1, "close");
            to = -1;
        }
        if (p[2].revents && copy_some(from, STDOUT_FILENO) == 0)
            p[2].fd = -1;               /* its output is over: done */
    }
    if (to != -1 && close(to) == -1)
        err(1, "close");
}
int main(int argc, char *argv[])
{
    int opt, naive = 0, to, from, status;
    pid_t pid;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "+hn")) != -1) {
        switch (opt) {
        case 'n': naive = 1; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind == argc)
        usage(2);
    pid = start(argv + optind, &to, &from);
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        err(1, "signal");
    if (naive)
        one_way_then_the_other(to, from);
    else
        both_ways(to, from);
    if (close(from) == -1)
        err(1, "close");
    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR)
            err(1, "waitpid");
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

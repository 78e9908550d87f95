/*
 * selfpipe - run a command, copy its output, and handle signals in the
 *            same poll loop, with the self-pipe trick
 *
 * usage: selfpipe command [arg...]
 *
 * Runs command (looked up in PATH) with its standard output into a pipe,
 * and copies what it writes to standard output.  A handler for SIGINT,
 * SIGTERM and SIGCHLD writes the signal's number into a non-blocking pipe
 * that the loop polls beside the command's output.  SIGINT and SIGTERM are
 * passed on to the command; on SIGCHLD selfpipe reaps it, copies what
 * output is left, and exits as the command did: its exit status, or
 * 128 + N if signal N killed it.  Each signal is reported on standard error.
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/io.h"
#include "lib/prog.h"
#include "lib/sig.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: selfpipe command [arg...]\n"
            "  runs command, copies its output, passes on SIGINT and "
            "SIGTERM\n");
    exit(status);
}
static int self[2] = { -1, -1 };

static void to_self_pipe(int sig)
{
    int e = errno;
    unsigned char c = (unsigned char)sig;

    (void)write(self[1], &c, 1);        /* full pipe: the loop will wake */
    errno = e;
}

static void set_fd_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);

    if (fl == -1 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
        err(1, "fcntl");
}
static void catch_signals(void)
{
    static const int stop[] = { SIGINT, SIGTERM };
    struct sigaction sa;

    sig_catch_unless_ignored(stop, 2, to_self_pipe);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = to_self_pipe;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    if (sigaction(SIGCHLD, &sa, NULL) == -1)
        err(1, "sigaction SIGCHLD");
}
static pid_t start(char *argv[], int *out, const sigset_t *mask)
{
    int fd[2];
    pid_t pid;

    if (pipe(fd) == -1)
        err(1, "pipe");
    switch (pid = fork()) {
    case -1:
        err(1, "fork");
    case 0:                             /* child: becomes the command */
        if (close(fd[0]) == -1 || dup2(fd[1], STDOUT_FILENO) == -1 ||
            close(fd[1]) == -1 || sigprocmask(SIG_SETMASK, mask, NULL) == -1)
            _exit(126);
        execvp(argv[0], argv);
        warn("%s", argv[0]);
        _exit(errno == ENOENT ? 127 : 126);
    }
    if (close(fd[1]) == -1)             /* else no end of file */
        err(1, "close");
    *out = fd[0];
    return pid;
}
/* Copy one read's worth: 1 if there may be more, 0 at end of file or,
 * on a non-blocking end, when nothing is left. */
static int copy_output(int fd)
{
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);

    if (n == -1 && errno == EAGAIN)
        return 0;
    if (n == -1)
        err(1, "read");
    if (n > 0 && write_full(STDOUT_FILENO, buf, (size_t)n) == -1)
        err(1, "write");
    return n > 0;
}
static void on_signals(pid_t pid, int *status)
{
    unsigned char sig;
    ssize_t n;
    int st;

    while ((n = read(self[0], &sig, 1)) == 1) {
        if (sig == SIGCHLD)
            continue;                   /* waitpid below says more */
        fprintf(stderr, "selfpipe: %s: passed on to the command\n",
                sig == SIGINT ? "SIGINT" : "SIGTERM");
        if (*status == -1 && kill(pid, sig) == -1)
            err(1, "kill");
    }
    if (n == -1 && errno != EAGAIN && errno != EINTR)
        err(1, "read");
    if (*status == -1 && waitpid(pid, &st, WNOHANG) == pid) {
        fprintf(stderr, "selfpipe: SIGCHLD: the command has ended\n");
        *status = st;
    }
}
static int relay(pid_t pid, int out)
{
    struct pollfd p[2] = { { .fd = self[0], .events = POLLIN },
                           { .fd = out, .events = POLLIN } };
    int status = -1;                    /* -1: not reaped yet */

    while (status == -1) {
        if (poll(p, 2, -1) == -1) {
            if (errno == EINTR)
                continue;
            err(1, "poll");
        }
        if (p[0].revents & POLLIN)
            on_signals(pid, &status);
        if (p[1].revents && copy_output(out) == 0)
            p[1].fd = -1;               /* end of file: poll skips it */
    }
    set_fd_flags(out);
    while (p[1].fd != -1 && copy_output(out) == 1)
        ;
    if (close(out) == -1 || fclose(stdout) == EOF)
        err(1, "close");
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
int main(int argc, char *argv[])
{
    sigset_t block, old;
    int opt, out;
    pid_t pid;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "+h")) != -1) {
        switch (opt) {
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind == argc)
        usage(2);
    if (pipe(self) == -1)
        err(1, "pipe");
    set_fd_flags(self[0]);
    set_fd_flags(self[1]);
    catch_signals();
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &block, &old) == -1)
        err(1, "sigprocmask");
    pid = start(argv + optind, &out, &old);
    if (sigprocmask(SIG_SETMASK, &old, NULL) == -1)
        err(1, "sigprocmask");
    return relay(pid, out);
}

/*
 * pipeline - run two commands connected by a pipe, as the shell's a | b
 *
 * usage: pipeline command [arg...] '|' command [arg...]
 *
 * The first '|' operand separates the two commands, which are looked up
 * in PATH.  The first command's standard output is a pipe that is the
 * second one's standard input; everything else they inherit.  pipeline
 * waits for both and exits as the shell would: with the second command's
 * exit status, or 128 + N if signal N killed it; 127 if it could not be
 * found, 126 if it could not be run.
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: pipeline command [arg...] '|' command [arg...]\n"
            "  runs the two commands as the shell runs  command | command\n");
    exit(status);
}
static pid_t start(char *argv[], int in, int out, int unused)
{
    pid_t pid;
    int e;

    switch (pid = fork()) {
    case -1:
        err(1, "fork");
    case 0:                             /* child: becomes argv[0] */
        if (close(unused) == -1 ||              /* the other command's end */
            (in != STDIN_FILENO &&
             (dup2(in, STDIN_FILENO) == -1 || close(in) == -1)) ||
            (out != STDOUT_FILENO &&
             (dup2(out, STDOUT_FILENO) == -1 || close(out) == -1))) {
            warn("close or dup2");
            _exit(126);
        }
        execvp(argv[0], argv);
        e = errno;                              /* exec failed: report why */
        warn("%s", argv[0]);
        _exit(e == ENOENT ? 127 : 126);
    }
    return pid;
}
int main(int argc, char *argv[])
{
    char **left, **right = NULL;
    int fd[2], opt;
    pid_t a, b;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "+h")) != -1) {
        switch (opt) {
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    left = argv + optind;
    for (int i = optind; i < argc; i++) {
        if (strcmp(argv[i], "|") == 0) {
            argv[i] = NULL;                 /* ends the left command's argv */
            right = argv + i + 1;
            break;
        }
    }
    if (right == NULL || left[0] == NULL || right[0] == NULL)
        errx(2, "want two commands separated by '|' (see pipeline -h)");
    if (pipe(fd) == -1)
        err(1, "pipe");
    a = start(left, STDIN_FILENO, fd[1], fd[0]);
    b = start(right, fd[0], STDOUT_FILENO, fd[1]);
    if (close(fd[0]) == -1 ||               /* else a never gets SIGPIPE */
        close(fd[1]) == -1)                 /* else b never sees EOF */
        err(1, "close");
    int status_a, status;                   /* a's status counts for nothing */

    if (waitpid(a, &status_a, 0) == -1 || waitpid(b, &status, 0) == -1)
        err(1, "waitpid");
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

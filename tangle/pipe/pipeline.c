/*
 * pipeline - run commands connected by pipes, as the shell's a | b | c
 *
 * usage: pipeline command [arg...] '|' command [arg...] ['|' ...]
 *
 * Each '|' operand separates two commands, which are looked up in PATH.
 * Each command's standard output is a pipe that is the next one's
 * standard input; the first reads pipeline's standard input and the last
 * writes its standard output.  pipeline waits for all of them and exits as
 * the shell would: with the last command's exit status, or 128 + N if
 * signal N killed it; 127 if it could not be found, 126 if it could not
 * be run.
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
            "usage: pipeline command [arg...] '|' command [arg...] "
            "['|' ...]\n"
            "  runs the commands as the shell runs  command | command\n");
    exit(status);
}
static char **end_command(char **cmd)
{
    for (char **p = cmd; *p != NULL; p++) {
        if (strcmp(*p, "|") == 0) {
            *p = NULL;
            if (p == cmd || p[1] == NULL || strcmp(p[1], "|") == 0)
                errx(2, "want two commands or more, separated by '|' "
                     "(see pipeline -h)");
            return p + 1;
        }
    }
    return NULL;
}
static pid_t start(char *argv[], int in, int out, int unused)
{
    pid_t pid;
    int e;

    switch (pid = fork()) {
    case -1:
        err(1, "fork");
    case 0:                             /* child: becomes argv[0] */
        if ((unused != -1 && close(unused) == -1) ||    /* the next one's end */
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
/* Wait for every child; the status of last, as the shell gives it. */
static int wait_all(pid_t last)
{
    int st, status = 0;
    pid_t pid;

    while ((pid = wait(&st)) != -1 || errno == EINTR)
        if (pid == last)                    /* the others count for nothing */
            status = st;
    if (errno != ECHILD)
        err(1, "wait");
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}
int main(int argc, char *argv[])
{
    char **cmd, **next;
    pid_t last;
    int in = STDIN_FILENO, fd[2] = { -1, -1 }, opt;
    size_t n = 0;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "+h")) != -1) {
        switch (opt) {
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    cmd = argv + optind;
    if (cmd[0] == NULL || (next = end_command(cmd)) == NULL)
        errx(2, "want two commands or more, separated by '|' "
             "(see pipeline -h)");
    for (;;) {
        if (next != NULL && pipe(fd) == -1)
            err(1, "pipe");
        last = start(cmd, in, next != NULL ? fd[1] : STDOUT_FILENO,
                     next != NULL ? fd[0] : -1);
        n++;
        if (n > 1 && close(in) == -1)           /* its writer needs SIGPIPE */
            err(1, "close");
        if (next != NULL && close(fd[1]) == -1) /* its reader needs EOF */
            err(1, "close");
        in = fd[0];
        if (next == NULL)
            break;
        cmd = next;
        next = end_command(cmd);
    }
    return wait_all(last);
}

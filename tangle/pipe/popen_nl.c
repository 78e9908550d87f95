/*
 * popen_nl - run a shell command and number the lines it prints
 *
 * usage: popen_nl command
 *
 * Runs command with /bin/sh -c through popen(3), copies its standard
 * output to ours with each line numbered as nl(1) does, and exits with the
 * command's own status: its exit status, or 128 + N if signal N killed it.
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
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
            "usage: popen_nl command\n"
            "  runs command with /bin/sh -c and numbers its output lines\n");
    exit(status);
}
static void number_lines(FILE *in)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long count = 0;

    while ((len = getline(&line, &cap, in)) != -1) {
        /* fwrite, not %s: a line may hold a NUL byte, and must pass whole */
        if (printf("%6ld\t", ++count) < 0
            || fwrite(line, 1, (size_t)len, stdout) != (size_t)len
            || (line[len - 1] != '\n' && putchar('\n') == EOF))
            err(1, "stdout");
    }
    free(line);
    if (ferror(in))
        err(1, "read");
}
/* Our exit status for the wait status of the command. */
static int exit_status(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) {
        warnx("command killed by signal %d (%s)", WTERMSIG(status),
              strsignal(WTERMSIG(status)));
        return 128 + WTERMSIG(status);
    }
    return 1;
}
int main(int argc, char *argv[])
{
    FILE *in;
    int opt, status;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "h")) != -1) {
        switch (opt) {
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind != argc - 1)
        usage(2);
    if ((in = popen(argv[optind], "r")) == NULL)
        err(1, "popen");
    number_lines(in);
    if ((status = pclose(in)) == -1)
        err(1, "pclose");
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return exit_status(status);
}

/*
 * pipe_barrier - wait until every child is ready, then let all go at once
 *
 * usage: pipe_barrier [-t ms] work...
 *
 * Forks one child per work operand.  Child i prepares for work_i
 * milliseconds (it sleeps), says it is ready, writes a byte into the
 * `ready` pipe and closes its write end; the parent's read of that pipe
 * returns end of file only once every child has closed it.  The parent
 * then closes its write end of the `go` pipe: every child, waiting in a
 * read of it, gets end of file at once and goes on.  -t bounds the wait
 * for the children (default 10000 ms): past it, pipe_barrier says how
 * many were ready, stops the children with SIGTERM and exits 1.
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "lib/io.h"
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/sig.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: pipe_barrier [-t ms] work...\n"
            "  work   one child's preparation, in milliseconds\n"
            "  -t ms  how long to wait for all to be ready (default 10000)\n");
    exit(status);
}
/* Format a line and write it in one call: 0, or -1 with errno set. */
static int say(const char *fmt, ...)
{
    char line[128];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line) {
        errno = EOVERFLOW;
        return -1;
    }
    return write_full(STDOUT_FILENO, line, (size_t)n) == -1 ? -1 : 0;
}
static _Noreturn void child_fail(int i)
{
    warn("child %d", i);
    _exit(1);
}
static _Noreturn void child(int i, long ms, int ready[2], int go[2])
{
    struct timespec work = { ms / 1000, ms % 1000 * 1000000 };
    char c;
    ssize_t n;

    if (close(ready[0]) == -1 || close(go[1]) == -1)   /* the parent's */
        child_fail(i);
    while (nanosleep(&work, &work) == -1)       /* the preparation */
        if (errno != EINTR)
            child_fail(i);
    if (say("child %d: ready after %ld ms\n", i, ms) == -1 ||
        write(ready[1], "r", 1) != 1 || close(ready[1]) == -1)
        child_fail(i);                  /* ready: our end is closed */
    while ((n = read(go[0], &c, 1)) == -1 && errno == EINTR)
        ;
    if (n != 0 || say("child %d: going\n", i) == -1)
        child_fail(i);
    _exit(0);
}
static pid_t *start_children(char *ops[], int n, int ready[2], int go[2])
{
    long *work = malloc((size_t)n * sizeof *work), ms;
    pid_t *pids = malloc((size_t)n * sizeof *pids);

    if (work == NULL || pids == NULL)
        err(1, "malloc");
    for (int i = 0; i < n; i++)
        work[i] = parse_long(ops[i], 0, 86400000, "work");
    for (int i = 0; i < n; i++) {
        if (fflush(stdout) == EOF)
            err(1, "stdout");
        switch (pids[i] = fork()) {
        case -1:
            err(1, "fork");
        case 0:                         /* child i */
            ms = work[i];
            free(work);
            free(pids);
            child(i, ms, ready, go);
        }
    }
    free(work);
    return pids;
}
/* 1 once all n children have closed ready, 0 if ms passed first. */
static int all_ready(int fd, int n, long ms)
{
    char buf[64];
    ssize_t got;
    int count = 0;

    timeout_start(ms);
    while ((got = read(fd, buf, sizeof buf)) != 0) {
        if (got > 0)
            count += (int)got;
        else if (errno != EINTR)
            err(1, "read");
        else if (timeout_expired())
            break;
    }
    timeout_stop();
    if (got != 0)
        warnx("only %d of %d children ready after %ld ms", count, n, ms);
    return got == 0;
}
int main(int argc, char *argv[])
{
    int ready[2], go[2], opt, n, failed = 0;
    long ms = 10000;
    pid_t *pids;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "ht:")) != -1) {
        switch (opt) {
        case 't': ms = parse_long(optarg, 1, 86400000, "ms"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if ((n = argc - optind) < 1)
        usage(2);
    if (pipe(ready) == -1 || pipe(go) == -1)
        err(1, "pipe");
    pids = start_children(argv + optind, n, ready, go);
    if (close(ready[1]) == -1 || close(go[0]) == -1)
        err(1, "close");                /* else we wait for ourselves */
    if (!all_ready(ready[0], n, ms)) {
        for (int i = 0; i < n; i++)
            if (kill(pids[i], SIGTERM) == -1)
                warn("kill %ld", (long)pids[i]);
        failed = 1;
    } else if (say("parent: all %d children ready; go\n", n) == -1) {
        err(1, "write");
    }
    if (close(go[1]) == -1 || close(ready[0]) == -1)  /* go! */
        err(1, "close");
    for (int i = 0; i < n; i++) {
        int status;

        while (waitpid(pids[i], &status, 0) == -1)
            if (errno != EINTR)
                err(1, "waitpid");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            failed = 1;
    }
    free(pids);
    return failed;
}

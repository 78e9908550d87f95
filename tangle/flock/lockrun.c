/*
 * lockrun - run a command while holding a flock lock on a file
 *
 * usage: lockrun [-s | -x] [-n | -w seconds] FILE COMMAND [ARG...]
 *
 * Opens FILE (creating it with mode 0600 if missing, never through a
 * symbolic link), locks it with flock, exclusive (-x, the default) or
 * shared (-s), and executes COMMAND, which holds the lock until it
 * exits: lockrun's exit status is the command's.  A lock that is taken
 * is waited for at most 60 seconds, or as long as -w says (a decimal
 * number such as 0.5); with -n not at all; then lockrun fails with
 * status 1.  It contends with flock(1) and anything else that uses flock
 * on FILE.  A FILE of another user's, in a directory every user may
 * write to, is refused: its owner could hold the lock for ever.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/prog.h"
#include "lib/sig.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: lockrun [-s | -x] [-n | -w seconds] FILE COMMAND "
            "[ARG...]\n"
            "  -s          a shared lock\n"
            "  -x          an exclusive lock (the default)\n"
            "  -n          fail at once if the lock is taken\n"
            "  -w seconds  wait at most this long (default 60; e.g. 0.5)\n");
    exit(status);
}
/* "12" or "0.25" seconds as milliseconds, 1 ms to a day, or exit 2 */
static long parse_seconds(const char *s)
{
    long sec = 0, ms, weight = 100;
    const char *p = s;

    while (*p >= '0' && *p <= '9' && sec <= 86400)
        sec = sec * 10 + (*p++ - '0');
    ms = sec * 1000;
    if (*p == '.' && p > s)
        for (p++; *p >= '0' && *p <= '9' && weight > 0; p++, weight /= 10)
            ms += (*p - '0') * weight;
    if (p == s || *p != '\0' || ms < 1 || ms > 86400000)
        errx(2, "seconds: '%s' is not a number from 0.001 to 86400", s);
    return ms;
}
static int open_lock_file(const char *path)
{
    struct stat st, dst;
    char dir[PATH_MAX];
    int fd;

    fd = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK,
              0600);
    if (fd == -1 && errno == EISDIR)    /* a directory may be locked too */
        fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd == -1) {
        if (errno == ELOOP)
            errx(1, "%s: a symbolic link; refusing it", path);
        err(1, "open %s", path);
    }
    if (fstat(fd, &st) == -1)
        err(1, "fstat %s", path);
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        errx(1, "%s: not a regular file or a directory", path);
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        errx(1, "%s: name too long", path);
    if (st.st_uid != geteuid() && stat(dirname(dir), &dst) == 0
        && (dst.st_mode & S_IWOTH))
        errx(1, "%s: belongs to another user, in a directory every user "
             "may write to; refusing it", path);
    return fd;
}
static void take_lock(int fd, const char *path, int how, long ms)
{
    if (ms == 0) {
        if (flock(fd, how | LOCK_NB) == 0)
            return;
        if (errno == EWOULDBLOCK)
            errx(1, "%s: locked by another process", path);
        err(1, "flock %s", path);
    }
    timeout_start(ms);
    while (flock(fd, how) == -1) {
        if (errno != EINTR)
            err(1, "flock %s", path);
        if (timeout_expired())
            errx(1, "%s: still locked after %ld ms", path, ms);
    }
    timeout_stop();                     /* a timer would outlive execve */
}
int main(int argc, char *argv[])
{
    int opt, how = LOCK_EX, fd;
    long ms = 60000;
    const char *path;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "+hnsw:x")) != -1) {
        switch (opt) {
        case 's': how = LOCK_SH; break;
        case 'x': how = LOCK_EX; break;
        case 'n': ms = 0; break;
        case 'w': ms = parse_seconds(optarg); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind < 2)
        usage(2);
    path = argv[optind];
    fd = open_lock_file(path);
    take_lock(fd, path, how, ms);
    execvp(argv[optind + 1], &argv[optind + 1]);    /* fd stays open */
    err(errno == ENOENT ? 127 : 126, "%s", argv[optind + 1]);
}

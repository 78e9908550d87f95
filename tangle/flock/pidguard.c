/*
 * pidguard - run a daemon only if no other copy runs, its pid in a file
 *
 * usage: pidguard PIDFILE COMMAND [ARG...]
 *
 * Opens PIDFILE (created with mode 0644 if missing, never through a
 * symbolic link; it must be a regular file of ours), write-locks all of
 * it with a record lock, without waiting, writes its pid there and
 * executes COMMAND, which keeps the pid, the descriptor and so the lock
 * until it exits.  If another process holds the lock, pidguard fails at
 * once, naming it: "pidguard: PIDFILE: already running as pid N"
 * (status 1).
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: pidguard PIDFILE COMMAND [ARG...]\n"
            "  runs COMMAND unless another process holds PIDFILE's lock\n");
    exit(status);
}
static int open_pid_file(const char *path)
{
    struct stat st;
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK,
                  0644);

    if (fd == -1) {
        if (errno == ELOOP)
            errx(1, "%s: a symbolic link; refusing it", path);
        err(1, "open %s", path);
    }
    if (fstat(fd, &st) == -1)
        err(1, "fstat %s", path);
    if (!S_ISREG(st.st_mode) || st.st_uid != geteuid())
        errx(1, "%s: not a regular file of ours; refusing it", path);
    return fd;
}
static void lock_or_name_holder(int fd, const char *path)
{
    struct flock fl = { .l_whence = SEEK_SET };

    for (int tries = 0; tries < 10; tries++) {
        fl.l_type = F_WRLCK;
        if (fcntl(fd, F_SETLK, &fl) == 0)
            return;
        if (errno != EAGAIN && errno != EACCES)
            err(1, "lock %s", path);
        if (fcntl(fd, F_GETLK, &fl) == -1)
            err(1, "F_GETLK %s", path);
        if (fl.l_type != F_UNLCK)
            errx(1, "%s: already running as pid %ld", path, (long)fl.l_pid);
    }
    errx(1, "%s: its lock keeps changing hands", path);
}
int main(int argc, char *argv[])
{
    char pid[32];
    int opt, fd, len;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "+h")) != -1) {
        switch (opt) {
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind < 2)
        usage(2);
    fd = open_pid_file(argv[optind]);
    lock_or_name_holder(fd, argv[optind]);
    len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == -1 || pwrite(fd, pid, (size_t)len, 0) != len)
        err(1, "write %s", argv[optind]);
    execvp(argv[optind + 1], &argv[optind + 1]);    /* the lock stays */
    err(errno == ENOENT ? 127 : 126, "%s", argv[optind + 1]);
}

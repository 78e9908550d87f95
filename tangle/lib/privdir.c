/* privdir.c: directories where only we make names (see privdir.h). */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/privdir.h"

void private_dir(char *dir, size_t size, const char *prefix)
{
    const char *tmp = getenv("TMPDIR");

    if (tmp == NULL || *tmp == '\0')
        tmp = "/tmp";
    if ((size_t)snprintf(dir, size, "%s/%s.XXXXXX", tmp, prefix) >= size)
        errx(1, "TMPDIR is too long");
    if (mkdtemp(dir) == NULL)           /* mode 0700, a name nobody can guess */
        err(1, "mkdtemp in %s", tmp);   /* (it has overwritten the XXXXXX) */
    cleanup_push(rmdir, dir);
}

int open_checked_dir(const char *dir, int ours)
{
    struct stat st;
    int fd;

    /* O_DIRECTORY: never block opening a FIFO planted in its place */
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
        if (errno == ENOTDIR)
            errx(2, "%s: not a directory", dir);
        err(1, "open %s", dir);
    }
    if (fstat(fd, &st) == -1)
        err(1, "fstat %s", dir);
    if (ours && st.st_uid != geteuid())
        errx(2, "%s: belongs to another user; use a directory of yours",
             dir);
    if (st.st_mode & S_IWOTH)
        errx(2, "%s: every user may write to it; use a private directory",
             dir);
    return fd;
}

void check_private_dir(const char *dir)
{
    if (close(open_checked_dir(dir, 1)) == -1)
        err(1, "close %s", dir);
}

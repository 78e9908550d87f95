/*
 * svshm_hold - make a System V shared memory segment and hold it
 *
 * usage: svshm_hold [-a] [-k path] size
 *
 * Creates a segment of size bytes (k and M suffixes), mode 0600, with the
 * key ftok(path, 'H') or IPC_PRIVATE, attaches it, prints its id and
 * waits for SIGINT, SIGTERM or SIGHUP, then removes it.  A segment the
 * key has already is refused; with -a it is attached if it is ours and
 * of mode 0600 (and left in place at exit).
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/num.h"
#include "lib/prog.h"

static int remove_segment(const char *name)
{
    int id = 0;

    while (*name >= '0' && *name <= '9')
        id = id * 10 + (*name++ - '0');
    return shmctl(id, IPC_RMID, NULL);
}

static void remove_segment_at_exit(int id)
{
    char name[16];

    (void)snprintf(name, sizeof name, "%d", id);
    cleanup_push(remove_segment, name);
}
static unsigned long long shm_limit(const char *name)
{
    char path[64];
    unsigned long long v = 0;
    FILE *f;

    (void)snprintf(path, sizeof path, "/proc/sys/kernel/%s", name);
    if ((f = fopen(path, "r")) == NULL)
        err(1, "%s", path);
    if (fscanf(f, "%llu", &v) != 1)
        errx(1, "%s: not a number", path);
    fclose(f);
    return v;
}

static void shmget_failed(size_t size)
{
    int e = errno;

    if (e == EINVAL && size > shm_limit("shmmax"))
        errx(1, "shmget %zu bytes: above kernel.shmmax (%llu, "
             "/proc/sys/kernel/shmmax)", size, shm_limit("shmmax"));
    if (e == ENOSPC)
        errx(1, "shmget %zu bytes: kernel.shmmni (%llu segments) or "
             "kernel.shmall (%llu pages) reached", size,
             shm_limit("shmmni"), shm_limit("shmall"));
    errno = e;
    err(1, "shmget %zu bytes", size);
}
static void check_ours(int id, const char *what)
{
    struct shmid_ds ds;

    if (shmctl(id, IPC_STAT, &ds) == -1)
        err(1, "%s: segment %d: IPC_STAT", what, id);
    if (ds.shm_perm.uid != getuid() || ds.shm_perm.cuid != getuid())
        errx(1, "%s: segment %d belongs to uid %ld, not to us: refused",
             what, id, (long)ds.shm_perm.uid);
    if ((ds.shm_perm.mode & 0777) != 0600)
        errx(1, "%s: segment %d has mode %03o, not 0600: refused", what,
             id, ds.shm_perm.mode & 0777);
}
static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: svshm_hold [-a] [-k path] size\n");
    exit(status);
}
int main(int argc, char *argv[])
{
    const char *path = NULL;
    key_t key = IPC_PRIVATE;
    int opt, adopt = 0, id;
    size_t size;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "ahk:")) != -1) {
        switch (opt) {
        case 'a': adopt = 1; break;
        case 'k': path = optarg; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind != argc - 1 || (adopt && path == NULL))
        usage(2);
    size = parse_size(argv[optind], 1, (size_t)1 << 30, "size");
    if (path != NULL && (key = ftok(path, 'H')) == -1)
        err(1, "ftok %s", path);
    if ((id = shmget(key, size, IPC_CREAT | IPC_EXCL | 0600)) != -1) {
        remove_segment_at_exit(id);
    } else if (errno != EEXIST) {
        shmget_failed(size);
    } else if ((id = shmget(key, 0, 0)) == -1) {
        err(1, "%s: shmget", path);
    } else if (!adopt) {
        errx(1, "%s: key 0x%08x has segment %d already: remove it with "
             "'ipcrm -m %d', or attach it with -a", path, (unsigned)key, id,
             id);
    } else {
        check_ours(id, path);
    }
    if (shmat(id, NULL, 0) == (void *)-1)
        err(1, "shmat %d", id);
    printf("%d\n", id);
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    for (;;)
        pause();                        /* the cleanup ends us */
}

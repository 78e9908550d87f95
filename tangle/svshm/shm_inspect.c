/*
 * shm_inspect - list and remove a user's shared memory
 *
 * usage: shm_inspect [-u user]
 *        shm_inspect [-r shmid]... [-d name]...
 *
 * Lists the System V shared memory segments and the POSIX shared memory
 * objects in /dev/shm that belong to a user (default: the caller), with
 * their key, id, mode, size, attach count, creator and last user, as
 * ipcs -m and ls -l /dev/shm show them.  -r removes a segment, -d an
 * object (a regular file) of /dev/shm; only the caller's own, never
 * another user's, root's run included.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/num.h"
#include "lib/prog.h"

struct segment {
    int key, id;
    unsigned mode;                      /* with SHM_DEST and SHM_LOCKED */
    unsigned long long size;
    long cpid, lpid, nattch, uid;
};

static FILE *open_segments(void)
{
    FILE *f = fopen("/proc/sysvipc/shm", "r");

    if (f == NULL)
        err(1, "/proc/sysvipc/shm");
    (void)fscanf(f, "%*[^\n]");         /* the line of column names */
    return f;
}

/* The next segment of f into *s: 1, or 0 at the end. */
static int next_segment(FILE *f, struct segment *s)
{
    if (fscanf(f, "%d %d %o %llu %ld %ld %ld %ld%*[^\n]", &s->key, &s->id,
               &s->mode, &s->size, &s->cpid, &s->lpid, &s->nattch, &s->uid)
        == 8)
        return 1;
    if (ferror(f))
        err(1, "/proc/sysvipc/shm");
    return 0;
}
static const char *status(unsigned mode)
{
    return (mode & SHM_DEST) && (mode & SHM_LOCKED) ? "dest,locked"
         : mode & SHM_DEST ? "dest" : mode & SHM_LOCKED ? "locked" : "-";
}

static void list_segments(uid_t uid)
{
    FILE *f = open_segments();
    struct segment s;

    printf("%-10s %-10s %-6s %-10s %-6s %-7s %-7s %s\n", "key", "shmid",
           "perms", "bytes", "nattch", "cpid", "lpid", "status");
    while (next_segment(f, &s))
        if ((uid_t)s.uid == uid)
            printf("0x%08x %-10d %-6o %-10llu %-6ld %-7ld %-7ld %s\n",
                   (unsigned)s.key, s.id, s.mode & 0777, s.size, s.nattch,
                   s.cpid, s.lpid, status(s.mode));
    fclose(f);
}
static void mode_string(mode_t m, char s[11])
{
    const char *rwx = "rwxrwxrwx";

    s[0] = S_ISREG(m) ? '-' : S_ISLNK(m) ? 'l' : S_ISDIR(m) ? 'd' : '?';
    for (int i = 0; i < 9; i++)
        s[1 + i] = m & (0400 >> i) ? rwx[i] : '-';
    s[10] = '\0';
}
static void list_objects(uid_t uid)
{
    DIR *d = opendir("/dev/shm");
    struct dirent *e;
    struct stat st;
    char mode[11];

    if (d == NULL) {
        warn("/dev/shm");
        return;
    }
    printf("%-10s %-10s %s\n", "mode", "bytes", "name");
    while ((errno = 0, e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
            continue;                   /* removed meanwhile */
        if (st.st_uid != uid)
            continue;
        mode_string(st.st_mode, mode);
        printf("%s %-10lld %s\n", mode, (long long)st.st_size, e->d_name);
    }
    if (errno != 0)
        err(1, "/dev/shm");
    closedir(d);
}
static int remove_segment_of_ours(const char *arg)
{
    int id = (int)parse_long(arg, 0, 0x7fffffff, "segment id");
    FILE *f = open_segments();
    struct segment s;
    int found;

    while ((found = next_segment(f, &s)) && s.id != id)
        continue;
    fclose(f);
    if (!found) {
        warnx("segment %d: no such segment", id);
        return 1;
    }
    if ((uid_t)s.uid != getuid()) {
        warnx("segment %d belongs to uid %ld, not to you: refused", id,
              s.uid);
        return 1;
    }
    if (shmctl(id, IPC_RMID, NULL) == -1) {
        warn("segment %d: IPC_RMID", id);
        return 1;
    }
    warnx("removed segment %d", id);
    return 0;
}
static int remove_object_of_ours(int dir, const char *name)
{
    struct stat st;

    if (*name == '\0' || strchr(name, '/') != NULL
        || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        warnx("%s: not a name in /dev/shm: refused", name);
        return 1;
    }
    if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
        warn("/dev/shm/%s", name);
        return 1;
    }
    if (!S_ISREG(st.st_mode) || st.st_uid != getuid()) {
        warnx("/dev/shm/%s: %s: refused", name, !S_ISREG(st.st_mode)
              ? "not a regular file" : "not yours");
        return 1;
    }
    if (unlinkat(dir, name, 0) == -1) {
        warn("/dev/shm/%s", name);
        return 1;
    }
    warnx("removed /dev/shm/%s", name);
    return 0;
}
static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: shm_inspect [-u user]\n"
            "       shm_inspect [-r shmid]... [-d name]...\n");
    exit(status);
}

static uid_t user_id(const char *s)
{
    struct passwd *pw = getpwnam(s);

    if (pw != NULL)
        return pw->pw_uid;
    if (*s >= '0' && *s <= '9')
        return (uid_t)parse_long(s, 0, 0x7fffffff, "user");
    errx(2, "no user %s", s);
}
int main(int argc, char *argv[])
{
    const char *user = NULL;
    char *(*todo)[2] = calloc((size_t)argc, sizeof *todo);
    int opt, ntodo = 0, status = 0;

    prog_name(argv);
    if (todo == NULL)
        err(1, "calloc");
    while ((opt = getopt(argc, argv, "d:hr:u:")) != -1) {
        switch (opt) {
        case 'd': todo[ntodo][0] = "d"; todo[ntodo++][1] = optarg; break;
        case 'r': todo[ntodo][0] = "r"; todo[ntodo++][1] = optarg; break;
        case 'u': user = optarg; break;
        case 'h': free(todo); usage(0); break;
        default:  free(todo); usage(2);
        }
    }
    if (optind != argc || (ntodo > 0 && user != NULL)) {
        free(todo);
        usage(2);
    }
    if (ntodo > 0) {
        int dir = open("/dev/shm", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        for (int i = 0; i < ntodo; i++) {
            if (*todo[i][0] == 'r')
                status |= remove_segment_of_ours(todo[i][1]);
            else if (dir == -1)
                warn("/dev/shm"), status = 1;
            else
                status |= remove_object_of_ours(dir, todo[i][1]);
        }
        if (dir != -1)
            close(dir);
    } else {
        char name[64];
        uid_t uid = user != NULL ? user_id(user) : getuid();
        struct passwd *pw = getpwuid(uid);

        (void)snprintf(name, sizeof name, "%s", pw != NULL ? pw->pw_name : "?");
        printf("System V segments of %s (uid %ld)\n", name, (long)uid);
        list_segments(uid);
        printf("POSIX objects in /dev/shm of %s (uid %ld)\n", name, (long)uid);
        list_objects(uid);
        if (fclose(stdout) == EOF)
            err(1, "stdout");
    }
    free(todo);
    return status;
}

/*
 * ipc-audit - list the IPC objects and processes of this test world
 *
 * usage: ipc-audit            print the snapshot, one object a line, sorted
 *        ipc-audit BEFORE     print what is here now and not in BEFORE (a
 *                             snapshot); exit 0 if nothing, 3 if only
 *                             processes (they may be dying), 1 otherwise
 *
 * The tests' leak audit (tests/helpers/audit.bash).  One process does what
 * a dozen shell tools did, because a snapshot is taken twice per test and
 * starting a process costs several milliseconds here.  The environment
 * says what the world is (tests/helpers/world sets it):
 *   IPC_AUDIT_SCOPE  ns: everything visible is the world's own (its own
 *                    IPC, mount, network and PID namespaces);
 *                    scoped: only this uid's System V and POSIX objects,
 *                    socket paths under IPC_AUDIT_TMP, processes of
 *                    session IPC_AUDIT_SID, and every abstract socket and
 *                    lock (the comparison with BEFORE tells what is new)
 *   IPC_AUDIT_TMP    the world's temporary directory: FIFOs and sockets
 *   IPC_AUDIT_DEVS   "MAJ:MIN ..." (hex, as in /proc/locks): the world's own
 *                    file systems, whose OFD locks are the world's
 *   IPC_AUDIT_SID    the session of the world's processes (scoped)
 * Line formats:
 *   sysv-msg|sysv-shm|sysv-sem KEY ID     dev-shm NAME    mqueue NAME
 *   fifo PATH    socket-file PATH    unix-socket PATH|@ABSTRACT
 *   lock KIND TYPE MAJ:MIN:INODE START END    process PID (COMMAND)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <err.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define MQUEUE_MAGIC 0x19800202

static char **lines;
static size_t nlines, cap;
static bool scoped;
static const char *tmp, *devs;
static long sid;

static void add(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void add(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        err(1, "vasprintf");
    va_end(ap);
    if (nlines == cap) {
        cap = cap ? 2 * cap : 256;
        if (!(lines = realloc(lines, cap * sizeof *lines)))
            err(1, "realloc");
    }
    lines[nlines++] = s;
}

/* Processes: all but this scan's own ancestors (the test, bats, the world)
 * and zombies, which hold nothing. */
struct proc { long pid, ppid, session; char state; char comm[64]; };

/* bats' own timer: for BATS_TEST_TIMEOUT, bats forks a subshell of the
 * test's process (a subshell: same command name) that runs "sleep TIMEOUT".  On a loaded machine the sleep
 * may start after the test's first snapshot; it is not the test's. */
static bool bats_countdown(const struct proc *p, size_t n, const bool *mine,
                           size_t i)
{
    const char *t = getenv("BATS_TEST_TIMEOUT");
    char path[64], want[64], buf[64];
    size_t j, k, len, wlen;
    FILE *f;

    if (!t || strcmp(p[i].comm, "sleep") != 0)
        return false;
    for (j = 0; j < n && p[j].pid != p[i].ppid; j++)
        ;                               /* the sleep's parent: a subshell */
    if (j == n || mine[j])
        return false;
    for (k = 0; k < n && p[k].pid != p[j].ppid; k++)
        ;                               /* ...of one of our ancestors */
    if (k == n || !mine[k] || strcmp(p[j].comm, p[k].comm) != 0)
        return false;
    wlen = (size_t)snprintf(want, sizeof want, "sleep%c%s%c", 0, t, 0);
    snprintf(path, sizeof path, "/proc/%ld/cmdline", p[i].pid);
    if (!(f = fopen(path, "re")))
        return false;
    len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return len == wlen && memcmp(buf, want, wlen) == 0;
}

static void processes(void)
{
    struct proc *p = NULL;
    size_t n = 0, pcap = 0;
    DIR *d = opendir("/proc");
    struct dirent *e;

    if (!d)
        err(1, "/proc");
    while ((e = readdir(d))) {
        char path[300], buf[1024], *open, *close;
        FILE *f;
        size_t len;

        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        if (!(f = fopen(path, "re")))
            continue;                   /* gone already */
        len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = '\0';
        open = strchr(buf, '(');
        close = strrchr(buf, ')');
        if (!open || !close || close < open)
            continue;
        if (n == pcap) {
            pcap = pcap ? 2 * pcap : 64;
            if (!(p = realloc(p, pcap * sizeof *p)))
                err(1, "realloc");
        }
        p[n].pid = strtol(buf, NULL, 10);
        snprintf(p[n].comm, sizeof p[n].comm, "%.*s",
                 (int)(close - open - 1), open + 1);
        if (sscanf(close + 2, "%c %ld %*d %ld", &p[n].state, &p[n].ppid,
                   &p[n].session) == 3)
            n++;
    }
    closedir(d);

    bool *mine = calloc(n ? n : 1, sizeof *mine);
    if (!mine)
        err(1, "calloc");
    for (long pid = getpid(); pid > 0;) {
        size_t i;
        for (i = 0; i < n && p[i].pid != pid; i++)
            ;
        if (i == n || mine[i])
            break;
        mine[i] = true;
        pid = p[i].ppid;
    }
    for (size_t i = 0; i < n; i++) {
        if (mine[i] || p[i].state == 'Z' || p[i].state == 'X')
            continue;
        if (scoped && p[i].session != sid)
            continue;
        if (bats_countdown(p, n, mine, i))
            continue;
        add("process %ld (%s)", p[i].pid, p[i].comm);
    }
    free(mine);
    free(p);
}

static int fifo_or_socket(const char *path, const struct stat *st, int flag,
                          struct FTW *ftw)
{
    (void)flag, (void)ftw;
    if (S_ISFIFO(st->st_mode))
        add("fifo %s", path);
    else if (S_ISSOCK(st->st_mode))
        add("socket-file %s", path);
    return 0;
}

/* The entries of a directory (/dev/shm, /dev/mqueue), this uid's if scoped. */
static void entries(const char *dir, const char *kind)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct stat st;

    if (!d)
        return;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] ||
            (e->d_name[1] == '.' && !e->d_name[2])))
            continue;
        if (scoped && (fstatat(dirfd(d), e->d_name, &st,
                               AT_SYMLINK_NOFOLLOW) < 0 || st.st_uid != getuid()))
            continue;
        add("%s %s", kind, e->d_name);
    }
    closedir(d);
}

/* A System V table: print key and id of each row (this uid's if scoped). */
static void sysv(const char *kind)
{
    char path[64], line[512];
    int uidcol = -1, cuidcol = -1;
    FILE *f;

    snprintf(path, sizeof path, "/proc/sysvipc/%s", kind);
    if (!(f = fopen(path, "re")))
        return;
    if (fgets(line, sizeof line, f)) {
        int col = 0;
        for (char *t = strtok(line, " \t\n"); t; t = strtok(NULL, " \t\n"), col++) {
            if (!strcmp(t, "uid"))
                uidcol = col;
            else if (!strcmp(t, "cuid"))
                cuidcol = col;
        }
    }
    while (fgets(line, sizeof line, f)) {
        char *tok[16];
        int nt = 0;
        for (char *t = strtok(line, " \t\n"); t && nt < 16; t = strtok(NULL, " \t\n"))
            tok[nt++] = t;
        if (nt < 2)
            continue;
        if (scoped && !((uidcol >= 0 && uidcol < nt &&
                         strtol(tok[uidcol], NULL, 10) == (long)getuid()) ||
                        (cuidcol >= 0 && cuidcol < nt &&
                         strtol(tok[cuidcol], NULL, 10) == (long)getuid())))
            continue;
        add("sysv-%s %s %s", kind, tok[0], tok[1]);
    }
    fclose(f);
}

/* Bound UNIX sockets: the Path column of /proc/net/unix. */
static void unix_sockets(void)
{
    char line[4200];
    FILE *f = fopen("/proc/net/unix", "re");

    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        char *path = line;
        line[strcspn(line, "\n")] = '\0';
        for (int field = 0; field < 7 && path; field++) {
            path += strspn(path, " ");
            path = strchr(path, ' ');
        }
        if (!path || !*(path += strspn(path, " ")) || !strcmp(path, "Path"))
            continue;
        if (scoped && path[0] != '@' &&
            !(strncmp(path, tmp, strlen(tmp)) == 0 && path[strlen(tmp)] == '/'))
            continue;
        add("unix-socket %s", path);
    }
    fclose(f);
}

/* Locks held (not requests waiting, shown "->").  In the world's PID
 * namespace a lock shows its holder's pid only if the holder is of this
 * world; an OFD lock has no holder (-1) and is the world's if its file is
 * on one of the world's own file systems. */
static void locks(void)
{
    char line[512], kind[16], mode[16], type[16], file[64], start[32], end[32];
    long pid;
    FILE *f = fopen("/proc/locks", "re");

    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "->") ||
            sscanf(line, "%*s %15s %15s %15s %ld %63s %31s %31s", kind, mode,
                   type, &pid, file, start, end) != 7)
            continue;
        if (!scoped && pid <= 0) {
            char dev[64], *colon = strrchr(file, ':');
            snprintf(dev, sizeof dev, " %.*s ", (int)(colon - file), file);
            char *all;
            if (asprintf(&all, " %s ", devs) < 0)
                err(1, "asprintf");
            bool ours = strstr(all, dev) != NULL;
            free(all);
            if (!ours)
                continue;
        }
        add("lock %s %s %s %s %s", kind, type, file, start, end);
    }
    fclose(f);
}

static int by_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char *argv[])
{
    const char *scope = getenv("IPC_AUDIT_SCOPE");
    struct statfs sfs;

    if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
        fprintf(stderr, "usage: ipc-audit [BEFORE]\n");
        return 2;
    }
    scoped = !scope || strcmp(scope, "ns") != 0;
    tmp = getenv("IPC_AUDIT_TMP");
    if (!tmp || !*tmp)
        tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    devs = getenv("IPC_AUDIT_DEVS") ? getenv("IPC_AUDIT_DEVS") : "";
    sid = getenv("IPC_AUDIT_SID") ? strtol(getenv("IPC_AUDIT_SID"), NULL, 10) : 0;
    if (sid <= 0)
        sid = getsid(0);

    processes();                /* first: nothing else of ours runs yet */
    sysv("msg");
    sysv("shm");
    sysv("sem");
    entries("/dev/shm", "dev-shm");
    if (statfs("/dev/mqueue", &sfs) == 0 && sfs.f_type == MQUEUE_MAGIC)
        entries("/dev/mqueue", "mqueue");
    nftw(tmp, fifo_or_socket, 32, FTW_PHYS | FTW_MOUNT);
    unix_sockets();
    locks();
    qsort(lines, nlines, sizeof *lines, by_text);

    int status = 0;
    if (argc == 1) {
        for (size_t i = 0; i < nlines; i++)
            puts(lines[i]);
    } else {
        /* Both lists sorted: a merge finds what is new. */
        FILE *f = fopen(argv[1], "re");
        char *old = NULL;
        size_t oldcap = 0, i = 0;
        ssize_t len = 0;

        if (!f)
            err(1, "%s", argv[1]);
        for (;;) {
            int c = 1;
            if (len >= 0 && (len = getline(&old, &oldcap, f)) > 0 &&
                old[len - 1] == '\n')
                old[len - 1] = '\0';
            while (i < nlines && (len < 0 || (c = strcmp(lines[i], old)) < 0)) {
                puts(lines[i]);
                status = status == 1 || strncmp(lines[i], "process ", 8) ? 1 : 3;
                i++;
            }
            if (len < 0)
                break;
            if (c == 0)
                i++;
        }
        free(old);
        fclose(f);
    }
    for (size_t i = 0; i < nlines; i++)
        free(lines[i]);
    free(lines);
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    return status;
}

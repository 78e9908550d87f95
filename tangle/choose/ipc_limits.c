/*
 * ipc_limits - print the limits of the running kernel that IPC programs meet
 *
 * usage: ipc_limits [group...]
 *
 * One line per limit: the group (the mechanism it limits), the limit's
 * name, its value, where the value was read, and what raises it.  The
 * groups are pipe, socket, posix-mq, sysv-mq, sysv-shm, posix-shm,
 * sysv-sem, posix-sem, mapping, lock and process; with no operand, all.
 * Values are those of the running kernel in the caller's namespaces (an
 * IPC namespace has its own queue and System V limits, a network
 * namespace its own socket limits).  A file that is missing, as on a
 * kernel built without the feature, is reported as absent; one that
 * cannot be read or holds no number is reported on standard error, and
 * the exit status is then 1.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: ipc_limits [group...]\n"
            "  groups: pipe socket posix-mq sysv-mq sysv-shm posix-shm\n"
            "          sysv-sem posix-sem mapping lock process"
            " (default: all)\n"
            "  prints GROUP LIMIT VALUE FROM | RAISED BY, one limit a"
            " line\n");
    exit(status);
}
static int status;              /* 1 once a limit could not be read */

static void row(const char *group, const char *name, const char *value,
                const char *from, const char *raise)
{
    printf("%-9s %-20s %-20s %s | %s\n", group, name, value, from, raise);
}
static int proc_field(const char *path, int field, char *out, size_t size)
{
    char buf[256], *p, *save;
    ssize_t n;
    int fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
        if (errno == ENOENT)
            return 1;
        warn("%s", path);
        return -1;
    }
    n = read(fd, buf, sizeof buf - 1);
    if (n == -1)
        warn("%s", path);
    (void)close(fd);
    if (n == -1)
        return -1;
    buf[n] = '\0';
    p = strtok_r(buf, " \t\n", &save);
    for (int i = 0; p != NULL && i < field; i++)
        p = strtok_r(NULL, " \t\n", &save);
    if (p == NULL || p[strspn(p, "0123456789")] != '\0'
        || strlen(p) >= size) {
        warnx("%s: no number %d in it", path, field + 1);
        return -1;
    }
    strcpy(out, p);
    return 0;
}
static void sysctl_row(const char *group, const char *name,
                       const char *path, int field, const char *raise)
{
    char value[64];

    switch (proc_field(path, field, value, sizeof value)) {
    case 0:
        row(group, name, value, path, raise);
        break;
    case 1:
        row(group, name, "absent", path, "no such file: not in this kernel");
        break;
    default:
        row(group, name, "unreadable", path, raise);
        status = 1;
    }
}
static void rlimit_row(const char *group, const char *name, int resource,
                       const char *raise)
{
    char value[64], from[64], soft[24], hard[24];
    struct rlimit rl;

    snprintf(from, sizeof from, "getrlimit(%s)", name);
    if (getrlimit(resource, &rl) == -1) {
        warn("getrlimit %s", name);
        row(group, name, "unreadable", from, raise);
        status = 1;
        return;
    }
    if (rl.rlim_cur == RLIM_INFINITY) strcpy(soft, "unlimited");
    else snprintf(soft, sizeof soft, "%llu", (unsigned long long)rl.rlim_cur);
    if (rl.rlim_max == RLIM_INFINITY) strcpy(hard, "unlimited");
    else snprintf(hard, sizeof hard, "%llu", (unsigned long long)rl.rlim_max);
    snprintf(value, sizeof value, "%s/%s", soft, hard);
    row(group, name, value, from, raise);
}
static void pipe_limits(void)
{
    char cap[24] = "unreadable", buf[24] = "unreadable";
    int fd[2], n;
    long pb;

    if (pipe2(fd, O_CLOEXEC) == -1) {
        warn("pipe");
        status = 1;
    } else {
        if ((n = fcntl(fd[0], F_GETPIPE_SZ)) == -1) {
            warn("F_GETPIPE_SZ");
            status = 1;
        } else {
            snprintf(cap, sizeof cap, "%d", n);
        }
        errno = 0;
        if ((pb = fpathconf(fd[0], _PC_PIPE_BUF)) == -1) {
            warn("fpathconf PIPE_BUF");
            status = 1;
        } else {
            snprintf(buf, sizeof buf, "%ld", pb);
        }
        (void)close(fd[0]);
        (void)close(fd[1]);
    }
    row("pipe", "capacity", cap, "fcntl(F_GETPIPE_SZ) of a new pipe",
        "fcntl(F_SETPIPE_SZ), up to pipe-max-size");
    row("pipe", "PIPE_BUF", buf, "fpathconf(_PC_PIPE_BUF)", "fixed");
    sysctl_row("pipe", "pipe-max-size", "/proc/sys/fs/pipe-max-size", 0,
               "sysctl fs.pipe-max-size");
    sysctl_row("pipe", "pipe-user-pages-soft",
               "/proc/sys/fs/pipe-user-pages-soft", 0,
               "sysctl fs.pipe-user-pages-soft (0: none)");
    sysctl_row("pipe", "pipe-user-pages-hard",
               "/proc/sys/fs/pipe-user-pages-hard", 0,
               "sysctl fs.pipe-user-pages-hard (0: none)");
}
static void socket_limits(void)
{
    static const char *const core[][2] = {
        { "wmem_default", "sysctl net.core.wmem_default; SO_SNDBUF" },
        { "wmem_max", "sysctl net.core.wmem_max" },
        { "rmem_default", "sysctl net.core.rmem_default; SO_RCVBUF" },
        { "rmem_max", "sysctl net.core.rmem_max" },
        { "somaxconn", "sysctl net.core.somaxconn" },
    };
    char path[64];

    for (size_t i = 0; i < sizeof core / sizeof core[0]; i++) {
        snprintf(path, sizeof path, "/proc/sys/net/core/%s", core[i][0]);
        sysctl_row("socket", core[i][0], path, 0, core[i][1]);
    }
    sysctl_row("socket", "max_dgram_qlen", "/proc/sys/net/unix/max_dgram_qlen",
               0, "sysctl net.unix.max_dgram_qlen");
}
static void posix_mq_limits(void)
{
    static const char *const files[] = {
        "queues_max", "msg_max", "msgsize_max", "msg_default",
        "msgsize_default",
    };
    char path[64], raise[64], prio[24];

    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "/proc/sys/fs/mqueue/%s", files[i]);
        snprintf(raise, sizeof raise, "sysctl fs.mqueue.%s", files[i]);
        sysctl_row("posix-mq", files[i], path, 0, raise);
    }
    rlimit_row("posix-mq", "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE,
               "ulimit -q; prlimit --msgqueue");
    snprintf(prio, sizeof prio, "%ld", sysconf(_SC_MQ_PRIO_MAX));
    row("posix-mq", "MQ_PRIO_MAX", prio, "sysconf(_SC_MQ_PRIO_MAX)", "fixed");
}
static void sysv_limits(const char *group, const char *const *names)
{
    char path[64], raise[64];

    for (; *names != NULL; names++) {
        snprintf(path, sizeof path, "/proc/sys/kernel/%s", *names);
        snprintf(raise, sizeof raise, "sysctl kernel.%s", *names);
        sysctl_row(group, *names, path, 0, raise);
    }
}

static void sysv_mq_limits(void)
{
    static const char *const names[] = { "msgmax", "msgmnb", "msgmni", NULL };

    sysv_limits("sysv-mq", names);
}

static void sysv_shm_limits(void)
{
    static const char *const names[] = { "shmmax", "shmall", "shmmni", NULL };

    sysv_limits("sysv-shm", names);
}

static void sysv_sem_limits(void)
{
    static const char *const names[] = { "semmsl", "semmns", "semopm",
                                         "semmni" };

    for (int i = 0; i < 4; i++)
        sysctl_row("sysv-sem", names[i], "/proc/sys/kernel/sem", i,
                   "sysctl kernel.sem (all four)");
}
static void posix_shm_limits(void)
{
    const char *from = "statvfs(/dev/shm)";
    const char *raise = "mount -o remount,size=N /dev/shm";
    char size[32], avail[32];
    struct statvfs sv;

    if (statvfs("/dev/shm", &sv) == -1) {
        if (errno != ENOENT) {
            warn("/dev/shm");
            status = 1;
        }
        row("posix-shm", "size", errno == ENOENT ? "absent" : "unreadable",
            from, raise);
        return;
    }
    snprintf(size, sizeof size, "%llu",
             (unsigned long long)sv.f_blocks * sv.f_frsize);
    snprintf(avail, sizeof avail, "%llu",
             (unsigned long long)sv.f_bavail * sv.f_frsize);
    row("posix-shm", "size", size, from, raise);
    row("posix-shm", "free", avail, from, "remove objects; or as size");
}
static void posix_sem_limits(void)
{
    char max[24];

    snprintf(max, sizeof max, "%ld", sysconf(_SC_SEM_VALUE_MAX));
    row("posix-sem", "SEM_VALUE_MAX", max, "sysconf(_SC_SEM_VALUE_MAX)",
        "fixed");
}

static void mapping_limits(void)
{
    sysctl_row("mapping", "max_map_count", "/proc/sys/vm/max_map_count", 0,
               "sysctl vm.max_map_count");
    rlimit_row("mapping", "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK,
               "ulimit -l; prlimit --memlock; CAP_IPC_LOCK ignores it");
}

static void lock_limits(void)
{
    row("lock", "locks", "none", "no knob", "-");
}

static void process_limits(void)
{
    rlimit_row("process", "RLIMIT_NOFILE", RLIMIT_NOFILE,
               "ulimit -n; prlimit --nofile");
}

static const struct group {
    const char *name;
    void (*show)(void);
} groups[] = {
    { "pipe", pipe_limits },           { "socket", socket_limits },
    { "posix-mq", posix_mq_limits },   { "sysv-mq", sysv_mq_limits },
    { "sysv-shm", sysv_shm_limits },   { "posix-shm", posix_shm_limits },
    { "sysv-sem", sysv_sem_limits },   { "posix-sem", posix_sem_limits },
    { "mapping", mapping_limits },     { "lock", lock_limits },
    { "process", process_limits },
};
enum { NGROUPS = sizeof groups / sizeof groups[0] };
int main(int argc, char *argv[])
{
    int opt, wanted[NGROUPS] = { 0 };

    prog_name(argv);
    while ((opt = getopt(argc, argv, "h")) != -1)
        usage(opt == 'h' ? 0 : 2);
    for (int i = optind; i < argc; i++) {
        int g = 0;

        while (g < NGROUPS && strcmp(argv[i], groups[g].name) != 0)
            g++;
        if (g == NGROUPS) {
            warnx("no group '%s' (try -h)", argv[i]);
            usage(2);
        }
        wanted[g] = 1;
    }
    printf("%-9s %-20s %-20s %s\n", "GROUP", "LIMIT", "VALUE",
           "FROM | RAISED BY");
    for (int g = 0; g < NGROUPS; g++)
        if (optind == argc || wanted[g])
            groups[g].show();
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return status;
}

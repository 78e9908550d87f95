/*
 * svshm_lab - small experiments that show how System V shared memory
 * behaves
 *
 * usage: svshm_lab experiment [operand...]
 *        svshm_lab -l
 *
 * Runs one experiment on fresh segments and prints what it observed, one
 * sentence a line.  -l lists the experiments and what each shows.  Each
 * is a rule of chapter 9 of ipc-book, and a test checks what it prints.
 * Every segment it makes is removed on exit and on SIGINT, SIGTERM, SIGHUP.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/mapfile.h"
#include "lib/num.h"
#include "lib/privdir.h"
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

/* A new segment of size bytes, mode 0600, removed when the program ends. */
static int new_segment(size_t size)
{
    int id = shmget(IPC_PRIVATE, size, IPC_CREAT | IPC_EXCL | 0600);

    if (id == -1)
        shmget_failed(size);
    remove_segment_at_exit(id);
    return id;
}

static unsigned char *attach(int id, int flags)
{
    void *p = shmat(id, NULL, flags);

    if (p == (void *)-1)
        err(1, "shmat %d", id);
    return p;
}

static void detach(const void *p)
{
    if (shmdt(p) == -1)
        err(1, "shmdt");
}

static struct shmid_ds stat_segment(int id)
{
    struct shmid_ds ds;

    if (shmctl(id, IPC_STAT, &ds) == -1)
        err(1, "shmctl %d IPC_STAT", id);
    return ds;
}

static size_t page_size(void)
{
    long n = sysconf(_SC_PAGE_SIZE);

    if (n == -1)
        err(1, "sysconf _SC_PAGE_SIZE");
    return (size_t)n;
}
static const char *errname(int e)
{
    switch (e) {
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case EIDRM:  return "EIDRM";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case ENOMEM: return "ENOMEM";
    case ENOSPC: return "ENOSPC";
    case EPERM:  return "EPERM";
    default:     return "unexpected error";
    }
}

static void report_error(const char *what)
{
    int e = errno;

    printf("%s: %s (%s)\n", what, errname(e), strerror(e));
}
static pid_t flush_and_fork(void)
{
    pid_t pid;

    if (fflush(stdout) == EOF)
        err(1, "stdout");
    if ((pid = fork()) == -1)
        err(1, "fork");
    return pid;
}

static void reap(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) == -1)
        if (errno != EINTR)
            err(1, "waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        errx(1, "child %ld failed", (long)pid);
}
static void experiment_zero(char *ops[])
{
    size_t size = parse_size(ops[0], 1, (size_t)1 << 30, "size");
    size_t pg = page_size(), mapped = (size + pg - 1) / pg * pg;
    size_t nonzero = 0;
    int id = new_segment(size);
    unsigned char *p = attach(id, 0);

    memset(p, 0xff, mapped);
    detach(p);
    if (shmctl(id, IPC_RMID, NULL) == -1)
        err(1, "shmctl IPC_RMID");
    p = attach(id = new_segment(size), 0);
    for (size_t i = 0; i < mapped; i++)
        nonzero += p[i] != 0;
    printf("shm_segsz %zu, %zu bytes of pages attached, %zu not 0\n",
           (size_t)stat_segment(id).shm_segsz, mapped, nonzero);
    detach(p);
}
static key_t private_key(char proj)
{
    char dir[4096], file[4200];
    key_t key;
    int fd;

    private_dir(dir, sizeof dir, "svshm_lab");
    (void)snprintf(file, sizeof file, "%s/key", dir);
    if ((fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1)
        err(1, "%s", file);
    cleanup_push(unlink, file);
    close(fd);
    if ((key = ftok(file, proj)) == -1)
        err(1, "ftok %s", file);
    return key;
}
/* Print what shmget(key, size, flags) gives: an error, the segment id
 * (if id is -1), or whether it is segment id. */
static void try_shmget(key_t key, size_t size, int flags, const char *what,
                       int id)
{
    int got = shmget(key, size, flags);

    if (got == -1)
        report_error(what);
    else if (id == -1)
        printf("%s: segment %d\n", what, got);
    else
        printf("%s: %s\n", what, got == id ? "the same segment"
                                           : "another segment");
}

static void experiment_size(char *ops[])
{
    key_t key = private_key('S');
    int id = shmget(key, 100, IPC_CREAT | IPC_EXCL | 0600);
    unsigned char *p;

    (void)ops;
    if (id == -1)
        shmget_failed(100);
    remove_segment_at_exit(id);
    printf("shmget(key, 100, IPC_CREAT|IPC_EXCL|0600): shm_segsz %zu\n",
           (size_t)stat_segment(id).shm_segsz);
    try_shmget(key, 100, IPC_CREAT | IPC_EXCL | 0600,
               "shmget(key, 100, IPC_CREAT|IPC_EXCL|0600) again", id);
    try_shmget(key, 0, 0, "shmget(key, 0, 0)", id);
    try_shmget(key, 100, 0, "shmget(key, 100, 0)", id);
    try_shmget(key, 101, 0, "shmget(key, 101, 0)", id);
    try_shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600,
               "shmget(IPC_PRIVATE, 0, IPC_CREAT|0600)", id);
    p = attach(id, 0);
    p[page_size() - 1] = 42;
    printf("the last byte of the page, past the 100 asked, holds %d\n",
           p[page_size() - 1]);
    detach(p);
}
static void print_nattch(int id, const char *when)
{
    printf("%s: shm_nattch %lu\n", when,
           (unsigned long)stat_segment(id).shm_nattch);
}

static void experiment_fork(char *ops[])
{
    int id = new_segment(4096);
    char *p = (char *)attach(id, 0);
    pid_t pid;

    (void)ops;
    print_nattch(id, "attached");
    if ((pid = flush_and_fork()) == 0) {         /* child: inherits p */
        print_nattch(id, "in the child, after fork");
        strcpy(p, "stored by the child");
        fflush(stdout);
        _exit(0);                                /* detaches p */
    }
    reap(pid);
    printf("the parent reads \"%s\"\n", p);
    print_nattch(id, "after the child's _exit");
    int exec_seen[2], feed[2];
    char c;

    if (pipe2(exec_seen, O_CLOEXEC) == -1 || pipe(feed) == -1)
        err(1, "pipe");
    if ((pid = flush_and_fork()) == 0) {             /* child: becomes cat */
        close(exec_seen[0]);
        close(feed[1]);
        if (dup2(feed[0], STDIN_FILENO) == -1)
            _exit(1);
        execlp("cat", "cat", (char *)NULL);
        _exit(1);                                    /* exec failed */
    }
    close(exec_seen[1]);                             /* parent */
    close(feed[0]);
    if (read(exec_seen[0], &c, 1) != 0)
        errx(1, "the child could not execute cat");
    close(exec_seen[0]);
    print_nattch(id, "while the child runs cat after execve");
    close(feed[1]);                                  /* cat sees end of file */
    reap(pid);
    detach(p);
}
static void experiment_addr(char *ops[])
{
    int id = new_segment(4096);
    unsigned char *a = attach(id, 0), *b = attach(id, 0);

    pid_t pid;

    (void)ops;
    printf("two attachments at %s addresses\n", a == b ? "the same"
                                                       : "different");
    a[0] = 7;
    printf("a store of 7 through the first is read as %d through the "
           "second\n", b[0]);
    print_nattch(id, "both attached");
    if ((pid = flush_and_fork()) == 0) {         /* child: a third */
        unsigned char *c = attach(id, 0);

        c[1] = c != a && c != b;                 /* 1: a new address */
        _exit(0);
    }
    reap(pid);
    printf("a child's own shmat: at %s\n", a[1] ? "an address of its own"
                                                : "one of the parent's");
    detach(a);
    detach(b);
}
static void try_shmdt(const void *p, const char *what)
{
    if (shmdt(p) == -1)
        report_error(what);
    else
        printf("%s: detached\n", what);
}

static void experiment_detach(char *ops[])
{
    size_t pg = page_size();
    unsigned char *p = attach(new_segment(2 * pg), 0);

    (void)ops;
    try_shmdt(p + 1, "shmdt(start + 1)");
    try_shmdt(p + pg, "shmdt(start + one page)");
    try_shmdt(p, "shmdt(start)");
    try_shmdt(p, "shmdt(start) again");
}
static void try_shmat(int id, int flags, const char *what)
{
    void *p = shmat(id, NULL, flags);

    if (p == (void *)-1) {
        report_error(what);
    } else {
        printf("%s: attached\n", what);
        detach(p);
    }
}

static void experiment_attach(char *ops[])
{
    int id = (int)parse_long(ops[0], 0, 0x7fffffff, "segment id");

    try_shmat(id, 0, "shmat read-write");
    try_shmat(id, SHM_RDONLY, "shmat SHM_RDONLY");
}
static void experiment_find(char *ops[])
{
    char *end;
    unsigned long k;

    errno = 0;
    k = strtoul(ops[0], &end, 16);
    if (errno != 0 || end == ops[0] || *end != '\0' || k > 0xffffffffUL
        || k == IPC_PRIVATE)
        errx(2, "key: '%s' is not a key such as 0x4801cafe", ops[0]);
    try_shmget((key_t)k, 0, 0, "shmget(key, 0, 0)", -1);
    try_shmget((key_t)k, 0, 0400, "shmget(key, 0, 0400)", -1);
    try_shmget((key_t)k, 0, 0600, "shmget(key, 0, 0600)", -1);
}
static void experiment_rdonly(char *ops[])
{
    static char name[48];
    int id = new_segment(4096);
    struct mapped m = { .addr = attach(id, SHM_RDONLY), .len = 4096 };
    volatile unsigned char *p = m.addr;

    (void)ops;
    (void)snprintf(name, sizeof name, "segment %d, SHM_RDONLY", id);
    m.name = name;
    map_guard(&m);
    printf("attached SHM_RDONLY, byte 0 reads %d; storing 1 ...\n", p[0]);
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    p[0] = 1;                           /* SIGSEGV: map_guard exits */
    map_unguard();
    printf("the store went through\n");
}
static const char *role(pid_t pid, pid_t child)
{
    return pid == 0 ? "nobody yet" : pid == getpid() ? "the parent"
         : pid == child ? "the child" : "another process";
}

static void print_who(int id, pid_t child, const char *when)
{
    struct shmid_ds ds = stat_segment(id);

    printf("%s: shm_nattch %lu, shm_cpid %s, shm_lpid %s\n", when,
           (unsigned long)ds.shm_nattch, role(ds.shm_cpid, child),
           role(ds.shm_lpid, child));
}
static void experiment_who(char *ops[])
{
    int id = new_segment(4096), attached[2], leave[2];
    unsigned char *p;
    pid_t child;
    char c = 0;

    (void)ops;
    if (pipe(attached) == -1 || pipe(leave) == -1)
        err(1, "pipe");
    print_who(id, 0, "created");
    if ((child = flush_and_fork()) == 0) {
        close(attached[0]);
        close(leave[1]);
        if (shmat(id, NULL, 0) == (void *)-1 || write(attached[1], &c, 1) != 1)
            _exit(1);
        while (read(leave[0], &c, 1) == -1 && errno == EINTR)
            continue;
        _exit(0);                               /* detaches, without shmdt */
    }
    close(attached[1]);
    close(leave[0]);
    if (read(attached[0], &c, 1) != 1)
        errx(1, "the child did not attach");
    print_who(id, child, "the child attached");
    p = attach(id, 0);
    print_who(id, child, "the parent attached");
    close(leave[1]);                    /* the child sees end of file */
    reap(child);
    print_who(id, child, "the child called _exit");
    detach(p);
    print_who(id, child, "the parent detached");
}
static void experiment_rmid(char *ops[])
{
    key_t key = private_key('R');
    int id = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
    unsigned char *p;
    struct shmid_ds ds;

    (void)ops;
    if (id == -1)
        shmget_failed(4096);
    remove_segment_at_exit(id);
    p = attach(id, 0);
    if (shmctl(id, IPC_RMID, NULL) == -1)
        err(1, "shmctl IPC_RMID");
    ds = stat_segment(id);
    printf("after IPC_RMID: shm_nattch %lu, SHM_DEST %s, key %s\n",
           (unsigned long)ds.shm_nattch,
           ds.shm_perm.mode & SHM_DEST ? "set" : "clear",
           ds.shm_perm.__key == IPC_PRIVATE ? "IPC_PRIVATE" : "kept");
    try_shmget(key, 0, 0, "shmget(old key, 0, 0)", id);
    p[0] = 9;
    printf("a store of 9 reads back as %d\n", p[0]);
    detach(p);
    if (shmctl(id, IPC_STAT, &ds) == -1)
        report_error("after the last shmdt, IPC_STAT");
}
static void experiment_lock(char *ops[])
{
    size_t size = parse_size(ops[0], 1, (size_t)1 << 30, "size");
    int id = new_segment(size);
    struct rlimit rl;

    if (getrlimit(RLIMIT_MEMLOCK, &rl) == -1)
        err(1, "getrlimit RLIMIT_MEMLOCK");
    if (rl.rlim_cur == RLIM_INFINITY)
        printf("RLIMIT_MEMLOCK unlimited\n");
    else
        printf("RLIMIT_MEMLOCK %llu bytes\n",
               (unsigned long long)rl.rlim_cur);
    if (shmctl(id, SHM_LOCK, NULL) == -1) {
        report_error("SHM_LOCK");
        return;
    }
    printf("SHM_LOCK: SHM_LOCKED %s\n",
           stat_segment(id).shm_perm.mode & SHM_LOCKED ? "set" : "clear");
    if (shmctl(id, SHM_UNLOCK, NULL) == -1)
        err(1, "shmctl SHM_UNLOCK");
}
enum { FILL_MAX = 32768 };              /* IPCMNI: no more ids exist */
static int filled[FILL_MAX];
static volatile int nfilled;

static int remove_filled(const char *unused)
{
    (void)unused;
    while (nfilled > 0)
        (void)shmctl(filled[--nfilled], IPC_RMID, NULL);
    return 0;
}
static void experiment_fill(char *ops[])
{
    size_t size = parse_size(ops[0], 1, (size_t)1 << 30, "size");
    int id;

    cleanup_push(remove_filled, "");
    while (nfilled < FILL_MAX
           && (id = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600)) != -1)
        filled[nfilled++] = id;
    if (nfilled == FILL_MAX) {
        printf("%d segments of %zu bytes, and no error\n", nfilled, size);
        return;
    }
    printf("%d segments of %zu bytes, then ", nfilled, size);
    report_error("shmget");
}
struct experiment {
    const char *name;
    const char *operands;               /* synopsis of its operands */
    int min_ops, max_ops;
    void (*run)(char *ops[]);
    const char *shows;
};

static const struct experiment experiments[] = {
    { "zero", "SIZE", 1, 1, experiment_zero,
      "a new segment reads 0, to the end of its last page" },
    { "size", "", 0, 0, experiment_size,
      "shmget checks size against the segment's; IPC_EXCL refuses" },
    { "fork", "", 0, 0, experiment_fork,
      "fork inherits an attachment; _exit and execve detach it" },
    { "addr", "", 0, 0, experiment_addr,
      "one segment, attached twice, at two addresses" },
    { "detach", "", 0, 0, experiment_detach,
      "shmdt takes the address shmat returned, nothing else" },
    { "attach", "ID", 1, 1, experiment_attach,
      "which attaches the mode of a segment allows us" },
    { "find", "KEY", 1, 1, experiment_find,
      "shmget checks only the access its flags ask for" },
    { "rdonly", "", 0, 0, experiment_rdonly,
      "a store through SHM_RDONLY is a SIGSEGV, made an error" },
    { "who", "", 0, 0, experiment_who,
      "shm_nattch, shm_cpid and shm_lpid follow every attach" },
    { "rmid", "", 0, 0, experiment_rmid,
      "IPC_RMID while attached: marked, key gone, memory kept" },
    { "lock", "SIZE", 1, 1, experiment_lock,
      "SHM_LOCK is allowed within RLIMIT_MEMLOCK" },
    { "fill", "SIZE", 1, 1, experiment_fill,
      "segments of SIZE until shmget fails: shmmni, shmall" },
};
enum { NEXPERIMENTS = sizeof experiments / sizeof experiments[0] };
static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: svshm_lab experiment [operand...]\n"
            "       svshm_lab -l    list the experiments\n");
    exit(status);
}

static void list_experiments(void)
{
    for (int i = 0; i < NEXPERIMENTS; i++)
        printf("%-7s %-5s %s\n", experiments[i].name,
               experiments[i].operands, experiments[i].shows);
}
int main(int argc, char *argv[])
{
    const struct experiment *e = NULL;
    int opt, nops, list = 0;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "+hl")) != -1) {
        switch (opt) {
        case 'l': list = 1; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (list && optind == argc) {
        list_experiments();
    } else {
        if (list || optind == argc)
            usage(2);
        for (int i = 0; i < NEXPERIMENTS && e == NULL; i++)
            if (strcmp(argv[optind], experiments[i].name) == 0)
                e = &experiments[i];
        if (e == NULL)
            errx(2, "no experiment '%s' (svshm_lab -l lists them)",
                 argv[optind]);
        nops = argc - optind - 1;
        if (nops < e->min_ops || nops > e->max_ops)
            errx(2, "usage: svshm_lab %s%s%s", e->name, *e->operands ? " " : "",
                 e->operands);
        e->run(argv + optind + 1);
    }
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

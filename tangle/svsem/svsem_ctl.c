/*
 * svsem_ctl - create, watch and drive a System V semaphore set
 *
 * usage: svsem_ctl [-k file] [-D ms] [-t ms] create value...
 *        svsem_ctl -i id | -k file [-n nsems] [-r] [-t ms] command
 *
 * create makes a set of one semaphore per value, mode 0600, keyed by
 * ftok(file, 's') or IPC_PRIVATE, prints its id, initialises it and
 * holds it until a signal, its removal, or -t ms; then removes it.
 * -D ms: wait ms, or until SIGUSR1, between semget and initialising.
 * The commands act on the set of id, or of file's key (which must be
 * ours and initialised, waiting -t ms for that unless -r):
 *   show               the set, and each semaphore's semval, ncnt,
 *                      zcnt and last pid
 *   op num:op[nu]...   all the operations in one semtimedop, waiting
 *                      at most -t ms (default 5000); n: IPC_NOWAIT,
 *                      u: SEM_UNDO.  -w ms: then wait ms before exiting;
 *                      -s: catch SIGUSR1 with SA_RESTART
 *   setval num value, setall value..., chmod mode, rm
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/sig.h"

/* semctl's fourth argument.  The caller must declare it (semctl(2));
 * <sys/sem.h> does not. */
union semun {
    int val;                    /* SETVAL */
    struct semid_ds *buf;       /* IPC_STAT, IPC_SET */
    unsigned short *array;      /* GETALL, SETALL */
};
static int remove_set(const char *name)
{
    int id = 0;

    for (; *name >= '0' && *name <= '9'; name++)
        id = id * 10 + (*name - '0');
    return semctl(id, 0, IPC_RMID);
}

static void remove_at_exit(int id)
{
    char name[16];

    (void)snprintf(name, sizeof name, "%d", id);
    cleanup_push(remove_set, name);
}
static void usage(int status)
{
    fprintf(status ? stderr : stdout,
"usage: svsem_ctl [-k file] [-D ms] [-t ms] create value...\n"
"       svsem_ctl -i id | -k file [-n nsems] [-r] [-t ms] command\n"
"  commands: show | op [-s] [-w ms] num:op[nu]... | setval num value\n"
"            | setall value... | chmod mode | rm\n"
"  -i id     the set with this id\n"
"  -k file   the set whose key is ftok(file, 's'); for create, its key\n"
"            (default IPC_PRIVATE)\n"
"  -n nsems  the set found by key must have at least nsems semaphores\n"
"  -r        do not wait until the set found by key is initialised\n"
"  -t ms     bound on every wait (default 5000; create: hold the set\n"
"            until a signal or its removal)\n"
"  -D ms     create: wait ms (or until SIGUSR1) between semget and\n"
"            initialising, to show the race\n"
"  -w ms     op: afterwards, wait ms before exiting\n"
"  -s        op: catch SIGUSR1 with SA_RESTART\n"
"  op: n = IPC_NOWAIT, u = SEM_UNDO, e.g. 0:-1u 1:+1 2:0n\n");
    exit(status);
}
struct opts {
    const char *file;           /* -k: the key is ftok(file, 's') */
    int id;                     /* -i: the set's id, or -1 */
    int nsems;                  /* -n: at least this many semaphores */
    long ms;                    /* -t: bound on every wait; -1: default */
    long hold_ms;               /* -w: after op, wait this long */
    long delay_ms;              /* -D: between semget and SETALL */
    int raw;                    /* -r: do not wait for sem_otime */
    int restart;                /* -s: SIGUSR1 with SA_RESTART */
};
static struct timespec now(void)
{
    struct timespec t;

    if (clock_gettime(CLOCK_MONOTONIC, &t) == -1)
        err(1, "clock_gettime");
    return t;
}

static long ms_since(struct timespec t0)
{
    struct timespec t = now();

    return (long)(t.tv_sec - t0.tv_sec) * 1000
           + (t.tv_nsec - t0.tv_nsec) / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

    while (nanosleep(&ts, &ts) == -1)
        if (errno != EINTR)
            err(1, "nanosleep");
}

enum { SEMMSL, SEMMNS, SEMOPM, SEMMNI };

/* kernel.sem, in its order; -1 where it cannot be read. */
static void sem_limits(long lim[4])
{
    FILE *f = fopen("/proc/sys/kernel/sem", "r");

    if (f == NULL || fscanf(f, "%ld %ld %ld %ld", &lim[SEMMSL],
                            &lim[SEMMNS], &lim[SEMOPM], &lim[SEMMNI]) != 4)
        lim[SEMMSL] = lim[SEMMNS] = lim[SEMOPM] = lim[SEMMNI] = -1;
    if (f != NULL)
        (void)fclose(f);
}

static key_t key_of(const char *file)
{
    key_t key = ftok(file, 's');

    if (key == -1)
        err(1, "ftok %s", file);
    return key;
}
static const char *errname(int e)
{
    switch (e) {
    case E2BIG:  return "E2BIG";
    case EACCES: return "EACCES";
    case EAGAIN: return "EAGAIN";
    case EEXIST: return "EEXIST";
    case EFBIG:  return "EFBIG";
    case EIDRM:  return "EIDRM";
    case EINTR:  return "EINTR";
    case EINVAL: return "EINVAL";
    case ENOENT: return "ENOENT";
    case ENOSPC: return "ENOSPC";
    case EPERM:  return "EPERM";
    case ERANGE: return "ERANGE";
    default:     return "error";
    }
}

/* Exit 1: "what: ENAME (text)", then "; hint" if there is one. */
static void fail(const char *what, const char *hint)
{
    int e = errno;

    errx(1, "%s: %s (%s)%s%s", what, errname(e), strerror(e),
         *hint ? "; " : "", hint);
}
static void semget_failed(key_t key, int nsems, int creating)
{
    char hint[200] = "";
    struct semid_ds ds;
    union semun arg = { .buf = &ds };
    int e = errno, old;
    long lim[4];

    sem_limits(lim);
    if (e == EEXIST && (old = semget(key, 0, 0)) != -1
        && semctl(old, 0, IPC_STAT, arg) != -1)
        snprintf(hint, sizeof hint, "key 0x%08x has set %d, of uid %u; "
                 "not ours to take (ipcrm -s %d if stale)",
                 (unsigned)key, old, (unsigned)ds.sem_perm.uid, old);
    else if (e == EEXIST)
        snprintf(hint, sizeof hint, "key 0x%08x has a set",
                 (unsigned)key);
    else if (e == ENOENT)
        snprintf(hint, sizeof hint, "no set has key 0x%08x",
                 (unsigned)key);
    else if (e == EINVAL && creating && nsems > lim[SEMMSL])
        snprintf(hint, sizeof hint, "%d semaphores is more than SEMMSL, "
                 "%ld (kernel.sem, 1st field)", nsems, lim[SEMMSL]);
    else if (e == EINVAL)
        snprintf(hint, sizeof hint, "the set of key 0x%08x has fewer "
                 "than %d semaphores", (unsigned)key, nsems);
    else if (e == ENOSPC)
        snprintf(hint, sizeof hint, "the system has SEMMNI sets (%ld) "
                 "or would pass SEMMNS semaphores (%ld) (kernel.sem)",
                 lim[SEMMNI], lim[SEMMNS]);
    errno = e;
    fail("semget", hint);
}
static void mark_initialised(int id, unsigned short v0)
{
    struct sembuf undone[2] = { { 0, -1, IPC_NOWAIT },
                                { 0, +1, IPC_NOWAIT } };
    struct sembuf zero = { 0, 0, IPC_NOWAIT };

    if (semop(id, v0 > 0 ? undone : &zero, v0 > 0 ? 2 : 1) == -1)
        fail("semop", "cannot mark the set initialised: somebody used "
             "it before its values were set");
}
static volatile sig_atomic_t go_on;

static void on_go_on(int sig)
{
    (void)sig;
    go_on = 1;
}

static void widen_the_gap(long ms)
{
    struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };

    while (!go_on && nanosleep(&ts, &ts) == -1)
        if (errno != EINTR)
            err(1, "nanosleep");
}
static void hold(int id, const struct opts *o)
{
    struct timespec t0 = now();
    struct semid_ds ds;
    union semun arg = { .buf = &ds };

    for (;;) {
        if (semctl(id, 0, IPC_STAT, arg) == -1) {
            if (errno != EINVAL && errno != EIDRM)
                fail("semctl IPC_STAT", "");
            printf("set %d was removed\n", id);
            return;
        }
        if (o->ms >= 0 && ms_since(t0) >= o->ms) {
            printf("set %d held for %ld ms; removing it\n", id, o->ms);
            return;
        }
        sleep_ms(20);
    }
}

static void create(const struct opts *o, int n, char *vals[])
{
    key_t key = o->file ? key_of(o->file) : IPC_PRIVATE;
    unsigned short *v = calloc((size_t)n, sizeof *v);
    union semun arg = { .array = v };
    int id;

    if (v == NULL)
        err(1, "calloc");
    for (int i = 0; i < n; i++)
        v[i] = (unsigned short)parse_long(vals[i], 0, 32767, "value");
    if (o->delay_ms > 0)                /* before anyone knows the id */
        sig_catch(SIGUSR1, on_go_on, 0);
    if ((id = semget(key, n, IPC_CREAT | IPC_EXCL | 0600)) == -1)
        semget_failed(key, n, 1);
    remove_at_exit(id);
    printf("set %d key 0x%08x: %d semaphore%s\n", id, (unsigned)key, n,
           n == 1 ? "" : "s");
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    if (o->delay_ms > 0)
        widen_the_gap(o->delay_ms);
    if (semctl(id, 0, SETALL, arg) == -1)
        fail("semctl SETALL", "");
    mark_initialised(id, v[0]);
    free(v);
    printf("set %d initialised\n", id);
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    hold(id, o);
}
static int find_set(const struct opts *o)
{
    struct timespec t0 = now();
    long ms = o->ms >= 0 ? o->ms : 5000;
    struct semid_ds ds;
    union semun arg = { .buf = &ds };
    key_t key;
    int id;

    if (o->file == NULL)
        return o->id;
    key = key_of(o->file);
    if ((id = semget(key, o->nsems, 0)) == -1)
        semget_failed(key, o->nsems, 0);
    for (;;) {
        if (semctl(id, 0, IPC_STAT, arg) == -1)
            fail("semctl IPC_STAT", "");
        if (ds.sem_perm.uid != geteuid())
            errx(1, "set %d (key 0x%08x) belongs to uid %u, not to us: "
                 "not using it (ipcrm -s %d removes it)", id,
                 (unsigned)key, (unsigned)ds.sem_perm.uid, id);
        if (o->raw || ds.sem_otime != 0)
            return id;
        if (ms_since(t0) >= ms)
            errx(1, "set %d (key 0x%08x) is not initialised after %ld ms "
                 "(sem_otime is 0): its creator may have died "
                 "(ipcrm -s %d removes it)", id, (unsigned)key, ms, id);
        sleep_ms(10);
    }
}
static void show(int id)
{
    struct semid_ds ds;
    union semun arg = { .buf = &ds };
    unsigned short *v;

    if (semctl(id, 0, IPC_STAT, arg) == -1)
        fail("semctl IPC_STAT", "");
    printf("set %d key 0x%08x uid %u mode %03o nsems %lu otime %lld\n",
           id, (unsigned)ds.sem_perm.__key, (unsigned)ds.sem_perm.uid,
           (unsigned)ds.sem_perm.mode & 0777, (unsigned long)ds.sem_nsems,
           (long long)ds.sem_otime);
    if ((v = calloc(ds.sem_nsems, sizeof *v)) == NULL)
        err(1, "calloc");
    arg.array = v;
    if (semctl(id, 0, GETALL, arg) == -1)
        fail("semctl GETALL", "");
    printf("num semval ncnt zcnt pid\n");
    for (unsigned long i = 0; i < ds.sem_nsems; i++) {
        int ncnt = semctl(id, (int)i, GETNCNT);
        int zcnt = semctl(id, (int)i, GETZCNT);
        int pid = semctl(id, (int)i, GETPID);

        if (ncnt == -1 || zcnt == -1 || pid == -1)
            fail("semctl GETNCNT, GETZCNT or GETPID", "");
        printf("%3lu %6u %4d %4d %d\n", i, v[i], ncnt, zcnt, pid);
    }
    free(v);
}
/* "num:op[nu]", e.g. "0:-1u", into op. */
static void parse_op(const char *s, struct sembuf *op)
{
    char buf[32];
    const char *colon = strchr(s, ':');
    size_t len;

    if (colon == NULL || (size_t)(colon - s) >= sizeof buf)
        errx(2, "operation '%s': expected num:op, as in 0:-1 or 1:+1u", s);
    memcpy(buf, s, (size_t)(colon - s));
    buf[colon - s] = '\0';
    op->sem_num = (unsigned short)parse_long(buf, 0, USHRT_MAX, "num");
    op->sem_flg = 0;
    for (len = strlen(colon + 1); len > 0; len--) {
        char c = colon[len];

        if (c == 'n')
            op->sem_flg |= IPC_NOWAIT;
        else if (c == 'u')
            op->sem_flg |= SEM_UNDO;
        else
            break;
    }
    if (len >= sizeof buf)
        errx(2, "operation '%s': too long", s);
    memcpy(buf, colon + 1, len);
    buf[len] = '\0';
    if (buf[0] == '-')                  /* parse_long takes digits only */
        op->sem_op = (short)-parse_long(buf + 1, 0, 32768, "op");
    else
        op->sem_op = (short)parse_long(buf + (buf[0] == '+'), 0, 32767,
                                       "op");
}
static void semop_failed(int id, int n, long ms, int nowait, int restart)
{
    char hint[160] = "";
    struct semid_ds ds;
    union semun arg = { .buf = &ds };
    int e = errno;
    long lim[4];

    if (e == EAGAIN && nowait)
        snprintf(hint, sizeof hint, "an IPC_NOWAIT operation would wait, "
                 "or %ld ms passed; nothing was applied", ms);
    else if (e == EAGAIN)
        snprintf(hint, sizeof hint, "no change let them through within "
                 "%ld ms; nothing was applied", ms);
    else if (e == EINTR)
        snprintf(hint, sizeof hint, "interrupted by a signal%s",
                 restart ? " whose handler has SA_RESTART: semop is never "
                 "restarted" : "");
    else if (e == EIDRM)
        snprintf(hint, sizeof hint, "the set was removed while we waited");
    else if (e == E2BIG && (sem_limits(lim), 1))
        snprintf(hint, sizeof hint, "%d operations is more than SEMOPM, "
                 "%ld (kernel.sem, 3rd field)", n, lim[SEMOPM]);
    else if (e == EFBIG && semctl(id, 0, IPC_STAT, arg) != -1)
        snprintf(hint, sizeof hint, "set %d has semaphores 0 to %lu", id,
                 (unsigned long)ds.sem_nsems - 1);
    else if (e == ERANGE)
        snprintf(hint, sizeof hint, "a value would pass SEMVMX (32767), "
                 "or an undo adjustment pass +-32767");
    errno = e;
    fail("semtimedop", hint);
}

static void on_usr1(int sig)
{
    (void)sig;                          /* only to interrupt */
}

static void perform(int id, const struct opts *o, int n, char *args[])
{
    struct sembuf *ops = calloc((size_t)n, sizeof *ops);
    long ms = o->ms >= 0 ? o->ms : 5000;
    struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };
    int nowait = 0;

    if (ops == NULL)
        err(1, "calloc");
    for (int i = 0; i < n; i++) {
        parse_op(args[i], &ops[i]);
        nowait |= ops[i].sem_flg & IPC_NOWAIT;
    }
    if (o->restart)
        sig_catch(SIGUSR1, on_usr1, SA_RESTART);
    if (semtimedop(id, ops, (size_t)n, &ts) == -1)
        semop_failed(id, n, ms, nowait, o->restart);
    free(ops);
    if (o->hold_ms > 0) {
        printf("pid %ld: done; exiting in %ld ms\n", (long)getpid(),
               o->hold_ms);
        if (fflush(stdout) == EOF)
            err(1, "stdout");
        sleep_ms(o->hold_ms);
    }
}
static void set_value(int id, char *num, char *value)
{
    union semun arg;
    int n = (int)parse_long(num, 0, USHRT_MAX, "num");

    arg.val = (int)parse_long(value, 0, INT_MAX, "value");
    if (semctl(id, n, SETVAL, arg) == -1)
        fail("semctl SETVAL", errno == ERANGE ? "above SEMVMX (32767)"
             : "");
}

static void set_all(int id, int n, char *vals[])
{
    struct semid_ds ds;
    union semun arg = { .buf = &ds };
    unsigned short *v;

    if (semctl(id, 0, IPC_STAT, arg) == -1)
        fail("semctl IPC_STAT", "");
    if ((unsigned long)n != ds.sem_nsems)
        errx(2, "setall: set %d has %lu semaphores, %d values given", id,
             (unsigned long)ds.sem_nsems, n);
    if ((v = calloc((size_t)n, sizeof *v)) == NULL)
        err(1, "calloc");
    for (int i = 0; i < n; i++)
        v[i] = (unsigned short)parse_long(vals[i], 0, USHRT_MAX, "value");
    arg.array = v;
    if (semctl(id, 0, SETALL, arg) == -1)
        fail("semctl SETALL", errno == ERANGE ? "above SEMVMX (32767)"
             : "");
    free(v);
}

static void set_mode(int id, const char *mode)
{
    struct semid_ds ds;
    union semun arg = { .buf = &ds };
    char *end;
    long m;

    errno = 0;
    m = strtol(mode, &end, 8);
    if (errno != 0 || end == mode || *end != '\0' || m < 0 || m > 0777)
        errx(2, "mode '%s': expected an octal mode such as 600", mode);
    if (semctl(id, 0, IPC_STAT, arg) == -1)
        fail("semctl IPC_STAT", "");
    ds.sem_perm.mode = (unsigned short)m;
    if (semctl(id, 0, IPC_SET, arg) == -1)
        fail("semctl IPC_SET", "");
}

static void remove_now(int id)
{
    if (semctl(id, 0, IPC_RMID) == -1)
        fail("semctl IPC_RMID", "");
}
int main(int argc, char *argv[])
{
    struct opts o = { .id = -1, .ms = -1 };
    const char *cmd;
    char **args;
    int opt, n, id;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "+D:hi:k:n:rst:w:")) != -1) {
        switch (opt) {
        case 'D': o.delay_ms = parse_long(optarg, 0, 3600000, "-D"); break;
        case 'i': o.id = (int)parse_long(optarg, 0, INT_MAX, "id"); break;
        case 'k': o.file = optarg; break;
        case 'n': o.nsems = (int)parse_long(optarg, 0, 65535, "nsems");
                  break;
        case 'r': o.raw = 1; break;
        case 's': o.restart = 1; break;
        case 't': o.ms = parse_long(optarg, 0, 86400000, "-t"); break;
        case 'w': o.hold_ms = parse_long(optarg, 0, 3600000, "-w"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind == argc)
        usage(2);
    cmd = argv[optind];
    args = argv + optind + 1;
    n = argc - optind - 1;
    if (strcmp(cmd, "create") == 0) {
        if (o.id != -1 || n < 1)
            usage(2);
        create(&o, n, args);
    } else {
        if ((o.id == -1) == (o.file == NULL))
            errx(2, "%s: name the set with -i id or -k file", cmd);
        id = find_set(&o);
        if (strcmp(cmd, "show") == 0 && n == 0)
            show(id);
        else if (strcmp(cmd, "op") == 0 && n >= 1)
            perform(id, &o, n, args);
        else if (strcmp(cmd, "setval") == 0 && n == 2)
            set_value(id, args[0], args[1]);
        else if (strcmp(cmd, "setall") == 0 && n >= 1)
            set_all(id, n, args);
        else if (strcmp(cmd, "chmod") == 0 && n == 1)
            set_mode(id, args[0]);
        else if (strcmp(cmd, "rm") == 0 && n == 0)
            remove_now(id);
        else
            usage(2);
    }
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

/*
 * fifo_server - hand out sequence numbers through FIFOs
 *
 * usage: fifo_server [-d dir]
 *
 * Makes the FIFO "requests" in a new private directory (mode 0700, under
 * $TMPDIR, default /tmp) or in dir, prints the directory's absolute path
 * and closes standard output, then serves until SIGINT, SIGTERM or
 * SIGHUP.  A request is one line "NAME COUNT": NAME is a FIFO the client
 * made in the same directory and holds open for reading, COUNT how many
 * numbers it wants (1 to 1000000).  The server writes the first of COUNT
 * consecutive numbers into NAME.  The counter is kept in dir/seq, locked
 * while the server runs, so that numbers never repeat.  On exit the
 * server removes its FIFO and, if it made the directory, everything in it
 * and the directory itself.
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/privdir.h"
#include "lib/prog.h"
#include "lib/sig.h"
#include "fifo/seq_protocol.h"

struct server {
    int rfd;                    /* read end of REQUESTS, O_NONBLOCK */
    int dfd;                    /* the directory, for openat */
    int sfd;                    /* STATE: the counter, locked */
    sigset_t waitmask;          /* the signal mask while waiting */
    unsigned long long next;    /* the next number to hand out */
};

static volatile sig_atomic_t stop_signal;   /* set by the handler */

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: fifo_server [-d dir]\n"
            "  -d dir  serve in dir (default: a new private directory)\n");
    exit(status);
}

enum { STATE_LEN = 21 };                /* "%020llu\n" */

static void take_counter(struct server *s, const char *dir)
{
    char buf[STATE_LEN + 1], *end;
    struct stat st;
    ssize_t n;

    s->sfd = openat(s->dfd, STATE, O_RDWR | O_CREAT | O_NOFOLLOW
                    | O_NONBLOCK | O_CLOEXEC, 0600);
    if (s->sfd == -1)
        err(1, "open %s/%s", dir, STATE);
    if (fstat(s->sfd, &st) == -1)
        err(1, "fstat %s/%s", dir, STATE);
    if (!S_ISREG(st.st_mode) || st.st_uid != geteuid())
        errx(1, "%s/%s: not a file of ours", dir, STATE);
    if (st.st_size != 0 && st.st_size != STATE_LEN)
        errx(1, "%s/%s: not a counter; remove it to start again from 0",
             dir, STATE);
    if (flock(s->sfd, LOCK_EX | LOCK_NB) == -1) {
        if (errno == EWOULDBLOCK)
            errx(1, "a server is already running in %s", dir);
        err(1, "flock %s/%s", dir, STATE);
    }
    if ((n = pread(s->sfd, buf, STATE_LEN, 0)) == -1)
        err(1, "read %s/%s", dir, STATE);
    buf[n] = '\0';
    errno = 0;
    s->next = n == 0 ? 0 : strtoull(buf, &end, 10);
    if (n != 0 && (n != STATE_LEN || !isdigit((unsigned char)buf[0])
                   || strcmp(end, "\n") != 0 || errno == ERANGE))
        errx(1, "%s/%s: not a counter; remove it to start again from 0",
             dir, STATE);
}

static int save_counter(const struct server *s, unsigned long long next)
{
    char buf[STATE_LEN + 1];

    (void)snprintf(buf, sizeof buf, "%020llu\n", next);
    return pwrite(s->sfd, buf, STATE_LEN, 0) == STATE_LEN ? 0 : -1;
}

static void make_fifo(const struct server *s, const char *fifo)
{
    struct stat st;

    if (fstatat(s->dfd, REQUESTS, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (!S_ISFIFO(st.st_mode))
            errx(1, "%s exists and is not a FIFO", fifo);
        if (unlinkat(s->dfd, REQUESTS, 0) == -1)    /* a dead server's */
            err(1, "unlink %s", fifo);
    }
    if (mkfifoat(s->dfd, REQUESTS, 0600) == -1)
        err(1, "mkfifo %s", fifo);
    cleanup_push(unlink, fifo);
}

static void on_stop(int sig)
{
    stop_signal = sig;
}

static void catch_stop_signals(sigset_t *waitmask)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
    enum { NSIGS = sizeof sigs / sizeof sigs[0] };
    sigset_t block;

    sigemptyset(&block);
    for (size_t i = 0; i < NSIGS; i++)
        sigaddset(&block, sigs[i]);
    /* Blocked from now on, except inside pselect (mask: *waitmask). */
    if (sigprocmask(SIG_BLOCK, &block, waitmask) == -1)
        err(1, "sigprocmask");
    sig_catch_unless_ignored(sigs, NSIGS, on_stop);
}

static int wait_for_request(const struct server *s)
{
    fd_set rd;

    while (!stop_signal) {
        FD_ZERO(&rd);
        FD_SET(s->rfd, &rd);
        if (pselect(s->rfd + 1, &rd, NULL, NULL, NULL, &s->waitmask) > 0)
            return 1;
        if (errno != EINTR)
            err(1, "pselect");
    }
    return 0;
}

#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" \
                   "0123456789._-"

static const char *parse_request(char *line, char *name, unsigned long *count)
{
    char *sp = strchr(line, ' '), *end;
    size_t n;

    if (sp == NULL)
        return "want 'NAME COUNT'";
    n = (size_t)(sp - line);
    if (n == 0 || n > NAME_MAX || line[0] == '.'
        || strspn(line, NAME_CHARS) != n)
        return "NAME must be a plain file name";
    if (n == strlen(REQUESTS) && memcmp(line, REQUESTS, n) == 0)
        return "NAME is the server's own FIFO";
    errno = 0;
    *count = strtoul(sp + 1, &end, 10);
    if (!isdigit((unsigned char)sp[1]) || *end != '\0' || errno == ERANGE
        || *count < 1 || *count > COUNT_MAX)
        return "COUNT must be a number from 1 to 1000000";
    memcpy(name, line, n);
    name[n] = '\0';
    return NULL;
}

static const char *printable(const char *line)
{
    static char out[48];
    size_t i;

    for (i = 0; line[i] != '\0' && i < 40; i++)
        out[i] = isprint((unsigned char)line[i]) ? line[i] : '?';
    strcpy(out + i, line[i] != '\0' ? "..." : "");
    return out;
}

static int open_reply(const struct server *s, const char *name)
{
    struct stat st;
    int fd;

    fd = openat(s->dfd, name, O_WRONLY | O_NONBLOCK | O_NOFOLLOW
                | O_CLOEXEC);
    if (fd == -1) {
        if (errno == ENXIO)
            warnx("%s: nobody reads it; reply dropped", name);
        else
            warn("open %s", name);
        return -1;
    }
    if (fstat(fd, &st) == -1)
        err(1, "fstat %s", name);
    if (!S_ISFIFO(st.st_mode)) {
        warnx("%s: not a FIFO; reply dropped", name);
        (void)close(fd);
        return -1;
    }
    return fd;
}

static void answer(struct server *s, char *line)
{
    char name[NAME_MAX + 1], reply[32];
    unsigned long count;
    const char *why;
    int fd, len;

    if ((why = parse_request(line, name, &count)) != NULL) {
        warnx("rejected request '%s': %s", printable(line), why);
        return;
    }
    if ((fd = open_reply(s, name)) == -1)
        return;                         /* reported already */
    if (save_counter(s, s->next + count) == -1)
        err(1, "write %s", STATE);      /* never hand out unsaved numbers */
    len = snprintf(reply, sizeof reply, "%llu\n", s->next);
    if (write(fd, reply, (size_t)len) == -1) {
        warn("write %s", name);         /* EPIPE: the client left */
        if (save_counter(s, s->next) == -1)
            err(1, "write %s", STATE);
    } else {
        s->next += count;
    }
    if (close(fd) == -1)                /* the client's read sees EOF */
        warn("close %s", name);
}

static size_t answer_lines(struct server *s, char *buf, size_t len,
                           int *skipping)
{
    char *line = buf, *nl;

    while ((nl = memchr(line, '\n', (size_t)(buf + len - line))) != NULL) {
        *nl = '\0';
        if (*skipping)
            *skipping = 0;      /* that was the end of the long one */
        else if (*line != '\0')
            answer(s, line);
        line = nl + 1;
    }
    len = (size_t)(buf + len - line);
    memmove(buf, line, len);
    return len;
}

static void serve(struct server *s)
{
    char buf[REQUEST_MAX];
    size_t len = 0;
    int skipping = 0;           /* inside an oversized line */
    ssize_t n;

    while (wait_for_request(s)) {
        n = read(s->rfd, buf + len, sizeof buf - len);
        if (n == -1 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n == -1)
            err(1, "read %s", REQUESTS);
        if (n == 0)             /* impossible while we hold a writer */
            errx(1, "read %s: unexpected end of file", REQUESTS);
        len = answer_lines(s, buf, len + (size_t)n, &skipping);
        if (len == sizeof buf) {
            if (!skipping)
                warnx("rejected a request longer than %d bytes", REQUEST_MAX);
            skipping = 1;
            len = 0;
        }
    }
}

static void sweep(const struct server *s, const char *dir)
{
    DIR *d;
    struct dirent *e;
    struct stat st;
    int fd;

    if ((fd = dup(s->dfd)) == -1 || (d = fdopendir(fd)) == NULL) {
        warn("opendir %s", dir);
        if (fd != -1)
            (void)close(fd);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0
            && S_ISFIFO(st.st_mode)
            && unlinkat(fd, e->d_name, 0) == -1)
            warn("unlink %s/%s", dir, e->d_name);
    }
    if (closedir(d) == -1)
        warn("closedir %s", dir);
}

static void die_of(int sig)
{
    sigset_t only;

    sigemptyset(&only);
    sigaddset(&only, sig);
    if (signal(sig, SIG_DFL) == SIG_ERR || raise(sig) != 0)
        return;
    (void)sigprocmask(SIG_UNBLOCK, &only, NULL);    /* dies here */
}

int main(int argc, char *argv[])
{
    struct server s = { .rfd = -1, .dfd = -1, .sfd = -1, .next = 0 };
    char dir[PATH_MAX], fifo[PATH_MAX], state[PATH_MAX];
    const char *userdir = NULL;
    int opt, wfd;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "d:h")) != -1) {
        switch (opt) {
        case 'd': userdir = optarg; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind != argc)
        usage(2);
    if (userdir != NULL) {
        char cwd[PATH_MAX];
        s.dfd = open_checked_dir(userdir, 1);
        if (userdir[0] != '/' && getcwd(cwd, sizeof cwd) == NULL)
            err(1, "getcwd");
        if ((size_t)snprintf(dir, sizeof dir, "%s%s%s",
                             userdir[0] == '/' ? "" : cwd,
                             userdir[0] == '/' ? "" : "/", userdir)
            >= sizeof dir)
            errx(2, "%s: directory name too long", userdir);
    } else {
        private_dir(dir, sizeof dir, "fifo_server");
        if ((s.dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
            err(1, "open %s", dir);
    }
    if ((size_t)snprintf(fifo, sizeof fifo, "%s/%s", dir, REQUESTS)
        >= sizeof fifo
        || (size_t)snprintf(state, sizeof state, "%s/%s", dir, STATE)
        >= sizeof state)
        errx(2, "%s: directory name too long", dir);
    take_counter(&s, dir);
    if (userdir == NULL)                    /* a private run: nothing to keep */
        cleanup_push(unlink, state);
    make_fifo(&s, fifo);
    if ((s.rfd = openat(s.dfd, REQUESTS, O_RDONLY | O_NONBLOCK)) == -1)
        err(1, "open %s", fifo);
    if ((wfd = openat(s.dfd, REQUESTS, O_WRONLY)) == -1) /* dummy writer */
        err(1, "open %s", fifo);
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)    /* a vanished client: EPIPE */
        err(1, "signal");
    catch_stop_signals(&s.waitmask);
    printf("%s\n", dir);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    fprintf(stderr, "fifo_server: pid %ld serving %s from %llu\n",
            (long)getpid(), dir, s.next);
    serve(&s);
    if (userdir == NULL)
        sweep(&s, dir);
    if (close(wfd) == -1)                   /* the dummy writer: no more use */
        warn("close %s", fifo);
    if (close(s.rfd) == -1)                 /* no more requests */
        warn("close %s", fifo);
    if (close(s.sfd) == -1)                 /* lets go of the lock */
        warn("close %s", state);
    if (close(s.dfd) == -1)
        warn("close %s", dir);
    cleanup_run();
    die_of(stop_signal);
    return 1;                               /* not reached */
}

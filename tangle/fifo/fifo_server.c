/*
 * fifo_server - hand out sequence numbers through FIFOs
 *
 * usage: fifo_server [-d dir] [-t ms]
 *
 * Makes the FIFO "requests" in a new private directory (mode 0700, under
 * $TMPDIR, default /tmp) or in dir, prints the directory's path and closes
 * standard output, then serves until SIGINT, SIGTERM or SIGHUP.  A request
 * is one line "NAME COUNT": NAME is a FIFO the client made in the same
 * directory, COUNT how many numbers it wants (1 to 1000000).  The server
 * writes the first of COUNT consecutive numbers into NAME.  A client that
 * has not opened NAME for reading within ms milliseconds (default 2000)
 * gets no reply.  On exit the server removes its FIFO and, if it made the
 * directory, every FIFO in it and the directory itself.
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
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/num.h"
#include "lib/privdir.h"
#include "lib/prog.h"
#include "lib/sig.h"
#include "fifo/seq_protocol.h"

struct server {
    int rfd;                    /* read end of REQUESTS, O_NONBLOCK */
    int dfd;                    /* the directory, for openat */
    long ms;                    /* how long to wait for a client's reader */
    sigset_t waitmask;          /* the signal mask while waiting */
    unsigned long long next;    /* the next number to hand out */
};

static volatile sig_atomic_t stop_signal;   /* set by the handler */

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: fifo_server [-d dir] [-t ms]\n"
            "  -d dir  serve in dir (default: a new private directory)\n"
            "  -t ms   wait at most ms for a client's reply FIFO "
            "(default 2000)\n");
    exit(status);
}

static void make_fifo(const char *dir, char *fifo, size_t size)
{
    struct stat st;
    int fd;

    if ((size_t)snprintf(fifo, size, "%s/%s", dir, REQUESTS) >= size)
        errx(2, "%s: directory name too long", dir);
    if (lstat(fifo, &st) == 0) {
        if (!S_ISFIFO(st.st_mode))
            errx(1, "%s exists and is not a FIFO", fifo);
        if ((fd = open(fifo, O_WRONLY | O_NONBLOCK)) != -1) {
            (void)close(fd);
            errx(1, "a server is already listening on %s", fifo);
        }
        if (errno != ENXIO)
            err(1, "open %s", fifo);
        if (unlink(fifo) == -1)         /* nobody reads it: a dead server's */
            err(1, "unlink %s", fifo);
    }
    if (mkfifo(fifo, 0600) == -1)
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

static long ms_since(const struct timespec *t0)
{
    struct timespec now;

    if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
        err(1, "clock_gettime");
    return (long)(now.tv_sec - t0->tv_sec) * 1000
           + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static int open_reply(const struct server *s, const char *name)
{
    struct timespec start, nap = { 0, 1000000 };        /* 1 ms */
    struct stat st;
    int fd;

    if (clock_gettime(CLOCK_MONOTONIC, &start) == -1)
        err(1, "clock_gettime");
    while ((fd = openat(s->dfd, name,
                        O_WRONLY | O_NONBLOCK | O_NOFOLLOW)) == -1) {
        if (errno != ENXIO) {
            warn("open %s", name);
            return -1;
        }
        if (ms_since(&start) >= s->ms) {
            warnx("%s: no reader after %ld ms; reply dropped", name, s->ms);
            return -1;
        }
        if (pselect(0, NULL, NULL, NULL, &nap, &s->waitmask) == -1
            && errno != EINTR)
            err(1, "pselect");
        if (stop_signal)
            return -1;                  /* the client will time out */
        if (nap.tv_nsec < 64000000)
            nap.tv_nsec *= 2;
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
    len = snprintf(reply, sizeof reply, "%llu\n", s->next);
    if (write(fd, reply, (size_t)len) == -1)
        warn("write %s", name);         /* EPIPE: the client left */
    else
        s->next += count;
    if (close(fd) == -1)                /* the client's read sees EOF */
        warn("close %s", name);
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
        len += (size_t)n;
        char *line = buf, *nl;
        while ((nl = memchr(line, '\n', (size_t)(buf + len - line))) != NULL) {
            *nl = '\0';
            if (skipping)
                skipping = 0;           /* that was the end of the long one */
            else
                answer(s, line);
            line = nl + 1;
        }
        len = (size_t)(buf + len - line);
        memmove(buf, line, len);
        if (len == sizeof buf) {
            if (!skipping)
                warnx("rejected a request longer than %d bytes", REQUEST_MAX);
            skipping = 1;
            len = 0;
        }
    }
}

static void sweep(const char *dir)
{
    DIR *d;
    struct dirent *e;
    struct stat st;

    if ((d = opendir(dir)) == NULL) {
        warn("opendir %s", dir);
        return;
    }
    while ((e = readdir(d)) != NULL) {
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0
            && S_ISFIFO(st.st_mode)
            && unlinkat(dirfd(d), e->d_name, 0) == -1)
            warn("unlink %s/%s", dir, e->d_name);
    }
    if (closedir(d) == -1)
        warn("closedir %s", dir);
}

int main(int argc, char *argv[])
{
    struct server s = { .rfd = -1, .dfd = -1, .ms = 2000, .next = 0 };
    char dir[PATH_MAX], fifo[PATH_MAX];
    const char *userdir = NULL;
    int opt, wfd;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "d:ht:")) != -1) {
        switch (opt) {
        case 'd': userdir = optarg; break;
        case 't': s.ms = parse_long(optarg, 0, 600000, "timeout"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind != argc)
        usage(2);
    if (userdir != NULL) {
        check_private_dir(userdir);
        if ((size_t)snprintf(dir, sizeof dir, "%s", userdir) >= sizeof dir)
            errx(2, "%s: directory name too long", userdir);
    } else {
        private_dir(dir, sizeof dir, "fifo_server");
    }
    make_fifo(dir, fifo, sizeof fifo);
    if ((s.dfd = open(dir, O_RDONLY | O_DIRECTORY)) == -1)
        err(1, "open %s", dir);
    if ((s.rfd = open(fifo, O_RDONLY | O_NONBLOCK)) == -1)
        err(1, "open %s", fifo);
    if ((wfd = open(fifo, O_WRONLY)) == -1) /* the dummy writer: no EOF */
        err(1, "open %s", fifo);
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)    /* a vanished client: EPIPE */
        err(1, "signal");
    catch_stop_signals(&s.waitmask);
    printf("%s\n", dir);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    serve(&s);
    if (userdir == NULL)
        sweep(dir);
    if (close(wfd) == -1)                   /* the dummy writer: no more use */
        warn("close %s", fifo);
    if (close(s.rfd) == -1)                 /* no more requests */
        warn("close %s", fifo);
    if (close(s.dfd) == -1)
        warn("close %s", dir);
    cleanup_run();
    {
        sigset_t only;
        sigemptyset(&only);
        sigaddset(&only, stop_signal);
        signal(stop_signal, SIG_DFL);
        raise(stop_signal);
        sigprocmask(SIG_UNBLOCK, &only, NULL);  /* dies here */
    }
    return 1;
}

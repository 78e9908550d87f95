/*
 * sock_bind - bind UNIX sockets to names and show what the kernel says
 *
 * usage: sock_bind [-klnrT] [-t stream|dgram|seqpacket] name...
 *
 * For each name (a path, or @name for an abstract name), makes a socket,
 * binds it, prints the address getsockname returns and its length, closes
 * the socket and says whether a socket file is left at the path.  Files
 * made are removed at exit unless -k.  -T takes over a stale socket file
 * (unix_bind); -r fills sun_path with the name's bytes and no NUL, as
 * Linux allows (a name of exactly 108 bytes shows the effect); -n leaves
 * the socket open until the end, so that later names meet a live socket,
 * and -l makes it listen as well (not for dgram).
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/prog.h"
#include "lib/unaddr.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: sock_bind [-klnrT] [-t stream|dgram|seqpacket] name...\n"
            "  -k  keep the socket files (default: remove them at exit)\n"
            "  -l  listen (with -n, for stream and seqpacket)\n"
            "  -n  keep each socket open until the end\n"
            "  -r  raw: sun_path without a terminating NUL\n"
            "  -T  take over a stale socket file (unix_bind)\n"
            "  -t  socket type (default stream)\n");
    exit(status);
}

static int socket_type(const char *s)
{
    if (strcmp(s, "stream") == 0)
        return SOCK_STREAM;
    if (strcmp(s, "dgram") == 0)
        return SOCK_DGRAM;
    if (strcmp(s, "seqpacket") == 0)
        return SOCK_SEQPACKET;
    errx(2, "type: '%s' is not stream, dgram or seqpacket", s);
}

enum { RAW = 1, TAKEOVER = 2 };

static int bind_name(int fd, const char *name, int how)
{
    union { struct sockaddr_un un; char nul[sizeof(struct sockaddr_un) + 1]; }
        a;
    size_t n = strlen(name);

    if (how & TAKEOVER)
        return unix_bind(fd, name);
    if (!(how & RAW)) {
        socklen_t len = unix_addr(&a.un, name);
        return len == 0 ? -1 : bind(fd, (struct sockaddr *)&a.un, len);
    }
    if (n > sizeof a.un.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memset(&a, 0, sizeof a);            /* a NUL after sun_path, too */
    a.un.sun_family = AF_UNIX;
    memcpy(a.un.sun_path, name, n);     /* no room kept for a NUL */
    return bind(fd, (struct sockaddr *)&a.un,
                (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n));
}

static int bind_and_report(const char *name, int type, int how, int keep,
                           int hold, int lsn)
{
    union { struct sockaddr_un un; char room[256]; } a;
    socklen_t len = sizeof a;
    char text[512];
    struct stat st;
    int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

    if (fd == -1)
        err(1, "socket");
    if (bind_name(fd, name, how) == -1) {
        warn("bind %s", name);
        (void)close(fd);
        return -1;
    }
    if (name[0] != '@' && !keep)
        cleanup_push(unlink, name);
    if (getsockname(fd, (struct sockaddr *)&a, &len) == -1)
        err(1, "getsockname");
    printf("%s: bound; getsockname: %s, length %u%s\n", name,
           unix_addr_str(&a.un, len, text, sizeof text), (unsigned)len,
           len > sizeof a.un ? " (more than sockaddr_un, no NUL)" : "");
    if (lsn && type != SOCK_DGRAM && listen(fd, 1) == -1)
        err(1, "listen");
    if (!hold && close(fd) == -1)
        err(1, "close");
    if (name[0] != '@' && lstat(name, &st) == 0)
        printf("%s: after close: %s\n", name, hold ? "(still open)"
               : S_ISSOCK(st.st_mode) ? "the socket file is still there"
               : "something else is there");
    return 0;
}

int main(int argc, char *argv[])
{
    int c, type = SOCK_STREAM, how = 0, keep = 0, hold = 0, lsn = 0;
    int status = 0;

    prog_name(argv);
    while ((c = getopt(argc, argv, "hklnrTt:")) != -1) {
        switch (c) {
        case 'h': usage(0); break;
        case 'k': keep = 1; break;
        case 'l': lsn = 1; break;
        case 'n': hold = 1; break;
        case 'r': how |= RAW; break;
        case 'T': how |= TAKEOVER; break;
        case 't': type = socket_type(optarg); break;
        default: usage(2);
        }
    }
    if (optind == argc)
        usage(2);
    for (int i = optind; i < argc; i++)
        if (bind_and_report(argv[i], type, how, keep, hold, lsn) == -1)
            status = 1;
    if (fflush(stdout) == EOF)
        err(1, "stdout");
    return status;
}

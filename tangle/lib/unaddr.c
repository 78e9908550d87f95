/* unaddr.c: UNIX domain socket addresses (see unaddr.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/unaddr.h"

socklen_t unix_addr(struct sockaddr_un *sa, const char *name)
{
    size_t len = strlen(name);
    int abstract = name[0] == '@';

    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    if (len == 0 || (abstract && len == 1)) {
        errno = EINVAL;
        return 0;
    }
    if (len >= sizeof sa->sun_path) {   /* no room for a NUL after it */
        errno = ENAMETOOLONG;
        return 0;
    }
    if (abstract) {                     /* "\0name", no terminator */
        memcpy(sa->sun_path + 1, name + 1, len - 1);
        return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    }
    memcpy(sa->sun_path, name, len);    /* the NUL is already there */
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
}

const char *unix_addr_str(const struct sockaddr_un *sa, socklen_t len,
                          char *buf, size_t size)
{
    size_t off = offsetof(struct sockaddr_un, sun_path);
    size_t n = len > sizeof *sa ? sizeof sa->sun_path
               : len > off ? len - off : 0;
    size_t used = 0;

    if (size == 0)
        return buf;
    if (n == 0 || (sa->sun_path[0] == '\0' && n == 1)) {
        snprintf(buf, size, "(unnamed)");
        return buf;
    }
    if (sa->sun_path[0] != '\0') {      /* a path: up to a NUL, if any */
        n = strnlen(sa->sun_path, n);
        snprintf(buf, size, "%.*s", (int)n, sa->sun_path);
        return buf;
    }
    buf[used++] = '@';                  /* abstract: every byte counts */
    for (size_t i = 1; i < n && used + 1 < size; i++) {
        unsigned char c = (unsigned char)sa->sun_path[i];
        int w = isprint(c) && c != '\\'
                ? snprintf(buf + used, size - used, "%c", c)
                : snprintf(buf + used, size - used, "\\x%02x", c);
        if (w < 0 || (size_t)w >= size - used)
            break;                      /* no room for all of it */
        used += (size_t)w;
    }
    buf[used < size ? used : size - 1] = '\0';
    return buf;
}

/* 1 if a socket of fd's type answers at sa, 0 if nobody is bound to it,
 * -1 with errno set if we cannot tell. */
static int unix_live(int fd, const struct sockaddr_un *sa, socklen_t len)
{
    int type, probe, r, e;
    socklen_t tlen = sizeof type;

    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == -1)
        return -1;
    probe = socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (probe == -1)
        return -1;
    r = connect(probe, (const struct sockaddr *)sa, len);
    e = errno;
    (void)close(probe);
    if (r == 0 || e == EAGAIN || e == EINPROGRESS || e == EPROTOTYPE)
        return 1;                       /* someone is there */
    if (e == ECONNREFUSED)
        return 0;                       /* a name with nobody behind it */
    errno = e;
    return -1;
}

int unix_bind(int fd, const char *name)
{
    struct sockaddr_un sa;
    struct stat before, after;
    socklen_t len = unix_addr(&sa, name);
    int live;

    if (len == 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&sa, len) == 0)
        return 0;
    if (errno != EADDRINUSE || name[0] == '@')
        return -1;
    if (lstat(name, &before) == -1)
        return -1;
    if (!S_ISSOCK(before.st_mode) || before.st_uid != geteuid()) {
        errno = EEXIST;                 /* not ours to remove */
        return -1;
    }
    if ((live = unix_live(fd, &sa, len)) != 0) {
        if (live == 1)
            errno = EADDRINUSE;
        return -1;
    }
    if (lstat(name, &after) == -1)
        return -1;
    if (after.st_dev != before.st_dev || after.st_ino != before.st_ino) {
        errno = EADDRINUSE;             /* replaced while we looked */
        return -1;
    }
    if (unlink(name) == -1)
        return -1;
    return bind(fd, (struct sockaddr *)&sa, len);
}

/* io.c: reads and writes that survive EINTR and short counts (see io.h). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <unistd.h>
#include "lib/io.h"

ssize_t read_full(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n == 0)
            break;                      /* end of file */
        if (n == -1) {
            if (errno == EINTR)
                continue;               /* a handler ran; nothing was read */
            return -1;
        }
        got += (size_t)n;
    }
    return (ssize_t)got;
}
ssize_t write_full(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    size_t put = 0;

    while (put < len) {
        ssize_t n = write(fd, p + put, len - put);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        put += (size_t)n;               /* a short write: send the rest */
    }
    return (ssize_t)put;
}

/* io.h: reads and writes that survive EINTR and short counts.
 * For blocking descriptors; lengths must not exceed SSIZE_MAX. */
#ifndef IO_H
#define IO_H
#include <sys/types.h>

/* Read exactly len bytes unless end of file comes first.  Returns the
 * number read (less than len only at end of file), or -1 with errno set. */
ssize_t read_full(int fd, void *buf, size_t len);

/* Write all len bytes.  Returns len, or -1 with errno set. */
ssize_t write_full(int fd, const void *buf, size_t len);

#endif

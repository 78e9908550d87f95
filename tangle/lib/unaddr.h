/* unaddr.h: UNIX domain socket addresses from names, and back. */
#ifndef UNADDR_H
#define UNADDR_H
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Fill *sa from name: a path, or "@name" for a Linux abstract name.
 * Return the length to pass to bind/connect/sendto, or 0 with errno
 * set: ENAMETOOLONG if it does not fit in sun_path, EINVAL if empty. */
socklen_t unix_addr(struct sockaddr_un *sa, const char *name);
/* Describe an address as the kernel returned it (accept, recvfrom,
 * getsockname, getpeername): the path, "@name" for an abstract one,
 * or "(unnamed)"; into buf of size bytes, which is returned. */
const char *unix_addr_str(const struct sockaddr_un *sa, socklen_t len,
                          char *buf, size_t size);
/* Bind fd to name, as unix_addr reads it.  A path held by a socket file
 * of ours that nobody is bound to (left by a process that died) is
 * replaced; a live socket is never touched, nor is anything else (a
 * symbolic link, a file, another user's socket).  Return 0, or -1 with
 * errno set: EADDRINUSE if a live socket has the name, EEXIST if
 * something else does, or the error of unix_addr, bind, lstat, unlink. */
int unix_bind(int fd, const char *name);

#endif

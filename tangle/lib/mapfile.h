/* mapfile.h: map a whole file or shared memory object, its size checked,
 * and turn a fault in the mapping into a clear error. */
#ifndef MAPFILE_H
#define MAPFILE_H
#include <stddef.h>

struct mapped {
    unsigned char *addr;        /* where the object is mapped */
    size_t len;                 /* its size, when it was mapped */
    const char *name;           /* its path or name, for messages */
};

/* Map all of fd, with prot and MAP_SHARED, into m (set m->name first).
 * fd must be a regular file or shared memory object of min (at least 1)
 * to max bytes; anything else is refused with a message naming m->name,
 * and exit status 1, as is a failed call. */
void map_whole(int fd, int prot, size_t min, size_t max, struct mapped *m);
/* Unmap it (exit 1 if munmap fails). */
void map_release(struct mapped *m);
/* Until map_unguard: a SIGBUS or SIGSEGV inside m prints where and why,
 * runs cleanup_run (lib/cleanup.h) and exits with status 1.  A fault
 * elsewhere kills the process as before.  One mapping at a time. */
void map_guard(const struct mapped *m);
void map_unguard(void);

#endif

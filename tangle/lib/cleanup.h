/* cleanup.h: remove named IPC objects at exit and on SIGINT, SIGTERM and
 * SIGHUP.  Register each name right after creating it; the removers run
 * last-registered first.  A remover is called from a signal handler, so it
 * must be async-signal-safe: unlink and rmdir are; wrap others with care. */
#ifndef CLEANUP_H
#define CLEANUP_H

typedef int cleanup_fn(const char *name);

/* Call fn(name) when this process exits or is killed by INT, TERM, HUP. */
void cleanup_push(cleanup_fn *fn, const char *name);
/* Run (and forget) every registered remover now. */
void cleanup_run(void);

#endif

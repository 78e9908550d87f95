/* sig.h: install signal handlers one way, and bound a blocking call.
 * Each function exits with status 1 if the system refuses. */
#ifndef SIG_H
#define SIG_H
#include <stddef.h>

typedef void sig_handler(int sig);

/* Run handler on sig.  flags: 0, so that sig interrupts a blocking call
 * (it fails with EINTR), or SA_RESTART, so that the call resumes. */
void sig_catch(int sig, sig_handler *handler, int flags);
/* Run handler on each of the n signals of sigs, with all of them blocked
 * while it runs; a signal ignored when the program started (nohup's
 * SIGHUP) stays ignored. */
void sig_catch_unless_ignored(const int *sigs, size_t n, sig_handler *handler);

/* SIGALRM every ms milliseconds from now on; 0 stops it. */
void alarm_every(long ms);
/* Bound the blocking calls that follow: from now until timeout_stop, a
 * call waiting ms milliseconds or more fails with EINTR, and
 * timeout_expired says whether ms milliseconds have passed. */
void timeout_start(long ms);
void timeout_stop(void);
int timeout_expired(void);

#endif

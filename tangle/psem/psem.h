/* psem.h: a bounded wait for a POSIX semaphore (chapter 11). */
#ifndef PSEM_H
#define PSEM_H
#include <errno.h>
#include <semaphore.h>
#include <time.h>

/* Take sem, waiting at most ms milliseconds (CLOCK_MONOTONIC).  Returns
 * 0, or -1 with errno: ETIMEDOUT when the time ran out, or another
 * error.  A caught signal does not shorten the wait. */
static inline int psem_take(sem_t *sem, long ms)
{
    struct timespec t;

    if (sem_trywait(sem) == 0)
        return 0;                       /* free: no system call */
    if (errno != EAGAIN || clock_gettime(CLOCK_MONOTONIC, &t) == -1)
        return -1;
    t.tv_sec += ms / 1000;
    t.tv_nsec += ms % 1000 * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec += 1;
        t.tv_nsec -= 1000000000L;
    }
    while (sem_clockwait(sem, CLOCK_MONOTONIC, &t) == -1)
        if (errno != EINTR)
            return -1;
    return 0;
}

#endif

/* sig.c: signal handlers and bounded waits (see sig.h). */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include "lib/sig.h"

void sig_catch(int sig, sig_handler *handler, int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = flags;
    if (sigaction(sig, &sa, NULL) == -1)
        err(1, "sigaction %d", sig);
}

void sig_catch_unless_ignored(const int *sigs, size_t n, sig_handler *handler)
{
    struct sigaction sa, old;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < n; i++)
        sigaddset(&sa.sa_mask, sigs[i]);
    for (size_t i = 0; i < n; i++) {
        if (sigaction(sigs[i], NULL, &old) == -1)
            err(1, "sigaction %d", sigs[i]);
        if (old.sa_handler == SIG_IGN)
            continue;
        if (sigaction(sigs[i], &sa, NULL) == -1)
            err(1, "sigaction %d", sigs[i]);
    }
}
void alarm_every(long ms)
{
    struct itimerval it;

    it.it_value.tv_sec = ms / 1000;
    it.it_value.tv_usec = ms % 1000 * 1000;
    it.it_interval = it.it_value;
    if (setitimer(ITIMER_REAL, &it, NULL) == -1)
        err(1, "setitimer");
}
static volatile sig_atomic_t expired;

static void on_timeout(int sig)
{
    (void)sig;
    expired = 1;
}

void timeout_start(long ms)
{
    expired = 0;
    sig_catch(SIGALRM, on_timeout, 0);  /* no SA_RESTART: calls fail EINTR */
    alarm_every(ms);
}

void timeout_stop(void)
{
    alarm_every(0);
}

int timeout_expired(void)
{
    return expired;
}

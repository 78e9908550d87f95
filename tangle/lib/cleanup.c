/* cleanup.c: remove named IPC objects at exit and on signals.
 * See cleanup.h. */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/sig.h"

enum { CLEANUP_MAX = 32 };
struct cleanup {
    cleanup_fn *fn;
    pid_t owner;
    char name[PATH_MAX];
};
static struct cleanup table[CLEANUP_MAX];
static volatile sig_atomic_t count;
static const int fatal_signals[] = { SIGINT, SIGTERM, SIGHUP };
enum { NFATAL = sizeof fatal_signals / sizeof fatal_signals[0] };
void cleanup_run(void)
{
    sigset_t block, old;
    pid_t me = getpid();
    int saved_errno = errno;

    sigemptyset(&block);
    for (size_t i = 0; i < NFATAL; i++)
        sigaddset(&block, fatal_signals[i]);
    sigprocmask(SIG_BLOCK, &block, &old);
    while (count > 0) {
        struct cleanup *c = &table[count - 1];
        count = count - 1;
        if (c->owner == me)
            (void)c->fn(c->name);       /* already gone is fine */
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    errno = saved_errno;
}

static void cleanup_at_exit(void)
{
    cleanup_run();
}
static void cleanup_on_signal(int sig)
{
    cleanup_run();
    signal(sig, SIG_DFL);
    raise(sig);                         /* delivered when we return */
}
static void install_handlers(void)
{
    if (atexit(cleanup_at_exit) != 0)
        errx(1, "atexit: cannot register the cleanup");
    sig_catch_unless_ignored(fatal_signals, NFATAL, cleanup_on_signal);
}

void cleanup_push(cleanup_fn *fn, const char *name)
{
    static int installed;
    struct cleanup *c;

    if (!installed) {
        install_handlers();
        installed = 1;
    }
    if (count == CLEANUP_MAX)
        errx(1, "cleanup: more than %d names to remove", CLEANUP_MAX);
    if (strlen(name) >= sizeof table[0].name)
        errx(1, "cleanup: name too long: %s", name);
    c = &table[count];
    c->fn = fn;
    c->owner = getpid();
    strcpy(c->name, name);
    atomic_signal_fence(memory_order_seq_cst);  /* the entry, then count */
    count = count + 1;                  /* publish the finished entry */
}

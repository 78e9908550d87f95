/* mapfile.c: whole mappings, their sizes checked and their faults
 * reported (see mapfile.h).  Uses program_invocation_short_name, a GNU
 * extension: the name err(3) prints. */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/cleanup.h"
#include "lib/mapfile.h"

void map_whole(int fd, int prot, size_t min, size_t max, struct mapped *m)
{
    struct stat st;
    void *p;

    if (fstat(fd, &st) == -1)
        err(1, "%s: fstat", m->name);
    if (!S_ISREG(st.st_mode))
        errx(1, "%s: not a regular file", m->name);
    if (st.st_size == 0)
        errx(1, "%s: the file is empty", m->name);
    if ((unsigned long long)st.st_size < min)
        errx(1, "%s: %lld bytes, too short (at least %zu)", m->name,
             (long long)st.st_size, min);
    if ((unsigned long long)st.st_size > max)
        errx(1, "%s: %lld bytes, too long (at most %zu)", m->name,
             (long long)st.st_size, max);
    if ((p = mmap(NULL, (size_t)st.st_size, prot, MAP_SHARED, fd, 0))
        == MAP_FAILED)
        err(1, "%s: mmap", m->name);
    m->addr = p;
    m->len = (size_t)st.st_size;
}

void map_release(struct mapped *m)
{
    if (munmap(m->addr, m->len) == -1)
        err(1, "%s: munmap", m->name);
    m->addr = NULL;
    m->len = 0;
}
static unsigned char *volatile guard_addr;
static volatile size_t guard_len;
static const char *volatile guard_name;
static volatile sig_atomic_t guarded;
static struct sigaction old_segv, old_bus;
static void say(const char *s)
{
    ssize_t n = write(STDERR_FILENO, s, strlen(s));

    (void)n;                            /* nothing to do if it fails */
}

static void say_number(size_t n)
{
    char buf[24], *p = buf + sizeof buf;

    *--p = '\0';
    do
        *--p = (char)('0' + n % 10);
    while ((n /= 10) != 0);
    say(p);
}
static void on_map_fault(int sig, siginfo_t *si, void *context)
{
    unsigned char *a = si->si_addr;

    (void)context;
    if (si->si_code <= 0 || !guarded || a < guard_addr
        || a >= guard_addr + guard_len) {
        signal(sig, SIG_DFL);
        if (si->si_code <= 0)
            raise(sig);
        return;
    }
    say(program_invocation_short_name);
    say(": ");
    say(guard_name);
    say(sig == SIGBUS ? ": SIGBUS at offset " : ": SIGSEGV at offset ");
    say_number((size_t)(a - guard_addr));
    say(" of ");
    say_number(guard_len);
    say(sig == SIGBUS ? ": truncated, or its file system is full\n"
        : si->si_code == SEGV_ACCERR ? ": access not allowed\n"
        : ": no longer mapped\n");
    cleanup_run();
    _exit(1);
}
void map_guard(const struct mapped *m)
{
    struct sigaction sa;

    guard_addr = m->addr;
    guard_len = m->len;
    guard_name = m->name;
    guarded = 1;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_map_fault;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, &old_bus) == -1
        || sigaction(SIGSEGV, &sa, &old_segv) == -1)
        err(1, "sigaction");
}

void map_unguard(void)
{
    guarded = 0;
    if (sigaction(SIGBUS, &old_bus, NULL) == -1
        || sigaction(SIGSEGV, &old_segv, NULL) == -1)
        err(1, "sigaction");
}

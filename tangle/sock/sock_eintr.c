/*
 * sock_eintr - is a blocked socket call restarted after a signal?
 *
 * usage: sock_eintr [-n signals] [-t ms] recv|send|accept|connect
 *
 * Blocks in the call while SIGALRM, caught with SA_RESTART, arrives every
 * 100 ms; at the n-th signal (default 3) the handler unblocks the call.
 * With -t, the socket has a timeout of ms (SO_RCVTIMEO or SO_SNDTIMEO,
 * long enough not to expire).  Prints how the call ended and after how
 * many signals.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/sig.h"

enum op { RECV, SEND, ACCEPT, CONNECT };
static const char *const op_names[] = { "recv", "send", "accept",
                                        "connect" };

static volatile sig_atomic_t signals;   /* how many have arrived */
static long release_at;                 /* the signal that unblocks */
static enum op op;
static int other;                       /* what the handler acts on */
static struct sockaddr_un addr;         /* the listener's, for connect */
static socklen_t addrlen;

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: sock_eintr [-n signals] [-t ms] "
            "recv|send|accept|connect\n");
    exit(status);
}

static void on_alarm(int sig)
{
    static char sink[1 << 16];
    int e = errno;

    (void)sig;
    signals = signals + 1;
    if (signals == release_at) {
        if (op == RECV)
            (void)send(other, "x", 1, MSG_NOSIGNAL);
        else if (op == SEND)
            while (recv(other, sink, sizeof sink, MSG_DONTWAIT) > 0)
                continue;
        else if (op == ACCEPT)
            (void)connect(other, (struct sockaddr *)&addr, addrlen);
        else
            (void)accept(other, NULL, NULL);
    }
    if (signals > release_at + 50) {
        static const char msg[] = "sock_eintr: the call never returned\n";
        (void)write(STDERR_FILENO, msg, sizeof msg - 1);
        _exit(1);
    }
    errno = e;
}

static int listener(void)
{
    struct sockaddr_un none = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd == -1)
        err(1, "socket");
    addrlen = sizeof addr;
    if (bind(fd, (struct sockaddr *)&none, sizeof(sa_family_t)) == -1
        || listen(fd, 0) == -1
        || getsockname(fd, (struct sockaddr *)&addr, &addrlen) == -1)
        err(1, "autobind and listen");
    return fd;
}

/* Return the socket to block on; set other for the handler. */
static int setup(char *buf, size_t size)
{
    int sv[2], fd, first;

    if (op == ACCEPT || op == CONNECT) {
        int lfd = listener();
        if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
            err(1, "socket");
        if (op == ACCEPT) {
            other = fd;
            return lfd;
        }
        if ((first = socket(AF_UNIX, SOCK_STREAM, 0)) == -1
            || connect(first, (struct sockaddr *)&addr, addrlen) == -1)
            err(1, "connect the first client");
        other = lfd;
        return fd;
    }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
        err(1, "socketpair");
    other = sv[1];
    if (op == SEND)                     /* fill it: send must block */
        while (send(sv[0], buf, size, MSG_DONTWAIT) > 0)
            continue;
    return sv[0];
}

int main(int argc, char *argv[])
{
    static char buf[4096];
    struct timeval tv = { 0, 0 };
    long ms = 0;
    int c, fd, r;

    prog_name(argv);
    release_at = 3;
    while ((c = getopt(argc, argv, "hn:t:")) != -1) {
        switch (c) {
        case 'h': usage(0); break;
        case 'n': release_at = parse_long(optarg, 1, 100, "signals"); break;
        case 't': ms = parse_long(optarg, 1, 3600000, "timeout"); break;
        default: usage(2);
        }
    }
    if (optind + 1 != argc)
        usage(2);
    for (op = RECV; strcmp(argv[optind], op_names[op]) != 0; op++)
        if (op == CONNECT)
            errx(2, "call: '%s' is not recv, send, accept or connect",
                 argv[optind]);
    fd = setup(buf, sizeof buf);
    tv.tv_sec = ms / 1000;
    tv.tv_usec = ms % 1000 * 1000;
    if (ms && setsockopt(fd, SOL_SOCKET, op == RECV || op == ACCEPT
                         ? SO_RCVTIMEO : SO_SNDTIMEO, &tv, sizeof tv) == -1)
        err(1, "setsockopt");
    sig_catch(SIGALRM, on_alarm, SA_RESTART);
    alarm_every(100);
    switch (op) {
    case RECV: r = (int)recv(fd, buf, 1, 0); break;
    case SEND: r = (int)send(fd, buf, sizeof buf, MSG_NOSIGNAL); break;
    case ACCEPT: r = accept(fd, NULL, NULL); break;
    default: r = connect(fd, (struct sockaddr *)&addr, addrlen); break;
    }
    alarm_every(0);
    if (r == -1)
        printf("%s: %s after %d signal(s)\n", op_names[op], strerror(errno),
               (int)signals);
    else
        printf("%s: returned after %d signal(s)\n", op_names[op],
               (int)signals);
    return fclose(stdout) == EOF;
}

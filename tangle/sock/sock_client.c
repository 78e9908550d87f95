/*
 * sock_client - send requests to sock_server and print its replies
 *
 * usage: sock_client [-q] [-t ms] [-n count [-i id]] socket [request...]
 *
 * Connects to socket (a path, or @name for an abstract name) and sends
 * each request, or with none each line of standard input, printing each
 * reply on a line of its own; then shuts down its sending half and waits
 * for the server to close.  -n sends count generated requests instead,
 * each carrying id (default the PID), its sequence number and a checksum,
 * checks every reply and prints one line.  -q speaks SOCK_SEQPACKET.
 * Every wait is bounded by ms milliseconds (default 5000).  Exits 1 if
 * the server refuses a request or anything fails.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "lib/io.h"
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/unaddr.h"
#include "sock/upper.h"

struct conn {
    int fd;
    int stream;                 /* SOCK_STREAM, or SOCK_SEQPACKET */
    long ms;                    /* the bound on every wait */
    unsigned char *buf;         /* the last reply */
    size_t size;
};

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: sock_client [-q] [-t ms] [-n count [-i id]] socket "
            "[request...]\n"
            "  -q        SOCK_SEQPACKET (default SOCK_STREAM)\n"
            "  -t ms     wait at most ms for anything (default 5000)\n"
            "  -n count  send count checked requests (a load test)\n"
            "  -i id     the id those requests carry (default our PID)\n");
    exit(status);
}

static void connect_to(struct conn *k, const char *name)
{
    struct sockaddr_un sa;
    struct timeval tv = { .tv_sec = k->ms / 1000,
                          .tv_usec = k->ms % 1000 * 1000 };
    socklen_t len = unix_addr(&sa, name);

    if (len == 0)
        err(2, "%s", name);
    k->fd = socket(AF_UNIX, (k->stream ? SOCK_STREAM : SOCK_SEQPACKET)
                   | SOCK_CLOEXEC, 0);
    if (k->fd == -1)
        err(1, "socket");
    if (setsockopt(k->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == -1
        || setsockopt(k->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == -1)
        err(1, "setsockopt");
    if (connect(k->fd, (struct sockaddr *)&sa, len) == -1)
        err(1, "connect %s", name);
}

static void fail(const struct conn *k, const char *what)
{
    if (errno == EAGAIN)
        errx(1, "%s: the server did not answer within %ld ms", what,
             k->ms);
    if (errno == EPIPE || errno == ECONNRESET)
        errx(1, "%s: the server closed the connection", what);
    err(1, "%s", what);
}

static size_t recv_reply(struct conn *k, size_t reqlen);

static void send_failed(struct conn *k, const char *what)
{
    if (errno == EPIPE || errno == ECONNRESET)
        (void)recv_reply(k, 0);         /* the server may have said why */
    fail(k, what);
}

static void send_request(struct conn *k, const char *req, size_t n)
{
    unsigned char len[UPPER_HEADER];

    if (!k->stream) {
        if (n == 0)
            errx(1, "an empty request cannot go over SOCK_SEQPACKET");
        if (send(k->fd, req, n, MSG_NOSIGNAL) == -1)
            send_failed(k, "send");
        return;
    }
    if (n > UINT32_MAX)
        errx(1, "a request of %zu bytes is too long for the protocol", n);
    upper_put_len(len, (uint32_t)n);
    if (write_full(k->fd, len, sizeof len) == -1
        || write_full(k->fd, req, n) == -1)
        send_failed(k, "write");
}

static size_t recv_reply(struct conn *k, size_t reqlen)
{
    unsigned char len[UPPER_HEADER];
    size_t need = (reqlen > UPPER_MSG ? reqlen : UPPER_MSG) + 2;
    ssize_t n;

    if (need > k->size) {
        free(k->buf);
        if ((k->buf = malloc(need)) == NULL)
            err(1, "malloc");
        k->size = need;
    }
    if (!k->stream) {
        n = recv(k->fd, k->buf, k->size - 1, 0);
    } else if ((n = read_full(k->fd, len, sizeof len)) == sizeof len) {
        if (upper_get_len(len) == 0 || upper_get_len(len) >= k->size)
            errx(1, "a reply of %lu bytes: not this protocol",
                 (unsigned long)upper_get_len(len));
        n = read_full(k->fd, k->buf, upper_get_len(len));
        if (n >= 0 && (size_t)n < upper_get_len(len))
            errx(1, "the server closed the connection within a reply");
    } else if (n > 0) {
        n = 0;                          /* end of file within the length */
    }
    if (n == -1)
        fail(k, "read");
    if (n == 0)
        errx(1, "the server closed the connection");
    if (k->buf[0] == UPPER_ERR)
        errx(1, "the server says: %.*s", (int)(n - 1), k->buf + 1);
    if (k->buf[0] != UPPER_OK)
        errx(1, "a reply that starts with neither O nor E");
    k->buf[n] = '\0';                   /* for sscanf; there is room */
    return (size_t)n - 1;
}

static uint32_t checksum(const char *s, size_t n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)tolower((unsigned char)s[i])) * 16777619u;
    return h;
}

static size_t make_request(char *req, size_t size, unsigned long id,
                           unsigned long seq)
{
    char body[128];
    size_t n = (id * 7 + seq) % sizeof body;
    int len;

    for (size_t i = 0; i < n; i++)
        body[i] = (char)('a' + (id * 31 + seq * 17 + i * 7) % 26);
    len = snprintf(req, size, "client %lu seq %lu sum %08lx %.*s", id, seq,
                   (unsigned long)checksum(body, n), (int)n, body);
    if (len < 0 || (size_t)len >= size)
        errx(1, "request buffer too small");
    return (size_t)len;
}

static void check_reply(const struct conn *k, size_t n, const char *req,
                        size_t reqlen, unsigned long id, unsigned long seq)
{
    const char *r = (const char *)k->buf + 1;
    unsigned long rid, rseq, rsum;
    int body;

    if (sscanf(r, "CLIENT %lu SEQ %lu SUM %lx %n", &rid, &rseq, &rsum,
               &body) != 3 || (size_t)body > n)
        errx(1, "client %lu: reply %lu is not a checked reply", id, seq);
    if (rid != id || rseq != seq)
        errx(1, "client %lu: reply %lu is client %lu's reply %lu",
             id, seq, rid, rseq);
    if (rsum != checksum(r + body, n - (size_t)body))
        errx(1, "client %lu: reply %lu: checksum mismatch", id, seq);
    for (size_t i = 0; i < n || i < reqlen; i++)
        if (i >= n || i >= reqlen
            || r[i] != toupper((unsigned char)req[i]))
            errx(1, "client %lu: reply %lu differs at byte %zu",
                 id, seq, i);
}

static void load_test(struct conn *k, unsigned long count, unsigned long id)
{
    char req[256];

    for (unsigned long seq = 0; seq < count; seq++) {
        size_t n = make_request(req, sizeof req, id, seq);
        send_request(k, req, n);
        check_reply(k, recv_reply(k, n), req, n, id, seq);
    }
    printf("client %lu: %lu round trips, every reply checked\n", id, count);
}

static void ask(struct conn *k, const char *req, size_t n)
{
    send_request(k, req, n);
    n = recv_reply(k, n);
    if (fwrite(k->buf + 1, 1, n, stdout) != n || putchar('\n') == EOF)
        err(1, "stdout");
}

static void ask_each_line(struct conn *k)
{
    char *line = NULL;
    size_t size = 0;
    ssize_t len;

    while ((len = getline(&line, &size, stdin)) != -1) {
        size_t n = (size_t)len;
        if (n > 0 && line[n - 1] == '\n')
            n--;
        ask(k, line, n);
    }
    if (ferror(stdin))
        err(1, "stdin");
    free(line);
}

static void finish(const struct conn *k)
{
    char c;
    ssize_t n;

    if (shutdown(k->fd, SHUT_WR) == -1)
        err(1, "shutdown");
    while ((n = read(k->fd, &c, 1)) == -1 && errno == EINTR)
        continue;
    if (n == -1)
        fail(k, "waiting for the server to close");
    if (n > 0)
        errx(1, "the server sent more than was asked for");
    if (close(k->fd) == -1)
        err(1, "close");
}

int main(int argc, char *argv[])
{
    struct conn k = { .stream = 1, .ms = 5000 };
    unsigned long count = 0, id = (unsigned long)getpid();
    int c;

    prog_name(argv);
    while ((c = getopt(argc, argv, "hi:n:qt:")) != -1) {
        switch (c) {
        case 'h': usage(0); break;
        case 'i': id = (unsigned long)parse_long(optarg, 0, 1000000, "id");
                  break;
        case 'n': count = (unsigned long)parse_long(optarg, 1, 10000000,
                                                     "count");
                  break;
        case 'q': k.stream = 0; break;
        case 't': k.ms = parse_long(optarg, 1, 3600000, "timeout"); break;
        default: usage(2);
        }
    }
    if (optind == argc || (count && optind + 1 != argc))
        usage(2);
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)  /* EPIPE, in our words */
        err(1, "signal");
    connect_to(&k, argv[optind]);
    if (count)
        load_test(&k, count, id);
    else if (optind + 1 == argc)
        ask_each_line(&k);
    else
        for (int i = optind + 1; i < argc; i++)
            ask(&k, argv[i], strlen(argv[i]));
    finish(&k);
    free(k.buf);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

/*
 * dgram_send - send datagrams to a UNIX datagram socket
 *
 * usage: dgram_send [-anv] [-f file]... [-s size] address [message...]
 *
 * Sends each message as one datagram to address (a path, or @name for an
 * abstract name); an empty message is a datagram of zero bytes.  -s then
 * sends one datagram of size bytes.  -f passes a read-only descriptor of
 * file (SCM_RIGHTS) with the first datagram; up to 8 -f, 8 descriptors.
 * The socket has no address unless -a binds it to one the kernel picks
 * (autobind).  -n does not wait when the receiver's queue is full: the
 * send fails with EAGAIN.  -v says on standard error when each datagram
 * has gone.
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/unaddr.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: dgram_send [-anv] [-f file]... [-s size] address "
            "[message...]\n"
            "  address  a socket's path, or @name for an abstract name\n"
            "  -a       autobind: send from an address the kernel picks\n"
            "  -f file  pass a descriptor of file with the first datagram\n"
            "           (up to 8 times)\n"
            "  -n       do not wait for room in the receiver's queue\n"
            "  -s size  send one more datagram of size bytes (suffix k, M)\n"
            "  -v       say when each datagram has gone\n");
    exit(status);
}

static void autobind(int fd)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };

    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa_family_t)) == -1)
        err(1, "bind (autobind)");
}

enum { FDS_MAX = 8 };

static void send_one(int fd, const struct sockaddr_un *to, socklen_t tolen,
                     const char *name, const void *data, size_t len,
                     int passfd[], int *nfds, int flags)
{
    union {                     /* room for the descriptors, aligned */
        struct cmsghdr align;
        char buf[CMSG_SPACE(FDS_MAX * sizeof(int))];
    } ctl;
    struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
    struct msghdr msg = {
        .msg_name = (void *)to, .msg_namelen = tolen,
        .msg_iov = &iov, .msg_iovlen = 1,
    };

    if (*nfds > 0) {
        struct cmsghdr *c;

        memset(&ctl, 0, sizeof ctl);
        msg.msg_control = ctl.buf;
        msg.msg_controllen = sizeof ctl.buf;
        c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN((size_t)*nfds * sizeof(int));
        memcpy(CMSG_DATA(c), passfd, (size_t)*nfds * sizeof(int));
        msg.msg_controllen = CMSG_SPACE((size_t)*nfds * sizeof(int));
    }
    while (sendmsg(fd, &msg, flags) == -1)
        if (errno != EINTR)
            err(1, "send to %s", name);
    for (; *nfds > 0; --*nfds)  /* they went with this datagram: ours go */
        if (close(passfd[*nfds - 1]) == -1)
            err(1, "close");
}

int main(int argc, char *argv[])
{
    struct sockaddr_un to;
    socklen_t tolen;
    size_t size = 0;
    int opt, fd, flags = 0, bound = 0, verbose = 0, sized = 0;
    int passfd[FDS_MAX], nfds = 0;
    char *big;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "af:hns:v")) != -1) {
        switch (opt) {
        case 'a': bound = 1; break;
        case 'f': if (nfds == FDS_MAX)
                      errx(2, "at most %d files", FDS_MAX);
                  if ((passfd[nfds] = open(optarg, O_RDONLY | O_CLOEXEC))
                      == -1)
                      err(1, "open %s", optarg);
                  nfds++;
                  break;
        case 'n': flags |= MSG_DONTWAIT; break;
        case 's': size = parse_size(optarg, 0, 64 << 20, "size");
                  sized = 1; break;
        case 'v': verbose = 1; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (argc - optind < 1 || (argc - optind == 1 && !sized))
        usage(2);
    if ((tolen = unix_addr(&to, argv[optind])) == 0)
        err(2, "address '%s'", argv[optind]);
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
        err(1, "socket");
    if (bound)
        autobind(fd);
    for (int i = optind + 1; i < argc; i++) {
        send_one(fd, &to, tolen, argv[optind], argv[i], strlen(argv[i]),
                 passfd, &nfds, flags);
        if (verbose)
            fprintf(stderr, "dgram_send: sent %zu bytes\n", strlen(argv[i]));
    }
    if (sized) {
        if ((big = malloc(size ? size : 1)) == NULL)
            err(1, "malloc");
        memset(big, 'x', size);
        send_one(fd, &to, tolen, argv[optind], big, size, passfd, &nfds, flags);
        if (verbose)
            fprintf(stderr, "dgram_send: sent %zu bytes\n", size);
        free(big);
    }
    if (close(fd) == -1)
        err(1, "close");
    return 0;
}

/*
 * pshm_ctl - create, inspect, read, write and remove POSIX shared memory
 *
 * usage: pshm_ctl [-m mode] [-s size] create NAME
 *        pshm_ctl -s size truncate NAME
 *        pshm_ctl stat NAME
 *        pshm_ctl [-r] write NAME TEXT
 *        pshm_ctl [-n len] read NAME
 *        pshm_ctl unlink NAME
 *
 * create makes NAME with O_CREAT|O_EXCL and mode (octal, default 600),
 * then gives it size bytes if -s is given.  truncate sets its size.
 * stat prints its size, mode, owner and whether the descriptor is
 * close-on-exec.  write stores TEXT at offset 0 through a shared
 * mapping, closing the descriptor before it stores (-r: open the object
 * read-only, which mmap then refuses).  read prints the object's bytes
 * through a mapping; -n maps len bytes whatever the object's size, and a
 * fault in them is reported.  unlink removes the name.
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/io.h"
#include "lib/mapfile.h"
#include "lib/num.h"
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: pshm_ctl [-m mode] [-s size] create NAME\n"
            "       pshm_ctl -s size truncate NAME\n"
            "       pshm_ctl stat NAME\n"
            "       pshm_ctl [-r] write NAME TEXT\n"
            "       pshm_ctl [-d] [-n len] read NAME\n"
            "       pshm_ctl unlink NAME\n"
            "  -d       read: write straight from the mapping, no copy\n"
            "  -m mode  permissions of a new object, octal (default 600)\n"
            "  -n len   read: map len bytes, whatever the object's size\n"
            "  -r       write: open the object read-only\n"
            "  -s size  bytes (suffixes k, M)\n");
    exit(status);
}
struct options {
    mode_t mode;
    size_t size, len;
    int sized, readonly, direct;
};

static mode_t parse_mode(const char *s)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 8);
    if (s[0] < '0' || s[0] > '7' || *end != '\0' || errno || v > 0777)
        errx(2, "mode: '%s' is not an octal mode from 0 to 777", s);
    return (mode_t)v;
}
static void cmd_create(const char *name, const struct options *o)
{
    int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, o->mode);

    if (fd == -1)
        err(1, "shm_open %s", name);
    if (o->sized && ftruncate(fd, (off_t)o->size) == -1)
        err(1, "ftruncate %s", name);
    if (close(fd) == -1)
        err(1, "close %s", name);
}
static void cmd_unlink(const char *name)
{
    if (shm_unlink(name) == -1)
        err(1, "shm_unlink %s", name);
}
static int open_object(const char *name, int flags)
{
    int fd = shm_open(name, flags, 0);

    if (fd == -1)
        err(1, "shm_open %s", name);
    return fd;
}

static void cmd_truncate(const char *name, const struct options *o)
{
    int fd = open_object(name, O_RDWR);

    if (ftruncate(fd, (off_t)o->size) == -1)
        err(1, "ftruncate %s", name);
    if (close(fd) == -1)
        err(1, "close %s", name);
}
static void cmd_read(const char *name, const struct options *o)
{
    struct mapped m = { NULL, 0, name };
    int fd = open_object(name, O_RDONLY);
    unsigned char buf[4096];
    void *p;

    if (o->len == 0) {
        map_whole(fd, PROT_READ, 1, (size_t)1 << 30, &m);
    } else {
        if ((p = mmap(NULL, o->len, PROT_READ, MAP_SHARED, fd, 0))
            == MAP_FAILED)
            err(1, "%s: mmap", name);
        m.addr = p;
        m.len = o->len;
    }
    map_guard(&m);
    if (o->direct && write_full(STDOUT_FILENO, m.addr, m.len) == -1)
        err(1, "%s: write from the mapping", name);
    for (size_t off = 0; !o->direct && off < m.len; off += sizeof buf) {
        size_t n = m.len - off < sizeof buf ? m.len - off : sizeof buf;

        memcpy(buf, m.addr + off, n);   /* a fault here is ours */
        if (write_full(STDOUT_FILENO, buf, n) == -1)
            err(1, "write");
    }
    map_unguard();
    map_release(&m);
    if (close(fd) == -1)
        err(1, "close %s", name);
}
static void cmd_write(const char *name, const char *text,
                      const struct options *o)
{
    struct mapped m = { NULL, 0, name };
    size_t len = strlen(text);
    int fd = open_object(name, o->readonly ? O_RDONLY : O_RDWR);

    map_whole(fd, PROT_READ | PROT_WRITE, len > 0 ? len : 1,
              (size_t)1 << 30, &m);
    if (close(fd) == -1)                /* the mapping does not need it */
        err(1, "close %s", name);
    map_guard(&m);
    memcpy(m.addr, text, len);
    map_unguard();
    map_release(&m);
}
static void cmd_stat(const char *name)
{
    struct stat st;
    int fd = open_object(name, O_RDONLY), flags;

    if (fstat(fd, &st) == -1)
        err(1, "fstat %s", name);
    if ((flags = fcntl(fd, F_GETFD)) == -1)
        err(1, "fcntl %s", name);
    printf("size: %lld\nmode: %03o\nowner: %ld\ngroup: %ld\n"
           "close-on-exec: %s\n", (long long)st.st_size,
           (unsigned)(st.st_mode & 0777), (long)st.st_uid, (long)st.st_gid,
           flags & FD_CLOEXEC ? "yes" : "no");
    if (close(fd) == -1)
        err(1, "close %s", name);
}
int main(int argc, char *argv[])
{
    struct options o = { 0600, 0, 0, 0, 0, 0 };
    int opt;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "dhm:n:rs:")) != -1) {
        switch (opt) {
        case 'd': o.direct = 1; break;
        case 'm': o.mode = parse_mode(optarg); break;
        case 'n': o.len = parse_size(optarg, 1, 1 << 30, "len"); break;
        case 'r': o.readonly = 1; break;
        case 's':
            o.size = parse_size(optarg, 0, (size_t)1 << 40, "size");
            o.sized = 1;
            break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    argc -= optind, argv += optind;
    if (argc == 3 && strcmp(argv[0], "write") == 0)
        cmd_write(argv[1], argv[2], &o);
    else if (argc != 2)
        usage(2);
    else if (strcmp(argv[0], "create") == 0)
        cmd_create(argv[1], &o);
    else if (strcmp(argv[0], "truncate") == 0 && o.sized)
        cmd_truncate(argv[1], &o);
    else if (strcmp(argv[0], "stat") == 0)
        cmd_stat(argv[1]);
    else if (strcmp(argv[0], "read") == 0)
        cmd_read(argv[1], &o);
    else if (strcmp(argv[0], "unlink") == 0)
        cmd_unlink(argv[1]);
    else
        usage(2);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

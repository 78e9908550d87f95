/*
 * pipe_atomic - do concurrent writes into one pipe arrive whole?
 *
 * usage: pipe_atomic [-c capacity] [-n records] [-s size] [-w writers]
 *
 * Forks `writers` processes (default 4, at most 26); each writes `records`
 * records (default 1000) of `size` bytes (default 4096, at least 16,
 * suffixes k and M) into one pipe, one write(2) per record.  The parent
 * reads the pipe in record-sized pieces and counts the pieces that are not
 * one writer's whole record: torn records.  There are none while size is
 * at most PIPE_BUF.  -c first sets the pipe's capacity with F_SETPIPE_SZ,
 * a Linux extension.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "lib/io.h"
#include "lib/num.h"
#include "lib/prog.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: pipe_atomic [-c capacity] [-n records] [-s size] "
            "[-w writers]\n"
            "  -c capacity  set the pipe's capacity first (F_SETPIPE_SZ)\n"
            "  -n records   records per writer (default 1000)\n"
            "  -s size      bytes per record (default 4096; k, M)\n"
            "  -w writers   writer processes (default 4, at most 26)\n");
    exit(status);
}
static void make_record(char *rec, size_t size, int w, long seq)
{
    char number[16];

    memset(rec, 'A' + w, size - 1);
    rec[size - 1] = '\n';
    snprintf(number, sizeof number, "%08ld", seq % 100000000);
    memcpy(rec + 1, number, 8);
}
static int is_whole(const char *p, size_t size, int writers)
{
    if (p[0] < 'A' || p[0] >= 'A' + writers || p[size - 1] != '\n')
        return 0;
    for (size_t i = 1; i < 9; i++)
        if (!isdigit((unsigned char)p[i]))
            return 0;
    for (size_t i = 9; i < size - 1; i++)
        if (p[i] != p[0])
            return 0;
    return 1;
}
static _Noreturn void writer(int fd, int w, long records, size_t size)
{
    char *rec = malloc(size);
    ssize_t n;

    if (rec == NULL) {
        warn("malloc");
        _exit(1);
    }
    for (long seq = 0; seq < records; seq++) {
        make_record(rec, size, w, seq);
        if ((n = write(fd, rec, size)) != (ssize_t)size) {
            warn("write returned %zd", n);
            _exit(1);
        }
    }
    free(rec);
    _exit(0);
}
/* Read fd to its end in pieces of size bytes; count them, and the torn. */
static void read_pieces(int fd, char *rec, size_t size, int writers,
                        long *pieces, long *torn)
{
    ssize_t n;

    while ((n = read_full(fd, rec, size)) == (ssize_t)size) {
        (*pieces)++;
        if (!is_whole(rec, size, writers))
            (*torn)++;
    }
    if (n == -1)
        err(1, "read");
    if (n > 0)
        errx(1, "%zd bytes left over: a writer stopped in mid-record", n);
    if (close(fd) == -1)
        err(1, "close");
}
int main(int argc, char *argv[])
{
    int fd[2], opt, writers = 4;
    long records = 1000, pieces = 0, torn = 0;
    size_t size = 4096, cap = 0;
    pid_t *pids;
    char *rec;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "c:hn:s:w:")) != -1) {
        switch (opt) {
        case 'c': cap = parse_size(optarg, 1, 1 << 30, "capacity"); break;
        case 'n': records = parse_long(optarg, 1, 100000000, "records"); break;
        case 's': size = parse_size(optarg, 16, 16 << 20, "size"); break;
        case 'w': writers = (int)parse_long(optarg, 1, 26, "writers"); break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind != argc)
        usage(2);
    if ((pids = malloc(writers * sizeof *pids)) == NULL)
        err(1, "malloc");
    if (pipe(fd) == -1)
        err(1, "pipe");
    if (cap > 0 && fcntl(fd[0], F_SETPIPE_SZ, (int)cap) == -1)
        err(1, "F_SETPIPE_SZ %zu", cap);
    for (int w = 0; w < writers; w++) {
        switch (pids[w] = fork()) {
        case -1:
            err(1, "fork");
        case 0:                             /* writer w */
            if (close(fd[0]) == -1) {       /* read end unused: SIGPIPE if */
                warn("close");              /* the reader dies */
                _exit(1);
            }
            free(pids);                     /* the parent's, not ours */
            writer(fd[1], w, records, size);
        }
    }
    if (close(fd[1]) == -1)             /* ours: else read never returns 0 */
        err(1, "close");
    if ((rec = malloc(size)) == NULL)
        err(1, "malloc");
    read_pieces(fd[0], rec, size, writers, &pieces, &torn);
    for (int w = 0; w < writers; w++) {
        int status;

        if (waitpid(pids[w], &status, 0) == -1)
            err(1, "waitpid");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            errx(1, "writer %c failed", 'A' + w);
    }
    if (pieces != writers * records)
        errx(1, "expected %ld records, read %ld", writers * records, pieces);
    printf("%d writers x %ld records of %zu bytes: %ld records read, "
           "%ld torn\n", writers, records, size, pieces, torn);
    free(rec);
    free(pids);
    if (fclose(stdout) == EOF)
        err(1, "stdout");
    return 0;
}

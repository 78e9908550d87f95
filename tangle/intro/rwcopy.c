/*
 * rwcopy - copy standard input to standard output in whole blocks
 *
 * usage: rwcopy [-iv] [-b size] [-n count]
 *
 * Reads blocks of `size` bytes (default 64k; suffixes k and M) with
 * read_full and writes them with write_full; with -n, stops after `count`
 * blocks.  -i catches SIGUSR1 without
 * SA_RESTART, so signals interrupt the reads and writes; -v reports on
 * standard error how many full and partial blocks were copied and how many
 * signals were caught.
 */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lib/io.h"
#include "lib/num.h"
#include "lib/prog.h"
#include "lib/sig.h"

static void usage(int status)
{
    fprintf(status ? stderr : stdout,
            "usage: rwcopy [-iv] [-b size] [-n count]\n"
            "  -b size  block size (default 64k; suffixes k, M)\n"
            "  -n count copy at most count blocks\n"
            "  -i       catch SIGUSR1 without SA_RESTART (interrupt I/O)\n"
            "  -v       report blocks copied and signals caught\n");
    exit(status);
}
static volatile sig_atomic_t caught;

static void on_usr1(int sig)
{
    (void)sig;
    caught = caught + 1;
}

static void interrupt_on_usr1(void)
{
    sig_catch(SIGUSR1, on_usr1, 0);     /* no SA_RESTART: calls fail EINTR */
}
int main(int argc, char *argv[])
{
    size_t size = 64 * 1024;
    int opt, verbose = 0;
    long count = -1;                    /* -1: no limit */
    unsigned long full = 0, partial = 0;
    char *buf;
    ssize_t n = 0;

    prog_name(argv);
    while ((opt = getopt(argc, argv, "b:hin:v")) != -1) {
        switch (opt) {
        case 'b':
            size = parse_size(optarg, 1, 64 * 1024 * 1024, "block size");
            break;
        case 'n': count = parse_long(optarg, 0, LONG_MAX, "count"); break;
        case 'i': interrupt_on_usr1(); break;
        case 'v': verbose = 1; break;
        case 'h': usage(0); break;
        default:  usage(2);
        }
    }
    if (optind != argc)
        usage(2);
    if ((buf = malloc(size)) == NULL)
        err(1, "malloc");
    while (count-- != 0 && (n = read_full(STDIN_FILENO, buf, size)) > 0) {
        if ((size_t)n == size)
            full++;
        else
            partial++;                      /* only ever the last block */
        if (write_full(STDOUT_FILENO, buf, (size_t)n) == -1)
            err(1, "write");
    }
    if (n == -1)
        err(1, "read");
    free(buf);
    if (verbose)
        fprintf(stderr, "rwcopy: %lu full blocks of %zu, %lu partial, "
                "%d signals caught\n", full, size, partial, (int)caught);
    return 0;
}

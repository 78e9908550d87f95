/* bench.c: a clock and a check pattern for benchmarks (see bench.h). */
#define _POSIX_C_SOURCE 200809L
#include <err.h>
#include <time.h>
#include "lib/bench.h"

double bench_now(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
        err(1, "clock_gettime");
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
unsigned char pattern_byte(uint64_t off)
{
    return (unsigned char)((off * UINT64_C(0x9E3779B97F4A7C15)) >> 56);
}
void pattern_fill(unsigned char *buf, size_t len, uint64_t off)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = pattern_byte(off + i);
}

size_t pattern_mismatch(const unsigned char *buf, size_t len, uint64_t off)
{
    size_t i = 0;

    while (i < len && buf[i] == pattern_byte(off + i))
        i++;
    return i;
}

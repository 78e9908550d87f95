/* bench.h: what the benchmark programs share: a clock to time with, and
 * a pattern of bytes that their check modes send and verify. */
#ifndef BENCH_H
#define BENCH_H
#include <stddef.h>
#include <stdint.h>

/* Seconds on CLOCK_MONOTONIC, from an arbitrary start: only differences
 * mean anything.  Exits with status 1 if the clock cannot be read. */
double bench_now(void);

/* The pattern's byte at offset `off` of a stream of bytes. */
unsigned char pattern_byte(uint64_t off);
/* Fill buf with the pattern's bytes for offsets off .. off + len - 1. */
void pattern_fill(unsigned char *buf, size_t len, uint64_t off);
/* The index of the first byte of buf that differs from the pattern's bytes
 * for offsets off .. off + len - 1, or len if none does. */
size_t pattern_mismatch(const unsigned char *buf, size_t len, uint64_t off);

#endif

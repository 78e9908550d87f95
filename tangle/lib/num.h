/* num.h: parse command-line numbers strictly.  A value that is not a
 * number, has trailing junk, overflows or is out of [min, max] is a usage
 * error: the program says which argument was wrong and exits with 2. */
#ifndef NUM_H
#define NUM_H
#include <stddef.h>

long parse_long(const char *s, long min, long max, const char *what);
/* A byte count with an optional suffix k (KiB) or M (MiB): "64k", "1M". */
size_t parse_size(const char *s, size_t min, size_t max, const char *what);

#endif

/* num.c: strict parsing of command-line numbers (see num.h). */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include "lib/num.h"

long parse_long(const char *s, long min, long max, const char *what)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (!isdigit((unsigned char)s[0]) || *end != '\0' || errno == ERANGE
        || v < min || v > max)
        errx(2, "%s: '%s' is not a number from %ld to %ld", what, s, min, max);
    return v;
}
size_t parse_size(const char *s, size_t min, size_t max, const char *what)
{
    char *end;
    unsigned long long v, unit = 1;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (*end == 'k' || *end == 'K')
        unit = 1024, end++;
    else if (*end == 'm' || *end == 'M')
        unit = 1024 * 1024, end++;
    if (!isdigit((unsigned char)s[0]) || *end != '\0' || errno == ERANGE
        || v > max / unit || v * unit < min)
        errx(2, "%s: '%s' is not a size from %zu to %zu bytes "
             "(suffix k or M allowed)", what, s, min, max);
    return (size_t)(v * unit);
}

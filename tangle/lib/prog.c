/* prog.c: one name for the program in every message (see prog.h). */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include "lib/prog.h"

void prog_name(char *argv[])
{
    char *slash = argv[0] ? strrchr(argv[0], '/') : NULL;

    if (slash && slash[1] != '\0')
        argv[0] = slash + 1;
}

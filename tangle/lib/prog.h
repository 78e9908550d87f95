/* prog.h: one name for the program in every message. */
#ifndef PROG_H
#define PROG_H

/* Cut argv[0] to its last component, the name err(3) prints, so that
 * getopt's messages ("prog: invalid option -- 'Q'") say it the same way. */
void prog_name(char *argv[]);

#endif

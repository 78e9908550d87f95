/* privdir.h: a directory where only we make names. */
#ifndef PRIVDIR_H
#define PRIVDIR_H
#include <stddef.h>

/* Make $TMPDIR/prefix.XXXXXX (default /tmp), mode 0700, into dir (size
 * bytes), registered for removal with cleanup_push.  Exits 1 on failure. */
void private_dir(char *dir, size_t size, const char *prefix);
/* Exit 2, saying why, unless dir is a directory of ours that not every
 * user may write to; exit 1 if it cannot be examined. */
void check_private_dir(const char *dir);

#endif

/* privdir.h: a directory where only we make names. */
#ifndef PRIVDIR_H
#define PRIVDIR_H
#include <stddef.h>

/* Make $TMPDIR/prefix.XXXXXX (default /tmp), mode 0700, into dir (size
 * bytes), registered for removal with cleanup_push.  Exits 1 on failure. */
void private_dir(char *dir, size_t size, const char *prefix);
/* Open dir and check the directory opened, not the name, so that nothing
 * can be swapped in between.  Exit 2, saying why, if it is not a
 * directory, if every user may write to it, or if ours is set and it
 * belongs to another user; exit 1 if it cannot be opened.  Returns the
 * descriptor (close-on-exec), for openat and its kin. */
int open_checked_dir(const char *dir, int ours);
/* Exit as open_checked_dir(dir, 1) would, unless dir is a directory of
 * ours that not every user may write to. */
void check_private_dir(const char *dir);

#endif

#ifndef LS_SOCKFILE_H
#define LS_SOCKFILE_H 1

#include <sys/types.h>

/* Binding unix sockets to paths with their final mode and owner, without
 * a window in which a client could swap the path for a symlink and have
 * a privileged switch chmod or chown the symlink's target. */

int ls_sockfile_bind(int fd, const char *path, mode_t mode, uid_t owner,
                     gid_t group);

#endif

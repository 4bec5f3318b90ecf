#include "switch/sockfile.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* Binds socket 'fd' to 'path' (replacing a stale file there), created with
 * permissions 'mode' (through the umask, so no chmod follows), then gives
 * it 'owner' and 'group' ((uid_t) -1 / (gid_t) -1: unchanged) with
 * lchown(), which never follows a symlink.  Returns 0 or an errno value;
 * on error the path is removed again. */
int
ls_sockfile_bind(int fd, const char *path, mode_t mode, uid_t owner,
                 gid_t group)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t len = strlen(path);
    mode_t old_umask;
    int error = 0;

    if (len >= sizeof sa.sun_path) {
        return ENAMETOOLONG;
    }
    memcpy(sa.sun_path, path, len + 1);
    unlink(path);
    old_umask = umask(~mode & 0777);
    if (bind(fd, (struct sockaddr *) &sa, sizeof sa)) {
        error = errno;
    }
    umask(old_umask);
    if (error) {
        return error;
    }
    if ((owner != (uid_t) -1 || group != (gid_t) -1) &&
        lchown(path, owner, group)) {
        error = errno;
        unlink(path);
    }
    return error;
}

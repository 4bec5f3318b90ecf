/* Unit tests for switch/sockfile.c: sockets get their mode at creation and
 * their owner without following symlinks. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "switch/sockfile.h"

static char dir[64];

static int
setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/ls-sockfile.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
    char cmd[128];

    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int
dgram(void)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    assert_true(fd >= 0);
    return fd;
}

/* The socket is created with exactly the requested permissions, whatever
 * the process umask. */
static void
test_mode_at_creation(void **state)
{
    char path[128];
    struct stat st;
    mode_t old = umask(0);
    int fd = dgram();

    snprintf(path, sizeof path, "%s/a.sock", dir);
    assert_int_equal(ls_sockfile_bind(fd, path, 0640, (uid_t) -1, (gid_t) -1),
                     0);
    umask(old);
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0640);
    close(fd);
}

/* A symlink standing at the path is replaced, and its target is neither
 * chmod'ed nor chown'ed. */
static void
test_symlink_not_followed(void **state)
{
    char path[128], target[128];
    struct stat before, after, st;
    int fd = dgram(), tfd;

    snprintf(target, sizeof target, "%s/target", dir);
    snprintf(path, sizeof path, "%s/001.7", dir);
    tfd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    assert_true(tfd >= 0);
    close(tfd);
    assert_int_equal(symlink(target, path), 0);
    assert_int_equal(stat(target, &before), 0);

    assert_int_equal(ls_sockfile_bind(fd, path, 0666,
                                      geteuid() == 0 ? 12345 : (uid_t) -1,
                                      (gid_t) -1),
                     0);
    assert_int_equal(stat(target, &after), 0);
    assert_int_equal(after.st_uid, before.st_uid);
    assert_int_equal(after.st_mode, before.st_mode);
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    if (geteuid() == 0) {
        assert_int_equal(st.st_uid, 12345);
    }
    close(fd);
}

/* A path that does not fit a sockaddr_un is refused. */
static void
test_too_long(void **state)
{
    char path[300];
    int fd = dgram();

    memset(path, 'x', sizeof path - 1);
    path[0] = '/';
    path[sizeof path - 1] = '\0';
    assert_int_equal(ls_sockfile_bind(fd, path, 0600, (uid_t) -1, (gid_t) -1),
                     ENAMETOOLONG);
    close(fd);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mode_at_creation),
        cmocka_unit_test(test_symlink_not_followed),
        cmocka_unit_test(test_too_long),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}

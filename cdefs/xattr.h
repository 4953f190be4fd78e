/* xattr: extended attributes, path / no-follow (l) / fd (f) variants. */
#include <sys/xattr.h>

SYSCALL(getxattr, const char *path /* path */, const char *name /* str */, void *value /* out */, size_t size)
SYSCALL(lgetxattr, const char *path /* path */, const char *name /* str */, void *value /* out */, size_t size)
SYSCALL(fgetxattr, int fd /* fd */, const char *name /* str */, void *value /* out */, size_t size)
SYSCALL(setxattr, const char *path /* path */, const char *name /* str */, const void *value, size_t size, int flags /* XATTR */)
SYSCALL(lsetxattr, const char *path /* path */, const char *name /* str */, const void *value, size_t size, int flags /* XATTR */)
SYSCALL(fsetxattr, int fd /* fd */, const char *name /* str */, const void *value, size_t size, int flags /* XATTR */)
SYSCALL(listxattr, const char *path /* path */, char *list /* out */, size_t size)
SYSCALL(llistxattr, const char *path /* path */, char *list /* out */, size_t size)
SYSCALL(flistxattr, int fd /* fd */, char *list /* out */, size_t size)
SYSCALL(removexattr, const char *path /* path */, const char *name /* str */) -> None "Remove an attribute, following symlinks"
SYSCALL(lremovexattr, const char *path /* path */, const char *name /* str */) -> None "removexattr of a symlink itself"
SYSCALL(fremovexattr, int fd /* fd */, const char *name /* str */) -> None "removexattr of an open fd"
/* The *at forms (Linux 6.13): dirfd, path and AT flags (AT.SYMLINK_NOFOLLOW, AT.EMPTY_PATH);
 * set/get pass the value through struct xattr_args (xattr.c). */
long ls_setxattrat(int dirfd /* dirfd */, const char *path, unsigned int at_flags /* AT */, const char *name /* str */, const void *value, size_t size, unsigned int flags /* XATTR */);
long ls_getxattrat(int dirfd /* dirfd */, const char *path, unsigned int at_flags /* AT */, const char *name /* str */, void *value /* out */, size_t size);
SYSCALL(listxattrat, int dirfd /* dirfd */, const char *path /* path */, unsigned int at_flags /* AT */, char *list /* out */, size_t size)
SYSCALL(removexattrat, int dirfd /* dirfd */, const char *path /* path */, unsigned int at_flags /* AT */, const char *name /* str */)

// namespace XATTR flag XATTR_
#define XATTR_CREATE ...
#define XATTR_REPLACE ...
// end namespace

/* xattr: extended attributes, path / no-follow (l) / fd (f) variants. */
#include <sys/xattr.h>

SYSCALL(getxattr, const char *path, const char *name, void *value /* out */, size_t size)
SYSCALL(lgetxattr, const char *path, const char *name, void *value /* out */, size_t size)
SYSCALL(fgetxattr, int fd, const char *name, void *value /* out */, size_t size)
SYSCALL(setxattr, const char *path, const char *name, const void *value, size_t size, int flags /* XATTR */)
SYSCALL(lsetxattr, const char *path, const char *name, const void *value, size_t size, int flags /* XATTR */)
SYSCALL(fsetxattr, int fd, const char *name, const void *value, size_t size, int flags /* XATTR */)
SYSCALL(listxattr, const char *path, char *list /* out */, size_t size)
SYSCALL(llistxattr, const char *path, char *list /* out */, size_t size)
SYSCALL(flistxattr, int fd, char *list /* out */, size_t size)
SYSCALL(removexattr, const char *path, const char *name)
SYSCALL(lremovexattr, const char *path, const char *name)
SYSCALL(fremovexattr, int fd, const char *name)

// namespace XATTR flag XATTR_
#define XATTR_CREATE ...
#define XATTR_REPLACE ...
// end namespace

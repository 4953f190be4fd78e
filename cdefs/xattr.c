/* The *xattrat calls (Linux 6.13) take the value as struct xattr_args {u64 value; u32 size;
 * u32 flags} (<linux/xattr.h>, which glibc's <sys/xattr.h> cannot share a file with): declared
 * here in fixed-width fields, its size as usize (XATTR_ARGS_SIZE_VER0). */
struct ls_xattr_args { uint64_t value; uint32_t size; uint32_t flags; };
_Static_assert(sizeof(struct ls_xattr_args) == 16, "struct xattr_args");

static long ls_setxattrat(int dirfd, const char *path, unsigned int at_flags, const char *name,
                          const void *value, size_t size, unsigned int flags)
{
#ifdef SYS_setxattrat
    if (size > UINT32_MAX)
        return -E2BIG;  /* what the kernel says of a value over XATTR_SIZE_MAX */
    struct ls_xattr_args args = { (uint64_t)(uintptr_t)value, (uint32_t)size, flags };
    return ls_ret(syscall(SYS_setxattrat, (long)dirfd, (long)path, (long)at_flags, (long)name, (long)&args, (long)sizeof args));
#else
    (void)dirfd; (void)path; (void)at_flags; (void)name; (void)value; (void)size; (void)flags;
    return -ENOSYS;
#endif
}

/* size 0: the value's size, as getxattr.  A buffer over 4 GiB is offered as 4 GiB - 1 bytes
 * (values are at most 64 KiB: nothing is lost). */
static long ls_getxattrat(int dirfd, const char *path, unsigned int at_flags, const char *name,
                          void *value, size_t size)
{
#ifdef SYS_getxattrat
    struct ls_xattr_args args = { (uint64_t)(uintptr_t)value, size > UINT32_MAX ? UINT32_MAX : (uint32_t)size, 0 };
    return ls_ret(syscall(SYS_getxattrat, (long)dirfd, (long)path, (long)at_flags, (long)name, (long)&args, (long)sizeof args));
#else
    (void)dirfd; (void)path; (void)at_flags; (void)name; (void)value; (void)size;
    return -ENOSYS;
#endif
}

static long ls_pread64(int fd, void *buf, size_t count, int64_t offset)
{
    return ls_ret(syscall(SYS_pread64, (long)fd, (long)buf, (long)count, LS_PAD LS_ARG64(offset)));
}

static long ls_pwrite64(int fd, const void *buf, size_t count, int64_t offset)
{
    return ls_ret(syscall(SYS_pwrite64, (long)fd, (long)buf, (long)count, LS_PAD LS_ARG64(offset)));
}

/* preadv2/pwritev2 take the offset as (low, high) longs on every arch, never padded; on 64-bit
 * arches the kernel ignores the high word. */
#define LS_LOHI(v) (long)(uint64_t)(v), (long)((uint64_t)(v) >> (4 * sizeof(long)) >> (4 * sizeof(long)))

static long ls_preadv2(int fd, const struct iovec *iov, int iovcnt, int64_t offset, int flags)
{
#ifdef SYS_preadv2
    return ls_ret(syscall(SYS_preadv2, (long)fd, (long)iov, (long)iovcnt, LS_LOHI(offset), (long)flags));
#else
    (void)fd; (void)iov; (void)iovcnt; (void)offset; (void)flags;
    return -ENOSYS;
#endif
}

static long ls_pwritev2(int fd, const struct iovec *iov, int iovcnt, int64_t offset, int flags)
{
#ifdef SYS_pwritev2
    return ls_ret(syscall(SYS_pwritev2, (long)fd, (long)iov, (long)iovcnt, LS_LOHI(offset), (long)flags));
#else
    (void)fd; (void)iov; (void)iovcnt; (void)offset; (void)flags;
    return -ENOSYS;
#endif
}

/* 32-bit arches seek with _llseek(fd, high, low, &result, whence): lseek's off_t is 32-bit. */
static long ls_lseek(int fd, int64_t offset, int whence, int64_t *result)
{
#ifdef SYS__llseek
    long r = syscall(SYS__llseek, (long)fd, (long)(uint32_t)((uint64_t)offset >> 32),
                     (long)(uint32_t)(uint64_t)offset, (long)result, (long)whence);
    return ls_ret(r);
#else
    long r = syscall(SYS_lseek, (long)fd, (long)offset, (long)whence);
    if (r == -1)
        return -errno;
    *result = r;
    return 0;
#endif
}

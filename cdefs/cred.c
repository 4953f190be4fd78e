/* setfsuid/setfsgid never fail: they return the previous id (also when they refuse the new one)
 * as a u32 in a long.  On 32-bit arches that long is negative for ids from 2^31 up, and
 * syscall(3) takes 0xfffff001..0xfffffffe for -errno (returning -1 with errno set): both are
 * undone here.  Only a seccomp filter makes the call fail: ENOSYS is kept as an error so that
 * a missing call is reported, and on 64-bit arches, where no id looks like -errno, any errno. */
static int64_t ls_fsid(long nr, unsigned int id)
{
    long r = syscall(nr, (long)id);
    if (r == -1 && (errno == ENOSYS || sizeof(long) == 8))
        return -errno;
    return (uint32_t)(r == -1 ? -errno : r);
}

static int64_t ls_setfsuid(unsigned int fsuid)
{
#if defined(SYS_setfsuid32)
    return ls_fsid(SYS_setfsuid32, fsuid);
#else
    return ls_fsid(SYS_setfsuid, fsuid);
#endif
}

static int64_t ls_setfsgid(unsigned int fsgid)
{
#if defined(SYS_setfsgid32)
    return ls_fsid(SYS_setfsgid32, fsgid);
#else
    return ls_fsid(SYS_setfsgid, fsgid);
#endif
}

/* Kernel structs that old headers lack (see cdefs/README.md, "Old headers"): the kernel's fixed
 * ABI written out in fixed-width fields, declared only when the headers don't declare them. */
#if !__has_include(<linux/openat2.h>)
struct open_how { uint64_t flags; uint64_t mode; uint64_t resolve; };  /* Linux 5.6 */
_Static_assert(sizeof(struct open_how) == 24, "struct open_how");
#endif
/* No struct statx (Linux 4.11; glibc 2.28 declares one, with STATX__RESERVED), or one without
 * stx_mnt_id (headers before Linux 5.8, and glibc's own): the helpers' struct statx becomes
 * this complete one. */
#ifndef LINUX_VERSION_CODE
#include <linux/version.h>
#endif
#if !defined(STATX__RESERVED) || LINUX_VERSION_CODE < 0x050800
struct ls_statx_timestamp { int64_t tv_sec; uint32_t tv_nsec; int32_t __reserved; };
struct ls_statx_compat {
    uint32_t stx_mask, stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid;
    uint16_t stx_mode, __spare0[1];
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    struct ls_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t stx_mnt_id;
    uint32_t stx_dio_mem_align, stx_dio_offset_align;
    uint64_t __spare3[12];
};
_Static_assert(sizeof(struct ls_statx_compat) == 256
               && __builtin_offsetof(struct ls_statx_compat, stx_mtime) == 112
               && __builtin_offsetof(struct ls_statx_compat, stx_mnt_id) == 144, "struct statx");
#define statx ls_statx_compat
#endif

/* On 32-bit arches the kernel caps files at 2 GiB unless O_LARGEFILE is set; glibc's open sets
 * it, so a raw openat must too (0 on 64-bit arches, where the kernel forces it). */
static long ls_openat(int dirfd, const char *path, int flags, unsigned int mode)
{
    return ls_ret(syscall(SYS_openat, (long)dirfd, (long)path, (long)(flags | O_LARGEFILE), (long)mode));
}

static long ls_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
#if defined(SYS_openat2) && defined(RESOLVE_BENEATH)
    struct open_how how;
    memset(&how, 0, sizeof how);
    how.flags = flags | O_LARGEFILE;
    how.mode = mode;
    how.resolve = resolve;
    return ls_ret(syscall(SYS_openat2, (long)dirfd, (long)path, (long)&how, (long)sizeof how));
#else
    (void)dirfd; (void)path; (void)flags; (void)mode; (void)resolve;
    return -ENOSYS;
#endif
}

/* statx is the one stat layout shared by every arch; flatten it so Python unpacks one array. */
#define LS_ST_MODE 0
#define LS_ST_INO 1
#define LS_ST_DEV 2
#define LS_ST_NLINK 3
#define LS_ST_UID 4
#define LS_ST_GID 5
#define LS_ST_SIZE 6
#define LS_ST_ATIME 7
#define LS_ST_MTIME 8
#define LS_ST_CTIME 9
#define LS_ST_ATIME_NSEC 10
#define LS_ST_MTIME_NSEC 11
#define LS_ST_CTIME_NSEC 12
#define LS_ST_BLKSIZE 13
#define LS_ST_BLOCKS 14
#define LS_ST_RDEV 15
#define LS_ST_BTIME 16
#define LS_ST_BTIME_NSEC 17
#define LS_ST_MASK 18
#define LS_ST_ATTRIBUTES 19
#define LS_ST_ATTRIBUTES_MASK 20
#define LS_ST_MNT_ID 21
#define LS_ST_COUNT 22

#ifdef SYS_statx
/* A struct statx as the LS_ST_* slots (ls_statx, and io_uring's statx: ls_ring_statx_flat). */
static void ls_statx_flatten(const struct statx *s, int64_t *out)
{
    out[LS_ST_MODE] = s->stx_mode;
    out[LS_ST_INO] = (int64_t)s->stx_ino;
    out[LS_ST_DEV] = (int64_t)makedev(s->stx_dev_major, s->stx_dev_minor);
    out[LS_ST_NLINK] = s->stx_nlink;
    out[LS_ST_UID] = s->stx_uid;
    out[LS_ST_GID] = s->stx_gid;
    out[LS_ST_SIZE] = (int64_t)s->stx_size;
    out[LS_ST_ATIME] = s->stx_atime.tv_sec;
    out[LS_ST_MTIME] = s->stx_mtime.tv_sec;
    out[LS_ST_CTIME] = s->stx_ctime.tv_sec;
    out[LS_ST_ATIME_NSEC] = s->stx_atime.tv_nsec;
    out[LS_ST_MTIME_NSEC] = s->stx_mtime.tv_nsec;
    out[LS_ST_CTIME_NSEC] = s->stx_ctime.tv_nsec;
    out[LS_ST_BLKSIZE] = s->stx_blksize;
    out[LS_ST_BLOCKS] = (int64_t)s->stx_blocks;
    out[LS_ST_RDEV] = (int64_t)makedev(s->stx_rdev_major, s->stx_rdev_minor);
    out[LS_ST_BTIME] = s->stx_btime.tv_sec;
    out[LS_ST_BTIME_NSEC] = s->stx_btime.tv_nsec;
    out[LS_ST_MASK] = s->stx_mask;
    out[LS_ST_ATTRIBUTES] = (int64_t)s->stx_attributes;
    out[LS_ST_ATTRIBUTES_MASK] = (int64_t)s->stx_attributes_mask;
#ifdef STATX_MNT_ID
    out[LS_ST_MNT_ID] = (int64_t)s->stx_mnt_id;
#else
    out[LS_ST_MNT_ID] = 0;
#endif
}
#endif

static long ls_statx(int dirfd, const char *path, int flags, unsigned int mask, void *result)
{
#ifdef SYS_statx
    struct statx s;
    int64_t *out = result;
    long r = syscall(SYS_statx, (long)dirfd, (long)path, (long)flags, (long)mask, (long)&s);
    if (r == -1)
        return -errno;
    ls_statx_flatten(&s, out);
    return 0;
#else
    (void)dirfd; (void)path; (void)flags; (void)mask; (void)result;
    return -ENOSYS;
#endif
}

/* fstat in two arguments: each argument cffi converts costs ~25 ns on this hot path. */
static long ls_fstat(int fd, void *result)
{
    return ls_statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, result);
}

/* One getdents64 chunk compacted in place to "name\0name\0..." without "." and "..": Python
 * decodes and splits a whole chunk at once.  Returns the bytes used, 0 at the end. */
static long ls_getdents_names(int fd, char *buf, size_t count)
{
    for (;;) {
        long n = syscall(SYS_getdents64, (long)fd, (long)buf, (long)count);
        if (n <= 0)
            return ls_ret(n);
        long pos = 0, out = 0;
        while (pos < n) {
            struct dirent64 *d = (struct dirent64 *)(buf + pos);
            unsigned short reclen = d->d_reclen;  /* read before the move may overwrite it */
            const char *name = d->d_name;
            if (!(name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0)))) {
                size_t len = strlen(name) + 1;
                memmove(buf + out, name, len);
                out += (long)len;
            }
            pos += reclen;
        }
        if (out > 0)
            return out;
    }
}

/* times: NULL (both now) or {atime_sec, atime_nsec, mtime_sec, mtime_nsec}.  32-bit arches use
 * utimensat_time64 (no 2038 limit) and fall back to the 32-bit call on kernels before 5.1. */
static long ls_utimensat(int dirfd, const char *path, const int64_t *times, int flags)
{
    struct __kernel_timespec ts[2];
    struct ls_old_timespec old[2];
    if (times) {
        ts[0].tv_sec = times[0]; ts[0].tv_nsec = times[1];
        ts[1].tv_sec = times[2]; ts[1].tv_nsec = times[3];
    }
#ifdef SYS_utimensat_time64
    long r = syscall(SYS_utimensat_time64, (long)dirfd, (long)path, (long)(times ? ts : NULL), (long)flags);
    if (r != -1 || errno != ENOSYS)
        return ls_ret(r);
#endif
    if (times && ls_to_old(old, ts, 2))
        return -EOVERFLOW;
    return ls_ret(syscall(SYS_utimensat, (long)dirfd, (long)path, (long)(times ? old : NULL), (long)flags));
}

static long ls_truncate(const char *path, int64_t length)
{
#ifdef SYS_truncate64
    return ls_ret(syscall(SYS_truncate64, (long)path, LS_PAD LS_ARG64(length)));
#else
    return ls_ret(syscall(SYS_truncate, (long)path, (long)length));
#endif
}

static long ls_ftruncate(int fd, int64_t length)
{
#ifdef SYS_ftruncate64
    return ls_ret(syscall(SYS_ftruncate64, (long)fd, LS_PAD LS_ARG64(length)));
#else
    return ls_ret(syscall(SYS_ftruncate, (long)fd, (long)length));
#endif
}

/* (fd, mode) fill two registers, so both pairs start even: no padding on ARM. */
static long ls_fallocate(int fd, int mode, int64_t offset, int64_t len)
{
    return ls_ret(syscall(SYS_fallocate, (long)fd, (long)mode, LS_ARG64(offset), LS_ARG64(len)));
}

static long ls_fadvise(int fd, int64_t offset, int64_t len, int advice)
{
#if defined(SYS_arm_fadvise64_64)
    /* ARM moved advice forward so the pairs start even. */
    return ls_ret(syscall(SYS_arm_fadvise64_64, (long)fd, (long)advice, LS_ARG64(offset), LS_ARG64(len)));
#elif defined(SYS_fadvise64_64)
    return ls_ret(syscall(SYS_fadvise64_64, (long)fd, LS_ARG64(offset), LS_ARG64(len), (long)advice));
#else
    return ls_ret(syscall(SYS_fadvise64, (long)fd, (long)offset, (long)len, (long)advice));
#endif
}

static long ls_sync_file_range(int fd, int64_t offset, int64_t nbytes, unsigned int flags)
{
#if defined(SYS_sync_file_range2)
    /* ARM (arm_sync_file_range) moved flags forward so the pairs start even. */
    return ls_ret(syscall(SYS_sync_file_range2, (long)fd, (long)flags, LS_ARG64(offset), LS_ARG64(nbytes)));
#else
    return ls_ret(syscall(SYS_sync_file_range, (long)fd, LS_ARG64(offset), LS_ARG64(nbytes), (long)flags));
#endif
}

static long ls_readahead(int fd, int64_t offset, size_t count)
{
    return ls_ret(syscall(SYS_readahead, (long)fd, LS_PAD LS_ARG64(offset), (long)count));
}

#define LS_SF_TYPE 0
#define LS_SF_BSIZE 1
#define LS_SF_BLOCKS 2
#define LS_SF_BFREE 3
#define LS_SF_BAVAIL 4
#define LS_SF_FILES 5
#define LS_SF_FFREE 6
#define LS_SF_FSID 7
#define LS_SF_NAMELEN 8
#define LS_SF_FRSIZE 9
#define LS_SF_FLAGS 10
#define LS_SF_COUNT 11

/* 32-bit arches need statfs64 (with the struct size) for 64-bit block counts. */
#ifdef SYS_statfs64
typedef struct statfs64 ls_statfs_t;
#else
typedef struct statfs ls_statfs_t;
#endif

static long ls_statfs_flatten(long r, const ls_statfs_t *s, int64_t *out)
{
    if (r == -1)
        return -errno;
    out[LS_SF_TYPE] = (int64_t)s->f_type;
    out[LS_SF_BSIZE] = (int64_t)s->f_bsize;
    out[LS_SF_BLOCKS] = (int64_t)s->f_blocks;
    out[LS_SF_BFREE] = (int64_t)s->f_bfree;
    out[LS_SF_BAVAIL] = (int64_t)s->f_bavail;
    out[LS_SF_FILES] = (int64_t)s->f_files;
    out[LS_SF_FFREE] = (int64_t)s->f_ffree;
    out[LS_SF_FSID] = (int64_t)((uint64_t)(uint32_t)s->f_fsid.val[0] | ((uint64_t)(uint32_t)s->f_fsid.val[1] << 32));
    out[LS_SF_NAMELEN] = (int64_t)s->f_namelen;
    out[LS_SF_FRSIZE] = (int64_t)s->f_frsize;
    out[LS_SF_FLAGS] = (int64_t)s->f_flags;
    return 0;
}

static long ls_statfs(const char *path, int64_t *out)
{
    ls_statfs_t s;
#ifdef SYS_statfs64
    long r = syscall(SYS_statfs64, (long)path, (long)sizeof s, (long)&s);
#else
    long r = syscall(SYS_statfs, (long)path, (long)&s);
#endif
    return ls_statfs_flatten(r, &s, out);
}

static long ls_fstatfs(int fd, int64_t *out)
{
    ls_statfs_t s;
#ifdef SYS_fstatfs64
    long r = syscall(SYS_fstatfs64, (long)fd, (long)sizeof s, (long)&s);
#else
    long r = syscall(SYS_fstatfs, (long)fd, (long)&s);
#endif
    return ls_statfs_flatten(r, &s, out);
}

/* File handles: the kernel's struct file_handle, {u32 handle_bytes, i32 handle_type,
 * f_handle[handle_bytes]}, declared here (glibc's needs _GNU_SOURCE, uapi has none) with room
 * for MAX_HANDLE_SZ, the kernel's fixed limit (include/linux/exportfs.h): no handle is larger,
 * so name_to_handle_at never answers EOVERFLOW for size here. */
#define LS_MAX_HANDLE_SZ 128
struct ls_file_handle { uint32_t handle_bytes; int32_t handle_type; unsigned char f_handle[LS_MAX_HANDLE_SZ]; };

/* Fills f_handle (LS_MAX_HANDLE_SZ bytes) and *handle_type, *mount_id; returns the handle's
 * length.  The kernel writes the mount id as an int, or as a u64 with AT_HANDLE_MNT_ID_UNIQUE
 * (Linux 6.12; older kernels refuse the flag): a u64 slot holds either. */
static long ls_name_to_handle_at(int dirfd, const char *path, int *handle_type,
                                 unsigned char *f_handle, uint64_t *mount_id, int flags)
{
    struct ls_file_handle h;
    union { int id; uint64_t unique; } m;
    memset(&m, 0, sizeof m);
    h.handle_bytes = LS_MAX_HANDLE_SZ;
    h.handle_type = 0;
    long r = syscall(SYS_name_to_handle_at, (long)dirfd, (long)path, (long)&h, (long)&m, (long)flags);
    if (r == -1)
        return -errno;
    if (h.handle_bytes > LS_MAX_HANDLE_SZ)  /* never: the kernel's own limit */
        return -EOVERFLOW;
    memcpy(f_handle, h.f_handle, h.handle_bytes);
    *handle_type = h.handle_type;
#ifdef AT_HANDLE_MNT_ID_UNIQUE
    *mount_id = (flags & AT_HANDLE_MNT_ID_UNIQUE) ? m.unique : (uint64_t)(uint32_t)m.id;
#else
    *mount_id = (uint64_t)(uint32_t)m.id;
#endif
    return (long)h.handle_bytes;
}

/* O_LARGEFILE as in ls_openat: the compat entry of a 64-bit kernel does not force it. */
static long ls_open_by_handle_at(int mount_fd, int handle_type, const unsigned char *f_handle,
                                 size_t handle_bytes, int flags)
{
    struct ls_file_handle h;
    if (handle_bytes == 0 || handle_bytes > LS_MAX_HANDLE_SZ)
        return -EINVAL;  /* the kernel's answer, before it reads past a short handle */
    h.handle_bytes = (uint32_t)handle_bytes;
    h.handle_type = handle_type;
    memcpy(h.f_handle, f_handle, handle_bytes);
    return ls_ret(syscall(SYS_open_by_handle_at, (long)mount_fd, (long)&h, (long)(flags | O_LARGEFILE)));
}

/* cachestat (Linux 6.5): struct cachestat_range / cachestat of <linux/mman.h>, fixed 64-bit
 * fields on every arch (the range goes by pointer: nothing to split). */
struct ls_cachestat_range { uint64_t off, len; };
struct ls_cachestat { uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted; };
#define LS_CS_COUNT 5

static long ls_cachestat(int fd, uint64_t off, uint64_t len, int64_t *out, unsigned int flags)
{
#ifdef SYS_cachestat
    struct ls_cachestat_range range = { off, len };
    struct ls_cachestat cs;
    long r = syscall(SYS_cachestat, (long)fd, (long)&range, (long)&cs, (long)flags);
    if (r == -1)
        return -errno;
    out[0] = (int64_t)cs.nr_cache;
    out[1] = (int64_t)cs.nr_dirty;
    out[2] = (int64_t)cs.nr_writeback;
    out[3] = (int64_t)cs.nr_evicted;
    out[4] = (int64_t)cs.nr_recently_evicted;
    return 0;
#else
    (void)fd; (void)off; (void)len; (void)out; (void)flags;
    return -ENOSYS;
#endif
}

/* file_getattr / file_setattr (Linux 6.17): struct file_attr of <linux/fs.h>, its size as
 * usize (FILE_ATTR_SIZE_VER0); the fields as int64_t slots in the struct's order. */
struct ls_file_attr { uint64_t fa_xflags; uint32_t fa_extsize, fa_nextents, fa_projid, fa_cowextsize; };
_Static_assert(sizeof(struct ls_file_attr) == 24, "struct file_attr");
#define LS_FA_COUNT 5

static long ls_file_getattr(int dirfd, const char *path, int64_t *out, unsigned int at_flags)
{
#ifdef SYS_file_getattr
    struct ls_file_attr fa;
    memset(&fa, 0, sizeof fa);
    long r = syscall(SYS_file_getattr, (long)dirfd, (long)path, (long)&fa, (long)sizeof fa, (long)at_flags);
    if (r == -1)
        return -errno;
    out[0] = (int64_t)fa.fa_xflags;
    out[1] = fa.fa_extsize;
    out[2] = fa.fa_nextents;
    out[3] = fa.fa_projid;
    out[4] = fa.fa_cowextsize;
    return 0;
#else
    (void)dirfd; (void)path; (void)out; (void)at_flags;
    return -ENOSYS;
#endif
}

static long ls_file_setattr(int dirfd, const char *path, uint64_t fa_xflags, uint32_t fa_extsize,
                            uint32_t fa_projid, uint32_t fa_cowextsize, unsigned int at_flags)
{
#ifdef SYS_file_setattr
    struct ls_file_attr fa;
    memset(&fa, 0, sizeof fa);
    fa.fa_xflags = fa_xflags;
    fa.fa_extsize = fa_extsize;
    fa.fa_projid = fa_projid;
    fa.fa_cowextsize = fa_cowextsize;
    return ls_ret(syscall(SYS_file_setattr, (long)dirfd, (long)path, (long)&fa, (long)sizeof fa, (long)at_flags));
#else
    (void)dirfd; (void)path; (void)fa_xflags; (void)fa_extsize; (void)fa_projid; (void)fa_cowextsize; (void)at_flags;
    return -ENOSYS;
#endif
}

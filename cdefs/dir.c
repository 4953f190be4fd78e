/* Families build in alphabetical order, so dir.c comes before fs.c, whose ls_statx flattens a
 * struct statx into LS_ST_COUNT int64_t slots, st_mode in slot LS_ST_MODE: declared here,
 * defined there.  Those macros are not visible yet either: LS_DIR_ST_COUNT and LS_DIR_ST_MODE
 * restate them, and linuxsys/dir.py refuses to import if they differ. */
static long ls_statx(int dirfd, const char *path, int flags, unsigned int mask, void *result);

/* ls_statx writes its rows into a local array of LS_DIR_ROW_MAX slots, so even a mismatch
 * (fs.c growing past LS_DIR_ST_COUNT) never writes beyond a caller's array. */
#define LS_DIR_ROW_MAX 64

#define LS_DIR_ST_COUNT 22
#define LS_DIR_ST_MODE 0
#define LS_DIR_DOTS 1
#define LS_DIRENT_MIN ((offsetof(struct dirent64, d_name) + 2 + 7) & ~(size_t)7)

/* glibc's struct dirent64 is the kernel's struct linux_dirent64 on every arch. */
_Static_assert(offsetof(struct dirent64, d_name) == 19 && sizeof(((struct dirent64 *)0)->d_ino) == 8
               && sizeof(((struct dirent64 *)0)->d_off) == 8, "struct linux_dirent64");

static long ls_statx_row(int dirfd, const char *name, int flags, unsigned int mask,
                         int64_t row[LS_DIR_ROW_MAX])
{
    long r;
    do
        r = ls_statx(dirfd, name, flags, mask, row);
    while (r == -EINTR);
    return r;
}

/* One getdents64 chunk: the names compacted in place and, per entry, its inode and offset
 * (unless NULL) and its d_type (unless types is NULL).  With spare (count bytes), the names
 * are sorted instead into directories (a symlink to one counted, as is_dir() follows it: a
 * statx for DT_LNK and DT_UNKNOWN) then the rest, each in directory order, and *ndirs says
 * how many come first.  The caller has checked count <= INT_MAX and that types holds count /
 * LS_DIRENT_MIN entries: every record is at least LS_DIRENT_MIN bytes (checked), so k stays
 * below that. */
static long ls_dir_chunk(int fd, char *buf, size_t count, uint64_t *inos, int64_t *offs,
                         char *types, char *spare, int64_t *ndirs, int flags)
{
    const size_t name_at = offsetof(struct dirent64, d_name);
    for (;;) {
        long n = syscall(SYS_getdents64, (long)fd, (long)buf, (long)count);
        if (n <= 0)
            return ls_ret(n);
        size_t k = 0, out = 0, rest = 0, dirs = 0, pos = 0;
        while (pos < (size_t)n) {
            struct dirent64 *d = (struct dirent64 *)(buf + pos);
            size_t reclen = d->d_reclen;
            if (reclen < LS_DIRENT_MIN || reclen > (size_t)n - pos)
                return -EIO;
            const char *name = d->d_name;
            size_t len = strnlen(name, reclen - name_at);
            if (len == reclen - name_at)
                return -EIO;  /* no NUL inside the record */
            pos += reclen;
            if (!(flags & LS_DIR_DOTS) && name[0] == '.'
                && (len == 1 || (len == 2 && name[1] == '.')))
                continue;
            /* Read the record before the move below overwrites it. */
            unsigned char type = d->d_type;
            if (inos)
                inos[k] = d->d_ino;
            if (offs)
                offs[k] = d->d_off;
            if (types)
                types[k] = (char)type;
            k++;
            if (spare) {
                int isdir = type == DT_DIR;
                if (type == DT_LNK || type == DT_UNKNOWN) {
                    int64_t row[LS_DIR_ROW_MAX];
                    isdir = ls_statx_row(fd, name, 0, STATX_TYPE, row) == 0
                            && S_ISDIR(row[LS_DIR_ST_MODE]);
                }
                if (!isdir) {
                    memcpy(spare + rest, name, len + 1);
                    rest += len + 1;
                    continue;
                }
                dirs++;
            }
            memmove(buf + out, name, len + 1);
            out += len + 1;
        }
        if (spare) {
            memcpy(buf + out, spare, rest);
            out += rest;
            *ndirs = (int64_t)dirs;
        }
        if (out > 0)  /* else a chunk of only "." and "..": read on */
            return (long)out;
    }
}

static long ls_dir_read(int fd, char *buf, size_t count, uint64_t *inos, int64_t *offs,
                        char *types, size_t cap, int flags)
{
    if (count > INT_MAX || cap < count / LS_DIRENT_MIN || !types || (flags & ~LS_DIR_DOTS))
        return -EINVAL;
    return ls_dir_chunk(fd, buf, count, inos, offs, types, NULL, NULL, flags);
}

static long ls_dir_split(int fd, char *buf, size_t count, char *spare, size_t spare_len,
                         int64_t *ndirs)
{
    if (count > INT_MAX || spare_len < count || !spare || !ndirs)
        return -EINVAL;
    return ls_dir_chunk(fd, buf, count, NULL, NULL, NULL, spare, ndirs, 0);
}

static long ls_statx_many(int dirfd, const char *names, size_t len, size_t count, int flags,
                          unsigned int mask, int64_t *out, size_t out_len, int32_t *errs,
                          size_t errs_len)
{
    if (out_len / LS_DIR_ST_COUNT < count || errs_len < count)
        return -EINVAL;
    const char *p = names, *end = names + len;
    for (size_t i = 0; i < count; i++) {  /* exactly count names, the last ending at end */
        const char *nul = memchr(p, 0, (size_t)(end - p));
        if (!nul)
            return -EINVAL;
        p = nul + 1;
    }
    if (p != end)
        return -EINVAL;
    long failed = 0;
    p = names;
    for (size_t i = 0; i < count; i++) {
        int64_t row[LS_DIR_ROW_MAX];
        long r = ls_statx_row(dirfd, p, flags, mask, row);
        if (r == 0)
            memcpy(out + i * LS_DIR_ST_COUNT, row, sizeof row[0] * LS_DIR_ST_COUNT);
        else
            failed++;
        errs[i] = (int32_t)-r;
        p += strlen(p) + 1;
    }
    return failed;
}

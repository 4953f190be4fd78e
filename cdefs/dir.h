/* dir: directories and metadata in bulk: getdents64 chunks packed in C, statx over many names. */
#include <dirent.h>
#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>

/* Hand-written (dir.c).  One call per getdents64 chunk or per batch of names; the results come
 * back packed for Python to decode once: names NUL-separated, numbers in arrays the caller
 * sizes, statx results flattened into int64_t rows as fs.c's ls_statx writes them.
 *
 * ls_dir_read: the names of one chunk (without "." and ".." unless LS_DIR_DOTS) compacted in
 * place in buf, and per entry its inode and offset (inos/offs may be NULL) and its d_type;
 * cap is the length of each array, at least count / LS_DIRENT_MIN.  ls_dir_split: the names
 * of one chunk in buf, those of directories and symlinks to them (a statx for DT_LNK and
 * DT_UNKNOWN) first, *ndirs of them, then the others, each in directory order; spare is a
 * work area of count bytes.  Both return the bytes of names (each with its NUL), 0 at the end
 * of the directory, or -errno. */
long ls_dir_read(int fd, char *buf /* out */, size_t count, uint64_t *inos /* out */, int64_t *offs /* out */, char *types /* out */, size_t cap, int flags);
long ls_dir_split(int fd, char *buf /* out */, size_t count, char *spare, size_t spare_len, int64_t *ndirs /* out */);
/* statx of each of count NUL-terminated names packed in names[0..len), relative to dirfd: row
 * i of out (LS_DIR_ST_COUNT slots) flattened, errs[i] 0 or the errno.  Returns how many
 * failed, or -EINVAL (before any syscall) for sizes that do not match. */
long ls_statx_many(int dirfd /* dirfd */, const char *names, size_t len, size_t count, int flags /* AT */, unsigned int mask /* STATX */, int64_t *out /* out */, size_t out_len, int32_t *errs /* out */, size_t errs_len);
/* ls_dir_read's flag: keep "." and "..". */
#define LS_DIR_DOTS ...
/* The smallest linux_dirent64 record: 8-byte aligned header, a one-byte name and its NUL. */
#define LS_DIRENT_MIN ...
/* dir.c's copies of fs.c's LS_ST_COUNT and LS_ST_MODE (it is compiled first), and the
 * slots of the local row ls_statx writes into (at least LS_ST_COUNT). */
#define LS_DIR_ST_COUNT ...
#define LS_DIR_ST_MODE ...
#define LS_DIR_ROW_MAX ...

/* kaio: Linux native AIO (see kaio.h). */

_Static_assert(sizeof(struct iocb) == 64 && sizeof(struct io_event) == 32, "aio_abi layout");
_Static_assert(__builtin_offsetof(struct iocb, aio_buf) == 24
               && __builtin_offsetof(struct iocb, aio_flags) == 56
               && __builtin_offsetof(struct iocb, aio_key) == 8, "struct iocb");
/* aio_rw_flags (Linux 4.13; aio_reserved1 before): the u32 after aio_key on little-endian
 * arches, the only ones linuxsys builds for (core.c). */
#define LS_AIO_RW_FLAGS_AT 12
#define LS_AIO_SIGSET 8  /* the kernel's sigset_t: _NSIG / 8 on every supported arch */

/* aio_context_t is unsigned long: a value past it would be truncated into another id. */
#define LS_AIO_CTX(ctx) \
    do { if ((uint64_t)(unsigned long)(ctx) != (ctx)) return -EINVAL; } while (0)

static long ls_io_setup(unsigned int nr_events, uint64_t *ctx_id)
{
    aio_context_t ctx = 0;  /* the kernel insists on 0 in (EINVAL otherwise) */
    long r = ls_ret(syscall(SYS_io_setup, (long)nr_events, (long)&ctx));
    if (r >= 0)
        *ctx_id = (uint64_t)ctx;
    return r;
}

static long ls_io_destroy(uint64_t ctx_id)
{
    LS_AIO_CTX(ctx_id);
    return ls_ret(syscall(SYS_io_destroy, (long)ctx_id));
}

static long ls_io_submit(uint64_t ctx_id, long nr, struct iocb **iocbpp)
{
    LS_AIO_CTX(ctx_id);
    return ls_ret(syscall(SYS_io_submit, (long)ctx_id, nr, (long)iocbpp));
}

struct ls_aio_sigset { const void *sigmask; size_t sigsetsize; };  /* struct __aio_sigset */

/* io_pgetevents (Linux 4.18), the time64 twin first on 32-bit arches; ENOSYS if neither.  With
 * plain (no sigmask and no twin), io_getevents before Linux 4.18's io_pgetevents. */
static long ls_aio_wait(uint64_t ctx_id, long min_nr, long nr, int64_t *events,
                        int64_t timeout_ns, const uint64_t *sigmask, int plain)
{
    struct __kernel_timespec ts;
    struct ls_aio_sigset set = { sigmask, LS_AIO_SIGSET };
    struct ls_aio_sigset *usig = sigmask ? &set : NULL;
    LS_AIO_CTX(ctx_id);
    long r = -1;
    errno = ENOSYS;
#if defined(SYS_io_pgetevents_time64)
    r = syscall(SYS_io_pgetevents_time64, (long)ctx_id, min_nr, nr, (long)events,
                (long)ls_kts_ptr(&ts, timeout_ns), (long)usig);
    if (r != -1 || errno != ENOSYS)
        return ls_ret(r);
    /* Before Linux 5.1: the calls whose timespec has long fields. */
    struct ls_old_timespec old;
    struct __kernel_timespec kts = ls_kts(timeout_ns);
    if (timeout_ns >= 0 && ls_to_old(&old, &kts, 1))
        return -EOVERFLOW;
    struct ls_old_timespec *t = timeout_ns < 0 ? NULL : &old;
#else
    /* 64-bit arches: the plain calls take struct __kernel_timespec's layout. */
    struct __kernel_timespec *t = ls_kts_ptr(&ts, timeout_ns);
#endif
    if (plain)
        return ls_ret(syscall(SYS_io_getevents, (long)ctx_id, min_nr, nr, (long)events, (long)t));
#ifdef SYS_io_pgetevents
    r = syscall(SYS_io_pgetevents, (long)ctx_id, min_nr, nr, (long)events, (long)t, (long)usig);
#endif
    return ls_ret(r);
}

static long ls_io_getevents(uint64_t ctx_id, long min_nr, long nr, int64_t *events,
                            int64_t timeout_ns)
{
    return ls_aio_wait(ctx_id, min_nr, nr, events, timeout_ns, NULL, 1);
}

static long ls_io_pgetevents(uint64_t ctx_id, long min_nr, long nr, int64_t *events,
                             int64_t timeout_ns, const uint64_t *sigmask)
{
    return ls_aio_wait(ctx_id, min_nr, nr, events, timeout_ns, sigmask, 0);
}

static long ls_io_cancel(uint64_t ctx_id, struct iocb *iocb, int64_t *result)
{
    LS_AIO_CTX(ctx_id);
    return ls_ret(syscall(SYS_io_cancel, (long)ctx_id, (long)iocb, (long)result));
}

static long ls_aio_prep(struct iocb *cb, struct iocb **slot, int opcode, int fd, const void *buf,
                        uint64_t nbytes, int64_t offset, uint64_t data, uint32_t rw_flags,
                        int resfd)
{
    memset(cb, 0, sizeof *cb);
    cb->aio_data = data;
    cb->aio_lio_opcode = (uint16_t)opcode;
    cb->aio_fildes = (uint32_t)fd;
    cb->aio_buf = (uint64_t)(uintptr_t)buf;
    cb->aio_nbytes = nbytes;
    cb->aio_offset = offset;
    memcpy((char *)cb + LS_AIO_RW_FLAGS_AT, &rw_flags, sizeof rw_flags);
    if (resfd >= 0) {
        cb->aio_flags = IOCB_FLAG_RESFD;
        cb->aio_resfd = (uint32_t)resfd;
    }
    *slot = cb;
    return 0;
}

static long ls_aio_submit(uint64_t ctx_id, struct iocb **iocbpp, long nr, long *error)
{
    long done = 0;
    *error = 0;
    LS_AIO_CTX(ctx_id);
    while (done < nr) {
        long r = syscall(SYS_io_submit, (long)ctx_id, nr - done, (long)(iocbpp + done));
        if (r < 0) {
            if (errno == EINTR)  /* nothing of this call was submitted */
                continue;
            *error = -errno;
            break;
        }
        if (r == 0)
            break;
        done += r;
    }
    return done;
}

/* futex and the futex2 calls.  The kernel's struct futex_waitv (Linux 5.16) is written out
 * with its fixed layout: old headers lack it, and no Python code depends on it. */
struct ls_futex_waitv { uint64_t val; uint64_t uaddr; uint32_t flags; uint32_t reserved; };
_Static_assert(sizeof(struct ls_futex_waitv) == 24, "struct futex_waitv");
#define LS_FUTEX_WAITV_MAX 128  /* FUTEX_WAITV_MAX: the kernel refuses more (EINVAL) */

static long ls_futex(uintptr_t uaddr, int futex_op, uint32_t val, int64_t timeout_ns,
                     uint32_t val2, uintptr_t uaddr2, uint32_t val3)
{
    struct __kernel_timespec ts, *tp = ls_kts_ptr(&ts, timeout_ns);
    long arg4 = tp ? (long)tp : (long)val2;
#ifdef SYS_futex_time64
    long r = syscall(SYS_futex_time64, (long)uaddr, (long)futex_op, (long)val, arg4,
                     (long)uaddr2, (long)val3);
    if (r != -1 || errno != ENOSYS)
        return ls_ret(r);
    /* A kernel before 5.1 (or an op this kernel lacks: ENOSYS again below). */
    struct ls_old_timespec old;
    if (tp) {
        if (ls_to_old(&old, tp, 1))
            return -EOVERFLOW;
        arg4 = (long)&old;
    }
#endif
    return ls_ret(syscall(SYS_futex, (long)uaddr, (long)futex_op, (long)val, arg4,
                          (long)uaddr2, (long)val3));
}

/* rows: n (val, uaddr, flags) triples; NULL (the probes') gives NULL for the kernel to
 * refuse. */
static struct ls_futex_waitv *ls_waitv_fill(struct ls_futex_waitv *w, const uint64_t *rows,
                                           unsigned int n)
{
    if (!rows)
        return NULL;
    for (unsigned int i = 0; i < n; i++) {
        w[i].val = rows[3 * i];
        w[i].uaddr = rows[3 * i + 1];
        w[i].flags = (uint32_t)rows[3 * i + 2];
        w[i].reserved = 0;
    }
    return w;
}

/* futex_waitv takes struct __kernel_timespec on every arch (no time64 twin). */
static long ls_futex_waitv(const uint64_t *waiters, unsigned int nr_futexes, unsigned int flags,
                           int64_t timeout_ns, int clockid)
{
#ifdef SYS_futex_waitv
    struct ls_futex_waitv w[LS_FUTEX_WAITV_MAX];
    struct __kernel_timespec ts, *tp = ls_kts_ptr(&ts, timeout_ns);
    if (nr_futexes > LS_FUTEX_WAITV_MAX)
        return -EINVAL;
    return ls_ret(syscall(SYS_futex_waitv, (long)ls_waitv_fill(w, waiters, nr_futexes), (long)nr_futexes, (long)flags, (long)tp,
                          (long)clockid));
#else
    return -ENOSYS;
#endif
}

static long ls_futex_wait(uintptr_t uaddr, unsigned long val, unsigned long mask,
                          unsigned int flags, int64_t timeout_ns, int clockid)
{
#ifdef SYS_futex_wait
    struct __kernel_timespec ts, *tp = ls_kts_ptr(&ts, timeout_ns);
    return ls_ret(syscall(SYS_futex_wait, (long)uaddr, (long)val, (long)mask, (long)flags,
                          (long)tp, (long)clockid));
#else
    return -ENOSYS;
#endif
}

static long ls_futex_requeue(const uint64_t *waiters, unsigned int flags, int nr_wake,
                             int nr_requeue)
{
#ifdef SYS_futex_requeue
    struct ls_futex_waitv w[2];
    return ls_ret(syscall(SYS_futex_requeue, (long)ls_waitv_fill(w, waiters, 2), (long)flags, (long)nr_wake,
                          (long)nr_requeue));
#else
    return -ENOSYS;
#endif
}

/* uring: the io_uring syscalls and a mapped ring (see uring.h).
 *
 * Memory ordering (man 7 io_uring, "Submission/Completion Queue"): the application owns the SQ
 * tail and the CQ head, the kernel the SQ head and the CQ tail.  The SQEs are written before
 * the release store of the SQ tail that publishes them; CQEs are read after the acquire load of
 * the CQ tail and released to the kernel by the release store of the CQ head.  With SQPOLL a
 * full fence orders the tail store before the read of the SQ flags (IORING_SQ_NEED_WAKEUP),
 * as liburing's io_uring_smp_mb. */

/* The kernel's ABI, whatever the headers say: fixed-width fields, the same on every arch. */
struct ls_uring_sqe {
    uint8_t opcode, flags;
    uint16_t ioprio;
    int32_t fd;
    uint64_t off;           /* also addr2 */
    uint64_t addr;          /* also splice_off_in */
    uint32_t len;
    uint32_t op_flags;      /* rw_flags, fsync_flags, poll32_events, timeout_flags ... */
    uint64_t user_data;
    uint16_t buf_index, personality;
    int32_t splice_fd_in;   /* also file_index, addr_len */
    uint64_t addr3, pad2;
};
struct ls_uring_cqe { uint64_t user_data; int32_t res; uint32_t flags; };
struct ls_sqring_offsets {
    uint32_t head, tail, ring_mask, ring_entries, flags, dropped, array, resv1;
    uint64_t user_addr;
};
struct ls_cqring_offsets {
    uint32_t head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1;
    uint64_t user_addr;
};
struct ls_uring_params {
    uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd;
    uint32_t resv[3];
    struct ls_sqring_offsets sq_off;
    struct ls_cqring_offsets cq_off;
};
#define LS_URING_MAX_ENTRIES 32768  /* IORING_MAX_ENTRIES, the kernel's (not in uapi) */
#define LS_STATX_SIZE 256
_Static_assert(sizeof(struct ls_uring_sqe) == 64, "io_uring_sqe");
_Static_assert(sizeof(struct ls_uring_cqe) == 16, "io_uring_cqe");
_Static_assert(sizeof(struct ls_uring_params) == 120, "io_uring_params");
_Static_assert(__builtin_offsetof(struct ls_uring_sqe, user_data) == 32
               && __builtin_offsetof(struct ls_uring_sqe, buf_index) == 40
               && __builtin_offsetof(struct ls_uring_sqe, splice_fd_in) == 44
               && __builtin_offsetof(struct ls_uring_params, sq_off) == 40
               && __builtin_offsetof(struct ls_uring_params, cq_off) == 80, "io_uring layout");
#ifdef LS_HAVE_IO_URING_H
/* The headers' own structs agree (a per-arch check: every build compiles it). */
#define LS_SAME(s, f, t, g) (__builtin_offsetof(struct s, f) == __builtin_offsetof(struct t, g) \
                             && sizeof(((struct s *)0)->f) == sizeof(((struct t *)0)->g))
_Static_assert(sizeof(struct io_uring_sqe) == 64 && sizeof(struct io_uring_cqe) == 16
               && sizeof(struct io_uring_params) == 120, "io_uring sizes");
_Static_assert(LS_SAME(io_uring_sqe, opcode, ls_uring_sqe, opcode)
               && LS_SAME(io_uring_sqe, flags, ls_uring_sqe, flags)
               && LS_SAME(io_uring_sqe, ioprio, ls_uring_sqe, ioprio)
               && LS_SAME(io_uring_sqe, fd, ls_uring_sqe, fd)
               && LS_SAME(io_uring_sqe, off, ls_uring_sqe, off)
               && LS_SAME(io_uring_sqe, addr, ls_uring_sqe, addr)
               && LS_SAME(io_uring_sqe, len, ls_uring_sqe, len)
               && LS_SAME(io_uring_sqe, rw_flags, ls_uring_sqe, op_flags)
               && LS_SAME(io_uring_sqe, user_data, ls_uring_sqe, user_data)
               && LS_SAME(io_uring_sqe, buf_index, ls_uring_sqe, buf_index)
               && LS_SAME(io_uring_sqe, personality, ls_uring_sqe, personality)
               && LS_SAME(io_uring_sqe, splice_fd_in, ls_uring_sqe, splice_fd_in),
               "struct io_uring_sqe");
_Static_assert(LS_SAME(io_uring_cqe, user_data, ls_uring_cqe, user_data)
               && LS_SAME(io_uring_cqe, res, ls_uring_cqe, res)
               && LS_SAME(io_uring_cqe, flags, ls_uring_cqe, flags), "struct io_uring_cqe");
_Static_assert(LS_SAME(io_uring_params, sq_entries, ls_uring_params, sq_entries)
               && LS_SAME(io_uring_params, features, ls_uring_params, features)
               && LS_SAME(io_uring_params, sq_thread_idle, ls_uring_params, sq_thread_idle)
               && LS_SAME(io_uring_params, sq_off, ls_uring_params, sq_off)
               && LS_SAME(io_uring_params, cq_off, ls_uring_params, cq_off)
               && LS_SAME(io_sqring_offsets, array, ls_sqring_offsets, array)
               && LS_SAME(io_cqring_offsets, cqes, ls_cqring_offsets, cqes), "io_uring_params");
#undef LS_SAME
#endif

#ifndef IORING_OFF_SQ_RING
#define IORING_OFF_SQ_RING 0ULL
#define IORING_OFF_CQ_RING 0x8000000ULL
#define IORING_OFF_SQES 0x10000000ULL
#endif

struct ls_getevents_arg { uint64_t sigmask; uint32_t sigmask_sz; uint32_t pad; uint64_t ts; };

struct ls_ring {
    int fd;
    unsigned int flags, features, sq_entries, cq_entries;
    unsigned int sq_mask, cq_mask;
    unsigned int sqe_tail;          /* the next SQE to fill; published by ls_ring_submit */
    unsigned int *sq_head, *sq_tail, *sq_flags, *cq_head, *cq_tail;
    struct ls_uring_sqe *sqes;
    struct ls_uring_cqe *cqes;
    void *sq_ring, *cq_ring;
    size_t sq_ring_len, cq_ring_len, sqes_len;
};

static long ls_io_uring_setup(unsigned int entries, struct ls_uring_params *p)
{
#ifdef SYS_io_uring_setup
    return ls_ret(syscall(SYS_io_uring_setup, (long)entries, (long)p));
#else
    (void)entries; (void)p;
    return -ENOSYS;
#endif
}

static long ls_io_uring_enter(int fd, unsigned int to_submit, unsigned int min_complete,
                              unsigned int flags, const void *arg, size_t argsz)
{
#ifdef SYS_io_uring_enter
    return ls_ret(syscall(SYS_io_uring_enter, (long)fd, (long)to_submit, (long)min_complete,
                          (long)flags, (long)arg, (long)argsz));
#else
    (void)fd; (void)to_submit; (void)min_complete; (void)flags; (void)arg; (void)argsz;
    return -ENOSYS;
#endif
}

static long ls_io_uring_register(int fd, unsigned int opcode, const void *arg,
                                 unsigned int nr_args)
{
#ifdef SYS_io_uring_register
    return ls_ret(syscall(SYS_io_uring_register, (long)fd, (long)opcode, (long)arg,
                          (long)nr_args));
#else
    (void)fd; (void)opcode; (void)arg; (void)nr_args;
    return -ENOSYS;
#endif
}

static long ls_io_uring_enter_ns(int fd, unsigned int to_submit, unsigned int min_complete,
                                 unsigned int flags, int64_t timeout_ns, const void *sigmask,
                                 size_t sigsetsize)
{
    struct __kernel_timespec ts;
    struct ls_getevents_arg arg;
    memset(&arg, 0, sizeof arg);
    arg.sigmask = (uint64_t)(uintptr_t)sigmask;
    arg.sigmask_sz = (uint32_t)sigsetsize;
    if (timeout_ns >= 0) {
        ts.tv_sec = timeout_ns / 1000000000;
        ts.tv_nsec = timeout_ns % 1000000000;
        arg.ts = (uint64_t)(uintptr_t)&ts;
    }
    return ls_io_uring_enter(fd, to_submit, min_complete, flags | IORING_ENTER_EXT_ARG, &arg,
                             sizeof arg);
}

static void ls_ring_unmap(struct ls_ring *r)
{
    if (r->sqes)
        munmap(r->sqes, r->sqes_len);
    if (r->cq_ring && r->cq_ring != r->sq_ring)
        munmap(r->cq_ring, r->cq_ring_len);
    if (r->sq_ring)
        munmap(r->sq_ring, r->sq_ring_len);
    r->sqes = NULL;
    r->sq_ring = r->cq_ring = NULL;
}

static void *ls_ring_map(int fd, size_t len, uint64_t offset)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
                   (off_t)offset);
    return p == MAP_FAILED ? NULL : p;
}

static long ls_ring_setup(struct ls_ring *r, unsigned int entries, struct ls_uring_params *p)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    long fd = ls_io_uring_setup(entries, p);
    if (fd < 0)
        return fd;
    r->fd = (int)fd;
    r->flags = p->flags;
    r->features = p->features;
    r->sq_entries = p->sq_entries;
    r->cq_entries = p->cq_entries;
#ifdef IORING_SETUP_NO_SQARRAY
    int sqarray = !(p->flags & IORING_SETUP_NO_SQARRAY);
#else
    int sqarray = 1;
#endif
    r->sq_ring_len = sqarray ? p->sq_off.array + p->sq_entries * sizeof(unsigned int)
                             : p->cq_off.cqes + p->cq_entries * sizeof(struct ls_uring_cqe);
    r->cq_ring_len = p->cq_off.cqes + p->cq_entries * sizeof(struct ls_uring_cqe);
    if (p->features & IORING_FEAT_SINGLE_MMAP) {
        if (r->cq_ring_len > r->sq_ring_len)
            r->sq_ring_len = r->cq_ring_len;
        r->cq_ring_len = r->sq_ring_len;
    }
    long err = 0;
    r->sq_ring = ls_ring_map(r->fd, r->sq_ring_len, IORING_OFF_SQ_RING);
    if (!r->sq_ring)
        goto fail;
    if (p->features & IORING_FEAT_SINGLE_MMAP)
        r->cq_ring = r->sq_ring;
    else if (!(r->cq_ring = ls_ring_map(r->fd, r->cq_ring_len, IORING_OFF_CQ_RING)))
        goto fail;
    r->sqes_len = p->sq_entries * sizeof(struct ls_uring_sqe);
    if (!(r->sqes = ls_ring_map(r->fd, r->sqes_len, IORING_OFF_SQES)))
        goto fail;
    char *sq = r->sq_ring, *cq = r->cq_ring;
    r->sq_head = (unsigned int *)(sq + p->sq_off.head);
    r->sq_tail = (unsigned int *)(sq + p->sq_off.tail);
    r->sq_flags = (unsigned int *)(sq + p->sq_off.flags);
    r->sq_mask = *(unsigned int *)(sq + p->sq_off.ring_mask);
    r->cq_head = (unsigned int *)(cq + p->cq_off.head);
    r->cq_tail = (unsigned int *)(cq + p->cq_off.tail);
    r->cq_mask = *(unsigned int *)(cq + p->cq_off.ring_mask);
    r->cqes = (struct ls_uring_cqe *)(cq + p->cq_off.cqes);
    if (sqarray) {
        /* SQE i always sits in slot i: the array is the identity, written once */
        unsigned int *array = (unsigned int *)(sq + p->sq_off.array);
        for (unsigned int i = 0; i < p->sq_entries; i++)
            array[i] = i;
    }
    r->sqe_tail = *r->sq_tail;
    return fd;
fail:
    err = -errno;
    ls_ring_unmap(r);
    close(r->fd);
    r->fd = -1;
    return err;
}

static long ls_ring_exit(struct ls_ring *r)
{
    if (r->fd < 0)
        return 0;
    ls_ring_unmap(r);
    close(r->fd);  /* the kernel frees the ring once its last reference goes */
    r->fd = -1;
    return 0;
}

static long ls_ring_space(struct ls_ring *r)
{
    return (long)(r->sq_entries - (r->sqe_tail - __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE)));
}

static long ls_ring_ready(struct ls_ring *r)
{
    return (long)(__atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE) - *r->cq_head);
}

static long ls_ring_sq_flags(struct ls_ring *r)
{
    return (long)__atomic_load_n(r->sq_flags, __ATOMIC_ACQUIRE);
}

/* The next free SQE, zeroed, or NULL when the SQ is full. */
static inline struct ls_uring_sqe *ls_sqe(struct ls_ring *r)
{
    unsigned int head = __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE);
    if (r->sqe_tail - head >= r->sq_entries)
        return NULL;
    struct ls_uring_sqe *s = &r->sqes[r->sqe_tail & r->sq_mask];
    r->sqe_tail++;
    memset(s, 0, sizeof *s);
    return s;
}

static long ls_ring_prep(struct ls_ring *r, int opcode, int sqe_flags, int fd, uint64_t addr,
                         uint32_t len, uint64_t off, uint32_t op_flags, uint64_t user_data,
                         int buf_index, int32_t splice_fd_in)
{
    struct ls_uring_sqe *s = ls_sqe(r);
    if (!s)
        return -EBUSY;
    s->opcode = (uint8_t)opcode;
    s->flags = (uint8_t)sqe_flags;
    s->fd = fd;
    s->addr = addr;
    s->len = len;
    s->off = off;
    s->op_flags = op_flags;
    s->user_data = user_data;
    s->buf_index = (uint16_t)(buf_index < 0 ? 0 : buf_index);
    s->splice_fd_in = splice_fd_in;
    return 0;
}

static long ls_ring_prep_rw(struct ls_ring *r, int opcode, int sqe_flags, int fd,
                            const void *buf, uint32_t len, uint64_t off, uint64_t user_data,
                            uint32_t rw_flags, int buf_index)
{
    /* the buffer as a pointer (Python's hot path passes cdata, not an address int) */
    return ls_ring_prep(r, opcode, sqe_flags, fd, (uint64_t)(uintptr_t)buf, len, off, rw_flags,
                        user_data, buf_index, 0);
}

static long ls_ring_prep_batch(struct ls_ring *r, int opcode, int sqe_flags, int fd, char *buf,
                               uint32_t block_size, const int64_t *offsets, int64_t off0,
                               unsigned int n, uint64_t user_data0, int buf_index)
{
    if ((long)n > ls_ring_space(r))
        return -EBUSY;
    int nop = opcode == IORING_OP_NOP;
    for (unsigned int i = 0; i < n; i++) {
        struct ls_uring_sqe *s = &r->sqes[r->sqe_tail & r->sq_mask];
        r->sqe_tail++;
        memset(s, 0, sizeof *s);
        s->opcode = (uint8_t)opcode;
        s->flags = (uint8_t)sqe_flags;
        s->user_data = user_data0 + i;
        if (nop)
            continue;
        s->fd = fd;
        s->addr = (uint64_t)(uintptr_t)(buf + (size_t)i * block_size);
        s->len = block_size;
        s->off = (uint64_t)(offsets ? offsets[i] : off0 + (int64_t)i * block_size);
        s->buf_index = (uint16_t)(buf_index < 0 ? 0 : buf_index);
    }
    return n;
}

static long ls_ring_submit(struct ls_ring *r, unsigned int wait_nr, int64_t timeout_ns)
{
    __atomic_store_n(r->sq_tail, r->sqe_tail, __ATOMIC_RELEASE);
    unsigned int flags = wait_nr ? IORING_ENTER_GETEVENTS : 0;
    unsigned int pending = r->sqe_tail - __atomic_load_n(r->sq_head, __ATOMIC_ACQUIRE);
    unsigned int to_submit = pending;
    if (r->flags & IORING_SETUP_SQPOLL) {
        /* the thread takes what is published; enter only to wake it, or to wait */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (pending && (__atomic_load_n(r->sq_flags, __ATOMIC_ACQUIRE) & IORING_SQ_NEED_WAKEUP))
            flags |= IORING_ENTER_SQ_WAKEUP;
        if (!(flags & (IORING_ENTER_SQ_WAKEUP | IORING_ENTER_GETEVENTS)))
            return pending;
    } else if (!to_submit && !wait_nr
               && !(__atomic_load_n(r->sq_flags, __ATOMIC_ACQUIRE)
                    & (IORING_SQ_CQ_OVERFLOW | IORING_SQ_TASKRUN))) {
        return 0;
    }
    long ret;
    if (timeout_ns >= 0 && wait_nr) {
        if (!(r->features & IORING_FEAT_EXT_ARG))
            return -ENOSYS;  /* a timeout needs IORING_ENTER_EXT_ARG (Linux 5.11) */
        ret = ls_io_uring_enter_ns(r->fd, to_submit, wait_nr, flags, timeout_ns, NULL, 0);
    } else {
        ret = ls_io_uring_enter(r->fd, to_submit, wait_nr, flags, NULL, 0);
    }
    if (ret >= 0 && (r->flags & IORING_SETUP_SQPOLL))
        ret = pending;
    return ret;
}

static long ls_ring_reap(struct ls_ring *r, int64_t *rows, unsigned int max)
{
    unsigned int head = *r->cq_head;  /* ours alone to write */
    unsigned int n = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE) - head;
    if (n > max)
        n = max;
    for (unsigned int i = 0; i < n; i++) {
        const struct ls_uring_cqe *c = &r->cqes[(head + i) & r->cq_mask];
        rows[3 * i] = (int64_t)c->user_data;
        rows[3 * i + 1] = c->res;
        rows[3 * i + 2] = c->flags;
    }
    __atomic_store_n(r->cq_head, head + n, __ATOMIC_RELEASE);
    return n;
}

static long ls_ring_reap_batch(struct ls_ring *r, uint64_t first, unsigned int count,
                               int64_t *results, int64_t *rows, unsigned int max_rows,
                               unsigned int *others)
{
    unsigned int head = *r->cq_head;
    unsigned int n = __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE) - head;
    unsigned int i, mine = 0, k = 0;
    for (i = 0; i < n; i++) {
        const struct ls_uring_cqe *c = &r->cqes[(head + i) & r->cq_mask];
        uint64_t at = c->user_data - first;
        if (at < count) {
            results[at] = c->res;
            mine++;
        } else {
            if (k == max_rows)
                break;
            rows[3 * k] = (int64_t)c->user_data;
            rows[3 * k + 1] = c->res;
            rows[3 * k + 2] = c->flags;
            k++;
        }
    }
    __atomic_store_n(r->cq_head, head + i, __ATOMIC_RELEASE);
    *others = k;
    return mine;
}

static long ls_ring_run_batch(struct ls_ring *r, int opcode, int sqe_flags, int fd, char *buf,
                              uint32_t block_size, const int64_t *offsets, unsigned int count,
                              uint64_t first, int buf_index, unsigned int cap, int64_t *results,
                              int64_t *rows, unsigned int max_rows, unsigned int *prog)
{
    unsigned int done = prog[0], pending = prog[1], others = 0;
    long ret = 0;
    if (!done && !pending) {  /* a new batch: what is never reaped shows as INT64_MIN */
        for (unsigned int i = 0; i < count; i++)
            results[i] = INT64_MIN;
    }
    while (done < count) {
        unsigned int room = count - done - pending;
        unsigned long space = (unsigned long)ls_ring_space(r);
        unsigned int may = cap > pending ? cap - pending : 0;  /* what the CQ can still take */
        if (room > space)
            room = (unsigned int)space;
        if (room > may)
            room = may;
        if (room) {
            unsigned int at = done + pending;
            ls_ring_prep_batch(r, opcode, sqe_flags, fd,
                               buf ? buf + (size_t)at * block_size : NULL, block_size,
                               offsets ? offsets + at : NULL, 0, room, first + at, buf_index);
            pending += room;
        }
        ret = ls_ring_submit(r, pending, -1);  /* and wait for all of ours that are out */
        long mine = ls_ring_reap_batch(r, first, count, results, rows, max_rows, &others);
        int short_wait = (unsigned int)mine < pending;
        done += (unsigned int)mine;
        pending -= (unsigned int)mine;
        /* an error (EINTR too), rows for Python to take, or a wait cut short by a signal (that
         * returns what was submitted, not EINTR): Python runs its handlers, calls again */
        if (ret < 0 || others || short_wait)
            break;
        if (!pending && !cap) {  /* requests in flight fill the CQ and none completed */
            ret = -EBUSY;
            break;
        }
    }
    prog[2] = others;
    if (done < count) {
        prog[0] = done;
        prog[1] = pending;
        return ret < 0 ? ret : (long)done;
    }
    prog[0] = prog[1] = 0;
    prog[3] = 0;
    for (unsigned int i = 0; i < count; i++) {
        if (results[i] < 0) {
            prog[3] = i + 1;
            break;
        }
    }
    return count;
}

static long ls_ring_statx_flat(const void *statxbuf, int64_t *out)
{
#ifdef SYS_statx
    struct statx s;
    memcpy(&s, statxbuf, sizeof s < LS_STATX_SIZE ? sizeof s : LS_STATX_SIZE);
    ls_statx_flatten(&s, out);
    return 0;
#else
    (void)statxbuf; (void)out;
    return -ENOSYS;
#endif
}

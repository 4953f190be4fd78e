/* Flattened epoll events: (data, events) as two uint64_t, whatever the arch's struct epoll_event
 * (packed, 12 bytes, on x86_64 only: the headers say which). */
#define LS_EPOLL_EVENT_SIZE 16
/* Rows of parsed records: inotify (wd, mask, cookie), fanotify (mask, fd, pid, pidfd).  Every
 * record is at least 16 bytes, so count / 16 rows always suffice. */
#define LS_INOTIFY_ROW 3
#define LS_FANOTIFY_ROW 4
#define LS_EP_MAX_EVENTS ((int)(0x7fffffff / sizeof(struct epoll_event)))
/* The kernel's sigset_t: 64 signals, 8 bytes, on every arch (see signal.h). */
#define LS_KERNEL_SIGSET 8

_Static_assert(sizeof(struct epoll_event) <= LS_EPOLL_EVENT_SIZE, "struct epoll_event");
_Static_assert(sizeof(struct pollfd) == 2 * sizeof(int), "struct pollfd");

static long ls_epoll_ctl(int epfd, int op, int fd, unsigned int events, uint64_t data)
{
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.events = events;
    ev.data.u64 = data;
    return ls_ret(syscall(SYS_epoll_ctl, (long)epfd, (long)op, (long)fd, (long)&ev));
}

/* The kernel wrote r struct epoll_event into buf; rewrite them in place as (data, events)
 * pairs, last first: pair i never overlaps an event not yet read. */
static long ls_epoll_flatten(void *buf, long r)
{
    if (r == -1)
        return -errno;
    char *p = buf;
    for (long i = r - 1; i >= 0; i--) {
        struct epoll_event ev;
        memcpy(&ev, p + i * sizeof ev, sizeof ev);
        uint64_t pair[2] = {ev.data.u64, ev.events};
        memcpy(p + i * LS_EPOLL_EVENT_SIZE, pair, sizeof pair);
    }
    return r;
}

/* epoll_wait is epoll_pwait without a mask: aarch64 has no epoll_wait. */
static long ls_epoll_pwait(int epfd, void *events, int maxevents, int timeout_ms, const uint64_t *sigmask)
{
    long r = syscall(SYS_epoll_pwait, (long)epfd, (long)events, (long)maxevents, (long)timeout_ms,
                     (long)sigmask, (long)LS_KERNEL_SIGSET);
    return ls_epoll_flatten(events, r);
}

/* Epoll.poll's call: epoll_pwait without a mask (aarch64 has no epoll_wait), one argument
 * fewer for cffi to convert. */
static long ls_epoll_wait(int epfd, void *events, int maxevents, int timeout_ms)
{
    return ls_epoll_pwait(epfd, events, maxevents, timeout_ms, NULL);
}

/* Epoll.poll(0)'s call: epoll_wait that returns at once, so it keeps the GIL (core.c). */
static long ls_epoll_poll0(int epfd, void *events, int maxevents)
{
    return ls_epoll_pwait(epfd, events, maxevents, 0, NULL);
}

/* epoll_pwait2 (Linux 5.11) takes a __kernel_timespec on every arch: no time64 twin. */
static long ls_epoll_pwait2(int epfd, void *events, int maxevents, int64_t timeout_ns, const uint64_t *sigmask)
{
#ifdef SYS_epoll_pwait2
    struct __kernel_timespec ts;
    long r = syscall(SYS_epoll_pwait2, (long)epfd, (long)events, (long)maxevents,
                     (long)ls_kts_ptr(&ts, timeout_ns), (long)sigmask, (long)LS_KERNEL_SIGSET);
    return ls_epoll_flatten(events, r);
#else
    (void)epfd; (void)events; (void)maxevents; (void)timeout_ns; (void)sigmask;
    return -ENOSYS;
#endif
}

/* ppoll_time64 on 32-bit arches (no 2038 limit), the plain call before Linux 5.1 or on 64-bit
 * arches, whose timespec is already 64-bit. */
static long ls_ppoll_call(struct pollfd *fds, unsigned int nfds, int64_t timeout_ns, const uint64_t *sigmask)
{
#ifdef SYS_ppoll_time64
    struct __kernel_timespec ts;
    long r = syscall(SYS_ppoll_time64, (long)fds, (long)nfds, (long)ls_kts_ptr(&ts, timeout_ns),
                     (long)sigmask, (long)LS_KERNEL_SIGSET);
    if (r != -1 || errno != ENOSYS)
        return ls_ret(r);
#endif
    struct __kernel_timespec kts = ls_kts(timeout_ns);
    struct ls_old_timespec old;
    if (timeout_ns >= 0 && ls_to_old(&old, &kts, 1))
        return -EOVERFLOW;
    return ls_ret(syscall(SYS_ppoll, (long)fds, (long)nfds, (long)(timeout_ns < 0 ? NULL : &old),
                          (long)sigmask, (long)LS_KERNEL_SIGSET));
}

/* fds: nfds (fd, events) int pairs, made struct pollfd in place for the call (both are two ints
 * wide), then (fd, revents) pairs on success, (fd, events) again on failure so a retry after
 * EINTR can pass the same array.  poll is this too: aarch64 has no poll syscall. */
static long ls_ppoll(int *fds, unsigned int nfds, int64_t timeout_ns, const uint64_t *sigmask)
{
    struct pollfd pfd;
    for (unsigned int i = 0; i < nfds; i++) {
        pfd.fd = fds[2 * i];
        pfd.events = (short)fds[2 * i + 1];
        pfd.revents = 0;
        memcpy(fds + 2 * i, &pfd, sizeof pfd);
    }
    long r = ls_ppoll_call((struct pollfd *)fds, nfds, timeout_ns, sigmask);
    for (unsigned int i = 0; i < nfds; i++) {
        memcpy(&pfd, fds + 2 * i, sizeof pfd);
        fds[2 * i] = pfd.fd;
        fds[2 * i + 1] = (unsigned short)(r < 0 ? pfd.events : pfd.revents);
    }
    return r;
}

/* The kernel's fd_set: FD_SETSIZE bits in unsigned longs, fd's bit in long fd / LS_FD_BITS. */
#define LS_FD_SETSIZE 1024
#define LS_FD_BITS (8 * sizeof(unsigned long))
struct ls_fd_set { unsigned long bits[LS_FD_SETSIZE / (8 * sizeof(unsigned long))]; };

/* pselect6's last argument points to {sigset pointer, its size} (two words on every arch). */
struct ls_sigset_argpack { const uint64_t *ss; size_t ss_len; };

/* pselect6_time64 on 32-bit arches (no 2038 limit), the plain call before Linux 5.1 or on
 * 64-bit arches, as ls_ppoll_call.  The kernel writes the time left into the timespec: a copy. */
static long ls_pselect6_call(int nfds, struct ls_fd_set **sets, int64_t timeout_ns, const uint64_t *sigmask)
{
    struct ls_sigset_argpack pack = {sigmask, LS_KERNEL_SIGSET};
    struct ls_sigset_argpack *packp = sigmask ? &pack : NULL;
#ifdef SYS_pselect6_time64
    struct __kernel_timespec ts;
    long r = syscall(SYS_pselect6_time64, (long)nfds, (long)sets[0], (long)sets[1], (long)sets[2],
                     (long)ls_kts_ptr(&ts, timeout_ns), (long)packp);
    if (r != -1 || errno != ENOSYS)
        return ls_ret(r);
#endif
    struct __kernel_timespec kts = ls_kts(timeout_ns);
    struct ls_old_timespec old;
    if (timeout_ns >= 0 && ls_to_old(&old, &kts, 1))
        return -EOVERFLOW;
    return ls_ret(syscall(SYS_pselect6, (long)nfds, (long)sets[0], (long)sets[1], (long)sets[2],
                          (long)(timeout_ns < 0 ? NULL : &old), (long)packp));
}

/* The three fd_sets built from the lists (an empty list: NULL), and each fd's answer read back
 * from its own set, so a list naming an fd twice gets both marked. */
static long ls_pselect6(const int *fds, unsigned int nr, unsigned int nw, unsigned int nx, unsigned char *ready, int64_t timeout_ns, const uint64_t *sigmask)
{
    struct ls_fd_set set[3];
    struct ls_fd_set *sets[3];
    unsigned int counts[3] = {nr, nw, nx};
    int nfds = 0;
    size_t k = 0;
    for (int s = 0; s < 3; s++) {
        memset(&set[s], 0, sizeof set[s]);
        sets[s] = counts[s] ? &set[s] : NULL;
        for (unsigned int i = 0; i < counts[s]; i++, k++) {
            if (fds[k] < 0 || fds[k] >= LS_FD_SETSIZE)
                return -EINVAL;
            set[s].bits[fds[k] / LS_FD_BITS] |= 1UL << (fds[k] % LS_FD_BITS);
            if (fds[k] >= nfds)
                nfds = fds[k] + 1;
        }
    }
    long r = ls_pselect6_call(nfds, sets, timeout_ns, sigmask);
    k = 0;
    for (int s = 0; s < 3; s++)
        for (unsigned int i = 0; i < counts[s]; i++, k++)
            ready[k] = r > 0 && (set[s].bits[fds[k] / LS_FD_BITS] >> (fds[k] % LS_FD_BITS)) & 1;
    return r;
}

/* eventfd_read in one crossing with one argument (cffi's cheapest call): the counter is the
 * result.  A read never gives 0 (it waits or fails while the counter is 0); a counter above
 * INT64_MAX reads as a negative result below -4095 (Python adds 2**64), except the top ones
 * (2**64-4095 .. 2**64-2), which would read as -errno: those are parked, 0 returned, and
 * ls_eventfd_parked(fd) takes them back.  Parked per thread (the GIL is released here), newest
 * first by fd: a signal handler that runs between the two calls and reads such a counter
 * itself takes its own.  -EINVAL if the read does not give 8 bytes (not an eventfd). */
#define LS_EVENTFD_PARKED 16
static __thread struct { int fd; uint64_t value; } ls_eventfd_park[LS_EVENTFD_PARKED];
static __thread unsigned int ls_eventfd_parks;  /* ever parked; the ring keeps the last 16 */

static int64_t ls_eventfd_read(int fd)
{
    uint64_t value;
    long r = syscall(SYS_read, (long)fd, (long)&value, 8L);
    if (r == -1)
        return -errno;
    if (r != 8)
        return -EINVAL;
    if ((int64_t)value < 0 && (int64_t)value >= -4095) {
        unsigned int i = ls_eventfd_parks++ % LS_EVENTFD_PARKED;
        ls_eventfd_park[i].fd = fd;
        ls_eventfd_park[i].value = value;
        return 0;
    }
    return (int64_t)value;
}

/* The counter ls_eventfd_read(fd) parked last and nobody took (UINT64_MAX, which no counter
 * holds, if none). */
static uint64_t ls_eventfd_parked(int fd)
{
    for (unsigned int k = 1; k <= LS_EVENTFD_PARKED; k++) {
        unsigned int i = (ls_eventfd_parks - k) % LS_EVENTFD_PARKED;
        if (ls_eventfd_park[i].fd == fd && ls_eventfd_park[i].value != UINT64_MAX) {
            uint64_t value = ls_eventfd_park[i].value;
            ls_eventfd_park[i].value = UINT64_MAX;
            return value;
        }
    }
    return UINT64_MAX;
}

/* eventfd_write: the 8 bytes built here, one argument fewer than write.  8 or -errno. */
static long ls_eventfd_write(int fd, uint64_t value)
{
    return ls_ret(syscall(SYS_write, (long)fd, (long)&value, 8L));
}

/* One read of inotify records, parsed: row i of rows gets (wd, mask, cookie) of event i, and
 * buf is compacted in place to each event's name followed by NUL ("" for none).  Returns the
 * bytes of names used (one NUL per event), or -errno. */
static long ls_inotify_read(int fd, char *buf, size_t count, int64_t *rows)
{
    long n = syscall(SYS_read, (long)fd, (long)buf, (long)count);
    if (n == -1)
        return -errno;
    long pos = 0, out = 0;
    int64_t *row = rows;
    while (pos + (long)sizeof(struct inotify_event) <= n) {
        struct inotify_event ev;
        memcpy(&ev, buf + pos, sizeof ev);
        const char *name = buf + pos + sizeof ev;
        if (pos + (long)(sizeof ev + ev.len) > n)
            break;
        size_t len = strnlen(name, ev.len);
        row[0] = ev.wd;
        row[1] = ev.mask;
        row[2] = ev.cookie;
        row += LS_INOTIFY_ROW;
        memmove(buf + out, name, len);  /* out <= pos: the names only move toward the front */
        buf[out + len] = 0;
        out += (long)len + 1;
        pos += (long)(sizeof ev + ev.len);
    }
    return out;
}

static long ls_fanotify_mark(int fd, unsigned int flags, uint64_t mask, int dirfd, const char *path)
{
#ifdef SYS_fanotify_mark
    /* On ARM EABI the mask's register pair starts at r2, already even: no padding. */
    return ls_ret(syscall(SYS_fanotify_mark, (long)fd, (long)flags, LS_ARG64(mask), (long)dirfd, (long)path));
#else
    (void)fd; (void)flags; (void)mask; (void)dirfd; (void)path;
    return -ENOSYS;
#endif
}

/* One read of fanotify events, parsed: row i of rows gets (mask, fd, pid, pidfd) of event i, fd
 * FAN_NOFD without one, pidfd from a FAN_REPORT_PIDFD info record (else FAN_NOFD).  Other info
 * records are skipped.  Returns the number of events, or -errno.  Every event's metadata version
 * is checked before any row is written: with another version the layout (and so where the fds
 * are) is unknown, and a number taken for an fd would later close someone else's file. */
static long ls_fanotify_read(int fd, char *buf, size_t count, int64_t *rows)
{
    long n = syscall(SYS_read, (long)fd, (long)buf, (long)count);
    if (n == -1)
        return -errno;
    struct fanotify_event_metadata m;
    for (long pos = 0; pos + (long)sizeof m <= n; pos += m.event_len) {
        memcpy(&m, buf + pos, sizeof m);
        if (m.vers != FANOTIFY_METADATA_VERSION) {
            rows[0] = m.vers;
            return -EPROTO;
        }
        if (m.event_len < sizeof m)
            break;
    }
    long pos = 0, k = 0;
    while (pos + (long)sizeof m <= n) {
        memcpy(&m, buf + pos, sizeof m);
        if (m.event_len < sizeof m || pos + (long)m.event_len > n)
            break;
        int64_t pidfd = FAN_NOFD;
        /* struct fanotify_event_info_header (Linux 5.1): u8 type, u8 pad, u16 len. */
        struct { uint8_t info_type; uint8_t pad; uint16_t len; } h;
        for (long info = pos + m.metadata_len; info + (long)sizeof h <= pos + (long)m.event_len; info += h.len) {
            memcpy(&h, buf + info, sizeof h);
            if (h.len < sizeof h)
                break;
            if (h.info_type == FAN_EVENT_INFO_TYPE_PIDFD && h.len >= sizeof h + sizeof(int32_t)) {
                int32_t p;
                memcpy(&p, buf + info + sizeof h, sizeof p);
                pidfd = p;
            }
        }
        int64_t *row = rows + k * LS_FANOTIFY_ROW;
        row[0] = (int64_t)m.mask;
        row[1] = m.fd;
        row[2] = m.pid;
        row[3] = pidfd;
        k++;
        pos += m.event_len;
    }
    return k;
}

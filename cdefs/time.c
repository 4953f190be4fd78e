/* clock_gettime and gettimeofday are read from the vDSO by libc, where the raw syscall would
 * cost a kernel entry; each returns ns (gettimeofday's in whole microseconds) or -errno. */
#if __SIZEOF_LONG__ == 4 && defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
/* glibc >= 2.34 on 32-bit arches: its 64-bit-time entry points (the plain names have a 32-bit
 * time_t unless the whole build uses _TIME_BITS=64).  Its struct __timespec64 has a 32-bit
 * tv_nsec and padding; its struct __timeval64 a 64-bit tv_usec. */
struct ls_glibc_timespec64 { int64_t tv_sec; int32_t tv_nsec; int32_t pad; };
struct ls_glibc_timeval64 { int64_t tv_sec; int64_t tv_usec; };
extern int __clock_gettime64(clockid_t clockid, struct ls_glibc_timespec64 *ts);
extern int __gettimeofday64(struct ls_glibc_timeval64 *tv, void *tz);

static int64_t ls_clock_gettime(int clockid)
{
    struct ls_glibc_timespec64 ts;
    if (__clock_gettime64(clockid, &ts) != 0)
        return -errno;
    return ts.tv_sec * LS_NS_PER_S + ts.tv_nsec;
}

static int64_t ls_gettimeofday(void)
{
    struct ls_glibc_timeval64 tv;
    if (__gettimeofday64(&tv, NULL) != 0)
        return -errno;
    return tv.tv_sec * LS_NS_PER_S + tv.tv_usec * 1000;
}
#elif defined(SYS_clock_gettime64)
/* Older C libraries on 32-bit arches: the raw clock_gettime64; on a kernel without it, libc's
 * clock_gettime (32-bit time_t), remembered so that later reads are a single call. */
static int ls_no_clock_gettime64;

static int64_t ls_clock_gettime(int clockid)
{
    if (!ls_no_clock_gettime64) {
        struct __kernel_timespec ts;
        if (syscall(SYS_clock_gettime64, (long)clockid, (long)&ts) == 0)
            return ls_kts_ns(&ts);
        if (errno != ENOSYS)
            return -errno;
        ls_no_clock_gettime64 = 1;
    }
    struct timespec old;
    if (clock_gettime(clockid, &old) != 0)
        return -errno;
    return (int64_t)old.tv_sec * LS_NS_PER_S + old.tv_nsec;
}

/* No gettimeofday_time64 exists: CLOCK_REALTIME cut to microseconds, as glibc 2.34 does. */
static int64_t ls_gettimeofday(void)
{
    int64_t ns = ls_clock_gettime(CLOCK_REALTIME);
    return ns < 0 ? ns : ns - ns % 1000;
}
#else
/* 64-bit arches: libc's time_t is 64-bit. */
static int64_t ls_clock_gettime(int clockid)
{
    struct timespec ts;
    if (clock_gettime(clockid, &ts) != 0)
        return -errno;
    return (int64_t)ts.tv_sec * LS_NS_PER_S + ts.tv_nsec;
}

static int64_t ls_gettimeofday(void)
{
    struct timeval tv;
    if (gettimeofday(&tv, NULL) != 0)
        return -errno;
    return (int64_t)tv.tv_sec * LS_NS_PER_S + (int64_t)tv.tv_usec * 1000;
}
#endif

static int64_t ls_clock_getres(int clockid)
{
    struct __kernel_timespec ts;
#ifdef SYS_clock_getres_time64
    long r = syscall(SYS_clock_getres_time64, (long)clockid, (long)&ts);
    if (r == -1 && errno == ENOSYS) {
        struct ls_old_timespec old;
        r = syscall(SYS_clock_getres, (long)clockid, (long)&old);
        if (r == 0)
            ls_from_old(&ts, &old, 1);
    }
#else
    long r = syscall(SYS_clock_getres, (long)clockid, (long)&ts);
#endif
    return r == -1 ? -errno : ls_kts_ns(&ts);
}

static long ls_clock_settime(int clockid, int64_t ns)
{
    struct __kernel_timespec ts = ls_kts(ns);
#ifdef SYS_clock_settime64
    long r = syscall(SYS_clock_settime64, (long)clockid, (long)&ts);
    if (r == -1 && errno == ENOSYS) {
        struct ls_old_timespec old;
        if (ls_to_old(&old, &ts, 1))
            return -EOVERFLOW;
        r = syscall(SYS_clock_settime, (long)clockid, (long)&old);
    }
#else
    long r = syscall(SYS_clock_settime, (long)clockid, (long)&ts);
#endif
    return ls_ret(r);
}

/* rem (if not NULL) gets the time left when a relative sleep is interrupted (EINTR), else 0. */
static long ls_clock_nanosleep(int clockid, int flags, int64_t ns, int64_t *rem)
{
    struct __kernel_timespec ts = ls_kts(ns), left = {0, 0};
#ifdef SYS_clock_nanosleep_time64
    long r = syscall(SYS_clock_nanosleep_time64, (long)clockid, (long)flags, (long)&ts,
                     (long)&left);
    if (r == -1 && errno == ENOSYS) {
        struct ls_old_timespec old, old_left = {0, 0};
        if (ls_to_old(&old, &ts, 1))
            return -EOVERFLOW;
        r = syscall(SYS_clock_nanosleep, (long)clockid, (long)flags, (long)&old, (long)&old_left);
        ls_from_old(&left, &old_left, 1);
    }
#else
    long r = syscall(SYS_clock_nanosleep, (long)clockid, (long)flags, (long)&ts, (long)&left);
#endif
    if (rem)
        *rem = ls_kts_ns(&left);
    return ls_ret(r);
}

/* The kernel's struct itimerspec is two timespecs, {it_interval, it_value}; the helpers take
 * and give {value, interval}, timerfd_gettime's order of results. */
static void ls_itimer_out(int64_t *out, const struct __kernel_timespec *its)
{
    out[0] = ls_kts_ns(&its[1]);
    out[1] = ls_kts_ns(&its[0]);
}

/* old (if not NULL) gets the previous {value, interval}. */
static long ls_timerfd_settime(int fd, int flags, int64_t value, int64_t interval, int64_t *old)
{
    struct __kernel_timespec its[2] = {ls_kts(interval), ls_kts(value)}, prev[2];
#ifdef SYS_timerfd_settime64
    long r = syscall(SYS_timerfd_settime64, (long)fd, (long)flags, (long)its, (long)prev);
    if (r == -1 && errno == ENOSYS) {
        struct ls_old_timespec o[2], o_prev[2];
        if (ls_to_old(o, its, 2))
            return -EOVERFLOW;
        r = syscall(SYS_timerfd_settime, (long)fd, (long)flags, (long)o, (long)o_prev);
        if (r == 0)
            ls_from_old(prev, o_prev, 2);
    }
#else
    long r = syscall(SYS_timerfd_settime, (long)fd, (long)flags, (long)its, (long)prev);
#endif
    if (r == -1)
        return -errno;
    if (old)
        ls_itimer_out(old, prev);
    return 0;
}

/* cur gets {value, interval}: the time to the next expiration (0: disarmed) and the period. */
static long ls_timerfd_gettime(int fd, int64_t *cur)
{
    struct __kernel_timespec its[2];
#ifdef SYS_timerfd_gettime64
    long r = syscall(SYS_timerfd_gettime64, (long)fd, (long)its);
    if (r == -1 && errno == ENOSYS) {
        struct ls_old_timespec o[2];
        r = syscall(SYS_timerfd_gettime, (long)fd, (long)o);
        if (r == 0)
            ls_from_old(its, o, 2);
    }
#else
    long r = syscall(SYS_timerfd_gettime, (long)fd, (long)its);
#endif
    if (r == -1)
        return -errno;
    ls_itimer_out(cur, its);
    return 0;
}

/* out gets {utime, stime, cutime, cstime, elapsed} in clock ticks, each as the unsigned clock_t
 * the kernel counts in (it wraps at 2**32 on 32-bit arches).  libc's times() tells a tick count
 * that looks like -errno from an error. */
static long ls_times(int64_t *out)
{
    struct tms t;
    errno = 0;
    clock_t c = times(&t);
    if (c == (clock_t)-1 && errno != 0)
        return -errno;
    out[0] = (int64_t)(unsigned long)t.tms_utime;
    out[1] = (int64_t)(unsigned long)t.tms_stime;
    out[2] = (int64_t)(unsigned long)t.tms_cutime;
    out[3] = (int64_t)(unsigned long)t.tms_cstime;
    out[4] = (int64_t)(unsigned long)c;
    return 0;
}

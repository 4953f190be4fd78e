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

/* The *_time64 twins where the build has them (32-bit arches), -1 elsewhere. */
#ifdef SYS_timerfd_settime64
#  define LS_TIMERFD_SETTIME64 SYS_timerfd_settime64
#  define LS_TIMERFD_GETTIME64 SYS_timerfd_gettime64
#else
#  define LS_TIMERFD_SETTIME64 (-1L)
#  define LS_TIMERFD_GETTIME64 (-1L)
#endif
#ifdef SYS_timer_settime64
#  define LS_TIMER_SETTIME64 SYS_timer_settime64
#  define LS_TIMER_GETTIME64 SYS_timer_gettime64
#else
#  define LS_TIMER_SETTIME64 (-1L)
#  define LS_TIMER_GETTIME64 (-1L)
#endif

/* timerfd_settime and timer_settime, one shape (id, flags, new, old): the time64 call nr64
 * first (-1: none), the 32-bit-time nr on ENOSYS.  old (if not NULL) gets the previous
 * {value, interval}. */
static long ls_settime_call(long nr64, long nr, int id, int flags, int64_t value, int64_t interval,
                            int64_t *old)
{
    struct __kernel_timespec its[2] = {ls_kts(interval), ls_kts(value)}, prev[2];
    long r;
    if (nr64 < 0) {
        r = syscall(nr, (long)id, (long)flags, (long)its, (long)prev);
    } else {
        r = syscall(nr64, (long)id, (long)flags, (long)its, (long)prev);
        if (r == -1 && errno == ENOSYS) {
            struct ls_old_timespec o[2], o_prev[2];
            if (ls_to_old(o, its, 2))
                return -EOVERFLOW;
            r = syscall(nr, (long)id, (long)flags, (long)o, (long)o_prev);
            if (r == 0)
                ls_from_old(prev, o_prev, 2);
        }
    }
    if (r == -1)
        return -errno;
    if (old)
        ls_itimer_out(old, prev);
    return 0;
}

/* timerfd_gettime and timer_gettime: cur gets {value, interval}, the time to the next
 * expiration (0: disarmed) and the period. */
static long ls_gettime_call(long nr64, long nr, int id, int64_t *cur)
{
    struct __kernel_timespec its[2];
    long r;
    if (nr64 < 0) {
        r = syscall(nr, (long)id, (long)its);
    } else {
        r = syscall(nr64, (long)id, (long)its);
        if (r == -1 && errno == ENOSYS) {
            struct ls_old_timespec o[2];
            r = syscall(nr, (long)id, (long)o);
            if (r == 0)
                ls_from_old(its, o, 2);
        }
    }
    if (r == -1)
        return -errno;
    ls_itimer_out(cur, its);
    return 0;
}

static long ls_timerfd_settime(int fd, int flags, int64_t value, int64_t interval, int64_t *old)
{
    return ls_settime_call(LS_TIMERFD_SETTIME64, SYS_timerfd_settime, fd, flags, value, interval,
                           old);
}

static long ls_timerfd_gettime(int fd, int64_t *cur)
{
    return ls_gettime_call(LS_TIMERFD_GETTIME64, SYS_timerfd_gettime, fd, cur);
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

/* ---- POSIX timers ------------------------------------------------------------------------ */

/* The kernel's struct sigevent (asm-generic/siginfo.h; x86, arm and arm64 keep its generic
 * layout): the sigval union (pointer-sized), signo, notify, then a union padded to 64 bytes
 * whose first int is sigev_notify_thread_id.  glibc's struct sigevent has the same layout
 * (checked below); its member names are macros in newer glibc, so these are plain. */
struct ls_sigevent {
    intptr_t value;
    int signo;
    int notify;
    int tid;
    int pad[(64 - sizeof(intptr_t) - 2 * sizeof(int)) / sizeof(int) - 1];
};
_Static_assert(sizeof(struct ls_sigevent) == 64, "struct sigevent is 64 bytes");
_Static_assert(sizeof(struct ls_sigevent) == sizeof(struct sigevent), "glibc's sigevent");
_Static_assert(offsetof(struct ls_sigevent, signo) == offsetof(struct sigevent, sigev_signo)
               && offsetof(struct ls_sigevent, notify) == offsetof(struct sigevent, sigev_notify)
               && offsetof(struct ls_sigevent, tid) == offsetof(struct sigevent, _sigev_un),
               "struct sigevent's layout");

/* timerid gets the kernel's timer id (an int). */
static long ls_timer_create(int clockid, const struct ls_sigevent *sevp, int *timerid)
{
    return ls_ret(syscall(SYS_timer_create, (long)clockid, (long)sevp, (long)timerid));
}

static long ls_timer_settime(int timerid, int flags, int64_t value, int64_t interval, int64_t *old)
{
    return ls_settime_call(LS_TIMER_SETTIME64, SYS_timer_settime, timerid, flags, value, interval,
                           old);
}

static long ls_timer_gettime(int timerid, int64_t *cur)
{
    return ls_gettime_call(LS_TIMER_GETTIME64, SYS_timer_gettime, timerid, cur);
}

/* ---- interval timers ------------------------------------------------------------------------ */

/* The kernel's struct __kernel_old_itimerval: {it_interval, it_value}, each long seconds and
 * long microseconds (32-bit on 32-bit arches; there is no time64 twin). */
struct ls_old_itimerval { long interval_sec, interval_usec, value_sec, value_usec; };

/* ns -> (sec, usec), the microseconds rounded up: a value under 1 us must not disarm the
 * timer.  A negative time becomes -1 s, which the kernel refuses (EINVAL) as it refuses any
 * negative timeval.  -EOVERFLOW if the seconds do not fit a long. */
static int ls_to_tv(long *sec, long *usec, int64_t ns)
{
    if (ns < 0) {
        *sec = -1;
        *usec = 0;
        return 0;
    }
    int64_t s = ns / LS_NS_PER_S, us = (ns % LS_NS_PER_S + 999) / 1000;
    if (us == 1000000) {
        s += 1;
        us = 0;
    }
    *sec = (long)s;
    *usec = (long)us;
    return *sec == s ? 0 : -EOVERFLOW;
}

static void ls_itimerval_out(int64_t *out, const struct ls_old_itimerval *it)
{
    out[0] = (int64_t)it->value_sec * LS_NS_PER_S + (int64_t)it->value_usec * 1000;
    out[1] = (int64_t)it->interval_sec * LS_NS_PER_S + (int64_t)it->interval_usec * 1000;
}

/* cur gets {value, interval} in ns (whole microseconds). */
static long ls_getitimer(int which, int64_t *cur)
{
    struct ls_old_itimerval it;
    if (syscall(SYS_getitimer, (long)which, (long)&it) != 0)
        return -errno;
    ls_itimerval_out(cur, &it);
    return 0;
}

/* old (if not NULL) gets the previous {value, interval}. */
static long ls_setitimer(int which, int64_t value, int64_t interval, int64_t *old)
{
    struct ls_old_itimerval it, prev;
    if (ls_to_tv(&it.value_sec, &it.value_usec, value)
        || ls_to_tv(&it.interval_sec, &it.interval_usec, interval))
        return -EOVERFLOW;
    if (syscall(SYS_setitimer, (long)which, (long)&it, (long)&prev) != 0)
        return -errno;
    if (old)
        ls_itimerval_out(old, &prev);
    return 0;
}

/* ---- clock adjustment ------------------------------------------------------------------------ */

/* The kernel's struct __kernel_timex (linux/timex.h, Linux 5.1; the layout of struct timex on
 * 64-bit arches): 64-bit fields, ints padded to 8 bytes, 208 bytes.  Declared here since
 * <linux/timex.h> cannot be included beside the C library's <sys/timex.h>. */
struct ls_timex {
    unsigned int modes; int32_t pad0;
    int64_t offset, freq, maxerror, esterror;
    int status; int32_t pad1;
    int64_t constant, precision, tolerance;
    int64_t time_sec, time_usec;
    int64_t tick, ppsfreq, jitter;
    int shift; int32_t pad2;
    int64_t stabil, jitcnt, calcnt, errcnt, stbcnt;
    int tai; int32_t pad3[11];
};
_Static_assert(sizeof(struct ls_timex) == 208, "struct __kernel_timex is 208 bytes");
_Static_assert(offsetof(struct ls_timex, time_sec) == 72 && offsetof(struct ls_timex, tai) == 160,
               "struct __kernel_timex's layout");

#ifdef SYS_clock_adjtime64
/* 32-bit arches: the plain adjtimex and clock_adjtime take the kernel's struct old_timex32,
 * every field a 32-bit int (the C library's 32-bit-time struct timex). */
struct ls_old_timex {
    uint32_t modes;
    int32_t offset, freq, maxerror, esterror, status, constant, precision, tolerance;
    int32_t time_sec, time_usec;
    int32_t tick, ppsfreq, jitter, shift, stabil, jitcnt, calcnt, errcnt, stbcnt, tai;
    int32_t pad[11];
};

/* What the caller set: -EOVERFLOW if a field does not fit. */
static int ls_timex_to_old(struct ls_old_timex *o, const struct ls_timex *t)
{
    memset(o, 0, sizeof(*o));
    o->modes = t->modes;
#define LS_TX(f) o->f = (int32_t)t->f; if (o->f != t->f) return -EOVERFLOW
    LS_TX(offset); LS_TX(freq); LS_TX(maxerror); LS_TX(esterror); LS_TX(status);
    LS_TX(constant); LS_TX(precision); LS_TX(tolerance); LS_TX(time_sec); LS_TX(time_usec);
    LS_TX(tick); LS_TX(ppsfreq); LS_TX(jitter); LS_TX(shift); LS_TX(stabil); LS_TX(jitcnt);
    LS_TX(calcnt); LS_TX(errcnt); LS_TX(stbcnt); LS_TX(tai);
#undef LS_TX
    return 0;
}

static void ls_timex_from_old(struct ls_timex *t, const struct ls_old_timex *o)
{
    t->modes = o->modes;
#define LS_TX(f) t->f = o->f
    LS_TX(offset); LS_TX(freq); LS_TX(maxerror); LS_TX(esterror); LS_TX(status);
    LS_TX(constant); LS_TX(precision); LS_TX(tolerance); LS_TX(time_sec); LS_TX(time_usec);
    LS_TX(tick); LS_TX(ppsfreq); LS_TX(jitter); LS_TX(shift); LS_TX(stabil); LS_TX(jitcnt);
    LS_TX(calcnt); LS_TX(errcnt); LS_TX(stbcnt); LS_TX(tai);
#undef LS_TX
}

/* The plain call (nr: adjtimex, or clock_adjtime with a clock) on the old struct. */
static long ls_timex_old(long nr, int with_clock, int clockid, struct ls_timex *tx)
{
    struct ls_old_timex o;
    if (!tx)
        return ls_ret(with_clock ? syscall(nr, (long)clockid, 0L) : syscall(nr, 0L));
    if (ls_timex_to_old(&o, tx))
        return -EOVERFLOW;
    long r = with_clock ? syscall(nr, (long)clockid, (long)&o) : syscall(nr, (long)&o);
    if (r == -1)
        return -errno;
    ls_timex_from_old(tx, &o);
    return r;
}
#endif

static long ls_clock_adjtime(int clockid, struct ls_timex *tx)
{
#ifdef SYS_clock_adjtime64
    long r = syscall(SYS_clock_adjtime64, (long)clockid, (long)tx);
    if (r != -1 || errno != ENOSYS)
        return ls_ret(r);
    return ls_timex_old(SYS_clock_adjtime, 1, clockid, tx);
#else
    return ls_ret(syscall(SYS_clock_adjtime, (long)clockid, (long)tx));
#endif
}

/* 32-bit arches have no adjtimex with 64-bit times: clock_adjtime64 on CLOCK_REALTIME is the
 * same call (the kernel's adjtimex is do_adjtimex on it), as the C library issues it. */
static long ls_adjtimex(struct ls_timex *tx)
{
#ifdef SYS_clock_adjtime64
    long r = syscall(SYS_clock_adjtime64, (long)CLOCK_REALTIME, (long)tx);
    if (r != -1 || errno != ENOSYS)
        return ls_ret(r);
    return ls_timex_old(SYS_adjtimex, 0, 0, tx);
#else
    return ls_ret(syscall(SYS_adjtimex, (long)tx));
#endif
}

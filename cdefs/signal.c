#define LS_SIGSET_SIZE 8
#define LS_SIGRTMIN 32
#define LS_SIGRTMAX 64

/* The kernel's siginfo is 128 bytes on every arch; glibc's siginfo_t is declared to match. */
_Static_assert(sizeof(siginfo_t) == 128, "siginfo_t");

/* A siginfo flattened: the slots of its signal's layout (chosen by si_code, as the kernel's
 * siginfo_layout() does) are filled, every other slot is 0, which is exactly what a signalfd
 * record holds, so both kinds of reading give the same result. */
#define LS_SI_SIGNO 0
#define LS_SI_ERRNO 1
#define LS_SI_CODE 2
#define LS_SI_PID 3
#define LS_SI_UID 4
#define LS_SI_STATUS 5
#define LS_SI_UTIME 6
#define LS_SI_STIME 7
#define LS_SI_VALUE 8
#define LS_SI_ADDR 9
#define LS_SI_ADDR_LSB 10
#define LS_SI_BAND 11
#define LS_SI_FD 12
#define LS_SI_TIMERID 13
#define LS_SI_OVERRUN 14
#define LS_SI_CALL_ADDR 15
#define LS_SI_SYSCALL 16
#define LS_SI_ARCH 17
#define LS_SI_COUNT 18

enum ls_siginfo_layout { LS_SIL_KILL, LS_SIL_TIMER, LS_SIL_POLL, LS_SIL_FAULT, LS_SIL_CHLD,
                         LS_SIL_RT, LS_SIL_SYS };

/* The kernel's siginfo_layout() without its per-signal si_code limits (NSIGILL ...), which only
 * a process sending itself made-up codes can exceed. */
static enum ls_siginfo_layout ls_siginfo_layout(int sig, int code)
{
    if (code > SI_USER && code < SI_KERNEL) {
        switch (sig) {
        case SIGILL: case SIGFPE: case SIGSEGV: case SIGBUS: case SIGTRAP:
            return LS_SIL_FAULT;
        case SIGCHLD:
            return LS_SIL_CHLD;
        case SIGSYS:
            return LS_SIL_SYS;
        }
        return code <= POLL_HUP ? LS_SIL_POLL : LS_SIL_KILL;  /* POLL_HUP is NSIGPOLL */
    }
    if (code == SI_TIMER)
        return LS_SIL_TIMER;
    if (code == SI_SIGIO)
        return LS_SIL_POLL;
    return code < 0 ? LS_SIL_RT : LS_SIL_KILL;
}

/* Pointers come out unsigned, sigval signed, both pointer-sized: the kernel widens them to
 * 64 bits with the sign (native 32-bit) or without (compat), so they are narrowed first. */
#define LS_ADDR(p) ((int64_t)(uintptr_t)(p))
#define LS_SIGVAL(p) ((int64_t)(intptr_t)(uintptr_t)(p))

static void ls_siginfo_flatten(const siginfo_t *si, int64_t *out)
{
    memset(out, 0, LS_SI_COUNT * sizeof *out);
    out[LS_SI_SIGNO] = si->si_signo;
    out[LS_SI_ERRNO] = si->si_errno;
    out[LS_SI_CODE] = si->si_code;
    switch (ls_siginfo_layout(si->si_signo, si->si_code)) {
    case LS_SIL_KILL:
        out[LS_SI_PID] = si->si_pid;
        out[LS_SI_UID] = si->si_uid;
        break;
    case LS_SIL_RT:
        out[LS_SI_PID] = si->si_pid;
        out[LS_SI_UID] = si->si_uid;
        out[LS_SI_VALUE] = LS_SIGVAL(si->si_ptr);
        break;
    case LS_SIL_TIMER:
        out[LS_SI_TIMERID] = si->si_timerid;
        out[LS_SI_OVERRUN] = si->si_overrun;
        out[LS_SI_VALUE] = LS_SIGVAL(si->si_ptr);
        break;
    case LS_SIL_POLL:
        out[LS_SI_BAND] = si->si_band;
        out[LS_SI_FD] = si->si_fd;
        break;
    case LS_SIL_FAULT:
        out[LS_SI_ADDR] = LS_ADDR(si->si_addr);
#if defined(si_addr_lsb) && defined(BUS_MCEERR_AR)
        if (si->si_signo == SIGBUS
            && (si->si_code == BUS_MCEERR_AR || si->si_code == BUS_MCEERR_AO))
            out[LS_SI_ADDR_LSB] = si->si_addr_lsb;
#endif
        break;
    case LS_SIL_CHLD:
        out[LS_SI_PID] = si->si_pid;
        out[LS_SI_UID] = si->si_uid;
        out[LS_SI_STATUS] = si->si_status;
        out[LS_SI_UTIME] = si->si_utime;
        out[LS_SI_STIME] = si->si_stime;
        break;
    case LS_SIL_SYS:
#ifdef si_syscall
        out[LS_SI_CALL_ADDR] = LS_ADDR(si->si_call_addr);
        out[LS_SI_SYSCALL] = si->si_syscall;
        out[LS_SI_ARCH] = si->si_arch;
#endif
        break;
    }
}

/* The kernel's struct signalfd_siginfo, 128 bytes since Linux 2.6.22; headers before 4.18
 * (and glibc before 2.29) lack the SIGSYS fields at the end, so it is written out here. */
struct ls_signalfd_siginfo {
    uint32_t ssi_signo;
    int32_t ssi_errno, ssi_code;
    uint32_t ssi_pid, ssi_uid;
    int32_t ssi_fd;
    uint32_t ssi_tid, ssi_band, ssi_overrun, ssi_trapno;
    int32_t ssi_status, ssi_int;
    uint64_t ssi_ptr, ssi_utime, ssi_stime, ssi_addr;
    uint16_t ssi_addr_lsb, __pad2;
    int32_t ssi_syscall;
    uint64_t ssi_call_addr;
    uint32_t ssi_arch;
    uint8_t __pad[28];
};
_Static_assert(sizeof(struct ls_signalfd_siginfo) == 128
               && sizeof(struct signalfd_siginfo) == 128
               && __builtin_offsetof(struct ls_signalfd_siginfo, ssi_addr)
                  == __builtin_offsetof(struct signalfd_siginfo, ssi_addr)
               && __builtin_offsetof(struct ls_signalfd_siginfo, ssi_call_addr) == 88,
               "struct signalfd_siginfo");

/* The kernel already zeroes what is outside the layout: every field is copied. */
static void ls_signalfd_flatten(const struct ls_signalfd_siginfo *s, int64_t *out)
{
    out[LS_SI_SIGNO] = s->ssi_signo;
    out[LS_SI_ERRNO] = s->ssi_errno;
    out[LS_SI_CODE] = s->ssi_code;
    out[LS_SI_PID] = (int32_t)s->ssi_pid;
    out[LS_SI_UID] = s->ssi_uid;
    out[LS_SI_STATUS] = s->ssi_status;
    out[LS_SI_UTIME] = (int64_t)s->ssi_utime;
    out[LS_SI_STIME] = (int64_t)s->ssi_stime;
    out[LS_SI_VALUE] = LS_SIGVAL(s->ssi_ptr);
    out[LS_SI_ADDR] = LS_ADDR(s->ssi_addr);
    out[LS_SI_ADDR_LSB] = s->ssi_addr_lsb;
    out[LS_SI_BAND] = s->ssi_band;
    out[LS_SI_FD] = s->ssi_fd;
    out[LS_SI_TIMERID] = s->ssi_tid;
    out[LS_SI_OVERRUN] = s->ssi_overrun;
    out[LS_SI_CALL_ADDR] = LS_ADDR(s->ssi_call_addr);
    out[LS_SI_SYSCALL] = s->ssi_syscall;
    out[LS_SI_ARCH] = s->ssi_arch;
}

/* 32-bit arches use rt_sigtimedwait_time64 and fall back to the 32-bit call on kernels before
 * 5.1 (see core.c). */
static long ls_rt_sigtimedwait(const uint64_t *set, int64_t *info, int64_t timeout_ns,
                               size_t sigsetsize)
{
    siginfo_t si;
    long r;
    struct __kernel_timespec ts = ls_kts(timeout_ns);
    struct ls_old_timespec old;
#ifdef SYS_rt_sigtimedwait_time64
    r = syscall(SYS_rt_sigtimedwait_time64, (long)set, (long)&si,
                (long)(timeout_ns < 0 ? NULL : &ts), (long)sigsetsize);
    if (r == -1 && errno == ENOSYS)
#endif
    {
        if (timeout_ns >= 0 && ls_to_old(&old, &ts, 1))
            return -EOVERFLOW;
        r = syscall(SYS_rt_sigtimedwait, (long)set, (long)&si,
                    (long)(timeout_ns < 0 ? NULL : &old), (long)sigsetsize);
    }
    if (r == -1)
        return -errno;
    ls_siginfo_flatten(&si, info);
    return r;
}

/* What sigqueue(3) sends: SI_QUEUE from this process and user, carrying value. */
static void ls_queued_info(siginfo_t *si, int sig, intptr_t value)
{
    memset(si, 0, sizeof *si);
    si->si_signo = sig;
    si->si_code = SI_QUEUE;
    si->si_pid = getpid();
    si->si_uid = getuid();
    si->si_ptr = (void *)value;
}

static long ls_rt_sigqueueinfo(int pid, int sig, intptr_t value)
{
    siginfo_t si;
    ls_queued_info(&si, sig, value);
    return ls_ret(syscall(SYS_rt_sigqueueinfo, (long)pid, (long)sig, (long)&si));
}

static long ls_rt_tgsigqueueinfo(int tgid, int tid, int sig, intptr_t value)
{
#ifdef SYS_rt_tgsigqueueinfo
    siginfo_t si;
    ls_queued_info(&si, sig, value);
    return ls_ret(syscall(SYS_rt_tgsigqueueinfo, (long)tgid, (long)tid, (long)sig, (long)&si));
#else
    (void)tgid; (void)tid; (void)sig; (void)value;
    return -ENOSYS;
#endif
}

#define LS_SFD_CHUNK 16

static long ls_signalfd_read(int fd, int64_t *info, size_t max, int wait)
{
    struct ls_signalfd_siginfo buf[LS_SFD_CHUNK];
    size_t n = 0;
    while (n < max) {
        size_t want = max - n < LS_SFD_CHUNK ? max - n : LS_SFD_CHUNK;
        if (n > 0 || !wait) {  /* more only if pending: never block once something was read */
            struct pollfd p = { .fd = fd, .events = POLLIN };
            if (poll(&p, 1, 0) != 1 || !(p.revents & POLLIN)) {
                if (n == 0)
                    return -EAGAIN;
                break;
            }
        }
        long r = syscall(SYS_read, (long)fd, (long)buf, (long)(want * sizeof buf[0]));
        if (r == -1) {
            if (n > 0)
                break;
            return -errno;
        }
        size_t got = (size_t)r / sizeof buf[0];
        for (size_t i = 0; i < got; i++)
            ls_signalfd_flatten(&buf[i], info + (n + i) * LS_SI_COUNT);
        n += got;
        if (got < want)
            break;
    }
    return (long)n;
}

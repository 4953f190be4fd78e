/* <linux/sched/types.h> declares the kernel's struct sched_param as well, which glibc's <sched.h>
 * already declares: renamed while it is read (as glibc 2.41's <bits/sched.h> does).  Included
 * here, not in sched.h, whose preamble tests/test_abi.py compiles without #define lines. */
#if __has_include(<linux/sched/types.h>)
#define sched_param ls_kernel_sched_param
#include <linux/sched/types.h>
#undef sched_param
#endif

/* struct sched_attr as of Linux 5.3 (utilization clamps, SCHED_ATTR_SIZE_VER1), for headers
 * without <linux/sched/types.h> or with an older struct: the helpers' struct sched_attr is then
 * this one (see cdefs/README.md, "Old headers"). */
#ifndef LINUX_VERSION_CODE
#include <linux/version.h>
#endif
#if !__has_include(<linux/sched/types.h>) || LINUX_VERSION_CODE < 0x050300
struct ls_sched_attr_compat {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
    uint32_t sched_util_min, sched_util_max;
};
_Static_assert(sizeof(struct ls_sched_attr_compat) == 56, "struct sched_attr");
#define sched_attr ls_sched_attr_compat
#endif

/* struct sched_param is one int on every arch. */
static long ls_sched_setscheduler(int pid, int policy, int priority)
{
    struct sched_param p = { .sched_priority = priority };
    return ls_ret(syscall(SYS_sched_setscheduler, (long)pid, (long)policy, (long)&p));
}

static long ls_sched_setparam(int pid, int priority)
{
    struct sched_param p = { .sched_priority = priority };
    return ls_ret(syscall(SYS_sched_setparam, (long)pid, (long)&p));
}

static long ls_sched_getparam(int pid)
{
    struct sched_param p;
    long r = syscall(SYS_sched_getparam, (long)pid, (long)&p);
    return r == -1 ? -errno : p.sched_priority;
}

/* struct sched_attr <-> uint64_t slots, in the order of linuxsys.sched.SchedAttr's fields. */
#define LS_SA_COUNT 9

static long ls_sched_getattr(int pid, uint64_t *attr, unsigned int flags)
{
#ifdef SYS_sched_getattr
    struct sched_attr a;
    memset(&a, 0, sizeof a);
    long r = syscall(SYS_sched_getattr, (long)pid, (long)(attr ? &a : NULL), (long)sizeof a, (long)flags);
    if (r == -1)
        return -errno;
    attr[0] = a.sched_policy;
    attr[1] = a.sched_flags;
    attr[2] = (uint64_t)(int64_t)a.sched_nice;
    attr[3] = a.sched_priority;
    attr[4] = a.sched_runtime;
    attr[5] = a.sched_deadline;
    attr[6] = a.sched_period;
    attr[7] = a.sched_util_min;
    attr[8] = a.sched_util_max;
    return 0;
#else
    (void)pid; (void)attr; (void)flags;
    return -ENOSYS;
#endif
}

/* The facade range-checks every slot against its field's type. */
static long ls_sched_setattr(int pid, const uint64_t *attr, unsigned int flags)
{
#ifdef SYS_sched_setattr
    struct sched_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    if (attr) {
        a.sched_policy = (uint32_t)attr[0];
        a.sched_flags = attr[1];
        a.sched_nice = (int32_t)(int64_t)attr[2];
        a.sched_priority = (uint32_t)attr[3];
        a.sched_runtime = attr[4];
        a.sched_deadline = attr[5];
        a.sched_period = attr[6];
        a.sched_util_min = (uint32_t)attr[7];
        a.sched_util_max = (uint32_t)attr[8];
    }
    return ls_ret(syscall(SYS_sched_setattr, (long)pid, (long)(attr ? &a : NULL), (long)flags));
#else
    (void)pid; (void)attr; (void)flags;
    return -ENOSYS;
#endif
}

/* interval: {seconds, nanoseconds}, written on success.  32-bit arches ask
 * sched_rr_get_interval_time64 and fall back to the 32-bit call on kernels before 5.1. */
static long ls_sched_rr_get_interval(int pid, int64_t *interval)
{
    long r;
#ifdef SYS_sched_rr_get_interval_time64
    struct __kernel_timespec ts;
    r = syscall(SYS_sched_rr_get_interval_time64, (long)pid, (long)(interval ? &ts : NULL));
    if (r == 0) {
        interval[0] = ts.tv_sec;
        interval[1] = ts.tv_nsec;
    }
    if (r != -1 || errno != ENOSYS)
        return ls_ret(r);
#endif
    struct ls_old_timespec old;
    r = syscall(SYS_sched_rr_get_interval, (long)pid, (long)(interval ? &old : NULL));
    if (r == 0) {
        interval[0] = old.tv_sec;
        interval[1] = old.tv_nsec;
    }
    return ls_ret(r);
}

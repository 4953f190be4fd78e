/* cffi releases the GIL around every call, ~300 instructions of the ~900 a getpid costs.  These
 * helpers cannot block, so they keep it, as os.getpid and time.clock_gettime_ns do (and a thread
 * calling them never waits behind a busy one for the GIL back); so does epoll_wait with a zero
 * timeout (Epoll.poll(0)).  The wrappers cffi generates after this source use the two macros
 * below with their own name in __func__: the compiler folds the test away, so every other
 * helper releases the GIL exactly as before.  tests/test_process.py checks that the generated
 * wrappers still use these macros. */
static inline __attribute__((always_inline)) int ls_keeps_gil(const char *wrapper)
{
#define LS_KEEPS(name) __builtin_strcmp(wrapper, "_cffi_f_ls_" name) == 0
    return LS_KEEPS("getpid") || LS_KEEPS("getppid") || LS_KEEPS("gettid")
        || LS_KEEPS("getuid") || LS_KEEPS("geteuid") || LS_KEEPS("getgid") || LS_KEEPS("getegid")
        || LS_KEEPS("clock_gettime") || LS_KEEPS("clock_getres") || LS_KEEPS("gettimeofday")
        || LS_KEEPS("epoll_poll0");
#undef LS_KEEPS
}
#undef Py_BEGIN_ALLOW_THREADS
#undef Py_END_ALLOW_THREADS
#define Py_BEGIN_ALLOW_THREADS { PyThreadState *_save = NULL; \
    if (!ls_keeps_gil(__func__)) _save = PyEval_SaveThread();
#define Py_END_ALLOW_THREADS if (!ls_keeps_gil(__func__)) PyEval_RestoreThread(_save); }

/* Every helper returns the kernel's result or -errno: one convention, no ffi.errno reads. */
static inline long ls_ret(long r)
{
    return r == -1 ? -errno : r;
}

/* A 64-bit scalar argument: one register on 64-bit arches, a (low, high) pair on 32-bit ones.
 * ARM EABI starts such a pair on an even register: a helper puts LS_PAD before a pair that
 * would otherwise start on an odd one.  (Handing a long long to variadic syscall() instead is
 * silently truncated on armv7l.) */
#if __SIZEOF_LONG__ == 8
#  define LS_ARG64(v) (long)(v)
#  define LS_PAD
#elif __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#  define LS_ARG64(v) (long)(uint32_t)(uint64_t)(v), (long)(uint32_t)((uint64_t)(v) >> 32)
#  ifdef __ARM_EABI__
#    define LS_PAD 0,
#  else
#    define LS_PAD
#  endif
#else
#  error "32-bit big-endian register pairs are not supported"
#endif

static long ls_syscall6(long nr, long a, long b, long c, long d, long e, long f)
{
    return ls_ret(syscall(nr, a, b, c, d, e, f));
}

/* Time.  Every syscall with a 64-bit time takes struct __kernel_timespec (old headers lack it:
 * the kernel's fixed layout, declared here then). */
#if !__has_include(<linux/time_types.h>)
struct __kernel_timespec { int64_t tv_sec; int64_t tv_nsec; };  /* Linux 5.1 */
_Static_assert(sizeof(struct __kernel_timespec) == 16, "struct __kernel_timespec");
#endif

/* Times cross as int64 nanoseconds: +-292 years, the range of the kernel's own ktime_t (longer
 * timespecs saturate there inside the kernel).  A clock reading is never negative (the kernel
 * refuses to set a clock before 1970, and time namespaces to shift one below 0), so the
 * helpers that return a time use -errno for errors, like every other helper. */
#define LS_NS_PER_S 1000000000LL

/* A negative ns gives negative fields, which every call refuses with EINVAL. */
static inline struct __kernel_timespec ls_kts(int64_t ns)
{
    struct __kernel_timespec ts;
    ts.tv_sec = ns / LS_NS_PER_S;
    ts.tv_nsec = ns % LS_NS_PER_S;
    return ts;
}

static inline int64_t ls_kts_ns(const struct __kernel_timespec *ts)
{
    return (int64_t)ts->tv_sec * LS_NS_PER_S + ts->tv_nsec;
}

/* 32-bit arches issue the *_time64 calls (Linux 5.1).  On ENOSYS they fall back to the plain
 * calls, whose timespec has long fields: EOVERFLOW for a time that does not fit.  (64-bit
 * arches have only the plain calls, which take struct __kernel_timespec's layout.) */
struct ls_old_timespec { long tv_sec; long tv_nsec; };

static int ls_to_old(struct ls_old_timespec *old, const struct __kernel_timespec *ts, int n)
{
    for (int i = 0; i < n; i++) {
        old[i].tv_sec = (long)ts[i].tv_sec;
        old[i].tv_nsec = (long)ts[i].tv_nsec;
        if (old[i].tv_sec != ts[i].tv_sec)
            return -EOVERFLOW;
    }
    return 0;
}

static void ls_from_old(struct __kernel_timespec *ts, const struct ls_old_timespec *old, int n)
{
    for (int i = 0; i < n; i++) {
        ts[i].tv_sec = old[i].tv_sec;
        ts[i].tv_nsec = old[i].tv_nsec;
    }
}

/* A timeout in ns for a call taking a timespec pointer: NULL (wait forever) when negative. */
static inline struct __kernel_timespec *ls_kts_ptr(struct __kernel_timespec *ts, int64_t ns)
{
    if (ns < 0)
        return NULL;
    *ts = ls_kts(ns);
    return ts;
}

/* SysV IPC (memory.c's shm calls, ipc.c's msg and sem calls): the direct calls, else (ENOSYS:
 * i386 before Linux 5.1, or headers and table without the number) the ipc(2) multiplexer. */
#ifndef IPC_64
#define IPC_64 0x0100  /* <linux/ipc.h>, whose struct ipc_perm clashes with glibc's */
#endif
/* The *ctl calls' cmd carries the struct version (IPC_64: the *64_ds structs) where the kernel
 * reads it: in ipc(2) and in ARM's shmctl/msgctl/semctl (the kernel's old_*ctl).  i386's direct
 * calls (5.1) and the 64-bit arches' imply it and answer EINVAL to a cmd carrying it. */
#ifdef __arm__
#define LS_IPC_VERSION IPC_64
#else
#define LS_IPC_VERSION 0
#endif
#ifdef SYS_ipc
#define LS_IPC_NO_DIRECT(r) ((r) == -1 && errno == ENOSYS)
#endif

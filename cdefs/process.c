/* 32-bit arches keep 16-bit uid calls under the plain names: take the *32 ones. */
#ifdef SYS_getuid32
#define LS_ID_GETTER(name) static uint32_t ls_##name(void) { return (uint32_t)syscall(SYS_##name##32); }
#else
#define LS_ID_GETTER(name) static uint32_t ls_##name(void) { return (uint32_t)syscall(SYS_##name); }
#endif
LS_ID_GETTER(getuid)
LS_ID_GETTER(geteuid)
LS_ID_GETTER(getgid)
LS_ID_GETTER(getegid)

/* Kernel structs that old headers lack (see cdefs/README.md, "Old headers").  struct clone_args
 * came in Linux 5.3 and grew set_tid (5.5) and cgroup (5.7); without the third version the
 * helpers' struct clone_args becomes this complete one. */
#ifndef CLONE_ARGS_SIZE_VER2
struct ls_clone_args_compat {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
    uint64_t set_tid, set_tid_size, cgroup;
};
_Static_assert(sizeof(struct ls_clone_args_compat) == 88, "struct clone_args");
#define clone_args ls_clone_args_compat
#endif

#define LS_CLONE_REFUSED (CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | CLONE_SETTLS \
                          | CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)

/* The interpreter's fork hooks.  In the stable ABI since 3.7, but Python.h declares them only
 * for Py_LIMITED_API >= 3.7, and cffi compiles with the unversioned (3.2) limited API. */
PyAPI_FUNC(void) PyOS_BeforeFork(void);
PyAPI_FUNC(void) PyOS_AfterFork_Parent(void);
PyAPI_FUNC(void) PyOS_AfterFork_Child(void);

/* glibc keeps each thread's tid in its struct pthread; fork() has the kernel store the child's
 * there (CLONE_CHILD_SETTID), else the child's glibc would go on using the parent's.  That word
 * is the thread's clear_child_tid, which PR_GET_TID_ADDRESS reads back (into 8 bytes: a 64-bit
 * kernel writes a whole pointer, also for a 32-bit process); it is used only while it holds
 * this thread's tid. */
static pid_t *ls_tid_word(void)
{
#if defined(__GLIBC__) && defined(PR_GET_TID_ADDRESS)
    uint64_t address = 0;
    pid_t *word;
    if (syscall(SYS_prctl, (long)PR_GET_TID_ADDRESS, (long)&address, 0L, 0L, 0L) != 0)
        return NULL;
    word = (pid_t *)(uintptr_t)address;  /* little-endian: a 4-byte pointer is the low half */
    if (word && *word == (pid_t)syscall(SYS_gettid))
        return word;
#endif
    return NULL;
}

/* A fork-like clone, as os.fork does it: with the GIL (cffi released it for the call), the
 * interpreter's before-fork hooks, the raw syscall, then the child's or the parent's hooks (the
 * child's reinitialise the GIL and threading state and run os.register_at_fork callbacks).
 * Like glibc's fork, the child gets its tid word and its robust futex list back.  The child
 * returns from the syscall on its own copy of this stack: no CLONE_VM, no new stack. */
static long ls_fork_like(struct clone_args *args, int legacy)
{
    void *robust = NULL;
    size_t robust_len = 0;
    pid_t *tid;
    long r;
    int e;

    if (args->flags & LS_CLONE_REFUSED)
        return -EINVAL;
    PyGILState_STATE gil = PyGILState_Ensure();
    PyOS_BeforeFork();
#ifdef SYS_get_robust_list
    if (syscall(SYS_get_robust_list, 0L, (long)&robust, (long)&robust_len) != 0)
        robust = NULL;
#endif
    tid = ls_tid_word();
    if (tid) {
        args->flags |= CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID;
        args->child_tid = (uint64_t)(uintptr_t)tid;
    }
    if (legacy)
        /* The tid word goes in both the 4th and the 5th argument: x86_64 takes (flags, stack,
         * parent_tid, child_tid, tls), i386, ARM and arm64 (CLONE_BACKWARDS) take (flags, stack,
         * parent_tid, tls, child_tid); tls is ignored without CLONE_SETTLS.  With CLONE_PIDFD the
         * pidfd lands in parent_tid. */
        r = syscall(SYS_clone, (long)(args->flags | args->exit_signal), 0L,
                    (long)(uintptr_t)args->pidfd, (long)tid, (long)tid);
    else
#ifdef SYS_clone3
        r = syscall(SYS_clone3, (long)args, (long)sizeof *args);
#else
        r = -1, errno = ENOSYS;
#endif
    e = errno;
    if (r == 0) {
#ifdef SYS_set_robust_list
        if (robust)
            syscall(SYS_set_robust_list, (long)robust, (long)robust_len);
#endif
        PyOS_AfterFork_Child();
    } else {
        PyOS_AfterFork_Parent();
    }
    PyGILState_Release(gil);
    return r == -1 ? -e : r;
}

/* clone(2) without a stack: flags (CSIGNAL byte = exit signal); with CLONE_PIDFD the kernel
 * stores the pidfd at *pidfd. */
static long ls_clone(unsigned long flags, int *pidfd)
{
#if defined(__s390__) || defined(__cris__) || defined(__microblaze__)
    (void)flags; (void)pidfd;
    return -ENOSYS;  /* other argument orders (CLONE_BACKWARDS2/3): not handled */
#else
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = flags & ~(unsigned long)CSIGNAL;
    args.exit_signal = flags & CSIGNAL;
    args.pidfd = (uint64_t)(uintptr_t)pidfd;
    return ls_fork_like(&args, 1);
#endif
}

static long ls_clone3(uint64_t flags, int exit_signal, const int *set_tid, size_t set_tid_size,
                      int cgroup, int *pidfd)
{
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = flags;
    args.exit_signal = (uint64_t)(unsigned int)exit_signal;
    args.set_tid = (uint64_t)(uintptr_t)set_tid;
    args.set_tid_size = set_tid_size;
    args.cgroup = (uint64_t)(unsigned int)cgroup;
    args.pidfd = (uint64_t)(uintptr_t)pidfd;
    return ls_fork_like(&args, 0);
}

/* waitid's siginfo, flattened: {si_pid, si_uid, si_signo, si_status, si_code}, written on
 * success only.  (glibc's siginfo_t is the kernel's layout.)  usage: the kernel's struct
 * rusage, 18 longs as for wait4, filled only when a child is reported; NULL: not asked. */
static long ls_waitid(int idtype, int id, unsigned int options, int64_t *result, long *usage)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    long r = syscall(SYS_waitid, (long)idtype, (long)id, (long)&info, (long)options, (long)usage);
    if (r == -1)
        return -errno;
    result[0] = info.si_pid;
    result[1] = (uint32_t)info.si_uid;
    result[2] = info.si_signo;
    result[3] = info.si_status;
    result[4] = info.si_code;
    return r;
}

/* kcmp's idx2 is a pointer for KCMP_EPOLL_TFD: to struct kcmp_epoll_slot, three u32. */
static long ls_kcmp(int pid1, int pid2, int type, unsigned long idx1, unsigned long idx2, const uint32_t *slot)
{
#ifdef SYS_kcmp
    return ls_ret(syscall(SYS_kcmp, (long)pid1, (long)pid2, (long)type, (long)idx1,
                          slot ? (long)slot : (long)idx2));
#else
    (void)pid1; (void)pid2; (void)type; (void)idx1; (void)idx2; (void)slot;
    return -ENOSYS;
#endif
}

/* W: the wait options under one namespace, the kernel's __W* flags included. */
#define LS_WNOHANG WNOHANG
#define LS_WUNTRACED WUNTRACED
#define LS_WSTOPPED WSTOPPED
#define LS_WEXITED WEXITED
#define LS_WCONTINUED WCONTINUED
#define LS_WNOWAIT WNOWAIT
#define LS_WNOTHREAD __WNOTHREAD
#define LS_WALL __WALL
#define LS_WCLONE __WCLONE

/* PER: <sys/personality.h>'s enumerators (in every glibc the wheels target). */
#define LS_PER_LINUX PER_LINUX
#define LS_PER_LINUX_32BIT PER_LINUX_32BIT
#define LS_PER_LINUX32 PER_LINUX32
#define LS_PER_MASK PER_MASK
#define LS_PER_UNAME26 UNAME26
#define LS_PER_ADDR_NO_RANDOMIZE ADDR_NO_RANDOMIZE
#define LS_PER_FDPIC_FUNCPTRS FDPIC_FUNCPTRS
#define LS_PER_MMAP_PAGE_ZERO MMAP_PAGE_ZERO
#define LS_PER_ADDR_COMPAT_LAYOUT ADDR_COMPAT_LAYOUT
#define LS_PER_READ_IMPLIES_EXEC READ_IMPLIES_EXEC
#define LS_PER_ADDR_LIMIT_32BIT ADDR_LIMIT_32BIT
#define LS_PER_SHORT_INODE SHORT_INODE
#define LS_PER_WHOLE_SECONDS WHOLE_SECONDS
#define LS_PER_STICKY_TIMEOUTS STICKY_TIMEOUTS
#define LS_PER_ADDR_LIMIT_3GB ADDR_LIMIT_3GB

/* MEMBARRIER_CMD: enumerators of <linux/membarrier.h>, whose older versions lack the later
 * ones (and enumerators can't be tested with #ifdef): the kernel ABI's values, on every arch. */
#define LS_MEMBARRIER_CMD_QUERY 0
#define LS_MEMBARRIER_CMD_GLOBAL (1 << 0)
#define LS_MEMBARRIER_CMD_GLOBAL_EXPEDITED (1 << 1)
#define LS_MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED (1 << 2)
#define LS_MEMBARRIER_CMD_PRIVATE_EXPEDITED (1 << 3)
#define LS_MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED (1 << 4)
#define LS_MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE (1 << 5)
#define LS_MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (1 << 6)
#define LS_MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ (1 << 7)
#define LS_MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ (1 << 8)
#define LS_MEMBARRIER_CMD_GET_REGISTRATIONS (1 << 9)
#define LS_MEMBARRIER_CMD_FLAG_CPU (1 << 0)

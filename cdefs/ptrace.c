/* struct ptrace_syscall_info came with PTRACE_GET_SYSCALL_INFO in Linux 5.3 (with the
 * PTRACE_EVENTMSG_SYSCALL_* values, which no table defines, so they tell the headers' age).
 * Older headers: the kernel's layout, in fixed-width fields (88 bytes on 64-bit arches; 84 on
 * i386, whose 64-bit fields are 4-aligned: the kernel writes at most the size it is given). */
#ifndef PTRACE_EVENTMSG_SYSCALL_ENTRY
struct ptrace_syscall_info {
    uint8_t op;
    uint8_t pad[3];
    uint32_t arch;
    uint64_t instruction_pointer;
    uint64_t stack_pointer;
    union {
        struct { uint64_t nr; uint64_t args[6]; } entry;
        struct { int64_t rval; uint8_t is_error; } exit;
        struct { uint64_t nr; uint64_t args[6]; uint32_t ret_data; } seccomp;
    };
};
#endif

/* signal.c's, defined further down this module (families are assembled alphabetically). */
static void ls_siginfo_flatten(const siginfo_t *si, int64_t *out);

static long ls_ptrace_getsiginfo(int pid, int64_t *info)
{
#ifdef SYS_ptrace
    siginfo_t si;
    long r = ls_ret(syscall(SYS_ptrace, (long)PTRACE_GETSIGINFO, (long)pid, 0L, (long)&si));
    if (r == 0)
        ls_siginfo_flatten(&si, info);
    return r;
#else
    (void)pid; (void)info;
    return -ENOSYS;
#endif
}

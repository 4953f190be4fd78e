/* seccomp: the notification structs and ioctls where the headers predate them, this build's
 * AUDIT_ARCH, and the filter loader. */

/* Headers before Linux 5.0 (manylinux's 3.10/4.18) have no user notification: the kernel's
 * fixed layouts (include/uapi/linux/seccomp.h).  The guards test the headers' own ioctl
 * macros, which cdefs never names (so no table defines them). */
#ifndef SECCOMP_IOCTL_NOTIF_RECV
struct seccomp_notif_sizes { __u16 seccomp_notif; __u16 seccomp_notif_resp; __u16 seccomp_data; };
struct seccomp_notif { __u64 id; __u32 pid; __u32 flags; struct seccomp_data data; };
struct seccomp_notif_resp { __u64 id; __s64 val; __s32 error; __u32 flags; };
#endif
#ifndef SECCOMP_IOCTL_NOTIF_ADDFD  /* Linux 5.9 */
struct seccomp_notif_addfd { __u64 id; __u32 flags; __u32 srcfd; __u32 newfd; __u32 newfd_flags; };
#endif

#define LS_SECCOMP_IOCTL_NOTIF_RECV _IOWR('!', 0, struct seccomp_notif)
#define LS_SECCOMP_IOCTL_NOTIF_SEND _IOWR('!', 1, struct seccomp_notif_resp)
/* Linux 5.0-5.7 headers spelled it _IOR; the kernel takes both. */
#define LS_SECCOMP_IOCTL_NOTIF_ID_VALID _IOW('!', 2, __u64)
#define LS_SECCOMP_IOCTL_NOTIF_ADDFD _IOW('!', 3, struct seccomp_notif_addfd)

/* The AUDIT_ARCH_* value of the ABI this module is compiled for (seccomp_data.arch of its own
 * syscalls); 0 for one seccomp.py does not know (x32 shares x86_64's value). */
#if defined(__x86_64__) && !defined(__ILP32__)
#  define LS_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__i386__)
#  define LS_AUDIT_ARCH AUDIT_ARCH_I386
#elif defined(__aarch64__) && defined(__AARCH64EL__) && !defined(__ILP32__)
#  define LS_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__arm__) && defined(__ARM_EABI__)
#  if defined(__ARMEB__)
#    define LS_AUDIT_ARCH AUDIT_ARCH_ARMEB
#  else
#    define LS_AUDIT_ARCH AUDIT_ARCH_ARM
#  endif
#elif defined(__riscv) && __riscv_xlen == 64
#  define LS_AUDIT_ARCH AUDIT_ARCH_RISCV64
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
#  define LS_AUDIT_ARCH AUDIT_ARCH_PPC64LE
#elif defined(__s390x__)
#  define LS_AUDIT_ARCH AUDIT_ARCH_S390X
#elif defined(__loongarch64)
#  define LS_AUDIT_ARCH AUDIT_ARCH_LOONGARCH64
#else
#  define LS_AUDIT_ARCH 0
#endif

static long ls_seccomp_filter(unsigned int flags, const void *prog, unsigned int count,
                              int no_new_privs)
{
    struct sock_fprog fprog;
    long r;

    fprog.len = (unsigned short)count;
    fprog.filter = (struct sock_filter *)prog;
    if (no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return -errno;
#ifdef SYS_seccomp
    r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
    return r < 0 ? -errno : r;
#else
    (void)r;
    return -ENOSYS;
#endif
}

/* socketcall(2)'s call numbers (linux/net.h, included by net.c), under names that do not read
 * as syscall numbers (L.SYS takes every SYS_*): a rule on a socket call also covers the call
 * through the multiplexer, where the arch has one (i386). */
#define LS_SOCKETCALL_SOCKET SYS_SOCKET
#define LS_SOCKETCALL_BIND SYS_BIND
#define LS_SOCKETCALL_CONNECT SYS_CONNECT
#define LS_SOCKETCALL_LISTEN SYS_LISTEN
#define LS_SOCKETCALL_ACCEPT SYS_ACCEPT
#define LS_SOCKETCALL_GETSOCKNAME SYS_GETSOCKNAME
#define LS_SOCKETCALL_GETPEERNAME SYS_GETPEERNAME
#define LS_SOCKETCALL_SOCKETPAIR SYS_SOCKETPAIR
#define LS_SOCKETCALL_SEND SYS_SEND
#define LS_SOCKETCALL_RECV SYS_RECV
#define LS_SOCKETCALL_SENDTO SYS_SENDTO
#define LS_SOCKETCALL_RECVFROM SYS_RECVFROM
#define LS_SOCKETCALL_SHUTDOWN SYS_SHUTDOWN
#define LS_SOCKETCALL_SETSOCKOPT SYS_SETSOCKOPT
#define LS_SOCKETCALL_GETSOCKOPT SYS_GETSOCKOPT
#define LS_SOCKETCALL_SENDMSG SYS_SENDMSG
#define LS_SOCKETCALL_RECVMSG SYS_RECVMSG
#define LS_SOCKETCALL_ACCEPT4 SYS_ACCEPT4
#define LS_SOCKETCALL_RECVMMSG SYS_RECVMMSG
#define LS_SOCKETCALL_SENDMMSG SYS_SENDMMSG

/* ns: namespaces (man 7 namespaces): unshare, setns, the UTS names, and the nsfs ioctls
 * (linux/nsfs.h, issued through io's ls_ioctl/ls_ioctl_ptr with the LS_NS_GET_* numbers below).
 * The namespace flags are process.h's CLONE namespace. */
#include <sched.h>
#include <sys/ioctl.h>

/* Plain syscalls (tools/gen_syscalls.py -> linuxsys/_sys_ns.py).  Probes: unshare's unknown
 * flag bits are refused before anything is unshared (EINVAL), setns's bad fd (EBADF). */
SYSCALL(unshare, unsigned long flags /* CLONE */) -> None probe(U32) "Move this thread into new namespaces (CLONE.NEWNS, NEWUSER, NEWPID, NEWNET ...) or unshare its files, fs attributes or System V semaphores"
SYSCALL(setns, int fd /* fd */, int nstype /* CLONE */ = 0) -> None probe(BAD_FD, 0) "Join the namespace an ns Fd refers to (nstype 0: any type, or the CLONE flag it must be), or with a pidfd every namespace of that process named in nstype"
/* Hand-written in ns.py: the length comes from the name. */
SYSCALL(sethostname, const char *name /* str */, size_t len)
SYSCALL(setdomainname, const char *name /* str */, size_t len)

/* Hand-written (ns.c): listns (Linux 6.19) with its struct ns_id_req built from the fields:
 * up to nr ids of namespaces of ns_type (CLONE_NEW* bits, 0: any) owned by user namespace
 * user_ns_id (0: any, LISTNS_CURRENT_USER: the caller's), after last_ns_id. */
long ls_listns(uint32_t ns_type /* CLONE */, uint64_t user_ns_id, uint64_t last_ns_id, uint64_t *ids /* out */, size_t nr, unsigned int flags);
#define LISTNS_CURRENT_USER ...

/* The nsfs ioctl requests (_IO(0xb7, n): the same number on every arch this builds for). */
#define LS_NS_GET_USERNS ...
#define LS_NS_GET_PARENT ...
#define LS_NS_GET_NSTYPE ...
#define LS_NS_GET_OWNER_UID ...

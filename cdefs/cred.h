/* cred: process groups, sessions, user and group ids.
 * The raw set*id calls change the calling thread only (glibc's wrappers signal every thread).
 * 32-bit arches keep the 16-bit uid calls under the plain names: take the *32 ones. */

SYSCALL(getpgid, int pid)
SYSCALL(setpgid, int pid, int pgid)
SYSCALL(getsid, int pid)
SYSCALL(setsid)
SYSCALL(getresuid=getresuid32|getresuid, unsigned int *ruid /* out */, unsigned int *euid /* out */, unsigned int *suid /* out */)
SYSCALL(getresgid=getresgid32|getresgid, unsigned int *rgid /* out */, unsigned int *egid /* out */, unsigned int *sgid /* out */)
SYSCALL(setresuid=setresuid32|setresuid, unsigned int ruid, unsigned int euid, unsigned int suid)
SYSCALL(setresgid=setresgid32|setresgid, unsigned int rgid, unsigned int egid, unsigned int sgid)
SYSCALL(setuid=setuid32|setuid, unsigned int uid)
SYSCALL(setgid=setgid32|setgid, unsigned int gid)
SYSCALL(setreuid=setreuid32|setreuid, unsigned int ruid, unsigned int euid)
SYSCALL(setregid=setregid32|setregid, unsigned int rgid, unsigned int egid)
SYSCALL(getgroups=getgroups32|getgroups, int size, unsigned int *list /* out */)
SYSCALL(setgroups=setgroups32|setgroups, int size, const unsigned int *list)

/* Hand-written (cred.c): the previous fsuid/fsgid, 0..0xffffffff, or -ENOSYS. */
int64_t ls_setfsuid(unsigned int fsuid);
int64_t ls_setfsgid(unsigned int fsgid);

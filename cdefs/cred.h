/* cred: process groups, sessions, user and group ids.
 * The raw set*id calls change the calling thread only (glibc's wrappers signal every thread).
 * 32-bit arches keep the 16-bit uid calls under the plain names: take the *32 ones. */

SYSCALL(getpgid, int pid = 0) -> int probe(-1) "The process group id of a process, 0 for the caller"
SYSCALL(setpgid, int pid, int pgid) -> None probe(0, -1) "Move a process (pid 0: the caller) into process group pgid (0: its own pid)"
SYSCALL(getsid, int pid = 0) -> int probe(-1) "The session id of a process, 0 for the caller"
SYSCALL(setsid) -> int probe(None) "Start a new session and process group led by the caller; returns its id"
SYSCALL(getresuid=getresuid32|getresuid, unsigned int *ruid /* out */, unsigned int *euid /* out */, unsigned int *suid /* out */)
SYSCALL(getresgid=getresgid32|getresgid, unsigned int *rgid /* out */, unsigned int *egid /* out */, unsigned int *sgid /* out */)
SYSCALL(setresuid=setresuid32|setresuid, unsigned int ruid /* id */, unsigned int euid /* id */, unsigned int suid /* id */) -> None probe(U32, U32, U32) "Set real, effective and saved uids of this thread only; -1 keeps one"
SYSCALL(setresgid=setresgid32|setresgid, unsigned int rgid /* id */, unsigned int egid /* id */, unsigned int sgid /* id */) -> None probe(U32, U32, U32) "Set real, effective and saved gids of this thread only; -1 keeps one"
SYSCALL(setuid=setuid32|setuid, unsigned int uid /* id */) -> None probe(U32) "Set the uid (all three ids if privileged) of this thread only"
SYSCALL(setgid=setgid32|setgid, unsigned int gid /* id */) -> None probe(U32) "Set the gid (all three ids if privileged) of this thread only"
SYSCALL(setreuid=setreuid32|setreuid, unsigned int ruid /* id */, unsigned int euid /* id */) -> None probe(U32, U32) "Set real and effective uids of this thread only; -1 keeps one"
SYSCALL(setregid=setregid32|setregid, unsigned int rgid /* id */, unsigned int egid /* id */) -> None probe(U32, U32) "Set real and effective gids of this thread only; -1 keeps one"
SYSCALL(getgroups=getgroups32|getgroups, int size, unsigned int *list /* out */)
SYSCALL(setgroups=setgroups32|setgroups, int size, const unsigned int *list)

/* Hand-written (cred.c): the previous fsuid/fsgid, 0..0xffffffff, or -ENOSYS. */
int64_t ls_setfsuid(unsigned int fsuid /* id */); // -> int probe(U32) "Set this thread's filesystem uid and return the previous one: a refused id changes nothing, so -1 only reads it"
int64_t ls_setfsgid(unsigned int fsgid /* id */); // -> int probe(U32) "Set this thread's filesystem gid and return the previous one: a refused id changes nothing, so -1 only reads it"

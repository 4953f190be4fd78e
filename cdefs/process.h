/* process: identifiers (the rest of the family arrives with its issue). */

SYSCALL(getpid)
SYSCALL(getppid)
SYSCALL(gettid)
/* 32-bit arches keep 16-bit uid calls under the plain names: take the *32 ones. */
SYSCALL(getuid=getuid32|getuid)
SYSCALL(geteuid=geteuid32|geteuid)
SYSCALL(getgid=getgid32|getgid)
SYSCALL(getegid=getegid32|getegid)

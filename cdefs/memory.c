/* A mapping at the top of a 32-bit address space reads as a negative long, so calls answering
 * an address return 0 and hand the address back through *addr_out. */
static long ls_addr_ret(long r, int64_t *addr_out)
{
    if (r == -1)
        return -errno;
    *addr_out = (int64_t)(uintptr_t)r;
    return 0;
}

static long ls_mmap(uintptr_t addr, size_t length, int prot, unsigned int flags, int fd,
                    int64_t offset, int64_t *addr_out)
{
#ifdef SYS_mmap2
    /* 32-bit arches (i386's plain mmap takes a struct, ARM EABI has none): the offset goes in
     * 4096-byte units, which is what makes offsets past 4 GiB reachable. */
    if (offset & 4095)
        return -EINVAL;
    if ((uint64_t)offset >> 12 > (unsigned long)-1)
        return -EOVERFLOW;
    return ls_addr_ret(syscall(SYS_mmap2, (long)addr, (long)length, (long)prot, (long)flags,
                               (long)fd, (long)((uint64_t)offset >> 12)), addr_out);
#else
    return ls_addr_ret(syscall(SYS_mmap, (long)addr, (long)length, (long)prot, (long)flags,
                               (long)fd, (long)offset), addr_out);
#endif
}

static long ls_mremap(uintptr_t old_addr, size_t old_length, size_t new_length, int flags,
                      uintptr_t new_addr, int64_t *addr_out)
{
    return ls_addr_ret(syscall(SYS_mremap, (long)old_addr, (long)old_length, (long)new_length,
                               (long)flags, (long)new_addr), addr_out);
}

/* SysV shared memory.  The direct calls, else (ENOSYS: i386 before Linux 5.1, or headers and
 * table without the number) the ipc(2) multiplexer where the arch has one; ARM EABI has only
 * the direct calls. */
#define LS_IPC_SHMAT 21L
#define LS_IPC_SHMDT 22L
#define LS_IPC_SHMGET 23L
#define LS_IPC_SHMCTL 24L

static long ls_shmget(int key, size_t size, int flags)
{
    long r = -1;
    errno = ENOSYS;
#ifdef SYS_shmget
    r = syscall(SYS_shmget, (long)key, (long)size, (long)flags);
#endif
#ifdef SYS_ipc
    if (LS_IPC_NO_DIRECT(r))
        r = syscall(SYS_ipc, LS_IPC_SHMGET, (long)key, (long)size, (long)flags, 0L, 0L);
#endif
    return ls_ret(r);
}

static long ls_shmat(int shmid, uintptr_t addr, int flags, int64_t *addr_out)
{
    long r = -1;
    errno = ENOSYS;
#ifdef SYS_shmat
    r = syscall(SYS_shmat, (long)shmid, (long)addr, (long)flags);
#endif
#ifdef SYS_ipc
    if (LS_IPC_NO_DIRECT(r)) {
        unsigned long raddr;  /* ipc(2) answers 0 and stores the address here */
        r = syscall(SYS_ipc, LS_IPC_SHMAT, (long)shmid, (long)flags, (long)&raddr, (long)addr, 0L);
        if (r == 0)
            r = (long)raddr;
    }
#endif
    return ls_addr_ret(r, addr_out);
}

static long ls_shmdt(uintptr_t addr)
{
    long r = -1;
    errno = ENOSYS;
#ifdef SYS_shmdt
    r = syscall(SYS_shmdt, (long)addr);
#endif
#ifdef SYS_ipc
    if (LS_IPC_NO_DIRECT(r))
        r = syscall(SYS_ipc, LS_IPC_SHMDT, 0L, 0L, 0L, (long)addr, 0L);
#endif
    return ls_ret(r);
}

#define LS_SHM_KEY 0
#define LS_SHM_UID 1
#define LS_SHM_GID 2
#define LS_SHM_CUID 3
#define LS_SHM_CGID 4
#define LS_SHM_MODE 5
#define LS_SHM_SEQ 6
#define LS_SHM_SEGSZ 7
#define LS_SHM_ATIME 8
#define LS_SHM_DTIME 9
#define LS_SHM_CTIME 10
#define LS_SHM_CPID 11
#define LS_SHM_LPID 12
#define LS_SHM_NATTCH 13
#define LS_SHM_COUNT 14

/* On 32-bit arches each time is a (low, high) pair of unsigned longs (the high words were
 * __unused1/2/3 in headers before Linux 5.1): read the word after the low one. */
#if __SIZEOF_LONG__ == 4
_Static_assert(__builtin_offsetof(struct shmid64_ds, shm_dtime)
               == __builtin_offsetof(struct shmid64_ds, shm_atime) + 2 * sizeof(long),
               "shmid64_ds times are (low, high) pairs");
#define LS_SHM_TIME(t) ((int64_t)(((uint64_t)(&(t))[1] << 32) | (t)))
#else
#define LS_SHM_TIME(t) ((int64_t)(t))
#endif
_Static_assert(sizeof(struct shmid64_ds) >= sizeof(struct shminfo64),
               "IPC_INFO and SHM_INFO fill the same buffer");

static long ls_shmctl(int shmid, int cmd, void *buf, int64_t *ds)
{
    struct shmid64_ds s;
    if (!buf) {
        if (cmd == IPC_SET && !ds)
            return -EFAULT;  /* what the kernel says to a NULL buffer: never set zeros */
        memset(&s, 0, sizeof s);
        if (cmd == IPC_SET) {
            s.shm_perm.uid = (uint32_t)ds[LS_SHM_UID];
            s.shm_perm.gid = (uint32_t)ds[LS_SHM_GID];
            s.shm_perm.mode = (unsigned int)ds[LS_SHM_MODE];
        }
    }
    long r = -1;
    errno = ENOSYS;
#ifdef SYS_shmctl
    r = syscall(SYS_shmctl, (long)shmid, (long)(cmd | LS_IPC_VERSION), (long)(buf ? buf : &s));
#endif
#ifdef SYS_ipc
    if (LS_IPC_NO_DIRECT(r))
        r = syscall(SYS_ipc, LS_IPC_SHMCTL, (long)shmid, (long)(cmd | IPC_64), 0L,
                    (long)(buf ? buf : &s), 0L);
#endif
    if (r == -1)
        return -errno;
    if (!buf && ds) {
        ds[LS_SHM_KEY] = s.shm_perm.key;
        ds[LS_SHM_UID] = s.shm_perm.uid;
        ds[LS_SHM_GID] = s.shm_perm.gid;
        ds[LS_SHM_CUID] = s.shm_perm.cuid;
        ds[LS_SHM_CGID] = s.shm_perm.cgid;
        ds[LS_SHM_MODE] = s.shm_perm.mode;
        ds[LS_SHM_SEQ] = s.shm_perm.seq;
        ds[LS_SHM_SEGSZ] = (int64_t)s.shm_segsz;
        ds[LS_SHM_ATIME] = LS_SHM_TIME(s.shm_atime);
        ds[LS_SHM_DTIME] = LS_SHM_TIME(s.shm_dtime);
        ds[LS_SHM_CTIME] = LS_SHM_TIME(s.shm_ctime);
        ds[LS_SHM_CPID] = s.shm_cpid;
        ds[LS_SHM_LPID] = s.shm_lpid;
        ds[LS_SHM_NATTCH] = (int64_t)s.shm_nattch;
    }
    return r;
}

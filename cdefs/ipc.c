/* SysV messages and semaphores.  The direct calls, else (ENOSYS: i386 before Linux 5.1, or
 * headers and table without the number) the ipc(2) multiplexer where the arch has one, as
 * memory.c's shm calls do; ARM EABI has only the direct calls. */
#define LS_IPC_SEMOP 1L
#define LS_IPC_SEMGET 2L
#define LS_IPC_SEMCTL 3L
#define LS_IPC_SEMTIMEDOP 4L
#define LS_IPC_MSGSND 11L
#define LS_IPC_MSGRCV 12L
#define LS_IPC_MSGGET 13L
#define LS_IPC_MSGCTL 14L
#ifdef SYS_ipc
/* Tests route the calls through ipc(2) on a kernel that has the direct ones. */
static int ls_ipc_forced;
#define LS_IPC_DIRECT(call) (ls_ipc_forced ? (errno = ENOSYS, -1L) : (call))

static long ls_ipc_force_multiplexer(int on)
{
    ls_ipc_forced = on != 0;
    return 0;
}
#else
#define LS_IPC_DIRECT(call) (call)

static long ls_ipc_force_multiplexer(int on)
{
    (void)on;
    return -ENOSYS;
}
#endif

/* Slots of the flattened structs: struct ipc64_perm's fields first (as memory.c's LS_SHM_*),
 * then the object's; an INFO command's struct fills them from 0. */
#define LS_IPC_KEY 0
#define LS_IPC_UID 1
#define LS_IPC_GID 2
#define LS_IPC_CUID 3
#define LS_IPC_CGID 4
#define LS_IPC_MODE 5
#define LS_IPC_SEQ 6
#define LS_MSG_STIME 7
#define LS_MSG_RTIME 8
#define LS_MSG_CTIME 9
#define LS_MSG_CBYTES 10
#define LS_MSG_QNUM 11
#define LS_MSG_QBYTES 12
#define LS_MSG_LSPID 13
#define LS_MSG_LRPID 14
#define LS_MSG_COUNT 15
#define LS_SEM_OTIME 7
#define LS_SEM_CTIME 8
#define LS_SEM_NSEMS 9
#define LS_SEM_COUNT 10

/* On 32-bit arches each time is a (low, high) pair of unsigned longs (the high words were
 * __unused1/2/3 in headers before Linux 5.1): read the word after the low one. */
#if __SIZEOF_LONG__ == 4
_Static_assert(__builtin_offsetof(struct msqid64_ds, msg_rtime)
               == __builtin_offsetof(struct msqid64_ds, msg_stime) + 2 * sizeof(long),
               "msqid64_ds times are (low, high) pairs");
_Static_assert(__builtin_offsetof(struct semid64_ds, sem_ctime)
               == __builtin_offsetof(struct semid64_ds, sem_otime) + 2 * sizeof(long),
               "semid64_ds times are (low, high) pairs");
#define LS_IPC_TIME(t) ((int64_t)(((uint64_t)(&(t))[1] << 32) | (t)))
#else
#define LS_IPC_TIME(t) ((int64_t)(t))
#endif

#define LS_IPC_PERM(ds, p) do { \
    (ds)[LS_IPC_KEY] = (p).key; (ds)[LS_IPC_UID] = (p).uid; (ds)[LS_IPC_GID] = (p).gid; \
    (ds)[LS_IPC_CUID] = (p).cuid; (ds)[LS_IPC_CGID] = (p).cgid; \
    (ds)[LS_IPC_MODE] = (p).mode; (ds)[LS_IPC_SEQ] = (p).seq; } while (0)

/* ipc(2)'s cmd and struct version apply to every call: the *get calls ignore the version. */
static long ls_ipc(long call, long first, long second, long third, const void *ptr, long fifth)
{
#ifdef SYS_ipc
    return syscall(SYS_ipc, call, first, second, third, (long)ptr, fifth);
#else
    (void)call, (void)first, (void)second, (void)third, (void)ptr, (void)fifth;
    errno = ENOSYS;
    return -1;
#endif
}

#ifdef SYS_ipc
#define LS_IPC_FALLBACK(r, ...) do { if (LS_IPC_NO_DIRECT(r)) r = ls_ipc(__VA_ARGS__); } while (0)
#else
#define LS_IPC_FALLBACK(r, ...) do { } while (0)
#endif

static long ls_msgget(int key, int msgflg)
{
    long r = -1;
    errno = ENOSYS;
#ifdef SYS_msgget
    r = LS_IPC_DIRECT(syscall(SYS_msgget, (long)key, (long)msgflg));
#endif
    LS_IPC_FALLBACK(r, LS_IPC_MSGGET, key, msgflg, 0, NULL, 0);
    return ls_ret(r);
}

/* Messages up to this size go through the stack; larger ones through malloc. */
#define LS_MSG_STACK 4096

static long ls_msgsnd(int msqid, long mtype, const void *msgtext, size_t msgsz, int msgflg)
{
    union { long mtype; char raw[sizeof(long) + LS_MSG_STACK]; } small;
    long *msg = &small.mtype;
    if (msgsz > LS_MSG_STACK) {
        if (msgsz > (size_t)LONG_MAX - sizeof(long))
            return -EINVAL;  /* the kernel's answer to a size that reads as negative */
        msg = malloc(sizeof(long) + msgsz);
        if (!msg)
            return -ENOMEM;
    }
    msg[0] = mtype;
    memcpy(msg + 1, msgtext, msgsz);
    long r = -1;
    errno = ENOSYS;
#ifdef SYS_msgsnd
    r = LS_IPC_DIRECT(syscall(SYS_msgsnd, (long)msqid, (long)msg, (long)msgsz, (long)msgflg));
#endif
    LS_IPC_FALLBACK(r, LS_IPC_MSGSND, msqid, (long)msgsz, msgflg, msg, 0);
    r = ls_ret(r);
    if (msg != &small.mtype)
        free(msg);
    return r;
}

static long ls_msgrcv(int msqid, void *text, size_t msgsz, long msgtyp, int msgflg, long *mtype)
{
    union { long mtype; char raw[sizeof(long) + LS_MSG_STACK]; } small;
    long *msg = &small.mtype;
    if (msgsz > LS_MSG_STACK) {
        if (msgsz > (size_t)LONG_MAX - sizeof(long))
            return -EINVAL;
        msg = malloc(sizeof(long) + msgsz);
        if (!msg)
            return -ENOMEM;
    }
    long r = -1;
    errno = ENOSYS;
#ifdef SYS_msgrcv
    r = LS_IPC_DIRECT(syscall(SYS_msgrcv, (long)msqid, (long)msg, (long)msgsz, msgtyp,
                              (long)msgflg));
#endif
#ifdef SYS_ipc
    if (LS_IPC_NO_DIRECT(r)) {
        /* glibc's form: the buffer and the type through a struct ipc_kludge */
        long kludge[2] = {(long)msg, msgtyp};
        r = ls_ipc(LS_IPC_MSGRCV, msqid, (long)msgsz, msgflg, kludge, 0);
    }
#endif
    r = ls_ret(r);
    if (r >= 0) {
        *mtype = msg[0];
        memcpy(text, msg + 1, (size_t)r);
    }
    if (msg != &small.mtype)
        free(msg);
    return r;
}

_Static_assert(sizeof(struct msqid64_ds) >= sizeof(struct msginfo),
               "IPC_INFO and MSG_INFO fill the same buffer");

static long ls_msgctl(int msqid, int cmd, int64_t *ds)
{
    union { struct msqid64_ds ds; struct msginfo info; } u;
    memset(&u, 0, sizeof u);
    if (cmd == IPC_SET) {
        if (!ds)
            return -EFAULT;  /* what the kernel says to a NULL buffer: never set zeros */
        u.ds.msg_perm.uid = (uint32_t)ds[LS_IPC_UID];
        u.ds.msg_perm.gid = (uint32_t)ds[LS_IPC_GID];
        u.ds.msg_perm.mode = (unsigned int)ds[LS_IPC_MODE];
        u.ds.msg_qbytes = (unsigned long)ds[LS_MSG_QBYTES];
    }
    long r = -1;
    errno = ENOSYS;
#ifdef SYS_msgctl
    r = LS_IPC_DIRECT(syscall(SYS_msgctl, (long)msqid, (long)(cmd | LS_IPC_VERSION),
                              (long)&u));
#endif
    LS_IPC_FALLBACK(r, LS_IPC_MSGCTL, msqid, cmd | IPC_64, 0, &u, 0);
    if (r == -1)
        return -errno;
    if (!ds)
        return r;
    if (cmd == IPC_INFO || cmd == MSG_INFO) {
        ds[0] = u.info.msgpool;
        ds[1] = u.info.msgmap;
        ds[2] = u.info.msgmax;
        ds[3] = u.info.msgmnb;
        ds[4] = u.info.msgmni;
        ds[5] = u.info.msgssz;
        ds[6] = u.info.msgtql;
        ds[7] = u.info.msgseg;
    } else if (cmd != IPC_SET && cmd != IPC_RMID) {  /* a STAT command */
        LS_IPC_PERM(ds, u.ds.msg_perm);
        ds[LS_MSG_STIME] = LS_IPC_TIME(u.ds.msg_stime);
        ds[LS_MSG_RTIME] = LS_IPC_TIME(u.ds.msg_rtime);
        ds[LS_MSG_CTIME] = LS_IPC_TIME(u.ds.msg_ctime);
        ds[LS_MSG_CBYTES] = (int64_t)u.ds.msg_cbytes;
        ds[LS_MSG_QNUM] = (int64_t)u.ds.msg_qnum;
        ds[LS_MSG_QBYTES] = (int64_t)u.ds.msg_qbytes;
        ds[LS_MSG_LSPID] = u.ds.msg_lspid;
        ds[LS_MSG_LRPID] = u.ds.msg_lrpid;
    }
    return r;
}

static long ls_semget(int key, int nsems, int semflg)
{
    long r = -1;
    errno = ENOSYS;
#ifdef SYS_semget
    r = LS_IPC_DIRECT(syscall(SYS_semget, (long)key, (long)nsems, (long)semflg));
#endif
    LS_IPC_FALLBACK(r, LS_IPC_SEMGET, key, nsems, semflg, NULL, 0);
    return ls_ret(r);
}

static long ls_semop(int semid, struct sembuf *sops, size_t nsops)
{
    long r = -1;
    errno = ENOSYS;
#if defined(SYS_semop)
    r = LS_IPC_DIRECT(syscall(SYS_semop, (long)semid, (long)sops, (long)nsops));
#elif defined(SYS_semtimedop_time64)
    /* i386 has no direct semop: semtimedop without a timeout is the same call */
    r = LS_IPC_DIRECT(syscall(SYS_semtimedop_time64, (long)semid, (long)sops, (long)nsops, 0L));
#endif
    LS_IPC_FALLBACK(r, LS_IPC_SEMOP, semid, (long)nsops, 0, sops, 0);
    return ls_ret(r);
}

static long ls_semtimedop(int semid, struct sembuf *sops, size_t nsops, int64_t timeout_ns)
{
    struct __kernel_timespec ts;
    long r = -1;
    errno = ENOSYS;
#ifdef SYS_semtimedop_time64
    r = LS_IPC_DIRECT(syscall(SYS_semtimedop_time64, (long)semid, (long)sops, (long)nsops,
                              (long)ls_kts_ptr(&ts, timeout_ns)));
    if (!(r == -1 && errno == ENOSYS))
        return ls_ret(r);
#endif
#if __SIZEOF_LONG__ == 4
    /* Before Linux 5.1 (and ipc(2) always): the calls whose timespec has long fields. */
    struct ls_old_timespec old;
    struct __kernel_timespec kts = ls_kts(timeout_ns);
    if (timeout_ns >= 0 && ls_to_old(&old, &kts, 1))
        return -EOVERFLOW;
    const void *t = timeout_ns < 0 ? NULL : &old;
    (void)ts;
#else
    /* 64-bit arches: the plain call takes struct __kernel_timespec's layout. */
    const void *t = ls_kts_ptr(&ts, timeout_ns);
#endif
#ifdef SYS_semtimedop
    r = LS_IPC_DIRECT(syscall(SYS_semtimedop, (long)semid, (long)sops, (long)nsops, (long)t));
#endif
    LS_IPC_FALLBACK(r, LS_IPC_SEMTIMEDOP, semid, (long)nsops, 0, sops, (long)t);
    (void)t;
    return ls_ret(r);
}

_Static_assert(sizeof(struct semid64_ds) >= sizeof(struct seminfo),
               "IPC_INFO and SEM_INFO fill the same buffer");

static long ls_semctl(int semid, int semnum, int cmd, long val, unsigned short *array,
                      int64_t *ds)
{
    union { struct semid64_ds ds; struct seminfo info; } u;
    long arg;  /* the union semun, by value */
    switch (cmd) {
    case GETALL: case SETALL:
        arg = (long)array;
        break;
    case IPC_STAT: case SEM_STAT: case SEM_STAT_ANY: case IPC_SET: case IPC_INFO: case SEM_INFO:
        memset(&u, 0, sizeof u);
        if (cmd == IPC_SET) {
            if (!ds)
                return -EFAULT;
            u.ds.sem_perm.uid = (uint32_t)ds[LS_IPC_UID];
            u.ds.sem_perm.gid = (uint32_t)ds[LS_IPC_GID];
            u.ds.sem_perm.mode = (unsigned int)ds[LS_IPC_MODE];
        }
        arg = (long)&u;
        break;
    default:
        arg = val;
    }
    long r = -1;
    errno = ENOSYS;
#ifdef SYS_semctl
    r = LS_IPC_DIRECT(syscall(SYS_semctl, (long)semid, (long)semnum,
                              (long)(cmd | LS_IPC_VERSION), arg));
#endif
    LS_IPC_FALLBACK(r, LS_IPC_SEMCTL, semid, semnum, cmd | IPC_64, &arg, 0);
    if (r == -1)
        return -errno;
    if (!ds)
        return r;
    switch (cmd) {
    case IPC_STAT: case SEM_STAT: case SEM_STAT_ANY:
        LS_IPC_PERM(ds, u.ds.sem_perm);
        ds[LS_SEM_OTIME] = LS_IPC_TIME(u.ds.sem_otime);
        ds[LS_SEM_CTIME] = LS_IPC_TIME(u.ds.sem_ctime);
        ds[LS_SEM_NSEMS] = (int64_t)u.ds.sem_nsems;
        break;
    case IPC_INFO: case SEM_INFO:
        ds[0] = u.info.semmap;
        ds[1] = u.info.semmni;
        ds[2] = u.info.semmns;
        ds[3] = u.info.semmnu;
        ds[4] = u.info.semmsl;
        ds[5] = u.info.semopm;
        ds[6] = u.info.semume;
        ds[7] = u.info.semusz;
        ds[8] = u.info.semvmx;
        ds[9] = u.info.semaem;
        break;
    }
    return r;
}

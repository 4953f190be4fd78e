/* POSIX message queues: the kernel's own structs, never the C library's (its mq_* functions
 * take "/name" and a 32-bit struct timespec on Debian's i386). */
struct ls_sigevent;  /* time.c, compiled after this file; only passed on here */

struct ls_mq_attr {
    long mq_flags, mq_maxmsg, mq_msgsize, mq_curmsgs;
    long reserved[4];
};
_Static_assert(sizeof(struct ls_mq_attr) == sizeof(struct mq_attr), "struct mq_attr");

/* name is "/name": the kernel gets what follows the slash, as from the C library, which
 * leaves the slash in memory before it (qemu-user reads the name from that byte on). */
static long ls_mq_open(const char *name, int oflag, unsigned int mode,
                       const struct ls_mq_attr *attr)
{
    return ls_ret(syscall(SYS_mq_open, (long)(name ? name + 1 : NULL), (long)oflag, (long)mode,
                          (long)attr));
}

static long ls_mq_unlink(const char *name)
{
    return ls_ret(syscall(SYS_mq_unlink, (long)(name ? name + 1 : NULL)));
}

#ifdef SYS_mq_timedsend_time64
#  define LS_MQ_TIMEDSEND64 SYS_mq_timedsend_time64
#  define LS_MQ_TIMEDRECEIVE64 SYS_mq_timedreceive_time64
#else
#  define LS_MQ_TIMEDSEND64 (-1L)
#  define LS_MQ_TIMEDRECEIVE64 (-1L)
#endif

/* mq_timedsend and mq_timedreceive, one shape: the time64 call nr64 first (-1: none), the
 * 32-bit-time nr on ENOSYS.  abs_timeout: a CLOCK_REALTIME time in ns, or < 0 for none (wait
 * as long as it takes). */
static long ls_mq_timed(long nr64, long nr, int mqdes, long msg, size_t msg_len, long msg_prio,
                        int64_t abs_timeout)
{
    struct __kernel_timespec ts, *t = ls_kts_ptr(&ts, abs_timeout);
    if (nr64 < 0)
        return ls_ret(syscall(nr, (long)mqdes, msg, (long)msg_len, msg_prio, (long)t));
    long r = syscall(nr64, (long)mqdes, msg, (long)msg_len, msg_prio, (long)t);
    if (r != -1 || errno != ENOSYS)
        return ls_ret(r);
    struct ls_old_timespec old;
    if (t && ls_to_old(&old, t, 1))
        return -EOVERFLOW;
    return ls_ret(syscall(nr, (long)mqdes, msg, (long)msg_len, msg_prio, (long)(t ? &old : NULL)));
}

static long ls_mq_timedsend(int mqdes, const char *msg, size_t msg_len, unsigned int msg_prio,
                            int64_t abs_timeout)
{
    return ls_mq_timed(LS_MQ_TIMEDSEND64, SYS_mq_timedsend, mqdes, (long)msg, msg_len,
                       (long)msg_prio, abs_timeout);
}

/* Returns the message's length; msg_prio gets its priority. */
static long ls_mq_timedreceive(int mqdes, char *msg, size_t msg_len, unsigned int *msg_prio,
                               int64_t abs_timeout)
{
    return ls_mq_timed(LS_MQ_TIMEDRECEIVE64, SYS_mq_timedreceive, mqdes, (long)msg, msg_len,
                       (long)msg_prio, abs_timeout);
}

static long ls_mq_notify(int mqdes, const struct ls_sigevent *sevp)
{
    return ls_ret(syscall(SYS_mq_notify, (long)mqdes, (long)sevp));
}

static long ls_mq_getsetattr(int mqdes, const struct ls_mq_attr *newattr,
                             struct ls_mq_attr *oldattr)
{
    return ls_ret(syscall(SYS_mq_getsetattr, (long)mqdes, (long)newattr, (long)oldattr));
}

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

/* abs_timeout: a CLOCK_REALTIME time in ns, or < 0 for none (wait as long as it takes). */
static long ls_mq_timedsend(int mqdes, const char *msg, size_t msg_len, unsigned int msg_prio,
                            int64_t abs_timeout)
{
    struct __kernel_timespec ts, *t = ls_kts_ptr(&ts, abs_timeout);
#ifdef SYS_mq_timedsend_time64
    long r = syscall(SYS_mq_timedsend_time64, (long)mqdes, (long)msg, (long)msg_len,
                     (long)msg_prio, (long)t);
    if (r != -1 || errno != ENOSYS)
        return ls_ret(r);
    struct ls_old_timespec old;
    if (t && ls_to_old(&old, t, 1))
        return -EOVERFLOW;
    return ls_ret(syscall(SYS_mq_timedsend, (long)mqdes, (long)msg, (long)msg_len,
                          (long)msg_prio, (long)(t ? &old : NULL)));
#else
    return ls_ret(syscall(SYS_mq_timedsend, (long)mqdes, (long)msg, (long)msg_len,
                          (long)msg_prio, (long)t));
#endif
}

/* Returns the message's length; msg_prio gets its priority. */
static long ls_mq_timedreceive(int mqdes, char *msg, size_t msg_len, unsigned int *msg_prio,
                               int64_t abs_timeout)
{
    struct __kernel_timespec ts, *t = ls_kts_ptr(&ts, abs_timeout);
#ifdef SYS_mq_timedreceive_time64
    long r = syscall(SYS_mq_timedreceive_time64, (long)mqdes, (long)msg, (long)msg_len,
                     (long)msg_prio, (long)t);
    if (r != -1 || errno != ENOSYS)
        return ls_ret(r);
    struct ls_old_timespec old;
    if (t && ls_to_old(&old, t, 1))
        return -EOVERFLOW;
    return ls_ret(syscall(SYS_mq_timedreceive, (long)mqdes, (long)msg, (long)msg_len,
                          (long)msg_prio, (long)(t ? &old : NULL)));
#else
    return ls_ret(syscall(SYS_mq_timedreceive, (long)mqdes, (long)msg, (long)msg_len,
                          (long)msg_prio, (long)t));
#endif
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

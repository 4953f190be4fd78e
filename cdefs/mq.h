/* mq: POSIX message queues (man 7 mq_overview).  A queue descriptor is an fd (the kernel
 * makes it close-on-exec, whatever the flags say); names are given with their leading slash,
 * which the helpers strip as the C library does (mq.c).  Timeouts cross as int64 ns of CLOCK_REALTIME (absolute, as the kernel
 * takes them; < 0: none), time64 calls on 32-bit arches (mq.c). */
#include <mqueue.h>

/* The kernel's struct mq_attr: longs (__kernel_long_t), four of them reserved. */
struct ls_mq_attr { long mq_flags; long mq_maxmsg; long mq_msgsize; long mq_curmsgs; ...; };

long ls_mq_open(const char *name /* str */, int oflag /* O */, unsigned int mode /* S */, const struct ls_mq_attr *attr);
long ls_mq_unlink(const char *name /* str */);
long ls_mq_timedsend(int mqdes /* fd */, const char *msg, size_t msg_len, unsigned int msg_prio, int64_t abs_timeout);
long ls_mq_timedreceive(int mqdes /* fd */, char *msg /* out */, size_t msg_len, unsigned int *msg_prio /* out */, int64_t abs_timeout);
/* sevp: NULL removes this process's registration (struct ls_sigevent: cdefs/time.h). */
long ls_mq_notify(int mqdes /* fd */, const struct ls_sigevent *sevp);
long ls_mq_getsetattr(int mqdes /* fd */, const struct ls_mq_attr *newattr, struct ls_mq_attr *oldattr /* out */);

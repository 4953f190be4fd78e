static long ls_pread64(int fd, void *buf, size_t count, int64_t offset)
{
    return ls_ret(syscall(SYS_pread64, (long)fd, (long)buf, (long)count, LS_PAD LS_ARG64(offset)));
}

static long ls_pwrite64(int fd, const void *buf, size_t count, int64_t offset)
{
    return ls_ret(syscall(SYS_pwrite64, (long)fd, (long)buf, (long)count, LS_PAD LS_ARG64(offset)));
}

/* preadv2/pwritev2 take the offset as (low, high) longs on every arch, never padded; on 64-bit
 * arches the kernel ignores the high word. */
#define LS_LOHI(v) (long)(uint64_t)(v), (long)((uint64_t)(v) >> (4 * sizeof(long)) >> (4 * sizeof(long)))

static long ls_preadv2(int fd, const struct iovec *iov, int iovcnt, int64_t offset, int flags)
{
#ifdef SYS_preadv2
    return ls_ret(syscall(SYS_preadv2, (long)fd, (long)iov, (long)iovcnt, LS_LOHI(offset), (long)flags));
#else
    (void)fd; (void)iov; (void)iovcnt; (void)offset; (void)flags;
    return -ENOSYS;
#endif
}

static long ls_pwritev2(int fd, const struct iovec *iov, int iovcnt, int64_t offset, int flags)
{
#ifdef SYS_pwritev2
    return ls_ret(syscall(SYS_pwritev2, (long)fd, (long)iov, (long)iovcnt, LS_LOHI(offset), (long)flags));
#else
    (void)fd; (void)iov; (void)iovcnt; (void)offset; (void)flags;
    return -ENOSYS;
#endif
}

/* 32-bit arches seek with _llseek(fd, high, low, &result, whence): lseek's off_t is 32-bit. */
static long ls_lseek(int fd, int64_t offset, int whence, int64_t *result)
{
#ifdef SYS__llseek
    long r = syscall(SYS__llseek, (long)fd, (long)(uint32_t)((uint64_t)offset >> 32),
                     (long)(uint32_t)(uint64_t)offset, (long)result, (long)whence);
    return ls_ret(r);
#else
    long r = syscall(SYS_lseek, (long)fd, (long)offset, (long)whence);
    if (r == -1)
        return -errno;
    *result = r;
    return 0;
#endif
}

/* TCGETS/TCSETS* copy the kernel's struct termios (19 c_cc, no speed fields), not the C
 * library's larger one: <asm/termbits.h> is read with its structs renamed, so that it can
 * share the module with <termios.h>. */
#define termios ls_kernel_termios
#define termios2 ls_kernel_termios2
#define ktermios ls_kernel_ktermios
#include <asm/termbits.h>
#undef termios
#undef termios2
#undef ktermios

#define LS_TCGETS TCGETS
#define LS_TCSETS TCSETS
#define LS_TCSETSW TCSETSW
#define LS_TCSETSF TCSETSF
#define LS_TIOCGLCKTRMIOS TIOCGLCKTRMIOS
#define LS_TIOCSLCKTRMIOS TIOCSLCKTRMIOS
#define LS_TCGETA TCGETA
#define LS_TCSETA TCSETA
#define LS_TCSETAW TCSETAW
#define LS_TCSETAF TCSETAF
#define LS_TIOCGWINSZ TIOCGWINSZ
#define LS_TIOCSWINSZ TIOCSWINSZ
#define LS_FIONREAD FIONREAD
#define LS_TIOCOUTQ TIOCOUTQ
#define LS_FIONBIO FIONBIO
#define LS_FIOASYNC FIOASYNC
#define LS_TIOCMGET TIOCMGET
#define LS_TIOCMSET TIOCMSET
#define LS_TIOCMBIS TIOCMBIS
#define LS_TIOCMBIC TIOCMBIC
#define LS_TIOCGETD TIOCGETD
#define LS_TIOCSETD TIOCSETD
#define LS_TIOCPKT TIOCPKT
#define LS_TIOCGSOFTCAR TIOCGSOFTCAR
#define LS_TIOCSSOFTCAR TIOCSSOFTCAR
#define LS_TIOCGPGRP TIOCGPGRP
#define LS_TIOCSPGRP TIOCSPGRP
#define LS_TIOCGSID TIOCGSID
#define LS_TIOCSTI TIOCSTI
#define LS_IOC_NONE _IOC_NONE
#define LS_IOC_DIRSHIFT _IOC_DIRSHIFT
#define LS_IOC_DIRMASK _IOC_DIRMASK
#define LS_IOC_SIZESHIFT _IOC_SIZESHIFT
#define LS_IOC_SIZEMASK _IOC_SIZEMASK

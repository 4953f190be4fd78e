/* Every helper returns the kernel's result or -errno: one convention, no ffi.errno reads. */
static inline long ls_ret(long r)
{
    return r == -1 ? -errno : r;
}

/* A 64-bit scalar argument: one register on 64-bit arches, a (low, high) pair on 32-bit ones.
 * ARM EABI starts such a pair on an even register: a helper puts LS_PAD before a pair that
 * would otherwise start on an odd one.  (Handing a long long to variadic syscall() instead is
 * silently truncated on armv7l.) */
#if __SIZEOF_LONG__ == 8
#  define LS_ARG64(v) (long)(v)
#  define LS_PAD
#elif __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#  define LS_ARG64(v) (long)(uint32_t)(uint64_t)(v), (long)(uint32_t)((uint64_t)(v) >> 32)
#  ifdef __ARM_EABI__
#    define LS_PAD 0,
#  else
#    define LS_PAD
#  endif
#else
#  error "32-bit big-endian register pairs are not supported"
#endif

static long ls_syscall6(long nr, long a, long b, long c, long d, long e, long f)
{
    return ls_ret(syscall(nr, a, b, c, d, e, f));
}

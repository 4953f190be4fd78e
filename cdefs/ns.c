/* The nsfs ioctl requests of linux/nsfs.h (Linux 4.9/4.11), spelled out where the headers are
 * older: _IO(NSIO, n) has no size and no direction, so one number on every arch. */
#if defined(__has_include)
#  if __has_include(<linux/nsfs.h>)
#    include <linux/nsfs.h>
#  endif
#endif
#ifdef NS_GET_USERNS
#  define LS_NS_GET_USERNS NS_GET_USERNS
#  define LS_NS_GET_PARENT NS_GET_PARENT
#else
#  define LS_NS_GET_USERNS _IO(0xb7, 0x1)
#  define LS_NS_GET_PARENT _IO(0xb7, 0x2)
#endif
#ifdef NS_GET_NSTYPE
#  define LS_NS_GET_NSTYPE NS_GET_NSTYPE
#  define LS_NS_GET_OWNER_UID NS_GET_OWNER_UID
#else
#  define LS_NS_GET_NSTYPE _IO(0xb7, 0x3)
#  define LS_NS_GET_OWNER_UID _IO(0xb7, 0x4)
#endif

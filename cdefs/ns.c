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

/* struct ns_id_req of linux/nsfs.h (Linux 6.19), NS_ID_REQ_SIZE_VER0: fixed-width fields. */
struct ls_ns_id_req { uint32_t size, spare; uint64_t ns_id; uint32_t ns_type, spare2; uint64_t user_ns_id; };
_Static_assert(sizeof(struct ls_ns_id_req) == 32, "NS_ID_REQ_SIZE_VER0");
#ifndef LISTNS_CURRENT_USER
#  define LISTNS_CURRENT_USER 0xffffffffffffffffULL
#endif

static long ls_listns(uint32_t ns_type, uint64_t user_ns_id, uint64_t last_ns_id, uint64_t *ids,
                      size_t nr, unsigned int flags)
{
#ifdef SYS_listns
    struct ls_ns_id_req req = { sizeof req, 0, last_ns_id, ns_type, 0, user_ns_id };
    return ls_ret(syscall(SYS_listns, (long)&req, (long)ids, (long)nr, (long)flags));
#else
    (void)ns_type; (void)user_ns_id; (void)last_ns_id; (void)ids; (void)nr; (void)flags;
    return -ENOSYS;
#endif
}

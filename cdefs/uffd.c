/* uffd: the kernel's userfaultfd structs, and the ioctl numbers sized on them. */
struct ls_uffdio_api { uint64_t api; uint64_t features; uint64_t ioctls; };
struct ls_uffdio_range { uint64_t start; uint64_t len; };
struct ls_uffdio_register { struct ls_uffdio_range range; uint64_t mode; uint64_t ioctls; };
struct ls_uffdio_copy { uint64_t dst; uint64_t src; uint64_t len; uint64_t mode; int64_t copy; };
struct ls_uffdio_zeropage { struct ls_uffdio_range range; uint64_t mode; int64_t zeropage; };

/* struct uffd_msg: u8 event, 7 reserved bytes, a 24-byte union of u64s (packed: 32 bytes). */
#define LS_UFFD_MSG_SIZE 32

/* _IOC numbers (0xAA, n) of include/uapi/linux/userfaultfd.h; the structs linuxsys does not
 * declare are sized by their fixed lengths (uffdio_move 40, uffdio_writeprotect 24,
 * uffdio_continue and uffdio_poison 32 bytes).  UNREGISTER and WAKE are _IOR, as the kernel
 * has always spelled them. */
#define LS_UFFDIO_API _IOWR(0xAA, 0x3F, struct ls_uffdio_api)
#define LS_UFFDIO_REGISTER _IOWR(0xAA, 0x00, struct ls_uffdio_register)
#define LS_UFFDIO_UNREGISTER _IOR(0xAA, 0x01, struct ls_uffdio_range)
#define LS_UFFDIO_WAKE _IOR(0xAA, 0x02, struct ls_uffdio_range)
#define LS_UFFDIO_COPY _IOWR(0xAA, 0x03, struct ls_uffdio_copy)
#define LS_UFFDIO_ZEROPAGE _IOWR(0xAA, 0x04, struct ls_uffdio_zeropage)
#define LS_UFFDIO_MOVE _IOWR(0xAA, 0x05, char[40])
#define LS_UFFDIO_WRITEPROTECT _IOWR(0xAA, 0x06, char[24])
#define LS_UFFDIO_CONTINUE _IOWR(0xAA, 0x07, char[32])
#define LS_UFFDIO_POISON _IOWR(0xAA, 0x08, char[32])

_Static_assert(sizeof(struct ls_uffdio_copy) == 40, "struct uffdio_copy is 40 bytes");
#ifdef UFFDIO_API
_Static_assert(sizeof(struct uffd_msg) == LS_UFFD_MSG_SIZE, "struct uffd_msg is 32 bytes");
_Static_assert(LS_UFFDIO_API == UFFDIO_API && LS_UFFDIO_REGISTER == UFFDIO_REGISTER
               && LS_UFFDIO_UNREGISTER == UFFDIO_UNREGISTER && LS_UFFDIO_WAKE == UFFDIO_WAKE
               && LS_UFFDIO_COPY == UFFDIO_COPY && LS_UFFDIO_ZEROPAGE == UFFDIO_ZEROPAGE,
               "UFFDIO_* numbers as the headers have them");
#endif
#ifdef UFFDIO_WRITEPROTECT
_Static_assert(LS_UFFDIO_WRITEPROTECT == UFFDIO_WRITEPROTECT, "UFFDIO_WRITEPROTECT");
#endif
#ifdef UFFDIO_CONTINUE
_Static_assert(LS_UFFDIO_CONTINUE == UFFDIO_CONTINUE, "UFFDIO_CONTINUE");
#endif
#ifdef UFFDIO_MOVE
_Static_assert(LS_UFFDIO_MOVE == UFFDIO_MOVE, "UFFDIO_MOVE");
#endif
#ifdef UFFDIO_POISON
_Static_assert(LS_UFFDIO_POISON == UFFDIO_POISON, "UFFDIO_POISON");
#endif

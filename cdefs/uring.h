/* uring: io_uring (man 7 io_uring; man 2 io_uring_setup, io_uring_enter, io_uring_register).
 * The rings, the SQE array and the CQEs are reached only here, in C, through struct ls_ring:
 * every head and tail with __atomic acquire loads / release stores.  The SQE and CQE layouts
 * are the kernel's fixed ABI, declared in uring.c (struct ls_uring_sqe, ls_uring_cqe) and
 * checked at compile time against <linux/io_uring.h> where the headers have it (older headers
 * lack it: the constants then come from tables/). */
#if __has_include(<linux/io_uring.h>)
#include <linux/io_uring.h>
#define LS_HAVE_IO_URING_H 1
#endif
#include <signal.h>
#include <sys/mman.h>

/* The kernel's fixed layouts (uring.c): 64-byte SQE, 16-byte CQE, 120-byte io_uring_params. */
struct ls_uring_sqe { uint8_t opcode; uint8_t flags; uint16_t ioprio; int32_t fd; uint64_t off; uint64_t addr; uint32_t len; uint32_t op_flags; uint64_t user_data; uint16_t buf_index; uint16_t personality; int32_t splice_fd_in; uint64_t addr3; uint64_t pad2; };
struct ls_uring_cqe { uint64_t user_data; int32_t res; uint32_t flags; };
struct ls_sqring_offsets { uint32_t head; uint32_t tail; uint32_t ring_mask; uint32_t ring_entries; uint32_t flags; uint32_t dropped; uint32_t array; uint32_t resv1; uint64_t user_addr; };
struct ls_cqring_offsets { uint32_t head; uint32_t tail; uint32_t ring_mask; uint32_t ring_entries; uint32_t overflow; uint32_t cqes; uint32_t flags; uint32_t resv1; uint64_t user_addr; };
struct ls_uring_params { uint32_t sq_entries; uint32_t cq_entries; uint32_t flags; uint32_t sq_thread_cpu; uint32_t sq_thread_idle; uint32_t features; uint32_t wq_fd; uint32_t resv[3]; struct ls_sqring_offsets sq_off; struct ls_cqring_offsets cq_off; };

/* sendmsg/recvmsg requests point at a msghdr that Python builds (and holds until the CQE). */
struct msghdr { void *msg_name; socklen_t msg_namelen; struct iovec *msg_iov; size_t msg_iovlen; void *msg_control; size_t msg_controllen; int msg_flags; };

/* A mapped ring (uring.c).  Python reads the fields below; the pointers stay in C. */
struct ls_ring { int fd; unsigned int flags; unsigned int features; unsigned int sq_entries; unsigned int cq_entries; ...; };

/* The three syscalls, as the kernel takes them.  io_uring_enter's arg is a sigset (argsz its
 * size) or, with IORING_ENTER_EXT_ARG, a struct io_uring_getevents_arg. */
long ls_io_uring_setup(unsigned int entries, struct ls_uring_params *p /* out */);
long ls_io_uring_enter(int fd /* fd */, unsigned int to_submit, unsigned int min_complete, unsigned int flags /* IORING_ENTER */, const void *arg, size_t argsz);
long ls_io_uring_register(int fd /* fd */, unsigned int opcode /* IORING_REGISTER */, const void *arg, unsigned int nr_args);
/* io_uring_enter with IORING_ENTER_EXT_ARG built here: a timeout in ns (< 0: none), and a
 * signal mask (NULL: none) of sigsetsize bytes. */
long ls_io_uring_enter_ns(int fd /* fd */, unsigned int to_submit, unsigned int min_complete, unsigned int flags /* IORING_ENTER */, int64_t timeout_ns, const void *sigmask, size_t sigsetsize);

/* Ring setup: io_uring_setup(entries, p) and the mmaps (one when IORING_FEAT_SINGLE_MMAP);
 * the fd or -errno (nothing left open or mapped on failure).  ls_ring_exit unmaps and closes. */
long ls_ring_setup(struct ls_ring *r, unsigned int entries, struct ls_uring_params *p);
long ls_ring_exit(struct ls_ring *r);
/* Free SQ slots (what prep may still fill), and CQEs ready to reap. */
long ls_ring_space(struct ls_ring *r);
long ls_ring_ready(struct ls_ring *r);
/* Fill the next SQE (nothing published yet): 0, or -EBUSY when the SQ is full.  ls_ring_prep
 * takes every field as an integer (addresses too; addr2 and splice_off_in share off's and
 * addr's places); ls_ring_prep_rw is the buffer fast path. */
long ls_ring_prep(struct ls_ring *r, int opcode /* IORING_OP */, int sqe_flags /* IOSQE */, int fd, uint64_t addr, uint32_t len, uint64_t off, uint32_t op_flags, uint64_t user_data, int buf_index, int32_t splice_fd_in);
long ls_ring_prep_rw(struct ls_ring *r, int opcode /* IORING_OP */, int sqe_flags /* IOSQE */, int fd, const void *buf, uint32_t len, uint64_t off, uint64_t user_data, uint32_t rw_flags, int buf_index);
/* n SQEs in one call (all or none: -EBUSY without room for n): request i reads or writes
 * block_size bytes at offsets[i] (offsets NULL: off0 + i * block_size) to buf + i * block_size
 * (buf_index >= 0: a registered buffer's), user_data user_data0 + i.  For IORING_OP_NOP only
 * the user_data count. */
long ls_ring_prep_batch(struct ls_ring *r, int opcode /* IORING_OP */, int sqe_flags /* IOSQE */, int fd, char *buf, uint32_t block_size, const int64_t *offsets, int64_t off0, unsigned int n, uint64_t user_data0, int buf_index);
/* Publish the prepared SQEs (release store of the SQ tail) and, if any are unsubmitted or
 * wait_nr > 0, one io_uring_enter (GETEVENTS with wait_nr; EXT_ARG with timeout_ns >= 0; with
 * SQPOLL only to wake the thread or wait).  The count submitted, or -errno. */
long ls_ring_submit(struct ls_ring *r, unsigned int wait_nr, int64_t timeout_ns);
/* Copy up to max ready CQEs out as int64 rows (user_data, res, flags) and release them to
 * the kernel (release store of the CQ head); the count copied. */
long ls_ring_reap(struct ls_ring *r, int64_t *rows /* out */, unsigned int max);
/* A whole synchronous batch in one call: count requests as ls_ring_prep_batch makes them
 * (user_data first..first+count-1; buf and offsets advance with each request), prepared as
 * far as the SQ and cap (how many of them may be in flight at once) allow, submitted,
 * waited for and reaped until all completed, results[i] the res of request i.  Progress
 * lives in prog: [0] reaped, [1] prepared and not reaped, [2] the CQEs of other requests
 * copied out as rows (user_data, res, flags; at most max_rows), [3] 1 + the index of the
 * first negative result (0: none); results of requests not reaped yet are INT64_MIN.
 * Returns count once the batch is done (prog[0..1] reset to 0 for the next), a smaller
 * count when others' rows wait to be taken or a wait ended early (a signal: run the
 * handlers, call again), -EINTR for a signal too, -EBUSY when nothing of it can start
 * (cap 0: the CQ is spoken for), or another -errno of io_uring_enter. */
long ls_ring_run_batch(struct ls_ring *r, int opcode /* IORING_OP */, int sqe_flags /* IOSQE */, int fd, char *buf, uint32_t block_size, const int64_t *offsets, unsigned int count, uint64_t first, int buf_index, unsigned int cap, int64_t *results /* out */, int64_t *rows /* out */, unsigned int max_rows, unsigned int *prog /* out */);
/* Whether the SQ ring's flags ask for io_uring_enter (IORING_SQ_CQ_OVERFLOW, TASKRUN). */
long ls_ring_sq_flags(struct ls_ring *r);
/* A struct statx the ring filled, flattened as ls_statx flattens (LS_ST_* slots). */
long ls_ring_statx_flat(const void *statxbuf, int64_t *out /* out */);
#define LS_STATX_SIZE ...
#define LS_URING_MAX_ENTRIES ...

// namespace IORING_SETUP flag IORING_SETUP_
#define IORING_SETUP_IOPOLL ...
#define IORING_SETUP_SQPOLL ...
#define IORING_SETUP_SQ_AFF ...
#define IORING_SETUP_CQSIZE ...
#define IORING_SETUP_CLAMP ...
#define IORING_SETUP_ATTACH_WQ ...
#define IORING_SETUP_R_DISABLED ...
#define IORING_SETUP_SUBMIT_ALL ...
#define IORING_SETUP_COOP_TASKRUN ...
#define IORING_SETUP_TASKRUN_FLAG ...
#define IORING_SETUP_SQE128 ...
#define IORING_SETUP_CQE32 ...
#define IORING_SETUP_SINGLE_ISSUER ...
#define IORING_SETUP_DEFER_TASKRUN ...
#define IORING_SETUP_NO_MMAP ...
#define IORING_SETUP_REGISTERED_FD_ONLY ...
#define IORING_SETUP_NO_SQARRAY ...
// end namespace

// namespace IORING_ENTER flag IORING_ENTER_
#define IORING_ENTER_GETEVENTS ...
#define IORING_ENTER_SQ_WAKEUP ...
#define IORING_ENTER_SQ_WAIT ...
#define IORING_ENTER_EXT_ARG ...
#define IORING_ENTER_REGISTERED_RING ...
#define IORING_ENTER_ABS_TIMER ...
// end namespace

// namespace IORING_FEAT flag IORING_FEAT_
#define IORING_FEAT_SINGLE_MMAP ...
#define IORING_FEAT_NODROP ...
#define IORING_FEAT_SUBMIT_STABLE ...
#define IORING_FEAT_RW_CUR_POS ...
#define IORING_FEAT_CUR_PERSONALITY ...
#define IORING_FEAT_FAST_POLL ...
#define IORING_FEAT_POLL_32BITS ...
#define IORING_FEAT_SQPOLL_NONFIXED ...
#define IORING_FEAT_EXT_ARG ...
#define IORING_FEAT_NATIVE_WORKERS ...
#define IORING_FEAT_RSRC_TAGS ...
#define IORING_FEAT_CQE_SKIP ...
#define IORING_FEAT_LINKED_FILE ...
#define IORING_FEAT_REG_REG_RING ...
#define IORING_FEAT_RECVSEND_BUNDLE ...
#define IORING_FEAT_MIN_TIMEOUT ...
// end namespace

/* SQE flags: macros over enum bit numbers, so computed like enums for the tables. */
// namespace IOSQE flag IOSQE_
#define IOSQE_FIXED_FILE ... // enum
#define IOSQE_IO_DRAIN ... // enum
#define IOSQE_IO_LINK ... // enum
#define IOSQE_IO_HARDLINK ... // enum
#define IOSQE_ASYNC ... // enum
#define IOSQE_BUFFER_SELECT ... // enum
#define IOSQE_CQE_SKIP_SUCCESS ... // enum
// end namespace

// namespace IORING_OP enum IORING_OP_
#define IORING_OP_NOP ... // enum
#define IORING_OP_READV ... // enum
#define IORING_OP_WRITEV ... // enum
#define IORING_OP_FSYNC ... // enum
#define IORING_OP_READ_FIXED ... // enum
#define IORING_OP_WRITE_FIXED ... // enum
#define IORING_OP_POLL_ADD ... // enum
#define IORING_OP_POLL_REMOVE ... // enum
#define IORING_OP_SYNC_FILE_RANGE ... // enum
#define IORING_OP_SENDMSG ... // enum
#define IORING_OP_RECVMSG ... // enum
#define IORING_OP_TIMEOUT ... // enum
#define IORING_OP_TIMEOUT_REMOVE ... // enum
#define IORING_OP_ACCEPT ... // enum
#define IORING_OP_ASYNC_CANCEL ... // enum
#define IORING_OP_LINK_TIMEOUT ... // enum
#define IORING_OP_CONNECT ... // enum
#define IORING_OP_FALLOCATE ... // enum
#define IORING_OP_OPENAT ... // enum
#define IORING_OP_CLOSE ... // enum
#define IORING_OP_FILES_UPDATE ... // enum
#define IORING_OP_STATX ... // enum
#define IORING_OP_READ ... // enum
#define IORING_OP_WRITE ... // enum
#define IORING_OP_FADVISE ... // enum
#define IORING_OP_MADVISE ... // enum
#define IORING_OP_SEND ... // enum
#define IORING_OP_RECV ... // enum
#define IORING_OP_OPENAT2 ... // enum
#define IORING_OP_EPOLL_CTL ... // enum
#define IORING_OP_SPLICE ... // enum
#define IORING_OP_PROVIDE_BUFFERS ... // enum
#define IORING_OP_REMOVE_BUFFERS ... // enum
#define IORING_OP_TEE ... // enum
#define IORING_OP_SHUTDOWN ... // enum
#define IORING_OP_RENAMEAT ... // enum
#define IORING_OP_UNLINKAT ... // enum
#define IORING_OP_MKDIRAT ... // enum
#define IORING_OP_SYMLINKAT ... // enum
#define IORING_OP_LINKAT ... // enum
#define IORING_OP_MSG_RING ... // enum
#define IORING_OP_FSETXATTR ... // enum
#define IORING_OP_SETXATTR ... // enum
#define IORING_OP_FGETXATTR ... // enum
#define IORING_OP_GETXATTR ... // enum
#define IORING_OP_SOCKET ... // enum
#define IORING_OP_URING_CMD ... // enum
#define IORING_OP_SEND_ZC ... // enum
#define IORING_OP_SENDMSG_ZC ... // enum
#define IORING_OP_READ_MULTISHOT ... // enum
#define IORING_OP_WAITID ... // enum
#define IORING_OP_FUTEX_WAIT ... // enum
#define IORING_OP_FUTEX_WAKE ... // enum
#define IORING_OP_FUTEX_WAITV ... // enum
#define IORING_OP_FIXED_FD_INSTALL ... // enum
#define IORING_OP_FTRUNCATE ... // enum
#define IORING_OP_BIND ... // enum
#define IORING_OP_LISTEN ... // enum
// end namespace

/* io_uring_register's opcodes: IORING_REGISTER_BUFFERS and IORING_UNREGISTER_BUFFERS alike,
 * so the prefix stripped is IORING_ (REGISTER_BUFFERS, UNREGISTER_BUFFERS ...). */
// namespace IORING_REGISTER enum IORING_
#define IORING_REGISTER_BUFFERS ... // enum
#define IORING_UNREGISTER_BUFFERS ... // enum
#define IORING_REGISTER_FILES ... // enum
#define IORING_UNREGISTER_FILES ... // enum
#define IORING_REGISTER_EVENTFD ... // enum
#define IORING_UNREGISTER_EVENTFD ... // enum
#define IORING_REGISTER_FILES_UPDATE ... // enum
#define IORING_REGISTER_EVENTFD_ASYNC ... // enum
#define IORING_REGISTER_PROBE ... // enum
#define IORING_REGISTER_PERSONALITY ... // enum
#define IORING_UNREGISTER_PERSONALITY ... // enum
#define IORING_REGISTER_RESTRICTIONS ... // enum
#define IORING_REGISTER_ENABLE_RINGS ... // enum
#define IORING_REGISTER_FILES2 ... // enum
#define IORING_REGISTER_FILES_UPDATE2 ... // enum
#define IORING_REGISTER_BUFFERS2 ... // enum
#define IORING_REGISTER_BUFFERS_UPDATE ... // enum
#define IORING_REGISTER_IOWQ_AFF ... // enum
#define IORING_UNREGISTER_IOWQ_AFF ... // enum
#define IORING_REGISTER_IOWQ_MAX_WORKERS ... // enum
#define IORING_REGISTER_RING_FDS ... // enum
#define IORING_UNREGISTER_RING_FDS ... // enum
#define IORING_REGISTER_PBUF_RING ... // enum
#define IORING_UNREGISTER_PBUF_RING ... // enum
#define IORING_REGISTER_SYNC_CANCEL ... // enum
#define IORING_REGISTER_FILE_ALLOC_RANGE ... // enum
// end namespace

// namespace IORING_TIMEOUT flag IORING_TIMEOUT_
#define IORING_TIMEOUT_ABS ...
#define IORING_TIMEOUT_UPDATE ...
#define IORING_TIMEOUT_BOOTTIME ...
#define IORING_TIMEOUT_REALTIME ...
#define IORING_LINK_TIMEOUT_UPDATE ...
#define IORING_TIMEOUT_ETIME_SUCCESS ...
#define IORING_TIMEOUT_MULTISHOT ...
// end namespace

// namespace IORING_FSYNC flag IORING_FSYNC_
#define IORING_FSYNC_DATASYNC ...
// end namespace

// namespace IORING_ASYNC_CANCEL flag IORING_ASYNC_CANCEL_
#define IORING_ASYNC_CANCEL_ALL ...
#define IORING_ASYNC_CANCEL_FD ...
#define IORING_ASYNC_CANCEL_ANY ...
#define IORING_ASYNC_CANCEL_FD_FIXED ...
#define IORING_ASYNC_CANCEL_USERDATA ...
#define IORING_ASYNC_CANCEL_OP ...
// end namespace

// namespace IORING_CQE_F flag IORING_CQE_F_
#define IORING_CQE_F_BUFFER ...
#define IORING_CQE_F_MORE ...
#define IORING_CQE_F_SOCK_NONEMPTY ...
#define IORING_CQE_F_NOTIF ...
// end namespace

// namespace IORING_SQ flag IORING_SQ_
#define IORING_SQ_NEED_WAKEUP ...
#define IORING_SQ_CQ_OVERFLOW ...
#define IORING_SQ_TASKRUN ...
// end namespace

#define IORING_OFF_SQ_RING ...
#define IORING_OFF_CQ_RING ...
#define IORING_OFF_SQES ...

/* kaio: Linux native AIO (man 2 io_setup, io_submit, io_getevents, io_pgetevents, io_cancel,
 * io_destroy).  struct iocb and struct io_event are the headers' own (partial: cffi checks the
 * fields below against <linux/aio_abi.h>); their u64 fields are u64 on every arch, filled in C
 * (kaio.c).  aio_context_t is the kernel's unsigned long: it crosses as uint64_t, and a value
 * that does not fit this arch's long is refused with EINVAL before any call. */
#include <linux/aio_abi.h>

struct iocb { unsigned long long aio_data; unsigned int aio_key; unsigned short aio_lio_opcode; short aio_reqprio; unsigned int aio_fildes; unsigned long long aio_buf; unsigned long long aio_nbytes; long long aio_offset; unsigned int aio_flags; unsigned int aio_resfd; ...; };
struct io_event { unsigned long long data; unsigned long long obj; long long res; long long res2; };

/* The syscalls.  events/result: rows of 4 int64 (struct io_event: data, obj, res, res2);
 * timeout_ns < 0: wait forever.  io_getevents issues io_pgetevents_time64 on 32-bit arches (no
 * 2038 limit), falling back to the plain call (EOVERFLOW past its 32-bit seconds) on ENOSYS;
 * io_pgetevents likewise with its time64 twin; sigmask NULL: the thread's mask stays. */
long ls_io_setup(unsigned int nr_events, uint64_t *ctx_id /* out */);
long ls_io_destroy(uint64_t ctx_id);
long ls_io_submit(uint64_t ctx_id, long nr, struct iocb **iocbpp);
long ls_io_getevents(uint64_t ctx_id, long min_nr, long nr, int64_t *events /* out */, int64_t timeout_ns);
long ls_io_pgetevents(uint64_t ctx_id, long min_nr, long nr, int64_t *events /* out */, int64_t timeout_ns, const uint64_t *sigmask);
long ls_io_cancel(uint64_t ctx_id, struct iocb *iocb, int64_t *result /* out */);

/* AioContext's: fill iocb *cb (zeroed first; aio_rw_flags too, which old headers call
 * aio_reserved1; resfd >= 0 sets IOCB_FLAG_RESFD) and store cb in *slot: no syscall. */
long ls_aio_prep(struct iocb *cb, struct iocb **slot, int opcode /* IOCB_CMD */, int fd, const void *buf, uint64_t nbytes, int64_t offset, uint64_t data, uint32_t rw_flags /* RWF */, int resfd);
/* io_submit of all nr iocbs (as many calls as partial submissions take): the count submitted;
 * *error the -errno of the iocb that stopped it (0: none). */
long ls_aio_submit(uint64_t ctx_id, struct iocb **iocbpp, long nr, long *error /* out */);

// namespace IOCB_CMD enum IOCB_CMD_
#define IOCB_CMD_PREAD ... // enum
#define IOCB_CMD_PWRITE ... // enum
#define IOCB_CMD_FSYNC ... // enum
#define IOCB_CMD_FDSYNC ... // enum
#define IOCB_CMD_POLL ... // enum
#define IOCB_CMD_NOOP ... // enum
#define IOCB_CMD_PREADV ... // enum
#define IOCB_CMD_PWRITEV ... // enum
// end namespace

// namespace IOCB_FLAG flag IOCB_FLAG_
#define IOCB_FLAG_RESFD ...
#define IOCB_FLAG_IOPRIO ...
// end namespace

/* struct lsm_ctx (Linux 6.8) where the headers lack <linux/lsm.h>: the kernel's fixed layout,
 * four u64s and the context bytes (see cdefs/README.md, "Old headers"). */
#if !__has_include(<linux/lsm.h>)
struct lsm_ctx { uint64_t id; uint64_t flags; uint64_t len; uint64_t ctx_len; uint8_t ctx[]; };
_Static_assert(sizeof(struct lsm_ctx) == 32, "struct lsm_ctx");
#endif

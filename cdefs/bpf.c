/* union bpf_attr where the headers lack linux/bpf.h (before Linux 3.18): the kernel's size of
 * then, enough for the map commands (the kernel zero-fills what a caller's size leaves out). */
#if !__has_include(<linux/bpf.h>)
union bpf_attr { uint64_t ls_words[6]; } __attribute__((aligned(8)));
#endif
/* The kernel's layouts of the parts the map helpers use (linux/bpf.h: __u32 fields, pointers
 * as __aligned_u64). */
struct ls_bpf_map_create_attr {
    uint32_t map_type, key_size, value_size, max_entries, map_flags;
};
struct ls_bpf_map_elem_attr {
    uint32_t map_fd, ls_pad;
    uint64_t key, value, flags;  /* value: next_key for BPF_MAP_GET_NEXT_KEY */
};
struct ls_bpf_info_attr {
    uint32_t bpf_fd, info_len;
    uint64_t info;
};
struct ls_bpf_map_info {
    uint32_t type, id, key_size, value_size, max_entries, map_flags;
};
#if __has_include(<linux/bpf.h>)
#include <stddef.h>
_Static_assert(offsetof(union bpf_attr, map_flags) == offsetof(struct ls_bpf_map_create_attr,
                                                               map_flags), "map_flags");
_Static_assert(offsetof(union bpf_attr, key) == offsetof(struct ls_bpf_map_elem_attr, key),
               "key");
_Static_assert(offsetof(union bpf_attr, value) == offsetof(struct ls_bpf_map_elem_attr, value),
               "value");
_Static_assert(offsetof(union bpf_attr, next_key) == offsetof(struct ls_bpf_map_elem_attr,
                                                              value), "next_key");
_Static_assert(offsetof(union bpf_attr, flags) == offsetof(struct ls_bpf_map_elem_attr, flags),
               "flags");
_Static_assert(offsetof(union bpf_attr, info.info) == offsetof(struct ls_bpf_info_attr, info),
               "info.info");
_Static_assert(offsetof(struct bpf_map_info, map_flags) == offsetof(struct ls_bpf_map_info,
                                                                    map_flags), "bpf_map_info");
#endif

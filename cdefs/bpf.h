/* bpf: the bpf(2) syscall, raw (union bpf_attr as bytes, its size from the buffer), and the
 * map commands as helpers in bpf.py (create, lookup, update, delete, get_next_key): their
 * fields are written through the fixed-layout views below into a zeroed union bpf_attr of the
 * headers' size.  The constants are enums of linux/bpf.h (the tables where the headers lack
 * them). */
#if __has_include(<linux/bpf.h>)
#include <linux/bpf.h>
#endif

/* Hand-written in bpf.py: the attribute's size comes from its buffer. */
SYSCALL(bpf, int cmd /* BPF_CMD */, void *attr, unsigned int size)

/* The headers' union bpf_attr (bpf.c declares one of the kernel's first size where the headers
 * lack it): only its size is used, the kernel taking any size whose unknown tail is zero. */
union bpf_attr { ...; };
/* The parts of union bpf_attr (and of struct bpf_map_info) the map helpers fill or read: the
 * kernel's fixed layouts, checked against the headers in bpf.c. */
struct ls_bpf_map_create_attr { uint32_t map_type; uint32_t key_size; uint32_t value_size; uint32_t max_entries; uint32_t map_flags; };
struct ls_bpf_map_elem_attr { uint32_t map_fd; uint32_t ls_pad; uint64_t key; uint64_t value; uint64_t flags; };
struct ls_bpf_info_attr { uint32_t bpf_fd; uint32_t info_len; uint64_t info; };
struct ls_bpf_map_info { uint32_t type; uint32_t id; uint32_t key_size; uint32_t value_size; uint32_t max_entries; uint32_t map_flags; };

/* bpf(2)'s cmd: enum bpf_cmd. */
// namespace BPF_CMD enum BPF_
#define BPF_MAP_CREATE ... // enum
#define BPF_MAP_LOOKUP_ELEM ... // enum
#define BPF_MAP_UPDATE_ELEM ... // enum
#define BPF_MAP_DELETE_ELEM ... // enum
#define BPF_MAP_GET_NEXT_KEY ... // enum
#define BPF_PROG_LOAD ... // enum
#define BPF_OBJ_PIN ... // enum
#define BPF_OBJ_GET ... // enum
#define BPF_PROG_ATTACH ... // enum
#define BPF_PROG_DETACH ... // enum
#define BPF_PROG_TEST_RUN ... // enum
#define BPF_PROG_RUN ... // enum
#define BPF_PROG_GET_NEXT_ID ... // enum
#define BPF_MAP_GET_NEXT_ID ... // enum
#define BPF_PROG_GET_FD_BY_ID ... // enum
#define BPF_MAP_GET_FD_BY_ID ... // enum
#define BPF_OBJ_GET_INFO_BY_FD ... // enum
#define BPF_PROG_QUERY ... // enum
#define BPF_RAW_TRACEPOINT_OPEN ... // enum
#define BPF_BTF_LOAD ... // enum
#define BPF_BTF_GET_FD_BY_ID ... // enum
#define BPF_TASK_FD_QUERY ... // enum
#define BPF_MAP_LOOKUP_AND_DELETE_ELEM ... // enum
#define BPF_MAP_FREEZE ... // enum
#define BPF_BTF_GET_NEXT_ID ... // enum
#define BPF_MAP_LOOKUP_BATCH ... // enum
#define BPF_MAP_LOOKUP_AND_DELETE_BATCH ... // enum
#define BPF_MAP_UPDATE_BATCH ... // enum
#define BPF_MAP_DELETE_BATCH ... // enum
#define BPF_LINK_CREATE ... // enum
#define BPF_LINK_UPDATE ... // enum
#define BPF_LINK_GET_FD_BY_ID ... // enum
#define BPF_LINK_GET_NEXT_ID ... // enum
#define BPF_ENABLE_STATS ... // enum
#define BPF_ITER_CREATE ... // enum
#define BPF_LINK_DETACH ... // enum
#define BPF_PROG_BIND_MAP ... // enum
#define BPF_TOKEN_CREATE ... // enum
/* BPF_MAP_CREATE's map_type: enum bpf_map_type. */
// namespace BPF_MAP_TYPE enum BPF_MAP_TYPE_
#define BPF_MAP_TYPE_UNSPEC ... // enum
#define BPF_MAP_TYPE_HASH ... // enum
#define BPF_MAP_TYPE_ARRAY ... // enum
#define BPF_MAP_TYPE_PROG_ARRAY ... // enum
#define BPF_MAP_TYPE_PERF_EVENT_ARRAY ... // enum
#define BPF_MAP_TYPE_PERCPU_HASH ... // enum
#define BPF_MAP_TYPE_PERCPU_ARRAY ... // enum
#define BPF_MAP_TYPE_STACK_TRACE ... // enum
#define BPF_MAP_TYPE_CGROUP_ARRAY ... // enum
#define BPF_MAP_TYPE_LRU_HASH ... // enum
#define BPF_MAP_TYPE_LRU_PERCPU_HASH ... // enum
#define BPF_MAP_TYPE_LPM_TRIE ... // enum
#define BPF_MAP_TYPE_ARRAY_OF_MAPS ... // enum
#define BPF_MAP_TYPE_HASH_OF_MAPS ... // enum
#define BPF_MAP_TYPE_DEVMAP ... // enum
#define BPF_MAP_TYPE_SOCKMAP ... // enum
#define BPF_MAP_TYPE_CPUMAP ... // enum
#define BPF_MAP_TYPE_XSKMAP ... // enum
#define BPF_MAP_TYPE_SOCKHASH ... // enum
#define BPF_MAP_TYPE_CGROUP_STORAGE ... // enum
#define BPF_MAP_TYPE_REUSEPORT_SOCKARRAY ... // enum
#define BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE ... // enum
#define BPF_MAP_TYPE_QUEUE ... // enum
#define BPF_MAP_TYPE_STACK ... // enum
#define BPF_MAP_TYPE_SK_STORAGE ... // enum
#define BPF_MAP_TYPE_DEVMAP_HASH ... // enum
#define BPF_MAP_TYPE_STRUCT_OPS ... // enum
#define BPF_MAP_TYPE_RINGBUF ... // enum
#define BPF_MAP_TYPE_INODE_STORAGE ... // enum
#define BPF_MAP_TYPE_TASK_STORAGE ... // enum
#define BPF_MAP_TYPE_BLOOM_FILTER ... // enum
#define BPF_MAP_TYPE_USER_RINGBUF ... // enum
#define BPF_MAP_TYPE_CGRP_STORAGE ... // enum
#define BPF_MAP_TYPE_ARENA ... // enum
/* BPF_MAP_CREATE's map_flags (an anonymous enum of linux/bpf.h). */
// namespace BPF_F flag BPF_F_
#define BPF_F_NO_PREALLOC ... // enum
#define BPF_F_NO_COMMON_LRU ... // enum
#define BPF_F_NUMA_NODE ... // enum
#define BPF_F_RDONLY ... // enum
#define BPF_F_WRONLY ... // enum
#define BPF_F_STACK_BUILD_ID ... // enum
#define BPF_F_ZERO_SEED ... // enum
#define BPF_F_RDONLY_PROG ... // enum
#define BPF_F_WRONLY_PROG ... // enum
#define BPF_F_CLONE ... // enum
#define BPF_F_MMAPABLE ... // enum
#define BPF_F_PRESERVE_ELEMS ... // enum
#define BPF_F_INNER_MAP ... // enum
#define BPF_F_LINK ... // enum
#define BPF_F_PATH_FD ... // enum
#define BPF_F_VTYPE_BTF_OBJ_FD ... // enum
#define BPF_F_TOKEN_FD ... // enum
#define BPF_F_SEGV_ON_FAULT ... // enum
#define BPF_F_NO_USER_CONV ... // enum
/* The element commands' flags (BPF_MAP_UPDATE_ELEM's: create, replace or either; BPF_F_LOCK
 * for maps with a spin lock, lookups too). */
// namespace BPF_UPDATE flag BPF_
#define BPF_ANY ... // enum
#define BPF_NOEXIST ... // enum
#define BPF_EXIST ... // enum
#define BPF_F_LOCK ... // enum
// end namespace

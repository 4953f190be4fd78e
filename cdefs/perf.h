/* perf: perf_event_open(2) and the perf event ioctls (man 2 perf_event_open).  struct
 * perf_event_attr crosses as ls_perf_event_attr, the kernel's layout of Linux 6.13 (136 bytes,
 * PERF_ATTR_SIZE_VER8) declared in perf.c whatever the headers' age and checked against them
 * where they have it; PerfEventAttr (perf.py) fills it by field name, bit fields included.
 * The ioctls go through io's ls_ioctl/ls_ioctl_ptr with the LS_PERF_EVENT_IOC_* numbers. */
#include <sys/ioctl.h>
#if __has_include(<linux/perf_event.h>)
#include <linux/perf_event.h>
#endif
/* The ioctl requests of linux/perf_event.h, spelled out where the headers are older (ID's
 * size is a pointer's: the compiler's, per arch). */
#ifdef PERF_EVENT_IOC_ENABLE
#  define LS_PERF_EVENT_IOC_ENABLE PERF_EVENT_IOC_ENABLE
#  define LS_PERF_EVENT_IOC_DISABLE PERF_EVENT_IOC_DISABLE
#  define LS_PERF_EVENT_IOC_RESET PERF_EVENT_IOC_RESET
#  define LS_PERF_EVENT_IOC_ID PERF_EVENT_IOC_ID
#else
#  define LS_PERF_EVENT_IOC_ENABLE _IO('$', 0)
#  define LS_PERF_EVENT_IOC_DISABLE _IO('$', 1)
#  define LS_PERF_EVENT_IOC_RESET _IO('$', 3)
#  define LS_PERF_EVENT_IOC_ID _IOR('$', 7, uint64_t *)
#endif

/* Hand-written in perf.py: the attribute is a PerfEventAttr, the fd close-on-exec. */
SYSCALL(perf_event_open, struct ls_perf_event_attr *attr, int pid, int cpu, int group_fd /* fd */, unsigned long flags /* PERF_FLAG */)

struct ls_perf_event_attr { uint32_t type; uint32_t size; uint64_t config; union { uint64_t sample_period; uint64_t sample_freq; }; uint64_t sample_type; uint64_t read_format; uint64_t disabled : 1, inherit : 1, pinned : 1, exclusive : 1, exclude_user : 1, exclude_kernel : 1, exclude_hv : 1, exclude_idle : 1, mmap : 1, comm : 1, freq : 1, inherit_stat : 1, enable_on_exec : 1, task : 1, watermark : 1, precise_ip : 2, mmap_data : 1, sample_id_all : 1, exclude_host : 1, exclude_guest : 1, exclude_callchain_kernel : 1, exclude_callchain_user : 1, mmap2 : 1, comm_exec : 1, use_clockid : 1, context_switch : 1, write_backward : 1, namespaces : 1, ksymbol : 1, bpf_event : 1, aux_output : 1, cgroup : 1, text_poke : 1, build_id : 1, inherit_thread : 1, remove_on_exec : 1, sigtrap : 1, __reserved_1 : 26; union { uint32_t wakeup_events; uint32_t wakeup_watermark; }; uint32_t bp_type; union { uint64_t bp_addr; uint64_t kprobe_func; uint64_t uprobe_path; uint64_t config1; }; union { uint64_t bp_len; uint64_t kprobe_addr; uint64_t probe_offset; uint64_t config2; }; uint64_t branch_sample_type; uint64_t sample_regs_user; uint32_t sample_stack_user; int32_t clockid; uint64_t sample_regs_intr; uint32_t aux_watermark; uint16_t sample_max_stack; uint16_t __reserved_2; uint32_t aux_sample_size; union { uint32_t aux_action; struct { uint32_t aux_start_paused : 1, aux_pause : 1, aux_resume : 1, __reserved_3 : 29; }; }; uint64_t sig_data; uint64_t config3; };

#define LS_PERF_EVENT_IOC_ENABLE ...
#define LS_PERF_EVENT_IOC_DISABLE ...
#define LS_PERF_EVENT_IOC_RESET ...
#define LS_PERF_EVENT_IOC_ID ...
/* attr.type: enum perf_type_id (a PMU's own number, from /sys/bus/event_source/devices/ *
 * /type, is taken as well). */
// namespace PERF_TYPE enum PERF_TYPE_
#define PERF_TYPE_HARDWARE ... // enum
#define PERF_TYPE_SOFTWARE ... // enum
#define PERF_TYPE_TRACEPOINT ... // enum
#define PERF_TYPE_HW_CACHE ... // enum
#define PERF_TYPE_RAW ... // enum
#define PERF_TYPE_BREAKPOINT ... // enum
/* attr.config for PERF_TYPE.SOFTWARE: enum perf_sw_ids. */
// namespace PERF_COUNT_SW enum PERF_COUNT_SW_
#define PERF_COUNT_SW_CPU_CLOCK ... // enum
#define PERF_COUNT_SW_TASK_CLOCK ... // enum
#define PERF_COUNT_SW_PAGE_FAULTS ... // enum
#define PERF_COUNT_SW_CONTEXT_SWITCHES ... // enum
#define PERF_COUNT_SW_CPU_MIGRATIONS ... // enum
#define PERF_COUNT_SW_PAGE_FAULTS_MIN ... // enum
#define PERF_COUNT_SW_PAGE_FAULTS_MAJ ... // enum
#define PERF_COUNT_SW_ALIGNMENT_FAULTS ... // enum
#define PERF_COUNT_SW_EMULATION_FAULTS ... // enum
#define PERF_COUNT_SW_DUMMY ... // enum
#define PERF_COUNT_SW_BPF_OUTPUT ... // enum
#define PERF_COUNT_SW_CGROUP_SWITCHES ... // enum
/* attr.config for PERF_TYPE.HARDWARE: enum perf_hw_id. */
// namespace PERF_COUNT_HW enum PERF_COUNT_HW_
#define PERF_COUNT_HW_CPU_CYCLES ... // enum
#define PERF_COUNT_HW_INSTRUCTIONS ... // enum
#define PERF_COUNT_HW_CACHE_REFERENCES ... // enum
#define PERF_COUNT_HW_CACHE_MISSES ... // enum
#define PERF_COUNT_HW_BRANCH_INSTRUCTIONS ... // enum
#define PERF_COUNT_HW_BRANCH_MISSES ... // enum
#define PERF_COUNT_HW_BUS_CYCLES ... // enum
#define PERF_COUNT_HW_STALLED_CYCLES_FRONTEND ... // enum
#define PERF_COUNT_HW_STALLED_CYCLES_BACKEND ... // enum
#define PERF_COUNT_HW_REF_CPU_CYCLES ... // enum
/* attr.read_format: enum perf_event_read_format. */
// namespace PERF_FORMAT flag PERF_FORMAT_
#define PERF_FORMAT_TOTAL_TIME_ENABLED ... // enum
#define PERF_FORMAT_TOTAL_TIME_RUNNING ... // enum
#define PERF_FORMAT_ID ... // enum
#define PERF_FORMAT_GROUP ... // enum
#define PERF_FORMAT_LOST ... // enum
/* perf_event_open(2)'s flags. */
// namespace PERF_FLAG flag PERF_FLAG_
#define PERF_FLAG_FD_NO_GROUP ...
#define PERF_FLAG_FD_OUTPUT ...
#define PERF_FLAG_PID_CGROUP ...
#define PERF_FLAG_FD_CLOEXEC ...
/* The enable/disable/reset ioctls' argument: enum perf_event_ioc_flags. */
// namespace PERF_IOC_FLAG flag PERF_IOC_FLAG_
#define PERF_IOC_FLAG_GROUP ... // enum
// end namespace

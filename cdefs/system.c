/* struct kexec_segment of linux/kexec.h, with its fixed layout whatever the headers' age (every
 * field pointer-sized: one layout per arch, the kernel's compat code takes 32-bit processes'). */
struct ls_kexec_segment {
    const void *buf;
    size_t bufsz;
    const void *mem;
    size_t memsz;
};
#if __has_include(<linux/kexec.h>)  /* (not KEXEC_SEGMENT_MAX: the tables may define it) */
_Static_assert(sizeof(struct ls_kexec_segment) == sizeof(struct kexec_segment),
               "struct kexec_segment");
#endif

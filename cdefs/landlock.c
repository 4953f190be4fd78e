/* The kernel's structs (linux/landlock.h), fixed layouts whatever the headers' age: the
 * ruleset attribute grew with the ABI (handled_access_net: Linux 6.7, scoped: 6.12), headers
 * before 6.7 lack the net port rule, and those before 5.13 the whole file. */
struct ls_landlock_ruleset_attr { uint64_t handled_access_fs, handled_access_net, scoped; };
struct ls_landlock_path_beneath_attr {
    uint64_t allowed_access;
    int32_t parent_fd;
} __attribute__((packed));  /* packed in the uapi too: 12 bytes, no trailing padding */
struct ls_landlock_net_port_attr { uint64_t allowed_access, port; };
_Static_assert(sizeof(struct ls_landlock_ruleset_attr) == 24, "struct landlock_ruleset_attr");
_Static_assert(sizeof(struct ls_landlock_path_beneath_attr) == 12,
               "struct landlock_path_beneath_attr");
_Static_assert(sizeof(struct ls_landlock_net_port_attr) == 16, "struct landlock_net_port_attr");
#if __has_include(<linux/landlock.h>)
_Static_assert(sizeof(struct landlock_path_beneath_attr) == 12, "the headers' path rule");
#endif

static long ls_landlock_create_ruleset(uint64_t handled_access_fs, uint64_t handled_access_net,
                                       uint64_t scoped, unsigned int flags)
{
#ifdef SYS_landlock_create_ruleset
    struct ls_landlock_ruleset_attr a = { handled_access_fs, handled_access_net, scoped };
    const void *attr = &a;
    /* The smallest size holding every non-zero field: a kernel older than a field refuses a
     * larger size only when the bytes it does not know are non-zero (E2BIG), so this asks an
     * old kernel exactly what it can answer. */
    size_t size = scoped ? 24 : handled_access_net ? 16 : 8;
    if (flags && !handled_access_fs && !handled_access_net && !scoped) {
        attr = NULL;  /* the VERSION and ERRATA queries take no attribute */
        size = 0;
    }
    return ls_ret(syscall(SYS_landlock_create_ruleset, (long)attr, (long)size, (long)flags));
#else
    (void)handled_access_fs; (void)handled_access_net; (void)scoped; (void)flags;
    return -ENOSYS;
#endif
}

static long ls_landlock_add_rule_path_beneath(int ruleset_fd, uint64_t allowed_access,
                                              int parent_fd, unsigned int flags)
{
#ifdef SYS_landlock_add_rule
    struct ls_landlock_path_beneath_attr a = { allowed_access, parent_fd };
    return ls_ret(syscall(SYS_landlock_add_rule, (long)ruleset_fd,
                          (long)LANDLOCK_RULE_PATH_BENEATH, (long)&a, (long)flags));
#else
    (void)ruleset_fd; (void)allowed_access; (void)parent_fd; (void)flags;
    return -ENOSYS;
#endif
}

static long ls_landlock_add_rule_net_port(int ruleset_fd, uint64_t allowed_access, uint64_t port,
                                          unsigned int flags)
{
#ifdef SYS_landlock_add_rule
    struct ls_landlock_net_port_attr a = { allowed_access, port };
    return ls_ret(syscall(SYS_landlock_add_rule, (long)ruleset_fd,
                          (long)LANDLOCK_RULE_NET_PORT, (long)&a, (long)flags));
#else
    (void)ruleset_fd; (void)allowed_access; (void)port; (void)flags;
    return -ENOSYS;
#endif
}

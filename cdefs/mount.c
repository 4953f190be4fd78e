/* umount2's flags under one prefix (MNT.FORCE ... MNT.NOFOLLOW). */
#define LS_MNT_FORCE MNT_FORCE
#define LS_MNT_DETACH MNT_DETACH
#define LS_MNT_EXPIRE MNT_EXPIRE
#define LS_MNT_NOFOLLOW UMOUNT_NOFOLLOW



/* The kernel's structs (linux/mount.h), fixed layouts whatever the headers' age. */
struct ls_mount_attr { uint64_t attr_set, attr_clr, propagation, userns_fd; };
struct ls_mnt_id_req { uint32_t size, spare; uint64_t mnt_id, param; };  /* MNT_ID_REQ_SIZE_VER0 */
struct ls_statmount {
    uint32_t size, mnt_opts;
    uint64_t mask;
    uint32_t sb_dev_major, sb_dev_minor;
    uint64_t sb_magic;
    uint32_t sb_flags, fs_type;
    uint64_t mnt_id, mnt_parent_id;
    uint32_t mnt_id_old, mnt_parent_id_old;
    uint64_t mnt_attr, mnt_propagation, mnt_peer_group, mnt_master, propagate_from;
    uint32_t mnt_root, mnt_point;
    uint64_t mnt_ns_id;
    uint32_t fs_subtype, sb_source;
    uint32_t opt_num, opt_array, opt_sec_num, opt_sec_array;
    uint64_t supported_mask;
    uint32_t mnt_uidmap_num, mnt_uidmap, mnt_gidmap_num, mnt_gidmap;
    uint64_t spare[43];
};
_Static_assert(sizeof(struct ls_mount_attr) == 32, "MOUNT_ATTR_SIZE_VER0");
_Static_assert(sizeof(struct ls_mnt_id_req) == 24, "MNT_ID_REQ_SIZE_VER0");
_Static_assert(sizeof(struct ls_statmount) == 512, "struct statmount");

/* out[] of ls_statmount: numbers, then the strings' offsets into buf (-1: absent). */
enum { LS_SM_MASK, LS_SM_SB_DEV_MAJOR, LS_SM_SB_DEV_MINOR, LS_SM_SB_MAGIC, LS_SM_SB_FLAGS,
       LS_SM_MNT_ID, LS_SM_MNT_PARENT_ID, LS_SM_MNT_ID_OLD, LS_SM_MNT_PARENT_ID_OLD,
       LS_SM_MNT_ATTR, LS_SM_MNT_PROPAGATION, LS_SM_MNT_PEER_GROUP, LS_SM_MNT_MASTER,
       LS_SM_PROPAGATE_FROM, LS_SM_MNT_NS_ID, LS_SM_FS_TYPE, LS_SM_MNT_ROOT, LS_SM_MNT_POINT,
       LS_SM_MNT_OPTS, LS_SM_FS_SUBTYPE, LS_SM_SB_SOURCE,
       /* the string arrays (count NUL-terminated strings): offsets (-1: absent), then counts */
       LS_SM_OPT_ARRAY, LS_SM_OPT_SEC_ARRAY, LS_SM_MNT_UIDMAP, LS_SM_MNT_GIDMAP,
       LS_SM_OPT_NUM, LS_SM_OPT_SEC_NUM, LS_SM_MNT_UIDMAP_NUM, LS_SM_MNT_GIDMAP_NUM,
       LS_SM_SUPPORTED_MASK, LS_SM_COUNT_ };
#define LS_SM_COUNT LS_SM_COUNT_
#define LS_SM_ARRAY_AT LS_SM_OPT_ARRAY    /* (macros: the cdef asks the preprocessor) */
#define LS_SM_ARRAY_NUM LS_SM_OPT_NUM
#define LS_SM_SUPPORTED LS_SM_SUPPORTED_MASK
#define LS_SM_FIXED ((int)sizeof(struct ls_statmount))

/* mount_setattr and open_tree_attr take the same struct mount_attr after (dirfd, path, flags);
 * with_attr 0: open_tree_attr with no struct (NULL, size 0), as open_tree. */
static long ls_mount_attr_call(long nr, int dirfd, const char *path, unsigned int flags,
                               int with_attr, uint64_t attr_set, uint64_t attr_clr,
                               uint64_t propagation, int userns_fd)
{
    struct ls_mount_attr a = { attr_set, attr_clr, propagation,
                               userns_fd < 0 ? 0 : (uint64_t)userns_fd };
    return ls_ret(syscall(nr, (long)dirfd, (long)path, (long)flags, with_attr ? (long)&a : 0L,
                          with_attr ? (long)sizeof a : 0L));
}

static long ls_mount_setattr(int dirfd, const char *path, unsigned int flags, uint64_t attr_set,
                             uint64_t attr_clr, uint64_t propagation, int userns_fd)
{
#ifdef SYS_mount_setattr
    return ls_mount_attr_call(SYS_mount_setattr, dirfd, path, flags, 1, attr_set, attr_clr,
                              propagation, userns_fd);
#else
    (void)dirfd; (void)path; (void)flags; (void)attr_set; (void)attr_clr; (void)propagation;
    (void)userns_fd;
    return -ENOSYS;
#endif
}

static long ls_open_tree_attr(int dirfd, const char *path, unsigned int flags, int with_attr,
                              uint64_t attr_set, uint64_t attr_clr, uint64_t propagation,
                              int userns_fd)
{
#ifdef SYS_open_tree_attr
    return ls_mount_attr_call(SYS_open_tree_attr, dirfd, path, flags, with_attr, attr_set,
                              attr_clr, propagation, userns_fd);
#else
    (void)dirfd; (void)path; (void)flags; (void)with_attr; (void)attr_set; (void)attr_clr;
    (void)propagation; (void)userns_fd;
    return -ENOSYS;
#endif
}

static long ls_statmount(uint64_t mnt_id, uint64_t mask, void *buf, size_t bufsize, int64_t *out)
{
#ifdef SYS_statmount
    struct ls_mnt_id_req req = { sizeof req, 0, mnt_id, mask };
    long r = syscall(SYS_statmount, (long)&req, (long)buf, (long)bufsize, 0L);
    if (r == -1)
        return -errno;
    const struct ls_statmount *s = buf;
    uint64_t got = s->mask;
    out[LS_SM_MASK] = (int64_t)got;
    out[LS_SM_SB_DEV_MAJOR] = s->sb_dev_major;
    out[LS_SM_SB_DEV_MINOR] = s->sb_dev_minor;
    out[LS_SM_SB_MAGIC] = (int64_t)s->sb_magic;
    out[LS_SM_SB_FLAGS] = s->sb_flags;
    out[LS_SM_MNT_ID] = (int64_t)s->mnt_id;
    out[LS_SM_MNT_PARENT_ID] = (int64_t)s->mnt_parent_id;
    out[LS_SM_MNT_ID_OLD] = s->mnt_id_old;
    out[LS_SM_MNT_PARENT_ID_OLD] = s->mnt_parent_id_old;
    out[LS_SM_MNT_ATTR] = (int64_t)s->mnt_attr;
    out[LS_SM_MNT_PROPAGATION] = (int64_t)s->mnt_propagation;
    out[LS_SM_MNT_PEER_GROUP] = (int64_t)s->mnt_peer_group;
    out[LS_SM_MNT_MASTER] = (int64_t)s->mnt_master;
    out[LS_SM_PROPAGATE_FROM] = (int64_t)s->propagate_from;
    out[LS_SM_MNT_NS_ID] = (int64_t)s->mnt_ns_id;
    /* A string is present when its bit came back; its offset counts from the struct's end. */
    const struct { int slot; uint64_t bit; uint32_t off; } strs[] = {
        { LS_SM_FS_TYPE, STATMOUNT_FS_TYPE, s->fs_type },
        { LS_SM_MNT_ROOT, STATMOUNT_MNT_ROOT, s->mnt_root },
        { LS_SM_MNT_POINT, STATMOUNT_MNT_POINT, s->mnt_point },
        { LS_SM_MNT_OPTS, STATMOUNT_MNT_OPTS, s->mnt_opts },
#ifdef STATMOUNT_FS_SUBTYPE  /* Linux 6.13: not in every header or table */
        { LS_SM_FS_SUBTYPE, STATMOUNT_FS_SUBTYPE, s->fs_subtype },
#endif
#ifdef STATMOUNT_SB_SOURCE
        { LS_SM_SB_SOURCE, STATMOUNT_SB_SOURCE, s->sb_source },
#endif
    };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        uint64_t at = sizeof *s + (uint64_t)strs[i].off;
        out[strs[i].slot] = (got & strs[i].bit) && at < s->size && at < bufsize ? (int64_t)at : -1;
    }
    /* Linux 6.13-6.15: arrays of strings, and the mask bits this kernel knows. */
    const struct { int slot, num_slot; uint64_t bit; uint32_t off, num; } arrays[] = {
#ifdef STATMOUNT_OPT_ARRAY
        { LS_SM_OPT_ARRAY, LS_SM_OPT_NUM, STATMOUNT_OPT_ARRAY, s->opt_array, s->opt_num },
        { LS_SM_OPT_SEC_ARRAY, LS_SM_OPT_SEC_NUM, STATMOUNT_OPT_SEC_ARRAY, s->opt_sec_array,
          s->opt_sec_num },
#endif
#ifdef STATMOUNT_MNT_UIDMAP
        { LS_SM_MNT_UIDMAP, LS_SM_MNT_UIDMAP_NUM, STATMOUNT_MNT_UIDMAP, s->mnt_uidmap,
          s->mnt_uidmap_num },
        { LS_SM_MNT_GIDMAP, LS_SM_MNT_GIDMAP_NUM, STATMOUNT_MNT_GIDMAP, s->mnt_gidmap,
          s->mnt_gidmap_num },
#endif
    };
    for (int slot = LS_SM_OPT_ARRAY; slot <= LS_SM_MNT_GIDMAP_NUM; slot++)
        out[slot] = slot < LS_SM_OPT_NUM ? -1 : 0;
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) {
        uint64_t at = sizeof *s + (uint64_t)arrays[i].off;
        if ((got & arrays[i].bit) && at <= s->size && at <= bufsize) {
            out[arrays[i].slot] = (int64_t)at;
            out[arrays[i].num_slot] = arrays[i].num;
        }
    }
#ifdef STATMOUNT_SUPPORTED_MASK
    out[LS_SM_SUPPORTED_MASK] = got & STATMOUNT_SUPPORTED_MASK ? (int64_t)s->supported_mask : -1;
#else
    out[LS_SM_SUPPORTED_MASK] = -1;
#endif
    return r;
#else
    (void)mnt_id; (void)mask; (void)buf; (void)bufsize; (void)out;
    return -ENOSYS;
#endif
}

static long ls_listmount(uint64_t mnt_id, uint64_t last_mnt_id, uint64_t *ids, size_t nr,
                         unsigned int flags)
{
#ifdef SYS_listmount
    struct ls_mnt_id_req req = { sizeof req, 0, mnt_id, last_mnt_id };
    return ls_ret(syscall(SYS_listmount, (long)&req, (long)ids, (long)nr, (long)flags));
#else
    (void)mnt_id; (void)last_mnt_id; (void)ids; (void)nr; (void)flags;
    return -ENOSYS;
#endif
}

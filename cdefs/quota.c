struct ls_if_dqblk { uint64_t dqb_bhardlimit, dqb_bsoftlimit, dqb_curspace, dqb_ihardlimit, dqb_isoftlimit, dqb_curinodes, dqb_btime, dqb_itime; uint32_t dqb_valid; };
struct ls_if_nextdqblk { uint64_t dqb_bhardlimit, dqb_bsoftlimit, dqb_curspace, dqb_ihardlimit, dqb_isoftlimit, dqb_curinodes, dqb_btime, dqb_itime; uint32_t dqb_valid, dqb_id; };
struct ls_if_dqinfo { uint64_t dqi_bgrace, dqi_igrace; uint32_t dqi_flags, dqi_valid; };

#define LS_FS_DISK_QUOTA_SIZE sizeof(struct fs_disk_quota)
#define LS_FS_QUOTA_STAT_SIZE sizeof(struct fs_quota_stat)
/* struct fs_quota_statv (Linux 3.12 headers) is 160 bytes on every arch: no padding. */
#ifdef FS_QSTATV_VERSION1
_Static_assert(sizeof(struct fs_quota_statv) == 160, "struct fs_quota_statv");
#endif
#define LS_FS_QUOTA_STATV_SIZE 160

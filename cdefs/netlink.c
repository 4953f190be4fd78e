/* netlink: walking received messages and attributes (see netlink.h). */
#define LS_NLMSG_ROW 6
#define LS_NLA_ROW 3

long ls_nlmsg_rows(const char *buf, size_t len, int64_t *rows, long maxrows)
{
    size_t at = 0;
    long n = 0;
    while (len - at >= sizeof(struct nlmsghdr) && n < maxrows) {
        const struct nlmsghdr *h = (const struct nlmsghdr *)(buf + at);
        if (h->nlmsg_len < sizeof *h || h->nlmsg_len > len - at)
            return -EINVAL;
        int64_t *row = rows + LS_NLMSG_ROW * n++;
        row[0] = h->nlmsg_type;
        row[1] = h->nlmsg_flags;
        row[2] = h->nlmsg_seq;
        row[3] = h->nlmsg_pid;
        row[4] = at + NLMSG_HDRLEN;
        row[5] = h->nlmsg_len - NLMSG_HDRLEN;
        size_t step = NLMSG_ALIGN(h->nlmsg_len);
        if (step > len - at)
            break;  /* the last one, unpadded */
        at += step;
    }
    return n;
}

long ls_nla_rows(const char *buf, size_t start, size_t len, int64_t *rows, long maxrows)
{
    size_t at = 0;
    long n = 0;
    const char *p = buf + start;
    while (len - at >= sizeof(struct nlattr) && n < maxrows) {
        const struct nlattr *a = (const struct nlattr *)(p + at);
        if (a->nla_len < sizeof *a || a->nla_len > len - at)
            return -EINVAL;
        int64_t *row = rows + LS_NLA_ROW * n++;
        row[0] = a->nla_type & NLA_TYPE_MASK;
        row[1] = start + at + NLA_HDRLEN;
        row[2] = a->nla_len - NLA_HDRLEN;
        size_t step = NLA_ALIGN(a->nla_len);
        if (step > len - at)
            break;
        at += step;
    }
    return n;
}

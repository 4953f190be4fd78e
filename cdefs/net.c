/* net: the socket calls (see net.h). */
#include <stddef.h>
#include <linux/net.h>  /* socketcall's call numbers (SYS_SOCKET ...) */

#define LS_SUN_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)
#define LS_SUN_PATH_OFFSET offsetof(struct sockaddr_un, sun_path)

#ifdef __i386__
/* i386 gained the direct socket syscalls in Linux 4.3; before, and under seccomp profiles
 * written for that, only socketcall(2) answers.  Each call tries the direct one first (or not,
 * once forced: how the tests reach the fallback on a new kernel). */
static int ls_socketcall_forced;

static long ls_net(long nr, int call, long a, long b, long c, long d, long e, long f)
{
    if (!ls_socketcall_forced) {
        long r = ls_ret(syscall(nr, a, b, c, d, e, f));
        if (r != -ENOSYS)
            return r;
    }
    unsigned long args[6] = {a, b, c, d, e, f};
    return ls_ret(syscall(SYS_socketcall, call, args));
}
#  define LS_NET(name, CALL, a, b, c, d, e, f) ls_net(SYS_##name, CALL, a, b, c, d, e, f)

long ls_force_socketcall(int on)
{
    ls_socketcall_forced = on != 0;
    return 0;
}
#else
#  define LS_NET(name, CALL, a, b, c, d, e, f) ls_syscall6(SYS_##name, a, b, c, d, e, f)

long ls_force_socketcall(int on)
{
    (void)on;
    return -ENOSYS;
}
#endif

#define LS_L(x) ((long)(x))

long ls_if_nametoindex(const char *ifname)
{
    unsigned int i = if_nametoindex(ifname);
    return i ? (long)i : -errno;
}

long ls_if_indextoname(unsigned int ifindex, char *ifname)
{
    return if_indextoname(ifindex, ifname) ? 0 : -errno;
}

long ls_socket(int domain, int type, int protocol)
{
    return LS_NET(socket, SYS_SOCKET, domain, type, protocol, 0, 0, 0);
}

long ls_socketpair(int domain, int type, int protocol, int *sv)
{
    return LS_NET(socketpair, SYS_SOCKETPAIR, domain, type, protocol, LS_L(sv), 0, 0);
}

long ls_bind(int sockfd, const char *addr, unsigned int addrlen)
{
    return LS_NET(bind, SYS_BIND, sockfd, LS_L(addr), addrlen, 0, 0, 0);
}

long ls_connect(int sockfd, const char *addr, unsigned int addrlen)
{
    return LS_NET(connect, SYS_CONNECT, sockfd, LS_L(addr), addrlen, 0, 0, 0);
}

long ls_listen(int sockfd, int backlog)
{
    return LS_NET(listen, SYS_LISTEN, sockfd, backlog, 0, 0, 0, 0);
}

long ls_accept4(int sockfd, void *addr, unsigned int *addrlen, int flags)
{
    if (addr)
        *addrlen = sizeof(struct sockaddr_storage);
    return LS_NET(accept4, SYS_ACCEPT4, sockfd, LS_L(addr), LS_L(addrlen), flags, 0, 0);
}

long ls_shutdown(int sockfd, int how)
{
    return LS_NET(shutdown, SYS_SHUTDOWN, sockfd, how, 0, 0, 0, 0);
}

long ls_getsockname(int sockfd, void *addr, unsigned int *addrlen)
{
    *addrlen = sizeof(struct sockaddr_storage);
    return LS_NET(getsockname, SYS_GETSOCKNAME, sockfd, LS_L(addr), LS_L(addrlen), 0, 0, 0);
}

long ls_getpeername(int sockfd, void *addr, unsigned int *addrlen)
{
    *addrlen = sizeof(struct sockaddr_storage);
    return LS_NET(getpeername, SYS_GETPEERNAME, sockfd, LS_L(addr), LS_L(addrlen), 0, 0, 0);
}

long ls_getsockopt(int sockfd, int level, int optname, void *optval, unsigned int *optlen)
{
    return LS_NET(getsockopt, SYS_GETSOCKOPT, sockfd, level, optname, LS_L(optval),
                  LS_L(optlen), 0);
}

long ls_setsockopt(int sockfd, int level, int optname, const void *optval, unsigned int optlen)
{
    return LS_NET(setsockopt, SYS_SETSOCKOPT, sockfd, level, optname, LS_L(optval), optlen, 0);
}

long ls_send(int sockfd, const void *buf, size_t len, int flags)
{
    return LS_NET(sendto, SYS_SENDTO, sockfd, LS_L(buf), len, flags, 0, 0);
}

long ls_recv(int sockfd, void *buf, size_t len, int flags)
{
    return LS_NET(recvfrom, SYS_RECVFROM, sockfd, LS_L(buf), len, flags, 0, 0);
}

long ls_sendto(int sockfd, const void *buf, size_t len, int flags, const char *dest_addr,
               unsigned int addrlen)
{
    return LS_NET(sendto, SYS_SENDTO, sockfd, LS_L(buf), len, flags, LS_L(dest_addr), addrlen);
}

long ls_recvfrom(int sockfd, void *buf, size_t len, int flags, void *src_addr,
                 unsigned int *addrlen)
{
    if (src_addr)
        *addrlen = sizeof(struct sockaddr_storage);
    return LS_NET(recvfrom, SYS_RECVFROM, sockfd, LS_L(buf), len, flags, LS_L(src_addr),
                  LS_L(addrlen));
}

long ls_sendmsg(int sockfd, const struct iovec *iov, size_t iovlen, const char *name,
                unsigned int namelen, const void *control, size_t controllen, int flags)
{
    struct msghdr msg = {
        .msg_name = (void *)name, .msg_namelen = name ? namelen : 0,
        .msg_iov = (struct iovec *)iov, .msg_iovlen = iovlen,
        .msg_control = controllen ? (void *)control : NULL, .msg_controllen = controllen,
    };
    return LS_NET(sendmsg, SYS_SENDMSG, sockfd, LS_L(&msg), flags, 0, 0, 0);
}

long ls_recvmsg(int sockfd, void *buf, size_t len, void *name, unsigned int *namelen,
                void *control, size_t *controllen, int flags, int *msg_flags)
{
    struct iovec iov = {buf, len};
    struct msghdr msg = {
        .msg_name = name, .msg_namelen = sizeof(struct sockaddr_storage),
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = *controllen ? control : NULL, .msg_controllen = *controllen,
    };
    long r = LS_NET(recvmsg, SYS_RECVMSG, sockfd, LS_L(&msg), flags, 0, 0, 0);
    if (r >= 0) {
        *namelen = msg.msg_namelen;
        *controllen = msg.msg_controllen;
        *msg_flags = msg.msg_flags;
    }
    return r;
}

size_t ls_cmsg_space(size_t len)
{
    return CMSG_SPACE(len);
}

size_t ls_cmsg_put(void *control, size_t offset, int level, int type, const void *data,
                   size_t len)
{
    struct cmsghdr *c = (struct cmsghdr *)((char *)control + offset);
    memset(c, 0, CMSG_SPACE(len));
    c->cmsg_level = level;
    c->cmsg_type = type;
    c->cmsg_len = CMSG_LEN(len);
    memcpy(CMSG_DATA(c), data, len);
    return offset + CMSG_SPACE(len);
}

long ls_cmsg_rows(const void *control, size_t controllen, int64_t *rows, long maxrows)
{
    struct msghdr msg = {.msg_control = (void *)control, .msg_controllen = controllen};
    long n = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c && n < maxrows; c = CMSG_NXTHDR(&msg, c)) {
        size_t at = (const char *)CMSG_DATA(c) - (const char *)control;
        size_t end = (const char *)c - (const char *)control + c->cmsg_len;
        if (c->cmsg_len < CMSG_LEN(0) || end > controllen)
            end = controllen;  /* truncated (MSG_CTRUNC): only what arrived */
        rows[4 * n] = c->cmsg_level;
        rows[4 * n + 1] = c->cmsg_type;
        rows[4 * n + 2] = at;
        rows[4 * n + 3] = end > at ? end - at : 0;
        n++;
    }
    return n;
}

int64_t ls_cmsg_timespec_ns(const void *data, size_t len)
{
    if (len >= sizeof(struct __kernel_timespec) && sizeof(struct timespec) != len) {
        struct __kernel_timespec ts;
        memcpy(&ts, data, sizeof ts);
        return ls_kts_ns(&ts);
    }
    struct timespec ts;
    memcpy(&ts, data, len < sizeof ts ? len : sizeof ts);
    return (int64_t)ts.tv_sec * LS_NS_PER_S + ts.tv_nsec;
}

/* The kernel's struct __kernel_sock_timeval (Linux 5.1) and the old struct timeval. */
struct ls_sock_timeval { int64_t tv_sec; int64_t tv_usec; };
struct ls_old_timeval { long tv_sec; long tv_usec; };

#ifndef SO_RCVTIMEO_NEW
#  define SO_RCVTIMEO_NEW 66
#  define SO_SNDTIMEO_NEW 67
#endif
#ifndef SO_RCVTIMEO_OLD
#  define SO_RCVTIMEO_OLD SO_RCVTIMEO
#  define SO_SNDTIMEO_OLD SO_SNDTIMEO
#endif

long ls_sock_timeo_get(int sockfd, int snd, int64_t *ns)
{
    long r = -ENOPROTOOPT;
    /* A struct shorter than asked (qemu-user answers the _NEW option as an int) is no
     * answer: the old option then. */
    if (sizeof(long) < 8) {
        struct ls_sock_timeval tv = {0, 0};
        unsigned int len = sizeof tv;
        r = ls_getsockopt(sockfd, SOL_SOCKET, snd ? SO_SNDTIMEO_NEW : SO_RCVTIMEO_NEW, &tv, &len);
        if (r == 0 && len == sizeof tv)
            *ns = tv.tv_sec * LS_NS_PER_S + tv.tv_usec * 1000;
        else if (r == 0)
            r = -ENOPROTOOPT;
    }
    if (r == -ENOPROTOOPT) {
        struct ls_old_timeval tv = {0, 0};
        unsigned int len = sizeof tv;
        r = ls_getsockopt(sockfd, SOL_SOCKET, snd ? SO_SNDTIMEO_OLD : SO_RCVTIMEO_OLD, &tv, &len);
        if (r == 0 && len != sizeof tv)
            r = -EINVAL;
        if (r == 0)
            *ns = (int64_t)tv.tv_sec * LS_NS_PER_S + (int64_t)tv.tv_usec * 1000;
    }
    return r;
}

long ls_sock_timeo_set(int sockfd, int snd, int64_t ns)
{
    /* ns rounds up to whole microseconds: a timeout never ends early, and 1 ns is not 0
     * (which means "no timeout"). */
    int64_t us = ns / 1000 + (ns % 1000 != 0);
    long r = -ENOPROTOOPT;
    if (sizeof(long) < 8) {
        struct ls_sock_timeval tv = {us / 1000000, us % 1000000};
        r = ls_setsockopt(sockfd, SOL_SOCKET, snd ? SO_SNDTIMEO_NEW : SO_RCVTIMEO_NEW, &tv,
                          sizeof tv);
    }
    if (r == -ENOPROTOOPT) {
        struct ls_old_timeval tv = {(long)(us / 1000000), (long)(us % 1000000)};
        if (tv.tv_sec != us / 1000000)
            return -EDOM;  /* what the kernel answers for a timeval out of range */
        r = ls_setsockopt(sockfd, SOL_SOCKET, snd ? SO_SNDTIMEO_OLD : SO_RCVTIMEO_OLD, &tv,
                          sizeof tv);
    }
    return r;
}

/* The fields of struct tcp_info that every header since Linux 2.6 has (glibc's
 * <netinet/tcp.h>); the result's length tells which ones the kernel filled. */
#define LS_TCP_INFO_FIELDS(X) \
    X(state) X(ca_state) X(retransmits) X(probes) X(backoff) X(options) \
    X(rto) X(ato) X(snd_mss) X(rcv_mss) X(unacked) X(sacked) X(lost) X(retrans) X(fackets) \
    X(last_data_sent) X(last_ack_sent) X(last_data_recv) X(last_ack_recv) \
    X(pmtu) X(rcv_ssthresh) X(rtt) X(rttvar) X(snd_ssthresh) X(snd_cwnd) X(advmss) \
    X(reordering) X(rcv_rtt) X(rcv_space) X(total_retrans)
#define LS_ONE(f) +1
#define LS_TCP_INFO_MAX (0 LS_TCP_INFO_FIELDS(LS_ONE))

const char *ls_tcp_info_fields(void)
{
#define LS_NAME(f) #f " "
    return LS_TCP_INFO_FIELDS(LS_NAME);
#undef LS_NAME
}

long ls_tcp_info(int sockfd, int64_t *values)
{
    struct tcp_info info;
    unsigned int len = sizeof info;
    memset(&info, 0, sizeof info);
    long r = ls_getsockopt(sockfd, IPPROTO_TCP, TCP_INFO, &info, &len);
    if (r < 0)
        return r;
    long n = 0;
    /* wscale and delivery_rate_app_limited are bitfields: not among the fields above */
#define LS_PUT(f) if (offsetof(struct tcp_info, tcpi_##f) < len) values[n++] = info.tcpi_##f;
    LS_TCP_INFO_FIELDS(LS_PUT)
#undef LS_PUT
    return n;
}

long ls_mmsg_setup(struct mmsghdr *msgs, struct iovec *iov, char *bufs, size_t bufsize,
                   struct sockaddr_storage *names, unsigned int vlen)
{
    for (unsigned int i = 0; i < vlen; i++) {
        iov[i].iov_base = bufs + (size_t)i * bufsize;
        iov[i].iov_len = bufsize;
        memset(&msgs[i], 0, sizeof msgs[i]);
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &names[i];
    }
    return 0;
}

long ls_recvmmsg(int sockfd, struct mmsghdr *msgs, unsigned int vlen, int flags,
                 int64_t timeout_ns, int64_t *rows)
{
    for (unsigned int i = 0; i < vlen; i++) {
        msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
        msgs[i].msg_hdr.msg_flags = 0;
        msgs[i].msg_len = 0;
    }
    struct __kernel_timespec ts, *t = ls_kts_ptr(&ts, timeout_ns);
    long r;
#if __SIZEOF_LONG__ == 4
    r = ls_syscall6(SYS_recvmmsg_time64, sockfd, LS_L(msgs), vlen, flags, LS_L(t), 0);
    if (r == -ENOSYS) {
        struct ls_old_timespec old, *o = NULL;
        if (t) {
            if (ls_to_old(&old, t, 1))
                return -EOVERFLOW;
            o = &old;
        }
        r = LS_NET(recvmmsg, SYS_RECVMMSG, sockfd, LS_L(msgs), vlen, flags, LS_L(o), 0);
    }
#else
    r = ls_syscall6(SYS_recvmmsg, sockfd, LS_L(msgs), vlen, flags, LS_L(t), 0);
#endif
    if (r <= 0)
        return r;
    size_t at = 0;
    int64_t *offsets = rows + 1, *info = rows + 2 + r;
    rows[0] = 1;
    for (long i = 0; i < r; i++) {
        struct msghdr *h = &msgs[i].msg_hdr;
        size_t len = msgs[i].msg_len < h->msg_iov->iov_len ? msgs[i].msg_len : h->msg_iov->iov_len;
        /* moving left only (at <= i * bufsize): memmove's overlap is safe */
        memmove((char *)msgs[0].msg_hdr.msg_iov->iov_base + at, h->msg_iov->iov_base, len);
        long same = i;  /* one sender's datagrams: its address is decoded once */
        for (long j = i - 1; j >= 0 && j >= i - 8; j--) {
            if (msgs[j].msg_hdr.msg_namelen == h->msg_namelen
                    && memcmp(msgs[j].msg_hdr.msg_name, h->msg_name, h->msg_namelen) == 0) {
                same = info[3 * j];
                break;
            }
        }
        if (same != 0 || h->msg_flags != 0)
            rows[0] = 0;
        offsets[i] = at;
        info[3 * i] = same;
        info[3 * i + 1] = h->msg_namelen;
        info[3 * i + 2] = h->msg_flags;
        at += len;
    }
    offsets[r] = at;
    return r;
}

long ls_sendmmsg(int sockfd, const struct iovec *iov, const char *names,
                 const unsigned int *namelens, unsigned int n, int flags)
{
    struct mmsghdr *msgs = calloc(n ? n : 1, sizeof *msgs);
    if (!msgs)
        return -ENOMEM;
    for (unsigned int i = 0; i < n; i++) {
        msgs[i].msg_hdr.msg_iov = (struct iovec *)&iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = namelens[i]
            ? (void *)(names + (size_t)i * sizeof(struct sockaddr_storage)) : NULL;
        msgs[i].msg_hdr.msg_namelen = namelens[i];
    }
    long r = LS_NET(sendmmsg, SYS_SENDMMSG, sockfd, LS_L(msgs), n, flags, 0, 0);
    free(msgs);
    return r;
}

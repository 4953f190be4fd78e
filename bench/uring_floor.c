/* The kernel's floor under bench/run.py's io_uring rows: the same work from C, no Python.

       gcc -O2 -o /tmp/uring_floor bench/uring_floor.c && /tmp/uring_floor FILE

   FILE: a page-cached file of 256 MiB (head -c 256M /dev/urandom > FILE; cat FILE >/dev/null).
   Prints ns per operation for 64 random 4 KiB pread(2)s, the same reads as one io_uring batch
   of 64 READs (one io_uring_enter submits and waits), a batch of 64 NOPs per SQE, and one
   getpid(2) syscall: the best of 5 runs of 4,000 batches each.  The rows' targets (reads <= 0.5x
   an os.pread loop, a NOP <= 0.3x an os.getpid) cannot be met below what these show. */
#include <linux/io_uring.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <unistd.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include <stdatomic.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
static unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
static struct io_uring_sqe *sqes; static struct io_uring_cqe *cqes; static int ring;

static void setup(void) {
    struct io_uring_params p; memset(&p, 0, sizeof p);
    ring = syscall(__NR_io_uring_setup, 64, &p);
    if (ring < 0) { perror("setup"); exit(1); }
    size_t sz = p.sq_off.array + p.sq_entries * 4, csz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    if (csz > sz) sz = csz;
    char *sq = mmap(0, sz, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_POPULATE, ring, IORING_OFF_SQ_RING);
    sqes = mmap(0, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ|PROT_WRITE, MAP_SHARED|MAP_POPULATE, ring, IORING_OFF_SQES);
    sq_tail = (unsigned *)(sq + p.sq_off.tail); sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
    sq_array = (unsigned *)(sq + p.sq_off.array);
    cq_head = (unsigned *)(sq + p.cq_off.head); cq_tail = (unsigned *)(sq + p.cq_off.tail);
    cq_mask = (unsigned *)(sq + p.cq_off.ring_mask); cqes = (struct io_uring_cqe *)(sq + p.cq_off.cqes);
}

static void batch(int op, int fd, char *buf, const long *offs) {
    unsigned tail = *sq_tail;
    for (int i = 0; i < 64; i++) {
        unsigned idx = (tail + i) & *sq_mask;
        struct io_uring_sqe *s = &sqes[idx]; memset(s, 0, sizeof *s);
        s->opcode = op; s->fd = fd;
        if (op == IORING_OP_READ) { s->addr = (uintptr_t)(buf + i * 4096); s->len = 4096; s->off = offs[i]; }
        s->user_data = i; sq_array[idx] = idx;
    }
    atomic_store_explicit((_Atomic unsigned *)sq_tail, tail + 64, memory_order_release);
    int r = syscall(__NR_io_uring_enter, ring, 64, 64, IORING_ENTER_GETEVENTS, NULL, 0);
    if (r != 64) { perror("enter"); exit(1); }
    unsigned head = *cq_head, t = atomic_load_explicit((_Atomic unsigned *)cq_tail, memory_order_acquire);
    for (; head != t; head++) if (cqes[head & *cq_mask].res < 0) { fprintf(stderr, "res %d\n", cqes[head & *cq_mask].res); exit(1); }
    atomic_store_explicit((_Atomic unsigned *)cq_head, head, memory_order_release);
}

int main(int argc, char **argv) {
    int fd = open(argv[1], O_RDONLY); char *buf = aligned_alloc(4096, 64 * 4096);
    enum { SETS = 256, ROUNDS = 4000 };
    static long offs[SETS][64]; srand(7);
    for (int s = 0; s < SETS; s++) for (int i = 0; i < 64; i++) offs[s][i] = (long)(rand() % 65536) * 4096;
    setup();
    double best[4] = {1e18, 1e18, 1e18, 1e18};
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now();
        for (int k = 0; k < ROUNDS; k++) for (int i = 0; i < 64; i++) if (pread(fd, buf, 4096, offs[k % SETS][i]) != 4096) exit(2);
        double t1 = now();
        for (int k = 0; k < ROUNDS; k++) batch(IORING_OP_READ, fd, buf, offs[k % SETS]);
        double t2 = now();
        for (int k = 0; k < ROUNDS; k++) batch(IORING_OP_NOP, -1, 0, 0);
        double t3 = now();
        for (int k = 0; k < ROUNDS * 64; k++) syscall(__NR_getpid);
        double t4 = now();
        double d[4] = {t1 - t0, t2 - t1, t3 - t2, t4 - t3};
        for (int j = 0; j < 4; j++) if (d[j] / (ROUNDS * 64.0) < best[j]) best[j] = d[j] / (ROUNDS * 64.0);
    }
    printf("C pread 4KiB random: %.0f ns/read\nC io_uring READ x64: %.0f ns/read\nC io_uring NOP x64: %.0f ns/SQE\nC getpid syscall: %.0f ns\n",
           best[0], best[1], best[2], best[3]);
    return 0;
}

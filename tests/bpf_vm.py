"""A classic BPF interpreter for seccomp programs, to check filters compiled for any arch on
any machine (the kernel runs only its own arch's).

It follows net/core/filter.c's classic BPF and the subset kernel/seccomp.c accepts
(seccomp_check_filter): loads of aligned 32-bit words of struct seccomp_data, ALU, jumps,
scratch memory, returns.  Anything else raises VMError, as the kernel would refuse to load it.

    run(prog, seccomp_data(nr, arch, args=(...)))  -> the 32-bit return value
"""
from __future__ import annotations

from typing import Sequence

from linuxsys._core import ffi, lib

U32 = 0xFFFFFFFF
INSN = ffi.sizeof("struct sock_filter")
DATA_SIZE = ffi.sizeof("struct seccomp_data")
MEMWORDS = 16  # BPF_MEMWORDS

# Opcode fields (linux/bpf_common.h); the values come from the headers through linuxsys.
_CLASS, _SIZE, _MODE, _OP, _SRC = 0x07, 0x18, 0xE0, 0xF0, 0x08
BPF_LD, BPF_LDX, BPF_ST, BPF_STX = lib.BPF_LD, 0x01, 0x02, 0x03
BPF_ALU, BPF_JMP, BPF_RET, BPF_MISC = lib.BPF_ALU, lib.BPF_JMP, lib.BPF_RET, 0x07
BPF_W, BPF_ABS, BPF_K = lib.BPF_W, lib.BPF_ABS, lib.BPF_K
BPF_IMM, BPF_MEM, BPF_LEN = 0x00, 0x60, 0x80
BPF_X, BPF_A = 0x08, 0x10
BPF_JA, BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET = (lib.BPF_JA, lib.BPF_JEQ, lib.BPF_JGT,
                                               lib.BPF_JGE, lib.BPF_JSET)
ALU_OPS = {
    0x00: lambda a, b: a + b, 0x10: lambda a, b: a - b, 0x20: lambda a, b: a * b,
    0x30: lambda a, b: a // b, 0x40: lambda a, b: a | b, 0x50: lambda a, b: a & b,
    0x60: lambda a, b: a << b if b < 32 else 0, 0x70: lambda a, b: a >> b if b < 32 else 0,
    0x80: lambda a, b: -a, 0x90: lambda a, b: a % b, 0xA0: lambda a, b: a ^ b,
}


class VMError(Exception):
    """A program the kernel would refuse (or that faults)."""


def decode(prog: bytes) -> list[tuple[int, int, int, int]]:
    """(code, jt, jf, k) rows of a struct sock_filter array."""
    if not prog or len(prog) % INSN:
        raise VMError(f"a program is a non-empty array of {INSN}-byte instructions")
    n = len(prog) // INSN
    if n > lib.BPF_MAXINSNS:
        raise VMError(f"{n} instructions, over BPF_MAXINSNS")
    insns = ffi.from_buffer("struct sock_filter[]", prog)
    rows = [(i.code, i.jt, i.jf, i.k) for i in insns]
    ffi.release(insns)
    return rows


def seccomp_data(nr: int, arch: int, args: Sequence[int] = (), ip: int = 0) -> bytes:
    """struct seccomp_data as the kernel hands it to the filter (this machine's layout and byte
    order: every arch tested here is little-endian)."""
    d = ffi.new("struct seccomp_data *")
    d.nr = nr
    d.arch = arch
    d.instruction_pointer = ip
    for i, a in enumerate(tuple(args) + (0,) * (6 - len(args))):
        d.args[i] = a & 0xFFFFFFFFFFFFFFFF
    return ffi.buffer(d)[:]


def run(prog: bytes, data: bytes, byteorder: str = "little") -> int:
    """Run the program over ``data`` (a seccomp_data); return what it returns."""
    rows = decode(prog)
    a = x = 0
    mem = [0] * MEMWORDS
    pc = 0
    steps = 0
    while True:
        if pc >= len(rows):
            raise VMError(f"ran off the end at {pc}")
        steps += 1
        code, jt, jf, k = rows[pc]
        cls = code & _CLASS
        pc += 1
        if cls == BPF_LD or cls == BPF_LDX:
            mode, size = code & _MODE, code & _SIZE
            if mode == BPF_ABS and size == BPF_W and cls == BPF_LD:
                if k % 4 or k + 4 > DATA_SIZE:
                    raise VMError(f"load of seccomp_data offset {k}")
                v = int.from_bytes(data[k:k + 4], byteorder)
            elif mode == BPF_IMM:
                v = k
            elif mode == BPF_MEM:
                if k >= MEMWORDS:
                    raise VMError(f"scratch word {k}")
                v = mem[k]
            elif mode == BPF_LEN:
                v = DATA_SIZE
            else:
                raise VMError(f"load mode {code:#x} (seccomp takes only ld [k] words)")
            if cls == BPF_LD:
                a = v
            else:
                x = v
        elif cls in (BPF_ST, BPF_STX):
            if k >= MEMWORDS:
                raise VMError(f"scratch word {k}")
            mem[k] = a if cls == BPF_ST else x
        elif cls == BPF_ALU:
            op = code & _OP
            if op not in ALU_OPS:
                raise VMError(f"alu op {code:#x}")
            b = x if code & _SRC else k
            if op in (0x30, 0x90) and b == 0:
                return 0  # division by zero: the kernel's classic BPF returns 0
            a = ALU_OPS[op](a, b) & U32
        elif cls == BPF_JMP:
            op = code & _OP
            if op == BPF_JA:
                pc += k
            else:
                b = x if code & _SRC else k
                if op == BPF_JEQ:
                    taken = a == b
                elif op == BPF_JGT:
                    taken = a > b
                elif op == BPF_JGE:
                    taken = a >= b
                elif op == BPF_JSET:
                    taken = bool(a & b)
                else:
                    raise VMError(f"jump op {code:#x}")
                pc += jt if taken else jf
        elif cls == BPF_RET:
            src = code & 0x18
            return (a if src == BPF_A else k) & U32
        elif cls == BPF_MISC:
            if code & 0xF8 == 0x00:  # TAX
                x = a
            else:  # TXA
                a = x
        else:
            raise VMError(f"opcode {code:#x}")

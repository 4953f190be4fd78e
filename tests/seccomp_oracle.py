"""libseccomp as an oracle for linuxsys.seccomp's filters (run by /usr/bin/python3, whose
Debian python3-seccomp provides ``import seccomp``; it needs nothing from linuxsys).

Reads a JSON list of jobs on stdin, writes the list of their answers on stdout:

    {"mode": "bpf", "default": ACTION, "rules": RULES, "arches": ["x86_64", "i686", ...]}
        -> {"x86_64": "<hex of libseccomp's program>", ...}
    {"mode": "load", "default": ACTION, "rules": RULES, "probes": [[nr, [a0..a5]], ...]}
        -> ["allow" | "errno:N" | "trap" | "signal:N" | "exit:N", ...]: each probe run by a
           fresh child that loads the filter and issues the raw syscall.

RULES are [action, syscall name, [[index, op, value, mask], ...]] with linuxsys.seccomp's
numbers (actions the kernel's SECCOMP_RET values, ops libseccomp's own numbering), so both
sides read the same list.  An arch mismatch gets KILL_PROCESS, as linuxsys compiles it.
An errno of 1000 or more is a filter's verdict; smaller ones mean the kernel ran the call.
"""
import ctypes
import json
import os
import resource
import signal
import sys
import tempfile

import seccomp as S

U64 = (1 << 64) - 1
ARCHES = {"x86_64": S.Arch.X86_64, "i686": S.Arch.X86, "aarch64": S.Arch.AARCH64,
          "armv7l": S.Arch.ARM}


def action(a):
    return a - (1 << 32) if a & 0x80000000 else a  # the bindings' int32 actions


def build(job, arch=None):
    f = S.SyscallFilter(action(job["default"]))
    f.set_attr(S.Attr.ACT_BADARCH, S.KILL_PROCESS)
    if arch is not None and ARCHES[arch] & 0xFFFFFFFF != S.system_arch():
        f.add_arch(ARCHES[arch])
        f.remove_arch(S.Arch.NATIVE)
    for act, name, args in job["rules"]:
        cmps = []
        for index, op, value, mask in args:
            value, mask = value & U64, mask & U64  # the bindings take no negative datum
            if op == S.MASKED_EQ:
                cmps.append(S.Arg(index, op, mask, value))
            else:
                cmps.append(S.Arg(index, op, value))
        f.add_rule(action(act), name, *cmps)
    return f


def verdict_of_child(job, nr, args):
    """Run one probe in a child that loads the filter; its verdict."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            w = os.dup2(w, 987)  # out of the way of probes that dup onto small fds
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            trapped = []
            signal.signal(signal.SIGSYS, lambda *a: trapped.append(1))
            libc = ctypes.CDLL(None, use_errno=True)
            call = libc.syscall
            call.restype = ctypes.c_long
            cargs = [ctypes.c_long(nr)] + [ctypes.c_long(a) for a in args]
            f = build(job)
            f.load()
            res = call(*cargs)
            err = ctypes.get_errno()
            if trapped:
                out = "trap"
            elif res == -1 and err >= 1000:
                out = f"errno:{err}"
            else:
                out = "allow"
            os.write(w, out.encode())
        except BaseException as e:
            os.write(w, f"error:{e!r}".encode())
        finally:
            os._exit(0)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 64)
        if not chunk:
            break
        data += chunk
    os.close(r)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return f"signal:{os.WTERMSIG(status)}"
    return data.decode() or f"exit:{os.WEXITSTATUS(status)}"


def main():
    answers = []
    for job in json.load(sys.stdin):
        if job["mode"] == "bpf":
            out = {}
            for arch in job["arches"]:
                with tempfile.TemporaryFile() as t:
                    build(job, arch).export_bpf(t)
                    t.seek(0)
                    out[arch] = t.read().hex()
        else:
            out = [verdict_of_child(job, nr, args) for nr, args in job["probes"]]
        answers.append(out)
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()

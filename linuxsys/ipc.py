"""ipc: SysV message queues and semaphore sets (man 2 msgget, msgsnd, msgrcv, msgctl, semget,
semop, semtimedop, semctl).  SysV shared memory is in linuxsys.memory (shmget ...).

Objects are named by the int ids the ``*get`` calls return and live until removed (``IPC_CMD.RMID``)
or the machine reboots, whatever happens to the process: remove what you make (``try``/
``finally``).  The ``*ctl`` calls return result objects of the kernel's 64-bit structs
(``MsqidDs``, ``SemidDs``, with ``IpcPerm`` of linuxsys.memory): times are seconds since the
epoch, 64-bit on every arch.  On i386 the calls fall back to the ipc(2) multiplexer on kernels
older than Linux 5.1, which lack the direct numbers.

Namespaces, one per argument: ``IPC`` (the ``*get`` flags, with the mode bits: ``IPC.CREAT |
0o600``; IPC.NOWAIT for msgsnd, msgrcv and semop), ``IPC_CMD`` (the commands every ``*ctl`` takes:
STAT, SET, RMID, INFO), ``MSG_RCV`` (msgrcv's own flags), ``MSG_CMD`` (msgctl's own commands),
``SEM`` (semop's UNDO) and ``SEM_CMD`` (semctl's own commands: GETVAL, SETALL ...).
"""
from __future__ import annotations

from time import monotonic_ns as _monotonic_ns
from typing import Iterable, NamedTuple, Optional, Sequence, Union, overload

from ._core import NEG_EINTR, Buffer, alloc, call, error, ffi, in_range, lib, nbytes, \
    read_size, release, view, writable
from ._core import c_int as _c_int, ipc_key
from .flags import FlagArg, flags_of, to_int
# One IpcPerm type and one key rule for every SysV object: memory's (shm came first).
from .memory import IpcPerm

from ._consts import IPC, IPC_CMD, MSG_RCV, MSG_CMD, SEM, SEM_CMD

_msgget = lib.ls_msgget
_msgsnd = lib.ls_msgsnd
_msgrcv = lib.ls_msgrcv
_msgctl = lib.ls_msgctl
_semget = lib.ls_semget
_semop = lib.ls_semop
_semtimedop = lib.ls_semtimedop
_semctl = lib.ls_semctl
_ipc_force_multiplexer = lib.ls_ipc_force_multiplexer

_new = ffi.new
_unpack = ffi.unpack
_buffer = ffi.buffer
_NULL = ffi.NULL
_I64_MAX = (1 << 63) - 1
_LONG_BITS = 8 * ffi.sizeof("long")
_LONG_MIN, _LONG_MAX = -(1 << (_LONG_BITS - 1)), (1 << (_LONG_BITS - 1)) - 1

_IPC_STAT = lib.IPC_STAT
_IPC_SET = lib.IPC_SET
_IPC_RMID = lib.IPC_RMID
_IPC_INFO = lib.IPC_INFO
_UID, _GID, _MODE = lib.LS_IPC_UID, lib.LS_IPC_GID, lib.LS_IPC_MODE


class MsqidDs(NamedTuple):
    """A message queue's state (struct msqid64_ds) from msgctl(IPC_CMD.STAT)."""
    msg_perm: IpcPerm
    msg_stime: int    # last msgsnd
    msg_rtime: int    # last msgrcv
    msg_ctime: int    # last change (creation, IPC_CMD.SET)
    msg_cbytes: int   # bytes in the queue now
    msg_qnum: int     # messages in the queue now
    msg_qbytes: int   # the most bytes the queue may hold
    msg_lspid: int    # last to send
    msg_lrpid: int    # last to receive


class MsgInfo(NamedTuple):
    """The message queue limits (struct msginfo) from msgctl(IPC_CMD.INFO).  After
    MSG_CMD.INFO, ``msgpool`` is the queues in use, ``msgmap`` the messages and ``msgtql``
    the bytes queued, machine-wide."""
    msgpool: int
    msgmap: int
    msgmax: int   # the largest message, in bytes
    msgmnb: int   # a new queue's msg_qbytes
    msgmni: int   # the most queues
    msgssz: int
    msgtql: int
    msgseg: int


class SemidDs(NamedTuple):
    """A semaphore set's state (struct semid64_ds) from semctl(IPC_CMD.STAT)."""
    sem_perm: IpcPerm
    sem_otime: int    # last semop
    sem_ctime: int    # last change (creation, IPC_CMD.SET, SETVAL, SETALL)
    sem_nsems: int    # semaphores in the set


class SemInfo(NamedTuple):
    """The semaphore limits (struct seminfo) from semctl(IPC_CMD.INFO).  After SEM_CMD.INFO,
    ``semusz`` is the sets in use and ``semaem`` the semaphores, machine-wide."""
    semmap: int
    semmni: int   # the most sets
    semmns: int   # the most semaphores
    semmnu: int
    semmsl: int   # the most semaphores in a set
    semopm: int   # the most operations in one semop
    semume: int
    semusz: int
    semvmx: int   # the largest semaphore value
    semaem: int


_MSG_SLOTS = lib.LS_MSG_COUNT
_SEM_SLOTS = lib.LS_SEM_COUNT
_MSG_STATS = {_IPC_STAT, lib.MSG_STAT, getattr(lib, "MSG_STAT_ANY", lib.MSG_STAT)}
_MSG_INFOS = {_IPC_INFO, lib.MSG_INFO}
_SEM_STATS = {_IPC_STAT, lib.SEM_STAT, getattr(lib, "SEM_STAT_ANY", lib.SEM_STAT)}
_SEM_INFOS = {_IPC_INFO, lib.SEM_INFO}
_GETALL = lib.GETALL
_SETALL = lib.SETALL
_SETVAL = lib.SETVAL
# Commands whose argument is unused and whose result is the call's (a value, a pid, a count).
_SEM_PLAIN = {lib.GETVAL, lib.GETPID, lib.GETNCNT, lib.GETZCNT}


# ---- message queues --------------------------------------------------------------------------

def msgget(key: int, msgflg: FlagArg = 0) -> int:
    """The id of the message queue for ``key`` (IPC.PRIVATE: a new one), made if missing with
    IPC.CREAT (man 2 msgget).  ``msgflg``: ``IPC`` flags and the mode, ``IPC.CREAT | 0o600``.

    https://man7.org/linux/man-pages/man2/msgget.2.html

    Raises:
        FileNotFoundError: no queue for ``key`` and no IPC.CREAT (ENOENT).
        FileExistsError: a queue for ``key`` exists and ``msgflg`` has IPC.CREAT | IPC.EXCL
            (EEXIST).
        PermissionError: the queue's mode denies the access asked for (EACCES).
        OSError: ENOSPC when the system's msgmni queues exist, ENOMEM; the subclass os raises
            for any other errno (UnsupportedError for ENOSYS: no CONFIG_SYSVIPC).
        TypeError: ``key`` not an int, or ``msgflg`` not an int, IPC member or name string,
            before any call.
        ValueError: a ``key`` that is not 32 bits, or an unknown flag name, before any call.
        OverflowError: ``msgflg`` does not fit a C int, before any call.
    """
    return call(_msgget, "msgget", ipc_key(key), _c_int(to_int(msgflg, IPC), "msgflg"))


def msgsnd(msqid: int, msgtyp: int, msgtext: Buffer, msgflg: FlagArg = 0) -> None:
    """Queue a message of type ``msgtyp`` (> 0) with the bytes of ``msgtext`` (man 2 msgsnd);
    waits while the queue is full unless ``msgflg`` has IPC.NOWAIT.

    https://man7.org/linux/man-pages/man2/msgop.2.html

    Raises:
        BlockingIOError: the queue is full and ``msgflg`` has IPC.NOWAIT (EAGAIN).
        PermissionError: no write permission on the queue (EACCES).
        OSError: EINVAL for a type below 1, a message longer than msgmax or no such queue, EIDRM
            when the queue was removed, ENOMEM; the subclass os raises for any other errno
            (UnsupportedError for ENOSYS).
        TypeError: ``msgtext`` is not bytes-like, a number of the wrong type, or ``msgflg`` not
            an int, IPC member or name string, before any call.
        ValueError: an unknown flag name, before any call.
        BufferError: ``msgtext`` is not C-contiguous.
        OverflowError: ``msqid``, ``msgtyp`` or ``msgflg`` does not fit its C type, before any
            call.
    """
    q = _c_int(msqid, "msqid")
    t = in_range(msgtyp, "msgtyp", _LONG_MIN, _LONG_MAX)
    f = _c_int(to_int(msgflg, IPC), "msgflg")
    if type(msgtext) is bytes:  # passed as it is: nothing to release
        call(_msgsnd, "msgsnd", q, t, msgtext, len(msgtext), f)
        return
    data = view(msgtext)
    try:
        call(_msgsnd, "msgsnd", q, t, data, nbytes(data), f)
    finally:
        release(data, msgtext)


@overload
def msgrcv(msqid: int, bufsize_or_buf: int, msgtyp: int = 0,
           msgflg: FlagArg = 0) -> tuple[int, bytes]: ...
@overload
def msgrcv(msqid: int, bufsize_or_buf: Buffer, msgtyp: int = 0,
           msgflg: FlagArg = 0) -> tuple[int, int]: ...
def msgrcv(msqid: int, bufsize_or_buf: Union[int, Buffer], msgtyp: int = 0,
           msgflg: FlagArg = 0) -> tuple[int, Union[bytes, int]]:
    """Take a message off the queue (man 2 msgrcv): ``msgtyp`` 0 the first, > 0 the first of
    that type (any other with MSG_RCV.EXCEPT), < 0 the first of the lowest type up to
    -msgtyp.  ``bufsize_or_buf``: the most bytes to take -> (mtype, bytes), or a writable
    buffer to fill -> (mtype, count).  Waits for one unless ``msgflg`` has IPC.NOWAIT; a
    longer message stays queued, unless MSG_RCV.NOERROR (it is cut).  With MSG_RCV.COPY (and
    IPC.NOWAIT) ``msgtyp`` is an index and the message stays queued.

    https://man7.org/linux/man-pages/man2/msgop.2.html

    Raises:
        PermissionError: no read permission on the queue (EACCES).
        OSError: ENOMSG when ``msgflg`` has IPC.NOWAIT and no message matches, E2BIG for a
            longer message without MSG_RCV.NOERROR, EINVAL for no such queue or MSG_RCV.COPY
            without IPC.NOWAIT, EIDRM when the queue was removed; the subclass os raises for any
            other errno (UnsupportedError for ENOSYS: MSG_RCV.COPY without
            CONFIG_CHECKPOINT_RESTORE).
        TypeError: a buffer that is not writable, a number of the wrong type, or ``msgflg`` not
            an int, member or name string, before any call.
        ValueError: a negative size or an unknown flag name, before any call.
        BufferError: the buffer is not C-contiguous.
        OverflowError: a size past what a bytes object holds, or ``msqid``, ``msgtyp`` or
            ``msgflg`` past its C type, before any call.
    """
    q = _c_int(msqid, "msqid")
    t = in_range(msgtyp, "msgtyp", _LONG_MIN, _LONG_MAX)
    f = _c_int(flags_of(msgflg, IPC, MSG_RCV), "msgflg")
    mtype = _new("long *")
    if isinstance(bufsize_or_buf, int):
        n = read_size(bufsize_or_buf)
        buf = alloc("char[]", n or 1)  # not cleared: the kernel's text is all that is read
        r = call(_msgrcv, "msgrcv", q, buf, n, t, f, mtype)
        return mtype[0], _buffer(buf, r)[:]
    raw = writable(bufsize_or_buf)
    try:
        r = call(_msgrcv, "msgrcv", q, raw, nbytes(raw), t, f, mtype)
    finally:
        release(raw, bufsize_or_buf)
    return mtype[0], r


def msgctl(msqid: int, cmd: FlagArg, buf: Optional[MsqidDs] = None
           ) -> Union[MsqidDs, tuple[int, MsqidDs], tuple[int, MsgInfo], None]:
    """Control a message queue (man 2 msgctl).

    ``cmd`` is an ``IPC_CMD`` or ``MSG_CMD`` member, or a name ("stat" is IPC_STAT,
    "msg_stat" MSG_STAT).  IPC_CMD.STAT -> MsqidDs; MSG_CMD.STAT / STAT_ANY (``msqid`` is an
    index) -> (id, MsqidDs); IPC_CMD.SET sets the uid, gid, mode and msg_qbytes of ``buf``, a
    MsqidDs (change one from STAT with ``_replace``); IPC_CMD.RMID -> None; IPC_CMD.INFO,
    MSG_CMD.INFO -> (the highest index in use, MsgInfo).

    https://man7.org/linux/man-pages/man2/msgctl.2.html

    Raises:
        PermissionError: IPC_CMD.STAT without read permission (EACCES), IPC_CMD.SET or RMID by
            neither the owner nor the creator, or a ``msg_qbytes`` past msgmnb without
            CAP_SYS_RESOURCE (EPERM).
        OSError: EINVAL for no such queue (or index) or an unknown command, EIDRM when the queue
            was removed; the subclass os raises for any other errno (UnsupportedError for
            ENOSYS).
        TypeError: ``buf`` missing for IPC_CMD.SET (or not a MsqidDs), given with another
            command, or ``cmd`` not an int, member or name string, before any call.
        ValueError: an unknown command name, before any call.
        OverflowError: ``msqid``, ``cmd`` or a field of ``buf`` does not fit its C type.
    """
    q = _c_int(msqid, "msqid")
    c = _c_int(flags_of(cmd, IPC_CMD, MSG_CMD), "cmd")
    ds = _new("int64_t[]", _MSG_SLOTS)
    if c == _IPC_SET:
        if not isinstance(buf, MsqidDs):
            raise TypeError("msgctl(IPC_CMD.SET) needs buf: a MsqidDs (msg_qbytes is set too)")
        perm = buf.msg_perm
        ds[_UID], ds[_GID], ds[_MODE], ds[lib.LS_MSG_QBYTES] = (
            perm.uid, perm.gid, perm.mode, buf.msg_qbytes)
    elif buf is not None:
        raise TypeError("msgctl takes buf only with IPC_CMD.SET")
    r = call(_msgctl, "msgctl", q, c, ds)
    if c in _MSG_STATS:
        v = _unpack(ds, _MSG_SLOTS)
        result = MsqidDs(IpcPerm(*v[:7]), *v[7:])
        return result if c == _IPC_STAT else (r, result)
    if c in _MSG_INFOS:
        return r, MsgInfo(*_unpack(ds, 8))
    return None


# ---- semaphores ------------------------------------------------------------------------------

def semget(key: int, nsems: int, semflg: FlagArg = 0) -> int:
    """The id of the semaphore set for ``key`` (IPC.PRIVATE: a new one of ``nsems``
    semaphores, all 0), made if missing with IPC.CREAT (man 2 semget).  ``semflg``: ``IPC``
    flags and the mode, ``IPC.CREAT | 0o600``.

    https://man7.org/linux/man-pages/man2/semget.2.html

    Raises:
        FileNotFoundError: no set for ``key`` and no IPC.CREAT (ENOENT).
        FileExistsError: a set for ``key`` exists and ``semflg`` has IPC.CREAT | IPC.EXCL
            (EEXIST).
        PermissionError: the set's mode denies the access asked for (EACCES).
        OSError: EINVAL for ``nsems`` below 0 or past semmsl (or past an existing set's size),
            ENOSPC when the system's limits on sets or semaphores are reached, ENOMEM; the
            subclass os raises for any other errno (UnsupportedError for ENOSYS: no
            CONFIG_SYSVIPC).
        TypeError: ``key`` not an int, or ``semflg`` not an int, IPC member or name string,
            before any call.
        ValueError: a ``key`` that is not 32 bits, or an unknown flag name, before any call.
        OverflowError: ``nsems`` or ``semflg`` does not fit a C int, before any call.
    """
    return call(_semget, "semget", ipc_key(key), _c_int(nsems, "nsems"),
                _c_int(to_int(semflg, IPC), "semflg"))


_SemOp = Union[tuple[int, int], tuple[int, int, FlagArg]]


def _sops(sops: Iterable[_SemOp]) -> tuple[object, int]:
    """The kernel's struct sembuf array of (sem_num, sem_op[, sem_flg]) tuples; cffi checks
    that each field fits (OverflowError)."""
    items = list(sops)
    arr = _new("struct sembuf[]", len(items) or 1)
    for slot, op in zip(arr, items):
        if not isinstance(op, (tuple, list)) or not 2 <= len(op) <= 3:  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"a semaphore operation is a (sem_num, sem_op[, sem_flg]) tuple, "
                            f"not {op!r}")
        slot.sem_num = op[0]
        slot.sem_op = op[1]
        if len(op) == 3:
            flg = op[2]
            slot.sem_flg = flg if type(flg) is int else flags_of(flg, IPC, SEM)
    return arr, len(items)


def semop(semid: int, sops: Iterable[_SemOp]) -> None:
    """Apply ``sops``, (sem_num, sem_op[, sem_flg]) tuples, to the semaphores all at once
    (man 2 semop): sem_op > 0 adds, < 0 waits until it can subtract, 0 waits for zero.
    ``sem_flg``: IPC.NOWAIT (BlockingIOError instead of waiting), SEM.UNDO (undone when the
    process exits).

    https://man7.org/linux/man-pages/man2/semop.2.html

    Raises:
        BlockingIOError: an operation with IPC.NOWAIT could not proceed (EAGAIN).
        PermissionError: no permission for the operations (EACCES).
        OSError: EINVAL for no operations or no such set, E2BIG for more than semopm, EFBIG for
            a sem_num past the set, ERANGE for a value past semvmx, EIDRM when the set was
            removed, ENOMEM; the subclass os raises for any other errno (UnsupportedError for
            ENOSYS).
        TypeError: an operation that is not a (sem_num, sem_op[, sem_flg]) tuple, or a field of
            the wrong type, before any call.
        ValueError: an unknown flag name, before any call.
        OverflowError: ``semid`` or a field that does not fit its C type, before any call.
    """
    s = _c_int(semid, "semid")
    arr, n = _sops(sops)
    call(_semop, "semop", s, arr, n)


def semtimedop(semid: int, sops: Iterable[_SemOp], timeout_ns: Optional[int] = None) -> None:
    """semop() that waits at most ``timeout_ns`` (None: forever; 0: not at all)
    (man 2 semtimedop; semtimedop_time64 on 32-bit arches).

    https://man7.org/linux/man-pages/man2/semop.2.html

    Raises:
        BlockingIOError: the time ran out, or an operation with IPC.NOWAIT could not proceed
            (EAGAIN).
        PermissionError: no permission for the operations (EACCES).
        OSError: EINVAL for no operations or no such set, E2BIG for more than semopm, EFBIG for
            a sem_num past the set, ERANGE for a value past semvmx, EIDRM when the set was
            removed, ENOMEM; the subclass os raises for any other errno (UnsupportedError for
            ENOSYS).
        TypeError: an operation that is not a (sem_num, sem_op[, sem_flg]) tuple, or a field or
            timeout of the wrong type, before any call.
        ValueError: an unknown flag name, before any call.
        OverflowError: a negative ``timeout_ns`` or one past 64 bits, ``semid`` or a field that
            does not fit its C type, before any call.
    """
    s = _c_int(semid, "semid")
    ns = -1 if timeout_ns is None else in_range(timeout_ns, "timeout_ns", 0, _I64_MAX)
    arr, n = _sops(sops)
    start = _monotonic_ns() if ns > 0 else 0
    r = _semtimedop(s, arr, n, ns)
    while r == NEG_EINTR:  # PEP 475: again with the time left (0 once it is up: one last try)
        if ns > 0:
            ns = max(start + ns - _monotonic_ns(), 0)
            start = _monotonic_ns()
        r = _semtimedop(s, arr, n, ns)
    if r < 0:
        raise error(-r, "semtimedop")


def semctl(semid: int, semnum: int, cmd: FlagArg,
           arg: Union[int, Sequence[int], SemidDs, IpcPerm, None] = None
           ) -> Union[int, list[int], SemidDs, tuple[int, SemidDs], tuple[int, SemInfo], None]:
    """Control a semaphore set (man 2 semctl); ``cmd`` an ``IPC_CMD`` or ``SEM_CMD`` member or
    name ("stat" is IPC_STAT, "sem_stat" SEM_STAT, "getval" GETVAL), ``arg`` the union semun
    as the command takes it:

    * SEM_CMD.GETVAL, GETPID, GETNCNT, GETZCNT -> the value of semaphore ``semnum``, the pid
      of its last semop, the processes waiting for it to grow, to be zero;
    * SEM_CMD.SETVAL: ``arg`` the value (int); SEM_CMD.SETALL: ``arg`` every semaphore's value
      (a sequence as long as the set); GETALL -> the values (list).  These two first read the
      set's size (IPC_CMD.STAT: read permission needed);
    * IPC_CMD.STAT -> SemidDs; SEM_CMD.STAT / STAT_ANY (``semid`` an index) -> (id, SemidDs);
      IPC_CMD.SET sets the uid, gid and mode of ``arg``, a SemidDs or IpcPerm;
    * IPC_CMD.RMID -> None (waiting processes get EIDRM);
    * IPC_CMD.INFO, SEM_CMD.INFO -> (the highest index in use, SemInfo);
    * another command: ``arg`` an int (0 for None), the call's result returned.

    ``semnum`` is used by the per-semaphore commands only.

    https://man7.org/linux/man-pages/man2/semctl.2.html

    Raises:
        PermissionError: no read (STAT, GETVAL ...) or write (SETVAL, SETALL) permission
            (EACCES), IPC_CMD.SET or RMID by neither the owner nor the creator (EPERM).
        OSError: EINVAL for no such set (or index), an unknown command or a ``semnum`` past the
            set, ERANGE for a value past semvmx, EIDRM when the set was removed; the subclass os
            raises for any other errno (UnsupportedError for ENOSYS).
        TypeError: an ``arg`` the command does not take (or one it needs missing), or ``cmd``
            not an int, member or name string, before any call.
        ValueError: SEM_CMD.SETALL values not as many as the set's semaphores, or an unknown
            command name, before any call.
        OverflowError: ``semid``, ``semnum``, ``cmd`` or an ``arg`` value that does not fit its
            C type (SETALL's: 0..65535), before any call.
    """
    s = _c_int(semid, "semid")
    num = _c_int(semnum, "semnum")
    c = _c_int(flags_of(cmd, IPC_CMD, SEM_CMD), "cmd")
    ds = _NULL
    array = _NULL
    val = 0
    if c == _SETVAL:
        if type(arg) is bool or not isinstance(arg, int):
            raise TypeError(f"semctl(SETVAL) needs arg: an int, not {type(arg).__name__}")
        val = _c_int(arg, "arg")
    elif c == _SETALL or c == _GETALL:
        values: Optional[list[object]] = None  # SETALL's (cffi checks each)
        if c == _SETALL:
            if isinstance(arg, (str, bytes)) or not isinstance(arg, Sequence):
                raise TypeError(f"semctl(SETALL) needs arg: a sequence of ints, not "
                                f"{type(arg).__name__}")
            values = list(arg)
        elif arg is not None:
            raise TypeError("semctl(GETALL) takes no arg")
        nsems = semctl(s, 0, _IPC_STAT).sem_nsems  # type: ignore[union-attr]
        array = _new("unsigned short[]", nsems or 1)
        if values is not None:
            if len(values) != nsems:
                raise ValueError(f"semctl(SETALL) needs {nsems} values (the set's size), "
                                 f"not {len(values)}")
            for i, v in enumerate(values):
                array[i] = v  # cffi: OverflowError outside 0..65535
        call(_semctl, "semctl", s, num, c, 0, array, _NULL)
        return _unpack(array, nsems) if c == _GETALL else None
    elif c == _IPC_SET:
        if not isinstance(arg, (SemidDs, IpcPerm)):
            raise TypeError("semctl(IPC_CMD.SET) needs arg: a SemidDs or IpcPerm")
        perm = arg.sem_perm if isinstance(arg, SemidDs) else arg
        ds = _new("int64_t[]", _SEM_SLOTS)
        ds[_UID], ds[_GID], ds[_MODE] = perm.uid, perm.gid, perm.mode
    elif c in _SEM_STATS or c in _SEM_INFOS or c == _IPC_RMID or c in _SEM_PLAIN:
        if arg is not None:
            raise TypeError(f"semctl command {c} takes no arg")
        if c in _SEM_STATS or c in _SEM_INFOS:
            ds = _new("int64_t[]", _SEM_SLOTS)
    elif arg is not None:  # a command linuxsys does not know: arg as the kernel's long
        if type(arg) is bool or not isinstance(arg, int):
            raise TypeError(f"semctl: arg of command {c} must be an int")
        val = in_range(arg, "arg", _LONG_MIN, _LONG_MAX)
    r = call(_semctl, "semctl", s, num, c, val, array, ds)
    if c in _SEM_STATS:
        v = _unpack(ds, _SEM_SLOTS)
        result = SemidDs(IpcPerm(*v[:7]), *v[7:])
        return result if c == _IPC_STAT else (r, result)
    if c in _SEM_INFOS:
        return r, SemInfo(*_unpack(ds, _SEM_SLOTS))
    if c == _IPC_SET or c == _IPC_RMID or c == _SETVAL:
        return None
    return r


def _force_multiplexer(on: bool) -> bool:  # pyright: ignore[reportUnusedFunction]: tests' hook
    """Tests: issue every call here through ipc(2) (as on i386 before Linux 5.1), or not;
    False where the arch has no ipc(2) (nothing changes)."""
    return _ipc_force_multiplexer(1 if on else 0) == 0


__all__ = ["msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop", "semtimedop", "semctl",
           "MsqidDs", "MsgInfo", "SemidDs", "SemInfo"]

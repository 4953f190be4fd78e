"""An epoll echo server: one thread, non-blocking sockets, level-triggered epoll.

    python examples/echo_server.py [--port P] [--clients N]

Listens on 127.0.0.1 (port 0: the kernel picks one), prints ``listening on PORT``, and echoes
whatever each client sends until it closes; with ``--clients N`` it exits once N clients have
come and gone (0: serve for ever; Ctrl-C stops).  Every socket is an owning Fd: closing it also
removes it from the epoll set.
"""
import argparse
import os
import sys
from typing import Optional

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import linuxsys as L  # noqa: E402


def serve(port: int = 0, clients: int = 0) -> None:
    listener = L.socket(L.AF.INET, L.SOCK.STREAM | L.SOCK_FLAG.NONBLOCK)
    L.setsockopt(listener, L.SOL.SOCKET, L.SO.REUSEADDR, 1)
    L.bind(listener, ("127.0.0.1", port))
    L.listen(listener)
    print("listening on", L.getsockname(listener)[1], flush=True)
    conns: dict[int, L.Fd] = {}  # fd number -> Fd
    done = 0
    with L.Epoll() as ep, listener:
        ep.register(listener, L.EPOLL.IN)
        while clients == 0 or done < clients:
            for fd, _ in ep.poll():
                if fd == listener.fd:
                    try:
                        conn, _ = L.accept4(listener, L.SOCK_FLAG.NONBLOCK)
                    except BlockingIOError:
                        continue
                    conns[conn.fd] = conn
                    ep.register(conn, L.EPOLL.IN | L.EPOLL.RDHUP)
                    continue
                conn = conns[fd]
                try:
                    data = L.recv(conn, 65536)
                except BlockingIOError:
                    continue
                except ConnectionResetError:
                    data = b""
                if data:
                    L.send(conn, data)  # small echoes fit the socket buffer at once
                else:  # the peer closed
                    ep.unregister(conn)
                    conns.pop(fd).close()
                    done += 1


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--clients", type=int, default=0, help="exit after N clients (0: never)")
    opts = ap.parse_args(argv)
    try:
        serve(opts.port, opts.clients)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

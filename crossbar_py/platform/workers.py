"""Several API processes on one port: the parent binds the socket, forks the workers, restarts one that
dies and stops them all on SIGTERM/SIGINT (docs/operations.md)."""

import contextlib
import ctypes
import logging
import os
import signal
import socket
import time

log = logging.getLogger(__name__)
RESTARTS_ALLOWED = 5
RESTART_WINDOW = 30.0


def default_workers() -> int:
    """CROSSBAR_WORKERS, else the cores this process may run on."""
    if os.environ.get("CROSSBAR_WORKERS"):
        return int(os.environ["CROSSBAR_WORKERS"])
    return len(os.sched_getaffinity(0)) or 1


def listen(host: str, port: int, count: int = 1, backlog: int = 1024) -> list[socket.socket]:
    """One listening socket per worker, all on one port (SO_REUSEPORT), bound before the fork. The kernel
    spreads new connections over them evenly; on one shared socket the worker that woke first accepted a
    whole burst, and with 64 keep-alive connections one worker served most of them while the other idled
    (docs/performance.md)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    socks: list[socket.socket] = []
    for _ in range(count):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        # Port 0: the first socket's port, for every other one.
        sock.bind((host, socks[0].getsockname()[1] if socks else port))
        sock.listen(backlog)
        sock.setblocking(False)
        socks.append(sock)
    return socks


def _die_with_parent() -> None:
    # A worker whose supervisor was killed -9 must not keep serving (and holding the port) on its own.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _child(serve, sock: socket.socket) -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL)
    _die_with_parent()
    code = 0
    try:
        serve(sock)
    except BaseException:  # noqa: BLE001 - a child must never return into the parent's loop
        log.exception("API worker failed")
        code = 1
    finally:
        os._exit(code)


class Supervisor:
    """The parent: forks a child running `serve(sock)` for each socket, and keeps one on each."""

    def __init__(self, serve, socks: list[socket.socket]):
        self.serve, self.socks = serve, socks
        # pid -> the socket it serves: a replacement takes over its predecessor's socket (and backlog).
        self.children: dict[int, socket.socket] = {}
        self.stopping = False
        self.restarts: list[float] = []

    def _spawn(self, sock: socket.socket) -> None:
        pid = os.fork()
        if pid == 0:
            _child(self.serve, sock)
        self.children[pid] = sock

    def _stop(self, *_) -> None:
        self.stopping = True
        for pid in list(self.children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                self.children.pop(pid, None)

    def _restart_allowed(self) -> bool:
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < RESTART_WINDOW] + [now]
        return len(self.restarts) <= RESTARTS_ALLOWED

    def run(self) -> int:
        """Until every child has exited; 0 after a requested stop, 1 when workers keep dying."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for listening in self.socks:
            self._spawn(listening)
        log.info("API workers started", extra={"workers": len(self.socks), "pids": sorted(self.children)})
        failed = False
        while self.children:
            pid, status = os.wait()
            sock = self.children.pop(pid, None)
            if self.stopping or sock is None:  # None: not a worker of ours
                continue
            log.warning("API worker exited; starting another", extra={"pid": pid, "status": status})
            if self._restart_allowed():
                self._spawn(sock)
            else:
                log.error("API workers keep dying; stopping")
                failed = True
                self._stop()
        return 1 if failed else 0

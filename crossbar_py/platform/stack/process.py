"""The children the stack starts: spawning with a private log, stopping by pid, free ports, readiness."""

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from crossbar_py.platform import processes

LOOPBACK = "127.0.0.1"
LOG_MODE = 0o600


class StackError(RuntimeError):
    """A component failed to start."""


@dataclass
class Process:
    """A child process we started and must stop by pid."""

    name: str
    popen: subprocess.Popen
    log: Path
    stop_signal: int = signal.SIGTERM

    @property
    def pid(self) -> int:
        """The child's pid."""
        return self.popen.pid

    def alive(self) -> bool:
        """True while the process runs."""
        return self.popen.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        """Its stop signal (SIGTERM), then SIGKILL if it does not exit in time."""
        if not self.alive():
            return
        os.kill(self.pid, self.stop_signal)
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.pid, signal.SIGKILL)
            self.popen.wait(timeout)

    def tail(self, lines: int = 30) -> str:
        """The last lines of its log, for error messages."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        return ""


def free_port(kind: int = socket.SOCK_STREAM, also_udp: bool = False) -> int:
    """A loopback port free for TCP (and UDP when asked) right now."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind((LOOPBACK, 0))
            port = s.getsockname()[1]
        if not also_udp or udp_free(port):
            return port
    raise StackError("no free loopback port")


def udp_free(port: int) -> bool:
    """True if nothing holds this loopback UDP port."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def tcp_free(port: int) -> bool:
    """True if nothing listens on this loopback TCP port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # As the servers themselves do: connections in TIME_WAIT from a killed instance must not
        # keep a restart off its own port; a listener still does.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def wait_until(check, what: str, proc: Process, timeout: float = 30.0) -> None:
    """Poll `check` until it is true; stop `proc` and raise if it exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.alive():
            raise StackError(f"{what} exited early:\n{proc.tail()}")
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.05)
    proc.stop()
    raise StackError(f"{what} not ready after {timeout}s:\n{proc.tail()}")


def _open_log(log: Path) -> int:
    """A log file only its owner reads: failed SQL, SIP digests and tokens are not for every local user."""
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, LOG_MODE)
    os.fchmod(fd, LOG_MODE)  # a file left by an older run keeps its mode otherwise
    return fd


def spawn(name: str, argv: list, log: Path, env=None, user=None, netns: str | None = None) -> Process:
    """Start `argv` in its own session, output to `log` (as `user`, inside `netns` when given)."""
    if netns:
        # `ip netns exec` and setpriv both exec in place: the pid we keep is the component's own.
        switch = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups"] if user else []
        argv, user = ["ip", "netns", "exec", netns, *switch, *argv], None
    with os.fdopen(_open_log(log), "ab") as fh:
        popen = subprocess.Popen(
            argv,
            stdout=fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            user=user,
            start_new_session=True,
        )
    return Process(name, popen, log)


def clear_stale_pidfile(path: Path) -> None:
    """Remove a pid file whose process is gone, left by a killed instance."""
    if path.exists() and not processes.alive(_read_pid(path)):
        path.unlink()


def _read_pid(path: Path) -> int:
    with contextlib.suppress(Exception):
        return int(path.read_text().split()[0])
    return 0

"""Keep `crossbar-py run`'s components alive: notice one that died, reap it, clean up and restart it."""

import contextlib
import logging
import os
import select
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from crossbar_py.platform.stack import Process, StackError

log = logging.getLogger(__name__)


def kill_group(pid: int, sig: int = signal.SIGKILL, wait: float = 5.0) -> None:
    """Signal a component's whole process group (it leads its own session) and wait until it is gone.

    Kamailio's workers and PostgreSQL's backends outlive a main process killed with SIGKILL; they keep
    the ports and shared memory a restart needs."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.02)


@dataclass
class Component:
    """One supervised process and how to start it again on the same ports."""

    name: str
    start: Callable[[], Process]
    pidfile: Path | None = None
    proc: Process | None = None
    restarts: int = 0
    down_since: float | None = None
    failures: int = field(default=0, repr=False)


class Supervisor:
    """Start components in order, watch them, restart the ones that die; stop them in reverse order."""

    def __init__(self, backoff_max: float = 30.0):
        self.components: list = []
        self.backoff_max = backoff_max

    def start(self, comp: Component) -> Process:
        """Start one more component (it waits until it answers) and watch it from now on."""
        self.components.append(comp)
        comp.proc = comp.start()
        log.info("component started", extra={"component": comp.name, "pid": comp.proc.pid})
        return comp.proc

    def check(self) -> list:
        """One pass: restart whatever died; the names restarted."""
        restarted = []
        for comp in self.components:
            if comp.proc is not None and comp.proc.popen.poll() is None:
                continue
            if comp.proc is not None:
                self._reap(comp, comp.proc)
            if self._due(comp) and self._restart(comp):
                restarted.append(comp.name)
        return restarted

    def _reap(self, comp: Component, proc: Process) -> None:
        """poll() has reaped the main process; now its group, its pid file, and a log line."""
        comp.proc = None
        comp.down_since = time.monotonic()
        log.error(
            "component died", extra={"component": comp.name, "pid": proc.pid, "returncode": proc.popen.returncode}
        )
        kill_group(proc.pid)
        if comp.pidfile is not None:
            comp.pidfile.unlink(missing_ok=True)

    def _due(self, comp: Component) -> bool:
        delay = min(self.backoff_max, 0.5 * (2**comp.failures) - 0.5)
        return time.monotonic() - (comp.down_since or 0) >= delay

    def _restart(self, comp: Component) -> bool:
        try:
            comp.proc = comp.start()
        except (StackError, OSError) as exc:
            comp.failures += 1
            comp.down_since = time.monotonic()
            log.error("component restart failed", extra={"component": comp.name, "error": str(exc)[-500:]})
            return False
        comp.restarts += 1
        comp.failures = 0
        log.warning(
            "component restarted",
            extra={"component": comp.name, "pid": comp.proc.pid, "restarts": comp.restarts},
        )
        return True

    def run(self, stop: Callable[[], bool], interval: float = 0.2) -> None:
        """Watch until stop() says so: a pass every interval, and at once when a child exits (SIGCHLD).

        Waking on SIGCHLD matters for Kamailio: until its group is killed, its orphaned workers keep
        answering RPC and /readyz would still say ok (docs/supervisor.md)."""
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_r, False)
        os.set_blocking(wake_w, False)
        previous_fd = signal.set_wakeup_fd(wake_w)
        previous = signal.signal(signal.SIGCHLD, lambda *_: None)
        try:
            while not stop():
                self.check()
                select.select([wake_r], [], [], interval)
                with contextlib.suppress(BlockingIOError):
                    os.read(wake_r, 4096)
        finally:
            signal.signal(signal.SIGCHLD, previous)
            signal.set_wakeup_fd(previous_fd)
            os.close(wake_r)
            os.close(wake_w)

    def stop_all(self) -> None:
        """Stop in reverse order of start, each with its process group."""
        for comp in reversed(self.components):
            if comp.proc is not None:
                comp.proc.stop()
                kill_group(comp.proc.pid)
                comp.proc = None

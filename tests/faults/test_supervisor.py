"""The supervisor on plain processes: a death is reaped, its group killed, its pid file cleared, it restarts."""

import os
import signal
import time

from crossbar_py.platform import stack
from crossbar_py.platform.supervisor import Component, Supervisor


def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def _forking(tmp_path):
    """A process that leaves a worker behind in its group when killed, as Kamailio does."""

    def start() -> stack.Process:
        (tmp_path / "svc.pid").write_text("x")
        argv = ["sh", "-c", "sleep 300 & exec sleep 300"]
        return stack.spawn("svc", argv, tmp_path / "svc.log")

    return start


def test_a_dead_component_is_reaped_its_group_killed_and_it_restarts(tmp_path, caplog):
    sup = Supervisor()
    comp = Component("svc", _forking(tmp_path), tmp_path / "svc.pid")
    first = sup.start(comp)
    time.sleep(0.2)
    try:
        os.kill(first.pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not sup.check():
            time.sleep(0.05)
        assert comp.restarts == 1 and comp.proc is not None and comp.proc.pid != first.pid
        assert first.popen.returncode == -signal.SIGKILL  # reaped: no zombie left
        assert _group_gone(first.pid)  # its worker went with it
        died = [r for r in caplog.records if r.getMessage() == "component died"]
        assert [(r.component, r.pid, r.returncode) for r in died] == [("svc", first.pid, -9)]
        assert (tmp_path / "svc.pid").exists()  # written again by the restart
        assert sup.check() == []  # alive: nothing to do
    finally:
        second = comp.proc
        sup.stop_all()
    assert second is not None and _group_gone(second.pid)


def test_a_restart_that_fails_is_retried_with_backoff(tmp_path):
    calls = []

    def start() -> stack.Process:
        calls.append(time.monotonic())
        if len(calls) in (2, 3):
            raise stack.StackError("port taken")
        return stack.spawn("svc", ["sleep", "300"], tmp_path / "svc.log")

    sup = Supervisor()
    comp = Component("svc", start)
    os.kill(sup.start(comp).pid, signal.SIGKILL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and comp.restarts == 0:
            sup.check()
            time.sleep(0.05)
        assert comp.restarts == 1 and len(calls) == 4
        # Failed restarts wait 0.5 s, then 1.5 s, before the next try.
        assert calls[2] - calls[1] >= 0.45 and calls[3] - calls[2] >= 1.45
    finally:
        sup.stop_all()


def test_run_wakes_on_a_childs_death_not_on_the_next_pass(tmp_path):
    sup = Supervisor()
    comp = Component("svc", _forking(tmp_path), tmp_path / "svc.pid")
    first = sup.start(comp)
    killed = {}

    def stop() -> bool:
        if not killed:
            killed["at"] = time.monotonic()
            os.kill(first.pid, signal.SIGKILL)
        return comp.restarts > 0 or time.monotonic() - killed["at"] > 10

    try:
        sup.run(stop, interval=5)  # a pass every 5 s: only SIGCHLD can make it quick
        assert comp.restarts == 1 and comp.down_since is not None and comp.down_since - killed["at"] < 1
        assert _group_gone(first.pid)
    finally:
        sup.stop_all()

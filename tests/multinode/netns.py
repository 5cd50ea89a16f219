"""Network namespaces for the multinode test: one per node, joined by a bridge inside the first one.
Only namespaces and addresses the test makes (10.200.1.0/24, never on the host); removed afterwards."""

import contextlib
import ctypes
import os
import secrets
import subprocess
from dataclasses import dataclass, field

CLONE_NEWNET = 0x40000000
NETWORK = "10.200.1.0/24"
_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def ip(*args: str, netns: str | None = None) -> None:
    """Run one `ip` command (inside `netns` when given); raise with its message on failure."""
    argv = ["ip", *(["-n", netns] if netns else []), *args]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {done.stderr.strip()}")


def _setns(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {path}")
    finally:
        os.close(fd)


@dataclass
class Network:
    """Namespaces named `cb<id>-<node>`, each with eth0 at 10.200.1.<n> on the bridge in the `hub` one."""

    nodes: dict
    tag: str = field(default_factory=lambda: secrets.token_hex(3))
    made: list = field(default_factory=list)

    def ns(self, node: str) -> str:
        """The namespace of a node."""
        return f"cb{self.tag}-{node}"

    def addr(self, node: str) -> str:
        """The address of a node."""
        return f"10.200.1.{self.nodes[node]}"

    def create(self) -> "Network":
        """Make the namespaces, the bridge and one veth pair per node."""
        hub = self.ns("hub")
        ip("netns", "add", hub)
        self.made.append(hub)
        ip("link", "set", "lo", "up", netns=hub)
        ip("link", "add", "br0", "type", "bridge", netns=hub)
        ip("link", "set", "br0", "up", netns=hub)
        for node in self.nodes:
            self._join(node)
        return self

    def _join(self, node: str) -> None:
        name, outside = self.ns(node), f"v{self.tag}{self.nodes[node]}"
        ip("netns", "add", name)
        self.made.append(name)
        ip("link", "set", "lo", "up", netns=name)
        ip("link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", name, netns=self.ns("hub"))
        ip("link", "set", outside, "master", "br0", "up", netns=self.ns("hub"))
        ip("addr", "add", f"{self.addr(node)}/24", "dev", "eth0", netns=name)
        ip("link", "set", "eth0", "up", netns=name)

    def destroy(self) -> None:
        """Remove every namespace made (their processes must have been stopped first)."""
        for name in reversed(self.made):
            with contextlib.suppress(RuntimeError):
                ip("netns", "del", name)
        self.made.clear()

    @contextlib.contextmanager
    def inside(self, node: str):
        """Run this thread inside a node's namespace (sockets it opens stay there), then come back."""
        home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        try:
            _setns(f"/run/netns/{self.ns(node)}")
            yield
        finally:
            if _libc.setns(home, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back home")
            os.close(home)

"""Drive sipp as the phone: render a scenario template, run it against Kamailio, report the outcome."""

import asyncio
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from string import Template

SCENARIOS = Path(__file__).parent / "scenarios"


def free_udp_port(ip: str = "127.0.0.1") -> int:
    """A UDP port free on ip right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((ip, 0))
        return s.getsockname()[1]


@dataclass
class Result:
    """How a sipp run ended."""

    returncode: int
    output: str
    port: int

    @property
    def ok(self) -> bool:
        """True when every call of the scenario succeeded."""
        return self.returncode == 0


class Sipp:
    """A sipp process playing one scenario against Kamailio."""

    def __init__(
        self,
        sip_port: int,
        scenario: str,
        *,
        src_ip: str = "127.0.0.1",
        port: int | None = None,
        credentials: tuple | None = None,
        users: list | None = None,
        rate: int = 0,
        trace_logs: bool = False,
        timeout: float = 10,
        calls: int = 1,
        **variables,
    ):
        self.sip_port, self.src_ip, self.timeout = sip_port, src_ip, timeout
        self.port = port or free_udp_port(src_ip)
        self.dir = Path(tempfile.mkdtemp(prefix="sipp-"))
        variables.setdefault("contact", f"{src_ip}:{self.port}")
        variables.setdefault("user_agent", "sipp-phone/3.6")
        text = Template((SCENARIOS / f"{scenario}.xml").read_text()).substitute(variables)
        (self.dir / "scenario.xml").write_text(text)
        self.argv = [
            "sipp",
            f"127.0.0.1:{sip_port}",
            "-sf",
            str(self.dir / "scenario.xml"),
            "-i",
            src_ip,
            "-p",
            str(self.port),
            "-m",
            str(calls),
            "-nostdin",
            "-timeout",
            f"{int(timeout)}s",
            "-timeout_error",
            "-max_recv_loops",
            "1000",
            "-trace_err",
            "-error_file",
            str(self.dir / "err.log"),
        ]
        users = users or ([credentials] if credentials else [])
        if users:
            # sipp 3.6 cannot nest keywords in a field: the whole [authentication ...] goes in the CSV.
            lines = "".join(f"{u};{r};[authentication username={u} password={p}]\n" for u, r, p in users)
            (self.dir / "users.csv").write_text("SEQUENTIAL\n" + lines)
            self.argv += ["-inf", str(self.dir / "users.csv")]
        if rate:
            self.argv += ["-r", str(rate)]
        if trace_logs:
            self.argv += ["-trace_logs"]
        self.proc = None

    async def start(self) -> "Sipp":
        """Start sipp in the background."""
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=self.dir
        )
        return self

    async def wait(self) -> Result:
        """Wait for sipp to finish."""
        out, _ = await asyncio.wait_for(self.proc.communicate(), self.timeout + 10)
        err = self.dir / "err.log"
        text = out.decode(errors="replace") + (err.read_text(errors="replace") if err.exists() else "")
        return Result(self.proc.returncode, text, self.port)

    def logged(self) -> list:
        """The lines the scenario's <log> actions wrote (with trace_logs)."""
        return [line for path in self.dir.glob("*_logs.log") for line in path.read_text().splitlines() if line]

    async def run(self) -> Result:
        """Start and wait."""
        await self.start()
        return await self.wait()


async def register(
    sip_port: int, user: str, realm: str, password: str, *, expires: int = 600, final: int = 200, **kw
) -> Result:
    """One digest-authenticated REGISTER exchange."""
    return await Sipp(
        sip_port, "register", credentials=(user, realm, password), expires=expires, final=final, **kw
    ).run()


def forget_failures(rpc_port: int, src_ip: str) -> None:
    """Clear Kamailio's auth-failure counters of one source address (tests that fail on purpose)."""
    from crossbar_py.platform import stack

    for table in ("authfail", "ipfail"):
        for slot in stack.rpc_call(rpc_port, "htable.dump", table) or []:
            for item in slot.get("slot", []):
                if item["name"] == src_ip or item["name"].startswith(f"{src_ip}|"):
                    stack.rpc_call(rpc_port, "htable.delete", table, item["name"])

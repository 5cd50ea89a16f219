"""Drive Debian's baresip as a real softphone: a throwaway config directory, one account, no audio device."""

import asyncio
import contextlib
import shutil
import tempfile
from pathlib import Path

from tests.sip.sipp import free_udp_port

CONFIG = """\
poll_method epoll
sip_listen 127.0.0.1:{port}
sip_trans_def udp
audio_player aufile,/dev/null
audio_source ausine,440
module_path /usr/lib/baresip/modules
module g711.so
module aufile.so
module ausine.so
module_app account.so
"""


@contextlib.asynccontextmanager
async def baresip_phone(sip_port: int, username: str, realm: str, password: str, regint: int = 600):
    """A registered-on-start baresip process, stopped (by its pid) when the block ends."""
    workdir = Path(tempfile.mkdtemp(prefix="baresip-"))
    port = free_udp_port()
    (workdir / "config").write_text(CONFIG.format(port=port))
    account = (
        f'<sip:{username}@{realm}>;auth_pass={password};outbound="sip:127.0.0.1:{sip_port};transport=udp"'
        f";regint={regint}\n"
    )
    (workdir / "accounts").write_text(account)
    proc = await asyncio.create_subprocess_exec(
        "baresip",
        "-f",
        str(workdir),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)

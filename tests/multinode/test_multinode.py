"""Several nodes, one truth: two Kamailio nodes and two API nodes (each with two workers) on one
PostgreSQL and one Redis, each in its own network namespace; sipp phones register on either Kamailio."""

import http.server
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

import pytest

from crossbar_py.cli import ensure_account
from crossbar_py.platform import db, stack
from crossbar_py.settings import Settings
from tests.helpers import md5_credentials
from tests.multinode.netns import NETWORK, Network

SCENARIOS = Path(__file__).parents[1] / "sip" / "scenarios"
NODES = {"db": 10, "k1": 11, "k2": 12, "a1": 21, "a2": 22, "ph": 31}
PASSWORD = "multi-node-pw-1"
KA_INTERVAL = 1

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("sipp"),
    reason="needs root (network namespaces), iproute2 and sipp",
)


@dataclass
class Cluster:
    """Where everything runs, and the account the test works in."""

    net: Network
    workdir: Path
    procs: dict = field(default_factory=dict)
    account: dict = field(default_factory=dict)
    token: str = ""

    def api(self, node: str) -> str:
        """Base URL of an API node."""
        return f"http://{self.net.addr(node)}:8000"

    def call(self, node: str, method: str, path: str, body: dict | None = None) -> tuple:
        """(status, JSON body) of one request to an API node."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.api(node) + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if self.token:
            req.add_header("X-Auth-Token", self.token)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def account_path(self, tail: str = "") -> str:
        """A path under the test account."""
        return f"/v2/accounts/{self.account['id']}{tail}"


def _api_node(cluster: Cluster, node: str, kamailio: str, dsn: str, redis_url: str) -> subprocess.Popen:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CROSSBAR_")},
        "DATABASE_URL": dsn,
        "REDIS_URL": redis_url,
        "KAMAILIO_RPC_URL": f"http://{cluster.net.addr(kamailio)}:5071/RPC",
        "CROSSBAR_JWT_SECRET": "multinode-signing-key-" + "k" * 20,
        "CROSSBAR_LOGIN_PEPPER": "multinode-pepper-" + "p" * 20,
        "CROSSBAR_EVENTS_POLL_INTERVAL": "0.2",
        # The receiver is at 10.200.1.31; a short timeout keeps the lease (2 x timeout + 10 s) short.
        "CROSSBAR_WEBHOOK_ALLOW_PRIVATE": "1",
        "CROSSBAR_WEBHOOK_TIMEOUT": "2",
        "CROSSBAR_WEBHOOK_POLL_INTERVAL": "0.2",
        "HTTP_HOST": cluster.net.addr(node),
        "HTTP_PORT": "8000",
        "LOG_LEVEL": "WARNING",
    }
    argv = ["ip", "netns", "exec", cluster.net.ns(node), sys.executable, "-m", "crossbar_py", "serve", "--workers", "2"]
    with open(cluster.workdir / f"{node}.log", "ab") as log:
        return subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _kamailio(cluster: Cluster, node: str, server_id: int, pg_port: int) -> stack.Process:
    addr = cluster.net.addr(node)
    cfg = stack.KamailioConfig(
        db_host=cluster.net.addr("db"),
        db_port=pg_port,
        sip_ip=addr,
        sip_port=5060,
        rpc_port=5071,
        rpc_ip=addr,
        netns=cluster.net.ns(node),
        defines={
            "SERVER_ID": server_id,
            "RPC_ALLOW": '"^10\\.200\\.1\\."',
            "KA_INTERVAL": KA_INTERVAL,
            "KA_MAX_FAILS": 3,
            "FR_TIMER": 1000,
            "CHILDREN": 2,
            "TCP_CHILDREN": 1,
            "LOG_LEVEL": 1,
        },
    )
    return stack.start_kamailio(cluster.workdir / node, cfg)


def _until(check, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _up(cluster: Cluster, node: str) -> bool:
    try:
        return cluster.call(node, "GET", "/healthz")[0] == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def cluster():
    """The namespaces, PostgreSQL and Redis in `db`, Kamailio in `k1`/`k2`, the API in `a1`/`a2`; this
    thread runs in `ph` (with the phones) for the whole module."""
    net = Network(NODES).create()
    c = Cluster(net, Path(tempfile.mkdtemp(prefix="crossbar-multinode-")))
    c.workdir.chmod(0o755)
    try:
        with net.inside("ph"):
            dsn, c.procs["postgres"] = stack.start_postgres(
                c.workdir / "pg", 5432, host=net.addr("db"), netns=net.ns("db"), trust=NETWORK
            )
            db.migrate(dsn, out=lambda *_: None)
            redis_url, c.procs["redis"] = stack.start_redis(c.workdir, 6379, host=net.addr("db"), netns=net.ns("db"))
            c.procs["k1"] = _kamailio(c, "k1", 1, 5432)
            c.procs["k2"] = _kamailio(c, "k2", 2, 5432)
            settings = Settings(
                database_url=dsn,
                jwt_secret="multinode-signing-key-" + "k" * 20,
                login_pepper="multinode-pepper-" + "p" * 20,
                realm_suffix="sip.multi",
            )
            import asyncio

            c.account, _ = asyncio.run(ensure_account(settings, "multi", "admin", PASSWORD, realm="multi.sip.test"))
            c.procs["a1"] = _api_node(c, "a1", "k1", dsn, redis_url)
            c.procs["a2"] = _api_node(c, "a2", "k2", dsn, redis_url)
            for node in ("a1", "a2"):
                _until(lambda n=node: _up(c, n), what=f"API {node}")
            login = {"data": {"credentials": md5_credentials("admin", PASSWORD), "account_name": "multi"}}
            status, body = c.call("a1", "PUT", "/v2/user_auth", login)
            assert status == 201, body
            c.token = body["auth_token"]
            yield c
    finally:
        for proc in reversed(list(c.procs.values())):
            if isinstance(proc, subprocess.Popen):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
                    proc.wait(20)
            else:
                proc.stop()
        net.destroy()
        if not os.environ.get("CROSSBAR_KEEP_TEST_DIR"):
            shutil.rmtree(c.workdir, ignore_errors=True)


class Phone:
    """A sipp phone at 10.200.1.31:`port`: registers on a Kamailio node, then answers its keepalives."""

    def __init__(self, cluster: Cluster, username: str, port: int):
        self.cluster, self.username, self.port = cluster, username, port
        self.dir = Path(tempfile.mkdtemp(prefix="mn-phone-", dir=cluster.workdir))
        self.answerer: subprocess.Popen | None = None
        self.answers = 0

    def _argv(self, target: str, scenario: str, calls: int, timeout: int, **variables) -> list:
        variables.setdefault("contact", f"{self.cluster.net.addr('ph')}:{self.port}")
        variables.setdefault("user_agent", "sipp-multinode/1.0")
        text = Template((SCENARIOS / f"{scenario}.xml").read_text()).substitute(variables)
        path = self.dir / f"{scenario}.xml"
        path.write_text(text)
        realm = self.cluster.account["realm"]
        users = self.dir / "users.csv"
        users.write_text(
            f"SEQUENTIAL\n{self.username};{realm};[authentication username={self.username} password={PASSWORD}]\n"
        )
        return [
            "sipp", f"{self.cluster.net.addr(target)}:5060", "-sf", str(path), "-inf", str(users),
            "-i", self.cluster.net.addr("ph"), "-p", str(self.port), "-m", str(calls), "-nostdin",
            "-timeout", f"{timeout}s", "-timeout_error", "-max_recv_loops", "1000",
        ]  # fmt: skip

    def register(self, node: str) -> None:
        """One digest REGISTER exchange with a Kamailio node, answered 200."""
        self.stop_answering()
        argv = self._argv(node, "register", 1, 10, expires=3600, final=200)
        done = subprocess.run(argv, cwd=self.dir, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stdout[-2000:]

    def answer_keepalives(self) -> None:
        """Answer OPTIONS in the background, logging every message received."""
        self.stop_answering()  # one listener per port
        self.answers += 1
        log = self.dir / f"messages-{self.answers}.log"
        argv = [*self._argv("k1", "answer_options", 100000, 600), "-trace_msg", "-message_file", str(log)]
        self.answerer = subprocess.Popen(argv, cwd=self.dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def answer_and_resync(self, node: str) -> None:
        """Answer OPTIONS in the background and, on a check-sync NOTIFY, register again with `node`."""
        self.stop_answering()
        argv = self._argv(node, "resync_answering", 100000, 600, expires=3600, event="check-sync")
        self.answerer = subprocess.Popen(argv, cwd=self.dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)  # sipp binds its port

    def stop_answering(self) -> None:
        """Stop the answering sipp (by pid)."""
        if self.answerer and self.answerer.poll() is None:
            self.answerer.terminate()
            self.answerer.wait(10)
        self.answerer = None

    def pingers(self) -> list:
        """The Kamailio addresses (Via) of the OPTIONS the current answerer received, in order."""
        log = self.dir / f"messages-{self.answers}.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        found = []
        for block in re.split(r"\n-{5,}", text):
            if re.search(r"^\s*OPTIONS sip:", block, re.M):
                via = re.search(r"^\s*Via: SIP/2.0/UDP ([\d.]+)", block, re.M)
                if via:
                    found.append(via.group(1))
        return found


def _device(cluster: Cluster, username: str) -> dict:
    body = {"data": {"name": f"phone {username}", "sip": {"username": username, "password": PASSWORD}}}
    status, reply = cluster.call("a1", "PUT", cluster.account_path("/devices"), body)
    assert status == 201, reply
    return reply["data"]


def _same_from_both(cluster: Cluster, path: str, shape=lambda body: body["data"]):
    """The same answer from both API nodes; that answer."""
    answers = []
    for node in ("a1", "a2"):
        status, body = cluster.call(node, "GET", path)
        assert status == 200, (node, body)
        answers.append(shape(body))
    assert answers[0] == answers[1], answers
    return answers[0]


def _events(cluster: Cluster, node: str, count: int) -> list:
    """The first `count` events of the account's stream through an API node, replayed from the start."""
    req = urllib.request.Request(cluster.api(node) + cluster.account_path("/registrations/events?last_event_id=0"))
    req.add_header("X-Auth-Token", cluster.token)
    found = []
    with urllib.request.urlopen(req, timeout=10) as resp:
        while len(found) < count:
            line = resp.readline().decode()
            if line.startswith("data: "):
                event = json.loads(line[6:])
                found.append((event["id"], event["event"], event.get("sipUsername")))
    return found


def _lookup(cluster: Cluster, node: str, username: str):
    aor = f"{username}@{cluster.account['realm']}"
    try:
        return stack.rpc_call(5071, "ul.lookup", "location", aor, host=cluster.net.addr(node))
    except (OSError, stack.StackError):
        return None


@pytest.fixture(scope="module")
def phones(cluster):
    """Two devices; phone 1 registered on k1, phone 2 on k2, both answering keepalives."""
    tag = secrets.token_hex(3)
    made = {}
    for i, node in ((1, "k1"), (2, "k2")):
        username = f"mn{i}{tag}"
        device = _device(cluster, username)
        phone = Phone(cluster, username, 5070 + i)
        phone.register(node)
        phone.answer_keepalives()
        made[i] = (device, phone)
    yield made
    for _, phone in made.values():
        phone.stop_answering()


def test_list_count_and_state_are_the_same_through_either_api_node(cluster, phones):
    contacts = _same_from_both(
        cluster,
        cluster.account_path("/registrations"),
        lambda b: sorted((r["username"], r["contact"]) for r in b["data"]),
    )
    assert [u for u, _ in contacts] == sorted(p.username for _, p in phones.values())
    assert _same_from_both(cluster, cluster.account_path("/registrations/count"))["count"] == 2
    for device, _ in phones.values():
        state = _same_from_both(cluster, cluster.account_path(f"/devices/{device['id']}/status"))
        assert state["status"] == "registered"
        _same_from_both(cluster, cluster.account_path(f"/devices/{device['id']}/registration"))


def test_the_event_stream_is_the_same_through_either_api_node(cluster, phones):
    first, second = _events(cluster, "a1", 2), _events(cluster, "a2", 2)
    assert first == second
    assert sorted(e[2] for e in first) == sorted(p.username for _, p in phones.values())
    assert {e[1] for e in first} == {"registered"}


def test_keepalives_ping_each_contact_from_exactly_one_node(cluster, phones):
    time.sleep(4 * KA_INTERVAL + 1)
    for i, node in ((1, "k1"), (2, "k2")):
        seen = phones[i][1].pingers()
        assert len(seen) >= 3, seen
        assert set(seen) == {cluster.net.addr(node)}, (i, seen)


def test_renew_through_either_api_node_reaches_the_phone_and_sees_it_re_register(cluster, phones):
    """The check-sync goes out through the API node's own Kamailio; the fresh REGISTER lands on the phone's
    node; both API nodes see it in the one location table."""
    device, phone = phones[1]
    path = cluster.account_path(f"/devices/{device['id']}/registration/renew?wait=15")
    try:
        for node in ("a1", "a2"):
            phone.answer_and_resync("k1")
            status, body = cluster.call(node, "POST", path, {"data": {}})
            assert status == 200 and body["data"]["renewed"] is True, (node, body)
            assert body["data"]["notifySent"] is True
    finally:
        phone.answer_keepalives()


def test_a_flush_through_api_node_1_makes_a_phone_on_kamailio_node_2_unreachable_at_once(cluster, phones):
    device, phone = phones[2]
    assert _lookup(cluster, "k2", phone.username)
    phone.stop_answering()
    status, body = cluster.call("a1", "DELETE", cluster.account_path(f"/registrations/{phone.username}"))
    assert status == 200, body
    assert _lookup(cluster, "k2", phone.username) is None
    assert _lookup(cluster, "k1", phone.username) is None
    state = _same_from_both(cluster, cluster.account_path(f"/devices/{device['id']}/status"))
    assert state["status"] == "unregistered"
    assert _same_from_both(cluster, cluster.account_path("/registrations/count"))["count"] == 1


def test_kill_9_a_kamailio_node_and_its_phones_re_register_on_the_other(cluster, phones):
    device, phone = phones[1]
    other_device = phones[2][0]
    before = _same_from_both(cluster, cluster.account_path(f"/devices/{other_device['id']}/status"))
    os.killpg(cluster.procs["k1"].pid, signal.SIGKILL)
    cluster.procs["k1"].popen.wait(10)
    _until(lambda: not _rpc_alive(cluster, "k1"), what="k1 gone")
    phone.register("k2")
    phone.answer_keepalives()
    contacts = _same_from_both(
        cluster, cluster.account_path("/registrations"), lambda b: [(r["username"], r["contact"]) for r in b["data"]]
    )
    assert [u for u, _ in contacts] == [phone.username]
    assert _lookup(cluster, "k2", phone.username)
    assert _same_from_both(cluster, cluster.account_path(f"/devices/{device['id']}/status"))["status"] == "registered"
    assert _same_from_both(cluster, cluster.account_path(f"/devices/{other_device['id']}/status")) == before
    time.sleep(3 * KA_INTERVAL + 1)
    assert set(phone.pingers()) == {cluster.net.addr("k2")}


def _rpc_alive(cluster: Cluster, node: str) -> bool:
    try:
        stack.rpc_call(5071, "core.version", host=cluster.net.addr(node), timeout=0.5)
        return True
    except (OSError, stack.StackError):
        return False


class Receiver(http.server.ThreadingHTTPServer):
    """A customer's webhook receiver at 10.200.1.31:8090 that holds the first delivery until released."""

    def __init__(self, addr: str):
        self.calls: list = []
        self.hold, self.release = threading.Event(), threading.Event()
        self.hold.set()
        super().__init__((addr, 8090), _Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        server = self.server
        server.calls.append((self.client_address[0], body))
        if server.hold.is_set():
            server.hold.clear()
            server.release.wait(30)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_):
        pass


def test_kill_9_the_api_node_mid_delivery_and_the_other_delivers_the_webhook(cluster, phones):
    receiver = Receiver(cluster.net.addr("ph"))
    try:
        hook = {"name": "ops", "uri": f"http://{cluster.net.addr('ph')}:8090/hook", "http_verb": "POST",
                "hook": "device.unregistered", "retries": 5}  # fmt: skip
        status, body = cluster.call("a2", "PUT", cluster.account_path("/webhooks"), {"data": hook})
        assert status == 201, body
        _, phone = phones[1]
        phone.stop_answering()
        status, body = cluster.call("a2", "DELETE", cluster.account_path(f"/registrations/{phone.username}"))
        assert status == 200, body
        _until(lambda: receiver.calls, timeout=20, what="the first delivery")
        first_node, first = receiver.calls[0]
        dying = "a1" if first_node == cluster.net.addr("a1") else "a2"
        survivor = "a2" if dying == "a1" else "a1"
        os.killpg(cluster.procs[dying].pid, signal.SIGKILL)
        cluster.procs[dying].wait(10)
        receiver.release.set()
        _until(lambda: len(receiver.calls) > 1, timeout=40, what="the other node's delivery")
        again_node, again = receiver.calls[1]
        assert again_node == cluster.net.addr(survivor)
        assert again["eventId"] == first["eventId"] and again["event"] == "device.unregistered"
    finally:
        receiver.release.set()
        receiver.shutdown()
        receiver.server_close()

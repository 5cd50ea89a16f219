"""docker/ as shipped: `docker-compose config` accepts it, and the steps its images and jobs run work here
(no container engine runs on this machine, so each step is run directly)."""

import contextlib
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import psycopg2
import pytest
import yaml

from crossbar_py.platform.stack import free_port
from tests.packaging.conftest import REPO, cli, run

COMPOSE = REPO / "docker" / "compose.yaml"
SECRETS = {
    "POSTGRES_PASSWORD": "pg-pw",
    "KAMAILIO_DB_PASSWORD": "kam-pw",
    "CROSSBAR_JWT_SECRET": "k" * 64,
    "CROSSBAR_LOGIN_PEPPER": "p" * 64,
}
pytestmark = pytest.mark.skipif(not shutil.which("docker-compose"), reason="apt-get install docker-compose")


def _config(**env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return run(["docker-compose", "-f", str(COMPOSE), "config"], COMPOSE.parent, {**clean, **env}, timeout=60)


@pytest.fixture(scope="module")
def compose() -> dict:
    """The compose file as docker-compose resolves it."""
    done = _config(**SECRETS)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def test_compose_without_a_secret_is_refused_naming_it():
    for name in SECRETS:
        done = _config(**{k: v for k, v in SECRETS.items() if k != name})
        assert done.returncode != 0 and f"set {name}" in done.stderr, (name, done.stderr)


def test_official_images_and_built_ones(compose):
    services = compose["services"]
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["kamailio"]["build"]["dockerfile"] == "docker/Dockerfile.kamailio"
    assert services["api"]["build"]["dockerfile"] == services["migrate"]["build"]["dockerfile"]


def test_every_service_has_a_healthcheck_and_waits_on_health(compose):
    for name, service in compose["services"].items():
        if name != "migrate":
            assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
        for dep, cond in service.get("depends_on", {}).items():
            wanted = "service_completed_successfully" if dep == "migrate" else "service_healthy"
            assert cond["condition"] == wanted, (name, dep)
    assert set(compose["services"]["api"]["depends_on"]) == {"migrate", "redis", "kamailio"}


def test_migrate_job_is_crossbar_py_migrate_and_nothing_swallows_its_failure(compose):
    assert compose["services"]["migrate"]["command"] == ["crossbar-py", "migrate"]
    text = COMPOSE.read_text() + (REPO / "docker/Dockerfile.api").read_text()
    assert "psql" not in text and "|| true" not in text and "PYTHONPATH" not in text


def test_api_image_runs_the_wheel_as_non_root():
    steps = (REPO / "docker/Dockerfile.api").read_text()
    user = re.findall(r"^USER (\S+)", steps, re.M)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert "pip wheel" in steps and "pip install --no-cache-dir /wheels/*.whl" in steps


def test_migrate_job_as_compose_runs_it_sets_the_kamailio_password(compose, installed, fresh_database, tmp_path):
    job = compose["services"]["migrate"]
    env = {**job["environment"], "DATABASE_URL": fresh_database}
    done = cli(installed, tmp_path, *job["command"][1:], **env)
    assert done.returncode == 0, done.stderr
    with contextlib.closing(psycopg2.connect(fresh_database)) as conn, conn.cursor() as cur:
        cur.execute("SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = 'kamailio'")
        assert cur.fetchone() == (True,)


def test_a_failing_migration_fails_the_job(installed, fresh_database, tmp_path):
    where = run([str(installed / "bin/python"), "-c", "import crossbar_py;print(crossbar_py.__file__)"], tmp_path)
    broken = Path(where.stdout.strip()).parent / "_data" / "sql" / "999_broken.sql"
    broken.write_text("CREATE TABLE broken (;\n")
    try:
        done = cli(installed, tmp_path, "migrate", DATABASE_URL=fresh_database)
    finally:
        broken.unlink()
    assert done.returncode == 1 and "999_broken.sql" in done.stdout and "syntax error" in done.stderr


def test_kamailio_accepts_the_shipped_config_with_the_compose_defines(compose, installed, tmp_path):
    assert cli(installed, tmp_path, "kamailio-cfg", "--output", "k.cfg").returncode == 0
    kamailio = shutil.which("kamailio") or "/usr/sbin/kamailio"
    done = run([kamailio, "-c", "-f", str(tmp_path / "k.cfg"), *compose["services"]["kamailio"]["command"]], tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]


def test_kamailio_healthcheck_command_answers_against_a_running_node(compose, stack_env, tmp_path):
    test = compose["services"]["kamailio"]["healthcheck"]["test"]
    command = test[1].replace("127.0.0.1:5071", f"127.0.0.1:{stack_env.rpc_port}")
    assert run(["sh", "-c", command], tmp_path).returncode == 0
    dead = test[1].replace("127.0.0.1:5071", f"127.0.0.1:{free_port()}")
    assert run(["sh", "-c", dead], tmp_path).returncode != 0


def test_api_from_the_wheel_serves_and_its_healthcheck_follows_it(compose, installed, stack_env, tmp_path):
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": stack_env.dsn,
        "REDIS_URL": stack_env.redis_url,
        "KAMAILIO_RPC_URL": f"http://127.0.0.1:{stack_env.rpc_port}/RPC",
        "CROSSBAR_JWT_SECRET": "k" * 64,
        "CROSSBAR_LOGIN_PEPPER": "p" * 64,
        "HTTP_PORT": str(port),
    }
    check = compose["services"]["api"]["healthcheck"]["test"][1:]
    serve = subprocess.Popen([str(installed / "bin/crossbar-py"), "serve", "--workers", "2"], cwd=tmp_path, env=env)
    try:
        deadline = time.monotonic() + 30
        while cli(installed, tmp_path, *check[1:], HTTP_PORT=str(port)).returncode != 0:
            assert time.monotonic() < deadline and serve.poll() is None
            time.sleep(0.2)
    finally:
        serve.terminate()
        serve.wait(15)
    assert cli(installed, tmp_path, *check[1:], HTTP_PORT=str(port)).returncode == 1

"""A fresh virtualenv holding only the built wheel, and empty databases to migrate with it."""

import subprocess
import sys
import sysconfig
import uuid
from pathlib import Path

import psycopg2
import pytest

REPO = Path(__file__).resolve().parents[2]


def run(argv, cwd: Path, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a command, capturing its output."""
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def cli(venv: Path, cwd: Path, *args, **env) -> subprocess.CompletedProcess:
    """The installed crossbar-py, with only the environment given."""
    return run([str(venv / "bin/crossbar-py"), *args], cwd, {"PATH": "/usr/bin:/bin", **env})


@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding only the wheel (its dependencies are read from the project's venv)."""
    tmp = tmp_path_factory.mktemp("wheel")
    built = run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp / "dist"), str(REPO)], tmp)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp / "dist").glob("crossbar_py-*.whl"))
    venv = tmp / "venv"
    assert run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp).returncode == 0
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin/python"), "install", "-q", "--no-deps"]
    done = run([*pip, str(wheel)], tmp)
    assert done.returncode == 0, done.stderr
    where = run([str(venv / "bin/python"), "-c", "import sysconfig;print(sysconfig.get_paths()['purelib'])"], tmp)
    # A plain path line: the project's site-packages gives the dependencies, not its editable checkout.
    (Path(where.stdout.strip()) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


@pytest.fixture
def fresh_database(stack_env):
    """An empty database on the session's PostgreSQL; dropped afterwards."""
    name = "pkg_" + uuid.uuid4().hex[:8]
    base = stack_env.dsn.rsplit("/", 1)[0]
    conn = psycopg2.connect(base + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
    yield f"{base}/{name}"
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE {name} WITH (FORCE)")
    conn.close()

"""The built wheel works as shipped: pip install into a fresh venv, migrate, kamailio -c on its config."""

import contextlib
import shutil
import subprocess
import sys
import sysconfig
import uuid
from pathlib import Path

import psycopg2
import pytest

REPO = Path(__file__).resolve().parents[2]


def _run(argv, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv holding only the wheel (its dependencies are read from the project's venv)."""
    tmp = tmp_path_factory.mktemp("wheel")
    built = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp / "dist"), str(REPO)], tmp)
    assert built.returncode == 0, built.stderr
    wheel = next((tmp / "dist").glob("crossbar_py-*.whl"))
    venv = tmp / "venv"
    assert _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp).returncode == 0
    pip = [sys.executable, "-m", "pip", "--python", str(venv / "bin/python"), "install", "-q", "--no-deps"]
    done = _run([*pip, str(wheel)], tmp)
    assert done.returncode == 0, done.stderr
    # A plain path line: the project's site-packages gives the dependencies, not its editable checkout.
    purelib = Path(
        _run(
            [str(venv / "bin/python"), "-c", "import sysconfig;print(sysconfig.get_paths()['purelib'])"], tmp
        ).stdout.strip()
    )
    (purelib / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
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


def _cli(venv: Path, tmp_path: Path, *args, **env) -> subprocess.CompletedProcess:
    return _run([str(venv / "bin/crossbar-py"), *args], tmp_path, {"PATH": "/usr/bin:/bin", **env})


def test_wheel_imports_its_own_copy_not_the_checkout(installed, tmp_path):
    where = _run([str(installed / "bin/python"), "-c", "import crossbar_py;print(crossbar_py.__file__)"], tmp_path)
    assert where.stdout.startswith(str(installed)), where


def test_migrate_from_the_wheel_applies_every_shipped_migration_once(installed, fresh_database, tmp_path):
    first = _cli(installed, tmp_path, "migrate", DATABASE_URL=fresh_database)
    assert first.returncode == 0, first.stderr
    shipped = sorted(p.name for p in (REPO / "sql").glob("[0-9]*.sql"))
    with contextlib.closing(psycopg2.connect(fresh_database)) as conn, conn.cursor() as cur:
        cur.execute("SELECT name FROM schema_migrations ORDER BY name")
        assert [row[0] for row in cur.fetchall()] == shipped
    again = _cli(installed, tmp_path, "migrate", DATABASE_URL=fresh_database)
    assert again.returncode == 0 and "0 applied" in again.stdout


def test_migrate_against_an_unreachable_database_fails_with_the_reason(installed, tmp_path):
    done = _cli(installed, tmp_path, "migrate", DATABASE_URL="postgresql://postgres@127.0.0.1:1/none")
    assert done.returncode == 1
    assert "crossbar-py migrate: failed" in done.stderr and "Traceback" not in done.stderr


def test_kamailio_cfg_prints_the_shipped_config_and_kamailio_accepts_it(installed, tmp_path):
    printed = _cli(installed, tmp_path, "kamailio-cfg")
    assert printed.returncode == 0 and printed.stdout == (REPO / "kamailio/kamailio.cfg").read_text()
    assert _cli(installed, tmp_path, "kamailio-cfg", "--output", "k.cfg").returncode == 0
    assert (tmp_path / "k.cfg").read_text() == printed.stdout
    kamailio = shutil.which("kamailio") or "/usr/sbin/kamailio"
    checked = _run([kamailio, "-c", "-f", str(tmp_path / "k.cfg")], tmp_path)
    assert checked.returncode == 0 and "config file ok" in checked.stderr + checked.stdout, checked.stderr[-2000:]


def test_migrate_without_shipped_migrations_fails_loudly(installed, tmp_path):
    where = _run([str(installed / "bin/python"), "-c", "import crossbar_py;print(crossbar_py.__file__)"], tmp_path)
    shutil.rmtree(Path(where.stdout.strip()).parent / "_data" / "sql")
    done = _cli(installed, tmp_path, "migrate", DATABASE_URL="postgresql://postgres@127.0.0.1:1/none")
    assert done.returncode == 2
    assert "no migrations found" in done.stderr


def test_checkout_finds_the_top_level_folders_through_the_package():
    from crossbar_py.platform import bundled

    assert [p.name for p in bundled.migrations()] == sorted(p.name for p in (REPO / "sql").glob("[0-9]*.sql"))
    assert bundled.kamailio_cfg() == (REPO / "kamailio/kamailio.cfg").read_text()

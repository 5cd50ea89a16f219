"""The built wheel works as shipped: pip install into a fresh venv, migrate, kamailio -c on its config."""

import contextlib
import shutil
from pathlib import Path

import psycopg2

from tests.packaging.conftest import REPO, cli, run


def test_wheel_imports_its_own_copy_not_the_checkout(installed, tmp_path):
    where = run([str(installed / "bin/python"), "-c", "import crossbar_py;print(crossbar_py.__file__)"], tmp_path)
    assert where.stdout.startswith(str(installed)), where


def test_migrate_from_the_wheel_applies_every_shipped_migration_once(installed, fresh_database, tmp_path):
    first = cli(installed, tmp_path, "migrate", DATABASE_URL=fresh_database)
    assert first.returncode == 0, first.stderr
    shipped = sorted(p.name for p in (REPO / "sql").glob("[0-9]*.sql"))
    with contextlib.closing(psycopg2.connect(fresh_database)) as conn, conn.cursor() as cur:
        cur.execute("SELECT name FROM schema_migrations ORDER BY name")
        assert [row[0] for row in cur.fetchall()] == shipped
    again = cli(installed, tmp_path, "migrate", DATABASE_URL=fresh_database)
    assert again.returncode == 0 and "0 applied" in again.stdout


def test_migrate_against_an_unreachable_database_fails_with_the_reason(installed, tmp_path):
    done = cli(installed, tmp_path, "migrate", DATABASE_URL="postgresql://postgres@127.0.0.1:1/none")
    assert done.returncode == 1
    assert "crossbar-py migrate: failed" in done.stderr and "Traceback" not in done.stderr


def test_kamailio_cfg_prints_the_shipped_config_and_kamailio_accepts_it(installed, tmp_path):
    printed = cli(installed, tmp_path, "kamailio-cfg")
    assert printed.returncode == 0 and printed.stdout == (REPO / "kamailio/kamailio.cfg").read_text()
    assert cli(installed, tmp_path, "kamailio-cfg", "--output", "k.cfg").returncode == 0
    assert (tmp_path / "k.cfg").read_text() == printed.stdout
    kamailio = shutil.which("kamailio") or "/usr/sbin/kamailio"
    checked = run([kamailio, "-c", "-f", str(tmp_path / "k.cfg")], tmp_path)
    assert checked.returncode == 0 and "config file ok" in checked.stderr + checked.stdout, checked.stderr[-2000:]


def test_migrate_without_shipped_migrations_fails_loudly(installed, tmp_path):
    where = run([str(installed / "bin/python"), "-c", "import crossbar_py;print(crossbar_py.__file__)"], tmp_path)
    shipped = Path(where.stdout.strip()).parent / "_data" / "sql"
    shutil.move(shipped, tmp_path / "sql")
    try:
        done = cli(installed, tmp_path, "migrate", DATABASE_URL="postgresql://postgres@127.0.0.1:1/none")
    finally:
        shutil.move(tmp_path / "sql", shipped)
    assert done.returncode == 2
    assert "no migrations found" in done.stderr


def test_checkout_finds_the_top_level_folders_through_the_package():
    from crossbar_py.platform import bundled

    assert [p.name for p in bundled.migrations()] == sorted(p.name for p in (REPO / "sql").glob("[0-9]*.sql"))
    assert bundled.kamailio_cfg() == (REPO / "kamailio/kamailio.cfg").read_text()


def test_wheel_carries_the_monster_app_files(installed, tmp_path):
    code = (
        "from crossbar_py.monster_app import service\n"
        "for name in service.FILES:\n"
        "    ctype, body = service.read_file(name)\n"
        "    assert body, name\n"
        "print(len(service.FILES), service.ROOT)"
    )
    done = run([str(installed / "bin/python"), "-c", code], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("7 ") and str(installed) in done.stdout

"""import-kazoo killed half-way (SIGKILL, as an operator's Ctrl-\\ or an OOM kill would) and run again
ends exactly as one clean run does."""

import asyncio
import json
import os
import sys

import psycopg2

from tests.importer import kazoo_dump as kz

ACCOUNTS, USERS, DEVICES = 16, 1, 3


def _cli(stack_env, root, report) -> list:
    return [sys.executable, "-m", "crossbar_py", "import-kazoo", "--from-dump", str(root), "--report", str(report)]


def _env(stack_env) -> dict:
    settings = stack_env.settings()
    return {
        **os.environ,
        "DATABASE_URL": stack_env.dsn,
        "CROSSBAR_JWT_SECRET": settings.jwt_secret,
        "CROSSBAR_LOGIN_PEPPER": settings.login_pepper,
        "CROSSBAR_REALM_SUFFIX": settings.realm_suffix,
        "LOG_LEVEL": "WARNING",
    }


def _one(dsn: str, query: str, params=None):
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchone()


async def _run(stack_env, root, report) -> dict:
    proc = await asyncio.create_subprocess_exec(
        *_cli(stack_env, root, report), env=_env(stack_env), stdout=asyncio.subprocess.PIPE
    )
    out, _ = await proc.communicate()
    assert proc.returncode == 0, out
    data = json.loads(report.read_text())
    print(f"import of {root.name}: {data['seconds']} s")
    return data


def _projection(dsn: str, dump: kz.Dump) -> tuple:
    """How many of the dump's documents exist, and the highest revision among them (1: written once)."""
    ids = [d["_id"] for docs in dump.docs.values() for d in docs]
    return _one(
        dsn,
        """SELECT (SELECT count(*) FROM accounts WHERE id = ANY(%(ids)s))
                  + (SELECT count(*) FROM users WHERE id = ANY(%(ids)s))
                  + (SELECT count(*) FROM devices WHERE id = ANY(%(ids)s)),
                  greatest((SELECT max(rev) FROM devices WHERE id = ANY(%(ids)s)),
                           (SELECT max(rev) FROM users WHERE id = ANY(%(ids)s)))""",
        {"ids": ids},
    )


async def test_killed_import_rerun_equals_one_clean_run(stack_env, tmp_path):
    killed, clean = kz.many(ACCOUNTS, DEVICES, USERS), kz.many(ACCOUNTS, DEVICES, USERS)
    killed_root, clean_root = killed.write(tmp_path / "killed"), clean.write(tmp_path / "clean")
    source = f"dump:{killed_root.resolve()}"
    proc = await asyncio.create_subprocess_exec(
        *_cli(stack_env, killed_root, tmp_path / "first.json"),
        env=_env(stack_env),
        stdout=asyncio.subprocess.DEVNULL,
    )
    checkpoints = "SELECT count(*) FROM import_checkpoints c JOIN import_runs r ON r.id = c.run_id WHERE r.source = %s"
    for _ in range(3000):
        if (_one(stack_env.dsn, checkpoints, (source,)) or (0,))[0] >= ACCOUNTS // 4:
            break
        await asyncio.sleep(0.01)
    proc.kill()
    await proc.wait()
    done_before = _one(stack_env.dsn, checkpoints, (source,))[0]
    assert ACCOUNTS // 4 <= done_before < ACCOUNTS + 1, "the import was not caught half-way"

    resumed = await _run(stack_env, killed_root, tmp_path / "resumed.json")
    reference = await _run(stack_env, clean_root, tmp_path / "clean.json")

    assert resumed["resumed_accounts"] == done_before and reference["resumed_accounts"] == 0
    assert (
        resumed["counts"]
        == reference["counts"]
        == {
            "account": {"created": ACCOUNTS + 1},
            "device": {"created": ACCOUNTS * DEVICES},
            "user": {"created": ACCOUNTS * USERS},
        }
    )
    total = 1 + ACCOUNTS * (1 + USERS + DEVICES)
    assert _projection(stack_env.dsn, killed) == _projection(stack_env.dsn, clean) == (total, 1)
    assert _one(stack_env.dsn, checkpoints, (source,))[0] == ACCOUNTS + 1
    again = await _run(stack_env, killed_root, tmp_path / "again.json")
    assert again["changed"] == 0 and again["counts"]["device"] == {"unchanged": ACCOUNTS * DEVICES}

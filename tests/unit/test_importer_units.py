"""Importer pieces without I/O: Kazoo document conversion, diffs, tallies, progress output."""

import io

from crossbar_py.importer import documents, progress
from crossbar_py.importer.report import Report, Tally


def test_account_data_keeps_public_fields_and_pvt_enabled():
    doc = {"_id": "a" * 32, "_rev": "2-x", "name": "Acme", "realm": "acme.test", "pvt_enabled": False, "pvt_tree": []}
    assert documents.account_data(doc) == {"id": "a" * 32, "name": "Acme", "realm": "acme.test", "enabled": False}


def test_source_hash_ignores_the_couchdb_revision():
    doc = {"_id": "d", "_rev": "1-a", "name": "x"}
    assert documents.source_hash(doc) == documents.source_hash({**doc, "_rev": "7-b"})
    assert documents.source_hash(doc) != documents.source_hash({**doc, "name": "y"})


def test_diff_names_each_changed_leaf():
    old = {"name": "a", "sip": {"username": "u", "password": "p"}, "gone": 1}
    new = {"name": "b", "sip": {"username": "u", "password": "q"}, "added": True}
    assert documents.diff(old, new) == [
        "added: (absent) -> true",
        "gone: 1 -> (removed)",
        'name: "a" -> "b"',
        'sip.password: "p" -> "q"',
    ]


def test_users_come_before_devices():
    docs = [{"pvt_type": "device"}, {"pvt_type": "callflow"}, {"pvt_type": "user"}]
    assert [documents.kind(d) for d in documents.sort_docs(docs)] == ["user", "device", "callflow"]


def test_tallies_merge_and_report_says_when_nothing_changed():
    one, two = Tally(), Tally()
    one.add("device", "unchanged", id="d1")
    two.add("device", "conflict", id="d2", account_id="a", reason="id already used here")
    one.merge(Tally.from_json(two.to_json()))
    report = Report("dump:/x", dry_run=False)
    report.tally, report.accounts = one, 1
    assert report.to_json()["counts"] == {"device": {"conflict": 1, "unchanged": 1}}
    text = report.text()
    assert "conflict device d2 (account a): id already used here" in text and "nothing changed" in text


def test_progress_redraws_a_bar_on_a_terminal_and_prints_lines_otherwise(monkeypatch):
    monkeypatch.setattr(progress, "PLAIN_EVERY", 0)
    monkeypatch.setattr(progress, "BAR_EVERY", 0)
    tty, plain = io.StringIO(), io.StringIO()
    for out, is_tty in ((tty, True), (plain, False)):
        bar = progress.Progress(2, out=out, tty=is_tty)
        bar.step(10)
        bar.step(5)
        bar.done()
    assert tty.getvalue().startswith("\r[###############...............] 1/2 accounts, 10 documents")
    assert tty.getvalue().endswith("\n") and "\n" not in tty.getvalue()[:-1]
    lines = plain.getvalue().splitlines()
    assert lines[0].startswith("import-kazoo: 1/2 accounts, 10 documents") and lines[-1].startswith("import-kazoo: 2/2")

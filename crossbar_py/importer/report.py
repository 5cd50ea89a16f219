"""Counts by document type and outcome, the conflicts, and the final report (text and JSON)."""

import json
import time
from collections import Counter

CHANGES = ("created", "updated")
MAX_LISTED = 1000


class Tally:
    """What happened to one account's documents (or, summed, to a whole run)."""

    def __init__(self):
        self.counts: Counter = Counter()
        self.conflicts: list = []
        self.updates: list = []
        self.invalid: list = []

    def add(self, kind: str, outcome: str, **detail) -> None:
        """Count one document; conflicts, invalid documents and updates keep their detail."""
        self.counts[f"{kind}:{outcome}"] += 1
        listed = {"conflict": self.conflicts, "invalid": self.invalid, "updated": self.updates}.get(outcome)
        if listed is not None and len(listed) < MAX_LISTED:
            listed.append({"type": kind, **detail})

    def merge(self, other: "Tally") -> None:
        """Add another tally into this one."""
        self.counts.update(other.counts)
        for mine, theirs in ((self.conflicts, other.conflicts), (self.updates, other.updates)):
            mine.extend(theirs[: max(0, MAX_LISTED - len(mine))])
        self.invalid.extend(other.invalid[: max(0, MAX_LISTED - len(self.invalid))])

    @property
    def documents(self) -> int:
        """How many documents were looked at."""
        return sum(self.counts.values())

    @property
    def changed(self) -> int:
        """How many documents were created or updated."""
        return sum(n for key, n in self.counts.items() if key.split(":")[1] in CHANGES)

    def to_json(self) -> dict:
        """A JSON-ready form (kept in checkpoints)."""
        return {
            "counts": dict(self.counts),
            "conflicts": self.conflicts,
            "updates": self.updates,
            "invalid": self.invalid,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Tally":
        """The tally to_json wrote."""
        tally = cls()
        tally.counts.update(data.get("counts", {}))
        tally.conflicts, tally.updates = list(data.get("conflicts", [])), list(data.get("updates", []))
        tally.invalid = list(data.get("invalid", []))
        return tally

    def by_type(self) -> dict:
        """{type: {outcome: n}}."""
        out: dict = {}
        for key, n in sorted(self.counts.items()):
            kind, outcome = key.split(":")
            out.setdefault(kind, {})[outcome] = n
        return out


class Report:
    """The run's tally with its timing, rendered for people and as JSON."""

    def __init__(self, source: str, dry_run: bool):
        self.source, self.dry_run = source, dry_run
        self.tally = Tally()
        self.started = time.monotonic()
        self.accounts = 0
        self.resumed = 0
        self.run_id = None

    def elapsed(self) -> float:
        """Seconds since the run started."""
        return time.monotonic() - self.started

    def to_json(self) -> dict:
        """The report for --report FILE."""
        seconds = self.elapsed()
        return {
            "source": self.source,
            "run_id": self.run_id,
            "dry_run": self.dry_run,
            "accounts": self.accounts,
            "resumed_accounts": self.resumed,
            "documents": self.tally.documents,
            "changed": self.tally.changed,
            "seconds": round(seconds, 3),
            "documents_per_second": round(self.tally.documents / seconds, 1) if seconds else None,
            "counts": self.tally.by_type(),
            "conflicts": self.tally.conflicts,
            "updates": self.tally.updates,
            "invalid": self.tally.invalid,
        }

    def text(self) -> str:
        """The report for a terminal."""
        data = self.to_json()
        verb = "would change" if self.dry_run else "changed"
        lines = [
            f"import-kazoo{' (dry run)' if self.dry_run else ''}: {data['accounts']} accounts, "
            f"{data['documents']} documents in {data['seconds']:.1f} s "
            f"({data['documents_per_second'] or 0:.0f} documents/s), {verb} {data['changed']}",
        ]
        for kind, outcomes in data["counts"].items():
            lines.append(f"  {kind:<10} " + ", ".join(f"{o} {n}" for o, n in outcomes.items()))
        for item in data["updates"] if self.dry_run else []:
            lines.append(f"  update {item['type']} {item['id']}:")
            lines += [f"      {line}" for line in item["diff"]]
        for item in data["conflicts"]:
            lines.append(f"  conflict {item['type']} {item['id']} (account {item['account_id']}): {item['reason']}")
        for item in data["invalid"]:
            lines.append(f"  invalid {item['type']} {item['id']}: {json.dumps(item['reason'])}")
        if not data["changed"]:
            lines.append("nothing changed: every document is as a previous import left it")
        return "\n".join(lines)

"""Request and job metrics in Prometheus' text format at /metrics; with several workers each one shares
its counters through a directory, and whichever worker is scraped answers for all (docs/operations.md)."""

import contextlib
import json
import os
from collections import Counter, defaultdict
from pathlib import Path

from crossbar_py.platform import processes

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# Gauges a worker measures for itself: summed across workers, except these (the worst worker counts).
MAX_ACROSS_WORKERS = {"crossbar_journal_lag_seconds", "crossbar_journal_lag_events"}
HELP = {
    "crossbar_requests_total": "HTTP requests finished, by method, route and status",
    "crossbar_request_seconds": "HTTP request latency, by method, route and status",
    "crossbar_webhook_attempts_total": "webhook delivery attempts, by result (success, failure, gave_up)",
    "crossbar_db_pool_connections": "PostgreSQL pool connections of the API processes, by state (in_use, idle)",
    "crossbar_db_pool_max": "PostgreSQL pool size limit, summed over the API processes",
    "crossbar_journal_lag_events": "journal events not yet read by the event-stream tailer (worst process)",
    "crossbar_journal_lag_seconds": "age of the oldest journal event the event-stream tailer has not read",
}


def _labels(pairs) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in pairs) + "}" if pairs else ""


class Metrics:
    """This process's counters, histograms and self-measured gauges."""

    def __init__(self, share_dir: str | None = None):
        self.counters: Counter = Counter()
        self.histograms: dict = defaultdict(lambda: [[0] * len(BUCKETS), 0, 0.0])
        self.gauges: dict = {}
        self.share_dir = Path(share_dir) if share_dir else None

    def increment(self, name: str, amount: int = 1, **labels) -> None:
        """Add to a labelled counter (webhook attempts, ...)."""
        self.counters[(name, tuple(sorted(labels.items())))] += amount

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Record one finished request."""
        labels = (("method", method), ("route", route), ("status", str(status)))
        self.counters[("crossbar_requests_total", labels)] += 1
        hist = self.histograms[("crossbar_request_seconds", labels)]
        for i, bound in enumerate(BUCKETS):
            if seconds <= bound:
                hist[0][i] += 1
        hist[1] += 1
        hist[2] += seconds

    def set_gauge(self, name: str, value: float, **labels) -> None:
        """Set a gauge this process measures itself (pool use, journal lag)."""
        self.gauges[(name, tuple(sorted(labels.items())))] = value

    def snapshot(self) -> dict:
        """This process's numbers as JSON-able lists."""
        return {
            "counters": [[n, list(map(list, lab)), v] for (n, lab), v in self.counters.items()],
            "histograms": [[n, list(map(list, lab)), h] for (n, lab), h in self.histograms.items()],
            "gauges": [[n, list(map(list, lab)), v] for (n, lab), v in self.gauges.items()],
        }

    def share(self) -> None:
        """Write this process's snapshot where the other workers read it (atomically)."""
        if self.share_dir is None:
            return
        tmp = self.share_dir / f".{os.getpid()}.tmp"
        tmp.write_text(json.dumps(self.snapshot()))
        tmp.replace(self.share_dir / f"{os.getpid()}.json")

    def _peers(self) -> list:
        """(alive?, snapshot) of every other worker that shared one; a dead worker's counters still count."""
        if self.share_dir is None:
            return []
        found = []
        for path in self.share_dir.glob("*.json"):
            pid = int(path.stem)
            if pid == os.getpid():
                continue
            with contextlib.suppress(OSError, ValueError):
                found.append((processes.alive(pid), json.loads(path.read_text())))
        return found

    def render(self, extra: list | None = None) -> str:
        """The exposition text of every worker, plus `extra` [(name, type, help, [(labels, value)])]."""
        merged = _merge([(True, self.snapshot()), *self._peers()])
        lines = []
        for name, series in sorted(merged["counters"].items()):
            lines += [f"# HELP {name} {HELP.get(name, name)}", f"# TYPE {name} counter"]
            lines += [f"{name}{_labels(lab)} {_num(v)}" for lab, v in sorted(series.items())]
        for name, series in sorted(merged["histograms"].items()):
            lines += [f"# HELP {name} {HELP.get(name, name)}", f"# TYPE {name} histogram"]
            for lab, (buckets, count, total) in sorted(series.items()):
                for bound, n in zip(BUCKETS, buckets, strict=True):
                    lines.append(f"{name}_bucket{_labels((*lab, ('le', bound)))} {n}")
                lines.append(f"{name}_bucket{_labels((*lab, ('le', '+Inf')))} {count}")
                lines += [f"{name}_sum{_labels(lab)} {total:.6f}", f"{name}_count{_labels(lab)} {count}"]
        gauges = [(n, "gauge", HELP.get(n, n), sorted(s.items())) for n, s in sorted(merged["gauges"].items())]
        for name, kind, text, series in gauges + (extra or []):
            lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}"]
            lines += [f"{name}{_labels(lab)} {_num(v)}" for lab, v in series]
        return "\n".join(lines) + "\n"


def _merge(snapshots: list) -> dict:
    out: dict[str, defaultdict] = {
        "counters": defaultdict(Counter),
        "histograms": defaultdict(dict),
        "gauges": defaultdict(dict),
    }
    for alive, snap in snapshots:
        for name, lab, value in snap["counters"]:
            out["counters"][name][tuple(map(tuple, lab))] += value
        for name, lab, (buckets, count, total) in snap["histograms"]:
            key = tuple(map(tuple, lab))
            old = out["histograms"][name].get(key, [[0] * len(BUCKETS), 0, 0.0])
            out["histograms"][name][key] = [
                [a + b for a, b in zip(old[0], buckets, strict=True)],
                old[1] + count,
                old[2] + total,
            ]
        for name, lab, value in snap["gauges"] if alive else []:
            key, series = tuple(map(tuple, lab)), out["gauges"][name]
            combine = max if name in MAX_ACROSS_WORKERS else (lambda a, b: a + b)
            series[key] = combine(series[key], value) if key in series else value
    return out


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6f}"

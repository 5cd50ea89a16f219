"""In-process request metrics, exposed in Prometheus' text format at /metrics."""

from collections import Counter

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    """Request counts by method and status, and a latency histogram."""

    def __init__(self):
        self.requests = Counter()
        self.buckets = Counter()
        self.count = 0
        self.total = 0.0
        self.counters = Counter()

    def increment(self, name: str, **labels) -> None:
        """Add one to a labelled counter (webhook attempts, ...)."""
        self.counters[(name, tuple(sorted(labels.items())))] += 1

    def observe(self, method: str, status: int, seconds: float) -> None:
        """Record one finished request."""
        self.requests[(method, status)] += 1
        self.count += 1
        self.total += seconds
        for bound in BUCKETS:
            if seconds <= bound:
                self.buckets[bound] += 1

    def render(self) -> str:
        """The Prometheus exposition text."""
        lines = ["# TYPE crossbar_requests_total counter"]
        for (method, status), n in sorted(self.requests.items()):
            lines.append(f'crossbar_requests_total{{method="{method}",status="{status}"}} {n}')
        lines.append("# TYPE crossbar_request_seconds histogram")
        for bound in BUCKETS:
            lines.append(f'crossbar_request_seconds_bucket{{le="{bound}"}} {self.buckets[bound]}')
        lines.append(f'crossbar_request_seconds_bucket{{le="+Inf"}} {self.count}')
        lines.append(f"crossbar_request_seconds_sum {self.total:.6f}")
        lines.append(f"crossbar_request_seconds_count {self.count}")
        for name in sorted({n for n, _ in self.counters}):
            lines.append(f"# TYPE {name} counter")
            for (n, labels), value in sorted(self.counters.items()):
                if n == name:
                    text = ",".join(f'{k}="{v}"' for k, v in labels)
                    lines.append(f"{name}{{{text}}} {value}")
        return "\n".join(lines) + "\n"

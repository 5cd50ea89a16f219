"""Progress: a bar redrawn in place on a terminal, a plain line every few seconds otherwise."""

import sys
import time

PLAIN_EVERY = 5.0
BAR_EVERY = 0.2
WIDTH = 30


class Progress:
    """Accounts done out of the total, documents, rate and ETA."""

    def __init__(self, total: int, out=None, tty: bool | None = None):
        self.out = out or sys.stderr
        self.tty = self.out.isatty() if tty is None else tty
        self.total, self.accounts, self.documents = total, 0, 0
        self.started = self._last = time.monotonic()

    def step(self, documents: int) -> None:
        """One more account done, with this many documents."""
        self.accounts += 1
        self.documents += documents
        now = time.monotonic()
        if now - self._last >= (BAR_EVERY if self.tty else PLAIN_EVERY):
            self._last = now
            self._draw(now)

    def _line(self, now: float) -> str:
        seconds = max(now - self.started, 1e-6)
        rate = self.documents / seconds
        left = (self.total - self.accounts) * seconds / self.accounts if self.accounts else 0
        eta = time.strftime("%H:%M:%S", time.gmtime(left))
        return f"{self.accounts}/{self.total} accounts, {self.documents} documents, {rate:.0f} docs/s, ETA {eta}"

    def _draw(self, now: float) -> None:
        if self.tty:
            filled = int(WIDTH * self.accounts / self.total) if self.total else WIDTH
            self.out.write(f"\r[{'#' * filled}{'.' * (WIDTH - filled)}] {self._line(now)}\x1b[K")
        else:
            self.out.write(f"import-kazoo: {self._line(now)}\n")
        self.out.flush()

    def done(self) -> None:
        """The last state, and a newline after the bar."""
        self._draw(time.monotonic())
        if self.tty:
            self.out.write("\n")
            self.out.flush()

"""Whether a process still runs, for pid files and the workers' shared metrics."""

import os


def alive(pid: int) -> bool:
    """True while a process with this pid exists (one we may not signal counts as alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

"""The files the package ships: SQL migrations and the Kamailio configuration (docs/operations.md)."""

import tempfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


def _data() -> Traversable:
    # In a checkout crossbar_py/_data/{sql,kamailio} are symlinks to the top-level folders;
    # in a wheel they are the files themselves.
    return resources.files("crossbar_py") / "_data"


def migrations() -> list[Traversable]:
    """The numbered migrations shipped with the package, in the order they apply."""
    folder = _data() / "sql"
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if p.name[:1].isdigit() and p.name.endswith(".sql")]
    return sorted(found, key=lambda p: p.name)


def kamailio_cfg() -> str:
    """The text of the Kamailio configuration an operator runs Kamailio with."""
    return (_data() / "kamailio" / "kamailio.cfg").read_text()


def kamailio_cfg_file() -> Path:
    """A filesystem path to that configuration (a copy in a temporary file when the package is zipped)."""
    entry = _data() / "kamailio" / "kamailio.cfg"
    if isinstance(entry, Path):
        return entry
    with tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False) as fh:
        fh.write(entry.read_text())
    return Path(fh.name)

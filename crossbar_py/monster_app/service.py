"""The files of our Monster app, read from the package: only those listed here are ever served."""

from pathlib import Path

from crossbar_py.http.errors import BadIdentifier

ROOT = Path(__file__).parent / "registrations"
PATH = "/monster-apps/registrations"
TYPES = {
    ".js": "application/javascript",
    ".html": "text/html",
    ".json": "application/json",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    "": "text/plain",
}
FILES = ("app.js", "VERSION", "icon.svg", "views/app.html", "views/device.html", "i18n/en-US.json", "style/app.css")


def read_file(name: str) -> tuple:
    """(content type, bytes) of one of the app's files; 404 for anything else (no path is ever joined blindly)."""
    if name not in FILES:
        raise BadIdentifier(name)
    path = ROOT / name
    return TYPES[path.suffix], path.read_bytes()

"""Files in request bodies as Kazoo takes them: raw bytes with their Content-Type, a base64 data URL
(`application/x-base64`, what Monster UI sends) or the first part of a multipart form."""

import base64
import binascii
import re

from aiohttp import BodyPartReader, web

from crossbar_py.http.errors import ValidationFailed

DATA_URL_RE = re.compile(r"^data:([\w.+-]+/[\w.+-]+)?(?:;[^,]*)?;base64,(.*)$", re.S)


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed({"file": {"invalid": {"message": message}}})


def _from_base64(text: str, default_type: str) -> tuple:
    match = DATA_URL_RE.match(text.strip())
    content_type, payload = (match[1] or default_type, match[2]) if match else (default_type, text)
    try:
        return content_type, base64.b64decode(payload, validate=False)
    except (binascii.Error, ValueError) as exc:
        raise _invalid("the base64 file could not be decoded") from exc


async def read_file(request: web.Request, default_type: str) -> tuple:
    """(content type, bytes) of the uploaded file; 400 in Kazoo's shape when there is none."""
    mime = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if mime.startswith("multipart/"):
        reader = await request.multipart()
        part = await reader.next()
        if not isinstance(part, BodyPartReader):
            raise _invalid("no file in the form")
        content_type, body = part.headers.get("Content-Type", default_type), await part.read(decode=True)
    elif mime == "application/x-base64":
        content_type, body = _from_base64((await request.read()).decode("latin-1"), default_type)
    else:
        content_type, body = mime or default_type, await request.read()
    if not body:
        raise _invalid("the file is empty")
    return content_type, body

"""Calls and CDRs: we see none, but a listing under a user or device still needs that user or device to
be the account's own (404 otherwise, as Kazoo answers for an unknown id)."""

from crossbar_py.devices import service as devices
from crossbar_py.users import service as users


async def check_subject(db, account_id: str, user_id: str | None, device_id: str | None) -> None:
    """404 unless the named user or device belongs to the account."""
    if user_id:
        await users.get_user(db, account_id, user_id)
    if device_id:
        await devices.get_device(db, account_id, device_id)

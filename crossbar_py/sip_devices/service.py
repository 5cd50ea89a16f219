"""Seed 001's SIP devices are ordinary Kazoo devices: translate the fields, then the devices service's rules."""

import contextlib
import secrets

from crossbar_py.devices import service as devices
from crossbar_py.http.errors import BadIdentifier, ValidationFailed, field_error
from crossbar_py.http.validation import validate
from crossbar_py.registrations.contacts.service import aor_contacts, notify_each
from crossbar_py.registrations.state import service as registration
from crossbar_py.sip_devices.schema import FIELD_OF_PATH, SIP_DEVICE, SIP_DEVICE_CREATE, to_document
from crossbar_py.users.service import get_user

PASSWORD_BYTES = 18  # 24 URL-safe characters, 144 bits: within devices.json's 32-character limit


def new_password() -> str:
    """A strong random SIP password that any phone's config accepts (letters, digits, - and _)."""
    return secrets.token_urlsafe(PASSWORD_BYTES)


@contextlib.contextmanager
def seed_field_names():
    """Report the devices service's validation errors under the seed's field names."""
    try:
        yield
    except ValidationFailed as exc:
        raise ValidationFailed({FIELD_OF_PATH.get(path, path): why for path, why in exc.data.items()}) from exc


async def _check_assigned_user(db, account_id: str, fields: dict) -> None:
    user_id = fields.get("assignedUser")
    if user_id is None:
        return
    try:
        await get_user(db, account_id, user_id)
    except BadIdentifier as exc:
        raise field_error("assignedUser", "not_found", "User not found in this account", cause=user_id) from exc


async def create(db, account: dict, data: dict) -> tuple:
    """Create a sip_device from seed fields; (its row, its SIP password, generated when none was given)."""
    fields = {k: v for k, v in validate(SIP_DEVICE_CREATE, data).items() if v is not None}
    await _check_assigned_user(db, account["id"], fields)
    fields.setdefault("sipPassword", new_password())
    doc = {**to_document(fields), "device_type": "sip_device"}
    with seed_field_names():
        row = await devices.create_device(db, account, doc)
    return row, fields["sipPassword"]


async def patch(db, account: dict, device_id: str, data: dict, if_match=None, cache=None) -> dict:
    """PATCH a device with seed fields (null removes an optional one); the saved row."""
    fields = validate(SIP_DEVICE, data)
    doc = to_document(fields)
    await _check_assigned_user(db, account["id"], fields)
    with seed_field_names():
        return await devices.save_device(
            db, account, device_id, doc, superduper=False, patch=True, if_match=if_match, cache=cache
        )


async def registration_state(db, row: dict) -> dict | None:
    """The device's registration state row (status and its newest live contact)."""
    return await registration.current(db, row)


def _sip(device: dict, need_password: bool) -> dict:
    sip = device["doc"].get("sip", {})
    if not sip.get("username") or sip.get("method") == "ip" or (need_password and not sip.get("password")):
        raise field_error("sip", "required", "The device has no SIP username and password", cause=device["id"])
    return sip


async def credentials(db, settings, account: dict, device_id: str) -> dict:
    """Seed 001's "Get SIP Credentials": the device's username and password, the deployment's SIP settings."""
    device = await devices.get_device(db, account["id"], device_id)
    sip = _sip(device, need_password=True)
    return {
        "sipServer": settings.sip_server,
        "sipPort": settings.sip_port,
        "sipUsername": sip["username"],
        "sipPassword": sip["password"],
        "sipDomain": device["sip_realm"],
        "outboundProxy": settings.outbound_proxy or f"{settings.sip_server}:{settings.sip_port}",
        "transportProtocol": settings.sip_transport,
    }


async def reset_password(db, kamailio, account: dict, device_id: str, cache=None) -> dict:
    """A new random SIP password. Saving it flushes the device's contacts in the same transaction
    (sql/005); the contacts live just before are then sent a check-sync so the phones fetch it."""
    device = await devices.get_device(db, account["id"], device_id)
    _sip(device, need_password=False)
    live = await aor_contacts(db, device["sip_username"], device["sip_realm"])
    password = new_password()
    await devices.save_device(
        db, account, device_id, {"sip": {"password": password}}, superduper=False, patch=True, cache=cache
    )
    aor = f"{device['sip_username']}@{device['sip_realm']}"
    sent = await notify_each(kamailio, aor, live, "check-sync")
    return {
        "sipPassword": password,
        "message": "Password reset successfully",
        "registrationsFlushed": len(live),
        "notifySent": sent,
    }

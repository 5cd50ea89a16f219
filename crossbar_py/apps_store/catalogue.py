"""The Monster apps this server offers, as Kazoo's `init_apps` would load them into the master account.
Ids are stable (the md5 of the app name), so a reinstall or a second node gives the same ids."""

import hashlib


def _app(name: str, label: str, description: str, tags: list, **extra) -> dict:
    doc = {
        "id": hashlib.md5(f"monster-app:{name}".encode()).hexdigest(),
        "name": name,
        "i18n": {"en-US": {"label": label, "description": description}},
        "tags": tags,
        "icon": f"{name}.png",
        "author": "2600Hz",
        "version": "4.3",
        "license": "MPL-2.0",
        "price": 0,
        "phase": "gold",
        "masqueradable": True,
        "screenshots": [],
        "urls": {},
    }
    return {**doc, **extra}


APPS = [
    _app("voip", "Smart PBX", "Users, devices, numbers, groups and the main number of a hosted PBX.", ["reseller"]),
    _app("accounts", "Accounts Manager", "Create and manage the sub-accounts of your account.", ["reseller"]),
    _app("callflows", "Callflows", "Build the call routing of an account by hand.", ["developer"]),
    _app("numbers", "Number Manager", "The phone numbers of an account.", ["reseller", "developer"]),
    _app("pbxs", "PBX Connector", "Connect a PBX to the platform over SIP trunks.", ["reseller"]),
    _app("voicemails", "Voicemail Manager", "The voicemail boxes of an account and their messages.", ["reseller"]),
    _app("webhooks", "Webhooks", "HTTP callbacks on the account's events.", ["developer"]),
    # Ours: served by this API (crossbar_py/monster_app); source_url is filled in from the request's host.
    _app(
        "registrations",
        "Registrations",
        "Each device's registration state, live contacts, diagnostics and journal, from crossbar_py.",
        ["developer", "reseller"],
        icon="icon.svg",
        author="crossbar_py",
        source_path="/monster-apps/registrations",
    ),
]

INTERNAL = ("source_path",)  # never shown to clients

BY_ID = {app["id"]: app for app in APPS}

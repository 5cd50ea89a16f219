"""Kazoo's default number classifiers (knm_converters) and E.164 normalisation as Kazoo's default converter does it."""

import re

CLASSIFIERS: dict[str, dict] = {
    "tollfree_us": {
        "regex": r"^\+1((?:800|88\d|877|866|855|844|833|822)\d{7})$",
        "friendly_name": "US TollFree",
        "pretty_print": "SS(###) ### - ####",
    },
    "toll_us": {"regex": r"^\+1(900\d{7})$", "friendly_name": "US Toll", "pretty_print": "SS(###) ### - ####"},
    "emergency": {
        "regex": r"^(911|922|933|833|811|711|999)$",
        "emergency": True,
        "friendly_name": "Emergency Dispatcher",
    },
    "caribbean": {
        "regex": r"^\+?1((?:684|264|268|242|246|441|284|345|767|809|829|849|473|671|876|664|670|787|939|869|758|784"
        r"|721|868|649|340)\d{7})$",
        "friendly_name": "Caribbean",
        "pretty_print": "SS(###) ### - ####",
    },
    "did_us": {
        "regex": r"^(\+?1)?([2-9][0-9]{2}[2-9][0-9]{6})$",
        "friendly_name": "US DID",
        "pretty_print": "SS(###) ### - ####",
    },
    "international": {"regex": r"^\+([2-9]\d{7,})$", "friendly_name": "International"},
    "unknown": {"regex": r"^(.*)$", "friendly_name": "Unknown"},
}

# Kazoo's default reconcile regex: what may become a number at all.
RECONCILABLE = re.compile(r"^\+?1?\d{10}$|^\+[2-9]\d{7,}$|^011\d*$|^00\d*$")


def to_e164(number: str) -> str:
    """10 digits are NANP (+1), 11 starting with 1 gain a +, anything else gains a + (Kazoo's converter)."""
    digits = number.strip()
    if digits.startswith("+"):
        return digits
    if len(digits) == 10 and digits.isdigit():
        return "+1" + digits
    return "+" + digits


def reconcilable(number: str) -> bool:
    """Whether Kazoo would accept the number into its database."""
    return bool(RECONCILABLE.match(number.strip()))


def classify(number: str) -> dict:
    """The first classifier matching the E.164 form of the number (Kazoo's order)."""
    e164 = to_e164(number) if reconcilable(number) else number
    name, found = next((n, c) for n, c in CLASSIFIERS.items() if re.match(c["regex"], e164))
    return {"e164": e164, "name": name, "number": number, **found}

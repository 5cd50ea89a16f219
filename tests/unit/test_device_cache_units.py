"""The device cache's own rules: what it may store and when it must forget (docs/decisions.md §28)."""

from crossbar_py.devices.cache import DeviceCache

ACCOUNT, DEVICE = "a" * 32, "d" * 32
ROW = {"id": DEVICE, "account_id": ACCOUNT, "doc": {"name": "x"}}


def live_cache() -> DeviceCache:
    cache = DeviceCache()
    cache.set_live(True)
    return cache


def test_nothing_is_stored_or_served_while_not_listening():
    cache = DeviceCache()
    cache.put(cache.ticket(), ROW)
    assert cache.get(ACCOUNT, DEVICE) is None
    cache = live_cache()
    cache.put(cache.ticket(), ROW)
    assert cache.get(ACCOUNT, DEVICE) is ROW
    cache.set_live(False)
    assert cache.get(ACCOUNT, DEVICE) is None
    cache.set_live(True)
    assert cache.get(ACCOUNT, DEVICE) is None, "a reconnect may have missed changes: start empty"


def test_a_read_that_began_before_a_change_is_not_kept():
    cache = live_cache()
    ticket = cache.ticket()
    cache.changed(DEVICE)
    cache.put(ticket, ROW)
    assert cache.get(ACCOUNT, DEVICE) is None
    ticket = cache.ticket()
    with cache.changing(DEVICE):
        pass
    cache.put(ticket, ROW)
    assert cache.get(ACCOUNT, DEVICE) is None


def test_announcements_forget_listed_ids_or_everything():
    cache = live_cache()
    other = {**ROW, "id": "e" * 32}
    cache.put(cache.ticket(), ROW)
    cache.put(cache.ticket(), other)
    cache.changed(f"{'f' * 32},{DEVICE}")
    assert cache.get(ACCOUNT, DEVICE) is None and cache.get(ACCOUNT, other["id"]) is other
    cache.changed("*")
    assert cache.get(ACCOUNT, other["id"]) is None


def test_another_account_and_an_aged_entry_miss():
    cache = live_cache()
    cache.put(cache.ticket(), ROW)
    assert cache.get("b" * 32, DEVICE) is None
    cache.ttl = -1
    cache.put(cache.ticket(), ROW)
    assert cache.get(ACCOUNT, DEVICE) is None

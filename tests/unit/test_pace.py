"""The pace of what is told to many tabs (state/pace.py): at once, then once per window."""

import asyncio

from prm_app.state import pace as pace_module
from prm_app.state.pace import Pace

WINDOW = 0.2


def run_offers(offers: list[tuple[float, str, int]], until: float) -> list[tuple[float, str, int]]:
    """(seconds from the start, key, version) offered; what was told, with when."""
    told: list[tuple[float, str, int]] = []

    async def scenario():
        pace, loop = Pace(WINDOW), asyncio.get_running_loop()
        start, tasks = loop.time(), []

        def tell_of(key):
            async def tell(version):
                told.append((round(loop.time() - start, 1), key, version))

            return tell

        for at, key, version in offers:
            await asyncio.sleep(max(0.0, start + at - loop.time()))
            pace.offer(key, version, tell_of(key), lambda c: tasks.append(loop.create_task(c)))
        await asyncio.sleep(max(0.0, start + until - loop.time()))
        await asyncio.gather(*tasks)

    asyncio.run(scenario())
    return told


def test_a_lone_change_is_told_at_once():
    assert run_offers([(0.0, "leads:1", 1)], until=0.05) == [(0.0, "leads:1", 1)]


def test_a_burst_is_told_at_once_then_once_at_the_windows_end_with_its_latest_version():
    burst = [(0.0, "leads:1", 1), (0.05, "leads:1", 2), (0.1, "leads:1", 4), (0.12, "leads:1", 3)]
    assert run_offers(burst, until=0.35) == [(0.0, "leads:1", 1), (0.2, "leads:1", 4)]


def test_each_key_has_its_own_window_and_a_quiet_key_is_told_at_once_again():
    offers = [(0.0, "leads:1", 1), (0.1, "deals:1", 7), (0.3, "leads:1", 2)]
    assert run_offers(offers, until=0.35) == [
        (0.0, "leads:1", 1),
        (0.1, "deals:1", 7),
        (0.3, "leads:1", 2),
    ]


def test_keys_told_longer_than_a_window_ago_are_forgotten_past_the_limit(monkeypatch):
    monkeypatch.setattr(pace_module, "STALE_KEYS", 2)

    async def scenario():
        pace, spawned = Pace(0.05), []
        for key in ("a", "b", "c"):
            pace.offer(key, 1, _quiet, spawned.append)
        await asyncio.sleep(0.1)
        pace.offer("d", 1, _quiet, spawned.append)  # past the limit: a, b and c are stale
        for coroutine in spawned:
            await coroutine
        return set(pace._told)

    assert asyncio.run(scenario()) == {"d"}


async def _quiet(version: int) -> None:
    return None

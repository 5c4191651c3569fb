"""A pace for what is told to many tabs: per key (a topic), at most one telling per window.

The first change of a topic is told at once; the changes that follow it within the window are
told together at the window's end, with the latest version. A burst of changes (a colleague
importing, a hundred partners saving drafts) then costs each watching tab one re-read per
window instead of one per change, and a lone change is as fast as ever.
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable

STALE_KEYS = 4096  # past this many keys, those told longer than a window ago are forgotten


class Pace:
    """Per key, the first offer told at once, the next ones within `every` seconds once."""

    def __init__(self, every: float) -> None:
        self.every = every
        self._told: dict[Hashable, float] = {}  # key -> when it was last told (the loop's clock)
        self._owed: dict[Hashable, int] = {}  # key -> the latest version due at the window's end

    def offer(
        self,
        key: Hashable,
        version: int,
        tell: Callable[[int], Awaitable[None]],
        spawn: Callable[[Awaitable[None]], None],
    ) -> None:
        """Have `tell(version)` run (through `spawn`) now, or at the end of the key's window
        with the latest version offered by then."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        if key in self._owed:  # already due at the window's end: with this version
            self._owed[key] = max(self._owed[key], version)
            return
        due = self._told.get(key, now - self.every) + self.every
        if now >= due:
            self._forget_stale(now)
            self._told[key] = now
            spawn(tell(version))
            return
        self._owed[key] = version
        loop.call_later(due - now, self._flush, key, tell, spawn)

    def _flush(
        self,
        key: Hashable,
        tell: Callable[[int], Awaitable[None]],
        spawn: Callable[[Awaitable[None]], None],
    ) -> None:
        self._told[key] = asyncio.get_running_loop().time()
        spawn(tell(self._owed.pop(key)))

    def _forget_stale(self, now: float) -> None:
        if len(self._told) > STALE_KEYS:
            for key in [k for k, at in self._told.items() if at < now - self.every]:
                del self._told[key]

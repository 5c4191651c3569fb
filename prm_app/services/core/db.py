"""The database engine the unit of work opens its sessions on, configured by the running app
(prm_app.database hands it Reflex's configured engine and pool)."""

from collections.abc import Callable
from functools import cache

from sqlalchemy.engine import Engine

_factory: list[Callable[[], Engine]] = []


def configure(factory: Callable[[], Engine]) -> None:
    """Use the engine `factory` returns from now on."""
    _factory[:] = [factory]
    engine.cache_clear()


@cache
def engine() -> Engine:
    """The app's engine."""
    if not _factory:
        raise RuntimeError("No database engine configured: import prm_app.database first.")
    return _factory[0]()

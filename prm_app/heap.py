"""The garbage collector of a worker, set for a server whose event loop every tab waits on.

A worker starts with ~300,000 objects that live as long as it does (Reflex's app, pages and
states, the models, SQLAlchemy's mappers), and every event allocates a tab's state tree, rows
and a delta. With Python's defaults, a full (generation 2) collection walked all of it each
time a quarter more had survived the younger generations: under the load run, 8 to 14 a minute
per worker, up to 460 ms each, during which its event loop, and every tab it holds,
waited (benchmarks/README.md, session 40). Now the startup objects are frozen (never walked
again) and a full collection waits for 100 middle-generation collections instead of 10 (two a
minute under that load). The young generations are collected as before, so short-lived cycles
still go at once.
"""

import gc

FULL_AFTER = 100  # middle-generation collections before a full one (Python's default: 10)


def tune() -> None:
    """Collect once, freeze every object alive now, and make full collections rarer."""
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_AFTER)


async def tune_garbage_collector() -> None:
    """Lifespan task of each worker (the app is built: what lives now lives as long as it)."""
    tune()

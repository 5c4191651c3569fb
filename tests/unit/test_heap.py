import asyncio
import gc

import pytest

from prm_app import heap


@pytest.fixture
def collector():
    """The collector as the test found it, afterwards."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_startup_objects_are_frozen_and_full_collections_made_rarer(collector):
    young, middle, full = gc.get_threshold()
    assert full < heap.FULL_AFTER
    asyncio.run(heap.tune_garbage_collector())
    assert gc.get_freeze_count() > 0  # this process's modules, at least
    assert gc.get_threshold() == (young, middle, heap.FULL_AFTER)


def test_the_app_tunes_the_collector_of_each_worker():
    from prm_app.prm_app import app

    ours = [task for task in app._lifespan_tasks if task.__module__.startswith("prm_app.")]
    assert ours[0] is heap.tune_garbage_collector  # before the app's tasks allocate for tabs

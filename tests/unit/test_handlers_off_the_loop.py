"""Every handler of the app's states runs its work off the worker's event loop."""

import asyncio
import inspect
import threading

import pytest

import prm_app.prm_app  # noqa: F401  (every page's state is defined)
from prm_app.state.base import AppState, _all_subclasses, off_the_loop


def test_every_synchronous_handler_of_the_states_runs_in_a_thread():
    blocking = [
        f"{cls.__name__}.{name}"
        for cls in [AppState, *_all_subclasses(AppState)]
        for name, handler in cls.event_handlers.items()
        if name != "setvar"  # Reflex's own setter: no database, nothing to wait for
        and not handler._is_coroutine_function
        and not inspect.isgeneratorfunction(handler.fn)
    ]
    assert blocking == []


def test_a_threaded_handler_keeps_its_signature_result_and_errors():
    def handler(self, value: str, *, count: int = 1):
        if value == "bad":
            raise ValueError("refused")
        return value * count, threading.get_ident()

    threaded = off_the_loop(handler)
    assert inspect.iscoroutinefunction(threaded)
    assert inspect.signature(threaded) == inspect.signature(handler)
    assert threaded.__annotations__ == handler.__annotations__
    result, thread = asyncio.run(threaded(None, "ab", count=2))
    assert result == "abab" and thread != threading.get_ident()
    with pytest.raises(ValueError, match="refused"):
        asyncio.run(threaded(None, "bad"))


def test_generators_and_coroutines_are_left_as_they_are():
    def steps(self):
        yield

    async def waits(self):
        return None

    assert off_the_loop(steps) is steps
    assert off_the_loop(waits) is waits

"""Live bells: a tiny shared version per person.

Each signed-in tab links to the NotesPulse of its own person (token `notes-<user id>`, the id
from the server-side session, never from the client). After a transaction that notified people
commits, each one's version is bumped: only that person's open tabs hear it, and each re-reads
its own unread count (one indexed count) with its own session. No organization-wide fan-out:
a notification for one person wakes that person's tabs only.
"""

import asyncio
import logging

import reflex as rx
from reflex_base.registry import RegistrationContext

logger = logging.getLogger(__name__)
_PENDING: set[asyncio.Task] = set()


class NotesPulse(rx.SharedState):
    """Bumped whenever one person's notifications change."""

    version: int = 0


def _topic(user_id: int) -> str:
    return f"notes-{user_id}"  # no underscore: Reflex reserves it in link tokens


def announce_notes(user_ids: set[int]) -> None:
    """Bump each person's pulse (after the transaction that notified them committed).

    Callable from an event or from a background job of the running app; does nothing where
    no app is running (a script, a unit test).
    """
    try:
        app = RegistrationContext.get().app
        loop = asyncio.get_running_loop()
    except Exception:  # no running app here: nobody is watching
        return
    for user_id in user_ids:
        task = loop.create_task(_bump(app, user_id))
        _PENDING.add(task)
        task.add_done_callback(_done)


async def _bump(app, user_id: int) -> None:
    token = rx.BaseStateToken(ident=_topic(user_id), cls=NotesPulse)
    async with app.modify_state(token) as root:
        pulse = await root.get_state(NotesPulse)
        pulse.version += 1


def _done(task: asyncio.Task) -> None:
    _PENDING.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.warning("Could not announce notifications: %s", task.exception())


async def follow_notes(state: rx.State, user_id: int) -> int:
    """Link this tab to its person's pulse; returns the current version."""
    pulse = await state.get_state(NotesPulse)
    pulse = await pulse._link_to(_topic(user_id))
    return pulse.version

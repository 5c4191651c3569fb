"""Live views across users and workers: a tiny shared version per organization.

Every open deals page (list, board, detail) of an organization links to its organization's
DealsPulse. After a change commits, the version of each organization concerned is bumped; the
bump reaches every linked browser (through Redis when there are several workers), whose
OnChange then asks its own private state to re-read the view with its own permissions.
"""

import asyncio
import logging

import reflex as rx
from reflex_base.registry import RegistrationContext

logger = logging.getLogger(__name__)
_PENDING: set[asyncio.Task] = set()


class DealsPulse(rx.SharedState):
    """Bumped after every committed change to an organization's deals."""

    version: int = 0


def _topic(org_id: int) -> str:
    return f"deals-{org_id}"  # no underscore: Reflex reserves it in link tokens


async def follow_deals(state: rx.State, org_id: int) -> int:
    """Link this browser tab to its organization's pulse (the id comes from the server-side
    session, never from the client); returns the current version."""
    pulse = await state.get_state(DealsPulse)
    pulse = await pulse._link_to(_topic(org_id))
    return pulse.version


def announce_deals(org_ids: set[int]) -> None:
    """Bump each organization's pulse, after the event that committed the change."""
    app = RegistrationContext.get().app
    for org_id in org_ids:
        task = asyncio.create_task(_bump(app, org_id))
        _PENDING.add(task)
        task.add_done_callback(_done)


async def _bump(app, org_id: int) -> None:
    async with app.modify_state(rx.BaseStateToken(ident=_topic(org_id), cls=DealsPulse)) as root:
        pulse = await root.get_state(DealsPulse)
        pulse.version += 1


def _done(task: asyncio.Task) -> None:
    _PENDING.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.warning("Could not announce a deals change: %s", task.exception())

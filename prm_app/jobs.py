"""Background jobs of the running app (registered as Reflex lifespan tasks).

Every backend worker runs them; the row locks of each job make concurrent runs harmless.
"""

import asyncio
import logging
import os

from .services import leads
from .services.db import session_scope

log = logging.getLogger(__name__)


def sweep_seconds() -> float:
    """How often jobs run: PRM_SWEEP_SECONDS (default 60)."""
    try:
        return max(0.5, float(os.environ.get("PRM_SWEEP_SECONDS", "60")))
    except ValueError:
        return 60.0


def return_overdue_referrals() -> int:
    """Return every referral not accepted before its deadline (one transaction)."""
    with session_scope() as session:
        return leads.return_overdue(session)


async def run_jobs() -> None:
    """Run the jobs forever, one sweep at a time; an error is logged, never fatal."""
    while True:
        try:
            returned = await asyncio.to_thread(return_overdue_referrals)
            if returned:
                log.info("returned %d overdue referrals", returned)
        except Exception:  # a failed sweep is retried at the next one
            log.exception("background job failed")
        await asyncio.sleep(sweep_seconds())

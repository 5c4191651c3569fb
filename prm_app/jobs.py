"""Background jobs of the running app (registered as Reflex lifespan tasks).

Every backend worker runs them; the row locks and conditional updates of each job make
concurrent runs harmless (a referral is returned once, a reminder sent once, a mail or a webhook
delivery claimed by one sender at a time).
"""

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from . import settings
from .services import leads, mdf, notifications, tiers
from .services.audit import full_export
from .services.core import channel
from .services.core.unit_of_work import unit_of_work
from .services.integrations import mail, retention, webhooks

log = logging.getLogger(__name__)


@contextmanager
def _job(name: str) -> Iterator[Session]:
    """A job's unit of work: the audit log names the job as how its changes were made."""
    with unit_of_work() as session:
        channel.acting(session, channel.job(name))
        yield session


def return_overdue_referrals() -> int:
    """Return every referral not accepted before its deadline (one transaction); how many."""
    with _job("return overdue referrals") as session:
        return leads.return_overdue(session)


def remind_protection() -> int:
    """Remind partners whose protection of a customer ends soon (one transaction)."""
    with _job("remind protection") as session:
        return notifications.remind_protection(session)


def recompute_tiers() -> int:
    """Recompute every provider's partner tiers, once a day across workers (claimed in the
    database); how many partners moved or got a suggestion."""
    with _job("recompute tiers") as session:
        return tiers.run_daily(session)


def expire_funds() -> int:
    """Give back the unused market development funds of budgets whose period ended (one
    transaction); how many budgets expired."""
    with _job("expire funds") as session:
        return mdf.expire_ended(session)


def prune_old_records(max_batches: int = 20) -> int:
    """Delete expired deliveries, mail and bot submissions, a batch per transaction."""
    pruned = 0
    for _ in range(max_batches):
        with _job("prune old records") as session:
            deleted = retention.prune_batch(session)
        pruned += deleted
        if deleted < retention.BATCH:
            break
    return pruned


def run_exports() -> int:
    """Write the queued full exports (services.audit.full_export), one after another; how many."""
    written = 0
    while True:
        with _job("full export") as session:
            export_id = full_export.claim_next(session)
        if export_id is None:
            return written
        full_export.write(export_id, lambda: _job("full export"))
        written += 1


def send_mail() -> mail.Delivery:
    """Send the due mail of the outbox."""
    return mail.deliver_due(unit_of_work)


async def _sweeps() -> None:
    while True:
        for job in (
            return_overdue_referrals,
            remind_protection,
            recompute_tiers,
            expire_funds,
            prune_old_records,
            run_exports,
        ):
            try:
                done = await asyncio.to_thread(job)
                if done:
                    log.info("%s: %d", job.__name__, done)
            except Exception:  # a failed sweep is retried at the next one
                log.exception("background job %s failed", job.__name__)
        await asyncio.sleep(settings.current().sweep_seconds)


async def _mail() -> None:
    log.info(mail.describe_delivery())
    while True:
        try:
            delivery = await asyncio.to_thread(send_mail)
            if delivery.sent or delivery.failed:
                log.info(
                    "mail: %d sent, %d to retry, %d failed",
                    delivery.sent,
                    delivery.retried,
                    delivery.failed,
                )
        except Exception:  # the database is away: the outbox waits
            log.exception("mail sender failed")
        await asyncio.sleep(settings.current().mail_seconds)


def send_webhooks() -> webhooks.Sent:
    """Send the due webhook deliveries."""
    return webhooks.deliver_due(unit_of_work)


async def _webhooks() -> None:
    while True:
        try:
            done = await asyncio.to_thread(send_webhooks)
            if done.sent or done.retried or done.failed:
                log.info(
                    "webhooks: %d sent, %d to retry, %d failed",
                    done.sent,
                    done.retried,
                    done.failed,
                )
        except Exception:  # the database is away: the deliveries wait
            log.exception("webhook sender failed")
        await asyncio.sleep(settings.current().webhook_seconds)


async def run_jobs() -> None:
    """Run the jobs forever: the sweeps, the mail sender and the webhook sender, each at its own
    pace; an error is logged, never fatal."""
    await asyncio.gather(_sweeps(), _mail(), _webhooks())

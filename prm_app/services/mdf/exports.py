"""The MDF lists as CSV for the finance team: fund requests with their claims, and balances
per budget and partner."""

from collections.abc import Iterator

from sqlmodel import Session, col

from ...models import MdfRequest, OrgKind
from ..core import listing
from ..core.actor import Actor
from ..imports.files import csv_chunks
from . import books
from .requests import ACTIVITY_TYPES, requests_query


def requests_csv(session: Session, *, actor: Actor, status: object = None) -> Iterator[str]:
    """Every fund request of the organization (made or received), newest first, in chunks."""
    query = requests_query(actor, status)
    provider = actor.org_kind == OrgKind.PROVIDER
    header = ["ID", "Budget", "Partner" if provider else "Provider", "Activity type", "Activity"]
    header += ["Starts", "Ends", "Requested", "Approved", "Currency", "Expected leads"]
    header += ["Status", "Reason", "Requested on", "Claim status", "Claimed", "Claim approved"]
    header += ["Payout request"]
    chunks = listing.newest_first(session, query, col(MdfRequest.id), 1000)
    rows = (
        [
            [
                r.id,
                r.budget_name,
                r.other_name,
                ACTIVITY_TYPES.get(r.activity_type, r.activity_type),
                r.title,
                r.starts_on.isoformat(),
                r.ends_on.isoformat(),
                r.requested_amount,
                "" if r.approved_amount is None else r.approved_amount,
                r.currency,
                r.expected_leads,
                r.status,
                r.decision_reason,
                r.created_at.strftime("%Y-%m-%d %H:%M"),
                r.claim_status,
                "" if r.claim_amount is None else r.claim_amount,
                "" if r.claim_approved is None else r.claim_approved,
                r.payout_request_id or "",
            ]
            for r in chunk
        ]
        for chunk in chunks
    )
    return csv_chunks(header, rows)


def balances_csv(session: Session, *, actor: Actor) -> Iterator[str]:
    """Balances per budget and partner (provider) or per budget of each provider (partner)."""
    books.require_managers(actor)
    provider = actor.org_kind == OrgKind.PROVIDER
    header = ["Budget", "Partner" if provider else "Provider", "Currency", "Allocated"]
    header += ["Available", "Committed", "Spent", "Expired"]
    found = books.balances(session, actor)
    rows = [
        [
            b.budget_name,
            b.other_name,
            b.currency,
            b.allocated,
            b.available,
            b.committed,
            b.spent,
            b.expired,
        ]
        for b in found
    ]
    return csv_chunks(header, [rows])

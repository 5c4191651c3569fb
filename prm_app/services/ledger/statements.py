"""What one provider owes one partner (balances) and the transactions behind it (statements)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from ...models import (
    Deal,
    LedgerEntry,
    LedgerKind,
    LedgerTransaction,
    Organization,
    OrgKind,
    PayoutRequest,
    PayoutStatus,
)
from ..catalog import program
from ..core import listing
from ..core.actor import Actor
from ..core.errors import Invalid
from ..core.listing import Page
from ..imports.files import csv_chunks
from .books import (
    COMMISSION,
    CREDITS,
    DUE,
    EFFECT,
    KIND_LABELS,
    PENDING,
    SETTLED,
    pair_columns,
    request_columns,
    require_books,
    transaction_size,
)


@dataclass(frozen=True, slots=True)
class Balance:
    """What one provider owes one partner, from the caller's side ("other" is across)."""

    other_org_id: int
    other_name: str
    currency: str
    pending: Decimal  # commission awaiting approval
    commission: Decimal  # approved commission not yet redeemed
    credits: Decimal  # referral credits not yet redeemed
    requested: Decimal  # held by redemption requests awaiting a decision
    due: Decimal  # approved redemptions awaiting payment
    redeemed: Decimal  # paid out or applied
    threshold: Decimal  # the provider's minimum cash payout

    @property
    def available(self) -> Decimal:
        return self.commission + self.credits - self.requested


def balances(session: Session, *, actor: Actor, other_org_id: object = None) -> list[Balance]:
    """Per provider (for a consultant: all of them, in one place) or per partner (for a
    provider), aggregated in the database."""
    require_books(actor)
    own, other = pair_columns(actor)
    where = [own == actor.org_id]
    if (chosen := listing.filter_id(other_org_id, "other_org_id")) is not None:
        where.append(other == chosen)
    sums = session.exec(
        select(col(other).label("other"), LedgerEntry.account, func.sum(LedgerEntry.amount))
        .join(LedgerEntry, col(LedgerEntry.transaction_id) == LedgerTransaction.id)
        .where(*where)
        .group_by(other, LedgerEntry.account)
    ).all()
    req_own, req_other = request_columns(actor)
    held = session.exec(
        select(col(req_other), PayoutRequest.status, func.sum(PayoutRequest.amount))
        .where(
            req_own == actor.org_id,
            col(PayoutRequest.status) == PayoutStatus.REQUESTED,
            *([req_other == chosen] if chosen is not None else []),
        )
        .group_by(req_other, PayoutRequest.status)
    ).all()
    accounts: dict[int, dict[str, Decimal]] = {}
    for org_id, account, total in sums:
        accounts.setdefault(org_id, {})[account] = Decimal(total or 0)
    requested = {org_id: Decimal(total or 0) for org_id, _, total in held}
    org_ids = set(accounts) | set(requested)
    if not org_ids:
        return []
    names = dict(
        session.exec(
            select(Organization.id, Organization.name).where(col(Organization.id).in_(org_ids))
        ).all()
    )
    found = []
    for org_id in sorted(org_ids, key=lambda i: (names.get(i, "").lower(), i)):
        got = accounts.get(org_id, {})
        provider_id = actor.org_id if actor.org_kind == OrgKind.PROVIDER else org_id
        settings = program.settings_of(session, provider_id)
        found.append(
            Balance(
                other_org_id=org_id,
                other_name=names.get(org_id, ""),
                currency=settings.currency,
                pending=-got.get(PENDING, Decimal(0)),
                commission=-got.get(COMMISSION, Decimal(0)),
                credits=-got.get(CREDITS, Decimal(0)),
                requested=requested.get(org_id, Decimal(0)),
                due=-got.get(DUE, Decimal(0)),
                redeemed=-sum((got.get(a, Decimal(0)) for a in set(SETTLED.values())), Decimal(0)),
                threshold=settings.payout_threshold,
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class Line:
    """One transaction in a statement: a per-deal line item, a redemption or a payment."""

    id: int
    created_at: datetime
    kind: str
    status: str
    other_org_id: int
    other_name: str
    deal_id: int | None
    deal_name: str
    memo: str
    amount: Decimal  # the size of the transaction
    effect: Decimal  # + adds to what the partner holds, - takes from it, 0 moves it
    currency: str


def statement(
    session: Session,
    *,
    actor: Actor,
    other_org_id: object = None,
    kind: object = None,
    page: object = 1,
    page_size: object = 25,
) -> Page:
    """The caller's ledger transactions, newest first, one page of Lines."""
    require_books(actor)
    page, page_size = listing.paging(page, page_size)
    query, count = _statement_query(actor, other_org_id, kind)
    ordered = query.add_columns(listing.total(count)).order_by(col(LedgerTransaction.id).desc())
    rows = session.exec(ordered.limit(page_size).offset((page - 1) * page_size)).all()
    found = rows[0].total if rows else (session.exec(count).one() if page > 1 else 0)
    return Page([_line(row) for row in rows], found, page, page_size)


def statement_csv(
    session: Session, *, actor: Actor, other_org_id: object = None, kind: object = None
) -> Iterator[str]:
    """The statement as CSV (every line, newest first), read in chunks by id."""
    require_books(actor)
    query, _ = _statement_query(actor, other_org_id, kind)
    across = "Partner" if actor.org_kind == OrgKind.PROVIDER else "Provider"
    header = ["ID", "Date", across, "Type", "Status", "Deal", "Memo", "Amount", "Effect"]
    header += ["Currency"]

    chunks = listing.newest_first(session, query, LedgerTransaction.id, 1000)
    rows = (
        [
            [
                line.id,
                line.created_at.strftime("%Y-%m-%d %H:%M"),
                line.other_name,
                KIND_LABELS.get(line.kind, line.kind),
                line.status,
                line.deal_name,
                line.memo,
                line.amount,
                line.effect,
                line.currency,
            ]
            for line in map(_line, chunk)
        ]
        for chunk in chunks
    )
    return csv_chunks(header, rows)


def _statement_query(actor: Actor, other_org_id: object, kind: object) -> tuple[Any, Any]:
    own, other = pair_columns(actor)
    where = [own == actor.org_id]
    if (chosen := listing.filter_id(other_org_id, "other_org_id")) is not None:
        where.append(other == chosen)
    if kind not in (None, ""):
        if kind not in tuple(LedgerKind):
            raise Invalid("Choose a type of line from the list.", field="kind")
        where.append(LedgerTransaction.kind == kind)
    sizes = (
        select(
            col(LedgerEntry.transaction_id).label("transaction_id"),
            transaction_size(),
            func.max(LedgerEntry.currency).label("currency"),
        )
        .group_by(LedgerEntry.transaction_id)
        .subquery()
    )
    org = aliased(Organization)
    query = (
        select(
            LedgerTransaction.id,
            LedgerTransaction.created_at,
            LedgerTransaction.kind,
            LedgerTransaction.status,
            col(other).label("other_org_id"),
            col(org.name).label("other_name"),
            LedgerTransaction.deal_id,
            func.coalesce(Deal.name, "").label("deal_name"),
            LedgerTransaction.memo,
            sizes.c.size,
            sizes.c.currency,
        )
        .join(sizes, sizes.c.transaction_id == LedgerTransaction.id)
        .join(org, org.id == other)
        .outerjoin(Deal, col(Deal.id) == LedgerTransaction.deal_id)
        .where(*where)
    )
    count = select(func.count()).select_from(LedgerTransaction).where(*where)
    return query, count


def _line(row: Any) -> Line:
    size = Decimal(row.size or 0)
    return Line(
        id=row.id,
        created_at=row.created_at,
        kind=row.kind,
        status=row.status,
        other_org_id=row.other_org_id,
        other_name=row.other_name,
        deal_id=row.deal_id,
        deal_name=row.deal_name,
        memo=row.memo,
        amount=size,
        effect=size * EFFECT.get(row.kind, 0),
        currency=row.currency,
    )

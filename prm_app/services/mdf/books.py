"""MDF money on the double-entry ledger (services.ledger.books), per budget.

Accounts, each per budget (debit positive, credit negative):

- mdf:{budget}:funds     the provider's funds out with partners (allocated, not yet spent or back)
- mdf:{budget}:available a partner's allocation not yet set aside for a request (credit)
- mdf:{budget}:committed set aside for the partner's approved requests (credit)
- mdf:{budget}:spent     reimbursements the provider approved (its marketing expense)

and partner:redemption_due (services.ledger), where an approved claim waits for the payout flow.

Transactions (each balances; history is never edited):

- allocation  funds +X, available -X
- commitment  available +A, committed -A           (a request approved for A)
- claim       committed +A, due -C, spent +C, funds -C, available -(A-C)
                                                   (a claim approved for C <= A; the rest released)
- expiry      available +U, funds -U               (the period ended; U unused goes back)

So at all times funds = available + committed (as credits), and a budget's unallocated amount is
its amount - funds - spent.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from ...models import (
    LedgerEntry,
    LedgerKind,
    LedgerStatus,
    LedgerTransaction,
    MdfBudget,
    Organization,
    OrgKind,
)
from ..core import changes
from ..core.actor import Actor
from ..core.errors import NotAllowed
from ..ledger import pair_columns
from ..ledger.books import DUE, post

ZERO = Decimal(0)
MANAGERS_ONLY = "Only managers and admins see and manage market development funds."
PROVIDER_ONLY = "Only the provider's managers and admins can do that."
PARTNER_ONLY = "Only a partner's managers and admins can do that."


def funds(budget_id: int) -> str:
    return f"mdf:{budget_id}:funds"


def available(budget_id: int) -> str:
    return f"mdf:{budget_id}:available"


def committed(budget_id: int) -> str:
    return f"mdf:{budget_id}:committed"


def spent(budget_id: int) -> str:
    return f"mdf:{budget_id}:spent"


def require_managers(actor: Actor) -> None:
    if actor.org_kind not in (OrgKind.PROVIDER, OrgKind.CONSULTANT) or not actor.sees_all:
        raise NotAllowed(MANAGERS_ONLY)


def require_provider(actor: Actor) -> None:
    if actor.org_kind != OrgKind.PROVIDER or not actor.sees_all:
        raise NotAllowed(PROVIDER_ONLY)


def is_partner_manager(actor: Actor) -> bool:
    """A partner's manager or admin: who requests and claims funds, and names activities."""
    return actor.org_kind == OrgKind.CONSULTANT and actor.sees_all


def require_partner(actor: Actor) -> None:
    if not is_partner_manager(actor):
        raise NotAllowed(PARTNER_ONLY)


def post_mdf(
    session: Session,
    *,
    kind: LedgerKind,
    budget: MdfBudget,
    partner_org_id: int,
    legs: list[tuple[str, Decimal]],
    memo: str,
    actor: Actor | None,
    payout_request_id: int | None = None,
) -> LedgerTransaction:
    return post(
        session,
        kind=kind,
        status=LedgerStatus.APPROVED,
        provider_org_id=budget.provider_org_id,
        partner_org_id=partner_org_id,
        legs=legs,
        currency=budget.currency,
        memo=memo,
        actor=actor,
        payout_request_id=payout_request_id,
    )


def allocation_legs(budget_id: int, amount: Decimal) -> list[tuple[str, Decimal]]:
    return [(funds(budget_id), amount), (available(budget_id), -amount)]


def commitment_legs(budget_id: int, amount: Decimal) -> list[tuple[str, Decimal]]:
    return [(available(budget_id), amount), (committed(budget_id), -amount)]


def claim_legs(budget_id: int, approved: Decimal, paid: Decimal) -> list[tuple[str, Decimal]]:
    return [
        (committed(budget_id), approved),
        (DUE, -paid),
        (spent(budget_id), paid),
        (funds(budget_id), -paid),
        (available(budget_id), -(approved - paid)),
    ]


def expiry_legs(budget_id: int, unused: Decimal) -> list[tuple[str, Decimal]]:
    return [(available(budget_id), unused), (funds(budget_id), -unused)]


@dataclass(frozen=True, slots=True)
class FundsBalance:
    """One partner's funds in one budget, from either side ("other" is across)."""

    budget_id: int
    budget_name: str
    other_org_id: int
    other_name: str
    currency: str
    allocated: Decimal  # every allocation made
    available: Decimal  # not yet set aside for a request
    committed: Decimal  # set aside for approved requests not yet claimed
    spent: Decimal  # approved claims
    expired: Decimal  # went back at the period's end


def touched_budget(session: Session, provider_org_id: int) -> None:
    """A budget changed: the provider's open funds (and commissions) views re-read."""
    changes.touched(session, changes.Topic.LEDGER, provider_org_id)


def touched_pair(session: Session, provider_org_id: int, partner_org_id: int) -> None:
    """A request or claim changed: both organizations' open funds views re-read."""
    changes.touched(session, changes.Topic.LEDGER, provider_org_id, partner_org_id)


def sums(
    session: Session, actor: Actor, *, budget_id: int | None = None, other_org_id: int | None = None
) -> dict[tuple[int, int], dict[tuple[str, str], Decimal]]:
    """{(budget id, other org id): {(account suffix, transaction kind): total}} for the caller's
    MDF accounts, summed in the database."""
    own, other = pair_columns(actor)
    return _sums(session, own, other, actor.org_id, budget_id, other_org_id)


def sums_for_budget(
    session: Session, budget: MdfBudget
) -> dict[tuple[int, int], dict[tuple[str, str], Decimal]]:
    """The same, per partner, of one budget (for the expiry job)."""
    return _sums(
        session,
        LedgerTransaction.provider_org_id,
        LedgerTransaction.partner_org_id,
        budget.provider_org_id,
        budget.id,
        None,
    )


def _sums(
    session: Session,
    own: Any,
    other: Any,
    org_id: int,
    budget_id: int | None,
    other_org_id: int | None,
) -> dict[tuple[int, int], dict[tuple[str, str], Decimal]]:
    where = [own == org_id, col(LedgerEntry.account).like("mdf:%")]
    if budget_id is not None:
        where.append(col(LedgerEntry.account).like(f"mdf:{budget_id}:%"))
    if other_org_id is not None:
        where.append(other == other_org_id)
    query: Any = (
        sa.select(
            *_columns(
                col(other).label("other"),
                LedgerEntry.account,
                LedgerTransaction.kind,
                func.sum(LedgerEntry.amount),
            )
        )
        .join(LedgerEntry, col(LedgerEntry.transaction_id) == LedgerTransaction.id)
        .where(*where)
        .group_by(other, LedgerEntry.account, LedgerTransaction.kind)
    )
    rows = session.exec(query).all()
    found: dict[tuple[int, int], dict[tuple[str, str], Decimal]] = {}
    for org_id, account, kind, total in rows:
        _, budget, suffix = account.split(":", 2)
        found.setdefault((int(budget), org_id), {})[(suffix, kind)] = Decimal(total or 0)
    return found


def balances(
    session: Session, actor: Actor, *, budget_id: int | None = None, other_org_id: int | None = None
) -> list[FundsBalance]:
    """Per budget and partner (for a provider) or per budget of each provider (for a partner)."""
    found = sums(session, actor, budget_id=budget_id, other_org_id=other_org_id)
    if not found:
        return []
    budgets = {
        b.id: b
        for b in session.exec(
            select(MdfBudget).where(col(MdfBudget.id).in_({b for b, _ in found}))
        ).all()
    }
    names = dict(
        session.exec(
            select(Organization.id, Organization.name).where(
                col(Organization.id).in_({o for _, o in found})
            )
        ).all()
    )
    result = []
    for (b, org_id), got in found.items():

        def total(suffix: str, kind: str | None = None, got=got) -> Decimal:
            return sum((v for (s, k), v in got.items() if s == suffix and kind in (None, k)), ZERO)

        budget = budgets[b]
        result.append(
            FundsBalance(
                budget_id=b,
                budget_name=budget.name,
                other_org_id=org_id,
                other_name=names.get(org_id, ""),
                currency=budget.currency,
                allocated=total("funds", LedgerKind.MDF_ALLOCATION),
                available=-total("available"),
                committed=-total("committed"),
                spent=total("spent"),
                expired=-total("funds", LedgerKind.MDF_EXPIRY),
            )
        )
    result.sort(key=lambda r: (-r.budget_id, r.other_name.lower(), r.other_org_id))
    return result


def partner_available(session: Session, budget: MdfBudget, partner_org_id: int) -> Decimal:
    """What the partner may still request from the budget (read in the database)."""
    total = session.exec(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0))
        .join(LedgerTransaction, col(LedgerTransaction.id) == LedgerEntry.transaction_id)
        .where(
            LedgerTransaction.provider_org_id == budget.provider_org_id,
            LedgerTransaction.partner_org_id == partner_org_id,
            LedgerEntry.account == available(budget.id or 0),
        )
    ).one()
    return -Decimal(total or 0)


def budget_out(session: Session, budget: MdfBudget) -> tuple[Decimal, Decimal]:
    """(funds out with partners, spent) of a budget."""
    rows = session.exec(
        select(LedgerEntry.account, func.sum(LedgerEntry.amount))
        .join(LedgerTransaction, col(LedgerTransaction.id) == LedgerEntry.transaction_id)
        .where(
            LedgerTransaction.provider_org_id == budget.provider_org_id,
            col(LedgerEntry.account).in_([funds(budget.id or 0), spent(budget.id or 0)]),
        )
        .group_by(LedgerEntry.account)
    ).all()
    got = {account: Decimal(total or 0) for account, total in rows}
    return got.get(funds(budget.id or 0), ZERO), got.get(spent(budget.id or 0), ZERO)


def _columns(*columns: Any) -> list[Any]:
    """Columns of a wide select (past the typed overloads of `select`)."""
    return list(columns)

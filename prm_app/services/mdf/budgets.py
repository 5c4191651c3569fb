"""A provider's MDF budgets per period, their allocations to partners (one partner, or every
active partner of a tier), and the expiry of unused allocations at the period's end."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from ...models import (
    BudgetStatus,
    FundRequestStatus,
    LedgerKind,
    MdfAllocation,
    MdfBudget,
    MdfRequest,
    Partnership,
    PartnershipStatus,
    TaxonomyTerm,
    TermKind,
    utcnow,
)
from ..catalog import program
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from . import books, events

NOT_VISIBLE = "That budget does not exist or is not visible to you."
EXPIRED_REASON = "The budget's period ended before the request was decided."


def create_budget(
    session: Session,
    *,
    actor: Actor,
    name: object,
    period_start: object,
    period_end: object,
    amount: object,
) -> int:
    """A provider's manager or admin opens a budget for a period; returns its id."""
    books.require_provider(actor)
    values = inputs.every_field(
        {
            "name": lambda: inputs.text(name, field="name", label="Name", max_len=200),
            "period_start": lambda: _required_day(period_start, "period_start", "start"),
            "period_end": lambda: _required_day(period_end, "period_end", "end"),
            "amount": lambda: inputs.amount(amount),
        }
    )
    start, end = values["period_start"], values["period_end"]
    assert isinstance(start, date) and isinstance(end, date)
    if end < start:
        raise Invalid("The period must end on or after its start.", field="period_end")
    budget = MdfBudget(
        provider_org_id=actor.org_id,
        name=str(values["name"]),
        period_start=start,
        period_end=end,
        amount=values["amount"],  # type: ignore[arg-type]
        currency=program.settings_of(session, actor.org_id).currency,
        created_by_id=actor.user_id,
    )
    session.add(budget)
    session.flush()
    books.touched_budget(session, actor.org_id)
    activity.record(session, actor=actor, subject=budget, action="created", after=_state(budget))
    return budget.id or 0


def allocate(
    session: Session,
    *,
    actor: Actor,
    budget_id: object,
    amount: object,
    partner_org_id: object = None,
    tier_id: object = None,
) -> list[int]:
    """Allocate `amount` of a budget to one active partner, or `amount` to each active partner
    of a tier (as they are now); the whole must fit in the budget's unallocated amount. Returns
    the allocations' ids."""
    books.require_provider(actor)
    budget = own_budget(session, actor, budget_id, lock=True)
    if budget.status != BudgetStatus.OPEN or budget.period_end < date.today():
        raise Invalid("This budget's period has ended: open a new budget.")
    value = inputs.amount(amount)
    partners = _recipients(session, actor, partner_org_id, tier_id)
    tier = None if partner_org_id not in (None, "") else inputs.record_id(tier_id, what="tier")
    out, used = books.budget_out(session, budget)
    left = budget.amount - out - used
    total = value * len(partners)
    if total > left:
        raise Invalid(
            f"That is {budget.currency} {total:,.2f} in all, more than the budget's "
            f"{budget.currency} {left:,.2f} left to allocate.",
            field="amount",
        )
    ids = []
    for partner in partners:
        transaction = books.post_mdf(
            session,
            kind=LedgerKind.MDF_ALLOCATION,
            budget=budget,
            partner_org_id=partner,
            legs=books.allocation_legs(budget.id or 0, value),
            memo=f"MDF allocation from {budget.name}",
            actor=actor,
        )
        allocation = MdfAllocation(
            budget_id=budget.id or 0,
            provider_org_id=actor.org_id,
            partner_org_id=partner,
            tier_id=tier,
            amount=value,
            transaction_id=transaction.id or 0,
            created_by_id=actor.user_id,
        )
        session.add(allocation)
        session.flush()
        activity.record(
            session,
            actor=actor,
            subject=allocation,
            action="created",
            after={"budget_id": budget.id, "partner_org_id": partner, "amount": str(value)},
        )
        events.allocated(
            session,
            actor=actor,
            partner_org_id=partner,
            budget_id=budget.id or 0,
            amount=f"{budget.currency} {value:,.2f}",
        )
        ids.append(allocation.id or 0)
    return ids


@dataclass(frozen=True, slots=True)
class BudgetRow:
    id: int
    name: str
    period_start: date
    period_end: date
    status: str
    currency: str
    amount: Decimal
    unallocated: Decimal  # not given to any partner (or given and expired)
    available: Decimal  # with partners, not yet requested
    committed: Decimal  # set aside for approved requests
    spent: Decimal  # approved claims
    expired: Decimal


def list_budgets(session: Session, *, actor: Actor) -> list[BudgetRow]:
    """The provider's budgets, newest period first, with their balances from the ledger."""
    books.require_provider(actor)
    budgets = session.exec(
        select(MdfBudget)
        .where(MdfBudget.provider_org_id == actor.org_id)
        .order_by(col(MdfBudget.period_start).desc(), col(MdfBudget.id).desc())
        .limit(200)
    ).all()
    per: dict[int, list[books.FundsBalance]] = {}
    for row in books.balances(session, actor):
        per.setdefault(row.budget_id, []).append(row)
    rows = []
    for b in budgets:
        got = per.get(b.id or 0, [])

        def total(name: str, got=got) -> Decimal:
            return sum((getattr(r, name) for r in got), books.ZERO)

        available, committed, spent = total("available"), total("committed"), total("spent")
        rows.append(
            BudgetRow(
                id=b.id or 0,
                name=b.name,
                period_start=b.period_start,
                period_end=b.period_end,
                status=b.status,
                currency=b.currency,
                amount=b.amount,
                unallocated=b.amount - available - committed - spent,
                available=available,
                committed=committed,
                spent=spent,
                expired=total("expired"),
            )
        )
    return rows


def open_budgets(session: Session, *, actor: Actor) -> list[tuple[int, str, int]]:
    """(budget id, "provider: budget", provider id) a partner may request from: open budgets
    of its providers in which it holds an allocation."""
    books.require_partner(actor)
    rows = session.exec(
        select(MdfBudget.id, MdfBudget.name, MdfBudget.provider_org_id)
        .join(MdfAllocation, col(MdfAllocation.budget_id) == MdfBudget.id)
        .where(
            MdfAllocation.partner_org_id == actor.org_id,
            MdfBudget.status == BudgetStatus.OPEN,
        )
        .distinct()
        .order_by(col(MdfBudget.id).desc())
    ).all()
    return [(b, n, p) for b, n, p in rows if b is not None]


def expire_ended(session: Session, *, today: date | None = None) -> int:
    """The job: every open budget whose period ended gives the partners' unused allocations
    back (and denies the requests still undecided); approved requests keep their funds, to be
    claimed. Returns how many budgets expired."""
    today = today or date.today()
    due = session.exec(
        select(MdfBudget)
        .where(MdfBudget.status == BudgetStatus.OPEN, col(MdfBudget.period_end) < today)
        .order_by(col(MdfBudget.id))
        .limit(50)
        .with_for_update(skip_locked=True)
    ).all()
    for budget in due:
        _expire(session, budget)
    return len(due)


def own_budget(session: Session, actor: Actor, budget_id: object, *, lock: bool = False):
    budget_id = inputs.record_id(budget_id, what="budget")
    query = select(MdfBudget).where(
        MdfBudget.id == budget_id, MdfBudget.provider_org_id == actor.org_id
    )
    found = session.exec(query.with_for_update() if lock else query).first()
    if found is None:
        raise NotFound(NOT_VISIBLE)
    return found


# helpers ---------------------------------------------------------------------------------------


def _expire(session: Session, budget: MdfBudget) -> None:
    for (b, partner), got in books.sums_for_budget(session, budget).items():
        unused = -sum((v for (s, _), v in got.items() if s == "available"), books.ZERO)
        if unused <= 0 or b != budget.id:
            continue
        books.post_mdf(
            session,
            kind=LedgerKind.MDF_EXPIRY,
            budget=budget,
            partner_org_id=partner,
            legs=books.expiry_legs(budget.id or 0, unused),
            memo=f"Unused MDF of {budget.name} expired",
            actor=None,
        )
        events.expired(
            session,
            provider_org_id=budget.provider_org_id,
            partner_org_id=partner,
            budget_id=budget.id or 0,
            amount=f"{budget.currency} {unused:,.2f}",
        )
    undecided = session.exec(
        select(MdfRequest).where(
            MdfRequest.budget_id == budget.id, MdfRequest.status == FundRequestStatus.REQUESTED
        )
    ).all()
    now = utcnow()
    for request in undecided:
        request.status, request.decision_reason, request.decided_at = (
            FundRequestStatus.DENIED,
            EXPIRED_REASON,
            now,
        )
        session.add(request)
        activity.record(
            session,
            actor=None,
            subject=request,
            action="denied",
            org_id=request.provider_org_id,
            after={"status": request.status, "reason": EXPIRED_REASON},
        )
    budget.status, budget.expired_at = BudgetStatus.EXPIRED, now
    session.add(budget)
    activity.record(
        session,
        actor=None,
        subject=budget,
        action="expired",
        org_id=budget.provider_org_id,
        after=_state(budget),
    )
    books.touched_budget(session, budget.provider_org_id)


def _recipients(
    session: Session, actor: Actor, partner_org_id: object, tier_id: object
) -> list[int]:
    active: list[Any] = [
        Partnership.provider_org_id == actor.org_id,
        Partnership.status == PartnershipStatus.ACTIVE,
        col(Partnership.consultant_org_id).is_not(None),
    ]
    if partner_org_id not in (None, ""):
        partner = inputs.record_id(partner_org_id, what="partner")
        found = session.exec(
            select(Partnership.consultant_org_id).where(
                *active, Partnership.consultant_org_id == partner
            )
        ).first()
        if found is None:
            raise NotFound("That partner does not exist or is not an active partner of yours.")
        return [partner]
    if tier_id in (None, ""):
        raise Invalid("Choose a partner or a tier.", field="partner_org_id")
    tier = inputs.record_id(tier_id, what="tier")
    term = session.exec(
        select(TaxonomyTerm.id).where(
            TaxonomyTerm.id == tier,
            TaxonomyTerm.org_id == actor.org_id,
            TaxonomyTerm.kind == TermKind.PARTNER_TIER,
        )
    ).first()
    if term is None:
        raise NotFound("That tier does not exist or is not visible to you.")
    partners = session.exec(
        select(Partnership.consultant_org_id)
        .where(*active, Partnership.partner_tier_id == tier)
        .order_by(col(Partnership.consultant_org_id))
    ).all()
    if not partners:
        raise Invalid("No active partner is in that tier.", field="tier_id")
    return [p for p in partners if p is not None]


def _required_day(value: object, field: str, which: str) -> date:
    found = inputs.day(value, field=field, label=f"period's {which}")
    if found is None:
        raise Invalid(f"Enter the period's {which} (YYYY-MM-DD).", field=field)
    return found


def _state(budget: MdfBudget) -> dict[str, object]:
    return {
        "name": budget.name,
        "period_start": budget.period_start.isoformat(),
        "period_end": budget.period_end.isoformat(),
        "amount": str(budget.amount),
        "status": budget.status,
    }

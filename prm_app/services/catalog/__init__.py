"""Each organization's vocabulary (taxonomy terms, pipeline stages) and a provider's rules.

Anyone in the organization reads them; only its administrators change them. Terms and stages in
use are archived rather than deleted, so the records that name them keep their meaning.
"""

from collections import Counter
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session, col, func, select

from ...models import (
    Deal,
    DealProduct,
    LeadRecipient,
    Organization,
    OrgKind,
    OrgSettings,
    Outcome,
    Partnership,
    Pipeline,
    Stage,
    TaxonomyTerm,
    TermKind,
    utcnow,
)
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound

PROVIDER_TERM_KINDS = (
    TermKind.PARTNER_STATUS,
    TermKind.PARTNER_TYPE,
    TermKind.PARTNER_TIER,
    TermKind.PARTNER_GROUP,
    TermKind.PRODUCT,
    TermKind.LOST_REASON,
)
CONSULTANT_TERM_KINDS = (TermKind.PROVIDER_TYPE, TermKind.PROFICIENCY)
PIPELINES = (Pipeline.LEAD, Pipeline.DEAL)
OUTCOMES = (Outcome.OPEN, Outcome.WON, Outcome.LOST)
DIRECTIONS = ("up", "down")
CURRENCIES = (
    "USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "SEK", "NOK", "DKK", "INR", "BRL", "ZAR", "NZD", "SGD",
)  # fmt: skip

_TERM_KINDS = {OrgKind.PROVIDER: PROVIDER_TERM_KINDS, OrgKind.CONSULTANT: CONSULTANT_TERM_KINDS}
# The column that references a term of each kind (a term is "in use" while one does). Lost
# reasons are copied as text onto what they close, so they are never in use.
_TERM_REFERENCES = {
    TermKind.PARTNER_STATUS: Partnership.partner_status_id,
    TermKind.PARTNER_TYPE: Partnership.partner_type_id,
    TermKind.PARTNER_TIER: Partnership.partner_tier_id,
    TermKind.PARTNER_GROUP: Partnership.partner_group_id,
    TermKind.PRODUCT: DealProduct.product_id,
    TermKind.PROVIDER_TYPE: Partnership.provider_type_id,
    TermKind.PROFICIENCY: Partnership.proficiency_id,
}
_STAGE_REFERENCES = (LeadRecipient.stage_id, Deal.stage_id)
_CENT = Decimal("0.01")
_MAX_AMOUNT = Decimal(10_000_000)
_TRUE = ("on", "true", "1")
_FALSE = ("", "off", "false", "0")


@dataclass(frozen=True, slots=True)
class TermView:
    id: int
    kind: str
    name: str
    position: int
    archived: bool
    in_use: int  # how many records reference the term


@dataclass(frozen=True, slots=True)
class StageView:
    id: int
    pipeline: str
    name: str
    position: int
    probability: int
    outcome: str  # "open" | "won" | "lost"
    archived: bool
    in_use: int  # how many lead recipients and deals are at the stage


@dataclass(frozen=True, slots=True)
class RulesView:
    protection_days: int
    lead_accept_hours: int
    default_commission_pct: Decimal
    referral_credit_amount: Decimal
    payout_threshold: Decimal
    currency: str
    auto_apply_credits: bool


LOST_REASONS = ["No budget", "Chose a competitor", "No response", "Not a fit", "Bad timing"]
DEFAULT_TERMS: dict[str, dict[str, list[str]]] = {
    OrgKind.PROVIDER: {
        TermKind.PARTNER_STATUS: ["Beginner", "Intermediate", "Expert"],
        TermKind.PARTNER_TYPE: ["Reseller", "Implementation partner", "Referral partner"],
        TermKind.PARTNER_TIER: ["Gold", "Silver", "Bronze"],
        TermKind.LOST_REASON: LOST_REASONS,
    },
    OrgKind.CONSULTANT: {
        TermKind.PROVIDER_TYPE: ["ERP", "HRM", "Accounting", "CRM"],
        TermKind.PROFICIENCY: ["Beginner", "Intermediate", "Expert"],
    },
}

# (name, probability %, is_won, is_lost)
DEFAULT_STAGES: dict[str, list[tuple[str, int, bool, bool]]] = {
    Pipeline.LEAD: [
        ("New", 10, False, False),
        ("Contacted", 20, False, False),
        ("Qualified", 40, False, False),
    ],
    Pipeline.DEAL: [
        ("Qualification", 10, False, False),
        ("Discovery", 25, False, False),
        ("Proposal", 50, False, False),
        ("Negotiation", 75, False, False),
        ("Closed Won", 100, True, False),
        ("Closed Lost", 0, False, True),
    ],
}


def seed_defaults(session: Session, *, org: Organization) -> None:
    """Give a new organization its default terms, stages (providers) and settings."""
    for kind, names in DEFAULT_TERMS[org.kind].items():
        for position, name in enumerate(names):
            session.add(TaxonomyTerm(org_id=org.id, kind=kind, name=name, position=position))
    if org.kind == OrgKind.PROVIDER:
        for pipeline, stages in DEFAULT_STAGES.items():
            for position, (name, probability, won, lost) in enumerate(stages):
                session.add(
                    Stage(
                        org_id=org.id,
                        pipeline=pipeline,
                        name=name,
                        position=position,
                        probability=probability,
                        is_won=won,
                        is_lost=lost,
                    )
                )
    session.add(OrgSettings(org_id=org.id))


# Taxonomy terms ------------------------------------------------------------------------------


def terms(session: Session, *, actor: Actor, kind: object) -> list[TermView]:
    """Every term of one kind: active ones by position, then archived ones by name."""
    kind = _term_kind(actor, kind)
    rows = session.exec(select(TaxonomyTerm).where(*_term_scope(actor.org_id, kind))).all()
    return _term_views(session, kind, _listed(rows))


def active_terms(session: Session, *, actor: Actor, kind: object) -> list[TermView]:
    """The terms of one kind that can be chosen, by position (for pickers)."""
    kind = _term_kind(actor, kind)
    return _term_views(
        session, kind, _active(session, TaxonomyTerm, _term_scope(actor.org_id, kind))
    )


def add_term(session: Session, *, actor: Actor, kind: object, name: object) -> TermView:
    """Append a new term to a list."""
    actor.require_admin()
    kind = _term_kind(actor, kind)
    name = _name(name)
    scope = _term_scope(actor.org_id, kind)
    _require_unique_name(session, TaxonomyTerm, scope, name)
    term = TaxonomyTerm(org_id=actor.org_id, kind=kind, name=name)
    _append(session, term, _active(session, TaxonomyTerm, scope))
    after = {"kind": kind.value, "name": name, "position": term.position}
    activity.record(session, actor=actor, subject=term, action="created", after=after)
    return _term_views(session, kind, [term])[0]


def rename_term(session: Session, *, actor: Actor, term_id: object, name: object) -> TermView:
    """Rename a term (names stay unique in their list, whatever the case)."""
    term = _term(session, actor, term_id)
    name = _name(name)
    if name != term.name:
        scope = _term_scope(term.org_id, term.kind)
        _require_unique_name(session, TaxonomyTerm, scope, name, allowed_id=term.id)
        before = {"name": term.name}
        term.name = name
        session.add(term)
        activity.record(
            session,
            actor=actor,
            subject=term,
            action="renamed",
            before=before,
            after={"name": name},
        )
    return _term_views(session, term.kind, [term])[0]


def move_term(session: Session, *, actor: Actor, term_id: object, direction: object) -> None:
    """Move a term one place up or down among the active terms of its kind."""
    term = _term(session, actor, term_id)
    siblings = _active(session, TaxonomyTerm, _term_scope(term.org_id, term.kind))
    _move(session, actor, term, siblings, direction)


def remove_term(session: Session, *, actor: Actor, term_id: object) -> str:
    """Delete an unused term ("deleted") or archive a term in use ("archived")."""
    term = _term(session, actor, term_id)
    in_use = _usage(session, _references(term.kind), [term.id])[term.id]
    return _remove(session, actor, term, in_use, _term_scope(term.org_id, term.kind))


def restore_term(session: Session, *, actor: Actor, term_id: object) -> None:
    """Bring back an archived term, placed last."""
    term = _term(session, actor, term_id)
    _restore(session, actor, term, _term_scope(term.org_id, term.kind))


def _term_kind(actor: Actor, kind: object) -> TermKind:
    if kind not in _TERM_KINDS[actor.org_kind]:
        raise Invalid("Your organization has no such list.", field="kind")
    return TermKind(kind)


def _term_scope(org_id: int, kind: str) -> tuple:
    return (TaxonomyTerm.org_id == org_id, TaxonomyTerm.kind == kind)


def _references(kind: str) -> list:
    return [_TERM_REFERENCES[kind]] if kind in _TERM_REFERENCES else []


def _term(session: Session, actor: Actor, term_id: object) -> TaxonomyTerm:
    """One of the caller's organization's terms, for an administrator to change."""
    actor.require_admin()
    term = session.get(TaxonomyTerm, inputs.record_id(term_id, what="term"))
    if term is None or term.org_id != actor.org_id:
        raise NotFound("That term does not exist or is not visible to you.")
    return term


def _term_views(session: Session, kind: str, rows: Sequence[TaxonomyTerm]) -> list[TermView]:
    usage = _usage(session, _references(kind), [t.id for t in rows])
    return [
        TermView(t.id, str(t.kind), t.name, t.position, t.archived_at is not None, usage[t.id])
        for t in rows
    ]


# Pipeline stages -----------------------------------------------------------------------------


def stages(session: Session, *, actor: Actor, pipeline: object) -> list[StageView]:
    """Every stage of a provider's pipeline: active ones by position, then archived by name."""
    pipeline = _pipeline(actor, pipeline)
    rows = session.exec(select(Stage).where(*_stage_scope(actor.org_id, pipeline))).all()
    return _stage_views(session, _listed(rows))


def add_stage(
    session: Session, *, actor: Actor, pipeline: object, name: object, probability: object
) -> StageView:
    """Add a new open stage: last among the open stages, before the closing (won/lost) ones."""
    actor.require_admin()
    pipeline = _pipeline(actor, pipeline)
    name = _name(name)
    probability = _probability(probability)
    scope = _stage_scope(actor.org_id, pipeline)
    _require_unique_name(session, Stage, scope, name)
    stage = Stage(org_id=actor.org_id, pipeline=pipeline, name=name, probability=probability)
    active = _active(session, Stage, scope)
    closing = [s for s in active if s.is_won or s.is_lost]
    _append(session, stage, [s for s in active if s not in closing], after=closing)
    activity.record(
        session,
        actor=actor,
        subject=stage,
        action="created",
        after={"pipeline": pipeline.value, **_stage_state(stage)},
    )
    return _stage_views(session, [stage])[0]


def update_stage(
    session: Session,
    *,
    actor: Actor,
    stage_id: object,
    name: object,
    probability: object,
    outcome: object,
) -> StageView:
    """Rename a stage and set its outcome and probability (won is 100 %, lost 0 %, forced).

    A deal pipeline keeps exactly one active won and one active lost stage: marking a stage won
    (or lost) takes the flag from the stage that had it, which becomes open.
    """
    stage = _stage(session, actor, stage_id)
    name = _name(name)
    if outcome not in OUTCOMES:
        raise Invalid("Choose an outcome: open, won or lost.", field="outcome")
    outcome = Outcome(outcome)
    if outcome == Outcome.OPEN:
        probability = _probability(probability)
    else:
        probability = 100 if outcome == Outcome.WON else 0
    if name != stage.name:
        scope = _stage_scope(stage.org_id, stage.pipeline)
        _require_unique_name(session, Stage, scope, name, allowed_id=stage.id)
    if outcome != _outcome(stage):
        _take_outcome(session, actor, stage, outcome)
    before = _stage_state(stage)
    stage.name, stage.probability = name, probability
    stage.is_won, stage.is_lost = outcome == Outcome.WON, outcome == Outcome.LOST
    session.add(stage)
    after = _stage_state(stage)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        activity.record(
            session,
            actor=actor,
            subject=stage,
            action="updated",
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    return _stage_views(session, [stage])[0]


def move_stage(session: Session, *, actor: Actor, stage_id: object, direction: object) -> None:
    """Move a stage one place up or down among the active stages of its pipeline."""
    stage = _stage(session, actor, stage_id)
    siblings = _active(session, Stage, _stage_scope(stage.org_id, stage.pipeline))
    _move(session, actor, stage, siblings, direction)


def remove_stage(session: Session, *, actor: Actor, stage_id: object) -> str:
    """Delete an unused stage ("deleted") or archive a stage in use ("archived")."""
    stage = _stage(session, actor, stage_id)
    if stage.archived_at is None and _outcome(stage) != Outcome.OPEN:
        raise Invalid(_needs_outcome(_outcome(stage)))
    in_use = _usage(session, _STAGE_REFERENCES, [stage.id])[stage.id]
    return _remove(session, actor, stage, in_use, _stage_scope(stage.org_id, stage.pipeline))


def restore_stage(session: Session, *, actor: Actor, stage_id: object) -> None:
    """Bring back an archived stage, placed last."""
    stage = _stage(session, actor, stage_id)
    _restore(session, actor, stage, _stage_scope(stage.org_id, stage.pipeline))


def _pipeline(actor: Actor, pipeline: object) -> Pipeline:
    actor.require_kind(OrgKind.PROVIDER)
    if pipeline not in PIPELINES:
        raise Invalid("Choose the lead or the deal pipeline.", field="pipeline")
    return Pipeline(pipeline)


def _stage_scope(org_id: int, pipeline: str) -> tuple:
    return (Stage.org_id == org_id, Stage.pipeline == pipeline)


def _stage(session: Session, actor: Actor, stage_id: object) -> Stage:
    """One of the caller's provider organization's stages, for an administrator to change."""
    actor.require_admin()
    actor.require_kind(OrgKind.PROVIDER)
    stage = session.get(Stage, inputs.record_id(stage_id, what="stage"))
    if stage is None or stage.org_id != actor.org_id:
        raise NotFound("That stage does not exist or is not visible to you.")
    return stage


def _outcome(stage: Stage) -> Outcome:
    return Outcome.WON if stage.is_won else Outcome.LOST if stage.is_lost else Outcome.OPEN


def _needs_outcome(outcome: str) -> str:
    return f"The deal pipeline needs a {outcome} stage: mark another stage as {outcome} first."


def _take_outcome(session: Session, actor: Actor, stage: Stage, outcome: Outcome) -> None:
    """Check that `stage` may change to `outcome`; a won/lost flag leaves its previous stage."""
    if stage.archived_at is None and _outcome(stage) != Outcome.OPEN:
        raise Invalid(_needs_outcome(_outcome(stage)), field="outcome")
    if outcome == Outcome.OPEN:
        return
    if stage.pipeline != Pipeline.DEAL:
        raise Invalid("Only deal stages can be won or lost.", field="outcome")
    if stage.archived_at is not None:
        raise Invalid("Restore this stage before marking it won or lost.", field="outcome")
    flag = Stage.is_won if outcome == Outcome.WON else Stage.is_lost
    previous_holders = session.exec(
        select(Stage).where(
            *_stage_scope(stage.org_id, stage.pipeline),
            col(Stage.archived_at).is_(None),
            col(flag).is_(True),
        )
    ).all()
    for previous in previous_holders:
        previous.is_won = previous.is_lost = False
        session.add(previous)
        activity.record(
            session,
            actor=actor,
            subject=previous,
            action="updated",
            before={"outcome": outcome.value},
            after={"outcome": "open"},
        )


def _stage_state(stage: Stage) -> dict[str, Any]:
    return {"name": stage.name, "probability": stage.probability, "outcome": _outcome(stage).value}


def _probability(value: object) -> int:
    return _whole_number(value, field="probability", label="Probability", low=0, high=100)


def _stage_views(session: Session, rows: Sequence[Stage]) -> list[StageView]:
    usage = _usage(session, _STAGE_REFERENCES, [s.id for s in rows])
    return [
        StageView(
            s.id,
            str(s.pipeline),
            s.name,
            s.position,
            s.probability,
            _outcome(s).value,
            s.archived_at is not None,
            usage[s.id],
        )
        for s in rows
    ]


# Program rules -------------------------------------------------------------------------------


def rules(session: Session, *, actor: Actor) -> RulesView:
    """A provider's program rules."""
    actor.require_kind(OrgKind.PROVIDER)
    return _rules_view(session.get(OrgSettings, actor.org_id))


def update_rules(
    session: Session,
    *,
    actor: Actor,
    protection_days: object,
    lead_accept_hours: object,
    default_commission_pct: object,
    referral_credit_amount: object,
    payout_threshold: object,
    currency: object,
    auto_apply_credits: object,
) -> RulesView:
    """Change a provider's program rules; values may be the strings of a submitted form."""
    actor.require_admin()
    actor.require_kind(OrgKind.PROVIDER)
    values = {
        "protection_days": _whole_number(
            protection_days, field="protection_days", label="Protection days", low=1, high=3650
        ),
        "lead_accept_hours": _whole_number(
            lead_accept_hours,
            field="lead_accept_hours",
            label="Hours to accept a lead",
            low=1,
            high=8760,
        ),
        "default_commission_pct": _amount(
            default_commission_pct,
            field="default_commission_pct",
            label="Default commission",
            high=Decimal(100),
        ),
        "referral_credit_amount": _amount(
            referral_credit_amount,
            field="referral_credit_amount",
            label="Referral credit",
            high=_MAX_AMOUNT,
        ),
        "payout_threshold": _amount(
            payout_threshold, field="payout_threshold", label="Payout threshold", high=_MAX_AMOUNT
        ),
        "currency": _currency(currency),
        "auto_apply_credits": _flag(auto_apply_credits, field="auto_apply_credits"),
    }
    settings = session.get(OrgSettings, actor.org_id)
    before = _rules_record(settings)
    for key, value in values.items():
        setattr(settings, key, value)
    session.add(settings)
    after = _rules_record(settings)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        activity.record(
            session,
            actor=actor,
            subject=settings,
            action="updated",
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    return _rules_view(settings)


def _rules_view(settings: OrgSettings) -> RulesView:
    return RulesView(
        protection_days=settings.protection_days,
        lead_accept_hours=settings.lead_accept_hours,
        default_commission_pct=settings.default_commission_pct.quantize(_CENT),
        referral_credit_amount=settings.referral_credit_amount.quantize(_CENT),
        payout_threshold=settings.payout_threshold.quantize(_CENT),
        currency=settings.currency,
        auto_apply_credits=settings.auto_apply_credits,
    )


def _rules_record(settings: OrgSettings) -> dict[str, Any]:
    """The rules as JSON for the activity trail (amounts as strings)."""
    return {
        key: str(value) if isinstance(value, Decimal) else value
        for key, value in asdict(_rules_view(settings)).items()
    }


def _whole_number(value: object, *, field: str, label: str, low: int, high: int) -> int:
    """An int, or a string of digits, from low to high."""
    if isinstance(value, str):
        digits = value.strip()
        value = int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 12 else None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Invalid(f"{label} must be a whole number from {low} to {high}.", field=field)
    return value


def _amount(value: object, *, field: str, label: str, high: Decimal) -> Decimal:
    """A number from 0 to high with at most two decimals, from a number or a string."""
    if isinstance(value, str) and len(value) <= 30:
        with suppress(InvalidOperation):
            value = Decimal(value.strip())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        value = Decimal(str(value))
    if (
        not isinstance(value, Decimal)
        or not value.is_finite()
        or not 0 <= value <= high
        or value != value.quantize(_CENT)
    ):
        raise Invalid(
            f"{label} must be a number from 0 to {high:,} with at most two decimals.", field=field
        )
    return abs(value).quantize(_CENT)  # abs: "-0" is stored as 0.00


def _currency(value: object) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if code not in CURRENCIES:
        raise Invalid(f"Choose a currency: {', '.join(CURRENCIES)}.", field="currency")
    return code


def _flag(value: object, *, field: str) -> bool:
    """A checkbox: a bool, or what a form sends ("on"; "" or nothing when unchecked)."""
    if isinstance(value, bool):
        return value
    if value is None:  # an unchecked checkbox is left out of a form
        return False
    text = value.strip().lower() if isinstance(value, str) else None
    if text not in _TRUE + _FALSE:
        raise Invalid("Choose yes or no.", field=field)
    return text in _TRUE


# Shared by terms and stages ------------------------------------------------------------------


def _name(value: object) -> str:
    return inputs.text(value, field="name", label="Name", max_len=100)


def _require_unique_name(
    session: Session, model: type, scope: tuple, name: str, *, allowed_id: int | None = None
) -> None:
    """Refuse a name already in the list (archived entries included), whatever its case."""
    taken = session.exec(select(model.id, model.name).where(*scope)).all()
    if any(other.casefold() == name.casefold() and id_ != allowed_id for id_, other in taken):
        raise Invalid(f"\u201c{name}\u201d is already in this list.", field="name")


def _listed(rows: Sequence) -> list:
    """Active entries by position, then archived ones by name."""
    return sorted(
        rows,
        key=lambda r: (
            r.archived_at is not None,
            r.position if r.archived_at is None else 0,
            r.name.casefold(),
        ),
    )


def _active(session: Session, model: type, scope: tuple) -> list:
    """The active entries of a list, in order."""
    return list(
        session.exec(
            select(model)
            .where(*scope, col(model.archived_at).is_(None))
            .order_by(col(model.position), col(model.id))
        )
    )


def _renumber(session: Session, rows: Sequence) -> None:
    """Number the entries 0..n-1 in the given order."""
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            session.add(row)


def _append(
    session: Session, row: TaxonomyTerm | Stage, active: list, *, after: Sequence = ()
) -> None:
    """Add a new entry after the active ones (and before `after`) and give it its id."""
    session.add(row)
    _renumber(session, [*active, row, *after])
    session.flush()


def _usage(session: Session, columns: Sequence, ids: Sequence[int]) -> Counter[int]:
    """How many rows of `columns` reference each of `ids` (one COUNT query per column)."""
    counts: Counter[int] = Counter()
    for column in columns if ids else ():
        counts.update(
            dict(
                session.exec(
                    select(column, func.count()).where(col(column).in_(ids)).group_by(column)
                ).all()
            )
        )
    return counts


def _move(
    session: Session, actor: Actor, row: TaxonomyTerm | Stage, active: list, direction: object
) -> None:
    """Swap an active entry with its neighbour above or below; at an end nothing happens."""
    if direction not in DIRECTIONS:
        raise Invalid("Move it up or down.", field="direction")
    if row.archived_at is not None:
        raise Invalid("Restore it before moving it.")
    index = [r.id for r in active].index(row.id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(active):
        return
    before = row.position
    active[index], active[other] = active[other], active[index]
    _renumber(session, active)
    activity.record(
        session,
        actor=actor,
        subject=row,
        action="moved",
        before={"position": before},
        after={"position": row.position},
    )


def _remove(
    session: Session, actor: Actor, row: TaxonomyTerm | Stage, in_use: int, scope: tuple
) -> str:
    """Delete an unused entry, or archive one in use; close the gap it leaves."""
    if in_use:
        if row.archived_at is None:
            row.archived_at = utcnow()
            session.add(row)
            _renumber(session, _active(session, type(row), scope))
            activity.record(
                session, actor=actor, subject=row, action="archived", after={"in_use": in_use}
            )
        return "archived"
    activity.record(session, actor=actor, subject=row, action="deleted", before={"name": row.name})
    session.delete(row)
    _renumber(session, _active(session, type(row), scope))
    return "deleted"


def _restore(session: Session, actor: Actor, row: TaxonomyTerm | Stage, scope: tuple) -> None:
    """Un-archive an entry, placed after the active ones."""
    if row.archived_at is None:
        return
    active = _active(session, type(row), scope)
    row.archived_at = None
    session.add(row)
    _renumber(session, [*active, row])
    activity.record(
        session, actor=actor, subject=row, action="restored", after={"position": row.position}
    )

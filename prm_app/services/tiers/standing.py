"""What the provider does on a partner's card: set the tier by hand (kept until cleared), clear
that override, accept or dismiss a suggestion, tick certifications; and the card's tier part."""

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlmodel import Session, col, select

from ...models import (
    OrgKind,
    PartnerCertification,
    Partnership,
    PartnershipStatus,
    TaxonomyTerm,
    TermKind,
    TierCause,
    TierChange,
    User,
)
from ..core import activity, changes, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from ..partnerships.common import NOT_VISIBLE, load, require_manager
from .criteria import describe
from .moves import CAUSES, record, set_by_hand, standing_of, tier_name
from .rules import NO_TIER, tier_term

HISTORY_LIMIT = 50


def set_tier(session: Session, *, actor: Actor, partnership_id: object, tier_id: object) -> None:
    """A manager sets the partner's tier ("": no tier); the rules leave it alone until the
    override is cleared."""
    partnership = _partner(session, actor, partnership_id)
    to_tier = None if tier_id == "" else tier_term(session, actor.org_id, tier_id).id
    set_by_hand(session, partnership=partnership, to_tier_id=to_tier, actor=actor)


def clear_override(session: Session, *, actor: Actor, partnership_id: object) -> None:
    """The rules decide again, from the next recompute."""
    partnership = _partner(session, actor, partnership_id)
    standing = standing_of(session, partnership.id)
    if standing.overridden_at is None:
        raise Invalid("This partner's tier is not set by hand.", field="tier")
    standing.overridden_by_id = standing.overridden_at = None
    session.add(standing)
    record(
        session,
        partnership=partnership,
        to_tier_id=partnership.partner_tier_id,
        cause=TierCause.OVERRIDE_CLEARED,
        actor=actor,
    )


def accept_suggestion(session: Session, *, actor: Actor, partnership_id: object) -> None:
    partnership = _partner(session, actor, partnership_id)
    standing = standing_of(session, partnership.id)
    if not standing.suggested:
        raise Invalid("There is no tier suggestion for this partner any more.", field="tier")
    record(
        session,
        partnership=partnership,
        to_tier_id=standing.suggested_tier_id,
        cause=TierCause.SUGGESTION_ACCEPTED,
        actor=actor,
        figures=standing.suggested_figures,
    )


def dismiss_suggestion(session: Session, *, actor: Actor, partnership_id: object) -> None:
    """Not now: the same suggestion is not made again until the rules' outcome differs."""
    partnership = _partner(session, actor, partnership_id)
    standing = standing_of(session, partnership.id)
    if not standing.suggested:
        raise Invalid("There is no tier suggestion for this partner any more.", field="tier")
    standing.suggested = False
    session.add(standing)
    activity.record(
        session,
        actor=actor,
        subject=partnership,
        action="tier_suggestion_dismissed",
        after={"tier": tier_name(session, standing.suggested_tier_id)},
    )
    changes.touched(session, changes.Topic.PARTNERS, actor.org_id)


def set_certification(
    session: Session, *, actor: Actor, partnership_id: object, term_id: object, ticked: object
) -> None:
    """Tick or untick one of the provider's certifications on the partner's card."""
    partnership = _partner(session, actor, partnership_id)
    term_id = inputs.record_id(term_id, what="certification")
    term = session.exec(
        select(TaxonomyTerm).where(
            TaxonomyTerm.id == term_id,
            TaxonomyTerm.org_id == actor.org_id,
            TaxonomyTerm.kind == TermKind.CERTIFICATION,
            col(TaxonomyTerm.archived_at).is_(None),
        )
    ).first()
    if term is None:
        raise NotFound("That certification does not exist or is not visible to you.")
    if not isinstance(ticked, bool):
        raise Invalid("Tick or untick the certification.", field="ticked")
    held = session.get(PartnerCertification, (partnership.id, term.id))
    if ticked == (held is not None):
        return
    if ticked:
        assert partnership.id is not None and term.id is not None
        session.add(
            PartnerCertification(
                partnership_id=partnership.id, term_id=term.id, ticked_by_id=actor.user_id
            )
        )
    else:
        session.delete(held)
    activity.record(
        session,
        actor=actor,
        subject=partnership,
        action="certified" if ticked else "certification_removed",
        after={"certification": term.name},
    )
    changes.touched(session, changes.Topic.PARTNERS, actor.org_id)


@dataclass(frozen=True, slots=True)
class Certification:
    term_id: int
    name: str
    ticked: bool


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime
    cause: str
    who: str
    from_tier: str
    to_tier: str
    figures: str  # "Won revenue 12000.00 · Deals won 3 · ... (365 days)"


@dataclass(frozen=True, slots=True)
class TierCard:
    tier: str
    overridden: bool
    suggestion: str  # the suggested tier's name ("No tier"), "" when none is pending
    suggestion_figures: str
    certifications: list[Certification]
    history: list[HistoryEntry]


def tier_card(session: Session, *, actor: Actor, partnership_id: object) -> TierCard:
    """The tier part of the provider's partner card (anyone in the provider reads it)."""
    actor.require_kind(OrgKind.PROVIDER)
    partnership_id = inputs.record_id(partnership_id, what="partnership")
    partnership = session.exec(
        select(Partnership).where(
            Partnership.id == partnership_id, Partnership.provider_org_id == actor.org_id
        )
    ).first()
    if partnership is None or partnership.status not in (
        PartnershipStatus.ACTIVE,
        PartnershipStatus.ENDED,
    ):
        raise NotFound(NOT_VISIBLE)
    standing = standing_of(session, partnership.id)
    ticked = set(
        session.exec(
            select(PartnerCertification.term_id).where(
                PartnerCertification.partnership_id == partnership.id
            )
        ).all()
    )
    certifications = [
        Certification(cast(int, term.id), term.name, term.id in ticked)
        for term in session.exec(
            select(TaxonomyTerm)
            .where(
                TaxonomyTerm.org_id == actor.org_id,
                TaxonomyTerm.kind == TermKind.CERTIFICATION,
                col(TaxonomyTerm.archived_at).is_(None),
            )
            .order_by(col(TaxonomyTerm.position), col(TaxonomyTerm.id))
        )
    ]
    rows = session.exec(
        select(TierChange, User.name)
        .outerjoin(User, col(User.id) == TierChange.actor_id)
        .where(TierChange.partnership_id == partnership.id)
        .order_by(col(TierChange.id).desc())
        .limit(HISTORY_LIMIT)
    ).all()
    history = [
        HistoryEntry(
            at=change.created_at,
            cause=CAUSES[TierCause(change.cause)],
            who=name or "Automatically",
            from_tier=change.from_tier or NO_TIER,
            to_tier=change.to_tier or NO_TIER,
            figures=describe(change.figures),
        )
        for change, name in rows
    ]
    return TierCard(
        tier=tier_name(session, partnership.partner_tier_id) or NO_TIER,
        overridden=standing.overridden_at is not None,
        suggestion=(tier_name(session, standing.suggested_tier_id) or NO_TIER)
        if standing.suggested
        else "",
        suggestion_figures=describe(standing.suggested_figures or {}) if standing.suggested else "",
        certifications=certifications,
        history=history,
    )


def _partner(session: Session, actor: Actor, partnership_id: object) -> Partnership:
    require_manager(actor, OrgKind.PROVIDER)
    partnership = load(session, actor, partnership_id)
    if partnership.status != PartnershipStatus.ACTIVE or partnership.consultant_org_id is None:
        raise NotFound(NOT_VISIBLE)
    return partnership

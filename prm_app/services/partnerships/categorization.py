"""Each side's categorization of an active partnership (the provider's and the consultant's)."""

from sqlmodel import Session, col, select

from ...models import OrgKind, Partnership, TaxonomyTerm, TermKind, utcnow
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from ..identity import team
from ..tiers import moves as tier_moves
from .common import load, require_active, require_manager, touched

# Categorization fields: (term kind, label); a kind of None means a member of the organization.
_PARTNER_FIELDS: dict[str, tuple[TermKind | None, str]] = {
    "partner_type_id": (TermKind.PARTNER_TYPE, "partner type"),
    "partner_status_id": (TermKind.PARTNER_STATUS, "partner status"),
    "partner_tier_id": (TermKind.PARTNER_TIER, "partner tier"),
    "partner_group_id": (TermKind.PARTNER_GROUP, "partner group"),
    "partner_manager_id": (None, "partner manager"),
}


_PROVIDER_FIELDS: dict[str, tuple[TermKind | None, str]] = {
    "provider_type_id": (TermKind.PROVIDER_TYPE, "provider type"),
    "proficiency_id": (TermKind.PROFICIENCY, "proficiency"),
    "assigned_user_id": (None, "assigned user"),
}


def categorize_partner(
    session: Session,
    *,
    actor: Actor,
    partnership_id: object,
    partner_type_id: object,
    partner_status_id: object,
    partner_tier_id: object,
    partner_group_id: object,
    partner_manager_id: object,
) -> None:
    """The provider's categorization of a partner; None or "" clears a field."""
    require_manager(actor, OrgKind.PROVIDER)
    partnership = load(session, actor, partnership_id)
    require_active(partnership)
    given = {
        "partner_type_id": partner_type_id,
        "partner_status_id": partner_status_id,
        "partner_tier_id": partner_tier_id,
        "partner_group_id": partner_group_id,
        "partner_manager_id": partner_manager_id,
    }
    values = _categorization(session, actor, partnership, _PARTNER_FIELDS, given, required=False)
    was = partnership.partner_tier_id
    _apply(session, actor, partnership, values)
    if partnership.partner_tier_id != was:  # a tier set by hand: history, kept until cleared
        tier_moves.set_by_hand(
            session,
            partnership=partnership,
            to_tier_id=partnership.partner_tier_id,
            actor=actor,
            from_tier_id=was,
        )


def categorize_provider(
    session: Session,
    *,
    actor: Actor,
    partnership_id: object,
    provider_type_id: object,
    proficiency_id: object,
    assigned_user_id: object,
) -> None:
    """The consultant's categorization of a provider (all fields required): leads may follow."""
    require_manager(actor, OrgKind.CONSULTANT)
    partnership = load(session, actor, partnership_id)
    require_active(partnership)
    given = {
        "provider_type_id": provider_type_id,
        "proficiency_id": proficiency_id,
        "assigned_user_id": assigned_user_id,
    }
    values = _categorization(session, actor, partnership, _PROVIDER_FIELDS, given, required=True)
    if _apply(session, actor, partnership, values) or partnership.categorized_at is None:
        partnership.categorized_at = utcnow()
        session.add(partnership)
        touched(session, partnership)


def _categorization(
    session: Session,
    actor: Actor,
    partnership: Partnership,
    fields: dict[str, tuple[TermKind | None, str]],
    given: dict[str, object],
    *,
    required: bool,
) -> dict[str, int | None]:
    """Validated new values of categorization fields.

    Each id must be an unarchived term of the right kind, or an active member, of the actor's
    organization; a field's current value is always accepted (it may have been archived since).
    """
    values: dict[str, int | None] = {}
    for field, (_, label) in fields.items():
        value = given[field]
        if value is None or value == "":
            if required:
                raise Invalid(f"Choose a {label}.", field=field)
            values[field] = None
        else:
            values[field] = inputs.record_id(value, what=label)
    changed = {f: v for f, v in values.items() if v is not None and v != getattr(partnership, f)}
    terms = _terms(session, actor.org_id, [v for f, v in changed.items() if fields[f][0]])
    for field, value in changed.items():
        kind, label = fields[field]
        if kind is None:
            team.active_member(session, org_id=actor.org_id, user_id=value, field=field)
            continue
        term = terms.get(value)
        if term is None or term.kind != kind:
            raise NotFound(f"That {label} does not exist or is not visible to you.")
        if term.archived_at is not None:
            raise Invalid(f"{term.name} is archived: choose another {label}.", field=field)
    return values


def _terms(session: Session, org_id: int, ids: list[int]) -> dict[int, TaxonomyTerm]:
    """The organization's terms among `ids`, by id (one query)."""
    if not ids:
        return {}
    rows = session.exec(
        select(TaxonomyTerm).where(col(TaxonomyTerm.id).in_(ids), TaxonomyTerm.org_id == org_id)
    )
    return {term.id: term for term in rows}


def _apply(
    session: Session, actor: Actor, partnership: Partnership, values: dict[str, int | None]
) -> bool:
    """Set the changed values and record them; whether anything changed."""
    before = {f: getattr(partnership, f) for f, v in values.items() if getattr(partnership, f) != v}
    if not before:
        return False
    after = {f: values[f] for f in before}
    for field, value in after.items():
        setattr(partnership, field, value)
    session.add(partnership)
    touched(session, partnership)
    activity.record(
        session, actor=actor, subject=partnership, action="categorized", before=before, after=after
    )
    return True

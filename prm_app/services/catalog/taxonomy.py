"""Each organization's taxonomy terms (partner types, tiers, products, ...): read by anyone in
it, changed only by its administrators."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from ...models import (
    DealProduct,
    OrgKind,
    PartnerCertification,
    Partnership,
    TaxonomyTerm,
    TermKind,
)
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from .ordering import (
    active_rows,
    append_row,
    listed,
    move_row,
    remove_row,
    require_unique_name,
    restore_row,
    usage_counts,
    valid_name,
)

PROVIDER_TERM_KINDS = (
    TermKind.PARTNER_STATUS,
    TermKind.PARTNER_TYPE,
    TermKind.PARTNER_TIER,
    TermKind.PARTNER_GROUP,
    TermKind.PRODUCT,
    TermKind.LOST_REASON,
    TermKind.CERTIFICATION,
)


CONSULTANT_TERM_KINDS = (TermKind.PROVIDER_TYPE, TermKind.PROFICIENCY)


_TERM_KINDS = {OrgKind.PROVIDER: PROVIDER_TERM_KINDS, OrgKind.CONSULTANT: CONSULTANT_TERM_KINDS}


# The column that references a term of each kind (a term is "in use" while one does). Lost
# reasons are copied as text onto what they close, so they are never in use.
_TERM_REFERENCES = {
    TermKind.PARTNER_STATUS: Partnership.partner_status_id,
    TermKind.PARTNER_TYPE: Partnership.partner_type_id,
    TermKind.PARTNER_TIER: Partnership.partner_tier_id,
    TermKind.PARTNER_GROUP: Partnership.partner_group_id,
    TermKind.PRODUCT: DealProduct.product_id,
    TermKind.CERTIFICATION: PartnerCertification.term_id,
    TermKind.PROVIDER_TYPE: Partnership.provider_type_id,
    TermKind.PROFICIENCY: Partnership.proficiency_id,
}


@dataclass(frozen=True, slots=True)
class TermView:
    id: int
    kind: str
    name: str
    position: int
    archived: bool
    in_use: int  # how many records reference the term


def terms(session: Session, *, actor: Actor, kind: object) -> list[TermView]:
    """Every term of one kind: active ones by position, then archived ones by name."""
    kind = _term_kind(actor, kind)
    rows = session.exec(select(TaxonomyTerm).where(*_term_scope(actor.org_id, kind))).all()
    return _term_views(session, kind, listed(rows))


def active_terms(session: Session, *, actor: Actor, kind: object) -> list[TermView]:
    """The terms of one kind that can be chosen, by position (for pickers)."""
    kind = _term_kind(actor, kind)
    return _term_views(
        session, kind, active_rows(session, TaxonomyTerm, _term_scope(actor.org_id, kind))
    )


PLACES = ("bottom", "top")


def add_term(
    session: Session, *, actor: Actor, kind: object, name: object, place: object = "bottom"
) -> TermView:
    """Add a new term at the end of a list, or with `place` "top" at its start (an ordered
    list such as the partner tiers, highest first, takes a new highest tier there)."""
    actor.require_admin()
    kind = _term_kind(actor, kind)
    name = valid_name(name)
    if place not in PLACES:
        raise Invalid("Add it at the top or at the bottom of the list.", field="place")
    scope = _term_scope(actor.org_id, kind)
    require_unique_name(session, TaxonomyTerm, scope, name)
    term = TaxonomyTerm(org_id=actor.org_id, kind=kind, name=name)
    active = active_rows(session, TaxonomyTerm, scope)
    if place == "top":
        append_row(session, term, [], after=active)
    else:
        append_row(session, term, active)
    after = {"kind": kind.value, "name": name, "position": term.position}
    activity.record(session, actor=actor, subject=term, action="created", after=after)
    return _term_views(session, kind, [term])[0]


def rename_term(session: Session, *, actor: Actor, term_id: object, name: object) -> TermView:
    """Rename a term (names stay unique in their list, whatever the case)."""
    term = _term(session, actor, term_id)
    name = valid_name(name)
    if name != term.name:
        scope = _term_scope(term.org_id, term.kind)
        require_unique_name(session, TaxonomyTerm, scope, name, allowed_id=term.id)
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
    siblings = active_rows(session, TaxonomyTerm, _term_scope(term.org_id, term.kind))
    move_row(session, actor, term, siblings, direction)


def remove_term(session: Session, *, actor: Actor, term_id: object) -> str:
    """Delete an unused term ("deleted") or archive a term in use ("archived")."""
    term = _term(session, actor, term_id)
    in_use = usage_counts(session, _references(term.kind), [term.id])[term.id]
    return remove_row(session, actor, term, in_use, _term_scope(term.org_id, term.kind))


def restore_term(session: Session, *, actor: Actor, term_id: object) -> None:
    """Bring back an archived term, placed last."""
    term = _term(session, actor, term_id)
    restore_row(session, actor, term, _term_scope(term.org_id, term.kind))


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
    usage = usage_counts(session, _references(kind), [t.id for t in rows])
    return [
        TermView(t.id, str(t.kind), t.name, t.position, t.archived_at is not None, usage[t.id])
        for t in rows
    ]

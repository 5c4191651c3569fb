"""A deal's custom fields, as each side sees and fills them.

A deal carries its provider's deal fields (a consultant firm defines none): the provider's own
people see and edit them all; its partner sees those not hidden from partners and fills the
editable and required ones. Every path here (Submit Deal, a lead's conversion, the deal's page,
its timeline) asks services.custom_fields.access for the acting organization's fields and reads
and writes only through them (services.custom_fields.values).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from ...models import Deal, FieldEntity, Organization
from .. import custom_fields as cf
from ..core.actor import Actor
from ..core.errors import Invalid

MAX_VALUES = 200  # names in one submission (an organization has at most 100 deal fields)


@dataclass(frozen=True, slots=True)
class CustomCard:
    """The custom fields of one deal (or of a new one) as the caller sees them: `values` holds
    only those fields' values, `org_names` names the organizations whose fields they are."""

    fields: list[cf.FieldAccess]
    values: dict[str, Any]
    org_names: dict[int, str]


def fields_for_new(session: Session, *, actor: Actor, other_org_id: int) -> list[cf.FieldAccess]:
    """The deal fields the actor fills on a deal with `other_org_id` (the organization across,
    whose partnership the caller has checked): a provider's own, or its provider's for a
    consultant firm."""
    return cf.for_viewer(
        session,
        viewer_org_id=actor.org_id,
        entity=FieldEntity.DEAL,
        counterpart_org_ids=[other_org_id],
    )


def blank_card(session: Session, *, actor: Actor, other_org_id: int) -> CustomCard:
    """The form of a new deal with `other_org_id`: its fields, no values."""
    found = fields_for_new(session, actor=actor, other_org_id=other_org_id)
    return CustomCard(found, {}, _org_names(session, found))


def card(session: Session, *, actor: Actor, deal_id: object) -> CustomCard:
    """A visible deal's fields as the caller sees them, with their values (NotFound when the
    deal is not the caller's to see)."""
    from . import visible  # the package imports this module

    deal = visible(session, actor=actor, deal_id=deal_id)
    found = cf.for_deal(session, deal, actor.org_id)
    stored = deal.custom or {}
    values = {f.name: stored[f.name] for f in found if f.name in stored}
    return CustomCard(found, values, _org_names(session, found))


def check_new(
    fields: Sequence[cf.FieldAccess],
    values: object,
    *,
    problems: Invalid | None = None,
    named_by: str = "id",
) -> cf.Written:
    """A new deal's submitted values, checked as a whole form (every required field of the
    caller's must be filled). `problems`: the rest of the form's refusal, told together with
    these fields' in one Invalid. `named_by`: "id" (forms) or "key" (the API, imports)."""
    if named_by not in ("id", "key"):
        raise ValueError(f"custom values are named by id or key, not {named_by!r}")
    found: dict[str, str] = dict(problems.problems) if problems is not None else {}
    written = cf.Written({}, {}, {})
    try:
        written = cf.write(fields, {}, submitted(values), named_by=named_by, complete=True)
    except Invalid as error:
        found.update(error.problems or {error.field or "custom": str(error)})
    if problems is not None and not found:
        raise problems
    if found:
        first = next(iter(found))
        raise Invalid(found[first], field=first, problems=found)
    return written


def carried(fields: Sequence[cf.FieldAccess], earlier: Deal) -> dict[str, object]:
    """The values of an earlier deal the caller may fill, for its resubmission."""
    stored = earlier.custom or {}
    return {f.name: stored[f.name] for f in fields if f.editable and f.name in stored}


def apply_new(session: Session, *, actor: Actor, deal: Deal, written: cf.Written) -> None:
    """Give a just-built deal its checked values; the timeline shows them as set (each
    viewer only the fields it sees)."""
    cf.save(session, actor=actor, record=deal, written=written)


def set_custom(
    session: Session,
    *,
    actor: Actor,
    deal_id: object,
    version: object,
    values: object,
    named_by: str = "id",
    partial: bool = False,
) -> bool:
    """The deal page's custom fields saved by either side (every editable field of the
    caller's, as a form sends them; `partial`: only those named, as an API PATCH, `named_by`
    "key"): checked, written, and on the timeline with before and after. Refused like any edit
    when the deal can no longer change or changed since (`version`, the optimistic lock).
    Returns whether anything changed."""
    from . import lifecycle  # lifecycle imports this module's helpers for registration

    deal = lifecycle.load_for_change(session, actor, deal_id, version, "edit")
    fields = cf.for_deal(session, deal, actor.org_id)
    written = cf.write(
        fields,
        deal.custom,
        submitted(values),
        named_by="key" if named_by == "key" else "id",
        complete=not partial,
    )
    if not written.after:
        return False
    deal.custom = written.custom
    lifecycle.save_change(session, actor, deal, cf.ACTION, written.before, written.after)
    return True


def submitted(values: object) -> Mapping[str, object]:
    """A client's {field: value}, refused unless it is one (any client can send anything)."""
    if values is None:
        return {}
    if not isinstance(values, Mapping) or len(values) > MAX_VALUES:
        raise Invalid("The custom fields could not be read: reload the page and try again.")
    return {str(k): v for k, v in values.items()}


def _org_names(session: Session, fields: Sequence[cf.FieldAccess]) -> dict[int, str]:
    others = {f.org_id for f in fields if not f.own}
    if not others:
        return {}
    found = session.exec(
        select(Organization.id, Organization.name).where(col(Organization.id).in_(others))
    ).all()
    return {int(org_id): name for org_id, name in found if org_id is not None}

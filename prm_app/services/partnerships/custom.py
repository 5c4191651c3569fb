"""A partnership's custom values, as each side sees and edits them (the partner card).

The provider's partner fields and the consultant's private fields on its view of that provider
live on the partnership's `custom`; each side reads and writes only the fields
services.custom_fields.access gives it (the provider's own, or the provider's non-hidden ones and
the firm's own), so a hidden field is never read out nor written from the other side.
"""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from ...models import Organization, OrgKind, Partnership, PartnershipStatus
from .. import custom_fields as cf
from ..core import inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from .common import NOT_VISIBLE, load, require_active, require_manager, touched


@dataclass(frozen=True, slots=True)
class PartnerCustom:
    """The partnership's fields the caller may see, their values, and who defined them."""

    fields: list[cf.FieldAccess]
    values: dict[str, Any]  # {field id: stored value}, of `fields` only
    org_names: dict[int, str]  # the other side's name, for its fields' heading
    can_edit: bool  # the caller may save the card (a manager, an active partnership, a field)


def partner_custom(session: Session, *, actor: Actor, partnership_id: object) -> PartnerCustom:
    """The card of a partnership of the caller's organization (either side)."""
    partnership = _visible(session, actor, partnership_id)
    fields = cf.for_partnership(session, partnership, actor.org_id)
    values = {
        s.field.name: s.value for s in cf.shown(fields, partnership.custom) if s.value is not None
    }
    other = _other(partnership, actor)
    name = session.exec(select(Organization.name).where(Organization.id == other)).one()
    return PartnerCustom(
        fields=fields,
        values=values,
        org_names={other: name},
        can_edit=(
            actor.sees_all
            and partnership.status == PartnershipStatus.ACTIVE
            and any(f.editable for f in fields)
        ),
    )


def set_custom(
    session: Session,
    *,
    actor: Actor,
    partnership_id: object,
    values: object,
    named_by: object = "id",
    complete: object = True,
) -> cf.Written:
    """Save the card: `values` is {field id: value} of every field the caller may edit (a
    form; a required one left empty is refused). With complete=False (an API PATCH) only the
    fields given change; named_by="key" names them as the API does. A field the caller may not
    edit is refused by name. Managers and admins of an active partnership's either side; one
    activity event, read back per viewer."""
    require_manager(actor)
    if not isinstance(values, dict):
        raise Invalid("Send the fields' values.", field="custom")
    if named_by not in ("id", "key") or not isinstance(complete, bool):
        raise Invalid("Name the fields by id or by key.", field="custom")
    partnership = load(session, actor, partnership_id)
    require_active(partnership)
    fields = cf.for_partnership(session, partnership, actor.org_id)
    written = cf.write(
        fields, partnership.custom, values, named_by=str(named_by), complete=complete
    )
    if cf.save(session, actor=actor, record=partnership, written=written):
        touched(session, partnership)
    return written


def _visible(session: Session, actor: Actor, partnership_id: object) -> Partnership:
    """A partnership of the caller's side that its page shows (as timeline.partner_page)."""
    partnership_id = inputs.record_id(partnership_id, what="partnership")
    partnership = session.get(Partnership, partnership_id)
    if (
        partnership is None
        or partnership.consultant_org_id is None
        or actor.org_id not in (partnership.provider_org_id, partnership.consultant_org_id)
        or actor.org_kind != _side_kind(partnership, actor)
    ):
        raise NotFound(NOT_VISIBLE)
    if actor.org_kind == OrgKind.PROVIDER and partnership.status not in (
        PartnershipStatus.ACTIVE,
        PartnershipStatus.ENDED,
    ):
        raise NotFound(NOT_VISIBLE)
    return partnership


def _side_kind(partnership: Partnership, actor: Actor) -> OrgKind:
    return OrgKind.PROVIDER if actor.org_id == partnership.provider_org_id else OrgKind.CONSULTANT


def _other(partnership: Partnership, actor: Actor) -> int:
    if actor.org_id == partnership.provider_org_id:
        assert partnership.consultant_org_id is not None
        return partnership.consultant_org_id
    return partnership.provider_org_id

"""The program setting that holds referrals and registrations until the agreements are signed.

One check, called by the deal registration service (a partner registering with its provider)
and the referral sending service (a provider sending to its partner), so the pages, the REST API
and the imports, which all go through those services, refuse with the same message. A public
web-to-lead form routes around a held partner instead (services.leads.forms): its visitor is
never told about the provider's partners.
"""

from sqlmodel import Session, select

from ...models import Organization, OrgKind, OrgSettings, Partnership, PartnershipStatus
from ..catalog import program
from ..core import activity, changes
from ..core.actor import Actor
from ..core.errors import Invalid
from . import agreements

HELD = "{provider}'s {agreement} v{version} must be signed by {partner}'s admin first."


def require_signed(
    session: Session, *, provider_org_id: int, partner_org_id: int, field: str | None = None
) -> None:
    """Refuse when the provider holds its program until signed and the partner has not signed
    the current version of every agreement asked of it (naming the first)."""
    if message := held(session, provider_org_id=provider_org_id, partner_org_id=partner_org_id):
        raise Invalid(message, field=field)


def held(session: Session, *, provider_org_id: int, partner_org_id: int | None) -> str | None:
    """Why referrals and registrations between the two wait (None: they do not)."""
    if (
        partner_org_id is None
        or not program.settings_of(session, provider_org_id).hold_until_signed
    ):
        return None
    partnership = session.exec(
        select(Partnership).where(
            Partnership.provider_org_id == provider_org_id,
            Partnership.consultant_org_id == partner_org_id,
            Partnership.status == PartnershipStatus.ACTIVE,
        )
    ).first()
    if partnership is None or partnership.id is None:
        return None  # not partners: the caller's own checks refuse
    left = agreements.unsigned(session, [partnership])[partnership.id]
    if not left:
        return None
    return HELD.format(
        provider=_name(session, provider_org_id),
        agreement=left[0].title,
        version=left[0].number,
        partner=_name(session, partner_org_id),
    )


def _name(session: Session, org_id: int) -> str:
    return session.exec(select(Organization.name).where(Organization.id == org_id)).one()


def holding(session: Session, *, actor: Actor) -> bool:
    """Whether the provider holds referrals and registrations until signed."""
    actor.require_kind(OrgKind.PROVIDER)
    return program.settings_of(session, actor.org_id).hold_until_signed


def set_holding(session: Session, *, actor: Actor, hold: object) -> None:
    """Turn the hold on or off (the provider's admins)."""
    actor.require_kind(OrgKind.PROVIDER)
    actor.require_admin()
    if not isinstance(hold, bool):
        raise Invalid("Choose whether to hold referrals and registrations.", field="hold")
    settings = session.get(OrgSettings, actor.org_id) or OrgSettings(org_id=actor.org_id)
    if settings.hold_until_signed == hold:
        return
    before = {"hold_until_signed": settings.hold_until_signed}
    settings.hold_until_signed = hold
    session.add(settings)
    session.flush()
    activity.record(
        session,
        actor=actor,
        subject=settings,
        action="updated",
        before=before,
        after={"hold_until_signed": hold},
    )
    changes.touched(session, changes.Topic.PARTNERS, actor.org_id)

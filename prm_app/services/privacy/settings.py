"""A provider's data-governance settings: referrals need the contact's permission to share
(services.leads.consent), and closed leads' contact details are stripped after N months
(services.privacy.retention; None, the default: kept)."""

from dataclasses import dataclass

from sqlmodel import Session

from ...models import OrgKind, OrgSettings
from ..core import activity, changes
from ..core.actor import Actor
from ..core.errors import Invalid

MAX_MONTHS = 120
MONTHS_RULE = f"Enter a number of months from 1 to {MAX_MONTHS}, or leave it empty to keep them."


@dataclass(frozen=True, slots=True)
class PrivacySettings:
    require_share_consent: bool
    contact_retention_months: int | None


def privacy_settings(session: Session, *, actor: Actor) -> PrivacySettings:
    """The organization's settings (its admins)."""
    actor.require_admin()
    row = session.get(OrgSettings, actor.org_id) or OrgSettings(org_id=actor.org_id)
    return PrivacySettings(row.require_share_consent, row.contact_retention_months)


def set_privacy(
    session: Session, *, actor: Actor, require_share_consent: object, retention_months: object
) -> PrivacySettings:
    """Change them (a provider's admins: the program's rules)."""
    actor.require_kind(OrgKind.PROVIDER)
    actor.require_admin()
    if not isinstance(require_share_consent, bool):
        raise Invalid("Choose whether referrals need the permission.", field="consent")
    months = _months(retention_months)
    row = session.get(OrgSettings, actor.org_id) or OrgSettings(org_id=actor.org_id)
    before = _state(row)
    row.require_share_consent = require_share_consent
    row.contact_retention_months = months
    session.add(row)
    if _state(row) != before:
        activity.record(
            session,
            actor=actor,
            subject=row,
            action="privacy_changed",
            before=before,
            after=_state(row),
        )
        changes.touched(session, changes.Topic.PRIVACY, actor.org_id)
    return PrivacySettings(require_share_consent, months)


def _months(value: object) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise Invalid(MONTHS_RULE, field="retention_months")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or not 1 <= value <= MAX_MONTHS:
        raise Invalid(MONTHS_RULE, field="retention_months")
    return value


def _state(row: OrgSettings) -> dict:
    return {
        "require_share_consent": row.require_share_consent,
        "contact_retention_months": row.contact_retention_months,
    }

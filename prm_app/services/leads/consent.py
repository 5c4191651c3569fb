"""Permission to share a contact with partners (GDPR's "permission to distribute").

A lead carries `share_consent`; a provider whose program requires it (OrgSettings.
require_share_consent) cannot send a referral without it. The one rule and its one message,
used by every way a referral is sent: the form and the REST API (leads.submit), the public web
form (through leads.submit), and the import (imports.rules, a column).
"""

from sqlmodel import Session

from ...models import OrgSettings
from ..core.errors import Invalid

FIELD = "share_consent"
LABEL = "Permission to share with partners"
REQUIRED = (
    "This referral cannot be sent: the contact has not given permission to share their "
    "details with partners."
)
NOT_A_FLAG = 'Write "yes" or "no" for the permission to share.'
_YES = {"yes", "y", "true", "1", "x", "on", "oui", "ja", "si", "sí"}
_NO = {"", "no", "n", "false", "0", "off", "non", "nein"}


def flag(value: object) -> bool:
    """A permission as a form, the API or a file cell gives it (bool, or text as yes/no)."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, str):
        said = value.strip().lower()
        if said in _YES:
            return True
        if said in _NO:
            return False
    raise Invalid(NOT_A_FLAG, field=FIELD)


def is_flag(value: str) -> bool:
    """Whether a file's cell reads as a permission (yes/no, or empty)."""
    return value.strip().lower() in _YES | _NO


def required_by(session: Session, provider_org_id: int) -> bool:
    """Whether the provider requires the contact's permission before a referral is sent."""
    found = session.get(OrgSettings, provider_org_id)
    return bool(found and found.require_share_consent)


def require(session: Session, *, provider_org_id: int, consent: bool) -> None:
    """Refuse a referral without permission when its provider requires it."""
    if not consent and required_by(session, provider_org_id):
        raise Invalid(REQUIRED, field=FIELD)

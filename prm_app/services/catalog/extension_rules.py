"""A provider's program on extending deals' protection: none, once or unlimited, and the
longest one extension may be. Administrators edit it on Settings > Rules; the deal services
(services.deals.extensions) and the reminders (services.notifications) read `closed_because`.
"""

from dataclasses import dataclass

from sqlmodel import Session

from ...models import ExtensionMode, OrgKind, OrgSettings
from ..core.actor import Actor
from ..core.errors import Invalid
from . import program_rules
from .fields import whole_number

MODES: dict[str, str] = {
    ExtensionMode.NONE: "No extensions",
    ExtensionMode.ONCE: "One extension per deal",
    ExtensionMode.UNLIMITED: "Any number of extensions, one at a time",
}
MAX_DAYS = 365
NOT_ALLOWED = "This program does not allow extensions of a deal's protection."
ONCE_USED = "This deal's protection was already extended once: the program allows one extension."
CHOOSE_MODE = "Choose whether partners may request no extension, one, or any number."


@dataclass(frozen=True, slots=True)
class ExtensionRules:
    mode: str
    max_days: int


def closed_because(mode: str, *, approved: int) -> str:
    """Why the program allows no further extension of a deal already extended `approved`
    times, or "" when it allows one."""
    if mode == ExtensionMode.UNLIMITED:
        return ""
    if mode == ExtensionMode.ONCE:
        return ONCE_USED if approved else ""
    return NOT_ALLOWED


def extension_rules(session: Session, *, actor: Actor) -> ExtensionRules:
    """A provider's extension rules."""
    actor.require_kind(OrgKind.PROVIDER)
    settings = session.get(OrgSettings, actor.org_id) or OrgSettings(org_id=actor.org_id)
    return ExtensionRules(settings.extension_mode, settings.extension_max_days)


def update_extension_rules(
    session: Session, *, actor: Actor, mode: object, max_days: object
) -> ExtensionRules:
    """Change them (admins of a provider); values may be the strings of a submitted form."""
    actor.require_admin()
    actor.require_kind(OrgKind.PROVIDER)
    if not isinstance(mode, str) or mode not in MODES:
        raise Invalid(CHOOSE_MODE, field="extension_mode")
    days = whole_number(
        max_days,
        field="extension_max_days",
        label="The longest extension (days)",
        low=1,
        high=MAX_DAYS,
    )
    program_rules.save_settings(
        session, actor=actor, values={"extension_mode": mode, "extension_max_days": days}
    )
    return ExtensionRules(mode, days)

"""Partnerships between providers and consultant firms: invite, answer, end, categorize, list.

A provider invites a firm by email. An email of a consultant's user binds the invitation to that
firm at once; any other email gets an unbound invitation whose secret token goes into a sign-up
link and is claimed by the firm created from it. Only the token's SHA-256 is stored, and a token
works only while its invitation is open. One row per (provider, consultant): inviting a firm
again reopens the earlier rejected, revoked or ended row, keeping its categorization.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ...models import (
    Membership,
    Organization,
    OrgKind,
    Partnership,
    PartnershipStatus,
    TaxonomyTerm,
    TermKind,
    User,
    utcnow,
)
from .. import notifications
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotAuthenticated, NotFound
from ..identity import auth
from ..integrations import webhooks

INVITE_TTL = timedelta(days=14)
MAX_MESSAGE = 2000
MAX_SEARCH = 100
SORTS = ("name", "since", "tier")
MANAGERS_ONLY = "Only an administrator or manager of your organization can do that."
NOT_VISIBLE = "That partnership does not exist or is not visible to you."

Status = PartnershipStatus
# Why an invitation can no longer be answered, resent or revoked, by its status.
_CLOSED = {
    Status.ACTIVE: "This invitation was already accepted.",
    Status.REJECTED: "This invitation was declined.",
    Status.REVOKED: "This invitation was withdrawn.",
    Status.ENDED: "This partnership has ended.",
}
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


@dataclass(frozen=True, slots=True)
class Invitation:
    partnership_id: int
    token: str
    consultant_name: str | None  # None: the firm has no account yet, send a sign-up link


@dataclass(frozen=True, slots=True)
class InvitationView:
    id: int
    email: str
    consultant_name: str
    status: str
    message: str
    invited_at: datetime
    expires_at: datetime | None
    expired: bool


@dataclass(frozen=True, slots=True)
class PartnerView:
    id: int
    consultant_org_id: int
    consultant_name: str
    status: str
    since: datetime | None
    partner_type_id: int | None
    partner_type: str
    partner_status_id: int | None
    partner_status: str
    partner_tier_id: int | None
    partner_tier: str
    partner_group_id: int | None
    partner_group: str
    partner_manager_id: int | None
    partner_manager: str


@dataclass(frozen=True, slots=True)
class ProviderInvitationView:
    id: int
    provider_name: str
    message: str
    invited_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class ProviderView:
    id: int
    provider_org_id: int
    provider_name: str
    status: str
    since: datetime | None
    provider_type_id: int | None
    provider_type: str
    proficiency_id: int | None
    proficiency: str
    assigned_user_id: int | None
    assigned_user: str
    categorized: bool


@dataclass(frozen=True, slots=True)
class LeadTargets:
    eligible: list[tuple[int, str]]  # (provider org id, provider name)
    unavailable: list[tuple[str, str]]  # (provider name, why not)


# invitations (provider side) -------------------------------------------------------------------


def invite(session: Session, *, actor: Actor, email: object, message: object = "") -> Invitation:
    """Invite a consultant firm by email; reopens an earlier closed partnership with that firm."""
    _require_manager(actor, OrgKind.PROVIDER)
    email = inputs.email(email)
    message = inputs.text(
        message, field="message", label="Message", max_len=MAX_MESSAGE, required=False
    )
    firm = _consultant_firm(session, email)
    consultant_id = firm.id if firm else None
    same_invitee = (
        col(Partnership.consultant_org_id) == consultant_id
        if firm
        else col(Partnership.consultant_org_id).is_(None) & (col(Partnership.invite_email) == email)
    )
    partnership = session.exec(
        select(Partnership)
        .where(Partnership.provider_org_id == actor.org_id, same_invitee)
        .order_by(col(Partnership.id).desc())
        .with_for_update()
    ).first()
    if partnership is not None and partnership.status == Status.ACTIVE:
        raise Invalid(f"{firm.name} is already your partner.", field="email")
    if _pending_invitation(session, actor.org_id, email, consultant_id):
        raise Invalid("This firm is already invited: resend the invitation instead.", field="email")
    before = _state(partnership) if partnership else None
    partnership = partnership or Partnership(
        provider_org_id=actor.org_id, consultant_org_id=consultant_id
    )
    _reopen(partnership, email=email, message=message, invited_by_id=actor.user_id)
    token = _issue_token(partnership)
    session.add(partnership)
    session.flush()
    activity.record(
        session,
        actor=actor,
        subject=partnership,
        action="invited",
        before=before,
        after={**_state(partnership), "email": email},
    )
    _tell_invitee(session, actor, partnership, token)
    return Invitation(partnership.id, token, firm.name if firm else None)


def resend(session: Session, *, actor: Actor, partnership_id: object) -> str:
    """A new token and expiry for a pending (possibly expired) invitation; returns the token."""
    _require_manager(actor, OrgKind.PROVIDER)
    partnership = _load(session, actor, partnership_id)
    _require_invited(partnership)
    before = {"expires_at": _iso(partnership.invite_expires_at)}
    token = _issue_token(partnership)
    session.add(partnership)
    after = {"expires_at": _iso(partnership.invite_expires_at)}
    activity.record(
        session, actor=actor, subject=partnership, action="resent", before=before, after=after
    )
    _tell_invitee(session, actor, partnership, token)
    return token


def revoke(session: Session, *, actor: Actor, partnership_id: object) -> None:
    """Withdraw a pending invitation; its token stops working."""
    _require_manager(actor, OrgKind.PROVIDER)
    partnership = _load(session, actor, partnership_id)
    _require_invited(partnership)
    _close(session, actor, partnership, Status.REVOKED, "revoked")


# invitations (consultant side) -----------------------------------------------------------------


def describe_invitation(session: Session, *, token: object) -> tuple[str, str]:
    """(provider name, invited email) of an open unbound invitation, for the sign-up page."""
    partnership = _unbound_invitation(session, token)
    return _org_name(session, partnership.provider_org_id), partnership.invite_email


def claim_invitation(session: Session, *, actor: Actor, token: object) -> int:
    """Bind an unbound invitation to the actor's firm, still to be accepted; returns its id.

    When the firm already has a closed partnership with that provider, that row is reopened with
    the invitation's details and the unbound row is removed.
    """
    actor.require_kind(OrgKind.CONSULTANT)
    invitation = _unbound_invitation(session, token)
    existing = session.exec(
        select(Partnership)
        .where(
            Partnership.provider_org_id == invitation.provider_org_id,
            Partnership.consultant_org_id == actor.org_id,
        )
        .with_for_update()
    ).first()
    if existing is None:
        partnership, before = invitation, _state(invitation)
        partnership.consultant_org_id = actor.org_id
    elif existing.status == Status.ACTIVE:
        provider = _org_name(session, existing.provider_org_id)
        raise Invalid(f"You are already partners with {provider}.")
    elif existing.status == Status.INVITED and not _expired(existing):
        provider = _org_name(session, existing.provider_org_id)
        raise Invalid(f"{provider} has already invited you: answer that invitation.")
    else:
        partnership, before = existing, _state(existing)
        _reopen(
            partnership,
            email=invitation.invite_email,
            message=invitation.invite_message,
            invited_by_id=invitation.invited_by_id,
            invited_at=invitation.invited_at,
        )
        partnership.invite_expires_at = invitation.invite_expires_at
        session.delete(invitation)
    partnership.invite_token_hash = None
    session.add(partnership)
    session.flush()
    activity.record(
        session,
        actor=actor,
        subject=partnership,
        action="claimed",
        before=before,
        after=_state(partnership),
    )
    return partnership.id


def accept(session: Session, *, actor: Actor, partnership_id: object) -> None:
    """Accept a pending, unexpired invitation to the actor's firm: the partnership is active."""
    _require_manager(actor, OrgKind.CONSULTANT)
    partnership = _load(session, actor, partnership_id)
    _require_invited(partnership)
    if _expired(partnership):
        raise Invalid("This invitation has expired: ask the provider to send it again.")
    partnership.responded_at = utcnow()
    _close(session, actor, partnership, Status.ACTIVE, "accepted")
    notifications.invitation_answered(session, actor=actor, partnership=partnership, accepted=True)


def reject(session: Session, *, actor: Actor, partnership_id: object) -> None:
    """Decline a pending invitation to the actor's firm."""
    _require_manager(actor, OrgKind.CONSULTANT)
    partnership = _load(session, actor, partnership_id)
    _require_invited(partnership)
    partnership.responded_at = utcnow()
    _close(session, actor, partnership, Status.REJECTED, "rejected")
    notifications.invitation_answered(session, actor=actor, partnership=partnership, accepted=False)


def end(session: Session, *, actor: Actor, partnership_id: object) -> None:
    """End an active partnership, from either side; its records stay."""
    _require_manager(actor)
    partnership = _load(session, actor, partnership_id)
    _require_active(partnership)
    partnership.ended_at = utcnow()
    _close(session, actor, partnership, Status.ENDED, "ended")


# categorization --------------------------------------------------------------------------------


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
    _require_manager(actor, OrgKind.PROVIDER)
    partnership = _load(session, actor, partnership_id)
    _require_active(partnership)
    given = {
        "partner_type_id": partner_type_id,
        "partner_status_id": partner_status_id,
        "partner_tier_id": partner_tier_id,
        "partner_group_id": partner_group_id,
        "partner_manager_id": partner_manager_id,
    }
    values = _categorization(session, actor, partnership, _PARTNER_FIELDS, given, required=False)
    _apply(session, actor, partnership, values)


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
    _require_manager(actor, OrgKind.CONSULTANT)
    partnership = _load(session, actor, partnership_id)
    _require_active(partnership)
    given = {
        "provider_type_id": provider_type_id,
        "proficiency_id": proficiency_id,
        "assigned_user_id": assigned_user_id,
    }
    values = _categorization(session, actor, partnership, _PROVIDER_FIELDS, given, required=True)
    if _apply(session, actor, partnership, values) or partnership.categorized_at is None:
        partnership.categorized_at = utcnow()
        session.add(partnership)


# lists -----------------------------------------------------------------------------------------


def provider_invitations(session: Session, *, actor: Actor) -> list[InvitationView]:
    """The provider's invitations that are not (yet) partnerships, newest first."""
    actor.require_kind(OrgKind.PROVIDER)
    now = utcnow()
    rows = session.exec(
        select(Partnership, col(Organization.name))
        .outerjoin(Organization, col(Organization.id) == Partnership.consultant_org_id)
        .where(
            Partnership.provider_org_id == actor.org_id,
            col(Partnership.status).in_([Status.INVITED, Status.REJECTED, Status.REVOKED]),
        )
        .order_by(col(Partnership.invited_at).desc(), col(Partnership.id).desc())
    )
    return [
        InvitationView(
            id=p.id,
            email=p.invite_email,
            consultant_name=name or "",
            status=p.status,
            message=p.invite_message,
            invited_at=p.invited_at,
            expires_at=p.invite_expires_at,
            expired=p.status == Status.INVITED and _expired(p, now),
        )
        for p, name in rows
    ]


def partner_directory(
    session: Session,
    *,
    actor: Actor,
    partner_type_id: object = None,
    partner_status_id: object = None,
    partner_tier_id: object = None,
    partner_group_id: object = None,
    search: object = "",
    sort: object = "name",
    include_ended: bool = False,
) -> list[PartnerView]:
    """The provider's partners with their categorization, filtered, searched and sorted."""
    actor.require_kind(OrgKind.PROVIDER)
    if sort not in SORTS:
        raise Invalid("Sort by name, since or tier.", field="sort")
    search = inputs.text(search, field="search", label="Search", max_len=MAX_SEARCH, required=False)
    kind, standing, tier, group = (aliased(TaxonomyTerm) for _ in range(4))
    manager = aliased(User)
    name = sa.func.lower(Organization.name)
    statuses = [Status.ACTIVE, Status.ENDED] if include_ended is True else [Status.ACTIVE]
    query = (
        select(
            Partnership.id,
            Partnership.consultant_org_id,
            col(Organization.name).label("consultant_name"),
            Partnership.status,
            col(Partnership.responded_at).label("since"),
            Partnership.partner_type_id,
            _name(kind, "partner_type"),
            Partnership.partner_status_id,
            _name(standing, "partner_status"),
            Partnership.partner_tier_id,
            _name(tier, "partner_tier"),
            Partnership.partner_group_id,
            _name(group, "partner_group"),
            Partnership.partner_manager_id,
            _name(manager, "partner_manager"),
        )
        .join(Organization, col(Organization.id) == Partnership.consultant_org_id)
        .outerjoin(kind, kind.id == Partnership.partner_type_id)
        .outerjoin(standing, standing.id == Partnership.partner_status_id)
        .outerjoin(tier, tier.id == Partnership.partner_tier_id)
        .outerjoin(group, group.id == Partnership.partner_group_id)
        .outerjoin(manager, manager.id == Partnership.partner_manager_id)
        .where(
            Partnership.provider_org_id == actor.org_id,
            col(Partnership.status).in_(statuses),
        )
    )
    for field, value in (
        ("partner_type_id", partner_type_id),
        ("partner_status_id", partner_status_id),
        ("partner_tier_id", partner_tier_id),
        ("partner_group_id", partner_group_id),
    ):
        if (term_id := _filter_id(value, field)) is not None:
            query = query.where(getattr(Partnership, field) == term_id)
    if search:
        query = query.where(name.contains(search.lower(), autoescape=True))
    order = {
        "name": [],
        "since": [col(Partnership.responded_at).desc().nulls_last()],
        "tier": [tier.position.is_(None), tier.position],
    }[sort]
    query = query.order_by(*order, name, col(Partnership.id))
    return [PartnerView(**row._mapping) for row in session.exec(query)]


def consultant_invitations(session: Session, *, actor: Actor) -> list[ProviderInvitationView]:
    """Pending, unexpired invitations to the consultant's firm, newest first."""
    actor.require_kind(OrgKind.CONSULTANT)
    rows = session.exec(
        select(
            Partnership.id,
            Organization.name,
            Partnership.invite_message,
            Partnership.invited_at,
            Partnership.invite_expires_at,
        )
        .join(Organization, col(Organization.id) == Partnership.provider_org_id)
        .where(
            Partnership.consultant_org_id == actor.org_id,
            Partnership.status == Status.INVITED,
            col(Partnership.invite_expires_at) > utcnow(),
        )
        .order_by(col(Partnership.invited_at).desc(), col(Partnership.id).desc())
    )
    return [ProviderInvitationView(*row) for row in rows]


def my_providers(session: Session, *, actor: Actor) -> list[ProviderView]:
    """The consultant's providers: active ones (uncategorized first), then ended ones."""
    actor.require_kind(OrgKind.CONSULTANT)
    provider_type, proficiency = aliased(TaxonomyTerm), aliased(TaxonomyTerm)
    assigned = aliased(User)
    categorized = col(Partnership.categorized_at).is_not(None)
    rows = session.exec(
        select(
            Partnership.id,
            Partnership.provider_org_id,
            col(Organization.name).label("provider_name"),
            Partnership.status,
            col(Partnership.responded_at).label("since"),
            Partnership.provider_type_id,
            _name(provider_type, "provider_type"),
            Partnership.proficiency_id,
            _name(proficiency, "proficiency"),
            Partnership.assigned_user_id,
            _name(assigned, "assigned_user"),
            categorized.label("categorized"),
        )
        .join(Organization, col(Organization.id) == Partnership.provider_org_id)
        .outerjoin(provider_type, provider_type.id == Partnership.provider_type_id)
        .outerjoin(proficiency, proficiency.id == Partnership.proficiency_id)
        .outerjoin(assigned, assigned.id == Partnership.assigned_user_id)
        .where(
            Partnership.consultant_org_id == actor.org_id,
            col(Partnership.status).in_([Status.ACTIVE, Status.ENDED]),
        )
        .order_by(
            Partnership.status != Status.ACTIVE,
            categorized,
            sa.func.lower(Organization.name),
            col(Partnership.id),
        )
    )
    return [ProviderView(**row._mapping) for row in rows]


def lead_targets(session: Session, *, actor: Actor) -> LeadTargets:
    """The providers the consultant may submit leads to, and the others with the reason."""
    actor.require_kind(OrgKind.CONSULTANT)
    rows = session.exec(
        select(
            Partnership.provider_org_id,
            Organization.name,
            Partnership.status,
            col(Partnership.categorized_at).is_not(None),
        )
        .join(Organization, col(Organization.id) == Partnership.provider_org_id)
        .where(
            Partnership.consultant_org_id == actor.org_id,
            sa.or_(
                col(Partnership.status).in_([Status.ACTIVE, Status.ENDED]),
                (Partnership.status == Status.INVITED)
                & (col(Partnership.invite_expires_at) > utcnow()),
            ),
        )
        .order_by(sa.func.lower(Organization.name), col(Partnership.id))
    )
    targets = LeadTargets(eligible=[], unavailable=[])
    for provider_id, name, status, categorized in rows:
        if status == Status.ACTIVE and categorized:
            targets.eligible.append((provider_id, name))
        elif status == Status.ACTIVE:
            targets.unavailable.append((name, "waiting to be categorized"))
        elif status == Status.INVITED:
            targets.unavailable.append((name, "invitation not accepted yet"))
        else:
            targets.unavailable.append((name, "partnership ended"))
    return targets


def can_submit_to(session: Session, *, consultant_org_id: object, provider_org_id: object) -> bool:
    """Whether the consultant may submit leads to the provider: active and categorized."""
    try:
        consultant_org_id = inputs.record_id(consultant_org_id)
        provider_org_id = inputs.record_id(provider_org_id)
    except NotFound:
        return False
    found = session.exec(
        select(Partnership.id).where(
            Partnership.consultant_org_id == consultant_org_id,
            Partnership.provider_org_id == provider_org_id,
            Partnership.status == Status.ACTIVE,
            col(Partnership.categorized_at).is_not(None),
        )
    ).first()
    return found is not None


# helpers ---------------------------------------------------------------------------------------


def _require_manager(actor: Actor, kind: OrgKind | None = None) -> None:
    """The actor is an admin or manager (of an organization of `kind`, when given)."""
    if kind is not None:
        actor.require_kind(kind)
    if not actor.sees_all:
        raise NotAllowed(MANAGERS_ONLY)


def _load(session: Session, actor: Actor, partnership_id: object) -> Partnership:
    """A partnership of the actor's organization, on the actor's side, locked for the change."""
    partnership_id = inputs.record_id(partnership_id, what="partnership")
    own_side = (
        Partnership.provider_org_id
        if actor.org_kind == OrgKind.PROVIDER
        else Partnership.consultant_org_id
    )
    partnership = session.exec(
        select(Partnership)
        .where(Partnership.id == partnership_id, own_side == actor.org_id)
        .with_for_update()
    ).first()
    if partnership is None:
        raise NotFound(NOT_VISIBLE)
    return partnership


def _require_invited(partnership: Partnership) -> None:
    if partnership.status != Status.INVITED:
        raise Invalid(_CLOSED[partnership.status])


def _require_active(partnership: Partnership) -> None:
    if partnership.status != Status.ACTIVE:
        raise Invalid("Only an active partnership can be changed or ended.")


def _expired(partnership: Partnership, now: datetime | None = None) -> bool:
    expires_at = partnership.invite_expires_at
    return expires_at is not None and expires_at <= (now or utcnow())


def _consultant_firm(session: Session, email: str) -> Organization | None:
    """The consultant firm of the active user with this email, if any.

    Refuses the email of a provider's user: providers do not partner with each other.
    """
    orgs = session.exec(
        select(Organization)
        .join(Membership, col(Membership.org_id) == Organization.id)
        .join(User, col(User.id) == Membership.user_id)
        .where(
            User.email == email,
            col(User.is_active).is_(True),
            col(Membership.is_active).is_(True),
        )
        .order_by(col(Membership.id))
    ).all()
    if any(org.kind == OrgKind.PROVIDER for org in orgs):
        raise Invalid(
            "This email belongs to a software provider, not a consultant firm.", field="email"
        )
    return orgs[0] if orgs else None


def _pending_invitation(
    session: Session, provider_id: int, email: str, consultant_id: int | None
) -> bool:
    """Whether the provider has an open, unexpired invitation to this email or firm."""
    invitee = col(Partnership.invite_email) == email
    if consultant_id is not None:
        invitee = invitee | (col(Partnership.consultant_org_id) == consultant_id)
    found = session.exec(
        select(Partnership.id).where(
            Partnership.provider_org_id == provider_id,
            Partnership.status == Status.INVITED,
            col(Partnership.invite_expires_at) > utcnow(),
            invitee,
        )
    ).first()
    return found is not None


def _reopen(
    partnership: Partnership,
    *,
    email: str,
    message: str,
    invited_by_id: int | None,
    invited_at: datetime | None = None,
) -> None:
    """Make the row a fresh invitation; its categorization is kept."""
    partnership.status = Status.INVITED
    partnership.invite_email = email
    partnership.invite_message = message
    partnership.invited_by_id = invited_by_id
    partnership.invited_at = invited_at or utcnow()
    partnership.responded_at = None
    partnership.ended_at = None


def _issue_token(partnership: Partnership) -> str:
    """A new invitation token (only its hash is stored) and a new expiry."""
    token = auth.new_token()
    partnership.invite_token_hash = auth.hash_token(token)
    partnership.invite_expires_at = utcnow() + INVITE_TTL
    return token


def _tell_invitee(session: Session, actor: Actor, partnership: Partnership, token: str) -> None:
    """A firm with an account hears in its portal; any other address gets the sign-up link."""
    if partnership.consultant_org_id is not None:
        notifications.invitation_sent(session, actor=actor, partnership=partnership)
    else:
        notifications.invitation_by_email(
            session, actor=actor, email=partnership.invite_email, token=token
        )


def _unbound_invitation(session: Session, token: object) -> Partnership:
    """The open unbound invitation behind a sign-up link token, locked; NotAuthenticated if none."""
    token = inputs.token(token)
    if token is None:
        raise NotAuthenticated("This invitation link is not valid.")
    partnership = session.exec(
        select(Partnership)
        .where(
            Partnership.invite_token_hash == auth.hash_token(token),
            col(Partnership.consultant_org_id).is_(None),
            Partnership.status == Status.INVITED,
        )
        .with_for_update()
    ).first()
    if partnership is None:
        raise NotAuthenticated("This invitation link is not valid any more.")
    if _expired(partnership):
        raise NotAuthenticated("This invitation has expired: ask for a new one.")
    return partnership


def _close(
    session: Session, actor: Actor, partnership: Partnership, status: Status, action: str
) -> None:
    """Move the partnership to `status`, retire its token, and record the change."""
    before = _state(partnership)
    partnership.status = status
    partnership.invite_token_hash = None
    if status == Status.REVOKED:
        partnership.ended_at = utcnow()
    session.add(partnership)
    activity.record(
        session,
        actor=actor,
        subject=partnership,
        action=action,
        before=before,
        after=_state(partnership),
    )
    webhooks.partnership_changed(session, partnership=partnership, action=action)


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
            _require_member(session, actor.org_id, value, field)
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


def _require_member(session: Session, org_id: int, user_id: int, field: str) -> None:
    """The user is an active member of the organization (NotFound for outsiders)."""
    row = session.exec(
        select(User.name, User.is_active, Membership.is_active)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.org_id == org_id, Membership.user_id == user_id)
    ).first()
    if row is None:
        raise NotFound("That person is not in your organization.")
    name, user_active, member_active = row
    if not (user_active and member_active):
        raise Invalid(f"{name} is deactivated: choose someone else.", field=field)


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
    activity.record(
        session, actor=actor, subject=partnership, action="categorized", before=before, after=after
    )
    return True


def _filter_id(value: object, field: str) -> int | None:
    """A list filter's term id: None for no filter; Invalid for anything but an id."""
    if value is None or value == "":
        return None
    try:
        return inputs.record_id(value)
    except NotFound:
        raise Invalid("Choose a value from the list.", field=field) from None


def _name(table: Any, label: str) -> sa.ColumnElement[str]:
    """An outer-joined name, "" when there is none."""
    return sa.func.coalesce(table.name, "").label(label)


def _org_name(session: Session, org_id: int) -> str:
    return session.exec(select(Organization.name).where(Organization.id == org_id)).one()


def _state(partnership: Partnership) -> dict[str, Any]:
    return {"status": partnership.status, "consultant_org_id": partnership.consultant_org_id}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None

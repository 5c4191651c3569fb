"""Applications to a provider's partner program, from its public "Become a partner" page.

A submission (the fixed questions, plus the provider's partner fields partners may edit, each
checked by services.custom_fields) creates a pending application and mails the applicant a link
that confirms the address; only then do the provider's people see it. Its admins and managers
approve it (an invitation to that confirmed address, through services.partnerships.invite, with
the partner type wanted and the answers carried into the partnership) or reject it with a
reason mailed to the applicant. Duplicates of an existing partner, invitation or another open
application (the same email, email domain or normalized firm name) are flagged for the reviewer.

The page has the public forms' defenses (services.core.public_forms): a honeypot, the signed
time the page was served, rate limits per client address and per program.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from ... import routes
from ...models import (
    ApplicationStatus,
    FieldEntity,
    FieldType,
    Membership,
    Organization,
    OrgKind,
    PartnerApplication,
    Partnership,
    PartnershipStatus,
    TermKind,
    User,
    utcnow,
)
from .. import custom_fields as cf
from .. import partnerships
from ..core import activity, changes, inputs, permissions, public_forms
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotFound
from ..customers.keys import customer_keys, domain_key
from ..identity import rate_limits
from ..identity.auth import hash_token, new_token
from ..integrations import mail
from ..notifications.delivery import members, notify
from .settings import OpenProgram, open_program, terms

# The fixed questions: name -> (label, longest answer, required). The website is asked as
# "web_address": "website" is the honeypot's name (public_forms.HONEYPOT), the field bots fill.
QUESTIONS: dict[str, tuple[str, int, bool]] = {
    "firm": ("Firm", 200, True),
    "name": ("Your name", 200, True),
    "email": ("Email", 254, True),
    "web_address": ("Website", 500, False),
    "country": ("Country", 100, False),
    "partner_type_id": ("Partner type wanted", 20, False),
    "message": ("Message", 2000, False),
}
PER_CLIENT = rate_limits.Limit("apply_client", 5, timedelta(minutes=10))
PER_PROGRAM = rate_limits.Limit("apply_program", 100, timedelta(minutes=10))
CONFIRM_TTL = timedelta(days=7)
NOT_VISIBLE = "That application does not exist or is not visible to you."
LINK_INVALID = "This confirmation link is not valid or has expired."
DECIDED = "That application was already decided."
UNCONFIRMED = "The applicant has not confirmed the address yet."
MAX_REASON = 1000


@dataclass(frozen=True, slots=True)
class ApplyPage:
    slug: str
    provider_name: str
    partner_types: list[tuple[int, str]]
    fields: list[cf.FieldAccess]  # the provider's partner fields partners may edit
    served: str


@dataclass(frozen=True, slots=True)
class ApplicationView:
    id: int
    status: str
    firm: str
    name: str
    email: str
    website: str
    country: str
    partner_type: str
    message: str
    answers: list[tuple[str, str]]  # (field label, value as read)
    created_at: datetime
    reason: str
    duplicates: list[str] = field(default_factory=list)


# the public ------------------------------------------------------------------------------------


def page_name(slug: str) -> str:
    """What the served time and the client trace of this page are signed with."""
    return f"apply/{slug}"


def apply_page(session: Session, *, slug: object, now: datetime | None = None) -> ApplyPage:
    """The open applications page at `slug` (NotFound otherwise), as served `now`."""
    program = open_program(session, slug)
    at = int((now or utcnow()).timestamp())
    return ApplyPage(
        program.slug,
        program.name,
        terms(session, program.org_id, TermKind.PARTNER_TYPE),
        applicant_fields(session, program.org_id),
        public_forms.served_stamp(program.stamp_key, page_name(program.slug), at),
    )


def applicant_fields(session: Session, provider_id: int) -> list[cf.FieldAccess]:
    """The provider's partner fields an applicant answers: those its partners may edit (an
    applicant sees them as a partner does; it has no organization yet, hence viewer 0)."""
    fields = cf.for_viewer(
        session, viewer_org_id=0, entity=FieldEntity.PARTNER, counterpart_org_ids=[provider_id]
    )
    return [f for f in fields if f.editable]


def submit(
    session: Session,
    *,
    slug: object,
    form: object,
    client: str,
    now: datetime | None = None,
) -> int | None:
    """Take a submission (a list of (name, value) pairs, or a dict): the application's id, or
    None for a bot (honeypot filled, or sent faster than a person). Raises TooMany past the
    limits, Invalid for bad answers (every problem in `problems`), NotFound for a closed page."""
    program = open_program(session, slug)
    now = now or utcnow()
    pairs = _pairs(form)
    values = dict(pairs)
    rate_limits.spend(PER_CLIENT, public_forms.client_hash(page_name(program.slug), client))
    paced = public_forms.at_a_persons_pace(
        program.stamp_key, page_name(program.slug), values.get(public_forms.SERVED), now
    )
    if values.get(public_forms.HONEYPOT) or not paced:
        return None
    rate_limits.spend(PER_PROGRAM, program.org_id)  # people only: bots cannot close a program
    answers = _answers(session, program, pairs)
    token = new_token()
    firm_norm, domain = customer_keys(answers["firm"], answers["email"])
    application = PartnerApplication(
        provider_org_id=program.org_id,
        **answers,
        firm_norm=firm_norm[:200],
        email_domain=domain[:254],
        confirm_token_hash=hash_token(token),
        created_at=now,
    )
    session.add(application)
    session.flush()
    activity.record(
        session,
        actor=None,
        subject=application,
        action="applied",
        org_id=program.org_id,
        after={"name": application.name, "email": application.email, "firm": application.firm},
    )
    link = f"{mail.base_url()}{routes.apply_confirm(program.slug)}?token={token}"
    mail.enqueue(
        session,
        to=application.email,
        subject=f"Confirm your application to {program.name}'s partner program",
        body=(
            f"Hello {application.name},\n\nThank you for applying to become a partner of "
            f"{program.name}. Please confirm your address with this link (valid for "
            f"{CONFIRM_TTL.days} days) so that your application can be reviewed:\n\n{link}\n\n"
            "If you did not apply, ignore this email.\n"
        ),
    )
    return application.id


def confirm(session: Session, *, slug: object, token: object, now: datetime | None = None) -> str:
    """Confirm an applicant's address from the mailed link: the provider's name. The provider's
    admins and managers are told of the application now."""
    program = open_program(session, slug)
    now = now or utcnow()
    token = inputs.token(token)
    application = None
    if token is not None:
        application = session.exec(
            select(PartnerApplication).where(
                PartnerApplication.confirm_token_hash == hash_token(token),
                PartnerApplication.provider_org_id == program.org_id,
                PartnerApplication.status == ApplicationStatus.PENDING,
            )
        ).first()
    if application is None or application.created_at < now - CONFIRM_TTL:
        raise NotFound(LINK_INVALID)
    if application.confirmed_at is None:
        application.confirmed_at = now
        session.add(application)
        activity.record(
            session,
            actor=None,
            subject=application,
            action="confirmed",
            org_id=program.org_id,
            before={"confirmed": False},
            after={"confirmed": True},
        )
        notify(
            session,
            org_id=program.org_id,
            user_ids=members(session, program.org_id, managers=True),
            kind="application_received",
            text=f"{application.firm} applied to become your partner.",
            link=routes.Provider.APPLICATIONS,
        )
        changes.touched(session, changes.Topic.PARTNERS, program.org_id)
    return program.name


# the provider ----------------------------------------------------------------------------------


def queue(session: Session, *, actor: Actor) -> list[ApplicationView]:
    """The provider's confirmed applications: pending first (oldest first), then the decided
    ones (latest first), each with its duplicate flags. Any member reads them."""
    actor.require_kind(OrgKind.PROVIDER)
    rows = session.exec(
        select(PartnerApplication)
        .where(
            PartnerApplication.provider_org_id == actor.org_id,
            col(PartnerApplication.confirmed_at).is_not(None),
        )
        .order_by(col(PartnerApplication.id))
    ).all()
    types = dict(terms(session, actor.org_id, TermKind.PARTNER_TYPE))
    fields = {f.name: f for f in applicant_fields(session, actor.org_id)}
    flags = duplicates(session, actor.org_id, rows)
    views = [_view(a, types, fields, flags.get(a.id or 0, [])) for a in rows]
    pending = [v for v in views if v.status == ApplicationStatus.PENDING]
    decided = [v for v in views if v.status != ApplicationStatus.PENDING]
    return pending + decided[::-1]


def approve(session: Session, *, actor: Actor, application_id: object) -> int:
    """Invite the applicant's confirmed address, with the partner type wanted and the answers;
    returns the partnership's id. Admins and managers."""
    application = _pending(session, actor, application_id)
    invitation = partnerships.invite(session, actor=actor, email=application.email)
    partnership = session.get(Partnership, invitation.partnership_id)
    assert partnership is not None
    if application.partner_type_id in dict(terms(session, actor.org_id, TermKind.PARTNER_TYPE)):
        partnership.partner_type_id = application.partner_type_id
    provider_fields = cf.for_partnership(session, partnership, actor.org_id)
    known = {f.name for f in provider_fields}
    carried = {k: v for k, v in application.custom.items() if k in known and v is not None}
    if carried:
        written = cf.write(provider_fields, partnership.custom, carried, complete=False)
        cf.save(session, actor=actor, record=partnership, written=written)
    session.add(partnership)
    _decide(session, actor, application, ApplicationStatus.APPROVED, "")
    application.partnership_id = partnership.id
    return invitation.partnership_id


def reject(session: Session, *, actor: Actor, application_id: object, reason: object) -> None:
    """Decline with a reason, mailed to the applicant. Admins and managers."""
    application = _pending(session, actor, application_id)
    reason = inputs.text(reason, field="reason", label="Reason", max_len=MAX_REASON)
    _decide(session, actor, application, ApplicationStatus.REJECTED, reason)
    mail.enqueue(
        session,
        to=application.email,
        subject=f"Your application to {actor.org_name}'s partner program",
        body=(
            f"Hello {application.name},\n\nThank you for your interest in becoming a partner of "
            f"{actor.org_name}. We are not able to accept {application.firm}'s application at "
            f"this time.\n\nReason: {reason}\n"
        ),
    )


def duplicates(
    session: Session, provider_id: int, applications: Sequence[PartnerApplication]
) -> dict[int, list[str]]:
    """For each open application, what it repeats: an existing partner or invitation of the
    provider, or another open application (same email, email domain or normalized firm)."""
    open_ = [a for a in applications if a.status == ApplicationStatus.PENDING]
    if not open_:
        return {}
    # (what it is, email, firm key) of every partner, invitation and open application
    known: list[tuple[str, str, str, int | None]] = []
    rows = session.exec(
        select(Partnership.status, Partnership.invite_email, Organization.name, Organization.id)
        .outerjoin(Organization, col(Organization.id) == Partnership.consultant_org_id)
        .where(
            Partnership.provider_org_id == provider_id,
            col(Partnership.status).in_((PartnershipStatus.ACTIVE, PartnershipStatus.INVITED)),
        )
    ).all()
    firms: dict[int, str] = {}
    for status, email, org_name, org_id in rows:
        what = (
            f"partner {org_name}"
            if status == PartnershipStatus.ACTIVE and org_name
            else "an invitation"
        )
        firm = customer_keys(org_name or "", "")[0] if org_name else ""
        known.append((what, email or "", firm, None))
        if org_id is not None and status == PartnershipStatus.ACTIVE:
            firms[org_id] = what
    if firms:
        for email, org_id in session.exec(
            select(User.email, Membership.org_id)
            .join(Membership, col(Membership.user_id) == User.id)
            .where(col(Membership.org_id).in_(firms), col(Membership.is_active).is_(True))
        ).all():
            known.append((firms[org_id], email, "", None))
    known += [(f"the application of {a.firm}", a.email, a.firm_norm, a.id) for a in open_]
    flags: dict[int, list[str]] = {}
    for application in open_:
        found: list[str] = []
        domain = domain_key(application.email_domain)
        for what, email, firm, other_id in known:
            if other_id == application.id:
                continue
            email = email.lower()
            if email and email == application.email:
                found.append(f"Same email as {what}.")
            elif domain and email.rpartition("@")[2] == domain:
                found.append(f"Same email domain as {what}.")
            elif firm and firm == application.firm_norm:
                found.append(f"Same firm name as {what}.")
        flags[application.id or 0] = list(dict.fromkeys(found))
    return flags


# helpers ---------------------------------------------------------------------------------------


def _pairs(form: object) -> list[tuple[str, Any]]:
    if isinstance(form, dict):
        return list(form.items())
    if isinstance(form, list):
        return [p for p in form if isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str)]
    return []


def _answers(
    session: Session, program: OpenProgram, pairs: list[tuple[str, Any]]
) -> dict[str, Any]:
    """The checked answers (every problem at once, keyed by the field's name)."""
    values = dict(pairs)
    problems: dict[str, str] = {}
    answers: dict[str, Any] = {}
    for name, (label, longest, required) in QUESTIONS.items():
        try:
            if name == "email":
                answers[name] = inputs.email(values.get(name))
            elif name == "partner_type_id":
                answers[name] = _partner_type(session, program.org_id, values.get(name))
            else:
                answers[name] = inputs.text(
                    values.get(name), field=name, label=label, max_len=longest, required=required
                )
        except Invalid as error:
            problems[name] = str(error)
    fields = applicant_fields(session, program.org_id)
    submitted = {
        f.form_name: (
            [v for k, v in pairs if k == f.form_name]
            if f.type == FieldType.MULTI_SELECT
            else values.get(f.form_name, "")
        )
        for f in fields
    }
    try:
        answers["custom"] = {
            k: v for k, v in cf.write(fields, {}, submitted).custom.items() if v is not None
        }
    except Invalid as error:
        problems.update(error.problems or {error.field or "custom": str(error)})
    if problems:
        first = next(iter(problems))
        raise Invalid(problems[first], field=first, problems=problems)
    answers["website"] = answers.pop("web_address")
    return answers


def _partner_type(session: Session, provider_id: int, value: object) -> int | None:
    if value in (None, ""):
        return None
    try:
        type_id = inputs.record_id(value, what="partner type")
    except NotFound:
        type_id = 0
    if type_id not in dict(terms(session, provider_id, TermKind.PARTNER_TYPE)):
        raise Invalid("Choose one of the partner types.", field="partner_type_id")
    return type_id


def _pending(session: Session, actor: Actor, application_id: object) -> PartnerApplication:
    actor.require_kind(OrgKind.PROVIDER)
    if not permissions.of(actor).manage:
        raise NotAllowed(permissions.MANAGERS_ONLY)
    application_id = inputs.record_id(application_id, what="application")
    application = session.exec(
        select(PartnerApplication)
        .where(
            PartnerApplication.id == application_id,
            PartnerApplication.provider_org_id == actor.org_id,
            col(PartnerApplication.confirmed_at).is_not(None),
        )
        .with_for_update()
    ).first()
    if application is None:
        raise NotFound(NOT_VISIBLE)
    if application.status != ApplicationStatus.PENDING:
        raise Invalid(DECIDED)
    return application


def _decide(
    session: Session, actor: Actor, application: PartnerApplication, status: str, reason: str
) -> None:
    application.status = status
    application.reason = reason
    application.decided_at = utcnow()
    application.decided_by_id = actor.user_id
    session.add(application)
    activity.record(
        session,
        actor=actor,
        subject=application,
        action=status,
        after={"reason": reason} if reason else None,
    )
    changes.touched(session, changes.Topic.PARTNERS, actor.org_id)


def _view(
    application: PartnerApplication,
    types: dict[int, str],
    fields: dict[str, cf.FieldAccess],
    flags: list[str],
) -> ApplicationView:
    answers = [
        (f.label, cf.display(f.type, application.custom[name], list(f.options)))
        for name, f in fields.items()
        if application.custom.get(name) is not None
    ]
    return ApplicationView(
        id=application.id or 0,
        status=application.status,
        firm=application.firm,
        name=application.name,
        email=application.email,
        website=application.website,
        country=application.country,
        partner_type=types.get(application.partner_type_id or 0, ""),
        message=application.message,
        answers=answers,
        created_at=application.created_at,
        reason=application.reason,
        duplicates=flags,
    )

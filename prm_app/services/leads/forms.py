"""Web-to-lead forms: a provider's public form whose submissions become referrals.

A provider's admin creates (and may edit or close) a form (its name, which optional fields it shows, and its routing:
always one chosen partner, or the active partners of a tier in turn) and embeds its public page
(`/forms/<token>`, see http_api). Each submission is validated like any lead, becomes a
referral from the provider (owned by the form's creator, sent through services.leads, so the
partner is notified like for any referral), and is recorded for rate limiting. A filled honeypot
field, or a submission sent sooner than MIN_FILL after its page was served (the page carries that
time, signed with the form's own key: services.core.public_forms), is taken for a bot: it is thanked, recorded, and nothing
is created, and it does not count toward the form's limit, so bots cannot switch a form off.

Round robin takes the form's turn counter with one conditional UPDATE in the submission's
transaction: concurrent submissions get successive turns, so partners are served in order.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from ...models import (
    FormRouting,
    FormSubmission,
    Lead,
    LeadForm,
    LeadSource,
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
from .. import leads
from ..core import activity, channel, inputs, public_forms
from ..core.actor import Actor
from ..core.errors import DomainError, Invalid, NotFound
from ..onboarding import holds

OPTIONAL_FIELDS: dict[str, str] = {"phone": "Phone", "title": "Job title", "notes": "Message"}
HONEYPOT, SERVED = public_forms.HONEYPOT, public_forms.SERVED
MIN_FILL, MAX_FILL = public_forms.MIN_FILL, public_forms.MAX_FILL
client_hash = public_forms.client_hash
WINDOW = timedelta(minutes=10)
PER_CLIENT = 5  # submissions per form and client address per WINDOW
PER_FORM = 100  # submissions per form per WINDOW, all clients together
MAX_FORMS = 50
NOT_VISIBLE = "That form does not exist or is not visible to you."
CLOSED = "This form is not accepting submissions at the moment."


class RateLimited(DomainError):
    """Too many submissions: try again later."""


@dataclass(frozen=True, slots=True)
class FormView:
    id: int
    name: str
    token: str
    fields: list[str]
    routing: str
    partner_org_id: int | None
    partner_name: str
    tier_id: int | None
    tier_name: str
    is_active: bool
    submissions: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PublicForm:
    token: str
    name: str
    provider_name: str
    fields: list[str]
    served: str  # the signed time the page is served, for its hidden SERVED field


# the provider's admin --------------------------------------------------------------------------


def create(
    session: Session,
    *,
    actor: Actor,
    name: object,
    fields: object,
    routing: object,
    partner_org_id: object = None,
    tier_id: object = None,
) -> int:
    """Create an active form; returns its id."""
    values = _settings(session, actor, name, fields, routing, partner_org_id, tier_id)
    count = session.exec(select(func.count()).where(LeadForm.org_id == actor.org_id)).one()
    if count >= MAX_FORMS:
        raise Invalid(f"Your organization has {MAX_FORMS} forms already.", field="name")
    form = LeadForm(
        org_id=actor.org_id,
        owner_id=actor.user_id,
        public_token=secrets.token_urlsafe(24),
        **values,
    )
    session.add(form)
    session.flush()
    activity.record(session, actor=actor, subject=form, action="created", after=_state(form))
    return form.id


def update(
    session: Session,
    *,
    actor: Actor,
    form_id: object,
    name: object,
    fields: object,
    routing: object,
    partner_org_id: object = None,
    tier_id: object = None,
) -> None:
    """Change a form's name, fields or routing (its link stays the same)."""
    values = _settings(session, actor, name, fields, routing, partner_org_id, tier_id)
    form = _own_form(session, actor, form_id)
    for key, value in values.items():
        setattr(form, key, value)
    session.add(form)
    activity.record(session, actor=actor, subject=form, action="updated", after=_state(form))


def _settings(
    session: Session,
    actor: Actor,
    name: object,
    fields: object,
    routing: object,
    partner_org_id: object,
    tier_id: object,
) -> dict:
    """A form's validated settings, for a provider's admin."""
    actor.require_kind(OrgKind.PROVIDER)
    actor.require_admin()
    name = inputs.text(name, field="name", label="Form name", max_len=100)
    if not isinstance(fields, list | tuple) or any(f not in OPTIONAL_FIELDS for f in fields):
        raise Invalid("Choose the optional fields from the list.", field="fields")
    if routing not in tuple(FormRouting):
        raise Invalid("Choose how submissions are routed.", field="routing")
    partner, tier = None, None
    if routing == FormRouting.PARTNER:
        partner = _active_partner(session, actor.org_id, partner_org_id)
    else:
        tier = _tier(session, actor.org_id, tier_id)
    return {
        "name": name,
        "fields": [f for f in OPTIONAL_FIELDS if f in fields],
        "routing": routing,
        "partner_org_id": partner,
        "tier_id": tier,
    }


def set_active(session: Session, *, actor: Actor, form_id: object, active: object) -> None:
    """Open or close a form to submissions."""
    actor.require_kind(OrgKind.PROVIDER)
    actor.require_admin()
    if not isinstance(active, bool):
        raise Invalid("Choose whether the form is open.", field="active")
    form = _own_form(session, actor, form_id)
    if form.is_active != active:
        form.is_active = active
        session.add(form)
        activity.record(
            session,
            actor=actor,
            subject=form,
            action="opened" if active else "closed",
            after=_state(form),
        )


def forms(session: Session, *, actor: Actor) -> list[FormView]:
    """The provider's forms, newest first, with their submission counts."""
    actor.require_kind(OrgKind.PROVIDER)
    actor.require_admin()
    submissions = (
        select(func.count())
        .where(FormSubmission.form_id == LeadForm.id, col(FormSubmission.lead_id).is_not(None))
        .correlate(LeadForm)
        .scalar_subquery()
    )
    rows = session.exec(
        select(
            LeadForm,
            func.coalesce(Organization.name, ""),
            func.coalesce(TaxonomyTerm.name, ""),
            submissions,
        )
        .outerjoin(Organization, col(Organization.id) == LeadForm.partner_org_id)
        .outerjoin(TaxonomyTerm, col(TaxonomyTerm.id) == LeadForm.tier_id)
        .where(LeadForm.org_id == actor.org_id)
        .order_by(col(LeadForm.id).desc())
    ).all()
    return [
        FormView(
            id=f.id,
            name=f.name,
            token=f.public_token,
            fields=list(f.fields),
            routing=f.routing,
            partner_org_id=f.partner_org_id,
            partner_name=partner,
            tier_id=f.tier_id,
            tier_name=tier,
            is_active=f.is_active,
            submissions=count,
            created_at=f.created_at,
        )
        for f, partner, tier, count in rows
    ]


# the public ------------------------------------------------------------------------------------


def public_form(session: Session, *, token: object, now: datetime | None = None) -> PublicForm:
    """An open form by its public token (NotFound for anything else), as served `now`."""
    form, provider = _open_form(session, token)
    served = _served(form, int((now or utcnow()).timestamp()))
    return PublicForm(form.public_token, form.name, provider, list(form.fields), served)


def _served(form: LeadForm, at: int) -> str:
    return public_forms.served_stamp(form.stamp_key, form.public_token, at)


def embed_code(url: str, name: str) -> str:
    """The snippet a provider copies into its site: every attribute escaped."""
    return (
        f'<iframe src="{escape(url, quote=True)}" title="{escape(name, quote=True)}" '
        'width="100%" height="640" style="border:0"></iframe>'
    )


def submit(
    session: Session, *, token: object, form: object, client: str, now: datetime | None = None
) -> int | None:
    """Take a submission: the referral's lead id, or None for a bot (honeypot filled).

    Raises RateLimited past the limits, Invalid for bad input, NotFound for a closed form.
    """
    lead_form, _ = _open_form(session, token, lock=True)
    now = now or utcnow()
    trace = client_hash(lead_form.public_token, client)
    since = now - WINDOW
    recent = select(func.count()).where(
        FormSubmission.form_id == lead_form.id, col(FormSubmission.created_at) > since
    )
    real = recent.where(col(FormSubmission.lead_id).is_not(None))  # bots cannot use them up
    if (
        session.exec(recent.where(FormSubmission.client_hash == trace)).one() >= PER_CLIENT
        or session.exec(real).one() >= PER_FORM
    ):
        raise RateLimited("Too many submissions: please try again in a few minutes.")
    values = form if isinstance(form, dict) else {}
    paced = public_forms.at_a_persons_pace(
        lead_form.stamp_key, lead_form.public_token, values.get(SERVED), now
    )
    if values.get(HONEYPOT) or not paced:
        session.add(FormSubmission(form_id=lead_form.id, client_hash=trace, created_at=now))
        return None
    shown = {"first_name", "last_name", "email", "company", "share_consent", *lead_form.fields}
    data = leads.lead_input({k: v for k, v in values.items() if k in shown})
    partner = _route(session, lead_form)
    owner = _owner_actor(session, lead_form)
    lead_id, _ = leads.create_and_submit(  # the public fills no custom field: none required
        session,
        actor=owner,
        data=data,
        owner_id=owner.user_id,
        recipient_org_ids=[partner],
        check_required=False,
    )
    session.get(Lead, lead_id).source = LeadSource.WEB_FORM
    session.add(
        FormSubmission(form_id=lead_form.id, client_hash=trace, lead_id=lead_id, created_at=now)
    )
    return lead_id


# helpers ---------------------------------------------------------------------------------------


def _own_form(session: Session, actor: Actor, form_id: object) -> LeadForm:
    form_id = inputs.record_id(form_id, what="form")
    form = session.exec(
        select(LeadForm).where(LeadForm.id == form_id, LeadForm.org_id == actor.org_id)
    ).first()
    if form is None:
        raise NotFound(NOT_VISIBLE)
    return form


def _open_form(session: Session, token: object, *, lock: bool = False) -> tuple[LeadForm, str]:
    token = inputs.token(token)
    if token is None:
        raise NotFound(CLOSED)
    query = (
        select(LeadForm, Organization.name)
        .join(Organization, col(Organization.id) == LeadForm.org_id)
        .where(LeadForm.public_token == token, col(LeadForm.is_active).is_(True))
    )
    row = session.exec(query.with_for_update(of=LeadForm) if lock else query).first()
    if row is None:
        raise NotFound(CLOSED)
    return row


def _route(session: Session, form: LeadForm) -> int:
    """The partner this submission goes to (the form's turn moves on for round robin)."""
    if form.routing == FormRouting.PARTNER:
        if not _is_active_partner(session, form.org_id, form.partner_org_id) or holds.held(
            session, provider_org_id=form.org_id, partner_org_id=form.partner_org_id
        ):
            raise Invalid(CLOSED)
        return form.partner_org_id
    candidates = session.exec(
        select(Partnership.consultant_org_id)
        .where(
            Partnership.provider_org_id == form.org_id,
            Partnership.status == PartnershipStatus.ACTIVE,
            Partnership.partner_tier_id == form.tier_id,
        )
        .order_by(col(Partnership.consultant_org_id))
    ).all()
    candidates = [  # partners whose referrals wait for a signature are skipped
        c
        for c in candidates
        if c is not None and not holds.held(session, provider_org_id=form.org_id, partner_org_id=c)
    ]
    if not candidates:
        raise Invalid(CLOSED)
    session.execute(
        sa.update(LeadForm)
        .where(col(LeadForm.id) == form.id)
        .values(turn=LeadForm.turn + 1)
        .execution_options(synchronize_session=False)
    )
    turn = session.exec(select(LeadForm.turn).where(LeadForm.id == form.id)).one()
    return candidates[(turn - 1) % len(candidates)]


def _owner_actor(session: Session, form: LeadForm) -> Actor:
    """The form's creator, acting for the provider, while an active member of it."""
    row = session.exec(
        select(User, Membership.role, Organization)
        .join(Membership, col(Membership.user_id) == User.id)
        .join(Organization, col(Organization.id) == Membership.org_id)
        .where(
            User.id == form.owner_id,
            Membership.org_id == form.org_id,
            col(User.is_active).is_(True),
            col(Membership.is_active).is_(True),
        )
    ).first()
    if row is None:
        raise Invalid(CLOSED)
    user, role, org = row
    via = channel.public_form(form.name)
    return Actor(user.id, org.id, org.kind, role, user.name, user.email, org.name, via)


def _is_active_partner(session: Session, provider_id: int, partner_id: int | None) -> bool:
    return (
        session.exec(
            select(Partnership.id).where(
                Partnership.provider_org_id == provider_id,
                Partnership.consultant_org_id == partner_id,
                Partnership.status == PartnershipStatus.ACTIVE,
            )
        ).first()
        is not None
    )


def _active_partner(session: Session, provider_id: int, value: object) -> int:
    try:
        partner_id = inputs.record_id(value, what="partner")
    except NotFound:
        raise Invalid("Choose a partner.", field="partner_org_id") from None
    if not _is_active_partner(session, provider_id, partner_id):
        raise Invalid("Choose one of your active partners.", field="partner_org_id")
    return partner_id


def _tier(session: Session, provider_id: int, value: object) -> int:
    try:
        tier_id = inputs.record_id(value, what="tier")
    except NotFound:
        raise Invalid("Choose a partner tier.", field="tier_id") from None
    found = session.exec(
        select(TaxonomyTerm.id).where(
            TaxonomyTerm.id == tier_id,
            TaxonomyTerm.org_id == provider_id,
            TaxonomyTerm.kind == TermKind.PARTNER_TIER,
        )
    ).first()
    if found is None:
        raise Invalid("Choose one of your partner tiers.", field="tier_id")
    return tier_id


def _state(form: LeadForm) -> dict[str, Any]:
    """What the activity trail keeps of a form."""
    return {
        "name": form.name,
        "routing": form.routing,
        "partner_org_id": form.partner_org_id,
        "tier_id": form.tier_id,
        "is_active": form.is_active,
    }

"""Finding a person in an organization's records (personal-data requests).

One source for "which records of this organization hold this person": the search shown to the
admin, the export and the erasure all read `match`. A person is named by an email (exact,
ignoring case) and/or a full name (first and last, ignoring case). The organization's records:

- leads and referrals it sent or received (the lead row belongs to the organization that sent it);
- deals it is a party to (the deal row belongs to its provider), by contact email or name, or
  made from a matched lead;
- public form submissions that made a matched lead;
- its own copies that mention the person: activity trail entries, notifications, queued or
  kept webhook payloads, mail to its people, import error reports, partner applications.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, func, or_, select

from ...models import (
    ActivityEvent,
    Deal,
    FormSubmission,
    ImportBatch,
    Lead,
    LeadDirection,
    LeadForm,
    LeadRecipient,
    LedgerTransaction,
    Membership,
    Notification,
    OutboundEmail,
    PartnerApplication,
    User,
    WebhookDelivery,
)
from ..core import inputs
from ..core.actor import Actor
from ..core.errors import Invalid

MAX_NAME = 201
MAX_MATCHES = 500  # records of each kind: a person is in a few, a search for more is too wide
NEEDS_ONE = "Enter the person's email or full name."
MIN_NEEDLE = 3  # shorter values are not searched for inside texts


@dataclass(frozen=True, slots=True)
class Person:
    email: str  # lower-case, "" when not given
    name: str  # as typed, "" when not given


@dataclass(slots=True)
class Matches:
    """The ids of every record of one organization holding one person."""

    person: Person
    org_id: int
    leads: list[int] = field(default_factory=list)  # sent or received
    own_leads: list[int] = field(default_factory=list)  # the organization sent them
    deals: list[int] = field(default_factory=list)
    own_deals: list[int] = field(default_factory=list)  # the organization is their provider
    submissions: list[int] = field(default_factory=list)
    events: list[int] = field(default_factory=list)
    notifications: list[int] = field(default_factory=list)
    webhooks: list[int] = field(default_factory=list)
    mails: list[int] = field(default_factory=list)
    imports: list[int] = field(default_factory=list)
    applications: list[int] = field(default_factory=list)
    ledger: list[int] = field(default_factory=list)  # transactions whose memo names the person
    needles: list[str] = field(default_factory=list)  # lower-case texts the person is found by
    other_orgs: dict[int, tuple[list[int], list[int]]] = field(default_factory=dict)

    def count(self) -> dict[str, int]:
        return {
            "leads": len(self.leads),
            "deals": len(self.deals),
            "form_submissions": len(self.submissions),
            "activity_events": len(self.events),
            "notifications": len(self.notifications),
            "webhook_payloads": len(self.webhooks),
            "mails": len(self.mails),
            "import_reports": len(self.imports),
            "partner_applications": len(self.applications),
            "ledger_memos": len(self.ledger),
        }

    def total(self) -> int:
        return sum(self.count().values())


def person(email: object, name: object) -> Person:
    """The person asked about, validated: an email, a full name, or both."""
    given = email.strip() if isinstance(email, str) else ""
    address = inputs.email(given, field="email") if given else ""
    full = inputs.text(name, field="name", label="Full name", max_len=MAX_NAME, required=False)
    full = " ".join(full.split())
    if not address and not full:
        raise Invalid(NEEDS_ONE, field="email")
    return Person(address.lower(), full)


def match(
    session: Session,
    *,
    actor: Actor,
    who: Person,
    lead_ids: list[int] | None = None,
    deal_ids: list[int] | None = None,
) -> Matches:
    """Every record of the actor's organization holding `who` (plus the leads and deals named,
    when another organization's erasure asked about them: their contact may be erased already)."""
    org = actor.org_id
    found = Matches(who, org)
    wanted = _person_of(Lead.email, Lead.first_name + " " + Lead.last_name, who)
    received = select(LeadRecipient.lead_id).where(LeadRecipient.org_id == org)
    visible = or_(Lead.origin_org_id == org, col(Lead.id).in_(received))
    named = col(Lead.id).in_(lead_ids or [-1])
    leads = session.exec(
        select(Lead).where(visible, or_(wanted, named)).order_by(col(Lead.id)).limit(MAX_MATCHES)
    ).all()
    found.leads = [lead.id for lead in leads if lead.id is not None]
    found.own_leads = [lead.id for lead in leads if lead.origin_org_id == org and lead.id]
    recipients = session.exec(
        select(LeadRecipient.id, LeadRecipient.lead_id, LeadRecipient.org_id).where(
            col(LeadRecipient.lead_id).in_(found.leads or [-1])
        )
    ).all()
    deal_wanted = or_(
        _person_of(Deal.contact_email, Deal.contact_name, who),
        col(Deal.source_recipient_id).in_([r[0] for r in recipients] or [-1]),
        col(Deal.id).in_(deal_ids or [-1]),
    )
    deals = session.exec(
        select(Deal)
        .where(or_(Deal.provider_org_id == org, Deal.partner_org_id == org), deal_wanted)
        .order_by(col(Deal.id))
        .limit(MAX_MATCHES)
    ).all()
    found.deals = [d.id for d in deals if d.id is not None]
    found.own_deals = [d.id for d in deals if d.provider_org_id == org and d.id]
    found.needles = _needles(who, leads, deals)
    found.person = _named(who, leads, deals)
    # The other organizations holding a copy: a shared lead's sender (and, to its sender, its
    # recipients: a recipient never learns who else received it), a deal's other party.
    for lead in leads:
        if lead.origin_org_id == org:
            for _, lead_id, org_id in recipients:
                if lead_id == lead.id:
                    _also(found, org_id, lead_id=lead.id)
        _also(found, lead.origin_org_id, lead_id=lead.id)
    for deal in deals:
        _also(found, deal.provider_org_id, deal_id=deal.id)
        _also(found, deal.partner_org_id, deal_id=deal.id)
    found.submissions = _ids(
        session,
        select(FormSubmission.id)
        .join(LeadForm, col(LeadForm.id) == FormSubmission.form_id)
        .where(LeadForm.org_id == org, col(FormSubmission.lead_id).in_(found.leads or [-1])),
    )
    found.events = _ids(
        session,
        select(ActivityEvent.id).where(
            ActivityEvent.org_id == org,
            or_(
                _entity_is(found, recipients),
                *_texts(found.needles, ActivityEvent.before, ActivityEvent.after),
            ),
        ),
    )
    if found.needles:
        found.notifications = _ids(
            session,
            select(Notification.id).where(
                Notification.org_id == org, or_(*_texts(found.needles, Notification.text))
            ),
        )
        found.webhooks = _ids(
            session,
            select(WebhookDelivery.id).where(
                WebhookDelivery.org_id == org, or_(*_texts(found.needles, WebhookDelivery.body))
            ),
        )
        people = select(func.lower(User.email)).join(Membership, col(Membership.user_id) == User.id)
        found.mails = _ids(
            session,
            select(OutboundEmail.id).where(
                func.lower(OutboundEmail.to_address).in_(people.where(Membership.org_id == org)),
                or_(*_texts(found.needles, OutboundEmail.subject, OutboundEmail.body)),
            ),
        )
        found.ledger = _ids(
            session,
            select(LedgerTransaction.id).where(
                or_(
                    LedgerTransaction.provider_org_id == org,
                    LedgerTransaction.partner_org_id == org,
                ),
                or_(*_texts(found.needles, LedgerTransaction.memo)),
            ),
        )
        found.imports = _ids(
            session,
            select(ImportBatch.id).where(
                ImportBatch.org_id == org, or_(*_texts(found.needles, ImportBatch.error_report))
            ),
        )
    found.applications = _ids(
        session,
        select(PartnerApplication.id).where(
            PartnerApplication.provider_org_id == org,
            _person_of(PartnerApplication.email, PartnerApplication.name, who),
        ),
    )
    return found


def direction_word(lead: Lead) -> str:
    return "referral" if lead.direction == LeadDirection.PROVIDER_TO_PARTNER else "lead"


def _person_of(email: object, name: object, who: Person) -> sa.ColumnElement[bool]:
    conditions = []
    if who.email:
        conditions.append(func.lower(email) == who.email)
    if who.name:
        conditions.append(func.lower(name) == who.name.lower())
    return or_(*conditions) if conditions else sa.false()


def _named(who: Person, leads: Sequence[Lead], deals: Sequence[Deal]) -> Person:
    """The person with the email and name their records give, when the search gave one only
    (an erasure request carries both, for the other organization to find its copies)."""
    email, name = who.email, who.name
    for lead in leads:
        if lead.erased_at is None:
            email = email or lead.email.lower()
            name = name or f"{lead.first_name} {lead.last_name}".strip()
    for deal in deals:
        if deal.erased_at is None:
            email = email or deal.contact_email.lower()
            name = name or deal.contact_name
    return Person(email[:254], name[:MAX_NAME])


def _needles(who: Person, leads: Sequence[Lead], deals: Sequence[Deal]) -> list[str]:
    found = {who.email, who.name.lower()}
    for lead in leads:
        if lead.erased_at is None:
            found |= {lead.email.lower(), f"{lead.first_name} {lead.last_name}".lower().strip()}
            found.add(lead.phone.lower())
    for deal in deals:
        if deal.erased_at is None:
            found |= {deal.contact_email.lower(), deal.contact_name.lower()}
    return sorted(n for n in found if len(n.strip()) >= MIN_NEEDLE)


def _texts(needles: list[str], *columns: object) -> list[sa.ColumnElement[bool]]:
    """Conditions: any of these text (or JSON) columns holds any needle, ignoring case."""
    return [
        func.lower(sa.cast(column, sa.Text)).contains(needle, autoescape=True)
        for column in columns
        for needle in needles
    ]


def _entity_is(found: Matches, recipients: Sequence[Any]) -> sa.ColumnElement[bool]:
    return or_(
        sa.and_(
            col(ActivityEvent.entity_type) == "lead", col(ActivityEvent.entity_id).in_(found.leads)
        ),
        sa.and_(
            col(ActivityEvent.entity_type) == "lead_recipient",
            col(ActivityEvent.entity_id).in_([r[0] for r in recipients]),
        ),
        sa.and_(
            col(ActivityEvent.entity_type) == "deal", col(ActivityEvent.entity_id).in_(found.deals)
        ),
    )


def _also(found: Matches, org_id: int, *, lead_id: int | None = None, deal_id: int | None = None):
    if org_id == found.org_id:
        return
    leads, deals = found.other_orgs.setdefault(org_id, ([], []))
    if lead_id is not None and lead_id not in leads:
        leads.append(lead_id)
    if deal_id is not None and deal_id not in deals:
        deals.append(deal_id)


def _ids(session: Session, query) -> list[int]:
    return [i for i in session.exec(query.limit(MAX_MATCHES)).all() if i is not None]

"""Demo data: two providers, three consultant firms, their partnerships, leads, referrals and deals.

Run `python -m prm_app.demo` after `reflex db migrate`. Loading is idempotent: when the demo data
is already there nothing changes and the sign-ins are printed again.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TypeVar

from sqlmodel import Session, SQLModel, select

from . import routes
from .models import (
    Approval,
    CommissionType,
    Deal,
    DealProduct,
    Lead,
    LeadDirection,
    LeadRecipient,
    LeadSource,
    LeadStatus,
    LedgerEntry,
    LedgerKind,
    LedgerStatus,
    LedgerTransaction,
    Membership,
    Notification,
    Organization,
    OrgKind,
    OrgSettings,
    Outcome,
    Partnership,
    PartnershipStatus,
    Pipeline,
    RecipientStatus,
    Role,
    Stage,
    TaxonomyTerm,
    TermKind,
    User,
    utcnow,
)
from .services import ledger
from .services.core import activity
from .services.core.actor import Actor
from .services.core.db import session_scope
from .services.customers import customer_keys
from .services.identity import auth

PASSWORD = "demo-password"
MARKER_EMAIL = "admin@northwind.example"
ROLES = (Role.ADMIN, Role.MANAGER, Role.MEMBER)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class OrgSpec:
    key: str  # short name, also the email domain: admin@<key>.example
    name: str
    kind: OrgKind
    people: tuple[str, str, str]  # admin, manager, member

    def email(self, role: str) -> str:
        return f"{role}@{self.key}.example"


@dataclass(frozen=True, slots=True)
class Customer:
    company: str
    contact: str  # "First Last"
    email: str
    title: str = ""


ORGS = (
    OrgSpec(
        "northwind",
        "Northwind Software",
        OrgKind.PROVIDER,
        ("Nancy Davolio", "Andrew Fuller", "Janet Leverling"),
    ),
    OrgSpec(
        "contoso", "Contoso HR Cloud", OrgKind.PROVIDER, ("Megan Bowen", "Adele Vance", "Lee Gu")
    ),
    OrgSpec(
        "fabrikam",
        "Fabrikam Consulting",
        OrgKind.CONSULTANT,
        ("Diego Siciliani", "Isaiah Langer", "Johanna Lorenz"),
    ),
    OrgSpec(
        "tailspin",
        "Tailspin Advisors",
        OrgKind.CONSULTANT,
        ("Lidia Holloway", "Grady Archie", "Pradeep Gupta"),
    ),
    OrgSpec(
        "adatum",
        "Adatum Partners",
        OrgKind.CONSULTANT,
        ("Alex Wilber", "Lynne Robbins", "Joni Sherman"),
    ),
)
PRODUCTS = {
    "northwind": ("Northwind ERP Cloud", "Northwind Finance"),
    "contoso": ("Contoso Payroll", "Contoso Talent"),
}
CUSTOMERS = {
    c.company: c
    for c in (
        Customer("Wingtip Toys", "Kim Abercrombie", "kim.abercrombie@wingtiptoys.example", "COO"),
        Customer("Proseware, Inc.", "Ben Miller", "ben@proseware.example"),
        Customer("Coho Winery LLC", "Dan Park", "dan.park@cohowinery.example", "Finance Director"),
        Customer("Fourth Coffee", "Sara Davis", "sara.davis@fourthcoffee.example", "CFO"),
        Customer("Humongous Insurance", "Eric Gruber", "eric@humongousinsurance.example", "CIO"),
        Customer("Lucerne Publishing", "Laura Norman", "laura@lucernepublishing.example", "CHRO"),
        Customer("Wide World Importers", "Anna Lidman", "anna@wideworldimporters.example", "CEO"),
        Customer("Southridge Video", "Tom Higgins", "tom@southridgevideo.example", "Controller"),
        Customer("Margie's Travel", "Margie Shoop", "margie@margiestravel.example", "Owner"),
        Customer("Globex Corporation", "Hank Scorpio", "hank@globex.example", "CEO"),
        Customer("Trey Research Ltd.", "Chris Preston", "chris@treyresearch.example", "CFO"),
        Customer("Graphic Design Institute", "Jo Brown", "jo.brown@gdi.example", "Dean"),
        Customer("School of Fine Art", "Lola Jacobsen", "lola@fineartschool.example", "Bursar"),
        Customer("City Power & Light", "Ray Chow", "ray.chow@cpandl.example", "IT Manager"),
        Customer("VanArsdel Ltd.", "Ivan Petrov", "ivan@vanarsdel.example", "CFO"),
        Customer("Blue Yonder Airlines, Inc.", "Amy Rusko", "amy@blueyonder.example", "VP Finance"),
        Customer("Adventure Works Cycles", "Rob Walters", "rob@adventure-works.example", "CEO"),
        Customer("Bellows College", "Ellen Adams", "ellen@bellowscollege.example", "HR Director"),
        Customer("Alpine Ski House", "Marc Faeber", "marc@alpineskihouse.example", "Owner"),
        Customer("Tailwind Traders", "Nina Kovac", "nina@tailwindtraders.example", "CHRO"),
        Customer("Nod Publishers", "Oscar Ward", "oscar@nodpublishers.example", "COO"),
        Customer("Globex Corp.", "Mindy Simmons", "mindy@globex.example", "Controller"),
        Customer("Woodgrove Bank", "Paul West", "paul.west@woodgrovebank.example", "CHRO"),
    )
}


class _Demo:
    """The session being loaded, the demo organizations and people, and lookups by name."""

    def __init__(self, session: Session):
        self.session = session
        self.now = utcnow()
        self.orgs: dict[str, Organization] = {}
        self.people: dict[tuple[str, str], Actor] = {}

    def ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def after(self, moment: datetime, **delta: float) -> datetime:
        """`moment` plus `delta`, but never in the future."""
        return min(moment + timedelta(**delta), self.now)

    def org_id(self, key: str) -> int:
        return self.orgs[key].id

    def key_of(self, org_id: int) -> str:
        return next(key for key, org in self.orgs.items() if org.id == org_id)

    def actor(self, key: str, role: str = Role.ADMIN) -> Actor:
        return self.people[(key, role)]

    def actor_of(self, user_id: int) -> Actor:
        return next(actor for actor in self.people.values() if actor.user_id == user_id)

    def user_id(self, key: str, role: str) -> int:
        return self.actor(key, role).user_id

    def settings(self, key: str) -> OrgSettings:
        return self.session.get(OrgSettings, self.org_id(key))

    def term(self, key: str, kind: str, name: str) -> int:
        query = select(TaxonomyTerm.id).where(
            TaxonomyTerm.org_id == self.org_id(key),
            TaxonomyTerm.kind == kind,
            TaxonomyTerm.name == name,
        )
        return self.session.exec(query).one()

    def stage(self, key: str, pipeline: str, name: str) -> Stage:
        query = select(Stage).where(
            Stage.org_id == self.org_id(key), Stage.pipeline == pipeline, Stage.name == name
        )
        return self.session.exec(query).one()

    def add(self, row: T) -> T:
        """Add and flush `row`, so it has its id."""
        self.session.add(row)
        self.session.flush()
        return row

    def log(
        self,
        actor: Actor | None,
        orgs: tuple[str, ...],
        subject: SQLModel,
        action: str,
        at: datetime | None = None,
        **after: object,
    ) -> None:
        """One activity event about `subject` in the audit trail of each of `orgs`,
        dated `at` (default: now)."""
        for key in orgs:
            event = activity.record(
                self.session,
                actor=actor,
                org_id=self.org_id(key),
                subject=subject,
                action=action,
                after=after or None,
            )
            if at is not None:
                event.created_at = at


def load(session: Session) -> bool:
    """Add the demo data to `session`; False, changing nothing, when it is already there."""
    if session.exec(select(User.id).where(User.email == MARKER_EMAIL)).first() is not None:
        return False
    demo = _Demo(session)
    for spec in ORGS:
        _create_org(demo, spec)
    for key, names in PRODUCTS.items():
        for position, name in enumerate(names):
            term = TaxonomyTerm(
                org_id=demo.org_id(key), kind=TermKind.PRODUCT, name=name, position=position
            )
            session.add(term)
    _create_partnerships(demo)
    _create_consultant_leads(demo)
    _create_referrals(demo)
    _create_registrations(demo)
    _create_notifications(demo)
    session.flush()
    return True


def _create_org(demo: _Demo, spec: OrgSpec) -> None:
    """The organization through sign-up (with its admin), then its manager and member."""
    admin_name, manager_name, member_name = spec.people
    admin = auth.sign_up(
        demo.session,
        org_name=spec.name,
        org_kind=spec.kind,
        name=admin_name,
        email=spec.email(Role.ADMIN),
        password=PASSWORD,
    )
    demo.orgs[spec.key] = demo.session.get(Organization, admin.org_id)
    demo.people[(spec.key, Role.ADMIN)] = admin
    for role, name in ((Role.MANAGER, manager_name), (Role.MEMBER, member_name)):
        user = auth.create_user(demo.session, name=name, email=spec.email(role), password=PASSWORD)
        demo.session.add(Membership(user_id=user.id, org_id=admin.org_id, role=role))
        demo.people[(spec.key, role)] = Actor(
            user.id, admin.org_id, spec.kind, role, user.name, user.email, spec.name
        )
        demo.log(admin, (spec.key,), user, "added", role=str(role))
    demo.session.flush()


def _create_partnerships(demo: _Demo) -> None:
    """Partnerships in every status; the active ones categorized and with commission terms."""
    percent, flat = CommissionType.PERCENT, CommissionType.FLAT
    _active(
        demo,
        "northwind",
        "fabrikam",
        ("Implementation partner", "Expert", "Gold"),
        ("ERP", "Expert"),
        (percent, "12"),
        since_days=400,
    )
    _active(
        demo,
        "northwind",
        "tailspin",
        ("Reseller", "Intermediate", "Silver"),
        ("ERP", "Intermediate"),
        (percent, "10"),
        since_days=200,
    )
    _active(
        demo,
        "contoso",
        "fabrikam",
        ("Referral partner", "Intermediate", "Silver"),
        ("HRM", "Intermediate"),
        (flat, "1500"),
        since_days=150,
    )
    # Accepted five days ago: Tailspin has not categorized Contoso yet.
    _active(
        demo,
        "contoso",
        "tailspin",
        ("Reseller", "Beginner", "Bronze"),
        None,
        (percent, "8"),
        since_days=5,
    )

    ended = demo.add(
        Partnership(
            provider_org_id=demo.org_id("northwind"),
            consultant_org_id=demo.org_id("adatum"),
            status=PartnershipStatus.ENDED,
            invite_email="admin@adatum.example",
            invited_by_id=demo.user_id("northwind", Role.ADMIN),
            invited_at=demo.ago(500),
            responded_at=demo.ago(495),
            ended_at=demo.ago(60),
            commission_value=Decimal("10"),
        )
    )
    demo.log(demo.actor("northwind"), ("northwind", "adatum"), ended, "ended")

    invited = demo.add(
        Partnership(
            provider_org_id=demo.org_id("contoso"),
            consultant_org_id=demo.org_id("adatum"),
            status=PartnershipStatus.INVITED,
            invite_email="admin@adatum.example",
            invite_message="We would love Adatum Partners to implement Contoso HR Cloud with us.",
            invite_token_hash=auth.hash_token(auth.new_token()),
            invite_expires_at=demo.now + timedelta(days=12),
            invited_by_id=demo.user_id("contoso", Role.ADMIN),
            invited_at=demo.ago(2),
        )
    )
    demo.log(demo.actor("contoso"), ("contoso", "adatum"), invited, "invited")

    # Invitations sent to firms without an account: one declined, one withdrawn.
    for provider, email, status, days in (
        ("northwind", "partners@relecloud.example", PartnershipStatus.REJECTED, 20),
        ("contoso", "hello@northridge.example", PartnershipStatus.REVOKED, 30),
    ):
        rejected = status == PartnershipStatus.REJECTED
        partnership = demo.add(
            Partnership(
                provider_org_id=demo.org_id(provider),
                status=status,
                invite_email=email,
                invite_message="Let's work together.",
                invited_by_id=demo.user_id(provider, Role.ADMIN),
                invited_at=demo.ago(days + 3),
                invite_expires_at=demo.ago(days - 11),
                responded_at=demo.ago(days) if rejected else None,
                ended_at=None if rejected else demo.ago(days),
            )
        )
        actor = None if rejected else demo.actor(provider)
        demo.log(actor, (provider,), partnership, status, email=email)


def _active(
    demo: _Demo,
    provider: str,
    consultant: str,
    provider_terms: tuple[str, str, str],
    consultant_terms: tuple[str, str] | None,
    commission: tuple[str, str],
    *,
    since_days: int,
) -> None:
    """An active partnership with commission terms.

    The provider categorizes it by `provider_terms` (type, status, tier); the consultant by
    `consultant_terms` (provider type, proficiency), or not yet when None.
    """
    partner_type, partner_status, partner_tier = provider_terms
    partnership = Partnership(
        provider_org_id=demo.org_id(provider),
        consultant_org_id=demo.org_id(consultant),
        status=PartnershipStatus.ACTIVE,
        invite_email=f"admin@{consultant}.example",
        invited_by_id=demo.user_id(provider, Role.ADMIN),
        invited_at=demo.ago(since_days + 1),
        responded_at=demo.ago(since_days),
        partner_type_id=demo.term(provider, TermKind.PARTNER_TYPE, partner_type),
        partner_status_id=demo.term(provider, TermKind.PARTNER_STATUS, partner_status),
        partner_tier_id=demo.term(provider, TermKind.PARTNER_TIER, partner_tier),
        partner_manager_id=demo.user_id(provider, Role.MANAGER),
        commission_type=commission[0],
        commission_value=Decimal(commission[1]),
    )
    if consultant_terms:
        provider_type, proficiency = consultant_terms
        partnership.provider_type_id = demo.term(consultant, TermKind.PROVIDER_TYPE, provider_type)
        partnership.proficiency_id = demo.term(consultant, TermKind.PROFICIENCY, proficiency)
        partnership.assigned_user_id = demo.user_id(consultant, Role.MANAGER)
        partnership.categorized_at = demo.after(demo.ago(since_days), days=1)
    demo.add(partnership)
    demo.log(demo.actor(consultant), (provider, consultant), partnership, "accepted")


def _create_consultant_leads(demo: _Demo) -> None:
    """Consultants' leads to providers, in every recipient status; three become deals."""
    rs, member, manager = RecipientStatus, Role.MEMBER, Role.MANAGER
    _lead(demo, "fabrikam", member, "Wingtip Toys", days_ago=4, draft=True)
    _lead(demo, "tailspin", member, "Proseware, Inc.", days_ago=1, draft=True)

    lead = _lead(demo, "fabrikam", member, "Coho Winery LLC", days_ago=1)
    _send(demo, lead, "northwind", rs.PENDING)
    lead = _lead(demo, "fabrikam", manager, "Fourth Coffee", days_ago=2)
    _send(demo, lead, "northwind", rs.OPENED)
    lead = _lead(demo, "fabrikam", member, "Humongous Insurance", days_ago=6)
    _send(demo, lead, "northwind", rs.ACCEPTED, owner=member, stage="Qualified")
    lead = _lead(demo, "fabrikam", member, "Lucerne Publishing", days_ago=9)
    _send(demo, lead, "contoso", rs.REJECTED, reason="We already work with this customer.")
    # One lead sent to two providers: two independent decisions.
    lead = _lead(demo, "fabrikam", member, "Wide World Importers", days_ago=2)
    _send(demo, lead, "northwind", rs.ACCEPTED, owner=manager, stage="Contacted")
    _send(demo, lead, "contoso", rs.OPENED)
    lead = _lead(demo, "tailspin", member, "Southridge Video", days_ago=40)
    _send(
        demo,
        lead,
        "northwind",
        rs.LOST,
        owner=member,
        stage="Qualified",
        reason="The customer keeps their current system.",
    )
    lead = _lead(demo, "tailspin", manager, "Margie's Travel", days_ago=10)
    _send(demo, lead, "contoso", rs.RETURNED)

    lead = _lead(demo, "fabrikam", manager, "Globex Corporation", days_ago=30)
    recipient = _send(demo, lead, "northwind", rs.CONVERTED, owner=member, stage="Qualified")
    _convert(
        demo,
        recipient,
        name="Globex ERP rollout",
        amount="120000",
        stage="Proposal",
        closes_in=45,
        products=("Northwind ERP Cloud",),
    )

    lead = _lead(demo, "tailspin", manager, "Trey Research Ltd.", days_ago=75)
    recipient = _send(demo, lead, "northwind", rs.CONVERTED, owner=member, stage="Qualified")
    won = _convert(
        demo,
        recipient,
        name="Trey Research finance suite",
        amount="48000",
        stage="Closed Won",
        closes_in=-10,
        products=("Northwind ERP Cloud", "Northwind Finance"),
    )
    _accrue_commission(demo, won)

    # Old records of Adatum, whose partnership with Northwind has since ended.
    lead = _lead(demo, "adatum", manager, "Graphic Design Institute", days_ago=300)
    recipient = _send(demo, lead, "northwind", rs.CONVERTED, owner=manager, stage="Qualified")
    _convert(
        demo,
        recipient,
        name="GDI accounting",
        amount="30000",
        stage="Closed Lost",
        closes_in=-120,
        lost_reason="Chose a competitor's suite on price.",
    )


def _create_referrals(demo: _Demo) -> None:
    """Providers' referrals to their partners in every status; two become deals."""
    rs, member, manager = RecipientStatus, Role.MEMBER, Role.MANAGER
    _lead(demo, "northwind", member, "School of Fine Art", days_ago=1, draft=True)

    lead = _lead(demo, "northwind", manager, "City Power & Light", days_ago=1)
    _send(demo, lead, "fabrikam", rs.PENDING)
    lead = _lead(demo, "northwind", manager, "VanArsdel Ltd.", days_ago=2)
    _send(demo, lead, "tailspin", rs.OPENED)
    lead = _lead(demo, "northwind", manager, "Blue Yonder Airlines, Inc.", days_ago=5)
    _send(demo, lead, "fabrikam", rs.ACCEPTED, owner=member)
    lead = _lead(demo, "northwind", member, "Adventure Works Cycles", days_ago=8)
    _send(demo, lead, "tailspin", rs.REJECTED, reason="Outside our region: we serve EMEA only.")
    # One referral sent to two partners.
    lead = _lead(demo, "contoso", manager, "Bellows College", days_ago=2)
    _send(demo, lead, "fabrikam", rs.PENDING)
    _send(demo, lead, "tailspin", rs.OPENED)

    lead = _lead(demo, "northwind", manager, "Alpine Ski House", days_ago=20)
    recipient = _send(demo, lead, "fabrikam", rs.CONVERTED, owner=member)
    _convert(
        demo,
        recipient,
        name="Alpine Ski House ERP",
        amount="65000",
        stage="Discovery",
        closes_in=60,
    )

    lead = _lead(demo, "contoso", manager, "Tailwind Traders", days_ago=25)
    recipient = _send(demo, lead, "fabrikam", rs.CONVERTED, owner=manager)
    _convert(
        demo,
        recipient,
        name="Tailwind payroll and talent",
        amount="36000",
        stage="Negotiation",
        closes_in=20,
        products=("Contoso Payroll", "Contoso Talent"),
    )


def _create_registrations(demo: _Demo) -> None:
    """Deals registered directly by partners: awaiting approval (one conflicting) or rejected."""
    _register(
        demo,
        "contoso",
        "fabrikam",
        "Nod Publishers",
        name="Nod Publishers HR",
        amount="22000",
        closes_in=75,
        approval=Approval.PENDING,
    )
    # The customer of Fabrikam's approved, protected Globex deal: the provider sees a conflict.
    _register(
        demo,
        "northwind",
        "tailspin",
        "Globex Corp.",
        name="Globex finance",
        amount="80000",
        closes_in=90,
        approval=Approval.PENDING,
    )
    _register(
        demo,
        "contoso",
        "tailspin",
        "Woodgrove Bank",
        name="Woodgrove Bank HR",
        amount="150000",
        closes_in=120,
        approval=Approval.REJECTED,
    )


def _lead(
    demo: _Demo, origin: str, role: str, company: str, *, days_ago: float, draft: bool = False
) -> Lead:
    """A lead (consultant origin) or referral (provider origin) owned by `role` of `origin`."""
    customer = CUSTOMERS[company]
    first_name, last_name = customer.contact.split(" ", 1)
    company_norm, email_domain = customer_keys(customer.company, customer.email)
    if demo.orgs[origin].kind == OrgKind.CONSULTANT:
        direction = LeadDirection.PARTNER_TO_PROVIDER
    else:
        direction = LeadDirection.PROVIDER_TO_PARTNER
    created = demo.ago(days_ago)
    author = demo.actor(origin, role)
    lead = demo.add(
        Lead(
            direction=direction,
            origin_org_id=author.org_id,
            owner_id=author.user_id,
            created_by_id=author.user_id,
            status=LeadStatus.DRAFT if draft else LeadStatus.SUBMITTED,
            source=LeadSource.FORM,
            first_name=first_name,
            last_name=last_name,
            email=customer.email,
            company=customer.company,
            title=customer.title,
            company_norm=company_norm,
            email_domain=email_domain,
            created_at=created,
            submitted_at=None if draft else created,
        )
    )
    action = "created" if draft else "submitted"
    demo.log(author, (origin,), lead, action, at=created, company=company)
    return lead


def _send(
    demo: _Demo,
    lead: Lead,
    to: str,
    status: RecipientStatus,
    *,
    owner: str | None = None,
    stage: str | None = None,
    reason: str = "",
) -> LeadRecipient:
    """`to`'s decision on a submitted lead, with the timestamps its status implies."""
    rs = RecipientStatus
    sent = lead.submitted_at
    recipient = LeadRecipient(
        lead_id=lead.id,
        org_id=demo.org_id(to),
        status=status,
        reason=reason,
        owner_id=demo.user_id(to, owner) if owner else None,
        stage_id=demo.stage(to, Pipeline.LEAD, stage).id if stage else None,
        deadline_at=sent + timedelta(hours=demo.settings(to).lead_accept_hours),
        created_at=sent,
    )
    if status not in (rs.PENDING, rs.RETURNED):
        recipient.opened_at = recipient.updated_at = demo.after(sent, hours=2)
    if status in (rs.ACCEPTED, rs.REJECTED, rs.CONVERTED, rs.LOST):
        recipient.responded_at = recipient.updated_at = demo.after(sent, hours=20)
    if status == rs.LOST:
        recipient.updated_at = demo.after(sent, days=20)
    if status == rs.CONVERTED:
        recipient.converted_at = recipient.updated_at = demo.after(sent, days=2)
    if status == rs.RETURNED:
        recipient.updated_at = recipient.deadline_at
    demo.add(recipient)
    actor = demo.actor(to, owner or Role.ADMIN)
    demo.log(None, (to,), recipient, "received", at=sent, lead_id=lead.id)
    if status != rs.PENDING:
        demo.log(actor, (to,), recipient, status, at=recipient.updated_at, lead_id=lead.id)
    return recipient


def _convert(demo: _Demo, recipient: LeadRecipient, **deal: object) -> Deal:
    """The deal a converted recipient became, registered by the recipient's owner."""
    lead = demo.session.get(Lead, recipient.lead_id)
    origin, receiver = demo.key_of(lead.origin_org_id), demo.key_of(recipient.org_id)
    if lead.direction == LeadDirection.PARTNER_TO_PROVIDER:
        provider, partner = receiver, origin
    else:
        provider, partner = origin, receiver
    return _deal(
        demo,
        provider,
        partner,
        CUSTOMERS[lead.company],
        registered_by=recipient.owner_id,
        created=recipient.converted_at,
        source_recipient_id=recipient.id,
        **deal,
    )


def _register(demo: _Demo, provider: str, partner: str, company: str, **deal: object) -> Deal:
    """A deal the partner's member registered directly three days ago."""
    return _deal(
        demo,
        provider,
        partner,
        CUSTOMERS[company],
        registered_by=demo.user_id(partner, Role.MEMBER),
        created=demo.ago(3),
        stage="Qualification",
        **deal,
    )


def _deal(
    demo: _Demo,
    provider: str,
    partner: str,
    customer: Customer,
    *,
    registered_by: int,
    created: datetime,
    name: str,
    amount: str,
    stage: str,
    closes_in: int,
    source_recipient_id: int | None = None,
    approval: Approval = Approval.APPROVED,
    lost_reason: str = "",
    products: tuple[str, ...] = (),
) -> Deal:
    """A deal whose outcome follows its stage.

    `closes_in` is the close date in days from today (negative when closed); a won or lost deal
    closed then.
    """
    deal_stage = demo.stage(provider, Pipeline.DEAL, stage)
    if deal_stage.is_won:
        outcome = Outcome.WON
    else:
        outcome = Outcome.LOST if deal_stage.is_lost else Outcome.OPEN
    company_norm, email_domain = customer_keys(customer.company, customer.email)
    deal = Deal(
        provider_org_id=demo.org_id(provider),
        partner_org_id=demo.org_id(partner),
        source_recipient_id=source_recipient_id,
        registered_by_id=registered_by,
        name=name,
        company=customer.company,
        company_norm=company_norm,
        email_domain=email_domain,
        contact_name=customer.contact,
        contact_email=customer.email,
        amount=Decimal(amount),
        currency="USD",
        close_date=(demo.now + timedelta(days=closes_in)).date(),
        stage_id=deal_stage.id,
        approval=approval,
        outcome=outcome,
        lost_reason=lost_reason,
        provider_owner_id=demo.user_id(provider, Role.MEMBER),
        partner_owner_id=demo.user_id(partner, Role.MEMBER),
        created_at=created,
        updated_at=created,
    )
    if approval == Approval.APPROVED:
        deal.approved_at = deal.updated_at = demo.after(created, hours=4)
        protection = timedelta(days=demo.settings(provider).protection_days)
        deal.protected_until = deal.approved_at + protection
    if outcome != Outcome.OPEN:
        deal.closed_at = deal.updated_at = demo.now + timedelta(days=closes_in)
    demo.add(deal)
    for product in products:
        product_id = demo.term(provider, TermKind.PRODUCT, product)
        demo.session.add(DealProduct(deal_id=deal.id, product_id=product_id))
    demo.log(
        demo.actor_of(registered_by),
        (provider, partner),
        deal,
        "registered",
        name=name,
        amount=amount,
        approval=str(approval),
        outcome=str(outcome),
    )
    return deal


def _accrue_commission(demo: _Demo, deal: Deal) -> None:
    """The partner's commission on a won deal: one balanced accrual transaction."""
    partnership = demo.session.exec(
        select(Partnership).where(
            Partnership.provider_org_id == deal.provider_org_id,
            Partnership.consultant_org_id == deal.partner_org_id,
        )
    ).one()
    if partnership.commission_type == CommissionType.PERCENT:
        commission = (deal.amount * partnership.commission_value / 100).quantize(Decimal("0.01"))
    else:
        commission = partnership.commission_value
    transaction = demo.add(
        LedgerTransaction(
            kind=LedgerKind.COMMISSION_ACCRUAL,
            status=LedgerStatus.PENDING,
            provider_org_id=deal.provider_org_id,
            partner_org_id=deal.partner_org_id,
            deal_id=deal.id,
            memo=f"Commission on {deal.name}",
            created_by_id=deal.provider_owner_id,
            created_at=deal.closed_at,
        )
    )
    for account, amount in ((ledger.EXPENSE, commission), (ledger.PENDING, -commission)):
        demo.session.add(LedgerEntry(transaction_id=transaction.id, account=account, amount=amount))
    demo.log(
        demo.actor_of(deal.provider_owner_id),
        (demo.key_of(deal.provider_org_id), demo.key_of(deal.partner_org_id)),
        transaction,
        "accrued",
        amount=str(commission),
    )
    # Approved by the provider three days later: the partner may redeem it.
    transaction.status = LedgerStatus.APPROVED
    approval = demo.add(
        LedgerTransaction(
            kind=LedgerKind.COMMISSION_APPROVAL,
            status=LedgerStatus.APPROVED,
            provider_org_id=deal.provider_org_id,
            partner_org_id=deal.partner_org_id,
            deal_id=deal.id,
            memo=f"Approved: Commission on {deal.name}",
            created_by_id=deal.provider_owner_id,
            created_at=demo.after(deal.closed_at, days=3),
        )
    )
    for account, amount in ((ledger.PENDING, commission), (ledger.COMMISSION, -commission)):
        demo.session.add(LedgerEntry(transaction_id=approval.id, account=account, amount=amount))


def _create_notifications(demo: _Demo) -> None:
    """A few notifications, read and unread, so the bell has something to show."""
    for key, role, kind, text, link, read in (
        (
            "northwind",
            Role.ADMIN,
            "lead_received",
            "Fabrikam Consulting sent you a lead: Coho Winery LLC.",
            routes.Provider.LEADS,
            False,
        ),
        (
            "fabrikam",
            Role.MEMBER,
            "lead_accepted",
            "Northwind Software accepted your lead Humongous Insurance.",
            routes.Consultant.LEADS,
            True,
        ),
        (
            "fabrikam",
            Role.ADMIN,
            "referral_received",
            "Northwind Software referred City Power & Light to you.",
            routes.Consultant.REFERRALS,
            False,
        ),
        (
            "tailspin",
            Role.MANAGER,
            "deal_won",
            "Closed Won: Trey Research finance suite with Northwind Software.",
            routes.Consultant.DEALS,
            False,
        ),
        (
            "adatum",
            Role.ADMIN,
            "partnership_invited",
            "Contoso HR Cloud invited Adatum Partners to partner with them.",
            routes.Consultant.PROVIDERS,
            False,
        ),
    ):
        demo.session.add(
            Notification(
                user_id=demo.user_id(key, role),
                org_id=demo.org_id(key),
                kind=kind,
                text=text,
                link=link,
                read_at=demo.ago(0.5) if read else None,
                created_at=demo.ago(1),
            )
        )


def sign_ins() -> list[tuple[str, str, str, str]]:
    """(email, role, organization, portal) of every demo user."""
    return [
        (spec.email(role), str(role), spec.name, f"{spec.kind} {routes.home_for(spec.kind)}")
        for spec in ORGS
        for role in ROLES
    ]


def format_sign_ins() -> str:
    """The demo sign-ins as a plain-text table, followed by the shared password."""
    rows = [("Email", "Role", "Organization", "Portal"), *sign_ins()]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join([*(line.rstrip() for line in lines), "", f"Password for all: {PASSWORD}"])


def main() -> None:
    """Load the demo data in one transaction and print the demo sign-ins."""
    with session_scope() as session:
        loaded = load(session)
    print("Demo data loaded." if loaded else "Demo data already loaded: nothing changed.")
    print(format_sign_ins())


if __name__ == "__main__":
    main()

"""Demo leads, referrals and deals in every state, and the commissions they earned."""

from datetime import datetime, timedelta
from decimal import Decimal

from sqlmodel import select

from ..models import (
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
    OrgKind,
    Outcome,
    Partnership,
    Pipeline,
    RecipientStatus,
    Role,
    TermKind,
)
from ..services import ledger
from ..services.customers import customer_keys
from .context import Demo
from .specs import CUSTOMERS, Customer


def create_consultant_leads(demo: Demo) -> None:
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


def create_referrals(demo: Demo) -> None:
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


def create_registrations(demo: Demo) -> None:
    """Deals registered directly by partners: awaiting approval (one conflicting), rejected or
    withdrawn."""
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
    # Withdrawn by its partner the day after (services.deals.withdrawal): final, off the board.
    withdrawn = _register(
        demo,
        "contoso",
        "fabrikam",
        "Woodgrove Bank",
        name="Woodgrove Bank talent",
        amount="40000",
        closes_in=60,
        approval=Approval.WITHDRAWN,
    )
    withdrawn.withdrawn_at = withdrawn.updated_at = demo.after(withdrawn.created_at, hours=20)
    withdrawn.withdrawal_reason = "The customer postponed the project to next year."
    demo.log(
        demo.actor_of(withdrawn.registered_by_id),
        ("contoso", "fabrikam"),
        withdrawn,
        "withdrawn",
        at=withdrawn.withdrawn_at,
        approval=str(Approval.WITHDRAWN),
        reason=withdrawn.withdrawal_reason,
    )


def _lead(
    demo: Demo, origin: str, role: str, company: str, *, days_ago: float, draft: bool = False
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
    demo: Demo,
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


def _convert(demo: Demo, recipient: LeadRecipient, **deal: object) -> Deal:
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


def _register(demo: Demo, provider: str, partner: str, company: str, **deal: object) -> Deal:
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
    demo: Demo,
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


def _accrue_commission(demo: Demo, deal: Deal) -> None:
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

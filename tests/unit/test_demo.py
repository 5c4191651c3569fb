"""demo: the demo data set loads once, completely, and consistently with the domain rules."""

from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, SQLModel, func, select

from prm_app import demo
from prm_app.models import (
    ActivityEvent,
    Approval,
    CustomField,
    Deal,
    DealProduct,
    FieldType,
    Lead,
    LeadDirection,
    LeadRecipient,
    LeadStatus,
    LedgerEntry,
    LedgerKind,
    LedgerTransaction,
    Membership,
    Notification,
    Organization,
    OrgKind,
    Outcome,
    Partnership,
    PartnershipStatus,
    Pipeline,
    RecipientStatus,
    Role,
    Stage,
    TaxonomyTerm,
    TermKind,
    utcnow,
)
from prm_app.services import custom_fields as cf
from prm_app.services.core.errors import Invalid
from prm_app.services.customers import customer_keys
from prm_app.services.identity import auth

DECIDED = {RecipientStatus.ACCEPTED, RecipientStatus.CONVERTED, RecipientStatus.LOST}


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Fifteen demo users per load: hash with minimal Argon2 cost to keep these tests fast."""
    monkeypatch.setattr(
        auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def loaded(session: Session) -> Session:
    """The session with the demo data loaded; objects are read back from the database."""
    assert demo.load(session) is True
    session.flush()
    session.expire_all()
    return session


def _rows(session: Session, model: type[SQLModel]) -> list:
    return list(session.exec(select(model)))


def _row_counts(session: Session) -> dict[str, int]:
    return {
        table.name: session.exec(select(func.count()).select_from(table)).one()
        for table in SQLModel.metadata.sorted_tables
    }


def _partnerships(session: Session) -> dict[tuple[int, int | None], Partnership]:
    return {(p.provider_org_id, p.consultant_org_id): p for p in _rows(session, Partnership)}


def _recipients(session: Session) -> list[tuple[LeadRecipient, Lead]]:
    return list(session.exec(select(LeadRecipient, Lead).join(Lead)))


def test_load_is_idempotent(session):
    before = _row_counts(session)
    assert demo.load(session) is True
    session.flush()
    after_first = _row_counts(session)

    assert demo.load(session) is False
    session.flush()

    assert _row_counts(session) == after_first
    grown = {table for table, count in after_first.items() if count > before[table]}
    assert {
        "organizations",
        "users",
        "memberships",
        "partnerships",
        "leads",
        "lead_recipients",
        "deals",
        "deal_products",
        "activity_events",
        "notifications",
        "ledger_transactions",
        "ledger_entries",
    } <= grown
    assert after_first["organizations"] - before["organizations"] == 5
    assert after_first["users"] - before["users"] == 15


def test_organizations_each_have_an_admin_a_manager_and_a_member(loaded):
    orgs = {org.name: org for org in _rows(loaded, Organization)}
    kinds = Counter(org.kind for org in orgs.values())
    assert kinds == {OrgKind.PROVIDER: 2, OrgKind.CONSULTANT: 3}
    assert orgs["Northwind Software"].kind == OrgKind.PROVIDER
    assert orgs["Contoso HR Cloud"].kind == OrgKind.PROVIDER
    for name in ("Fabrikam Consulting", "Tailspin Advisors", "Adatum Partners"):
        assert orgs[name].kind == OrgKind.CONSULTANT

    roles = defaultdict(list)
    for membership in _rows(loaded, Membership):
        assert membership.is_active
        roles[membership.org_id].append(membership.role)
    for org in orgs.values():
        assert sorted(roles[org.id]) == [Role.ADMIN, Role.MANAGER, Role.MEMBER], org.name

    for provider in ("Northwind Software", "Contoso HR Cloud"):
        products = loaded.exec(
            select(TaxonomyTerm.name).where(
                TaxonomyTerm.org_id == orgs[provider].id, TaxonomyTerm.kind == TermKind.PRODUCT
            )
        ).all()
        assert len(products) == 2


def test_demo_users_sign_in_to_their_organization(loaded):
    for spec in demo.ORGS:
        for role in demo.ROLES:
            actor = auth.authenticate(loaded, email=spec.email(role), password=demo.PASSWORD)
            assert (actor.org_name, actor.org_kind, actor.role) == (spec.name, spec.kind, role)
    with pytest.raises(Invalid):
        auth.authenticate(loaded, email=demo.MARKER_EMAIL, password="not-the-demo-password")


def test_every_status_appears(loaded):
    partnerships = _rows(loaded, Partnership)
    leads = _rows(loaded, Lead)
    recipients = _recipients(loaded)
    deals = _rows(loaded, Deal)

    assert {p.status for p in partnerships} == set(PartnershipStatus)
    assert {(lead.direction, lead.status) for lead in leads} == {
        (direction, status) for direction in LeadDirection for status in LeadStatus
    }
    by_direction = defaultdict(set)
    for recipient, lead in recipients:
        by_direction[lead.direction].add(recipient.status)
    assert by_direction[LeadDirection.PARTNER_TO_PROVIDER] == set(RecipientStatus)
    assert by_direction[LeadDirection.PROVIDER_TO_PARTNER] >= {
        RecipientStatus.PENDING,
        RecipientStatus.OPENED,
        RecipientStatus.ACCEPTED,
        RecipientStatus.REJECTED,
        RecipientStatus.CONVERTED,
    }
    assert {deal.approval for deal in deals} == set(Approval)
    assert {deal.outcome for deal in deals} == set(Outcome)
    open_stages = {deal.stage_id for deal in deals if deal.outcome == Outcome.OPEN}
    assert len(open_stages) >= 3


def test_a_lead_and_a_referral_each_go_to_two_organizations(loaded):
    statuses = defaultdict(list)
    for recipient, lead in _recipients(loaded):
        statuses[(lead.direction, lead.id)].append(recipient.status)
    for direction in LeadDirection:
        shared = [s for (d, _), s in statuses.items() if d == direction and len(s) == 2]
        assert shared, direction
        # Two independent decisions: the recipients are not in lockstep.
        assert any(len(set(s)) == 2 for s in shared), direction


def test_recipients_are_partners_of_the_lead_origin(loaded):
    orgs = {org.id: org for org in _rows(loaded, Organization)}
    partnerships = _partnerships(loaded)
    recipients = _recipients(loaded)
    assert recipients
    for recipient, lead in recipients:
        assert lead.status == LeadStatus.SUBMITTED
        origin, receiver = orgs[lead.origin_org_id], orgs[recipient.org_id]
        if lead.direction == LeadDirection.PARTNER_TO_PROVIDER:
            assert (origin.kind, receiver.kind) == (OrgKind.CONSULTANT, OrgKind.PROVIDER)
            partnership = partnerships.get((receiver.id, origin.id))
        else:
            assert (origin.kind, receiver.kind) == (OrgKind.PROVIDER, OrgKind.CONSULTANT)
            partnership = partnerships.get((origin.id, receiver.id))
        assert partnership is not None, (origin.name, receiver.name)
        if partnership.status != PartnershipStatus.ACTIVE:
            # Only an ended partnership keeps records, all from before it ended.
            assert partnership.status == PartnershipStatus.ENDED
            assert lead.submitted_at < partnership.ended_at

    with_recipients = {lead.id for _, lead in recipients}
    for lead in _rows(loaded, Lead):
        assert (lead.id in with_recipients) == (lead.status == LeadStatus.SUBMITTED), lead.company


def test_recipient_fields_match_their_status(loaded):
    now = utcnow()
    stages = {stage.id: stage for stage in _rows(loaded, Stage)}
    for recipient, lead in _recipients(loaded):
        status = recipient.status
        assert recipient.created_at.tzinfo is not None
        if status in (RecipientStatus.PENDING, RecipientStatus.OPENED):
            assert recipient.deadline_at > now, lead.company
        if status == RecipientStatus.RETURNED:
            assert recipient.deadline_at < now
        assert (recipient.opened_at is None) == (
            status in (RecipientStatus.PENDING, RecipientStatus.RETURNED)
        )
        assert bool(recipient.reason) == (
            status in (RecipientStatus.REJECTED, RecipientStatus.LOST)
        )
        assert (recipient.converted_at is not None) == (status == RecipientStatus.CONVERTED)
        if status in DECIDED:
            assert recipient.owner_id is not None
            assert recipient.responded_at is not None
        if lead.direction == LeadDirection.PARTNER_TO_PROVIDER and status in DECIDED:
            stage = stages[recipient.stage_id]
            assert (stage.org_id, stage.pipeline) == (recipient.org_id, Pipeline.LEAD)


def test_leads_and_deals_carry_normalized_customer_keys(loaded):
    for row in [*_rows(loaded, Lead), *_rows(loaded, Deal)]:
        email = row.email if isinstance(row, Lead) else row.contact_email
        assert (row.company_norm, row.email_domain) == customer_keys(row.company, email)
        assert row.company_norm and row.company_norm == row.company_norm.lower()
        assert "@" not in row.email_domain and "." in row.email_domain
    # The pending Globex registration collides with the approved one: same keys, other partner.
    globex = [deal for deal in _rows(loaded, Deal) if deal.company_norm == "globex"]
    assert {deal.approval for deal in globex} == {Approval.APPROVED, Approval.PENDING}
    assert len({deal.partner_org_id for deal in globex}) == 2


@pytest.mark.parametrize(
    ("company", "email", "keys"),
    [
        ("  Globex Corp. ", "Mindy@Globex.Example", ("globex", "globex.example")),
        (
            "Alfreds Futterkiste GmbH",
            "a@alfreds.example",
            ("alfreds futterkiste", "alfreds.example"),
        ),
        (
            "Blue Yonder Airlines, Inc.",
            "x@blueyonder.example",
            ("blue yonder airlines", "blueyonder.example"),
        ),
        ("Margie's Travel LLC", "m@travel.example", ("margies travel", "travel.example")),
        ("Limited", "l@ltd.example", ("limited", "ltd.example")),
    ],
)
def test_customer_keys(company, email, keys):
    assert customer_keys(company, email) == keys


def test_deals_are_consistent(loaded):
    stages = {stage.id: stage for stage in _rows(loaded, Stage)}
    members = {(m.user_id, m.org_id) for m in _rows(loaded, Membership)}
    converted = {
        recipient.id: (recipient, lead)
        for recipient, lead in _recipients(loaded)
        if recipient.status == RecipientStatus.CONVERTED
    }
    deals = _rows(loaded, Deal)
    sources = Counter(deal.source_recipient_id for deal in deals if deal.source_recipient_id)
    assert set(sources) == set(converted) and set(sources.values()) == {1}

    for deal in deals:
        stage = stages[deal.stage_id]
        assert (stage.org_id, stage.pipeline) == (deal.provider_org_id, Pipeline.DEAL)
        assert stage.is_won == (deal.outcome == Outcome.WON), deal.name
        assert stage.is_lost == (deal.outcome == Outcome.LOST), deal.name
        assert (deal.closed_at is not None) == (deal.outcome != Outcome.OPEN)
        assert bool(deal.lost_reason) == (deal.outcome == Outcome.LOST)
        if deal.approval == Approval.APPROVED:
            assert deal.approved_at.tzinfo is not None
            assert deal.protected_until == deal.approved_at + timedelta(days=90)
        else:
            assert deal.approved_at is None and deal.protected_until is None
        assert isinstance(deal.amount, Decimal) and deal.amount > 0
        assert deal.currency == "USD" and deal.close_date is not None
        assert (deal.provider_owner_id, deal.provider_org_id) in members
        assert (deal.partner_owner_id, deal.partner_org_id) in members
        if deal.source_recipient_id:
            recipient, lead = converted[deal.source_recipient_id]
            assert {deal.provider_org_id, deal.partner_org_id} == {
                lead.origin_org_id,
                recipient.org_id,
            }
            assert deal.company == lead.company

    products = loaded.exec(
        select(DealProduct, Deal, TaxonomyTerm).join(Deal).join(TaxonomyTerm)
    ).all()
    assert products
    for _, deal, term in products:
        assert (term.org_id, term.kind) == (deal.provider_org_id, TermKind.PRODUCT)


def test_partnerships_are_categorized_and_invitations_complete(loaded):
    terms = {term.id: term for term in _rows(loaded, TaxonomyTerm)}
    members = {(m.user_id, m.org_id) for m in _rows(loaded, Membership)}
    partnerships = _rows(loaded, Partnership)

    def in_org(term_id, org_id, kind):
        return (terms[term_id].org_id, terms[term_id].kind) == (org_id, kind)

    active = [p for p in partnerships if p.status == PartnershipStatus.ACTIVE]
    assert len(active) >= 3
    for p in active:
        assert in_org(p.partner_type_id, p.provider_org_id, TermKind.PARTNER_TYPE)
        assert in_org(p.partner_status_id, p.provider_org_id, TermKind.PARTNER_STATUS)
        assert in_org(p.partner_tier_id, p.provider_org_id, TermKind.PARTNER_TIER)
        assert (p.partner_manager_id, p.provider_org_id) in members
        assert p.commission_value is not None and p.commission_value > 0
    uncategorized = [p for p in active if p.categorized_at is None]
    assert len(uncategorized) == 1
    assert uncategorized[0].provider_type_id is None
    for p in active:
        if p.categorized_at is not None:
            assert in_org(p.provider_type_id, p.consultant_org_id, TermKind.PROVIDER_TYPE)
            assert in_org(p.proficiency_id, p.consultant_org_id, TermKind.PROFICIENCY)
            assert (p.assigned_user_id, p.consultant_org_id) in members

    (invited,) = [p for p in partnerships if p.status == PartnershipStatus.INVITED]
    assert invited.invite_email and invited.invite_message
    assert len(invited.invite_token_hash) == 64
    assert invited.invite_expires_at > utcnow()
    (ended,) = [p for p in partnerships if p.status == PartnershipStatus.ENDED]
    assert ended.ended_at is not None and ended.ended_at < utcnow()


def test_ledger_transactions_balance(loaded):
    transactions = _rows(loaded, LedgerTransaction)
    assert transactions
    legs = defaultdict(list)
    for entry in _rows(loaded, LedgerEntry):
        legs[entry.transaction_id].append(entry.amount)
    for transaction in transactions:
        assert len(legs[transaction.id]) >= 2
        assert sum(legs[transaction.id], Decimal(0)) == 0

    (accrual,) = [t for t in transactions if t.kind == LedgerKind.COMMISSION_ACCRUAL]
    deal = loaded.get(Deal, accrual.deal_id)
    assert deal.outcome == Outcome.WON
    assert (accrual.provider_org_id, accrual.partner_org_id) == (
        deal.provider_org_id,
        deal.partner_org_id,
    )
    terms = _partnerships(loaded)[(deal.provider_org_id, deal.partner_org_id)]
    assert max(legs[accrual.id]) == deal.amount * terms.commission_value / 100


def test_main_records_have_activity_and_users_have_notifications(loaded):
    events = defaultdict(set)
    for event in _rows(loaded, ActivityEvent):
        events[(event.entity_type, event.entity_id)].add(event.org_id)
    for p in _rows(loaded, Partnership):
        assert p.provider_org_id in events[("partnership", p.id)]
    for lead in _rows(loaded, Lead):
        assert lead.origin_org_id in events[("lead", lead.id)]
    for recipient, _ in _recipients(loaded):
        assert recipient.org_id in events[("lead_recipient", recipient.id)]
    for deal in _rows(loaded, Deal):
        assert events[("deal", deal.id)] == {deal.provider_org_id, deal.partner_org_id}

    members = {(m.user_id, m.org_id) for m in _rows(loaded, Membership)}
    notifications = _rows(loaded, Notification)
    assert len(notifications) >= 2
    for notification in notifications:
        assert (notification.user_id, notification.org_id) in members
    assert {n.read_at is None for n in notifications} == {True, False}


def test_custom_fields_of_every_kind_hold_values_each_side_sees_per_its_access(loaded):
    def org(name):
        return loaded.exec(select(Organization).where(Organization.name == name)).one()

    northwind, fabrikam = org("Northwind Software"), org("Fabrikam Consulting")
    lead = loaded.exec(
        select(Lead)
        .join(LeadRecipient, LeadRecipient.lead_id == Lead.id)
        .where(Lead.origin_org_id == fabrikam.id, LeadRecipient.org_id == northwind.id)
    ).first()
    provider_side = cf.texts(cf.for_lead(loaded, lead, northwind.id), lead.custom)
    firm_side = cf.texts(cf.for_lead(loaded, lead, fabrikam.id), lead.custom)
    labels = {
        f.name: f.label
        for f in cf.for_lead(loaded, lead, northwind.id) + cf.for_lead(loaded, lead, fabrikam.id)
    }
    assert {labels[k] for k, v in provider_side.items() if v} >= {"Industry", "Internal score"}
    assert "Internal score" not in {labels[k] for k in firm_side}  # hidden from partners
    assert {labels[k] for k, v in firm_side.items() if v} >= {"Industry", "Internal priority"}
    kinds = set(loaded.exec(select(CustomField.type)).all())
    assert kinds == set(FieldType)
    partnership = loaded.exec(
        select(Partnership).where(
            Partnership.provider_org_id == northwind.id,
            Partnership.consultant_org_id == fabrikam.id,
        )
    ).one()
    seen = cf.texts(cf.for_partnership(loaded, partnership, fabrikam.id), partnership.custom)
    assert sorted(v for v in seen.values() if v) == [
        "Yes",
        "alliances@northwind.example",
        "https://fabrikam.example",
    ]

"""Leads (both directions), their per-recipient decisions, and deals."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import code, created_at, fk, money
from .custom_fields import CUSTOM_JSON
from .enums import Approval, LeadSource, LeadStatus, Outcome, RecipientStatus

# The lead lists' search looks into these columns; ix_leads_search indexes them together
# (PostgreSQL). On SQLite the FTS5 trigram table SEARCH_TABLE holds the same text per lead
# (rowid = leads.id), kept by triggers of migration d5e7f9a1b3c6; it is no model, so Alembic's
# autogenerate skips it and its shadow tables (models/schema_compare.py).
SEARCHED_TEXT = "first_name || ' ' || last_name || ' ' || email || ' ' || company"
SEARCHED = f"lower({SEARCHED_TEXT})"
SEARCH_TABLE = "leads_search"


def is_search_table(name: str) -> bool:
    """Whether a table is SQLite's lead search index (the FTS5 table or one of its own)."""
    return name == SEARCH_TABLE or name.startswith(f"{SEARCH_TABLE}_")


class Lead(SQLModel, table=True):
    """A prospect sent by one organization to one or more others.

    direction partner_to_provider: a consultant's lead (deal registration);
    direction provider_to_partner: a provider's referral (lead distribution).
    """

    __tablename__ = "leads"
    __table_args__ = (
        sa.Index("ix_leads_origin_org_status_created", "origin_org_id", "status", "created_at"),
        # The sent list, read in index order and counted from an index: one owner's (a member's
        # own), by company (company_norm), by name (the expressions list_sent sorts by), newest or
        # oldest (and a day range). The migration creates the last one last: SQLite, choosing
        # between equally good indexes on origin_org_id, takes the newest one, and this one reads
        # the table in about rowid order.
        sa.Index(
            "ix_leads_owner_origin_org_created", "owner_id", "origin_org_id", "created_at", "id"
        ),
        sa.Index("ix_leads_origin_org_company", "origin_org_id", "company_norm", "id"),
        sa.Index(
            "ix_leads_origin_org_name",
            "origin_org_id",
            sa.text("lower(last_name)"),
            sa.text("lower(first_name)"),
            "id",
        ),
        sa.Index("ix_leads_origin_org_created", "origin_org_id", "created_at", "id"),
        # An import in update mode matches a lead on its email or its external id.
        sa.Index("ix_leads_origin_org_email", "origin_org_id", "email"),
        sa.Index("ix_leads_origin_org_external", "origin_org_id", "external_id"),
        # The lists' search, on PostgreSQL only (trigrams; see services/listing.searched).
        sa.Index(
            "ix_leads_search",
            sa.text(f"({SEARCHED}) gin_trgm_ops"),
            postgresql_using="gin",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    direction: str = code()  # LeadDirection
    origin_org_id: int = fk("organizations.id", index=False)
    owner_id: int = fk("users.id")
    created_by_id: int = fk("users.id", index=False)
    status: str = code(LeadStatus.DRAFT)
    source: str = code(LeadSource.FORM)
    import_batch_id: int | None = fk("import_batches.id", nullable=True)
    # The MDF activity (fund request, mdf_requests.id) that produced it (services.mdf.returns).
    # No foreign key: on SQLite adding one rebuilds the table, which its triggers refuse.
    mdf_request_id: int | None = Field(default=None, nullable=True, index=True)
    # The record's id in the CRM it came from (Salesforce's "Lead ID", HubSpot's "Record ID"):
    # what an import in update mode may match on ("" when none).
    external_id: str = Field(default="", max_length=100)

    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str = Field(max_length=254)
    company: str = Field(max_length=200)
    phone: str = Field(default="", max_length=50)
    title: str = Field(default="", max_length=150)
    notes: str = Field(default="", max_length=5000)
    # Normalized keys for registration-conflict checks.
    company_norm: str = Field(default="", max_length=200, index=True)
    email_domain: str = Field(default="", max_length=254, index=True)
    # While a draft: the organizations ticked when it was saved, offered again when it is edited
    # (ids, checked again at submission). Emptied on submission, when recipients are rows.
    draft_recipient_ids: list = Field(default_factory=list, sa_type=sa.JSON)
    # Custom field values ({field id: value}) of the consultant's own fields and of the fields
    # of each provider it went to (services.custom_fields: who sees which).
    custom: dict = Field(default_factory=dict, sa_type=CUSTOM_JSON)
    # Permission to share the contact with partners (a provider may require it before a
    # referral is sent: services.leads.consent), and when the person's details were erased or
    # stripped (services.privacy): the business record stays, marked.
    share_consent: bool = False
    erased_at: datetime | None = None

    created_at: datetime = created_at()
    submitted_at: datetime | None = None
    updated_at: datetime | None = None


class LeadRecipient(SQLModel, table=True):
    """One receiving organization's independent decision on a lead."""

    __tablename__ = "lead_recipients"
    __table_args__ = (
        sa.UniqueConstraint("lead_id", "org_id", name="uq_lead_recipients_lead_org"),
        sa.Index("ix_lead_recipients_org_status_created", "org_id", "status", "created_at"),
        # The received list: a stage (stage_id first, so that it is never taken for the
        # organization alone), by deadline, newest or oldest (and a day range); created in this
        # order for the same reason as the leads' indexes.
        sa.Index("ix_lead_recipients_stage_org_created", "stage_id", "org_id", "created_at", "id"),
        sa.Index("ix_lead_recipients_org_deadline", "org_id", "deadline_at", "id"),
        # By company: one row per lead and organization, so lead_id breaks ties as Lead.id does.
        sa.Index("ix_lead_recipients_org_company", "org_id", "company_norm", "lead_id"),
        # Of one sending organization, in order (and, holding lead_id, a sent list's leads
        # sent to one organization).
        sa.Index(
            "ix_lead_recipients_org_origin_created",
            "org_id",
            "origin_org_id",
            "created_at",
            "id",
            "lead_id",
        ),
        # A member's own (as ix_leads_owner_origin_org_created), counted from the index.
        sa.Index("ix_lead_recipients_owner_org_created", "owner_id", "org_id", "created_at", "id"),
        sa.Index("ix_lead_recipients_org_created", "org_id", "created_at", "id"),
        # The scorecard: a provider's decisions within a window (services.scorecard).
        sa.Index("ix_lead_recipients_org_responded", "org_id", "responded_at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = fk("leads.id", ondelete="CASCADE")
    org_id: int = fk("organizations.id", index=False)
    status: str = code(RecipientStatus.PENDING)
    reason: str = Field(default="", max_length=1000)
    stage_id: int | None = fk("stages.id", nullable=True, index=False)
    owner_id: int | None = fk("users.id", nullable=True)
    deadline_at: datetime | None = None
    opened_at: datetime | None = None
    responded_at: datetime | None = None
    converted_at: datetime | None = None
    created_at: datetime = created_at()
    updated_at: datetime | None = None
    # Copies of the lead's, for the received list's sort and filter: set by database triggers
    # on insert and whenever the lead's change (migration d5e7f9a1b3c6); the app never writes
    # them.
    company_norm: str = Field(default="", max_length=200)
    origin_org_id: int = Field(default=0)


class Deal(SQLModel, table=True):
    """A registered opportunity between a provider and a partner, worked through deal stages."""

    __tablename__ = "deals"
    __table_args__ = (
        sa.Index("ix_deals_provider_outcome_stage", "provider_org_id", "outcome", "stage_id"),
        sa.Index("ix_deals_partner_outcome", "partner_org_id", "outcome"),
        # The board: each stage's first deals by close date, on either side.
        sa.Index(
            "ix_deals_provider_stage_close", "provider_org_id", "stage_id", "close_date", "id"
        ),
        sa.Index("ix_deals_partner_stage_close", "partner_org_id", "stage_id", "close_date", "id"),
        # The list's default order (newest first), a page read from an index range on either side.
        sa.Index("ix_deals_provider_created", "provider_org_id", "created_at", "id"),
        sa.Index("ix_deals_partner_created", "partner_org_id", "created_at", "id"),
        # An import in update mode matches a deal on either side's external id.
        sa.Index("ix_deals_provider_external", "provider_org_id", "external_id"),
        sa.Index("ix_deals_partner_external", "partner_org_id", "external_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_org_id: int = fk("organizations.id", index=False)
    partner_org_id: int = fk("organizations.id", index=False)
    source_recipient_id: int | None = fk("lead_recipients.id", nullable=True)
    registered_by_id: int = fk("users.id", index=False)
    import_batch_id: int | None = fk("import_batches.id", nullable=True)
    # The MDF activity (fund request, mdf_requests.id) that produced it (services.mdf.returns).
    # No foreign key: on SQLite adding one rebuilds the table, which its triggers refuse.
    mdf_request_id: int | None = Field(default=None, nullable=True, index=True)
    external_id: str = Field(default="", max_length=100)  # in the importer's CRM (see Lead's)

    name: str = Field(max_length=200)
    company: str = Field(max_length=200)
    company_norm: str = Field(default="", max_length=200, index=True)
    email_domain: str = Field(default="", max_length=254, index=True)
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    # Where the customer is: ISO 3166-1 alpha-2 and ISO 3166-2 codes ("" when not given).
    country: str = Field(default="", max_length=2)
    region: str = Field(default="", max_length=6)
    amount: Decimal = money()
    currency: str = Field(default="USD", max_length=3)
    close_date: date | None = None

    stage_id: int | None = fk("stages.id", nullable=True, index=False)
    approval: str = code(Approval.PENDING)
    rejection_reason: str = Field(default="", max_length=1000)
    outcome: str = code(Outcome.OPEN)
    lost_reason: str = Field(default="", max_length=1000)
    provider_owner_id: int | None = fk("users.id", nullable=True, index=False)
    partner_owner_id: int | None = fk("users.id", nullable=True, index=False)
    approved_at: datetime | None = None
    # The amount the provider last approved (or set itself): partners' raises are measured
    # against it, so small steps cannot add up unseen. None: not recorded yet (older deals).
    approved_amount: Decimal | None = money(None)
    protected_until: datetime | None = None
    closed_at: datetime | None = None
    # Withdrawal and resubmission (services.deals.withdrawal): a withdrawn deal is final; a
    # resubmission is a new deal linked to the rejected or expired one it repeats.
    withdrawn_at: datetime | None = None
    withdrawal_reason: str = Field(default="", max_length=1000)
    resubmitted_from_id: int | None = fk("deals.id", nullable=True)
    custom: dict = Field(default_factory=dict, sa_type=CUSTOM_JSON)  # the provider's fields
    version: int = 1  # optimistic locking
    erased_at: datetime | None = None  # the contact erased (services.privacy); the deal stays

    created_at: datetime = created_at()
    updated_at: datetime | None = None


class DealProduct(SQLModel, table=True):
    """A provider product named on a deal."""

    __tablename__ = "deal_products"

    deal_id: int = Field(foreign_key="deals.id", primary_key=True, ondelete="CASCADE")
    product_id: int = Field(foreign_key="taxonomy_terms.id", primary_key=True)

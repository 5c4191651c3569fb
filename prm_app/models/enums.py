"""Enumerated codes. Stored as plain strings; these classes are the single list of legal values."""

from enum import StrEnum


class OrgKind(StrEnum):
    PROVIDER = "provider"
    CONSULTANT = "consultant"


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    MEMBER = "member"


class TermKind(StrEnum):
    # consultant side
    PROVIDER_TYPE = "provider_type"
    PROFICIENCY = "proficiency"
    # provider side
    PARTNER_STATUS = "partner_status"
    PARTNER_TYPE = "partner_type"
    PARTNER_TIER = "partner_tier"
    PARTNER_GROUP = "partner_group"
    PRODUCT = "product"
    LOST_REASON = "lost_reason"  # why a lead or referral was closed as lost
    CERTIFICATION = "certification"  # ticked on a partner's card (tier criteria)


class Pipeline(StrEnum):
    LEAD = "lead"
    DEAL = "deal"


class PartnershipStatus(StrEnum):
    INVITED = "invited"
    ACTIVE = "active"
    REJECTED = "rejected"
    REVOKED = "revoked"
    ENDED = "ended"


class CommissionType(StrEnum):
    PERCENT = "percent"
    FLAT = "flat"


class LeadDirection(StrEnum):
    PARTNER_TO_PROVIDER = "partner_to_provider"  # a lead/deal registration
    PROVIDER_TO_PARTNER = "provider_to_partner"  # a referral (lead distribution)


class LeadStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class LeadSource(StrEnum):
    FORM = "form"
    CSV = "csv"
    API = "api"
    WEB_FORM = "web_form"


class RecipientStatus(StrEnum):
    PENDING = "pending"
    OPENED = "opened"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CONVERTED = "converted"
    LOST = "lost"
    RETURNED = "returned"  # not accepted before the deadline


class Approval(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"  # by its partner: final (services.deals.withdrawal)


class Outcome(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class EmailStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class Channel(StrEnum):
    """How a person hears of a category of notifications."""

    OFF = "off"
    IN_APP = "in_app"
    EMAIL = "email"  # in the portal and by email


class ImportKind(StrEnum):
    LEADS = "leads"
    REFERRALS = "referrals"
    DEALS = "deals"


class ImportStatus(StrEnum):
    VALIDATED = "validated"
    IMPORTED = "imported"
    FAILED = "failed"
    UNDONE = "undone"


class LedgerKind(StrEnum):
    COMMISSION_ACCRUAL = "commission_accrual"
    COMMISSION_APPROVAL = "commission_approval"
    CLAWBACK = "clawback"
    CREDIT_AWARD = "credit_award"
    REDEMPTION = "redemption"
    PAYOUT = "payout"
    # Market development funds (services.mdf.books).
    MDF_ALLOCATION = "mdf_allocation"
    MDF_COMMITMENT = "mdf_commitment"  # a request approved: funds set aside for it
    MDF_CLAIM = "mdf_claim"  # a claim approved: due to the partner, the rest released
    MDF_EXPIRY = "mdf_expiry"  # the period ended: the unused allocation goes back


class LedgerStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    PAID = "paid"
    REVERSED = "reversed"


class PayoutKind(StrEnum):
    CASH = "cash"
    INVOICE_CREDIT = "invoice_credit"
    AUTO_INVOICE = "auto_invoice"
    DISCOUNT = "discount"
    MDF = "mdf"  # the reimbursement of an approved MDF claim (services.mdf)


class PayoutStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DECLINED = "declined"
    PAID = "paid"

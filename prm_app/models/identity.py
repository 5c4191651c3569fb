"""Organizations, people, and how they sign in."""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import code, created_at, fk, money, utcnow
from .enums import Role


class Organization(SQLModel, table=True):
    __tablename__ = "organizations"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    kind: str = code(index=True)  # OrgKind
    created_at: datetime = created_at()


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)  # stored lower-case
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    is_active: bool = True
    created_at: datetime = created_at()
    last_login_at: datetime | None = None
    # None until the person opened the link mailed to this address (services.identity.verification).
    email_verified_at: datetime | None = None
    password_changed_at: datetime | None = None
    # Time-based one-time codes (services.identity.two_factor): the secret while enrolling, and
    # from when it is in force; the last time step accepted, so a code works only once.
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_enabled_at: datetime | None = None
    totp_last_step: int | None = Field(default=None, sa_type=sa.BigInteger)


class Membership(SQLModel, table=True):
    """A user's place in an organization; the role decides what they see and do."""

    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("user_id", "org_id", name="uq_memberships_user_org"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = fk("users.id")
    org_id: int = fk("organizations.id")
    role: str = code(Role.MEMBER)
    is_active: bool = True
    created_at: datetime = created_at()
    deactivated_at: datetime | None = None


class AuthSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "auth_sessions"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = fk("users.id")
    org_id: int = fk("organizations.id")
    created_at: datetime = created_at()
    expires_at: datetime
    revoked_at: datetime | None = None
    user_agent: str = Field(default="", max_length=300)
    ip: str = Field(default="", max_length=64)
    last_seen_at: datetime | None = None  # for the idle timeout and "Where you're signed in"


class AuthTicket(SQLModel, table=True):
    """A single-use, short-lived proof of a successful sign-in, exchanged for the cookie."""

    __tablename__ = "auth_tickets"

    id: int | None = Field(default=None, primary_key=True)
    ticket_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = fk("users.id")
    org_id: int = fk("organizations.id")
    redirect_to: str = Field(default="/", max_length=500)
    # The SHA-256 of the pre-sign-in nonce cookie of the browser that signed in: only that
    # browser can redeem the ticket.
    nonce_hash: str = Field(default="", max_length=64)
    created_at: datetime = created_at()
    expires_at: datetime
    used_at: datetime | None = None


class FailedSignIn(SQLModel, table=True):
    """One refused sign-in, for throttling: keyed by hashes of the email and the client's IP
    (no clear text is kept), swept once older than the throttling window."""

    __tablename__ = "failed_sign_ins"

    id: int | None = Field(default=None, primary_key=True)
    email_hash: str = Field(max_length=64, index=True)
    ip_hash: str = Field(max_length=64, index=True)
    created_at: datetime = Field(default_factory=utcnow, nullable=False, index=True)


class UserInvite(SQLModel, table=True):
    """An admin's invitation of a colleague into the organization."""

    __tablename__ = "user_invites"

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = fk("organizations.id")
    email: str = Field(max_length=254, index=True)
    role: str = code(Role.MEMBER)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    invited_by_id: int = fk("users.id", index=False)
    created_at: datetime = created_at()
    expires_at: datetime
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None


class OrgSettings(SQLModel, table=True):
    """A provider's program rules (consultant orgs keep the defaults)."""

    __tablename__ = "org_settings"

    org_id: int = Field(foreign_key="organizations.id", primary_key=True)
    protection_days: int = 90
    lead_accept_hours: int = 72
    default_commission_pct: Decimal = money(Decimal("10"))
    referral_credit_amount: Decimal = money(Decimal("0"))
    payout_threshold: Decimal = money(Decimal("100"))
    currency: str = Field(default="USD", max_length=3)
    auto_apply_credits: bool = False
    # Re-approval when a partner raises an approved deal's amount by more than this percentage
    # of the amount last approved; None: never (services.deals.revisions).
    reapproval_amount_pct: Decimal | None = money(None)
    # How many times a rejected or expired registration may be resubmitted, counted over its
    # whole chain; 0: never (services.deals.withdrawal).
    resubmission_cap: int = 1
    last_import_mapping: dict | None = Field(default=None, sa_type=sa.JSON)
    # Security policy, set by the organization's admins (services.identity.policy).
    two_factor_policy: str = code("off")  # off | admins | everyone
    session_idle_minutes: int = 8 * 60
    session_max_days: int = 30
    # Extensions of a deal's protection (services.deals.extensions): none | once | unlimited,
    # and the longest one extension may be, in days.
    extension_mode: str = code("once")
    extension_max_days: int = 30
    # The partner program's public pages (services.program): the provider's address in them
    # (/apply/<slug>, /partners/<slug>; None: no page), whether applications are open and the
    # partner locator published, and the key signing the time those pages were served.
    program_slug: str | None = Field(default=None, max_length=40, unique=True)
    applications_open: bool = False
    locator_published: bool = False
    program_stamp_key: str | None = Field(default=None, max_length=64)
    # Onboarding (services.onboarding.holds): referrals and registrations wait until the
    # partner's admin signed the current version of every agreement asked of it.
    hold_until_signed: bool = False
    # Data governance (services.leads.consent, services.privacy.retention): referrals need the
    # contact's permission to be shared; closed leads' contact details are stripped after
    # this many months (None: kept).
    require_share_consent: bool = False
    contact_retention_months: int | None = None

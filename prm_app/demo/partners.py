"""Demo organizations with their people, and partnerships in every status."""

from datetime import timedelta
from decimal import Decimal

from sqlmodel import select

from ..models import (
    CommissionType,
    Membership,
    Organization,
    Partnership,
    PartnershipStatus,
    Role,
    TermKind,
    User,
)
from ..services.core.actor import Actor
from ..services.identity import auth
from .context import Demo
from .specs import PASSWORD, OrgSpec


def create_org(demo: Demo, spec: OrgSpec) -> None:
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
    # The demo's people have proved their addresses (verification).
    for user in demo.session.exec(select(User).where(User.id == admin.user_id)):
        user.email_verified_at = demo.now
    demo.orgs[spec.key] = demo.session.get(Organization, admin.org_id)
    demo.people[(spec.key, Role.ADMIN)] = admin
    for role, name in ((Role.MANAGER, manager_name), (Role.MEMBER, member_name)):
        user = auth.create_user(demo.session, name=name, email=spec.email(role), password=PASSWORD)
        user.email_verified_at = demo.now
        demo.session.add(Membership(user_id=user.id, org_id=admin.org_id, role=role))
        demo.people[(spec.key, role)] = Actor(
            user.id, admin.org_id, spec.kind, role, user.name, user.email, spec.name
        )
        demo.log(admin, (spec.key,), user, "added", role=str(role))
    demo.session.flush()


def create_partnerships(demo: Demo) -> None:
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
    demo: Demo,
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

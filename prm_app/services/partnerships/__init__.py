"""Partnerships between providers and consultant firms: invite, answer, end, categorize, list."""

from .categorization import categorize_partner, categorize_provider
from .directory import (
    InvitationView,
    LeadTargets,
    PartnerView,
    ProviderInvitationView,
    ProviderView,
    can_submit_to,
    consultant_invitations,
    lead_targets,
    my_providers,
    partner_directory,
    provider_invitations,
)
from .lifecycle import (
    INVITE_TTL,
    Invitation,
    accept,
    claim_invitations,
    describe_invitation,
    end,
    invite,
    reject,
    resend,
    revoke,
)

__all__ = [
    "INVITE_TTL",
    "Invitation",
    "InvitationView",
    "LeadTargets",
    "PartnerView",
    "ProviderInvitationView",
    "ProviderView",
    "accept",
    "can_submit_to",
    "categorize_partner",
    "categorize_provider",
    "claim_invitations",
    "consultant_invitations",
    "describe_invitation",
    "end",
    "invite",
    "lead_targets",
    "my_providers",
    "partner_directory",
    "provider_invitations",
    "reject",
    "resend",
    "revoke",
]

"""Partner onboarding: a provider's versioned agreements and their signatures, the hold of
referrals and registrations until signed, and the onboarding checklist."""

from .agreements import (
    AgreementRow,
    Asked,
    Signature,
    accept,
    archive,
    asked_of,
    create,
    provider_agreements,
    publish,
    signatures,
)
from .checklist import (
    KINDS,
    Progress,
    StepView,
    add_step,
    checklist,
    open_link,
    progress,
    progress_labels,
    provider_steps,
    remove_step,
    tick,
)
from .files import File, signed_file, version_file
from .holds import holding, require_signed, set_holding

__all__ = [
    "KINDS",
    "AgreementRow",
    "Asked",
    "File",
    "Progress",
    "Signature",
    "StepView",
    "accept",
    "add_step",
    "archive",
    "asked_of",
    "checklist",
    "create",
    "holding",
    "open_link",
    "progress",
    "progress_labels",
    "provider_agreements",
    "provider_steps",
    "publish",
    "remove_step",
    "require_signed",
    "set_holding",
    "signatures",
    "signed_file",
    "tick",
    "version_file",
]

"""What the deal forms check while they are filled in: the provider's eligibility verdicts on a
draft (services.deals.eligibility, the same check that refuses the registration), and the deal
a lead conversion would register.

The forms show the verdicts live; the services enforce them again on submission, so nothing
here is trusted: each draft is the client's, checked as any other input.
"""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from ...models import LeadDirection, Organization
from ..core import inputs
from ..core.actor import Actor
from ..core.errors import Invalid
from ..leads.access import CLOSED, Status, either_side, provider_of
from . import eligibility

# The fields whose change runs the check again (besides the organization across).
DRAFT_FIELDS = (
    "name",
    "company",
    "contact_name",
    "contact_email",
    "amount",
    "close_date",
    "country",
    "region",
)
MAX_DRAFT_TEXT = 320  # a draft's field is cut to this before it is checked
MAX_DRAFT_KEYS = 200  # a draft's fields looked at, at most (product boxes included)


@dataclass(frozen=True, slots=True)
class Check:
    """One rule's verdict as a form shows it: `status` is pass, fail (a hard rule: submission
    is refused) or warn (a soft rule: submission goes ahead, with the warning)."""

    rule: str
    label: str
    status: str
    message: str


@dataclass(frozen=True, slots=True)
class ConversionDraft:
    """What converting a lead registers, as the conversion form's check sees it. A referral's
    conversion is no registration (the provider chose its customer): no rule is checked."""

    other_org_id: int
    other_name: str
    provider_org_id: int
    checked: bool
    form: dict[str, Any]


def draft(form: object) -> dict[str, str]:
    """The known fields of a form being filled in, as text cut short (a client may send
    anything; a field the form does not have is left out)."""
    form = form if isinstance(form, dict) else {}
    return {
        name: value[:MAX_DRAFT_TEXT] if isinstance(value := form[name], str) else ""
        for name in DRAFT_FIELDS
        if name in form
    }


def check(session: Session, *, actor: Actor, other_org_id: object, form: object) -> list[Check]:
    """The provider's rules on a draft deal, as the form shows them (the order of the rules)."""
    other = inputs.record_id(other_org_id, what="organization")
    return [
        Check(
            rule=v.rule,
            label=v.label,
            status="pass" if v.passed else ("fail" if v.hard else "warn"),
            message=v.message,
        )
        for v in eligibility.check(session, actor=actor, other_org_id=other, form=form)
    ]


def blocking(checks: list[Check]) -> list[str]:
    """The labels of the failing hard rules: while there is one, the form cannot be sent."""
    return [c.label for c in checks if c.status == "fail"]


def conversion_draft(session: Session, *, actor: Actor, recipient_id: object) -> ConversionDraft:
    """The deal that converting an accepted lead (a recipient row) would register, for its
    conversion form; only someone who may convert it now sees it (services.leads.access)."""
    recipient, lead, _ = either_side(session, actor, recipient_id)
    if recipient.status != Status.ACCEPTED:  # the refusal converting it would give
        raise Invalid(CLOSED[Status(recipient.status)])
    provider_id = provider_of(lead, recipient)
    is_referral = lead.direction == LeadDirection.PROVIDER_TO_PARTNER
    partner_id = recipient.org_id if is_referral else lead.origin_org_id
    other = partner_id if actor.org_id == provider_id else provider_id
    org = session.get(Organization, other)
    contact = f"{lead.first_name} {lead.last_name}".strip()
    return ConversionDraft(
        other_org_id=other,
        other_name=org.name if org else "",
        provider_org_id=provider_id,
        checked=not is_referral,
        form={
            "name": f"{lead.company} \u2013 {contact}"[:200],
            "company": lead.company,
            "contact_name": contact[:200],
            "contact_email": lead.email,
            "amount": "",
            "close_date": "",
            "country": "",
            "region": "",
            "product_ids": [],
        },
    )

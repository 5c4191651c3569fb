"""A provider's program rules as its administrators edit them (services read them in `program`)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from ...models import OrgKind, OrgSettings
from ..core import activity
from ..core.actor import Actor
from ..core.errors import Invalid
from .fields import CENT, MAX_AMOUNT, amount, flag, whole_number

CURRENCIES = (
    "USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY", "SEK", "NOK", "DKK", "INR", "BRL", "ZAR", "NZD", "SGD",
)  # fmt: skip
MAX_REAPPROVAL_PCT = Decimal(1000)


@dataclass(frozen=True, slots=True)
class RulesView:
    protection_days: int
    lead_accept_hours: int
    default_commission_pct: Decimal
    referral_credit_amount: Decimal
    payout_threshold: Decimal
    currency: str
    auto_apply_credits: bool
    # Re-approval when a partner raises an approved deal's amount by more than this many
    # percent of the amount approved; None: never.
    reapproval_amount_pct: Decimal | None = None


def rules(session: Session, *, actor: Actor) -> RulesView:
    """A provider's program rules."""
    actor.require_kind(OrgKind.PROVIDER)
    return _rules_view(session.get(OrgSettings, actor.org_id))


def update_rules(
    session: Session,
    *,
    actor: Actor,
    protection_days: object,
    lead_accept_hours: object,
    default_commission_pct: object,
    referral_credit_amount: object,
    payout_threshold: object,
    currency: object,
    auto_apply_credits: object,
    reapproval_amount_pct: object = "",
) -> RulesView:
    """Change a provider's program rules; values may be the strings of a submitted form.

    `reapproval_amount_pct` empty (or None) means an approved deal never needs re-approval.
    """
    actor.require_admin()
    actor.require_kind(OrgKind.PROVIDER)
    values = {
        "protection_days": whole_number(
            protection_days, field="protection_days", label="Protection days", low=1, high=3650
        ),
        "lead_accept_hours": whole_number(
            lead_accept_hours,
            field="lead_accept_hours",
            label="Hours to accept a lead",
            low=1,
            high=8760,
        ),
        "default_commission_pct": amount(
            default_commission_pct,
            field="default_commission_pct",
            label="Default commission",
            high=Decimal(100),
        ),
        "referral_credit_amount": amount(
            referral_credit_amount,
            field="referral_credit_amount",
            label="Referral credit",
            high=MAX_AMOUNT,
        ),
        "payout_threshold": amount(
            payout_threshold, field="payout_threshold", label="Payout threshold", high=MAX_AMOUNT
        ),
        "currency": _currency(currency),
        "auto_apply_credits": flag(auto_apply_credits, field="auto_apply_credits"),
        "reapproval_amount_pct": _reapproval_pct(reapproval_amount_pct),
    }
    return _rules_view(save_settings(session, actor=actor, values=values))


def save_settings(session: Session, *, actor: Actor, values: dict[str, Any]) -> OrgSettings:
    """Set some of the actor's organization's program settings (validated by the caller); the
    activity trail records those that changed, before and after (amounts as strings)."""
    settings = session.get(OrgSettings, actor.org_id) or OrgSettings(org_id=actor.org_id)
    changed = {key: value for key, value in values.items() if getattr(settings, key) != value}
    if not changed:
        return settings
    before = {key: _json(getattr(settings, key)) for key in changed}
    for key, value in changed.items():
        setattr(settings, key, value)
    session.add(settings)
    session.flush()
    activity.record(
        session,
        actor=actor,
        subject=settings,
        action="updated",
        before=before,
        after={key: _json(value) for key, value in changed.items()},
    )
    return settings


def _json(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


def _rules_view(settings: OrgSettings) -> RulesView:
    return RulesView(
        protection_days=settings.protection_days,
        lead_accept_hours=settings.lead_accept_hours,
        default_commission_pct=settings.default_commission_pct.quantize(CENT),
        referral_credit_amount=settings.referral_credit_amount.quantize(CENT),
        payout_threshold=settings.payout_threshold.quantize(CENT),
        currency=settings.currency,
        auto_apply_credits=settings.auto_apply_credits,
        reapproval_amount_pct=(
            None
            if settings.reapproval_amount_pct is None
            else settings.reapproval_amount_pct.quantize(CENT)
        ),
    )


def _reapproval_pct(value: object) -> Decimal | None:
    """A percentage from 0 (any raise) to MAX_REAPPROVAL_PCT, or None (empty: never)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return amount(value, field="reapproval_amount_pct", label="", high=MAX_REAPPROVAL_PCT)
    except Invalid:
        raise Invalid(
            f"Re-approval threshold: enter a percentage from 0 to {MAX_REAPPROVAL_PCT} "
            "(0: any raise), or leave it empty to never require re-approval.",
            field="reapproval_amount_pct",
        ) from None


def _currency(value: object) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if code not in CURRENCIES:
        raise Invalid(f"Choose a currency: {', '.join(CURRENCIES)}.", field="currency")
    return code

"""A new deal, from a lead's conversion, a registration or a CSV import: what it takes from its
provider's program (currency, first deal stage, protection) and how its approval starts."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from ...models import Approval, Deal, OrgSettings, Outcome, Pipeline
from ..catalog import program
from ..core import changes
from ..core.actor import Actor


@dataclass(frozen=True, slots=True)
class Terms:
    """What a deal recorded now takes from its provider: approved ones are protected at once."""

    currency: str
    stage_id: int | None
    approval: Approval
    approved_at: datetime | None
    protected_until: datetime | None


def terms(session: Session, provider_org_id: int, *, approved: bool, now: datetime) -> Terms:
    """A new deal's terms with this provider, approved (and protected) or pending."""
    settings = program.settings_of(session, provider_org_id)
    return Terms(
        currency=settings.currency,
        stage_id=program.first_stage(session, provider_org_id, Pipeline.DEAL),
        approval=Approval.APPROVED if approved else Approval.PENDING,
        approved_at=now if approved else None,
        protected_until=protection_end(settings, approved_at=now) if approved else None,
    )


def protection_end(settings: OrgSettings, *, approved_at: datetime) -> datetime:
    """When the protection of a deal approved then ends: the provider's protection_days later."""
    return approved_at + timedelta(days=settings.protection_days)


def build(
    session: Session,
    *,
    actor: Actor,
    provider_org_id: int,
    partner_org_id: int,
    approved: bool,
    now: datetime,
    name: str,
    company: str,
    company_norm: str,
    email_domain: str,
    contact_name: str,
    contact_email: str,
    amount: Decimal,
    close_date: date | None,
    provider_owner_id: int | None,
    partner_owner_id: int | None,
    source_recipient_id: int | None = None,
    country: str = "",
    region: str = "",
) -> Deal:
    """Add a deal registered by the actor, in its provider's first deal stage (flushed: it has
    its id); both organizations' boards are told. The caller records its events."""
    given = terms(session, provider_org_id, approved=approved, now=now)
    deal = Deal(
        provider_org_id=provider_org_id,
        partner_org_id=partner_org_id,
        source_recipient_id=source_recipient_id,
        registered_by_id=actor.user_id,
        name=name,
        company=company,
        company_norm=company_norm,
        email_domain=email_domain,
        contact_name=contact_name,
        contact_email=contact_email,
        country=country,
        region=region,
        amount=amount,
        currency=given.currency,
        close_date=close_date,
        stage_id=given.stage_id,
        approval=given.approval,
        provider_owner_id=provider_owner_id,
        partner_owner_id=partner_owner_id,
        approved_at=given.approved_at,
        approved_amount=amount if approved else None,
        protected_until=given.protected_until,
    )
    session.add(deal)
    session.flush()
    changes.deals_changed(session, provider_org_id, partner_org_id)
    return deal


def build_many(
    session: Session,
    *,
    actor: Actor,
    approved: bool,
    now: datetime,
    provider_org_ids: list[int],
    columns: dict[str, list],
) -> tuple[dict[str, list], dict[str, Any]]:
    """Deals as `build` makes them, for a bulk insert: (columns, one value per deal; constants,
    the same in every row). `columns` holds every other value of each deal, by column, its
    stage included; the model's defaults are written out."""
    given = {p: terms(session, p, approved=approved, now=now) for p in set(provider_org_ids)}
    columns = {
        "provider_org_id": provider_org_ids,
        **columns,
        "currency": [given[p].currency for p in provider_org_ids],
        "protected_until": [given[p].protected_until for p in provider_org_ids],
    }
    constants = {
        "registered_by_id": actor.user_id,
        "approval": (Approval.APPROVED if approved else Approval.PENDING).value,
        "rejection_reason": "",
        "outcome": Outcome.OPEN.value,
        "lost_reason": "",
        "approved_at": now if approved else None,
        "version": 1,
        "created_at": now,
    }
    return columns, constants

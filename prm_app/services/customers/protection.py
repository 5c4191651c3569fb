"""Deal-registration protection: a customer (the same normalized company name or email domain)
already protected for another partner of the same provider.

An approved deal, open or won, protects its customer for its partner until `protected_until`;
so does one sent back for re-approval after a change (pending again, its protection kept).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select

from ...models import Approval, Deal, Lead, LeadDirection, Organization, Outcome, utcnow
from ..core import inputs
from .keys import FREE_MAIL_DOMAINS, domain_key

IN_CHUNK = 5_000  # values in one IN (...) list (SQLite allows 32,766 parameters)


@dataclass(frozen=True, slots=True)
class Conflict:
    """A customer already protected for another partner of the same provider."""

    deal_id: int
    partner_org_id: int
    partner_name: str
    company: str
    protected_until: datetime


def protecting(now: datetime, exclude: Any) -> list:
    """Conditions on Deal: it protects its customer now for a partner other than `exclude`
    (an organization id, or a column)."""
    return [
        Deal.partner_org_id != exclude,
        col(Deal.approval).in_([Approval.APPROVED, Approval.PENDING]),  # pending: re-approval
        col(Deal.outcome).in_([Outcome.OPEN, Outcome.WON]),
        col(Deal.protected_until) > now,
    ]


def protected(now: datetime, company_norm: str, email_domain: str, exclude: int) -> list:
    """Conditions on Deal: protected for a partner other than `exclude`, same customer."""
    same = []
    if company_norm:
        same.append(Deal.company_norm == company_norm)
    if domain := domain_key(email_domain):
        same.append(Deal.email_domain == domain)
    return [*protecting(now, exclude), sa.or_(*same) if same else sa.false()]


def conflicts(
    session: Session,
    *,
    provider_org_id: object,
    company_norm: object,
    email_domain: object,
    exclude_partner_org_id: object,
) -> list[Conflict]:
    """The provider's customers protected for another partner matching the company or domain."""
    provider_org_id = inputs.record_id(provider_org_id, what="organization")
    exclude = inputs.record_id(exclude_partner_org_id, what="organization")
    company_norm = company_norm if isinstance(company_norm, str) else ""
    email_domain = email_domain if isinstance(email_domain, str) else ""
    found = find_conflicts(session, [provider_org_id], company_norm, email_domain, exclude)
    return found.get(provider_org_id, [])


def find_conflicts(
    session: Session, provider_ids: list[int], company_norm: str, email_domain: str, exclude: int
) -> dict[int, list[Conflict]]:
    """Conflicts by provider id, for several providers in one query."""
    if not (company_norm or domain_key(email_domain)):
        return {}
    rows = session.exec(
        select(Deal, Organization.name)
        .join(Organization, col(Organization.id) == Deal.partner_org_id)
        .where(
            col(Deal.provider_org_id).in_(provider_ids),
            *protected(utcnow(), company_norm, email_domain, exclude),
        )
        .order_by(col(Deal.protected_until).desc(), col(Deal.id))
    )
    found: dict[int, list[Conflict]] = {}
    for deal, name in rows:
        found.setdefault(deal.provider_org_id, []).append(
            Conflict(deal.id, deal.partner_org_id, name, deal.company, deal.protected_until)
        )
    return found


def leads_protected_elsewhere(session: Session, provider_id: int, lead_ids: list[int]) -> set[int]:
    """Of these leads received by the provider, those naming a customer protected for another
    partner (one query for a whole page)."""
    same_customer = sa.or_(
        sa.and_(Lead.company_norm != "", Deal.company_norm == Lead.company_norm),
        sa.and_(
            Lead.email_domain != "",
            col(Lead.email_domain).not_in(FREE_MAIL_DOMAINS),
            Deal.email_domain == Lead.email_domain,
        ),
    )
    held = (
        sa.exists()
        .where(
            Deal.provider_org_id == provider_id,
            *protecting(utcnow(), Lead.origin_org_id),
            same_customer,
        )
        .correlate(Lead)
    )
    return set(
        session.exec(
            select(Lead.id).where(
                col(Lead.id).in_(lead_ids),
                Lead.direction == LeadDirection.PARTNER_TO_PROVIDER,
                held,
            )
        ).all()
    )


def held_by_row(session: Session, rows: pd.DataFrame, *, exclude: int) -> pd.DataFrame:
    """For rows of customers (columns provider, partner, company_norm, email_domain), the latest
    protection of each by another partner of its provider: columns until and holder_name, by
    the rows' index (NaN where none). A few queries for the whole frame."""
    domains = rows["email_domain"].where(~rows["email_domain"].isin(FREE_MAIL_DOMAINS), "")
    norms = sorted(set(rows["company_norm"][rows["company_norm"] != ""]))
    wanted = sorted(set(domains[domains != ""]))
    providers = sorted(int(p) for p in set(rows["provider"]) if p > 0)
    hits = []
    now = utcnow()
    for column, values in ((Deal.company_norm, norms), (Deal.email_domain, wanted)):
        for start in range(0, len(values), IN_CHUNK):
            hits += session.exec(
                select(
                    Deal.provider_org_id,
                    Deal.partner_org_id,
                    Deal.company_norm,
                    Deal.email_domain,
                    Deal.protected_until,
                    Organization.name,
                )
                .join(Organization, col(Organization.id) == Deal.partner_org_id)
                .where(
                    col(Deal.provider_org_id).in_(providers),
                    *protecting(now, exclude),
                    col(column).in_(values[start : start + IN_CHUNK]),
                )
            ).all()
    if not hits:
        return pd.DataFrame({"until": None, "holder_name": None}, index=rows.index)
    held = pd.DataFrame(
        hits,
        columns=["provider", "holder", "company_norm", "email_domain", "until", "holder_name"],
    )
    keyed = pd.DataFrame(
        {
            "row": rows.index,
            "provider": rows["provider"].to_numpy(),
            "partner": rows["partner"].to_numpy(),
            "company_norm": rows["company_norm"].to_numpy(),
            "email_domain": domains.to_numpy(),
        }
    )
    matches = []
    for key in ("company_norm", "email_domain"):
        both = keyed[keyed[key] != ""].merge(
            held.drop(columns=[k for k in ("company_norm", "email_domain") if k != key]),
            on=["provider", key],
        )
        matches.append(both[both["holder"] != both["partner"]])
    found = pd.concat(matches).sort_values("until").drop_duplicates("row", keep="last")
    return found.set_index("row").reindex(rows.index)[["until", "holder_name"]]

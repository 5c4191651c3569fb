"""A provider's deal registration rules and its list of existing customers (issue 26)."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from .base import code, created_at, fk


class RegistrationRule(SQLModel, table=True):
    """One eligibility rule of a provider's program: on or off, hard (blocks a registration) or
    soft (warns), the message partners see ("" = the rule's default) and its settings (JSON:
    territories, an amount, products, limits or fields, by rule; see services.deals.eligibility).
    A provider without a row for a rule has that rule at its default (services.deals.rule_kinds).
    """

    __tablename__ = "registration_rules"
    __table_args__ = (
        sa.UniqueConstraint("provider_org_id", "rule", name="uq_registration_rules_provider_rule"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_org_id: int = fk("organizations.id", index=False)
    rule: str = code()
    enabled: bool = False
    hard: bool = True
    message: str = Field(default="", max_length=500)
    config: dict = Field(default_factory=dict, sa_type=sa.JSON)
    updated_at: datetime | None = None


class ProviderCustomer(SQLModel, table=True):
    """A company that is already a provider's customer ("not an existing customer" rule), by
    normalized name and email domain (services.customers.keys)."""

    __tablename__ = "provider_customers"
    __table_args__ = (
        sa.Index("ix_provider_customers_provider_name", "provider_org_id", "name_norm"),
        sa.Index("ix_provider_customers_provider_domain", "provider_org_id", "domain"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_org_id: int = fk("organizations.id", index=False)
    name: str = Field(default="", max_length=200)
    name_norm: str = Field(default="", max_length=200)
    domain: str = Field(default="", max_length=254)
    created_at: datetime = created_at()

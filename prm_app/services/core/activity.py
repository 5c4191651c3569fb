"""The activity trail: every change writes one event in the same transaction."""

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from ...models import (
    ActivityEvent,
    Agreement,
    ApiKey,
    ChecklistStep,
    CustomField,
    DataExport,
    Deal,
    ErasureRequest,
    ImportBatch,
    Lead,
    LeadForm,
    LeadRecipient,
    LedgerTransaction,
    LibraryFolder,
    LibraryItem,
    LocatorListing,
    MdfAllocation,
    MdfBudget,
    MdfClaim,
    MdfRequest,
    Organization,
    OrgSettings,
    PartnerApplication,
    Partnership,
    PayoutRequest,
    ProviderCustomer,
    RegistrationRule,
    SavedView,
    SecurityEvent,
    Stage,
    TaxonomyTerm,
    User,
    UserInvite,
    WebhookEndpoint,
)
from . import channel
from .actor import Actor

# The name each kind of record has in the trail (timelines and the audit log read these).
ENTITY_TYPES: dict[type[SQLModel], str] = {
    Agreement: "agreement",
    ApiKey: "api_key",
    ChecklistStep: "checklist_step",
    CustomField: "custom_field",
    DataExport: "data_export",
    Deal: "deal",
    ErasureRequest: "erasure_request",
    ImportBatch: "import_batch",
    Lead: "lead",
    LeadForm: "lead_form",
    LeadRecipient: "lead_recipient",
    LibraryFolder: "library_folder",
    LibraryItem: "library_item",
    LedgerTransaction: "ledger_transaction",
    LocatorListing: "locator_listing",
    MdfAllocation: "mdf_allocation",
    MdfBudget: "mdf_budget",
    MdfClaim: "mdf_claim",
    MdfRequest: "mdf_request",
    Organization: "organization",
    OrgSettings: "org_settings",
    PartnerApplication: "partner_application",
    Partnership: "partnership",
    PayoutRequest: "payout_request",
    ProviderCustomer: "provider_customer",
    RegistrationRule: "registration_rule",
    SavedView: "saved_view",
    SecurityEvent: "security_event",
    Stage: "stage",
    TaxonomyTerm: "taxonomy_term",
    User: "user",
    UserInvite: "user_invite",
    WebhookEndpoint: "webhook",
}


def record(
    session: Session,
    *,
    actor: Actor | None,
    subject: SQLModel,
    action: str,
    org_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> ActivityEvent:
    """Add an event about `subject` to the session (committed with the change it describes).

    The event belongs to `org_id`'s trail, by default the actor's organization.
    """
    owner = org_id if org_id is not None else actor.org_id if actor else None
    if owner is None:
        raise ValueError("An activity event needs the organization whose trail holds it.")
    via = channel.of(session, actor.via if actor else None, actor is not None)
    event = ActivityEvent(
        org_id=owner,
        actor_id=actor.user_id if actor else None,
        entity_type=ENTITY_TYPES[type(subject)],
        entity_id=_key(subject),
        action=action,
        before=before,
        after=after,
        via=via.kind,
        via_label=via.label,
    )
    session.add(event)
    return event


def _key(subject: SQLModel) -> int:
    """The record's primary key (`id`, or `org_id` for an organization's settings)."""
    mapper = sa.inspect(type(subject))
    (column,) = mapper.primary_key
    return getattr(subject, mapper.get_property_by_column(column).key)

"""What the activity trail records of leads and their recipients."""

from datetime import datetime
from typing import Any

from ...models import Lead, LeadRecipient
from ..customers import Conflict


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def lead_state(lead: Lead) -> dict[str, Any]:
    return {
        "direction": lead.direction,
        "status": lead.status,
        "owner_id": lead.owner_id,
        "company": lead.company,
        "email": lead.email,
        "share_consent": lead.share_consent,
    }


def recipient_state(recipient: LeadRecipient) -> dict[str, Any]:
    return {
        "status": recipient.status,
        "owner_id": recipient.owner_id,
        "stage_id": recipient.stage_id,
    }


def conflict_state(conflict: Conflict) -> dict[str, Any]:
    return {
        "deal_id": conflict.deal_id,
        "partner_org_id": conflict.partner_org_id,
        "protected_until": iso(conflict.protected_until),
    }

"""Leads in both directions: a consultant's leads to providers, a provider's referrals to partners.

One Lead row (the origin organization's draft, then submitted) and one LeadRecipient per receiving
organization, each an independent decision: pending (opened, for referrals), then accepted or
rejected; an accepted recipient moves through the provider's lead stages and ends converted into
a Deal or lost. Referrals not accepted before their deadline are returned by a system job.

Members act on the leads they own (origin side) or are assigned (receiving side); managers and
admins on all of their organization's. Records of other organizations are NotFound. A referral's
contact details stay hidden from the receiving partner until it is opened.

Submodules: fields (the form and its rules), access (loading and authorization), lifecycle,
conversion, protection (customers protected elsewhere), queries and search (the lists), details,
audit (the trail), forms (public web forms), timeline and custom (custom field values).
"""

from ..customers import Conflict, conflicts
from .access import (
    ONLY_MANAGER_GIVES,
    ORG_NOT_VISIBLE,
    members,
    partners,
    recipient_refusal,
)
from .conversion import convert
from .custom import set_custom
from .details import LeadDetail, RecipientView, detail
from .fields import (
    DUPLICATE,
    LEAD_FIELDS,
    MAX_NOTE,
    MAX_REASON,
    LeadInput,
    field_problem,
    lead_input,
)
from .lifecycle import (
    accept,
    accept_deadline,
    checked_form,
    create_and_submit,
    delete_draft,
    lost_reason_choices,
    mark_lost,
    move_stage,
    open_referral,
    reject,
    return_overdue,
    save_draft,
    submit,
)
from .protection import conflicts_for, protection_notice
from .queries import (
    RECEIVED_SORTS,
    SENT_SORTS,
    ReceivedRow,
    SentRow,
    hidden_contact,
    list_received,
    list_sent,
    received_scope,
    sent_scope,
)

__all__ = [
    "DUPLICATE",
    "LEAD_FIELDS",
    "MAX_NOTE",
    "MAX_REASON",
    "ONLY_MANAGER_GIVES",
    "ORG_NOT_VISIBLE",
    "RECEIVED_SORTS",
    "SENT_SORTS",
    "Conflict",
    "LeadDetail",
    "LeadInput",
    "ReceivedRow",
    "RecipientView",
    "SentRow",
    "accept",
    "accept_deadline",
    "checked_form",
    "conflicts",
    "conflicts_for",
    "convert",
    "create_and_submit",
    "delete_draft",
    "detail",
    "field_problem",
    "hidden_contact",
    "lead_input",
    "list_received",
    "list_sent",
    "lost_reason_choices",
    "mark_lost",
    "members",
    "move_stage",
    "open_referral",
    "partners",
    "protection_notice",
    "received_scope",
    "recipient_refusal",
    "reject",
    "return_overdue",
    "save_draft",
    "sent_scope",
    "set_custom",
    "submit",
]

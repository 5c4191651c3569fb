"""Notifications: who hears of what, in the portal and by email, and each person's inbox.

`delivery` writes them (as each person chose per category); the event functions in `events` and
`deal_events` decide the recipients, and services call those, never `notify` directly.
"""

from .deal_events import (
    deal_changed,
    deal_conflict_decided,
    deal_decided,
    deal_moved,
    deal_owner_assigned,
    deal_registered,
    remind_protection,
)
from .deal_withdrawals import deal_resubmitted, deal_withdrawn
from .delivery import CATEGORIES, CHANNELS, KINDS
from .events import (
    import_finished,
    imported_for,
    invitation_answered,
    invitation_by_email,
    invitation_sent,
    lead_answered,
    lead_assigned,
    lead_returned,
    lead_sent,
    payout_event,
)
from .reading import (
    BELL_MAX,
    PAGE_SIZE,
    Item,
    inbox,
    mark_all_read,
    mark_read,
    preferences,
    set_preference,
    unread_count,
)

__all__ = [
    "BELL_MAX",
    "CATEGORIES",
    "CHANNELS",
    "KINDS",
    "PAGE_SIZE",
    "Item",
    "deal_changed",
    "deal_conflict_decided",
    "deal_decided",
    "deal_moved",
    "deal_owner_assigned",
    "deal_registered",
    "deal_resubmitted",
    "deal_withdrawn",
    "import_finished",
    "imported_for",
    "inbox",
    "invitation_answered",
    "invitation_by_email",
    "invitation_sent",
    "lead_answered",
    "lead_assigned",
    "lead_returned",
    "lead_sent",
    "mark_all_read",
    "mark_read",
    "payout_event",
    "preferences",
    "remind_protection",
    "set_preference",
    "unread_count",
]

"""The rows and views the lead pages show (state.leads), as TypedDicts."""

from typing import TypedDict


class Unavailable(TypedDict):
    """A provider a consultant cannot send leads to, and why."""

    name: str
    reason: str


class SentLeadRow(TypedDict):
    """A row of the sending side's list."""

    id: str
    company: str
    contact: str
    email: str
    status: str
    recipients: str
    owner: str
    created: str
    cells: list[str]  # the chosen custom columns' values (state.list_views)


class LeadDraft(TypedDict):
    """The draft being edited in the submit form (`{}` for a new lead)."""

    id: str
    recipients: list[str]  # the organizations ticked when it was saved
    first_name: str
    last_name: str
    email: str
    company: str
    phone: str
    title: str
    notes: str
    share_consent: str  # "on" when the contact gave permission to share
    owner_id: str


class ReceivedRow(TypedDict):
    """What the receiving side's actions need of a row: a received lead on the list, or one
    recipient on the lead's page."""

    id: str  # the recipient's id
    lead_id: str
    company: str
    hidden: str  # "yes" while the contact details are hidden
    provider_id: str  # whose stages and lost reasons apply
    status: str
    stage_id: str
    stage: str
    owner: str


class ReceivedLeadRow(ReceivedRow):
    """A row of the receiving side's list."""

    contact: str
    email: str
    partner: str
    received: str
    protected: str
    cells: list[str]  # the chosen custom columns' values (state.list_views)


class RecipientRow(ReceivedRow):
    """One receiving organization of a lead, on the lead's page."""

    org: str
    reason: str
    deadline: str
    responded: str
    deal_url: str  # the deal it was converted into ("" before)


class LeadView(TypedDict):
    """Every field of one lead as its page shows it (`{}` before the first read)."""

    id: str
    side: str
    status: str
    noun: str
    origin: str
    owner: str
    company: str
    contact: str
    email: str
    phone: str
    title: str
    notes: str
    consent: str  # "Yes" | "No": permission to share with partners
    erased: str  # "yes" when the contact was erased
    hidden: str
    created: str
    submitted: str

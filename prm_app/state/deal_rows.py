"""The rows the deals states show: the list, the board's stages, one deal's page."""

from typing import TypedDict

from .rows import Option


class DealRow(TypedDict):
    """A row of the deals list."""

    id: str
    name: str
    company: str
    other: str
    amount: str
    stage: str
    approval: str
    outcome: str
    close_date: str
    protected_until: str
    owner: str
    created: str
    cells: list[str]  # the chosen custom columns' values (state.list_views)


class BoardStage(TypedDict):
    """A column of the board, as each card's "Move to stage" offers it."""

    key: str
    name: str


class DealView(TypedDict):
    """Every field of one deal as its page shows it (`{}` before the first read)."""

    id: str
    name: str
    company: str
    contact_name: str
    contact_email: str
    country: str  # codes, for the edit form
    region: str
    country_name: str  # names, for reading
    region_name: str
    amount: str
    amount_value: str
    close_date: str
    stage_id: str
    stage: str
    approval: str
    rejection_reason: str
    outcome: str
    lost_reason: str
    provider: str
    partner: str
    provider_owner: str
    partner_owner: str
    own_owner_id: str
    registered_by: str
    protected_until: str
    approved_at: str
    closed_at: str
    created: str
    source_link: str
    side: str


class ProductOption(Option):
    """A product of the deal's provider, and whether the deal has it ("yes" or "")."""

    chosen: str

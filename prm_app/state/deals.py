"""Deals, one page at a time, in either portal (the service picks the side from the caller)."""

import reflex as rx

from ..models import Approval, OrgKind
from ..services import deals, listing
from .base import AppState
from .leads import PAGE_SIZE  # the shared pager's page size


def _date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _money(amount, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


class DealsState(AppState):
    """/p/deals and /c/deals: the visible page of deals, its search and approval filter."""

    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    search: str = ""
    approval: str = ""

    @rx.event
    def load_provider(self):
        return self._enter(OrgKind.PROVIDER) or self._refresh()

    @rx.event
    def load_consultant(self):
        return self._enter(OrgKind.CONSULTANT) or self._refresh()

    def _refresh(self):
        return self._perform(self._read)[1]

    def _read(self, session, *, actor) -> None:
        found = self._list(session, actor)
        if not found.rows and found.total and found.page > 1:  # past the end: show the last page
            self.page = -(-found.total // PAGE_SIZE)
            found = self._list(session, actor)
        self.total, self.page = found.total, found.page
        self.rows = [
            {
                "id": str(row.id),
                "name": row.name,
                "company": row.company,
                "other": row.other_org_name,
                "amount": _money(row.amount, row.currency),
                "stage": row.stage_name,
                "approval": row.approval,
                "outcome": row.outcome,
                "close_date": _date(row.close_date),
                "protected_until": _date(row.protected_until),
                "owner": row.owner_name,
                "created": _date(row.created_at),
            }
            for row in found.rows
        ]

    def _list(self, session, actor) -> deals.Page:
        return deals.list_deals(
            session,
            actor=actor,
            search=self.search,
            approval=self.approval,
            page=self.page,
            page_size=PAGE_SIZE,
        )

    def _filter(self, **values):
        """Apply new filters from page 1; a refused value leaves the list as it was."""
        before = (self.search, self.approval, self.page)
        for name, value in values.items():
            setattr(self, name, value)
        self.page = 1
        refusal = self._refresh()
        if refusal is not None:
            self.search, self.approval, self.page = before
        return refusal

    @rx.event
    def set_search(self, value: str):
        # Cut to the service's limit so a long paste narrows the list instead of failing.
        return self._filter(search=value[: listing.MAX_SEARCH] if isinstance(value, str) else "")

    @rx.event
    def set_approval(self, value: str):
        # Like the select: one of the approvals, or "" for all of them.
        return self._filter(approval=value if value in ("", *Approval) else "")

    @rx.event
    def clear_filters(self):
        return self._filter(search="", approval="")

    @rx.event
    def turn_page(self, delta: int):
        if isinstance(delta, int) and not isinstance(delta, bool) and delta in (-1, 1):
            self.page = max(1, self.page + delta)
        return self._refresh()

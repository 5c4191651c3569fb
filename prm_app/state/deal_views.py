"""The saved views of the deals page: the list ("deals") and the board ("board") keep views
of their own, with their own built-in filters (a ListViews mixin for DealsState)."""

from typing import TYPE_CHECKING, ClassVar

from .list_views import ListViews
from .rows import Option


class DealListViews(ListViews, mixin=True):
    """ListViews for DealsState, whose `view` says whether the list or the board shows."""

    DEFAULT_SORT: ClassVar[str] = "newest"

    if TYPE_CHECKING:  # DealsState's
        view: str
        search: str
        approval: str
        provider: str
        counterparts: list[Option]
        _limits: dict[str, int]

    def _board_view(self) -> bool:
        return self.view == "board"

    def _list_name(self) -> str:
        return "board" if self._board_view() else "deals"

    def _builtin_filters(self) -> dict[str, str]:
        if self._board_view():
            return {"search": self.search, "provider_org_id": self.provider}
        return {"search": self.search, "approval": self.approval}

    def _set_builtin_filters(self, filters: dict[str, str]) -> None:
        self.search = str(filters.get("search", ""))
        if self._board_view():
            known = {c["id"] for c in self.counterparts}
            provider = str(filters.get("provider_org_id", ""))
            self.provider = provider if provider in known else ""
        else:
            self.approval = str(filters.get("approval", ""))
        self._limits = {}

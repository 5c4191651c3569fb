"""Deals in either portal (the services pick the side from the caller): the list, the Kanban
board, Submit Deal, and one deal's page. Each keeps only what is on screen and re-reads it when
its organization's DealsPulse moves, but for the board, which is pushed (live.py, board_rows)."""

from typing import ClassVar, cast
from urllib.parse import urlencode

import reflex as rx
from reflex.event import EventSpec

from .. import routes
from ..models import Approval, OrgKind
from ..services import deals, leads
from ..services.core import listing
from ..services.core.changes import Topic
from ..services.deals import board as deal_board
from ..services.deals import lifecycle as deal_changes
from ..services.deals import places
from ..services.deals import timeline as deal_timeline
from ..services.identity import team
from . import board_rows, deal_custom, deal_history, deal_protection, extension_view, live, view
from .base import AppState, FieldErrors, form_value
from .board_rows import BoardColumn, shown_columns
from .deal_custom import DealFieldsCard, NewDealFields
from .deal_form import deal_form
from .deal_history import ChainRow, ResubmissionView
from .deal_protection import DealConflictRow, ProtectionView
from .deal_rows import BoardStage, DealRow, DealView, ProductOption
from .deal_views import DealListViews
from .extension_view import ExtensionRow, ExtensionView
from .list_views import address
from .live import LiveView
from .rows import Option, TimelineEntry
from .rule_checks import RuleChecks

VIEWS = ("list", "board")
BOARD_VIEW = "deal_board"  # the board, as a view pushed to the tabs showing it (live.py)
CardNote = tuple[int, int, str, str]  # a card's version, provider id, column key and name


class LiveDeals(LiveView, mixin=True):
    """A deals page of either portal, live on its organization's deals (LiveView): `_open`
    loads it, `_refresh` re-reads it."""

    LIVE_TOPIC: ClassVar[Topic] = Topic.DEALS

    def _open(self, kind: OrgKind):
        raise NotImplementedError

    @rx.event
    def load_provider(self):
        return self._open(OrgKind.PROVIDER)

    @rx.event
    def load_consultant(self):
        return self._open(OrgKind.CONSULTANT)


class DealsState(LiveDeals, DealListViews, AppState):
    """/p/deals and /c/deals: the list (a page) or the board (a slice of each column), each
    with its saved views (DealListViews)."""

    view: str = rx.LocalStorage("list", name="prm-deals-view")
    search: str = ""
    approval: str = ""  # list filter
    sort: str = "newest"  # the list's own sort (a view's; the page offers custom ones)
    provider: str = ""  # a consultant's board: one provider ("" = all, combined)
    counterparts: list[Option] = []
    rows: list[DealRow] = []
    total: int = 0
    page: int = 1
    columns: list[BoardColumn] = []
    stages: list[BoardStage] = []  # the board's columns, for each card's "Move to stage"
    outcomes: list[BoardStage] = []  # the won and lost columns: drop targets at any width
    won_deal: int = 0  # the deal dropped on a won column, waiting for Confirm (0: none)
    won_name: str = ""
    lost_deal: int = 0  # the deal waiting for a lost reason (0: none)
    lost_name: str = ""
    lost_reasons: list[str] = []
    _cards: dict[int, CardNote] = {}  # the cards shown, by deal id
    _board_org: int = 0  # whose deals the board shows
    _stages: dict[str, dict[int, int]] = {}  # column key -> provider id -> stage id
    _outcomes: dict[str, str] = {}  # column key -> open / won / lost
    _limits: dict[str, int] = {}
    _lost_target: str = ""
    _won_target: str = ""

    def _open(self, kind: OrgKind):
        self._watch()
        self.won_deal, self.lost_deal, self._limits = 0, 0, {}
        return self._enter(kind, self._read_options, self._reader())

    def _read_options(self, session, *, actor) -> None:
        self.counterparts = view.options(deals.counterparts(session, actor=actor))
        self._read_views(session, actor=actor)

    @rx.var
    def export_url(self) -> str:
        """The CSV of the deals as filtered now (the export checks the filters again)."""
        provider = self.provider if self.view == "board" else ""  # the board's provider
        shown = {"search": self.search, "approval": self.approval, "other_org_id": provider}
        query = urlencode({k: v for k, v in shown.items() if v})
        return routes.file_url(routes.export("deals")) + (f"?{query}" if query else "")

    def _refresh(self):
        return self._perform(self._reader())[1]

    def _reader(self):
        return self._read_board if self._board_view() else self._read_list

    # the list ----------------------------------------------------------------------------------

    def _read_list(self, session, *, actor) -> None:
        self._reading(actor.org_id)
        self.columns, self._cards = [], {}
        found = self._list(session, actor)
        if not found.rows and found.total and found.page > 1:  # past the end: the last page
            self.page = -(-found.total // view.PAGE_SIZE)
            found = self._list(session, actor)
        self.total, self.page = found.total, found.page
        self.rows = [
            {
                "id": str(row.id),
                "name": row.name,
                "company": row.company,
                "other": row.other_org_name,
                "amount": view.money(row.amount, row.currency),
                "stage": row.stage_name,
                "approval": row.approval,
                "outcome": row.outcome,
                "close_date": view.day(row.close_date),
                "protected_until": view.day(row.protected_until),
                "owner": row.owner_name,
                "created": view.day(row.created_at),
                "cells": self._cells(row),
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
            page_size=view.PAGE_SIZE,
            sort=self._sort_argument(),
            **self._custom_arguments(),
        )

    # the board ---------------------------------------------------------------------------------

    def _read_board(self, session, *, actor) -> None:
        if self.rows or self.total:  # assigned only when shown: a move re-sends only the board
            self.rows, self.total = [], 0
        columns, spec = self._board(session, actor)
        stages, outcomes = board_rows.stages_of(columns), board_rows.outcomes_of(columns)
        if stages != self.stages:  # sent only when they change: the cards are memos of it
            self.stages = stages
        if outcomes != self.outcomes:
            self.outcomes = outcomes
        # The rows are formatted once per shared read (board_rows); this tab's own list of them.
        labels = board_rows.labels_of(spec)
        self.columns = list(shown_columns(columns, labels, board_rows.custom_line(labels)))

    def _board(self, session, actor) -> tuple[list[deal_board.Column], dict]:
        """The board as this tab shows it, registered as the view pushed to it after each
        change (live.py), and what the tab's handlers check a move against."""
        labels = {f["id"]: f["label"] for f in self.field_choices}
        spec = board_rows.params(
            provider=self.provider,
            search=self.search,
            limits=self._limits,
            columns=self.custom_columns,
            custom_filters=[(f["field"], f["op"], f["value"]) for f in self.custom_filters],
            shown=tuple((c, labels.get(c, "")) for c in self.custom_columns),
        )
        pushed = live.view_spec(BOARD_VIEW, self._bound_session, spec)
        columns = board_rows.read(session, actor, self._reading(actor.org_id, pushed=pushed), spec)
        self._board_org = actor.org_id
        self._stages = {c.key: c.stage_ids for c in columns}
        self._outcomes = {c.key: c.outcome for c in columns}
        self._cards = {
            card.id: (card.version, card.provider_org_id, c.key, card.name)
            for c in columns
            for card in c.cards
        }
        return columns, spec

    def _catch_up(self) -> EventSpec | None:
        """Before a move: the cards as the board pushed to this tab since its last own read
        shows them (the optimistic lock is the version the person saw)."""
        if not self._board_view() or live.version(Topic.DEALS, self._board_org) == self._seen:
            return None  # nothing moved since this tab's own read (the move checks the caller)
        return self._perform(lambda session, *, actor: self._board(session, actor))[1]

    @rx.event
    def load_more(self, key: str):
        if isinstance(key, str) and key in self._stages:
            self._limits[key] = self._limits.get(key, deal_board.CARDS) + deal_board.CARDS
        return self._refresh()

    @rx.event
    def move_card(self, deal_id: int, key: str):
        """A card dropped on a column (a drag, by mouse, touch or keyboard), or a stage chosen in
        its "Move to stage": one event, checked here (any client can send any arguments)."""
        if refusal := self._catch_up():
            return refusal
        known = type(deal_id) is int and deal_id in self._cards and isinstance(key, str)
        if not known or key not in self._stages:
            return rx.toast.error("That card or column is no longer on the board.")
        if self._cards[deal_id][2] == key:
            return None  # already there
        return self._move(deal_id, key)

    def _move(self, deal_id: int, key: str, *, confirmed: bool = False, **lost):
        """With the card's version as read (the optimistic lock): a deal changed since fails."""
        version, provider, _, _ = self._cards[deal_id]
        stage_id = self._stages[key].get(provider)
        if stage_id is None:
            return rx.toast.error("This deal's provider has no such stage.")
        if self._outcomes[key] == "lost" and not lost:
            return self._ask_lost_reason(deal_id, key, provider)
        if self._outcomes[key] == "won" and not confirmed:
            self.won_deal, self._won_target = deal_id, key
            self.won_name = self._card_name(deal_id)
            return None  # Closed Won is final: the board asks first
        _, refusal = self._perform(
            deal_changes.move_stage, deal_id=deal_id, version=version, stage_id=stage_id, **lost
        )
        if refusal is not None and lost and self.lost_deal:
            return refusal  # keep the dialog open to choose again
        self.lost_deal, self.won_deal = 0, 0
        return self._refresh() or refusal

    def _ask_lost_reason(self, deal_id: int, key: str, provider: int):
        def read(session, *, actor):
            return leads.lost_reason_choices(session, provider_org_ids=[provider])[provider]

        reasons, refusal = self._perform(read)
        if refusal is not None:
            return refusal
        self.lost_reasons = reasons
        self.lost_deal, self._lost_target = deal_id, key
        self.lost_name = self._card_name(deal_id)
        return None

    def _card_name(self, deal_id: int) -> str:
        return self._cards[deal_id][3] if deal_id in self._cards else ""

    @rx.event
    def confirm_lost(self, form: dict):
        if refusal := self._catch_up():
            return refusal
        if not self.lost_deal or self.lost_deal not in self._cards:
            self.lost_deal = 0
            return None
        return self._move(
            self.lost_deal,
            self._lost_target,
            reason=form_value(form, "reason"),
            note=form_value(form, "note") or "",
        )

    @rx.event
    def cancel_lost(self):
        self.lost_deal = 0

    @rx.event
    def confirm_won(self):
        if refusal := self._catch_up():
            return refusal
        deal_id, self.won_deal = self.won_deal, 0
        if deal_id not in self._cards or self._won_target not in self._stages:
            return None  # nothing asked, or the card left the board meanwhile
        return self._move(deal_id, self._won_target, confirmed=True)

    @rx.event
    def cancel_won(self):
        self.won_deal = 0

    # filters and views -------------------------------------------------------------------------

    @rx.event
    def set_view(self, value: str):
        self.view = value if value in VIEWS else "list"
        self.won_deal, self.lost_deal = 0, 0
        refusal = self._perform(self._read_views, from_address=False)[1]  # each its views
        return refusal or [e for e in (self._refresh(), address(None)) if e is not None]

    def _filter(self, **values):
        """Apply new filters from page 1; a refused value leaves the view as it was."""
        before = (self.search, self.approval, self.provider, self.page)
        for name, value in values.items():
            setattr(self, name, value)
        self.page, self._limits = 1, {}
        refusal = self._refresh()
        if refusal is not None:
            self.search, self.approval, self.provider, self.page = before
        return refusal

    @rx.event
    def set_search(self, value: str):
        # Cut to the service's limit so a long paste narrows the list instead of failing.
        return self._filter(search=value[: listing.MAX_SEARCH] if isinstance(value, str) else "")

    @rx.event
    def set_approval(self, value: str):
        return self._filter(approval=value if value in ("", *Approval) else "")

    @rx.event
    def set_provider(self, value: str):
        known = {c["id"] for c in self.counterparts}
        return self._filter(provider=value if isinstance(value, str) and value in known else "")

    @rx.event
    def clear_filters(self):
        self.custom_filters = []
        return self._filter(search="", approval="", provider="")

    @rx.event
    def turn_page(self, delta: int):
        if isinstance(delta, int) and not isinstance(delta, bool) and delta in (-1, 1):
            self.page = max(1, self.page + delta)
        return self._refresh()


@live.pushed_view(BOARD_VIEW, Topic.DEALS, DealsState)
def _pushed_board(session, actor, version: int, spec: dict) -> dict:
    return board_rows.pushed(session, actor, version, spec)


class SubmitDealState(NewDealFields, RuleChecks, FieldErrors, AppState):
    """The Submit Deal dialog: register a deal with a provider, or record one for a partner,
    with the provider's registration rules checked live (RuleChecks)."""

    form_open: bool = False
    form_error: str = ""
    counterpart: str = ""
    counterparts: list[Option] = []
    products: list[Option] = []

    @rx.event
    def open_form(self):
        self.form_open, self.form_error, self.field_errors = True, "", {}
        self._start_draft()

        def read(session, *, actor):
            self.counterparts = view.options(deals.counterparts(session, actor=actor))
            self.counterpart = self.counterparts[0]["id"] if self.counterparts else ""
            self._read_products(session, actor)

        return self._perform(read)[1]

    def _check_target(self) -> str:
        return self.counterpart

    def _check_products(self) -> set[str]:
        return {p["id"] for p in self.products}

    def _read_products(self, session, actor) -> None:
        """The provider's products, and the rules checked again (another provider's, maybe)."""
        provider = actor.org_id if actor.org_kind == OrgKind.PROVIDER else self.counterpart
        self.products = (
            view.options(deals.products_of(session, actor=actor, provider_org_id=provider))
            if provider
            else []
        )
        self._read_custom(session, actor, self.counterpart)
        self._read_checks(session, actor=actor)

    @rx.event
    def choose_counterpart(self, value: str):
        if not isinstance(value, str) or value not in {c["id"] for c in self.counterparts}:
            return None
        self.counterpart = value
        return self._perform(lambda session, *, actor: self._read_products(session, actor))[1]

    @rx.event
    def close_form(self):
        self.form_open, self.form_error, self.field_errors = False, "", {}

    @rx.event
    def save(self, form: dict):
        if not isinstance(form, dict):
            return None
        found, refusal = self._perform(
            deal_custom.register,
            error_var="form_error",
            inline=(*deal_changes.FORM_FIELDS, *self._custom_names()),
            other_org_id=form_value(form, "other_org_id"),
            form=deal_form(form),
            posted=form,
        )
        if refusal is not None:
            self._check_refused(form)
            return refusal
        self.form_open = False
        if found.protected_until is not None:
            return rx.toast.warning(
                "Deal registered. Note: this customer is already protected for another partner "
                f"of this provider until {view.day(found.protected_until)}."
            )
        return rx.toast.success("Deal registered.")


class DealDetailState(DealFieldsCard, FieldErrors, LiveDeals, AppState):
    """/p/deals/[deal_id] and /c/deals/[deal_id]: every field, the actions allowed, the
    timeline, and (for the provider) the same customer protected for other partners."""

    deal: DealView = cast(DealView, {})
    allowed: list[str] = []
    products: list[str] = []
    timeline: list[TimelineEntry] = []
    conflicts: list[DealConflictRow] = []
    protection: ProtectionView = cast(ProtectionView, {})
    decided: list[str] = []
    decided_about: list[DealConflictRow] = []
    extension: ExtensionView = cast(ExtensionView, {})  # protection extensions (issue 26)
    extension_history: list[ExtensionRow] = []
    resubmission: ResubmissionView = cast(ResubmissionView, {})  # deal_history
    chain: list[ChainRow] = []
    stages: list[Option] = []
    won_stages: list[str] = []  # ids of stages[] that close as won (the page confirms those)
    colleagues: list[Option] = []
    lost_reasons: list[str] = []
    product_options: list[ProductOption] = []
    editing: bool = False
    form_error: str = ""
    missing: bool = False
    _deal_id: int = 0
    _version: int = 0

    def _open(self, kind: OrgKind):
        if redirect := self._enter(kind):
            return redirect
        self.editing, self.form_error, self.missing = False, "", False
        self.custom_editing, self.custom_rows = False, []
        self.deal, self.timeline, self.conflicts = cast(DealView, {}), [], []
        raw = self.router.page.params.get("deal_id", "")
        self._deal_id = int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 19 else 0
        self._watch()
        return self._refresh()

    def _refresh(self):
        _, refusal = self._perform(self._read)
        if refusal is not None:
            self.missing, self.deal = True, cast(DealView, {})
            return None  # the page says it is not visible
        return None

    def _read(self, session, *, actor) -> None:
        self._reading(actor.org_id)
        seen = deals.detail(session, actor=actor, deal_id=self._deal_id)
        self._version = seen.version
        own_side = seen.side
        self.deal = {
            "id": str(seen.id),
            "name": seen.name,
            "company": seen.company,
            "contact_name": seen.contact_name,
            "contact_email": seen.contact_email,
            "country": seen.country,
            "region": seen.region,
            "country_name": places.country_name(seen.country),
            "region_name": places.region_name(seen.region),
            "amount": view.money(seen.amount, seen.currency),
            "amount_value": f"{seen.amount:.2f}",
            "close_date": view.day(seen.close_date),
            "stage_id": str(seen.stage_id or ""),
            "stage": seen.stage_name,
            "approval": seen.approval,
            "rejection_reason": seen.rejection_reason,
            "outcome": seen.outcome,
            "lost_reason": seen.lost_reason,
            "provider": seen.provider_name,
            "partner": seen.partner_name,
            "provider_owner": seen.provider_owner or "Unassigned",
            "partner_owner": seen.partner_owner or "Unassigned",
            "own_owner_id": str(
                (seen.provider_owner_id if own_side == "provider" else seen.partner_owner_id) or ""
            ),
            "registered_by": seen.registered_by,
            "protected_until": view.day(seen.protected_until),
            "approved_at": view.day(seen.approved_at),
            "closed_at": view.day(seen.closed_at),
            "created": view.day(seen.created_at),
            "source_link": self._source_link(actor, seen),
            "side": own_side,
        }
        self.products = seen.products
        self.allowed = sorted(seen.allowed)
        self._read_custom_card(session, actor, seen.id)
        self.timeline = [
            {"at": e.at.strftime("%Y-%m-%d %H:%M"), "who": e.who, "text": e.text}
            for e in deal_timeline.timeline(session, actor=actor, deal_id=seen.id)
        ]
        self.conflicts, self.protection, self.decided, self.decided_about = deal_protection.read(
            session, actor, seen.id
        )
        self.extension, self.extension_history = extension_view.read(session, actor, seen.id)
        self.resubmission, self.chain = deal_history.read(session, actor, seen.id)
        self.stages = view.options(deals.stage_choices(session, actor=actor, deal_id=seen.id))
        self.won_stages = [
            str(i) for i in deals.won_stage_ids(session, actor=actor, deal_id=seen.id)
        ]
        self.lost_reasons = leads.lost_reason_choices(
            session, provider_org_ids=[seen.provider_org_id]
        )[seen.provider_org_id]
        if actor.sees_all:
            self.colleagues = view.options(
                (m.user_id, m.name) for m in team.members(session, actor=actor) if m.is_active
            )
        self.product_options = [
            {
                "id": o["id"],
                "name": o["name"],
                "chosen": "yes" if int(o["id"]) in seen.product_ids else "",
            }
            for o in view.options(
                deals.products_of(session, actor=actor, provider_org_id=seen.provider_org_id)
            )
        ]

    def _deal_version(self) -> tuple[int, int]:
        return self._deal_id, self._version

    @staticmethod
    def _source_link(actor, seen) -> str:
        if seen.source_lead_id is None:
            return ""
        if actor.org_kind == OrgKind.PROVIDER:
            pattern = routes.Provider.REFERRAL if seen.source_is_referral else routes.Provider.LEAD
        else:
            pattern = (
                routes.Consultant.REFERRAL if seen.source_is_referral else routes.Consultant.LEAD
            )
        return pattern.replace("[lead_id]", str(seen.source_lead_id))

    def _change(self, operation, **arguments):
        _, refusal = self._perform(
            operation, deal_id=self._deal_id, version=self._version, **arguments
        )
        self._refresh()
        return refusal

    @rx.event
    def approve(self):
        return self._change(deal_changes.approve)

    @rx.event
    def reject(self, form: dict):
        return self._change(deal_changes.reject, reason=form_value(form, "reason"))

    @rx.event
    def assign(self, owner_id: str):
        return self._change(deal_changes.assign_owner, owner_id=owner_id)

    @rx.event
    def move(self, form: dict):
        return self._change(
            deal_changes.move_stage,
            stage_id=form_value(form, "stage_id"),
            reason=form_value(form, "reason"),
            note=form_value(form, "note") or "",
        )

    @rx.event
    def start_edit(self):
        self.editing, self.form_error = "edit" in self.allowed, ""

    @rx.event
    def cancel_edit(self):
        self.editing, self.form_error = False, ""

    @rx.event
    def save(self, form: dict):
        if not isinstance(form, dict):
            return None
        _, refusal = self._perform(
            deal_changes.edit,
            error_var="form_error",
            deal_id=self._deal_id,
            version=self._version,
            form=deal_form(form),
        )
        if not self.form_error:  # saved, or refused as a whole (a conflict): show it as it is now
            self.editing = False
        self._refresh()
        return refusal

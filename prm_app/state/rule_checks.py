"""The live "Registration rules" panel of the deal forms (Submit Deal, and converting a lead):
as the form is filled in, the provider's eligibility rules are checked on what it holds so far
(services.deals.rule_checks), and Submit waits while a hard rule fails. The services check the
same rules again on submission: the panel only tells early."""

from typing import TYPE_CHECKING, Any, TypedDict

import reflex as rx

from ..services.deals import places, rule_checks
from . import view
from .rows import Option

# Every country, for the forms' country select (static: compiled into the page once).
COUNTRIES: list[Option] = view.options(places.country_choices())
STATUS_TEXT = {"pass": "Passes", "fail": "Fails", "warn": "Warning"}


class RuleCheckRow(TypedDict):
    """One rule's verdict in the panel: status is pass, fail or warn."""

    rule: str
    label: str
    status: str
    status_text: str
    message: str


class RuleChecks(rx.State, mixin=True):
    """A deal form's draft and the provider's verdicts on it. A state using it says which
    organization the deal is with (`_check_target`) and which products it offers
    (`_check_products`); its handlers call `_start_draft` when the form opens and
    `_read_checks` (inside `_perform`) when the organization changes; the form sends itself to
    `draft_form` as it changes."""

    rule_checks: list[RuleCheckRow] = []
    rule_blockers: str = ""  # the failing hard rules, named: Submit waits while there is one
    rule_summary: str = ""  # one line for screen readers: how many pass, warn, fail
    rule_note: str = ""  # why the draft could not be checked yet
    regions: list[Option] = []  # the chosen country's subdivisions
    _draft: dict[str, Any] = {}
    _draft_products: list[str] = []

    if TYPE_CHECKING:  # AppState's, which every state using the mixin has

        def _perform(self, operation, /, **arguments) -> tuple[Any, Any]: ...

    def _check_target(self) -> str:
        raise NotImplementedError

    def _check_products(self) -> set[str]:
        return set()

    def _unchecked_note(self) -> str:
        """What the panel says when there is nothing to check the draft against."""
        return ""

    def _start_draft(self, values: dict | None = None) -> None:
        self._draft = rule_checks.draft(values or {})
        self._draft_products, self.regions = [], []
        self.rule_checks, self.rule_blockers, self.rule_summary, self.rule_note = [], "", "", ""

    def _read_checks(self, session, *, actor) -> None:
        """Check the draft as it is now (in the caller's unit of work)."""
        self.rule_note = ""
        target = self._check_target()
        if not target:
            self.rule_checks, self.rule_blockers, self.rule_summary = [], "", ""
            self.rule_note = self._unchecked_note()
            return
        offered = self._check_products()  # another provider's, once the form switched
        form = {**self._draft, "product_ids": [p for p in self._draft_products if p in offered]}
        found = rule_checks.check(session, actor=actor, other_org_id=target, form=form)
        self.rule_checks = [
            {
                "rule": c.rule,
                "label": c.label,
                "status": c.status,
                "status_text": STATUS_TEXT[c.status],
                "message": c.message,
            }
            for c in found
        ]
        blockers = rule_checks.blocking(found)
        self.rule_blockers = ", ".join(blockers)
        self.rule_summary = _summary(found)

    def _check(self):
        return self._perform(self._read_checks, error_var="rule_note")[1]

    @rx.event
    def draft_form(self, form: dict):
        """The form as it is now, sent (debounced) on each change of one of its fields: check
        the draft again. Product boxes come as "product-<id>" when ticked."""
        if not isinstance(form, dict):
            return None
        self._take(form)
        return self._check()

    def _take(self, form: dict) -> None:
        """Keep what the form holds now as the draft (its known fields only)."""
        country = self._draft.get("country", "")
        self._draft = {**self._draft, **rule_checks.draft(form)}
        offered = self._check_products()
        self._draft_products = [
            key.removeprefix("product-")
            for key, ticked in list(form.items())[: rule_checks.MAX_DRAFT_KEYS]
            if isinstance(key, str)
            and key.startswith("product-")
            and key.removeprefix("product-") in offered
            and ticked
        ]
        if self._draft.get("country", "") != country:
            self.regions = view.options(places.region_choices(self._draft.get("country")))
        if self._draft.get("region") not in {r["id"] for r in self.regions}:
            self._draft["region"] = ""

    def _check_refused(self, form: object) -> None:
        """After the server refused what was sent (sent before the panel caught up, say): the
        panel shows the verdicts on exactly that."""
        if isinstance(form, dict):
            self._take(form)
            self._check()


def _summary(found: list[rule_checks.Check]) -> str:
    if not found:
        return "No registration rules apply."
    counts = {s: sum(1 for c in found if c.status == s) for s in ("pass", "warn", "fail")}
    if counts["pass"] == len(found):
        return "The rule passes." if len(found) == 1 else f"All {len(found)} rules pass."
    parts = [f"{counts['pass']} of {len(found)} pass"]
    if counts["warn"]:
        parts.append(f"{counts['warn']} {'warns' if counts['warn'] == 1 else 'warn'}")
    if counts["fail"]:
        parts.append(f"{counts['fail']} {'fails' if counts['fail'] == 1 else 'fail'}")
    return "Registration rules: " + ", ".join(parts) + "."

"""What a tier may ask for, and how a partner's figures are measured against it.

Each criterion is a figure of the partner over the tier's trailing window (certifications are
counted whatever their date) and a minimum on the tier's rule (`min_<key>`, None: not asked).
"""

from dataclasses import dataclass
from decimal import Decimal

from ...models import TierRule
from ..core import formats

Figures = dict[str, Decimal | int]


@dataclass(frozen=True, slots=True)
class Criterion:
    key: str
    label: str
    money: bool = False


CRITERIA = (
    Criterion("won_revenue", "Won revenue", money=True),
    Criterion("deals_won", "Deals won"),
    Criterion("registrations", "Approved registrations"),
    Criterion("leads_accepted", "Leads accepted"),
    Criterion("certifications", "Certifications"),
)
KEYS = tuple(c.key for c in CRITERIA)


def needed(rule: TierRule, criterion: Criterion) -> Decimal | int | None:
    """The rule's minimum for the criterion (None: not asked)."""
    return getattr(rule, f"min_{criterion.key}")


def asked(rule: TierRule) -> list[Criterion]:
    """The criteria the rule asks for."""
    return [c for c in CRITERIA if needed(rule, c) is not None]


def qualifies(rule: TierRule, figures: Figures) -> bool:
    """Whether the figures meet every minimum of the rule (a rule asking nothing: always)."""
    return all(figures[c.key] >= needed(rule, c) for c in asked(rule))  # type: ignore[operator]


def as_json(figures: Figures, window_days: int, currency: str) -> dict:
    """The figures as the history stores them (money as text, with its currency)."""
    stored: dict = {k: str(v) if isinstance(v, Decimal) else v for k, v in figures.items()}
    return {**stored, "window_days": window_days, "currency": currency}


def describe(figures: dict) -> str:
    """Stored figures in words: "Won revenue USD 12,000.00 · Deals won 3 (last 90 days)"
    ("" for a change made by hand, which has none)."""
    shown = [
        f"{c.label} {formats.money(figures[c.key], figures.get('currency', '')) if c.money else figures[c.key]}"
        for c in CRITERIA
        if c.key in figures
    ]
    if not shown:
        return ""
    return f"{' · '.join(shown)} (last {figures.get('window_days', '?')} days)"

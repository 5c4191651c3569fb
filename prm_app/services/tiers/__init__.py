"""Partner tiers by rules: each tier's criteria over a trailing window, automatic moves or
suggestions, manual overrides kept until cleared, the history of changes, certifications,
progress towards the next tier, and the daily recompute claimed once across workers."""

from .claims import claim
from .criteria import CRITERIA, Criterion
from .progress import CriterionProgress, TierProgress, progress, progress_with
from .recompute import Recomputed, recompute_now, recompute_provider, run_daily
from .rules import MODES, NO_TIER, RuleView, describe, remove_rule, save_rule, tier_rules
from .standing import (
    Certification,
    HistoryEntry,
    TierCard,
    accept_suggestion,
    clear_override,
    dismiss_suggestion,
    set_certification,
    set_tier,
    tier_card,
)

__all__ = [
    "CRITERIA",
    "MODES",
    "NO_TIER",
    "Certification",
    "Criterion",
    "CriterionProgress",
    "HistoryEntry",
    "Recomputed",
    "RuleView",
    "TierCard",
    "TierProgress",
    "accept_suggestion",
    "claim",
    "clear_override",
    "describe",
    "dismiss_suggestion",
    "progress",
    "progress_with",
    "recompute_now",
    "recompute_provider",
    "remove_rule",
    "run_daily",
    "save_rule",
    "set_certification",
    "set_tier",
    "tier_card",
    "tier_rules",
]

"""Each organization's vocabulary (taxonomy terms, pipeline stages) and a provider's rules.

Anyone in the organization reads them; only its administrators change them.
"""

from .defaults import DEFAULT_STAGES, seed_defaults
from .pipelines import (
    StageView,
    add_stage,
    move_stage,
    remove_stage,
    restore_stage,
    stages,
    update_stage,
)
from .program_rules import RulesView, rules, update_rules
from .taxonomy import (
    CONSULTANT_TERM_KINDS,
    PROVIDER_TERM_KINDS,
    TermView,
    active_terms,
    add_term,
    move_term,
    remove_term,
    rename_term,
    restore_term,
    terms,
)

__all__ = [
    "CONSULTANT_TERM_KINDS",
    "DEFAULT_STAGES",
    "PROVIDER_TERM_KINDS",
    "RulesView",
    "StageView",
    "TermView",
    "active_terms",
    "add_stage",
    "add_term",
    "move_stage",
    "move_term",
    "remove_stage",
    "remove_term",
    "rename_term",
    "restore_stage",
    "restore_term",
    "rules",
    "seed_defaults",
    "stages",
    "terms",
    "update_rules",
    "update_stage",
]

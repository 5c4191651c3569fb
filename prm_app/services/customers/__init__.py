"""Customers: who is "the same customer" (keys) and whose deals protect it (protection)."""

from .keys import FREE_MAIL_DOMAINS, customer_keys, customer_keys_of, domain_key
from .protection import (
    Conflict,
    conflicts,
    find_conflicts,
    held_by_row,
    leads_protected_elsewhere,
    protected,
    protecting,
)

__all__ = [
    "FREE_MAIL_DOMAINS",
    "Conflict",
    "conflicts",
    "customer_keys",
    "customer_keys_of",
    "domain_key",
    "find_conflicts",
    "held_by_row",
    "leads_protected_elsewhere",
    "protected",
    "protecting",
]

"""Customer identity for deal-registration conflicts: who is "the same customer"."""

import re

LEGAL_SUFFIXES = frozenset(
    {"inc", "incorporated", "llc", "ltd", "limited", "gmbh", "corp", "corporation", "co", "plc"}
)


def customer_keys(company: str, email: str) -> tuple[str, str]:
    """(company_norm, email_domain): the keys of the registration-conflict check.

    The company is lower-cased and stripped of punctuation and trailing legal suffixes.
    """
    words = re.sub(r"[^\w\s]", "", company.lower()).split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words), email.strip().lower().rpartition("@")[2]

"""Customer identity for deal-registration conflicts: who is "the same customer"."""

import re

import pandas as pd

LEGAL_SUFFIXES = frozenset(
    {"inc", "incorporated", "llc", "ltd", "limited", "gmbh", "corp", "corporation", "co", "plc"}
)
# The legal suffixes ending a string of words joined by single spaces, never its first word
# (what customer_keys pops).
_SUFFIX = "|".join(sorted(LEGAL_SUFFIXES))
_TRAILING_SUFFIXES = re.compile(rf"(?: (?:{_SUFFIX}))+$")
# Email domains shared by unrelated people: never a key of the same customer.
FREE_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "mail.com",
    }
)


def customer_keys(company: str, email: str) -> tuple[str, str]:
    """(company_norm, email_domain): the keys of the registration-conflict check.

    The company is lower-cased and stripped of punctuation and trailing legal suffixes.
    """
    words = re.sub(r"[^\w\s]", "", company.lower()).split()
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words), email.strip().lower().rpartition("@")[2]


def customer_keys_of(companies: pd.Series, emails: pd.Series) -> tuple[pd.Series, pd.Series]:
    """`customer_keys` for whole columns at once (the same keys, computed vectorized)."""
    norms = (
        companies.str.lower()
        .str.replace(r"[^\w\s]", "", regex=True)
        .str.split()
        .str.join(" ")
        .str.replace(_TRAILING_SUFFIXES, "", regex=True)
    )
    domains = emails.str.strip().str.lower().str.rpartition("@")[2]
    return norms, domains


def domain_key(email_domain: str) -> str:
    """The email domain as a conflict key ("" for free-mail domains)."""
    domain = email_domain.strip().lower()
    return "" if domain in FREE_MAIL_DOMAINS else domain

"""Commissions and referral credits as a double-entry ledger, per provider and partner
(`books` has the accounts and the rules of posting)."""

from .books import (
    BOOKS_ONLY,
    COMMISSION,
    CREDIT_EXPENSE,
    CREDITS,
    DUE,
    EXPENSE,
    KIND_LABELS,
    PENDING,
    SETTLED,
    pair_columns,
    post,
    require_books,
)
from .commissions import DealMoney, approve_commission, deal_money, on_won, refund_deal
from .statements import Balance, Line, balances, statement, statement_csv
from .terms import PartnerTerms, partner_terms, set_terms

__all__ = [
    "BOOKS_ONLY",
    "COMMISSION",
    "CREDITS",
    "CREDIT_EXPENSE",
    "DUE",
    "EXPENSE",
    "KIND_LABELS",
    "PENDING",
    "SETTLED",
    "Balance",
    "DealMoney",
    "Line",
    "PartnerTerms",
    "approve_commission",
    "balances",
    "deal_money",
    "on_won",
    "pair_columns",
    "partner_terms",
    "post",
    "refund_deal",
    "require_books",
    "set_terms",
    "statement",
    "statement_csv",
]

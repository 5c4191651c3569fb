"""Commissions and referral credits as a double-entry ledger, per provider and partner
(`books` has the accounts and the rules of posting)."""

from .books import (
    COMMISSION,
    CREDIT_EXPENSE,
    CREDITS,
    DUE,
    EXPENSE,
    KIND_LABELS,
    PENDING,
    pair_columns,
)
from .commissions import DealMoney, approve_commission, deal_money, on_won, refund_deal
from .statements import Balance, Line, balances, statement, statement_csv
from .terms import PartnerTerms, partner_terms, set_terms

__all__ = [
    "COMMISSION",
    "CREDITS",
    "CREDIT_EXPENSE",
    "DUE",
    "EXPENSE",
    "KIND_LABELS",
    "PENDING",
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
    "refund_deal",
    "set_terms",
    "statement",
    "statement_csv",
]

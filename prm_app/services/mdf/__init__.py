"""Market development funds on the double-entry ledger (`books` has the accounts): budgets per
period, allocations to partners or tiers, fund requests, claims with receipts, reimbursement
through the payout flow, expiry of unused allocations, balances, CSV exports and the return on
funds of the leads and deals an activity produced."""

from .books import FundsBalance, balances, is_partner_manager
from .budgets import (
    BudgetRow,
    allocate,
    create_budget,
    expire_ended,
    list_budgets,
    open_budgets,
)
from .claims import (
    File,
    ReceiptRow,
    approve_claim,
    receipt_file,
    receipts_of,
    reject_claim,
    submit_claim,
)
from .exports import balances_csv, requests_csv
from .requests import (
    ACTIVITY_TYPES,
    RequestRow,
    approve_request,
    deny_request,
    list_requests,
    request_funds,
)
from .returns import ReturnRow, activities, attribute, returns

__all__ = [
    "ACTIVITY_TYPES",
    "BudgetRow",
    "File",
    "FundsBalance",
    "ReceiptRow",
    "RequestRow",
    "ReturnRow",
    "activities",
    "allocate",
    "approve_claim",
    "approve_request",
    "attribute",
    "balances",
    "balances_csv",
    "create_budget",
    "deny_request",
    "expire_ended",
    "is_partner_manager",
    "list_budgets",
    "list_requests",
    "open_budgets",
    "receipt_file",
    "receipts_of",
    "reject_claim",
    "request_funds",
    "requests_csv",
    "returns",
    "submit_claim",
]

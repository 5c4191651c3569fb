"""Northwind's market development funds for the current quarter: an allocation to Tailspin
with a trade show approved, claimed with a receipt and approved (its reimbursement waits in
Northwind's payouts), and a webinar request waiting for Northwind's decision. (Fabrikam has no
funds: other tests count on its balances.)"""

from datetime import timedelta
from typing import Any

from ..services import mdf
from ..services.core import upload_store
from .context import Demo

# A 1x1 PNG: a receipt to open on the funds pages.
RECEIPT = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2219bc90000000049454e44ae426082"
)


def create_funds(demo: Demo) -> None:
    session, northwind, tailspin = demo.session, demo.actor("northwind"), demo.actor("tailspin")
    today = demo.now.date()
    budget = mdf.create_budget(
        session,
        actor=northwind,
        name="This quarter's MDF",
        period_start=(today - timedelta(days=30)).isoformat(),
        period_end=(today + timedelta(days=60)).isoformat(),
        amount="50000",
    )
    mdf.allocate(
        session, actor=northwind, budget_id=budget, amount="10000", partner_org_id=tailspin.org_id
    )

    def ask(title: str, kind: str, amount: str, days: int) -> int:
        day = (today + timedelta(days=days)).isoformat()
        activity: dict[str, Any] = {"starts_on": day, "ends_on": day, "expected_leads": 25}
        return mdf.request_funds(
            session,
            actor=tailspin,
            budget_id=budget,
            activity_type=kind,
            title=title,
            description=f"{title} with Northwind's products",
            amount=amount,
            **activity,
        )

    show = ask("Regional trade show booth", "trade_show", "4000", -10)
    mdf.approve_request(session, actor=northwind, request_id=show, amount="3500")
    key, handle = upload_store.create()
    with handle:
        handle.write(RECEIPT)
    claim = mdf.submit_claim(
        session,
        actor=tailspin,
        request_id=show,
        amount="3200",
        results="Booth visited by 140 people",
        actual_leads=18,
        receipts=[(key, "booth-invoice.png")],
    )
    mdf.approve_claim(session, actor=northwind, claim_id=claim)
    ask("Finance leaders webinar", "webinar", "1500", 20)

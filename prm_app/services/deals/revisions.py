"""Changes to a deal's money terms (amount, close date, products) after the provider approved it.

Every edit keeps the before/after of these fields in its activity event, so both sides' timelines
read "Amount: USD 5,000.00 -> USD 9,000.00". When the partner changes an approved deal, the
provider's owner (else its managers) is told. A provider may require re-approval when a partner
raises the amount by more than `OrgSettings.reapproval_amount_pct` percent of the amount it last
approved: the deal goes back to pending (so it cannot be closed as won and accrue commission) and
the provider is asked to approve it again. The customer stays protected meanwhile.

Why a percentage and not an absolute amount: it means the same for a 5,000 and a 500,000 deal
and survives a change of the program's currency; it is how channel programs usually word the
rule ("re-register if the deal size grows by more than 20 %"). Raises are measured against the
amount last approved, not the previous edit, so small steps cannot add up unseen; lowering the
amount (which lowers the partner's own commission) never needs re-approval.
"""

from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from ...models import Approval, Deal, OrgKind, TaxonomyTerm
from .. import notifications
from ..catalog import program
from ..core import activity, formats
from ..core.actor import Actor

# The watched fields of an edit's before/after, in the order a change reads them.
WATCHED = {"amount": "Amount", "close_date": "Close date", "product_names": "Products"}


def product_names(session: Session, ids: list[int]) -> list[str]:
    """The products' names in the provider's order."""
    if not ids:
        return []
    return list(
        session.exec(
            select(TaxonomyTerm.name)
            .where(col(TaxonomyTerm.id).in_(ids))
            .order_by(col(TaxonomyTerm.position), col(TaxonomyTerm.id))
        ).all()
    )


def money_text(amount: object, currency: object) -> str:
    """ "USD 5,000.00" from an amount kept as text in the trail."""
    return formats.money(amount, currency)


def exceeds(threshold_pct: Decimal | None, approved: Decimal, amount: Decimal) -> bool:
    """True when `amount` is more than `threshold_pct` percent above `approved` (None: never;
    any raise from nothing counts)."""
    if threshold_pct is None or amount <= approved:
        return False
    if approved <= 0:
        return True
    return (amount - approved) * 100 > approved * threshold_pct


def check(session: Session, *, actor: Actor, deal: Deal, previous_amount: Decimal) -> str:
    """Before an edit of `deal` (its new values set) is saved: why it needs re-approval ("" when
    it does not); the deal is then pending again. A provider's own figure counts as approved."""
    if deal.approval != Approval.APPROVED:
        return ""
    if actor.org_kind == OrgKind.PROVIDER:
        deal.approved_amount = deal.amount
        return ""
    approved = deal.approved_amount if deal.approved_amount is not None else previous_amount
    deal.approved_amount = approved  # older deals: the amount they had when first changed
    threshold = program.settings_of(session, deal.provider_org_id).reapproval_amount_pct
    if threshold is None or not exceeds(threshold, approved, deal.amount):
        return ""
    deal.approval = Approval.PENDING
    return (
        f"the amount rose from {money_text(approved, deal.currency)} to "
        f"{money_text(deal.amount, deal.currency)}, more than the program's {threshold.normalize():f} % "
        "allowed without approval"
    )


def changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The watched fields an edit changed, as "Amount: USD 5,000.00 -> USD 9,000.00"."""
    lines = []
    for key, label in WATCHED.items():
        if key not in before or key not in after or before[key] == after[key]:
            continue
        old, new = before[key], after[key]
        if key == "amount":
            old, new = (
                money_text(old, before.get("currency")),
                money_text(new, after.get("currency")),
            )
        elif key == "product_names":
            old, new = ", ".join(old) or "none", ", ".join(new) or "none"
        lines.append(f"{label}: {old or 'none'} -> {new or 'none'}")
    return lines


def announce(
    session: Session,
    *,
    actor: Actor,
    deal: Deal,
    was_approved: bool,
    before: dict[str, Any],
    after: dict[str, Any],
    reapproval: str,
) -> None:
    """After the edit is saved: the timeline says why the deal is pending again, and the
    provider hears of a partner's change to an approved deal."""
    if reapproval:
        activity.record(
            session,
            actor=None,  # the program's rule, not a person
            org_id=deal.provider_org_id,
            subject=deal,
            action="reapproval_required",
            before={"approval": Approval.APPROVED},
            after={"approval": deal.approval, "reason": reapproval},
        )
    lines = changed(before, after)
    if was_approved and actor.org_kind != OrgKind.PROVIDER and lines:
        notifications.deal_changed(session, actor=actor, deal=deal, lines=lines, why=reapproval)

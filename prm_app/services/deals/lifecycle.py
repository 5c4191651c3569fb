"""Changes to deals: registration, edits, approval, owners and stage moves.

A consultant registers a deal with a provider (pending until the provider approves it, which
starts the partner's protection of that customer); a provider records one for a partner
(approved and protected at once). Either side edits and moves an open deal; only the provider
approves, rejects (before Closed Won) and closes it as won. Closed Won is final; it accrues the
partner's commission and referral credit (services.ledger), which only a refund reverses.

Every change names the version of the deal the caller saw: if someone changed it since, the
change is refused with Conflict and nothing is overwritten (optimistic locking).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from ...models import (
    Approval,
    Deal,
    DealProduct,
    OrgKind,
    Outcome,
    Partnership,
    PartnershipStatus,
    Pipeline,
    Stage,
    TaxonomyTerm,
    TermKind,
    utcnow,
)
from .. import customers, deals, leads, ledger, notifications, partnerships
from ..catalog import program
from ..core import activity, changes, inputs
from ..core.actor import Actor
from ..core.errors import Conflict, Invalid, NotAllowed, NotFound
from ..customers import customer_keys
from ..identity import team
from ..leads.conversion import MAX_PRODUCTS, NOT_A_PRODUCT
from ..onboarding import holds
from . import builder, conflicts, custom, eligibility, places, revisions

CHANGED = (
    "Someone changed this deal a moment ago: your change was not applied. It now shows as it is."
)
COMPLETE = "This deal is Closed Won: it is complete and can no longer change."
REJECTED = "This deal was rejected: it can no longer move or change."
WITHDRAWN = "This deal was withdrawn by its partner: it is final and can no longer change."


@dataclass(frozen=True, slots=True)
class Registered:
    deal_id: int
    # For a consultant: the customer is already protected for another partner until then.
    protected_until: datetime | None


@dataclass(frozen=True, slots=True)
class DealInput:
    name: str
    company: str
    contact_name: str
    contact_email: str
    amount: Decimal
    close_date: Any
    product_ids: list[int]
    country: str = ""
    region: str = ""


# The deal form's fields, in form order, with the organization chosen first: each refusal names
# one of them (`Invalid.field`), so the form shows it next to that field.
FORM_FIELDS = (
    "other_org_id",
    "name",
    "company",
    "contact_name",
    "contact_email",
    "amount",
    "close_date",
    "country",
    "region",
)


def deal_input(form: object) -> DealInput:
    """The fields of the deal form, validated (a client may send anything)."""
    form = form if isinstance(form, dict) else {}
    email = form.get("contact_email") or ""
    values = inputs.every_field(
        {
            "name": lambda: inputs.text(
                form.get("name"), field="name", label="Deal name", max_len=200
            ),
            "company": lambda: inputs.text(
                form.get("company"), field="company", label="Company", max_len=200
            ),
            "contact_name": lambda: inputs.text(
                form.get("contact_name"),
                field="contact_name",
                label="Contact",
                max_len=200,
                required=False,
            ),
            "contact_email": lambda: inputs.email(email, field="contact_email") if email else "",
            "amount": lambda: inputs.amount(form.get("amount", ""), zero=True),
            "close_date": lambda: inputs.day(
                form.get("close_date"), field="close_date", label="close date"
            ),
            "product_ids": lambda: _ids(form.get("product_ids", [])),
            "country": lambda: places.country(form.get("country")),
            "region": lambda: _region(form.get("region"), form.get("country")),
        }
    )
    return DealInput(**values)  # type: ignore[arg-type]


def _region(value: object, country: object) -> str:
    """The region of the form's country (not checked while the country itself is wrong)."""
    try:
        country_code = places.country(country)
    except Invalid:
        return ""
    return places.region(value, country_code=country_code)


def register(
    session: Session,
    *,
    actor: Actor,
    other_org_id: object,
    form: object,
    resubmits: Deal | None = None,
    custom_values: object = None,
    custom_named_by: str = "id",
) -> Registered:
    """Submit Deal: a consultant registers it with a provider, a provider records it for a
    partner. Both must be active partners (and a consultant must have categorized the provider).

    `custom_values`: {field id: value} of the deal fields the caller fills (services.deals.
    custom), its required ones included; checked with the form, every problem told at once;
    named by field id (forms) or by key (`custom_named_by="key"`: the API, imports).
    `resubmits`: the earlier deal this one resubmits, checked by services.deals.withdrawal
    (never from a client): the new deal is linked to it and the provider told so; without
    `custom_values` it keeps the earlier deal's values the caller may fill.
    """
    other = inputs.record_id(other_org_id, what="organization")
    problems: Invalid | None = None  # told with the custom fields' own, after the partnership
    try:
        data = deal_input(form)
    except Invalid as error:
        problems = error
    if actor.org_kind == OrgKind.CONSULTANT:
        provider_id, partner_id = other, actor.org_id
    elif actor.org_kind == OrgKind.PROVIDER:
        provider_id, partner_id = actor.org_id, other
    else:
        raise NotAllowed("Your organization cannot register deals.")
    partnership = _active_partnership(session, provider_id, partner_id)
    if actor.org_kind == OrgKind.CONSULTANT and not partnerships.can_submit_to(
        session, consultant_org_id=partner_id, provider_org_id=provider_id
    ):
        raise Invalid(
            "Categorize this provider under My providers before registering deals with it.",
            field="other_org_id",
        )
    if actor.org_kind == OrgKind.CONSULTANT:
        holds.require_signed(
            session, provider_org_id=provider_id, partner_org_id=partner_id, field="other_org_id"
        )
    fields = custom.fields_for_new(session, actor=actor, other_org_id=other)
    if custom_values is None and resubmits is not None:
        custom_values = custom.carried(fields, resubmits)
    written = custom.check_new(fields, custom_values, problems=problems, named_by=custom_named_by)
    products = _products(session, provider_id, data.product_ids)
    eligibility.enforce(  # the provider's registration rules: the first hard one failing refuses
        session, provider_org_id=provider_id, partner_org_id=partner_id, facts=_facts(data)
    )
    company_norm, email_domain = customer_keys(data.company, data.contact_email)
    by_provider = actor.org_kind == OrgKind.PROVIDER
    deal = builder.build(
        session,
        actor=actor,
        provider_org_id=provider_id,
        partner_org_id=partner_id,
        approved=by_provider,
        now=utcnow(),
        name=data.name,
        company=data.company,
        company_norm=company_norm,
        email_domain=email_domain,
        contact_name=data.contact_name,
        contact_email=data.contact_email,
        country=data.country,
        region=data.region,
        amount=data.amount,
        close_date=data.close_date,
        provider_owner_id=actor.user_id if by_provider else partnership.partner_manager_id,
        partner_owner_id=partnership.assigned_user_id if by_provider else actor.user_id,
    )
    session.add_all(DealProduct(deal_id=deal.id, product_id=p) for p in products)
    linked = {}
    if resubmits is not None:
        deal.resubmitted_from_id = resubmits.id
        linked = {"resubmitted_from": resubmits.id}
    activity.record(
        session,
        actor=actor,
        subject=deal,
        action="registered",
        after={**_state(deal), "products": products, **linked},
    )
    custom.apply_new(session, actor=actor, deal=deal, written=written)
    if resubmits is None:
        notifications.deal_registered(session, actor=actor, deal=deal)
    else:
        notifications.deal_resubmitted(session, actor=actor, deal=deal, earlier=resubmits)
    held = None
    if not by_provider:
        found = customers.conflicts(
            session,
            provider_org_id=provider_id,
            company_norm=company_norm,
            email_domain=email_domain,
            exclude_partner_org_id=partner_id,
        )
        held = max((c.protected_until for c in found), default=None)
    return Registered(deal.id, held)


def edit(session: Session, *, actor: Actor, deal_id: object, version: object, form: object) -> None:
    """Edit an open deal's fields: every edit of a deal, from any form or route, comes here.

    The customer (company, contact email) is fixed once the deal is approved, since the
    partner's protection is keyed on it. The timeline keeps the amount, close date and products
    before and after; a partner's change to an approved deal is told to the provider and may
    send it back for approval (services.deals.revisions).
    """
    deal = _load(session, actor, deal_id, version, "edit")
    data = deal_input(form)
    if deal.approval == Approval.APPROVED and (
        data.company != deal.company or data.contact_email != deal.contact_email
    ):
        raise Invalid(
            "The customer of an approved deal is fixed: register a new deal for another one.",
            field="company",
        )
    products = _products(session, deal.provider_org_id, data.product_ids)
    current = list(
        session.exec(select(DealProduct.product_id).where(DealProduct.deal_id == deal.id)).all()
    )
    before = {**_state(deal), "product_names": revisions.product_names(session, current)}
    was_approved, previous_amount = deal.approval == Approval.APPROVED, deal.amount
    deal.name, deal.company = data.name, data.company
    deal.contact_name, deal.contact_email = data.contact_name, data.contact_email
    deal.company_norm, deal.email_domain = customer_keys(data.company, data.contact_email)
    deal.amount, deal.close_date = data.amount, data.close_date
    if isinstance(form, dict) and "country" in form:  # a form without them keeps the place
        deal.country, deal.region = data.country, data.region
    for product_id in set(current) - set(products):
        session.delete(session.get(DealProduct, (deal.id, product_id)))
    session.add_all(
        DealProduct(deal_id=deal.id, product_id=p) for p in products if p not in current
    )
    why = revisions.check(session, actor=actor, deal=deal, previous_amount=previous_amount)
    after = {
        **_state(deal),
        "products": products,
        "product_names": revisions.product_names(session, products),
    }
    _save(session, actor, deal, "edited", before, after)
    revisions.announce(
        session,
        actor=actor,
        deal=deal,
        was_approved=was_approved,
        before=before,
        after=after,
        reapproval=why,
    )


def approve(
    session: Session,
    *,
    actor: Actor,
    deal_id: object,
    version: object,
    decision: object = None,
    reason: object = None,
) -> None:
    """The provider approves a pending registration: the partner's protection starts now.

    Approving a change sent back for re-approval keeps the protection the deal already has (or
    its lack of one). A customer already protected for another partner takes a `decision` (with
    a `reason`), see services.deals.conflicts: without one the approval is refused.
    A registration gets the partnership's partner manager as its provider-side owner; when the
    partnership has none, the person approving it becomes the owner.
    """
    deal = _load(session, actor, deal_id, version, "approve")
    again = deal.approved_at is not None  # a change sent back for re-approval
    choice = conflicts.decide(session, deal, again=again, decision=decision, reason=reason)
    before = _state(deal)
    if choice is not None and choice.kind == conflicts.KEEP:
        deal.approval, deal.rejection_reason, deal.protected_until = (
            Approval.REJECTED,
            choice.reason,
            None,
        )
        _save(session, actor, deal, "rejected", before, {**_state(deal), **choice.record()})
        conflicts.settle(session, actor=actor, deal=deal, decision=choice, save=_save)
        return
    now = utcnow()
    deal.provider_owner_id = deal.provider_owner_id or actor.user_id
    deal.approval, deal.approved_at, deal.approved_amount = Approval.APPROVED, now, deal.amount
    if not again and (choice is None or choice.kind == conflicts.TRANSFER):
        settings = program.settings_of(session, deal.provider_org_id)
        deal.protected_until = builder.protection_end(settings, approved_at=now)
    after = {**_state(deal), "again": again, **(choice.record() if choice else {})}
    _save(session, actor, deal, "approved", before, after)
    if choice is None:
        notifications.deal_decided(session, actor=actor, deal=deal)
    else:
        conflicts.settle(session, actor=actor, deal=deal, decision=choice, save=_save)


def reject(
    session: Session, *, actor: Actor, deal_id: object, version: object, reason: object
) -> None:
    """The provider rejects a deal (pending or approved, never once Closed Won), with a reason.

    A rejected deal protects nothing and can no longer move.
    """
    deal = _load(session, actor, deal_id, version, "reject")
    text = inputs.text(reason, field="reason", label="Reason", max_len=leads.MAX_REASON)
    before = _state(deal)
    deal.approval, deal.rejection_reason, deal.protected_until = Approval.REJECTED, text, None
    _save(session, actor, deal, "rejected", before, {**_state(deal), "reason": text})
    notifications.deal_decided(session, actor=actor, deal=deal)


def assign_owner(
    session: Session, *, actor: Actor, deal_id: object, version: object, owner_id: object
) -> None:
    """A manager gives the deal to someone of their own organization (their side's owner)."""
    deal = _load(session, actor, deal_id, version, "assign")
    owner = team.active_member(session, org_id=actor.org_id, user_id=owner_id, field="owner_id")
    column = "provider_owner_id" if actor.org_kind == OrgKind.PROVIDER else "partner_owner_id"
    if getattr(deal, column) == owner:
        return
    before = {column: getattr(deal, column)}
    setattr(deal, column, owner)
    _save(session, actor, deal, "owner_assigned", before, {column: owner})
    notifications.deal_owner_assigned(session, actor=actor, deal=deal, owner_id=owner)


def move_stage(
    session: Session,
    *,
    actor: Actor,
    deal_id: object,
    version: object,
    stage_id: object,
    reason: object = None,
    note: object = "",
) -> None:
    """Move a deal to another of its provider's deal stages.

    Closed Lost needs a lost reason from the provider's list (and takes an optional note);
    Closed Won needs an approved deal with an amount, is the provider's call, and notifies
    every member of both organizations. Moving a lost deal to an open stage reopens it.
    """
    deal = _load(session, actor, deal_id, version, "move")
    stage = _deal_stage(session, deal.provider_org_id, stage_id)
    if stage.id == deal.stage_id:
        return
    before = _state(deal)
    after: dict[str, Any] = {}
    if stage.is_won:
        if actor.org_kind != OrgKind.PROVIDER:
            raise NotAllowed("Only the provider closes a deal as won.")
        if deal.approval != Approval.APPROVED:
            raise Invalid("Approve the deal before closing it as won.", field="stage_id")
        if deal.amount <= 0:
            raise Invalid("Enter the deal's amount before closing it as won.", field="amount")
        deal.outcome, deal.lost_reason, deal.closed_at = Outcome.WON, "", utcnow()
    elif stage.is_lost:
        choices = leads.lost_reason_choices(session, provider_org_ids=[deal.provider_org_id])
        if reason not in choices[deal.provider_org_id]:
            raise Invalid("Choose a lost reason from the list.", field="reason")
        note = inputs.text(note, field="note", label="Note", max_len=leads.MAX_NOTE, required=False)
        deal.lost_reason = f"{reason}: {note}" if note else str(reason)
        deal.outcome, deal.closed_at = Outcome.LOST, utcnow()
        after["reason"] = deal.lost_reason
    else:
        deal.outcome, deal.lost_reason, deal.closed_at = Outcome.OPEN, "", None
    deal.stage_id = stage.id
    _save(session, actor, deal, "stage_moved", before, {**_state(deal), **after})
    if stage.is_won:  # the partner's commission and referral credit, in this transaction
        ledger.on_won(session, actor=actor, deal=deal)
    notifications.deal_moved(session, actor=actor, deal=deal, stage_name=stage.name)


# helpers ---------------------------------------------------------------------------------------


def _load(session: Session, actor: Actor, deal_id: object, version: object, change: str) -> Deal:
    """The deal, locked, as the caller saw it (else Conflict), if the caller may `change` it."""
    expected = inputs.version(version)
    deal = deals.visible(session, actor=actor, deal_id=deal_id, lock=True)
    if deal.version != expected:
        raise Conflict(CHANGED)
    if change not in deals.allowed(actor, deal):
        if deal.outcome == Outcome.WON:
            raise Invalid(COMPLETE)
        if deal.approval == Approval.WITHDRAWN:
            raise Invalid(WITHDRAWN)
        if actor.org_kind != OrgKind.PROVIDER and change in ("approve", "reject"):
            raise NotAllowed("Only the provider can do that.")
        if deal.approval == Approval.REJECTED:
            raise Invalid(REJECTED)
        if change == "approve":
            raise Invalid(f"This deal is already {deal.approval}.")
        raise NotAllowed(deals.ONLY_MANAGER_GIVES)
    return deal


def _save(
    session: Session,
    actor: Actor,
    deal: Deal,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """Write the change if the deal is still at the version read (atomic on every database)."""
    claimed = session.execute(
        update(Deal)
        .where(col(Deal.id) == deal.id, col(Deal.version) == deal.version)
        .values(version=deal.version + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise Conflict(CHANGED)
    deal.version += 1
    deal.updated_at = utcnow()
    session.add(deal)
    activity.record(session, actor=actor, subject=deal, action=action, before=before, after=after)
    changes.deals_changed(session, deal.provider_org_id, deal.partner_org_id)


# services.deals.custom saves a deal's custom fields as every other change is saved.
load_for_change = _load
save_change = _save


def _active_partnership(session: Session, provider_id: int, partner_id: int) -> Partnership:
    partnership = session.exec(
        select(Partnership).where(
            Partnership.provider_org_id == provider_id,
            Partnership.consultant_org_id == partner_id,
        )
    ).first()
    if partnership is None:
        raise NotFound(leads.ORG_NOT_VISIBLE)
    if partnership.status != PartnershipStatus.ACTIVE:
        raise Invalid(
            "This partnership is not active: deals can be registered only between active partners.",
            field="other_org_id",
        )
    return partnership


def _deal_stage(session: Session, provider_id: int, stage_id: object) -> Stage:
    stage_id = inputs.record_id(stage_id, what="stage")
    stage = session.exec(
        select(Stage).where(
            Stage.id == stage_id, Stage.org_id == provider_id, Stage.pipeline == Pipeline.DEAL
        )
    ).first()
    if stage is None:
        raise NotFound("That stage does not exist or is not visible to you.")
    if stage.archived_at is not None:
        raise Invalid(f"{stage.name} is archived: choose another stage.", field="stage_id")
    return stage


def _products(session: Session, provider_id: int, ids: list[int]) -> list[int]:
    """The provider's active products among `ids` (all of them, else Invalid)."""
    if not ids:
        return []
    found = set(
        session.exec(
            select(TaxonomyTerm.id).where(
                col(TaxonomyTerm.id).in_(ids),
                TaxonomyTerm.org_id == provider_id,
                TaxonomyTerm.kind == TermKind.PRODUCT,
                col(TaxonomyTerm.archived_at).is_(None),
            )
        ).all()
    )
    if found != set(ids):
        raise Invalid(NOT_A_PRODUCT, field="product_ids")
    return ids


def _ids(value: object) -> list[int]:
    if not isinstance(value, list | tuple) or len(value) > MAX_PRODUCTS:
        raise Invalid(f"Choose at most {MAX_PRODUCTS} products.", field="product_ids")
    try:
        ids = [inputs.record_id(v, what="product") for v in value]
    except NotFound:
        raise Invalid(NOT_A_PRODUCT, field="product_ids") from None
    return list(dict.fromkeys(ids))


def _facts(data: DealInput) -> eligibility.Facts:
    return eligibility.facts_from(
        company=data.company,
        contact_email=data.contact_email,
        amount=data.amount,
        country=data.country,
        region=data.region,
        product_ids=data.product_ids,
        contact_name=data.contact_name,
        close_date=data.close_date,
    )


def _state(deal: Deal) -> dict[str, Any]:
    return {
        "name": deal.name,
        "company": deal.company,
        "country": deal.country,
        "region": deal.region,
        "amount": str(deal.amount),
        "currency": deal.currency,
        "close_date": deal.close_date.isoformat() if deal.close_date else None,
        "stage_id": deal.stage_id,
        "approval": deal.approval,
        "outcome": deal.outcome,
        "provider_owner_id": deal.provider_owner_id,
        "partner_owner_id": deal.partner_owner_id,
    }

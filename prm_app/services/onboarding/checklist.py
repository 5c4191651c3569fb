"""The onboarding checklist: a provider's steps, for all partners or one partner type, and each
partnership's progress through them.

Whether a step is done is read from the records each time (agreements signed, the provider
categorized and its required partner fields filled, a lead submitted, a deal registered); only
what the app cannot see otherwise is stored (StepMark): a manual step ticked, a training link
opened through the app. Progress for a whole list takes a few queries, not a few per partner.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlmodel import Session, col, select

from ...models import (
    ChecklistStep,
    CustomField,
    Deal,
    FieldEntity,
    Lead,
    LeadDirection,
    LeadRecipient,
    OrgKind,
    PartnerAccess,
    Partnership,
    PartnershipStatus,
    StepKind,
    StepMark,
    TaxonomyTerm,
    TermKind,
    utcnow,
)
from ..core import activity, changes, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotAllowed, NotFound
from . import agreements

MAX_STEPS = 30
KINDS: dict[str, str] = {
    StepKind.AGREEMENT: "Sign the agreements",
    StepKind.PROFILE: "Complete your profile of the provider",
    StepKind.FIRST_LEAD: "Submit a first lead",
    StepKind.FIRST_DEAL: "Register a first deal",
    StepKind.LINK: "Open a training link",
    StepKind.MANUAL: "Ticked by the partner",
}
NOT_VISIBLE = "That step does not exist or is not visible to you."
TICK_ONLY_MANUAL = "Only a step ticked by hand can be ticked; the others follow your records."


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int

    @property
    def label(self) -> str:  # "3 of 5", "" without a checklist
        return f"{self.done} of {self.total}" if self.total else ""


@dataclass(frozen=True, slots=True)
class StepView:
    id: int
    kind: str
    title: str
    url: str
    partner_type: str  # "" for every partner
    done: bool


def add_step(
    session: Session,
    *,
    actor: Actor,
    kind: object,
    title: object,
    url: object = "",
    partner_type_id: object = None,
) -> int:
    """Add a step at the end of the provider's checklist (admins): its id."""
    _require_provider_admin(actor)
    if not isinstance(kind, str) or kind not in KINDS:
        raise Invalid("Choose what the step asks.", field="kind")
    label = inputs.text(title, field="title", label="Title", max_len=120, required=False)
    link = _link(url) if kind == StepKind.LINK else ""
    type_id = _partner_type(session, actor, partner_type_id)
    steps = _steps(session, [actor.org_id])
    if len(steps) >= MAX_STEPS:
        raise Invalid(f"A checklist has at most {MAX_STEPS} steps.", field="title")
    step = ChecklistStep(
        provider_org_id=actor.org_id,
        partner_type_id=type_id,
        kind=str(kind),
        title=label or KINDS[str(kind)],
        url=link,
        position=max((s.position for s in steps), default=0) + 1,
    )
    session.add(step)
    session.flush()
    activity.record(
        session,
        actor=actor,
        subject=step,
        action="created",
        after={"kind": step.kind, "title": step.title},
    )
    _touched(session, actor)
    assert step.id is not None
    return step.id


def remove_step(session: Session, *, actor: Actor, step_id: object) -> None:
    """Take a step off the checklist (admins); marks already made stay in the records."""
    _require_provider_admin(actor)
    step = _own_step(session, actor, step_id)
    step.archived_at = utcnow()
    session.add(step)
    activity.record(
        session,
        actor=actor,
        subject=step,
        action="archived",
        before={"archived": False},
        after={"archived": True},
    )
    _touched(session, actor)


def provider_steps(session: Session, *, actor: Actor) -> list[StepView]:
    """The provider's checklist as its settings list it (done is always False here)."""
    actor.require_kind(OrgKind.PROVIDER)
    steps = _steps(session, [actor.org_id])
    names = _type_names(session, steps)
    return [_view(step, names, done=False) for step in steps]


def checklist(session: Session, *, actor: Actor, partnership_id: object) -> list[StepView]:
    """A partnership's steps and which are done, for either side of it."""
    partnership = agreements.visible_partnership(session, actor, partnership_id)
    steps = [s for s in _steps(session, [partnership.provider_org_id]) if _applies(s, partnership)]
    done = _done(session, [partnership], steps)
    names = _type_names(session, steps)
    return [_view(step, names, done=(partnership.id, step.id) in done) for step in steps]


def progress(session: Session, partnerships: Sequence[Partnership]) -> dict[int, Progress]:
    """{partnership id: steps done of its steps} for a list, in a few queries."""
    steps = _steps(session, sorted({p.provider_org_id for p in partnerships}))
    done = _done(session, partnerships, steps)
    result = {}
    for partnership in partnerships:
        assert partnership.id is not None
        own = [s for s in steps if _applies(s, partnership)]
        result[partnership.id] = Progress(
            done=sum((partnership.id, s.id) in done for s in own), total=len(own)
        )
    return result


def progress_labels(
    session: Session, *, actor: Actor, partnership_ids: Sequence[int]
) -> dict[int, str]:
    """{partnership id: "3 of 5"} of the listed partnerships of the caller's organization
    (either side; a partnership without a checklist is left out)."""
    ids = [i for i in partnership_ids if isinstance(i, int)]
    if not ids:
        return {}
    listed = session.exec(
        select(Partnership).where(
            col(Partnership.id).in_(ids),
            sa.or_(
                col(Partnership.provider_org_id) == actor.org_id,
                col(Partnership.consultant_org_id) == actor.org_id,
            ),
        )
    ).all()
    return {pid: p.label for pid, p in progress(session, listed).items() if p.total}


def tick(
    session: Session, *, actor: Actor, partnership_id: object, step_id: object, done: object
) -> None:
    """The partner ticks (or unticks) a manual step: its admins and managers."""
    actor.require_kind(OrgKind.CONSULTANT)
    if not actor.sees_all:
        raise NotAllowed("Only an administrator or manager of your organization can do that.")
    if not isinstance(done, bool):
        raise Invalid("Say whether the step is done.", field="done")
    partnership, step = _partner_step(session, actor, partnership_id, step_id)
    if step.kind != StepKind.MANUAL:
        raise Invalid(TICK_ONLY_MANUAL)
    _mark(session, actor, partnership, step, done=done)


def open_link(session: Session, *, actor: Actor, partnership_id: object, step_id: object) -> str:
    """The partner opens a training link through the app: the visit is recorded (anyone of
    the partner's organization) and the link returned for the redirect."""
    actor.require_kind(OrgKind.CONSULTANT)
    partnership, step = _partner_step(session, actor, partnership_id, step_id)
    if step.kind != StepKind.LINK:
        raise NotFound(NOT_VISIBLE)
    _mark(session, actor, partnership, step, done=True)
    return step.url


def _mark(
    session: Session, actor: Actor, partnership: Partnership, step: ChecklistStep, *, done: bool
) -> None:
    mark = session.exec(
        select(StepMark).where(
            StepMark.step_id == step.id, StepMark.partnership_id == partnership.id
        )
    ).first()
    if (mark is not None) == done:
        return
    if done:
        assert step.id is not None and partnership.id is not None
        session.add(StepMark(step_id=step.id, partnership_id=partnership.id, user_id=actor.user_id))
    else:
        session.delete(mark)
    session.flush()
    for org_id in (partnership.provider_org_id, actor.org_id):
        activity.record(
            session,
            actor=actor,
            subject=partnership,
            action="step_done" if done else "step_undone",
            org_id=org_id,
            after={"step": step.title},
        )
    changes.touched(
        session, changes.Topic.PARTNERS, partnership.provider_org_id, partnership.consultant_org_id
    )


def _partner_step(
    session: Session, actor: Actor, partnership_id: object, step_id: object
) -> tuple[Partnership, ChecklistStep]:
    partnership_id = inputs.record_id(partnership_id, what="partnership")
    partnership = session.exec(
        select(Partnership).where(
            Partnership.id == partnership_id,
            Partnership.consultant_org_id == actor.org_id,
            Partnership.status == PartnershipStatus.ACTIVE,
        )
    ).first()
    step_id = inputs.record_id(step_id, what="step")
    step = session.get(ChecklistStep, step_id)
    if (
        partnership is None
        or step is None
        or step.archived_at is not None
        or step.provider_org_id != partnership.provider_org_id
        or not _applies(step, partnership)
    ):
        raise NotFound(NOT_VISIBLE)
    return partnership, step


def _done(
    session: Session, partnerships: Sequence[Partnership], steps: Sequence[ChecklistStep]
) -> set[tuple[int | None, int | None]]:
    """(partnership id, step id) of every step done."""
    kinds = {s.kind for s in steps}
    ids = [p.id for p in partnerships if p.id is not None]
    if not ids or not steps:
        return set()
    marked = set(
        session.exec(
            select(StepMark.partnership_id, StepMark.step_id).where(
                col(StepMark.partnership_id).in_(ids)
            )
        ).all()
    )
    facts: dict[str, set[int]] = {kind: set() for kind in kinds}
    if StepKind.AGREEMENT in kinds:
        facts[StepKind.AGREEMENT] = {
            pid
            for pid, left in agreements.unsigned(session, list(partnerships)).items()
            if not left
        }
    if StepKind.PROFILE in kinds:
        facts[StepKind.PROFILE] = _profiled(session, partnerships)
    pairs = {(p.provider_org_id, p.consultant_org_id): p.id or 0 for p in partnerships}
    partner_ids = [p.consultant_org_id for p in partnerships if p.consultant_org_id]
    if StepKind.FIRST_LEAD in kinds:
        leads = session.exec(
            select(LeadRecipient.org_id, Lead.origin_org_id)
            .join(Lead, col(Lead.id) == LeadRecipient.lead_id)
            .where(
                Lead.direction == LeadDirection.PARTNER_TO_PROVIDER,
                col(Lead.origin_org_id).in_(partner_ids),
            )
            .distinct()
        ).all()
        facts[StepKind.FIRST_LEAD] = {pairs[pair] for pair in leads if pair in pairs}
    if StepKind.FIRST_DEAL in kinds:
        deals = session.exec(
            select(Deal.provider_org_id, Deal.partner_org_id)
            .where(col(Deal.partner_org_id).in_(partner_ids))
            .distinct()
        ).all()
        facts[StepKind.FIRST_DEAL] = {pairs[pair] for pair in deals if pair in pairs}
    done = set()
    for partnership in partnerships:
        for step in steps:
            if step.kind in (StepKind.LINK, StepKind.MANUAL):
                ok = (partnership.id, step.id) in marked
            else:
                ok = partnership.id in facts[step.kind]
            if ok:
                done.add((partnership.id, step.id))
    return done


def _profiled(session: Session, partnerships: Sequence[Partnership]) -> set[int]:
    """Partnerships whose consultant categorized the provider and filled each partner field
    the provider requires of its partners."""
    required = session.exec(
        select(CustomField.org_id, CustomField.id).where(
            col(CustomField.org_id).in_({p.provider_org_id for p in partnerships}),
            CustomField.entity == FieldEntity.PARTNER,
            CustomField.partner_access == PartnerAccess.REQUIRED,
            col(CustomField.archived_at).is_(None),
        )
    ).all()
    done = set()
    for partnership in partnerships:
        fields = [str(f) for org, f in required if org == partnership.provider_org_id]
        values = partnership.custom or {}
        if partnership.categorized_at is not None and all(
            values.get(f) not in (None, "", []) for f in fields
        ):
            assert partnership.id is not None
            done.add(partnership.id)
    return done


def _steps(session: Session, provider_ids: list[int]) -> list[ChecklistStep]:
    if not provider_ids:
        return []
    return list(
        session.exec(
            select(ChecklistStep)
            .where(
                col(ChecklistStep.provider_org_id).in_(provider_ids),
                col(ChecklistStep.archived_at).is_(None),
            )
            .order_by(col(ChecklistStep.position), col(ChecklistStep.id))
        ).all()
    )


def _applies(step: ChecklistStep, partnership: Partnership) -> bool:
    return step.provider_org_id == partnership.provider_org_id and step.partner_type_id in (
        None,
        partnership.partner_type_id,
    )


def _own_step(session: Session, actor: Actor, step_id: object) -> ChecklistStep:
    step_id = inputs.record_id(step_id, what="step")
    step = session.get(ChecklistStep, step_id)
    if step is None or step.provider_org_id != actor.org_id or step.archived_at is not None:
        raise NotFound(NOT_VISIBLE)
    return step


def _partner_type(session: Session, actor: Actor, value: object) -> int | None:
    if value in (None, ""):
        return None
    term_id = inputs.record_id(value, what="partner type")
    found = session.exec(
        select(TaxonomyTerm.id).where(
            TaxonomyTerm.id == term_id,
            TaxonomyTerm.org_id == actor.org_id,
            TaxonomyTerm.kind == TermKind.PARTNER_TYPE,
        )
    ).first()
    if found is None:
        raise NotFound("That partner type does not exist or is not visible to you.")
    return term_id


def _link(value: object) -> str:
    link = inputs.text(value, field="url", label="The training link", max_len=500)
    try:
        parts = urlsplit(link)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("Enter the training link as a web address (https://...).", field="url")
    return link


def _type_names(session: Session, steps: Sequence[ChecklistStep]) -> dict[int, str]:
    return agreements.term_names(session, {s.partner_type_id for s in steps})


def _view(step: ChecklistStep, names: dict[int, str], *, done: bool) -> StepView:
    assert step.id is not None
    return StepView(
        id=step.id,
        kind=step.kind,
        title=step.title,
        url=step.url,
        partner_type=names.get(step.partner_type_id or 0, ""),
        done=done,
    )


def _require_provider_admin(actor: Actor) -> None:
    actor.require_kind(OrgKind.PROVIDER)
    actor.require_admin()


def _touched(session: Session, actor: Actor) -> None:
    """A checklist change moves every partner's progress: the provider's and its partners' views."""
    partners = session.exec(
        select(Partnership.consultant_org_id).where(
            Partnership.provider_org_id == actor.org_id,
            Partnership.status == PartnershipStatus.ACTIVE,
        )
    ).all()
    changes.touched(session, changes.Topic.PARTNERS, actor.org_id, *partners)

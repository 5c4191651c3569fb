"""A provider's lead and deal pipelines: ordered stages with a probability and an outcome."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from ...models import Deal, LeadRecipient, OrgKind, Outcome, Pipeline, Stage
from ..core import activity, inputs
from ..core.actor import Actor
from ..core.errors import Invalid, NotFound
from .fields import whole_number
from .ordering import (
    active_rows,
    append_row,
    listed,
    move_row,
    remove_row,
    require_unique_name,
    restore_row,
    usage_counts,
    valid_name,
)

PIPELINES = (Pipeline.LEAD, Pipeline.DEAL)


OUTCOMES = (Outcome.OPEN, Outcome.WON, Outcome.LOST)


_STAGE_REFERENCES = (LeadRecipient.stage_id, Deal.stage_id)


@dataclass(frozen=True, slots=True)
class StageView:
    id: int
    pipeline: str
    name: str
    position: int
    probability: int
    outcome: str  # "open" | "won" | "lost"
    archived: bool
    in_use: int  # how many lead recipients and deals are at the stage


def stages(session: Session, *, actor: Actor, pipeline: object) -> list[StageView]:
    """Every stage of a provider's pipeline: active ones by position, then archived by name."""
    pipeline = _pipeline(actor, pipeline)
    rows = session.exec(select(Stage).where(*_stage_scope(actor.org_id, pipeline))).all()
    return _stage_views(session, listed(rows))


def add_stage(
    session: Session, *, actor: Actor, pipeline: object, name: object, probability: object
) -> StageView:
    """Add a new open stage: last among the open stages, before the closing (won/lost) ones."""
    actor.require_admin()
    pipeline = _pipeline(actor, pipeline)
    name = valid_name(name)
    probability = _probability(probability)
    scope = _stage_scope(actor.org_id, pipeline)
    require_unique_name(session, Stage, scope, name)
    stage = Stage(org_id=actor.org_id, pipeline=pipeline, name=name, probability=probability)
    active = active_rows(session, Stage, scope)
    closing = [s for s in active if s.is_won or s.is_lost]
    append_row(session, stage, [s for s in active if s not in closing], after=closing)
    activity.record(
        session,
        actor=actor,
        subject=stage,
        action="created",
        after={"pipeline": pipeline.value, **_stage_state(stage)},
    )
    return _stage_views(session, [stage])[0]


def update_stage(
    session: Session,
    *,
    actor: Actor,
    stage_id: object,
    name: object,
    probability: object,
    outcome: object,
) -> StageView:
    """Rename a stage and set its outcome and probability (won is 100 %, lost 0 %, forced).

    A deal pipeline keeps exactly one active won and one active lost stage: marking a stage won
    (or lost) takes the flag from the stage that had it, which becomes open.
    """
    stage = _stage(session, actor, stage_id)
    name = valid_name(name)
    if outcome not in OUTCOMES:
        raise Invalid("Choose an outcome: open, won or lost.", field="outcome")
    outcome = Outcome(outcome)
    if outcome == Outcome.OPEN:
        probability = _probability(probability)
    else:
        probability = 100 if outcome == Outcome.WON else 0
    if name != stage.name:
        scope = _stage_scope(stage.org_id, stage.pipeline)
        require_unique_name(session, Stage, scope, name, allowed_id=stage.id)
    if outcome != _outcome(stage):
        _take_outcome(session, actor, stage, outcome)
    before = _stage_state(stage)
    stage.name, stage.probability = name, probability
    stage.is_won, stage.is_lost = outcome == Outcome.WON, outcome == Outcome.LOST
    session.add(stage)
    after = _stage_state(stage)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        activity.record(
            session,
            actor=actor,
            subject=stage,
            action="updated",
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    return _stage_views(session, [stage])[0]


def move_stage(session: Session, *, actor: Actor, stage_id: object, direction: object) -> None:
    """Move a stage one place up or down among the active stages of its pipeline."""
    stage = _stage(session, actor, stage_id)
    siblings = active_rows(session, Stage, _stage_scope(stage.org_id, stage.pipeline))
    move_row(session, actor, stage, siblings, direction)


def remove_stage(session: Session, *, actor: Actor, stage_id: object) -> str:
    """Delete an unused stage ("deleted") or archive a stage in use ("archived")."""
    stage = _stage(session, actor, stage_id)
    if stage.archived_at is None and _outcome(stage) != Outcome.OPEN:
        raise Invalid(_needs_outcome(_outcome(stage)))
    in_use = usage_counts(session, _STAGE_REFERENCES, [stage.id])[stage.id]
    return remove_row(session, actor, stage, in_use, _stage_scope(stage.org_id, stage.pipeline))


def restore_stage(session: Session, *, actor: Actor, stage_id: object) -> None:
    """Bring back an archived stage, placed last."""
    stage = _stage(session, actor, stage_id)
    restore_row(session, actor, stage, _stage_scope(stage.org_id, stage.pipeline))


def _pipeline(actor: Actor, pipeline: object) -> Pipeline:
    actor.require_kind(OrgKind.PROVIDER)
    if pipeline not in PIPELINES:
        raise Invalid("Choose the lead or the deal pipeline.", field="pipeline")
    return Pipeline(pipeline)


def _stage_scope(org_id: int, pipeline: str) -> tuple:
    return (Stage.org_id == org_id, Stage.pipeline == pipeline)


def _stage(session: Session, actor: Actor, stage_id: object) -> Stage:
    """One of the caller's provider organization's stages, for an administrator to change."""
    actor.require_admin()
    actor.require_kind(OrgKind.PROVIDER)
    stage = session.get(Stage, inputs.record_id(stage_id, what="stage"))
    if stage is None or stage.org_id != actor.org_id:
        raise NotFound("That stage does not exist or is not visible to you.")
    return stage


def _outcome(stage: Stage) -> Outcome:
    return Outcome.WON if stage.is_won else Outcome.LOST if stage.is_lost else Outcome.OPEN


def _needs_outcome(outcome: str) -> str:
    return f"The deal pipeline needs a {outcome} stage: mark another stage as {outcome} first."


def _take_outcome(session: Session, actor: Actor, stage: Stage, outcome: Outcome) -> None:
    """Check that `stage` may change to `outcome`; a won/lost flag leaves its previous stage."""
    if stage.archived_at is None and _outcome(stage) != Outcome.OPEN:
        raise Invalid(_needs_outcome(_outcome(stage)), field="outcome")
    if outcome == Outcome.OPEN:
        return
    if stage.pipeline != Pipeline.DEAL:
        raise Invalid("Only deal stages can be won or lost.", field="outcome")
    if stage.archived_at is not None:
        raise Invalid("Restore this stage before marking it won or lost.", field="outcome")
    flag = Stage.is_won if outcome == Outcome.WON else Stage.is_lost
    previous_holders = session.exec(
        select(Stage).where(
            *_stage_scope(stage.org_id, stage.pipeline),
            col(Stage.archived_at).is_(None),
            col(flag).is_(True),
        )
    ).all()
    for previous in previous_holders:
        previous.is_won = previous.is_lost = False
        session.add(previous)
        activity.record(
            session,
            actor=actor,
            subject=previous,
            action="updated",
            before={"outcome": outcome.value},
            after={"outcome": "open"},
        )


def _stage_state(stage: Stage) -> dict[str, Any]:
    return {"name": stage.name, "probability": stage.probability, "outcome": _outcome(stage).value}


def _probability(value: object) -> int:
    return whole_number(value, field="probability", label="Probability", low=0, high=100)


def _stage_views(session: Session, rows: Sequence[Stage]) -> list[StageView]:
    usage = usage_counts(session, _STAGE_REFERENCES, [s.id for s in rows])
    return [
        StageView(
            s.id,
            str(s.pipeline),
            s.name,
            s.position,
            s.probability,
            _outcome(s).value,
            s.archived_at is not None,
            usage[s.id],
        )
        for s in rows
    ]

"""A provider's program as the other services read it: its rules and its pipelines."""

from sqlmodel import Session, col, select

from ...models import OrgSettings, Pipeline, Stage


def settings_of(session: Session, org_id: int) -> OrgSettings:
    """The organization's program rules (the defaults when it never changed them)."""
    return session.get(OrgSettings, org_id) or OrgSettings(org_id=org_id)


def first_stage(session: Session, provider_id: int, pipeline: Pipeline) -> int | None:
    """The provider's first active open stage of a pipeline (None when it has none)."""
    return session.exec(
        select(Stage.id)
        .where(
            Stage.org_id == provider_id,
            Stage.pipeline == pipeline,
            col(Stage.archived_at).is_(None),
            col(Stage.is_won).is_(False),
            col(Stage.is_lost).is_(False),
        )
        .order_by(col(Stage.position), col(Stage.id))
        .limit(1)
    ).first()

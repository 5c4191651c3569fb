"""The owners of imported rows: the default owner of rows whose owner is unknown, and the one
warning per unknown owner (counted over the whole file, chunk after chunk)."""

from typing import TYPE_CHECKING

from sqlmodel import Session

from ...models import User
from .. import leads
from ..core.actor import Actor
from ..core.errors import NotAllowed
from ..identity import team

if TYPE_CHECKING:
    from .rules import Carry


def unknown_owner(owner: str, rows: int, owner_name: str) -> str:
    """The warning about an owner (as the file names them) who is no active member of the
    importing organization."""
    these = "its row goes" if rows == 1 else f"its {rows:,} rows go"
    return (
        f"'{owner[:60]}' is not an active member of your organization: {these} to "
        f"{owner_name}, the default owner."
    )


def recounted(carry: "Carry") -> list[tuple[str, str]]:
    """(warning as told, as it should read) for each unknown owner told about in a chunk
    whose later chunks named them too: the warning counts the rows of the whole file."""
    return [
        (unknown_owner(text, told, name), unknown_owner(text, rows, name))
        for text, rows, name, told in carry.owners.values()
        if rows != told
    ]


def default_owner_of(session: Session, actor: Actor, value: object) -> tuple[int, str]:
    """The owner of rows whose owner is unknown (id, name): the importer unless another active
    member is chosen (by a manager or admin: a member may choose only themselves)."""
    if value is None or value == "":
        return actor.user_id, actor.name
    owner_id = team.active_member(
        session, org_id=actor.org_id, user_id=value, field="default_owner"
    )
    if not actor.sees_all and owner_id != actor.user_id:
        raise NotAllowed(leads.ONLY_MANAGER_GIVES)
    user = session.get(User, owner_id)
    return owner_id, user.name if user is not None else ""

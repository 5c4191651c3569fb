"""How an actor acted: through the portal (ui), an API key, an import batch, a background job
or a public form. The audit log shows it beside every change.

Set once where a request enters, never per call site:
- an Actor built by an entry point carries it (`Actor.via`): the REST API's actor names its API
  key, a public form's actor names the form; the portal's actor carries none (ui);
- a unit of work may set it for everything done in it (`unit_of_work(via=...)` or `acting(...)`
  on its session): the background jobs name themselves, an import names its batch. The
  session's channel wins over the actor's (an import run by a person is the import's change).
`services.core.activity.record` reads it (`of`) when it writes an event.
"""

from dataclasses import dataclass

from sqlmodel import Session

UI, API, IMPORT, JOB, PUBLIC_FORM, SYSTEM = "ui", "api", "import", "job", "public_form", "system"

# Every channel and how the audit log names it.
KINDS: dict[str, str] = {
    UI: "Portal",
    API: "API key",
    IMPORT: "Import",
    JOB: "Background job",
    PUBLIC_FORM: "Public form",
    SYSTEM: "System",
}
_KEY = "prm.via"


@dataclass(frozen=True, slots=True)
class Via:
    kind: str
    label: str = ""  # which API key, import batch, job or form

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown channel {self.kind!r}")

    @property
    def text(self) -> str:
        name = KINDS[self.kind]
        return f"{name}: {self.label}" if self.label else name


def api_key(name: str) -> Via:
    return Via(API, name[:120])


def job(name: str) -> Via:
    return Via(JOB, name[:120])


def import_batch(batch_id: int | None, file_name: str = "") -> Via:
    label = f"batch #{batch_id}" + (f" ({file_name})" if file_name else "")
    return Via(IMPORT, label[:120])


def public_form(name: str) -> Via:
    return Via(PUBLIC_FORM, name[:120])


def acting(session: Session, via: Via | None) -> None:
    """Everything recorded in `session` from now on was done through `via` (None: clear)."""
    if via is None:
        session.info.pop(_KEY, None)
    else:
        session.info[_KEY] = via


def of(session: Session, actor_via: Via | None, has_actor: bool) -> Via:
    """The channel of a change recorded now: the session's, else the actor's, else the
    portal's for a person and the system's for no one."""
    found = session.info.get(_KEY)
    if isinstance(found, Via):
        return found
    if actor_via is not None:
        return actor_via
    return Via(UI) if has_actor else Via(SYSTEM)

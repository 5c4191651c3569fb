"""The import page's steps as they run in a worker thread: what each works on (a `Job`, read
from the state under its lock) and the service call it makes on the private upload."""

from dataclasses import dataclass
from typing import Any

from ..services import imports
from ..services.core import upload_store
from ..services.imports.sheets import Reading


@dataclass(frozen=True, slots=True)
class Job:
    """What a step works on, read from the state under its lock before the work starts."""

    actor: Any
    upload: str
    kind: str
    file_name: str
    mapping: dict[str, str]
    submit: bool
    default_owner: str
    reading: Reading  # the sheet, or encoding and delimiter, chosen ("": as detected)
    send_to: list[str]  # the organizations every row goes to (ids), instead of a column
    mode: str = "create"  # create, update or both (services.imports.matching)
    match_key: str = ""  # what rows are matched on ("": the kind's first)


def prepare(session, job: Job, progress) -> imports.Prepared:
    with upload_store.open_upload(job.upload) as file:
        return imports.prepare(
            session,
            actor=job.actor,
            kind=job.kind,
            file=file,
            reading=job.reading,
            progress=progress,
        )


def dry_run(session, job: Job, progress) -> imports.DryRun:
    with upload_store.open_upload(job.upload) as file:
        return imports.dry_run(
            session,
            actor=job.actor,
            kind=job.kind,
            file=file,
            mapping=job.mapping,
            submit=job.submit,
            progress=progress,
            default_owner=job.default_owner or None,
            reading=job.reading,
            send_to=job.send_to,
            mode=job.mode,
            match_key=job.match_key,
        )


def import_rows(session, job: Job, progress) -> imports.BatchRow:
    with upload_store.open_upload(job.upload) as file:
        return imports.run(
            session,
            actor=job.actor,
            kind=job.kind,
            file=file,
            file_name=job.file_name,
            mapping=job.mapping,
            submit=job.submit,
            progress=progress,
            default_owner=job.default_owner or None,
            reading=job.reading,
            send_to=job.send_to,
            mode=job.mode,
            match_key=job.match_key,
        )


def time_left(elapsed: float, share: float) -> str:
    """An estimate of the time a step still needs, from the share done in `elapsed` seconds
    ("" until it means something: a few seconds in and a little done)."""
    if elapsed < 3 or not 0.02 <= share < 1:
        return ""
    left = round(elapsed * (1 - share) / share)
    if left < 60:
        return f"About {max(5, -(-left // 5) * 5)} s left"
    minutes, seconds = divmod(left, 60)
    if minutes >= 10:
        return f"About {minutes + (seconds >= 30)} min left"
    return (
        f"About {minutes} min {seconds // 10 * 10} s left"
        if seconds >= 10
        else f"About {minutes} min left"
    )

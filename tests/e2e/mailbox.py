"""The mail the app sent during an end-to-end run: one .eml file per mail in $PRM_MAIL_DIR."""

import os
import re
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import urlsplit


def _folder() -> Path:
    return Path(os.environ["PRM_MAIL_DIR"])


def mails_to(to: str, subject: str) -> list[EmailMessage]:
    """The mails to `to` with this subject, oldest first."""
    found = []
    for path in sorted(_folder().glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        if message["To"] == to and message["Subject"] == subject:
            found.append(message)
    return found  # type: ignore[return-value]


def latest_mail(to: str, subject: str, *, count: int = 1, timeout: float = 20.0) -> EmailMessage:
    """The newest mail to `to` with this subject, once at least `count` of them were sent."""
    deadline = time.monotonic() + timeout
    while len(found := mails_to(to, subject)) < count:
        assert time.monotonic() < deadline, f"{len(found)} mails to {to} about {subject!r}"
        time.sleep(0.2)
    return found[-1]


def link_in(message: EmailMessage, path: str) -> str:
    """The path and query of the link to `path` in the mail (the test's server is elsewhere
    than PRM_BASE_URL)."""
    body = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    for url in re.findall(r"https?://\S+", body):
        parts = urlsplit(url)
        if parts.path == path:
            return f"{parts.path}?{parts.query}"
    raise AssertionError(f"no link to {path} in {body!r}")

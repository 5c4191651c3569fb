"""Outgoing email: the outbox and the sender that drains it.

Services queue mail with `enqueue` in the transaction of the change it reports, so a mail exists
exactly when the change committed and nothing is lost if the app stops. The sender (run by every
backend worker, see jobs.py) claims due rows with a conditional UPDATE, so two workers never send
the same row at once, sends each over SMTP outside any transaction, and then marks it sent, or
schedules a retry with exponential backoff (or gives up after MAX_ATTEMPTS). A claim is a lease:
a worker that dies mid-send leaves the row to be retried when the lease ends (delivery is at
least once). A failed send never touches the transaction of the action that queued it.

Configuration (environment):
  PRM_SMTP_HOST, PRM_SMTP_PORT, PRM_SMTP_TLS (starttls | ssl | none), PRM_SMTP_USER,
  PRM_SMTP_PASSWORD, PRM_MAIL_FROM, PRM_BASE_URL (where links in mail point).
Without PRM_SMTP_HOST (development), each mail is written as an .eml file to PRM_MAIL_DIR
(default var/mail).
"""

import logging
import smtplib
import ssl
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from sqlmodel import Session

from ... import settings
from ...models import EmailStatus, OutboundEmail, utcnow
from . import outbox

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=5)  # a claimed row is retried after this if its sender vanished
BATCH = 50


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    host: str
    port: int
    tls: str  # starttls | ssl | none
    user: str
    password: str
    sender: str
    timeout: float = 10.0


def base_url() -> str:
    """The portal's address for links in mail (PRM_BASE_URL, default http://localhost:3000)."""
    return settings.current().base_url.rstrip("/")


def mail_from() -> str:
    return settings.current().mail_from


def smtp_config() -> SmtpConfig | None:
    """The SMTP server from the environment; None when PRM_SMTP_HOST is not set."""
    configured = settings.current()
    host = configured.smtp_host.strip()
    if not host:
        return None
    tls = configured.smtp_tls
    return SmtpConfig(
        host=host,
        port=configured.smtp_port or {"ssl": 465, "starttls": 587, "none": 25}[tls],
        tls=tls,
        user=configured.smtp_user,
        password=configured.smtp_password,
        sender=configured.mail_from,
    )


def mail_dir() -> Path:
    return settings.current().mail_dir


# queueing --------------------------------------------------------------------------------------


def enqueue(session: Session, *, to: str, subject: str, body: str) -> OutboundEmail:
    """Queue one mail in the caller's transaction (sent after it commits, by the sender)."""
    mail = OutboundEmail(
        to_address=to[:254],
        subject=" ".join(subject.split())[:300],  # no header injection: one line
        body=body,
        status=EmailStatus.QUEUED,
        next_attempt_at=utcnow(),
    )
    session.add(mail)
    return mail


def compose(mail: OutboundEmail, sender: str) -> EmailMessage:
    """The message of an outbox row."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"prm-{mail.id}")
    message.set_content(mail.body)
    return message


# transports ------------------------------------------------------------------------------------

Transport = Callable[[EmailMessage], None]


def smtp_transport(config: SmtpConfig) -> Transport:
    """Send over SMTP (one connection per mail; the outbox is small and retried)."""

    def send(message: EmailMessage) -> None:
        if config.tls == "ssl":
            context = ssl.create_default_context()
            client = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout, context=context
            )
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        with client:
            if config.tls == "starttls":
                client.starttls(context=ssl.create_default_context())
            if config.user:
                client.login(config.user, config.password)
            client.send_message(message)

    return send


def folder_transport(folder: Path) -> Transport:
    """Development: write each mail as an .eml file into `folder`."""

    def send(message: EmailMessage) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").replace("/", "_").split("@")[0]
        (folder / f"{name}.eml").write_bytes(bytes(message))

    return send


def configured_transport() -> tuple[Transport, str]:
    """The transport the environment asks for, and the From address."""
    config = smtp_config()
    if config is None:
        return folder_transport(mail_dir()), mail_from()
    return smtp_transport(config), config.sender


def describe_delivery() -> str:
    """Where mail goes, for the run command and the logs."""
    config = smtp_config()
    if config is None:
        return (
            f"No SMTP server configured (PRM_SMTP_HOST): mail is written to {mail_dir().resolve()}"
        )
    return f"Mail is sent through {config.host}:{config.port} ({config.tls})"


# the sender ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Delivery:
    sent: int
    retried: int
    failed: int


def retry_seconds() -> float:
    return settings.current().mail_retry_seconds


def claim_due(session: Session, *, now: datetime, limit: int = BATCH) -> list[OutboundEmail]:
    """Claim up to `limit` due mails for this sender (see outbox.claim_due)."""
    return outbox.claim_due(
        session, OutboundEmail, queued=EmailStatus.QUEUED, now=now, lease=LEASE, limit=limit
    )


def deliver_due(
    open_session: Callable[[], AbstractContextManager[Session]],
    *,
    transport: Transport | None = None,
    sender: str | None = None,
    now: Callable[[], datetime] = utcnow,
    retry_base: float | None = None,
    limit: int = BATCH,
) -> Delivery:
    """Send every due mail once: claim (one short transaction), send each (no transaction
    open), then record each outcome (one short transaction per mail)."""
    if transport is None:
        transport, sender = configured_transport()
    sender = sender or mail_from()
    base = retry_seconds() if retry_base is None else retry_base
    with open_session() as session:
        mails = claim_due(session, now=now(), limit=limit)
    sent = retried = failed = 0
    for mail in mails:
        try:
            transport(compose(mail, sender))
        except Exception as error:  # any failure of the server or the network: retry later
            gave_up = mail.attempts >= MAX_ATTEMPTS
            log.warning(
                "mail %s to %s failed (attempt %d%s): %s",
                mail.id,
                mail.to_address,
                mail.attempts,
                ", giving up" if gave_up else "",
                error,
            )
            _settle(
                open_session,
                mail,
                status=EmailStatus.FAILED if gave_up else EmailStatus.QUEUED,
                next_attempt_at=now() + outbox.backoff(mail.attempts, base),
                last_error=f"{type(error).__name__}: {error}"[:1000],
            )
            failed += gave_up
            retried += not gave_up
            continue
        _settle(open_session, mail, status=EmailStatus.SENT, sent_at=now(), last_error="")
        sent += 1
    return Delivery(sent, retried, failed)


def _settle(open_session, mail: OutboundEmail, **values) -> None:
    with open_session() as session:
        outbox.settle(session, OutboundEmail, mail, queued=EmailStatus.QUEUED, **values)

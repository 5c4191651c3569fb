"""The outbox and its sender against a real SMTP server on localhost (aiosmtpd): recipients,
subject and link; a server that is down (the action still succeeds, the mail waits and goes
once the server is back, with backoff); one sender per mail; the development folder."""

import socket
from contextlib import contextmanager
from datetime import timedelta
from email import message_from_bytes, policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import Lead, OrgKind, OutboundEmail, Role, utcnow
from prm_app.services import leads
from prm_app.services.identity import auth
from prm_app.services.integrations import mail, outbox
from prm_app.services.leads import LeadInput
from prm_app.settings import InvalidSettings
from tests.unit.factories import colleague, org_admin, partners


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(autouse=True)
def _base_url(monkeypatch):
    monkeypatch.setenv("PRM_BASE_URL", "https://prm.example")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self):
        self.messages: list[tuple[list[str], object]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


@contextmanager
def smtp_server(port: int):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def _transport(port: int):
    config = mail.SmtpConfig(
        host="127.0.0.1", port=port, tls="none", user="", password="", sender="PRM <prm@x.test>"
    )
    return mail.smtp_transport(config)


def _opener(session):
    """The sender's units of work, inside the test's transaction."""

    @contextmanager
    def open_session():
        yield session
        session.flush()

    return open_session


def _submit(session, company: str = "Blue Yonder"):
    provider = org_admin(session, kind=OrgKind.PROVIDER, org_name="Northwind")
    manager = colleague(session, provider, role=Role.MANAGER, name="Pam Manager")
    consultant = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam")
    partners(session, provider, consultant)
    _clear_outbox(session)  # set-up mail is not the subject
    lead_id, _ = leads.create_and_submit(
        session,
        actor=consultant,
        data=LeadInput("Maya", "Lopez", "maya@blueyonder.example", company),
        owner_id=consultant.user_id,
        recipient_org_ids=[provider.org_id],
    )
    session.flush()
    return provider, manager, lead_id


def _clear_outbox(session) -> None:
    """Other tests' mail (some commit) is not this test's subject (undone with the test)."""
    for row in session.exec(select(OutboundEmail)).all():
        session.delete(row)
    session.flush()


def _queued(session) -> list[OutboundEmail]:
    session.expire_all()
    return list(session.exec(select(OutboundEmail).order_by(OutboundEmail.id)).all())


def test_the_sender_delivers_over_smtp_to_the_right_people_with_the_link(session):
    provider, manager, lead_id = _submit(session)
    port = _free_port()
    with smtp_server(port) as inbox:
        delivery = mail.deliver_due(
            _opener(session), transport=_transport(port), sender="PRM <prm@x.test>"
        )
    assert delivery == mail.Delivery(sent=2, retried=0, failed=0)
    assert sorted(rcpt for rcpt, _ in inbox.messages) == sorted([[provider.email], [manager.email]])
    for _, message in inbox.messages:
        assert message["Subject"] == "Fabrikam sent you a lead: Blue Yonder."
        assert message["From"] == "PRM <prm@x.test>"
        assert f"https://prm.example/p/leads/{lead_id}" in message.get_content()
    assert {(m.status, m.attempts) for m in _queued(session)} == {("sent", 1)}
    # Sent mail is never sent again.
    with smtp_server(port) as inbox:
        assert mail.deliver_due(_opener(session), transport=_transport(port)).sent == 0
    assert inbox.messages == []


def test_with_the_server_down_the_action_succeeds_and_the_mail_waits_for_it(session):
    port = _free_port()  # nothing listens there yet
    provider, _, lead_id = _submit(session)
    assert session.get(Lead, lead_id).status == "submitted"  # the action went through
    start = utcnow()
    clock = {"now": start}

    def deliver():
        return mail.deliver_due(
            _opener(session), transport=_transport(port), now=lambda: clock["now"], retry_base=60
        )

    assert deliver() == mail.Delivery(sent=0, retried=2, failed=0)
    rows = _queued(session)
    assert {(m.status, m.attempts) for m in rows} == {("queued", 1)}
    assert all(m.last_error for m in rows)
    assert all(m.next_attempt_at >= start + timedelta(seconds=60) for m in rows)

    # Not due yet: nothing is tried, even with the server back.
    clock["now"] = start + timedelta(seconds=30)
    with smtp_server(port) as inbox:
        assert deliver() == mail.Delivery(0, 0, 0)
    assert inbox.messages == []

    # The second failure waits twice as long (exponential backoff).
    clock["now"] = start + timedelta(seconds=61)
    assert deliver().retried == 2
    rows = _queued(session)
    assert {m.attempts for m in rows} == {2}
    assert all(m.next_attempt_at >= clock["now"] + timedelta(seconds=120) for m in rows)

    # The server is back: once due, every mail goes, once.
    clock["now"] += timedelta(seconds=121)
    with smtp_server(port) as inbox:
        assert deliver() == mail.Delivery(sent=2, retried=0, failed=0)
        assert deliver() == mail.Delivery(0, 0, 0)
    assert len(inbox.messages) == 2
    assert {(m.status, m.attempts, m.last_error) for m in _queued(session)} == {("sent", 3, "")}
    assert provider.email in [rcpt[0] for rcpt, _ in inbox.messages]


def test_a_mail_that_keeps_failing_is_given_up_after_max_attempts(session):
    port = _free_port()
    _submit(session)
    clock = {"now": utcnow()}
    for _ in range(mail.MAX_ATTEMPTS):
        mail.deliver_due(
            _opener(session), transport=_transport(port), now=lambda: clock["now"], retry_base=1
        )
        clock["now"] += timedelta(hours=7)  # past any backoff
    assert {(m.status, m.attempts) for m in _queued(session)} == {("failed", mail.MAX_ATTEMPTS)}
    assert mail.deliver_due(_opener(session), transport=_transport(port)) == mail.Delivery(0, 0, 0)


def test_a_claimed_mail_is_not_claimed_again_until_its_lease_ends(session):
    _clear_outbox(session)
    mail.enqueue(session, to="a@x.test", subject="Hello", body="Hi")
    session.flush()
    now = utcnow()
    first = mail.claim_due(session, now=now)
    assert len(first) == 1
    assert mail.claim_due(session, now=now) == []  # a second sender finds nothing
    assert mail.claim_due(session, now=now + mail.LEASE - timedelta(seconds=1)) == []
    # The first sender vanished mid-send: after the lease the mail is tried again.
    again = mail.claim_due(session, now=now + mail.LEASE + timedelta(seconds=1))
    assert [m.attempts for m in again] == [2]


def test_subjects_are_one_line(session):
    queued = mail.enqueue(session, to="a@x.test", subject="Hi\r\nBcc: evil@x.test", body="b")
    assert queued.subject == "Hi Bcc: evil@x.test"


def test_without_smtp_mail_is_written_to_the_folder(session, tmp_path, monkeypatch):
    monkeypatch.delenv("PRM_SMTP_HOST", raising=False)
    monkeypatch.setenv("PRM_MAIL_DIR", str(tmp_path / "mail"))
    _clear_outbox(session)
    assert str(tmp_path / "mail") in mail.describe_delivery()
    mail.enqueue(session, to="a@x.test", subject="Hello", body="Open https://prm.example/p/leads/1")
    session.flush()
    assert mail.deliver_due(_opener(session)).sent == 1
    (written,) = (tmp_path / "mail").glob("*.eml")
    message = BytesParser(policy=policy.default).parsebytes(written.read_bytes())
    assert (message["To"], message["Subject"]) == ("a@x.test", "Hello")
    assert "https://prm.example/p/leads/1" in message.get_content()


def test_smtp_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("PRM_SMTP_HOST", "smtp.example")
    monkeypatch.setenv("PRM_SMTP_TLS", "ssl")
    monkeypatch.delenv("PRM_SMTP_PORT", raising=False)
    monkeypatch.setenv("PRM_SMTP_USER", "u")
    monkeypatch.setenv("PRM_SMTP_PASSWORD", "p")
    monkeypatch.setenv("PRM_MAIL_FROM", "PRM <prm@example.com>")
    config = mail.smtp_config()
    assert (config.host, config.port, config.tls, config.user, config.sender) == (
        "smtp.example",
        465,
        "ssl",
        "u",
        "PRM <prm@example.com>",
    )
    monkeypatch.setenv("PRM_SMTP_TLS", "none")
    monkeypatch.setenv("PRM_SMTP_PORT", "2525")
    assert (mail.smtp_config().tls, mail.smtp_config().port) == ("none", 2525)
    monkeypatch.setenv("PRM_SMTP_TLS", "bogus")
    with pytest.raises(InvalidSettings, match="PRM_SMTP_TLS='bogus'"):
        mail.smtp_config()
    monkeypatch.delenv("PRM_SMTP_TLS")
    monkeypatch.delenv("PRM_SMTP_HOST")
    assert mail.smtp_config() is None


def test_backoff_doubles_and_is_capped():
    assert [outbox.backoff(n, 60).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert outbox.backoff(40, 60) == timedelta(hours=6)


def test_two_senders_at_once_never_claim_the_same_mail(engine):
    """Two workers, each with its own connection and transaction, claim at the same moment."""
    import threading

    from sqlmodel import Session

    subject = f"race {utcnow().timestamp()}"
    with Session(engine) as setup:
        for n in range(40):
            mail.enqueue(setup, to=f"r{n}@x.test", subject=subject, body="b")
        setup.commit()
    now = utcnow() + timedelta(seconds=1)
    claimed: list[list[int]] = [[], []]
    barrier = threading.Barrier(2)

    def sender(slot: int) -> None:
        with Session(engine) as own:
            barrier.wait()
            for _ in range(3):
                claimed[slot] += [m.id for m in mail.claim_due(own, now=now, limit=10)]
                own.commit()

    try:
        threads = [threading.Thread(target=sender, args=(n,)) for n in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        everything = claimed[0] + claimed[1]
        assert len(everything) == len(set(everything))  # nobody got a mail twice
        assert claimed[0] and claimed[1]  # both were at work
        with Session(engine) as check:
            ours = check.exec(select(OutboundEmail).where(OutboundEmail.subject == subject)).all()
            assert all(m.attempts == (1 if m.id in everything else 0) for m in ours)
    finally:
        with Session(engine) as cleanup:
            for row in cleanup.exec(select(OutboundEmail).where(OutboundEmail.subject == subject)):
                cleanup.delete(row)
            cleanup.commit()

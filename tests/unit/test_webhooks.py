"""webhooks: queued with the change, signed, delivered to a real local HTTP server, retried."""

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import DeliveryStatus, OrgKind, Partnership, Role, WebhookDelivery, utcnow
from prm_app.services import leads, partnerships
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.identity import auth
from prm_app.services.integrations import webhooks
from prm_app.services.leads import LeadInput
from tests.unit.api_support import units_of_work
from tests.unit.factories import colleague, org_admin, partners

LEAD = LeadInput(first_name="Ada", last_name="King", email="ada@engine.example", company="Engines")


@pytest.fixture(autouse=True)
def _setup(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    monkeypatch.setenv("PRM_WEBHOOKS_ALLOW_PRIVATE", "1")


class Receiver:
    """A local HTTP server recording each POST and answering with the next planned status."""

    def __init__(self):
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/prm"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def pair(session):
    provider = org_admin(session, kind=OrgKind.PROVIDER)
    consultant = org_admin(session, kind=OrgKind.CONSULTANT)
    partners(session, provider, consultant)
    return provider, consultant


def _deliveries(session, org_id=None):
    session.flush()
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if org_id is not None:
        query = query.where(WebhookDelivery.org_id == org_id)
    return list(session.exec(query.execution_options(populate_existing=True)))


def _refer(session, provider, consultant):
    return leads.create_and_submit(
        session,
        actor=provider,
        data=LEAD,
        owner_id=provider.user_id,
        recipient_org_ids=[consultant.org_id],
    )


def test_a_signed_delivery_is_retried_after_the_receiver_fails(session, pair, receiver):
    provider, consultant = pair
    endpoint_id, secret = webhooks.add_endpoint(
        session, actor=consultant, url=receiver.url, events=["lead.submitted", "deal.created"]
    )
    assert secret.startswith("whsec_")
    _, (recipient_id,) = _refer(session, provider, consultant)
    (queued,) = _deliveries(session)
    assert (queued.org_id, queued.endpoint_id, queued.status) == (
        consultant.org_id,
        endpoint_id,
        DeliveryStatus.QUEUED,
    )

    receiver.statuses = [500]
    scope = units_of_work(session)
    first = webhooks.deliver_due(scope, retry_base=60)
    assert (first.sent, first.retried, first.failed) == (0, 1, 0)
    (row,) = _deliveries(session)
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == (
        "queued",
        1,
        500,
        "HTTP 500",
    )
    assert row.next_attempt_at > utcnow() + timedelta(seconds=50)
    assert webhooks.deliver_due(scope).sent == 0  # not due yet: nothing is sent

    later = lambda: utcnow() + timedelta(minutes=5)  # noqa: E731
    second = webhooks.deliver_due(scope, now=later, retry_base=60)
    assert (second.sent, second.retried, second.failed) == (1, 0, 0)
    (row,) = _deliveries(session)
    assert (row.status, row.attempts, row.last_status_code) == ("sent", 2, 204)

    assert len(receiver.received) == 2
    for headers, body in receiver.received:
        assert headers["X-PRM-Event"] == "lead.submitted"
        assert headers["Content-Type"] == "application/json"
        assert webhooks.verify(secret, headers["X-PRM-Timestamp"], body, headers["X-PRM-Signature"])
        assert not webhooks.verify(
            "whsec_other", headers["X-PRM-Timestamp"], body, headers["X-PRM-Signature"]
        )
        assert not webhooks.verify(
            secret, headers["X-PRM-Timestamp"], body + b" ", headers["X-PRM-Signature"]
        )
    payload = json.loads(receiver.received[1][1])
    assert payload["event"] == "lead.submitted" and payload["org_id"] == consultant.org_id
    assert payload["data"]["recipients"] == [
        {
            "recipient_id": recipient_id,
            "org_id": consultant.org_id,
            "status": "pending",
            "reason": "",
        }
    ]
    assert "ada@engine.example" not in receiver.received[1][1].decode()  # still hidden


def test_a_receiver_that_never_answers_well_is_given_up(session, pair, receiver):
    provider, consultant = pair
    webhooks.add_endpoint(session, actor=consultant, url=receiver.url, events=["lead.submitted"])
    _refer(session, provider, consultant)
    receiver.statuses = [503] * webhooks.MAX_ATTEMPTS
    scope = units_of_work(session)
    moment = utcnow()
    for attempt in range(1, webhooks.MAX_ATTEMPTS + 1):
        moment += timedelta(days=1)
        done = webhooks.deliver_due(scope, now=lambda m=moment: m, retry_base=1)
        assert (done.retried, done.failed) == (
            (1, 0) if attempt < webhooks.MAX_ATTEMPTS else (0, 1)
        )
    (row,) = _deliveries(session)
    assert (row.status, row.attempts) == ("failed", webhooks.MAX_ATTEMPTS)
    assert len(receiver.received) == webhooks.MAX_ATTEMPTS


def test_an_unreachable_receiver_is_retried(session, pair):
    provider, consultant = pair
    webhooks.add_endpoint(
        session, actor=consultant, url="http://127.0.0.1:9/nothing", events=["lead.submitted"]
    )
    _refer(session, provider, consultant)
    done = webhooks.deliver_due(units_of_work(session))
    assert done.retried == 1
    (row,) = _deliveries(session)
    assert row.status == "queued" and row.last_status_code is None and row.last_error


def test_events_follow_the_changes_to_each_subscribed_organization(session, pair, receiver):
    provider, consultant = pair
    webhooks.add_endpoint(session, actor=provider, url=receiver.url, events=list(webhooks.EVENTS))
    webhooks.add_endpoint(session, actor=consultant, url=receiver.url, events=["lead.accepted"])
    _, (recipient_id,) = _refer(session, provider, consultant)
    leads.accept(session, actor=consultant, recipient_id=recipient_id)
    deal_id = leads.convert(session, actor=consultant, recipient_id=recipient_id, amount="100")
    ended = session.exec(
        select(Partnership.id).where(Partnership.provider_org_id == provider.org_id)
    ).one()
    partnerships.end(session, actor=provider, partnership_id=ended)
    by_org = {
        org: [d.event for d in _deliveries(session, org)]
        for org in (provider.org_id, consultant.org_id)
    }
    assert by_org[provider.org_id] == [
        "lead.submitted",
        "lead.accepted",
        "lead.converted",
        "partnership.changed",
    ]
    assert by_org[consultant.org_id] == ["lead.accepted"]
    assert deal_id  # a converted lead's deal is reported as lead.converted


def test_nothing_is_queued_for_a_rolled_back_change(session, pair, receiver):
    provider, consultant = pair
    webhooks.add_endpoint(session, actor=consultant, url=receiver.url, events=["lead.submitted"])
    nested = session.begin_nested()
    _refer(session, provider, consultant)
    assert len(_deliveries(session)) == 1
    nested.rollback()
    assert _deliveries(session) == []


def test_removing_an_endpoint_stops_its_deliveries(session, pair, receiver):
    provider, consultant = pair
    endpoint_id, _ = webhooks.add_endpoint(
        session, actor=consultant, url=receiver.url, events=["lead.submitted"]
    )
    _refer(session, provider, consultant)
    stranger = org_admin(session, kind=OrgKind.CONSULTANT)
    with pytest.raises(NotFound):
        webhooks.remove_endpoint(session, actor=stranger, endpoint_id=endpoint_id)
    webhooks.remove_endpoint(session, actor=consultant, endpoint_id=endpoint_id)
    assert [d.status for d in _deliveries(session)] == ["failed"]
    _refer(session, provider, consultant)
    assert len(_deliveries(session)) == 1
    assert webhooks.endpoints(session, actor=consultant) == []
    assert webhooks.deliver_due(units_of_work(session)).sent == 0
    assert receiver.received == []
    listed = webhooks.recent_deliveries(session, actor=consultant)
    assert [(d.status, d.last_error) for d in listed] == [("failed", "The webhook was removed.")]
    assert webhooks.recent_deliveries(session, actor=stranger) == []


@pytest.mark.parametrize(
    ("url", "events", "field"),
    [
        ("ftp://example.com/x", ["deal.won"], "url"),
        ("javascript:alert(1)", ["deal.won"], "url"),
        ("https://user:pw@example.com/x", ["deal.won"], "url"),
        ("https://example.com:99999/x", ["deal.won"], "url"),
        ("", ["deal.won"], "url"),
        ({"url": 1}, ["deal.won"], "url"),
        ("https://example.com/x", [], "events"),
        ("https://example.com/x", ["deal.exploded"], "events"),
        ("https://example.com/x", "deal.won", "events"),
    ],
)
def test_endpoint_input_is_validated(session, url, events, field):
    admin = org_admin(session)
    with pytest.raises(Invalid) as refused:
        webhooks.add_endpoint(session, actor=admin, url=url, events=events)
    assert refused.value.field == field


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x",
        "http://localhost:8000/x",
        "http://10.0.0.8/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/x",
        # IPv6 that Python calls global yet that reaches IPv4 inside: NAT64, 6to4, IPv4-compatible,
        # and the deprecated site-local range.
        "http://[64:ff9b::a00:1]/x",
        "http://[64:ff9b:1::a00:1]/x",
        "http://[2002:a00:1::1]/x",
        "http://[::a00:1]/x",
        "http://[fec0::1]/x",
    ],
)
def test_private_addresses_are_refused_unless_allowed(session, monkeypatch, url):
    admin = org_admin(session)
    monkeypatch.delenv("PRM_WEBHOOKS_ALLOW_PRIVATE")
    with pytest.raises(Invalid, match="resolves to a private or local address"):
        webhooks.add_endpoint(session, actor=admin, url=url, events=["deal.won"])
    with pytest.raises(ValueError, match="public address"):
        webhooks.http_post(url, b"{}", {})


def test_a_host_that_does_not_resolve_is_named_as_such(session, monkeypatch):
    admin = org_admin(session)
    monkeypatch.delenv("PRM_WEBHOOKS_ALLOW_PRIVATE")
    url = "https://hooks.no-such-host.invalid/prm"  # .invalid never resolves (RFC 2606)
    with pytest.raises(Invalid) as refused:
        webhooks.add_endpoint(session, actor=admin, url=url, events=["deal.won"])
    assert str(refused.value) == (
        "The host hooks.no-such-host.invalid does not resolve: check the URL's spelling."
    )
    assert refused.value.field == "url"


def test_only_admins_manage_webhooks(session, receiver):
    admin = org_admin(session)
    manager = colleague(session, admin, role=Role.MANAGER)
    endpoint_id, _ = webhooks.add_endpoint(
        session, actor=admin, url=receiver.url, events=["deal.won"]
    )
    for call in (
        lambda: webhooks.add_endpoint(
            session, actor=manager, url=receiver.url, events=["deal.won"]
        ),
        lambda: webhooks.remove_endpoint(session, actor=manager, endpoint_id=endpoint_id),
        lambda: webhooks.endpoints(session, actor=manager),
        lambda: webhooks.recent_deliveries(session, actor=manager),
    ):
        with pytest.raises(NotAllowed):
            call()


def test_verify_refuses_stale_or_malformed_timestamps():
    body = b'{"a":1}'
    old = "1000000000"
    assert not webhooks.verify("s", old, body, webhooks.sign("s", old, body))
    assert not webhooks.verify("s", "soon", body, webhooks.sign("s", "soon", body))


def test_a_name_rebound_to_a_private_address_after_the_check_reaches_nothing(receiver, monkeypatch):
    # The name resolves to a public address when checked, then (DNS rebinding) to the local
    # receiver: the delivery connects to the address it checked, never to the second answer.
    monkeypatch.delenv("PRM_WEBHOOKS_ALLOW_PRIVATE")
    monkeypatch.setattr(webhooks, "TIMEOUT", 1.0)
    port = receiver.server.server_port
    answers = iter([["192.0.43.10"]])  # a global address (IANA); this machine has no route out
    real = socket.getaddrinfo

    def rebinding(host, *args, **kwargs):
        if host == "hooks.example":
            address = next(answers, ["127.0.0.1"])[0]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with pytest.raises(httpx.HTTPError):
        webhooks.http_post(f"http://hooks.example:{port}/hooks/prm", b"{}", {})
    assert receiver.received == []


def test_https_keeps_the_name_for_tls_and_the_host_header(monkeypatch):
    monkeypatch.setattr(
        webhooks, "_addresses", lambda host: ["2606:2800:21f:cb07:6820:80da:af6b:8b2c", "8.8.4.4"]
    )
    monkeypatch.delenv("PRM_WEBHOOKS_ALLOW_PRIVATE")
    pinned, host, extensions = webhooks.pinned_request("https://hooks.example:8443/in?x=1")
    assert pinned == [
        "https://8.8.4.4:8443/in?x=1",  # IPv4 first, then the others if it cannot be reached
        "https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:8443/in?x=1",
    ]
    assert (host, extensions) == ("hooks.example:8443", {"sni_hostname": "hooks.example"})

"""Invitation squatting (issue 21): someone signs up a firm with an address they do not own.
Through the running app, as a script would: the squatter's sign-up stays unverified, gets no
session, and gets no invitation; the provider's invitation to that address stays unbound."""

import json
import uuid

from sqlmodel import Session, select

from prm_app.models import Partnership, User
from tests.security.hostile_client import HostileClient
from tests.security.test_anonymous_access import api_url
from tests.security.test_session_replay import event, sign_in_cookie, ticket_of

PASSWORD = "squatter-password-1"


def test_a_squatters_unverified_sign_up_gets_no_invitation(harness, db):
    address = f"real-{uuid.uuid4().hex[:8]}@partner.example"
    squatter = HostileClient(api_url())
    try:
        signed_up = json.dumps(
            squatter.exchange(
                event("auth_state.sign_up"),
                {
                    "form": {
                        "kind": "consultant",
                        "org_name": "Real Partner Firm",
                        "name": "Mallory",
                        "email": address,
                        "password": PASSWORD,
                    }
                },
                path="/signup",
            )
        )
        assert address in signed_up and ticket_of(signed_up) is None  # "check your inbox"
        sign_in = squatter.exchange(
            event("auth_state.sign_in"), {"form": {"email": address, "password": PASSWORD}}
        )
        assert ticket_of(sign_in) is None, "an unverified account must get no session"
    finally:
        squatter.close()
    with Session(db) as session:
        account = session.exec(select(User).where(User.email == address)).one()
        assert account.email_verified_at is None

    provider = HostileClient(api_url(), cookie=sign_in_cookie("admin@northwind.example"))
    try:
        provider.exchange(event("partners_state.load"), {}, path="/p/partners")
        answer = json.dumps(
            provider.exchange(
                event("partners_state.invite"), {"form": {"email": address}}, path="/p/partners"
            )
        )
    finally:
        provider.close()
    assert f"Invitation sent to {address}." in answer
    assert "Real Partner Firm" not in answer
    with Session(db) as session:
        invitation = session.exec(
            select(Partnership).where(Partnership.invite_email == address)
        ).one()
    assert (invitation.consultant_org_id, invitation.status) == (None, "invited")

    # Without a session the squatter can neither see nor accept it, whatever it sends.
    again = HostileClient(api_url())
    try:
        tried = json.dumps(
            again.exchange(
                event("providers_state.accept"),
                {"partnership_id": str(invitation.id)},
                path="/c/providers",
            )
        )
        again.exchange(event("verify_email_state.confirm"), {}, path="/verify-email")
    finally:
        again.close()
    assert '"/login"' in tried
    with Session(db) as session:
        after = session.get(Partnership, invitation.id)
        assert (after.consultant_org_id, after.status) == (None, "invited")

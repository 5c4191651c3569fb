"""Every event handler of every state, attacked over a raw websocket by four kinds of caller.

- anonymous: no session cookie, well-formed arguments naming real records;
- another organization's admin (a consultant firm and a provider), with well-formed arguments
  and page parameters naming records of organizations it has nothing to do with;
- a plain member, naming records of its own organization that it does not own;
- an organization's own admin, with malformed arguments (wrong types, dicts, lists, None,
  100,000-character text, negative and huge numbers, NaN) in every argument and form field.

What is compared after each handler's attacks (see `attack_surface.digest`): every row of
every table, except the sign-in tables and the mail worker's delivery columns, and, for a
signed-in attacker, the rows that name the attacker's own organization or own user (which it
may legitimately change, e.g. marking its own notifications read). For the other
organizations' admins, no text of records they have nothing to do with (deal names, lead
companies and emails, people's emails) may appear in what the server sends. Every attack must
also leave the server answering and raise no exception that the framework had to catch.
"""

import json
import time
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from tests.security import attack_surface as surface
from tests.security.hostile_client import HostileClient
from tests.security.test_anonymous_access import api_url, outbox_settled
from tests.security.test_session_replay import sign_in_cookie
from tests.support import report

BACKGROUND_GRACE = 0.5  # a background handler may still be running after the sync event


@dataclass(frozen=True)
class Attacker:
    label: str
    email: str | None  # None: anonymous
    kind: str  # "foreign", "member" or "malformed"


ATTACKERS = [
    Attacker("anonymous", None, "foreign"),
    Attacker("other org (consultant admin)", "admin@adatum.example", "foreign"),
    Attacker("other org (provider admin)", "admin@contoso.example", "foreign"),
    Attacker("member without the role", "member@northwind.example", "member"),
    Attacker("malformed (provider admin)", "admin@northwind.example", "malformed"),
    Attacker("malformed (consultant admin)", "admin@fabrikam.example", "malformed"),
]


def _scope(db, attacker: Attacker) -> tuple[dict, list[dict], set[int], set[str]]:
    """(digest arguments, sets of ids to name, ids it may reach, secrets) for this attacker:
    the ids of the oldest and of the newest records it must not reach, of each kind."""
    if attacker.kind == "malformed":
        return {}, [{}], set(), set()
    if attacker.email is None:
        avoid, scope, secrets = {"avoid_orgs": set(), "avoid_users": set()}, {}, set()
    else:
        user_id, org_id, members = surface.org_of(db, attacker.email)
        if attacker.kind == "foreign":
            avoid = {"avoid_orgs": {org_id}, "avoid_users": members}
            scope = {"orgs": {org_id}, "users": members}
            secrets = surface.secrets(db, attacker_org=org_id)
        else:  # a member: its own organization's records that are not its own
            avoid = {"avoid_orgs": set(), "avoid_users": {user_id}, "within_org": org_id}
            scope, secrets = {"users": {user_id}}, set()
    reachable = surface.reachable_ids(db, **scope) if scope else set()
    id_sets = [
        surface.foreign_ids(db, **avoid, newest=newest, skip=reachable) for newest in (False, True)
    ]
    unique = [ids for i, ids in enumerate(id_sets) if ids not in id_sets[:i]]
    return scope, unique, reachable, secrets


def _attacks(
    handler: surface.Handler, attacker: Attacker, ids: dict, reachable: set[int]
) -> list[dict]:
    if attacker.kind == "malformed":
        return surface.malformed(handler)
    return surface.plausible(handler, ids, reachable)


@pytest.mark.parametrize("attacker", ATTACKERS, ids=lambda a: a.label)
def test_every_handler_refuses(harness, db, reflex_errors, attacker):
    handlers = surface.all_handlers()
    cookie = sign_in_cookie(attacker.email) if attacker.email else None
    scope, id_sets, reachable, secrets = _scope(db, attacker)
    outbox_settled(db)
    before = surface.table_digests(db, **scope)
    client = HostileClient(api_url(), cookie=cookie)
    failures, framework_refusals, calls, started = [], 0, 0, time.monotonic()
    try:
        for handler in handlers:
            sent, errors_before = [], len(reflex_errors)
            for ids in id_sets:
                query = surface.route_query(ids)
                for payload in _attacks(handler, attacker, ids, reachable):
                    sent += client.exchange(handler.event, payload, path="/", query=query)
                    calls += 1
            if handler.background:
                time.sleep(BACKGROUND_GRACE)
            if raised := [r.getMessage()[-300:] for r in reflex_errors[errors_before:]]:
                if handler.ours:
                    failures.append(f"{handler.event} raised {raised[0]}")
                else:  # Reflex's own handlers refuse malformed input by raising
                    framework_refusals += 1
            text = json.dumps(sent, default=str)
            if leaked := sorted(s for s in secrets if s in text):
                failures.append(f"{handler.event} revealed {leaked[:3]}")
            after = surface.table_digests(db, **scope)
            if tables := surface.changed(before, after):
                failures.append(f"{handler.event} changed {tables}")
                before = after
        client.sync()  # the server still answers
    finally:
        client.close()
    report(
        f"hostile suite [{attacker.label}]: {len(handlers)} handlers, {calls} calls "
        f"({calls / len(handlers):.1f} attacks per handler) in {time.monotonic() - started:.0f} s;"
        f" Reflex's own handlers refused malformed input by raising for {framework_refusals}"
    )
    assert len(handlers) >= 100, "handler enumeration found too few handlers"
    assert not failures, "\n".join(failures)


def test_an_oversized_message_closes_only_that_socket(harness):
    flooder = HostileClient(api_url())
    flooder.emit(surface.all_handlers()[0].event, {"form": {"name": "x" * 5_000_000}}, path="/")
    deadline = time.monotonic() + 15
    while flooder.sio.connected and time.monotonic() < deadline:
        time.sleep(0.1)
    closed = not flooder.sio.connected
    flooder.close()
    assert closed, "a 5 MB message was accepted"
    other = HostileClient(api_url())
    try:
        other.sync()  # the server still answers everyone else
    finally:
        other.close()


def test_the_digest_sees_a_change_to_a_victims_row_but_not_to_the_attackers(db):
    """The comparison the suite relies on can fail: a control for `attack_surface.digest`."""
    _, adatum, members = surface.org_of(db, "admin@adatum.example")
    scope = {"orgs": {adatum}, "users": members}
    ids = surface.foreign_ids(db, avoid_orgs={adatum}, avoid_users=members)

    def rename(table: str, row_id: int, suffix: str) -> None:
        with db.begin() as connection:
            connection.execute(
                sa.text(f"update {table} set name = name || :suffix where id = :id"),  # noqa: S608 - fixed names
                {"suffix": suffix, "id": row_id},
            )

    before = surface.digest(db, **scope)
    rename("organizations", adatum, " (own)")
    assert surface.digest(db, **scope) == before
    rename("deals", ids["deal_id"], " (hacked)")
    assert surface.digest(db, **scope) != before
    with db.begin() as connection:  # put both back
        connection.execute(
            sa.text("update organizations set name = replace(name, ' (own)', '') where id = :id"),
            {"id": adatum},
        )
        connection.execute(
            sa.text("update deals set name = replace(name, ' (hacked)', '') where id = :id"),
            {"id": ids["deal_id"]},
        )
    assert surface.digest(db, **scope) == before

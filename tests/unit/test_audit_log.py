"""audit log: how each change was made, every service action with its before/after, the admins'
filtered keyset pages and CSV, the security events among them, and retention of the trail."""

import ast
import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app import demo
from prm_app.models import ActivityEvent, OrgKind, Role, TermKind, utcnow
from prm_app.services import audit
from prm_app.services.catalog import taxonomy
from prm_app.services.core import channel
from prm_app.services.core.errors import Invalid, NotAllowed
from prm_app.services.identity import api_keys, auth, roles
from prm_app.services.integrations import retention
from tests.unit.factories import colleague, org_admin

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _term(session, actor, name):
    return taxonomy.add_term(session, actor=actor, kind=TermKind.PARTNER_TYPE.value, name=name)


def test_every_recorded_action_passes_its_before_or_after():
    """A walk of the source: each call of activity.record says what the change was."""
    missing = []
    for path in sorted((ROOT / "prm_app").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "activity"
            ):
                given = {k.arg for k in node.keywords}
                if None not in given and not given & {"before", "after"}:
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert missing == []


def test_the_demo_data_leaves_every_action_in_the_log_with_its_changes(session, monkeypatch):
    """A walk of the services' actions as the demo data set performs them (sign-ups, invites,
    partnerships, leads, referrals, deals, commissions, custom fields, onboarding, tiers...):
    every event says how it was made and what changed, and the audit page shows it."""
    assert demo.load(session)
    session.flush()
    events = session.exec(select(ActivityEvent)).all()
    kinds = {(e.entity_type, e.action) for e in events}
    assert len(kinds) >= 20, kinds
    silent = sorted({(e.entity_type, e.action) for e in events if not (e.before or e.after)})
    assert silent == [], silent
    assert {e.via for e in events} <= set(channel.KINDS)
    assert all(e.via for e in events)
    shown = set()
    for org_id in {e.org_id for e in events}:
        admin = _an_admin(session, org_id)
        if admin is None:
            continue
        for entry in audit.page(session, actor=admin).rows:
            assert entry.changes, (entry.entity_type, entry.action)
            shown.add((entry.entity_type, entry.action))
    assert len(shown) >= 10


def _an_admin(session, org_id):
    from prm_app.models import Membership, Organization, User
    from prm_app.services.core.actor import Actor

    row = session.exec(
        select(User, Organization, Membership)
        .join(Membership, Membership.user_id == User.id)
        .join(Organization, Organization.id == Membership.org_id)
        .where(Membership.org_id == org_id, Membership.role == Role.ADMIN)
    ).first()
    if row is None:
        return None
    user, org, membership = row
    return Actor(user.id, org.id, org.kind, membership.role, user.name, user.email, org.name)


def test_how_the_change_was_made_is_set_at_the_entry_point(session):
    admin = org_admin(session, kind=OrgKind.PROVIDER)
    _term(session, admin, "Alpha")  # the portal
    key = api_keys.create(session, actor=admin, name="Zapier sync", role=Role.ADMIN)
    by_key = api_keys.resolve(session, key=key.key)
    assert by_key is not None and by_key.via == channel.Via(channel.API, "Zapier sync")
    _term(session, by_key, "Beta")  # the REST API's actor
    channel.acting(session, channel.job("recompute tiers"))  # a job's unit of work
    _term(session, admin, "Gamma")
    channel.acting(session, None)
    rows = {e.after["name"]: e for e in _events(session, admin, "taxonomy_term")}
    assert (rows["Alpha"].via, rows["Alpha"].via_label) == ("ui", "")
    assert (rows["Beta"].via, rows["Beta"].via_label) == ("api", "Zapier sync")
    assert (rows["Gamma"].via, rows["Gamma"].via_label) == ("job", "recompute tiers")
    terms = audit.filters(record_type="taxonomy_term")
    found = audit.page(session, actor=admin, chosen=terms).rows
    shown = {e.after["name"]: e.how for e in found if e.after}
    assert shown["Beta"] == "API key: Zapier sync"
    assert shown["Alpha"] == "Portal"


def _events(session, actor, entity_type):
    session.flush()
    return session.exec(
        select(ActivityEvent).where(
            ActivityEvent.org_id == actor.org_id, ActivityEvent.entity_type == entity_type
        )
    ).all()


def test_pages_are_newest_first_by_keyset_and_filtered(session, monkeypatch):
    monkeypatch.setattr(audit.log, "PAGE_SIZE", 3)
    admin = org_admin(session, kind=OrgKind.PROVIDER)
    member = colleague(session, admin, role=Role.MEMBER, name="Mo Member")
    for n in range(7):
        _term(session, admin, f"Type {n}")
    roles.change_role(session, actor=admin, user_id=member.user_id, role=Role.MANAGER)
    session.flush()
    first = audit.page(session, actor=admin)
    ids = [e.id for e in first.rows]
    assert len(ids) == 3 and ids == sorted(ids, reverse=True) and first.older == ids[-1]
    second = audit.page(session, actor=admin, before=first.older)
    assert max(e.id for e in second.rows) < min(ids)

    terms = audit.filters(record_type="taxonomy_term")
    seen, before = [], None
    while True:
        found = audit.page(session, actor=admin, chosen=terms, before=before)
        seen += found.rows
        if found.older is None:
            break
        before = found.older
    assert [e.after["name"] for e in seen] == [f"Type {n}" for n in reversed(range(7))]

    by_role = audit.page(session, actor=admin, chosen=audit.filters(action="role_changed"))
    (change,) = by_role.rows
    assert change.changes == [("role", "member", "manager")]
    assert change.actor_name == admin.name
    mine = audit.page(session, actor=admin, chosen=audit.filters(person=member.user_id))
    assert mine.rows and all(e.actor_email == member.email for e in mine.rows)
    today = utcnow().date()
    assert audit.page(session, actor=admin, chosen=audit.filters(since=today)).rows
    old = audit.filters(until=today - timedelta(days=1))
    assert audit.page(session, actor=admin, chosen=old).rows == []
    assert "role_changed" in audit.actions(session, actor=admin)
    assert member.user_id in dict(audit.people(session, actor=admin))


def test_only_the_organization_admins_read_only_their_log(session):
    admin = org_admin(session, kind=OrgKind.PROVIDER)
    other = org_admin(session, kind=OrgKind.PROVIDER)
    _term(session, other, "Theirs")
    manager = colleague(session, admin, role=Role.MANAGER)
    with pytest.raises(NotAllowed):
        audit.page(session, actor=manager)
    with pytest.raises(NotAllowed):
        list(audit.export_csv(session, actor=manager))
    rows = audit.page(session, actor=admin).rows
    assert rows and all("Theirs" not in str(e.after) for e in rows)
    stranger = audit.page(session, actor=admin, chosen=audit.filters(person=other.user_id))
    assert stranger.rows == []


@pytest.mark.parametrize(
    "bad",
    [
        {"record_type": "passwords"},
        {"action": "DROP TABLE"},
        {"action": {"x": 1}},
        {"since": "yesterday"},
        {"since": "2026-02-02", "until": "2026-01-01"},
        {"person": "me"},
    ],
)
def test_filters_refuse_what_no_list_offers(bad):
    with pytest.raises(Invalid):
        audit.filters(**bad)


def test_security_events_appear_in_the_log(session):
    admin = org_admin(session, kind=OrgKind.PROVIDER)
    found = audit.page(session, actor=admin, chosen=audit.filters(record_type="security_event"))
    assert "email_verified" in {e.action for e in found.rows}


def test_the_csv_holds_every_matching_event_with_its_changes(session):
    admin = org_admin(session, kind=OrgKind.PROVIDER)
    _term(session, admin, "=HYPERLINK(1)")
    session.flush()
    text = "".join(audit.export_csv(session, actor=admin))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == audit.log.CSV_HEADER
    term = next(r for r in rows[1:] if r[4] == "Taxonomy term")
    assert term[3] == "Portal" and term[6] == "created"
    assert "name:  -> =HYPERLINK(1)" in term[7]
    assert not any(cell.startswith("=") for row in rows for cell in row)  # spreadsheet-safe


def test_retention_deletes_the_trail_older_than_its_period(session, monkeypatch):
    monkeypatch.setenv("PRM_AUDIT_RETENTION_DAYS", "10")
    admin = org_admin(session, kind=OrgKind.PROVIDER)
    old, recent = _term(session, admin, "Old"), _term(session, admin, "Recent")
    session.flush()
    events = {e.after["name"]: e for e in _events(session, admin, "taxonomy_term")}
    events["Old"].created_at = utcnow() - timedelta(days=11)
    events["Recent"].created_at = utcnow() - timedelta(days=9)
    for event in session.exec(select(ActivityEvent).where(ActivityEvent.id < events["Old"].id)):
        event.created_at = utcnow() - timedelta(days=11)  # earlier events are older still
    session.flush()
    retention.prune_batch(session)
    left = {e.after["name"] for e in _events(session, admin, "taxonomy_term")}
    assert left == {"Recent"}
    assert old.name == "Old" and recent.name == "Recent"

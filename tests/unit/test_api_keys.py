"""api_keys: created by admins, shown once, stored hashed, revocable, never above the creator."""

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from prm_app.models import ApiKey, Membership, OrgKind, Role
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.identity import api_keys, auth, team
from tests.unit.factories import colleague, events, in_the_past, org_admin


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def test_a_key_is_shown_once_and_only_its_hash_is_stored(session):
    admin = org_admin(session)
    made = api_keys.create(session, actor=admin, name=" CRM sync ", role="manager")
    row = session.get(ApiKey, made.id)
    assert made.key.startswith(f"prm_{row.prefix}_")
    assert row.key_hash == api_keys.hash_key(made.key) and made.key not in row.key_hash
    assert (row.name, row.role, row.org_id) == ("CRM sync", "manager", admin.org_id)
    assert [e.action for e in events(session, org_id=admin.org_id, entity_type="api_key")] == [
        "created"
    ]
    listed = api_keys.list_keys(session, actor=admin)
    assert [(k.id, k.prefix, k.created_by) for k in listed] == [(made.id, row.prefix, admin.name)]


def test_the_key_acts_as_its_creator_with_the_lower_role(session):
    admin = org_admin(session, kind=OrgKind.CONSULTANT)
    made = api_keys.create(session, actor=admin, name="read", role="member")
    actor = api_keys.resolve(session, key=made.key)
    assert (actor.user_id, actor.org_id, actor.org_kind, actor.role) == (
        admin.user_id,
        admin.org_id,
        "consultant",
        "member",
    )
    assert session.get(ApiKey, made.id).last_used_at is not None


def test_a_key_loses_rights_its_creator_lost(session):
    admin = org_admin(session)
    other_admin = colleague(session, admin, role=Role.ADMIN)
    made = api_keys.create(session, actor=other_admin, name="k", role="admin")
    # demoted to manager: the key is at most a manager now
    membership = session.exec(
        select(Membership).where(Membership.user_id == other_admin.user_id)
    ).one()
    membership.role = Role.MANAGER
    session.add(membership)
    assert api_keys.resolve(session, key=made.key).role == "manager"
    team.set_active(session, actor=admin, user_id=other_admin.user_id, active=False)
    assert api_keys.resolve(session, key=made.key) is None


@pytest.mark.parametrize(
    "key",
    [None, "", 42, "prm_", "Bearer x", "prm_0123456789ab_" + "A" * 43, "x" * 10_000],
)
def test_malformed_or_unknown_keys_are_refused(session, key):
    org_admin(session)
    assert api_keys.resolve(session, key=key) is None


def test_a_right_prefix_with_a_wrong_secret_is_refused(session):
    admin = org_admin(session)
    made = api_keys.create(session, actor=admin, name="k", role="admin")
    forged = made.key[:-1] + ("A" if made.key[-1] != "A" else "B")
    assert api_keys.resolve(session, key=forged) is None
    assert api_keys.resolve(session, key=made.key) is not None


def test_revoked_keys_are_refused_and_revoking_is_scoped(session):
    admin = org_admin(session)
    stranger = org_admin(session)
    made = api_keys.create(session, actor=admin, name="k", role="admin")
    with pytest.raises(NotFound):
        api_keys.revoke(session, actor=stranger, key_id=made.id)
    for junk in [None, "", "abc", -1, True, {"id": 1}]:
        with pytest.raises(NotFound):
            api_keys.revoke(session, actor=admin, key_id=junk)
    api_keys.revoke(session, actor=admin, key_id=made.id)
    api_keys.revoke(session, actor=admin, key_id=made.id)  # idempotent
    assert api_keys.resolve(session, key=made.key) is None
    assert api_keys.list_keys(session, actor=admin)[0].revoked_at is not None
    assert api_keys.list_keys(session, actor=stranger) == []


def test_only_admins_manage_keys(session):
    admin = org_admin(session)
    manager = colleague(session, admin, role=Role.MANAGER)
    made = api_keys.create(session, actor=admin, name="k", role="member")
    with pytest.raises(NotAllowed):
        api_keys.create(session, actor=manager, name="mine", role="member")
    with pytest.raises(NotAllowed):
        api_keys.list_keys(session, actor=manager)
    with pytest.raises(NotAllowed):
        api_keys.revoke(session, actor=manager, key_id=made.id)


@pytest.mark.parametrize(
    ("name", "role", "field"),
    [
        ("", "member", "name"),
        ("x" * 101, "member", "name"),
        ({"a": 1}, "member", "name"),
        ("ok", "owner", "role"),
        ("ok", None, "role"),
        ("ok", ["admin"], "role"),
    ],
)
def test_key_input_is_validated(session, name, role, field):
    admin = org_admin(session)
    with pytest.raises(Invalid) as refused:
        api_keys.create(session, actor=admin, name=name, role=role)
    assert refused.value.field == field


def test_last_used_is_written_at_most_once_a_minute(session):
    admin = org_admin(session)
    made = api_keys.create(session, actor=admin, name="k", role="admin")
    row = session.get(ApiKey, made.id)
    row.last_used_at = in_the_past(minutes=0)
    seen = row.last_used_at
    api_keys.resolve(session, key=made.key)
    assert row.last_used_at == seen
    row.last_used_at = in_the_past(minutes=5)
    api_keys.resolve(session, key=made.key)
    assert row.last_used_at > seen

"""full export: the zip holds every table the organization owns, all of its rows and nothing of
another organization's, no secret; written by the job with progress; downloaded once, by its
admins only."""

import csv
import io
import zipfile
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlmodel import SQLModel, func, select

from prm_app import demo
from prm_app.models import DataExport, Organization, OrgKind, Role, TermKind
from prm_app.services.audit import full_export
from prm_app.services.catalog import taxonomy
from prm_app.services.core import upload_store
from prm_app.services.core.actor import Actor
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.identity import auth
from tests.unit.factories import colleague, org_admin


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(autouse=True)
def _private_store(monkeypatch, tmp_path):
    monkeypatch.setenv("PRM_UPLOAD_DIR", str(tmp_path / "store"))


def _same_session(session):
    @contextmanager
    def unit():
        yield session
        session.flush()

    return unit


def _written(session, actor) -> zipfile.ZipFile:
    export = full_export.start(session, actor=actor)
    assert full_export.claim_next(session) == export.id
    full_export.write(export.id, _same_session(session))
    (done,) = full_export.recent(session, actor=actor, limit=1)
    assert done.status == full_export.READY and done.percent == 100
    _, key = full_export.take_download(session, actor=actor, export_id=export.id)
    with upload_store.open_upload(key) as file:
        return zipfile.ZipFile(io.BytesIO(file.read()))


def _admin_of(session, name: str) -> Actor:
    from prm_app.models import Membership, User

    org = session.exec(select(Organization).where(Organization.name == name)).one()
    user, role = session.exec(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.org_id == org.id, Membership.role == Role.ADMIN)
    ).first()
    return Actor(user.id, org.id, org.kind, role, user.name, user.email, org.name)


def test_every_table_is_exported_or_excluded_with_a_reason():
    assert full_export.unplaced() == []
    names = {t.name for t in SQLModel.metadata.sorted_tables}
    assert set(full_export.plan()) | set(full_export.EXCLUDED) == names


def test_the_zip_holds_every_owned_table_all_its_rows_and_nothing_of_another_org(session):
    assert demo.load(session)
    stranger = org_admin(session, kind=OrgKind.PROVIDER, email="stranger-admin@elsewhere.example")
    taxonomy.add_term(
        session, actor=stranger, kind=TermKind.PARTNER_TYPE.value, name="Stranger's own"
    )
    session.flush()
    provider = _admin_of(
        session,
        session.exec(
            select(Organization.name)
            .where(Organization.kind == OrgKind.PROVIDER)
            .order_by(Organization.id)
        ).first(),
    )
    archive = _written(session, provider)
    files = set(archive.namelist())
    assert files == {f"{name}.csv" for name in full_export.plan()}
    whole = b"".join(archive.read(name) for name in files)
    assert b"stranger-admin@elsewhere.example" not in whole
    assert b"Stranger's own" not in whole
    for name, owned in full_export.plan().items():
        table = SQLModel.metadata.tables[name]
        rows = list(csv.reader(io.StringIO(archive.read(f"{name}.csv").decode())))
        header, body = rows[0], rows[1:]
        assert not {"password_hash", "key_hash", "token_hash", "secret", "totp_secret"} & set(
            header
        ), name
        mine = session.execute(
            sa.select(func.count()).select_from(table).where(owned(provider.org_id))
        ).scalar_one()
        if name in ("activity_events", "data_exports"):  # the export's own, after it wrote
            assert mine - 3 <= len(body) <= mine, name
        else:
            assert len(body) == mine, name
        if len(table.primary_key.columns) == 1:
            (key,) = table.primary_key.columns
            theirs = session.exec(sa.select(key).where(owned(stranger.org_id))).all()
            written = {row[header.index(key.name)] for row in body}
            assert not written & {str(v) for (v,) in theirs}, name
    populated = [n for n in files if archive.read(n).count(b"\r\n") > 1]
    assert len(populated) >= 20  # the demo fills most tables


def test_downloaded_once_by_its_admins_only(session):
    admin = org_admin(session, kind=OrgKind.PROVIDER)
    manager = colleague(session, admin, role=Role.MANAGER)
    other = org_admin(session, kind=OrgKind.PROVIDER)
    with pytest.raises(NotAllowed):
        full_export.start(session, actor=manager)
    export = full_export.start(session, actor=admin)
    with pytest.raises(Invalid):
        full_export.start(session, actor=admin)  # one at a time
    with pytest.raises(NotFound):  # not written yet
        full_export.take_download(session, actor=admin, export_id=export.id)
    assert full_export.claim_next(session) == export.id
    full_export.write(export.id, _same_session(session))
    with pytest.raises(NotAllowed):
        full_export.take_download(session, actor=manager, export_id=export.id)
    with pytest.raises(NotFound):
        full_export.take_download(session, actor=other, export_id=export.id)
    for bad in ("1; drop", {"id": 1}, -1, None):
        with pytest.raises((NotFound, Invalid)):
            full_export.take_download(session, actor=admin, export_id=bad)
    name, key = full_export.take_download(session, actor=admin, export_id=export.id)
    assert name.endswith(".zip") and upload_store.size(key) > 0
    with pytest.raises(NotFound):
        full_export.take_download(session, actor=admin, export_id=export.id)
    row = session.get(DataExport, export.id)
    assert row.status == full_export.DOWNLOADED and row.downloaded_at is not None

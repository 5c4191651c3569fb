"""The content library: the audience rule (everyone, tiers, types, groups, named partners, no one,
expiry) behind the partner's list, the download route and the provider's counts; files' types
read from their bytes; downloads logged and counted."""

import io
import zipfile
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlmodel import select
from starlette.testclient import TestClient

from prm_app import http_api
from prm_app.models import (
    ActivityEvent,
    LibraryDownload,
    OrgKind,
    Partnership,
    Role,
    TaxonomyTerm,
    TermKind,
    utcnow,
)
from prm_app.services import library
from prm_app.services.core import changes, upload_store
from prm_app.services.core.errors import Invalid, NotAllowed, NotFound
from prm_app.services.identity import auth
from tests.unit.api_support import units_of_work
from tests.unit.factories import colleague, org_admin, partners, signed_in

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch):
    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _term(session, actor, kind, name):
    """The organization's term of this kind and name (a default one, or a new one)."""
    found = session.exec(
        select(TaxonomyTerm.id).where(
            TaxonomyTerm.org_id == actor.org_id,
            TaxonomyTerm.kind == kind,
            TaxonomyTerm.name == name,
        )
    ).first()
    if found:
        return found
    term = TaxonomyTerm(org_id=actor.org_id, kind=kind, name=name)
    session.add(term)
    session.flush()
    return term.id


def _partnership(session, provider, partner):
    return session.exec(
        select(Partnership).where(
            Partnership.provider_org_id == provider.org_id,
            Partnership.consultant_org_id == partner.org_id,
        )
    ).one()


@pytest.fixture
def world(session):
    """Northwind (provider) with Gold and Silver tiers; Fabrikam is Gold (and a reseller in the
    East group), Tailspin Silver; Contoso is another provider, Fabrikam its partner too."""
    provider = org_admin(session, org_name="Northwind", name="Pia Provider")
    fabrikam = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Fabrikam", name="Fay")
    tailspin = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Tailspin", name="Tom")
    other = org_admin(session, org_name="Contoso", name="Otto Other")
    for partner in (fabrikam, tailspin):
        partners(session, provider, partner)
    partners(session, other, fabrikam)
    gold = _term(session, provider, TermKind.PARTNER_TIER, "Gold")
    silver = _term(session, provider, TermKind.PARTNER_TIER, "Silver")
    reseller = _term(session, provider, TermKind.PARTNER_TYPE, "Reseller")
    east = _term(session, provider, TermKind.PARTNER_GROUP, "East")
    fab = _partnership(session, provider, fabrikam)
    fab.partner_tier_id, fab.partner_type_id, fab.partner_group_id = gold, reseller, east
    tail = _partnership(session, provider, tailspin)
    tail.partner_tier_id = silver
    session.add_all([fab, tail])
    colleague(session, fabrikam, name="Fred Fab")  # Fabrikam has 2 people, Tailspin 1
    session.flush()
    return {
        "provider": provider,
        "fabrikam": fabrikam,
        "tailspin": tailspin,
        "other": other,
        "gold": gold,
        "silver": silver,
        "reseller": reseller,
        "east": east,
    }


def _upload(content: bytes) -> str:
    key, handle = upload_store.create()
    with handle:
        handle.write(content)
    return key


def _file(session, actor, title="Deck", content=PDF, name="deck.pdf", **details):
    return library.add_file(
        session, actor=actor, title=title, upload_key=_upload(content), file_name=name, **details
    )


def _listed(session, actor, **filters):
    return {i.title for i in library.partner_items(session, actor=actor, **filters)}


def _counts(session, provider):
    return {
        i.title: (i.partners, i.people, i.downloads, i.downloaders)
        for i in library.provider_items(session, actor=provider)
    }


def test_each_audience_reaches_exactly_its_partners(session, world):
    p = world["provider"]
    _file(session, p, "All", audience="everyone")
    _file(session, p, "Gold only", audience="tiers", audience_ids=[world["gold"]])
    _file(session, p, "Silver only", audience="tiers", audience_ids=[str(world["silver"])])
    _file(session, p, "Resellers", audience="types", audience_ids=[world["reseller"]])
    _file(session, p, "East", audience="groups", audience_ids=[world["east"]])
    _file(
        session, p, "Named Tailspin", audience="partners", audience_ids=[world["tailspin"].org_id]
    )
    _file(session, p, "Draft")  # no one by default
    assert _listed(session, world["fabrikam"]) == {"All", "Gold only", "Resellers", "East"}
    assert _listed(session, world["tailspin"]) == {"All", "Silver only", "Named Tailspin"}
    assert _counts(session, p) == {
        "All": (2, 3, 0, 0),
        "Gold only": (1, 2, 0, 0),
        "Silver only": (1, 1, 0, 0),
        "Resellers": (1, 2, 0, 0),
        "East": (1, 2, 0, 0),
        "Named Tailspin": (1, 1, 0, 0),
        "Draft": (0, 0, 0, 0),
    }


def test_a_tier_change_moves_the_item_with_the_partner(session, world):
    p = world["provider"]
    _file(session, p, "Gold only", audience="tiers", audience_ids=[world["gold"]])
    tail = _partnership(session, p, world["tailspin"])
    tail.partner_tier_id = world["gold"]
    session.add(tail)
    session.flush()
    assert _listed(session, world["tailspin"]) == {"Gold only"}
    assert _counts(session, p)["Gold only"][:2] == (2, 3)


def test_an_ended_partnership_or_a_deactivated_person_leaves_the_audience(session, world):
    p = world["provider"]
    _file(session, p, "All", audience="everyone")
    tail = _partnership(session, p, world["tailspin"])
    tail.status = "ended"
    session.add(tail)
    session.flush()
    assert _listed(session, world["tailspin"]) == set()
    assert _counts(session, p)["All"][:2] == (1, 2)


def test_expired_and_archived_items_reach_no_one(session, world):
    p = world["provider"]
    soon = (utcnow() + timedelta(days=1)).date()
    item = _file(session, p, "Soon gone", audience="everyone", expires_on=soon.isoformat())
    gone = _file(session, p, "Archived", audience="everyone")
    library.archive(session, actor=p, item_id=gone)
    assert _listed(session, world["fabrikam"]) == {"Soon gone"}
    with pytest.raises(Invalid, match="future"):
        library.update(session, actor=p, item_id=item, expires_on=utcnow().date().isoformat())
    tomorrow = utcnow().date() + timedelta(days=1)
    from prm_app.services.library import audience

    [row] = [i for i in library.provider_items(session, actor=p) if i.id == item]
    assert row.partners == 2 and not row.expired
    [reach] = [
        r
        for r in library.reaches(session, provider_org_id=p.org_id)
        if r.partner_org_id == world["fabrikam"].org_id
    ]
    from prm_app.models import LibraryItem

    stored = session.get(LibraryItem, item)
    assert audience.admits(stored, reach, on=tomorrow - timedelta(days=1))
    assert not audience.admits(stored, reach, on=tomorrow)  # from its expiry day on
    assert "Archived" not in _counts(session, p)


def test_search_by_title_and_tag_and_folder(session, world):
    p = world["provider"]
    folder = library.add_folder(session, actor=p, name="Brochures")
    _file(session, p, "Cloud brochure", audience="everyone", tags="Cloud, Sales", folder_id=folder)
    library.add_link(
        session,
        actor=p,
        title="Demo video",
        url="https://example.com/v",
        audience="everyone",
        tags="video",
    )
    fab = world["fabrikam"]
    assert _listed(session, fab, search="brochure") == {"Cloud brochure"}
    assert _listed(session, fab, search="SALES") == {"Cloud brochure"}
    assert _listed(session, fab, search="video") == {"Demo video"}
    assert _listed(session, fab, search="100%_") == set()
    assert _listed(session, fab, folder_id=str(folder)) == {"Cloud brochure"}
    with pytest.raises(Invalid):
        library.add_folder(session, actor=p, name="Brochures")


def test_downloads_are_checked_logged_and_counted(session, world):
    p, fab, tail = world["provider"], world["fabrikam"], world["tailspin"]
    gold = _file(session, p, "Gold only", audience="tiers", audience_ids=[world["gold"]])
    file = library.download(session, actor=fab, item_id=gold)
    assert file.content == PDF and file.media_type == "application/pdf"
    assert file.name == "deck.pdf"
    fred = colleague(session, fab, name="Fred Again")
    library.download(session, actor=fred, item_id=gold)
    library.download(session, actor=fab, item_id=str(gold))
    for outsider in (tail, world["other"]):
        with pytest.raises(NotFound):
            library.download(session, actor=outsider, item_id=gold)
    library.download(session, actor=p, item_id=gold)  # the provider's own: not counted
    assert _counts(session, p)["Gold only"] == (1, 3, 3, 2)
    logged = session.exec(select(LibraryDownload).where(LibraryDownload.item_id == gold)).all()
    assert {d.partner_org_id for d in logged} == {fab.org_id}


def test_a_link_is_followed_through_the_check(session, world):
    p = world["provider"]
    item = library.add_link(
        session, actor=p, title="Portal", url="https://example.com/x", audience="everyone"
    )
    followed = library.download(session, actor=world["tailspin"], item_id=item)
    assert followed.content is None and followed.url == "https://example.com/x"
    with pytest.raises(Invalid):
        library.add_link(session, actor=p, title="Bad", url="javascript:alert(1)")


def test_only_the_providers_admins_and_managers_change_the_library(session, world):
    p = world["provider"]
    member = colleague(session, p, role=Role.MEMBER)
    manager = colleague(session, p, role=Role.MANAGER)
    with pytest.raises(NotAllowed):
        _file(session, member)
    with pytest.raises(NotAllowed):
        _file(session, world["fabrikam"])
    item = _file(session, manager, "By manager")
    assert {i.title for i in library.provider_items(session, actor=member)} == {"By manager"}
    with pytest.raises(NotFound):  # another provider's item
        library.update(session, actor=world["other"], item_id=item, audience="everyone")
    with pytest.raises(NotFound):
        library.archive(session, actor=world["other"], item_id=item)


@pytest.mark.parametrize(
    "audience, ids",
    [
        ("tiers", []),
        ("tiers", "1"),
        ("everybody", []),
        ("types", [10**12]),
        ("partners", [1, "x"]),
    ],
)
def test_audience_arguments_are_checked(session, world, audience, ids):
    with pytest.raises((Invalid, NotFound)):
        _file(session, world["provider"], audience=audience, audience_ids=ids)


def test_another_providers_terms_or_strangers_are_refused(session, world):
    p, other = world["provider"], world["other"]
    foreign_tier = _term(session, other, TermKind.PARTNER_TIER, "Platinum")
    stranger = org_admin(session, kind=OrgKind.CONSULTANT, org_name="Stranger")
    with pytest.raises(Invalid):
        _file(session, p, audience="tiers", audience_ids=[foreign_tier])
    with pytest.raises(Invalid):
        _file(session, p, audience="partners", audience_ids=[stranger.org_id])
    with pytest.raises(Invalid):  # a tier id given where a type is asked
        _file(session, p, audience="types", audience_ids=[world["gold"]])


def _office(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(f"{part}document.xml", "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content, name, kind",
    [
        (PDF, "a.pdf", "application/pdf"),
        (PNG, "a.png", "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 20, "photo.JPG", "image/jpeg"),
        (b"Price list\n", "prices.txt", "text/plain"),
        (b"a,b\n1,2\n", "data.csv", "text/plain"),
        (_office("word/"), "doc.docx", None),
    ],
)
def test_the_type_is_read_from_the_bytes(session, world, content, name, kind):
    item = _file(session, world["provider"], content=content, name=name)
    file = library.download(session, actor=world["provider"], item_id=item)
    expected = kind or "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert file.media_type == expected and file.content == content


@pytest.mark.parametrize(
    "content, name",
    [
        (b"<html><script>alert(1)</script></html>", "brochure.pdf"),  # forged: HTML called PDF
        (b"<!DOCTYPE html><p>hi</p>", "page.txt"),  # markup, even as text
        (b"<svg onload=alert(1)/>", "logo.png"),
        (PNG, "brochure.pdf"),  # an image named as a PDF
        (PDF, "deck.png"),
        (b"MZ\x90\x00\x03\x00\x00\x00\xff\xfe", "setup.pdf"),  # an executable
        (b"PK\x03\x04not really a zip", "deck.pptx"),
        (b"", "empty.txt"),
    ],
)
def test_a_forged_or_unknown_type_is_refused(session, world, content, name):
    with pytest.raises(Invalid):
        _file(session, world["provider"], content=content, name=name)


def test_a_file_over_the_limit_is_refused(session, world, monkeypatch):
    monkeypatch.setattr(library.content, "MAX_FILE", 100)
    with pytest.raises(Invalid, match="at most"):
        _file(session, world["provider"], content=PDF + b"x" * 200)


def test_changes_are_recorded_and_tell_the_partners(session, world):
    p = world["provider"]
    session.info.pop("prm_topics_touched", None)
    item = _file(session, p, "Deck")
    told = changes.noted(session).of(changes.Topic.LIBRARY)
    assert told == {p.org_id, world["fabrikam"].org_id, world["tailspin"].org_id}
    library.update(session, actor=p, item_id=item, audience="everyone", title="Deck 2")
    events = session.exec(
        select(ActivityEvent).where(
            ActivityEvent.entity_type == "library_item", ActivityEvent.entity_id == item
        )
    ).all()
    assert [e.action for e in events] == ["created", "updated"]
    assert events[1].before == {"title": "Deck", "audience": "nobody"}
    assert events[1].after == {"title": "Deck 2", "audience": "everyone"}


@pytest.fixture
def client(session, monkeypatch):
    monkeypatch.setattr(http_api, "unit_of_work", units_of_work(session))
    return TestClient(http_api.api, follow_redirects=False)


def _get(client, item_id, token=None):
    cookies = {auth.SESSION_COOKIE: token} if token else {}
    client.cookies.clear()
    return client.get(f"/files/library/{item_id}", cookies=cookies)


def test_the_download_route_serves_only_the_audience(session, world, client):
    p = world["provider"]
    gold = _file(session, p, "Gold only", audience="tiers", audience_ids=[world["gold"]])
    link = library.add_link(
        session,
        actor=p,
        title="Site",
        url="https://example.com/gold",
        audience="tiers",
        audience_ids=[world["gold"]],
    )
    fab = signed_in(session, world["fabrikam"])
    served = _get(client, gold, fab)
    assert served.status_code == 200 and served.content == PDF
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"].startswith("attachment;")
    assert served.headers["x-content-type-options"] == "nosniff"
    followed = _get(client, link, fab)
    assert (
        followed.status_code == 303 and followed.headers["location"] == "https://example.com/gold"
    )
    for outsider in (world["tailspin"], world["other"]):
        refused = _get(client, gold, signed_in(session, outsider))
        assert refused.status_code == 404 and PDF not in refused.content
        assert _get(client, link, signed_in(session, outsider)).status_code == 404
    assert _get(client, gold).status_code == 401
    assert _get(client, gold, "forged-token").status_code == 401
    for bad in ("0", "abc", "99999999999999999999", "1%20OR%201=1"):
        assert _get(client, bad, fab).status_code == 404
    assert session.exec(select(LibraryDownload)).all().__len__() == 2

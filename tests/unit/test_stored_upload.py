"""One uploaded file streamed into the private store (state.stored_upload)."""

import asyncio
from dataclasses import dataclass

import pytest

from prm_app.services.core import upload_store
from prm_app.state.stored_upload import store_one


@dataclass
class Chunk:
    filename: str
    data: bytes


@pytest.fixture(autouse=True)
def private_store(tmp_path, monkeypatch):
    monkeypatch.setattr(upload_store, "directory", lambda: tmp_path)
    return tmp_path


def _store(*chunks: Chunk, limit: int = 100):
    async def upload():
        for chunk in chunks:
            yield chunk

    return asyncio.run(
        store_one(upload(), limit=limit, too_big="Too big.", none="Choose one.", default_name="f")
    )


def test_one_file_is_kept_under_its_key(private_store):
    stored = _store(Chunk("a.pdf", b"%PDF-1"), Chunk("a.pdf", b".7"))
    assert (stored.name, stored.refusal) == ("a.pdf", "")
    with upload_store.open_upload(stored.key) as kept:
        assert kept.read() == b"%PDF-1.7"


@pytest.mark.parametrize(
    ("chunks", "refusal"),
    [
        ((Chunk("a.pdf", b"1"), Chunk("b.pdf", b"2")), "Choose one file."),
        ((Chunk("a.pdf", b"x" * 60), Chunk("a.pdf", b"x" * 60)), "Too big."),
        ((), "Choose one."),
    ],
)
def test_a_refused_upload_keeps_nothing(private_store, chunks, refusal):
    stored = _store(*chunks)
    assert (stored.key, stored.refusal) == ("", refusal)
    assert list(private_store.iterdir()) == []

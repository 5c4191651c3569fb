"""upload_store: private files between the steps of an import."""

import os
import stat
import time

import pytest

from prm_app.services.core import upload_store
from prm_app.services.core.errors import NotFound


@pytest.fixture(autouse=True)
def _private_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PRM_UPLOAD_DIR", str(tmp_path / "uploads"))


def test_a_stored_upload_is_private_and_read_back_by_its_key():
    key, handle = upload_store.create()
    with handle:
        handle.write(b"a,b\n1,2\n")
    path = upload_store.directory() / key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(upload_store.directory().stat().st_mode) == 0o700
    with upload_store.open_upload(key) as file:
        assert file.read() == b"a,b\n1,2\n"
    upload_store.discard(key)
    with pytest.raises(NotFound, match="choose it again"):
        upload_store.open_upload(key)


@pytest.mark.parametrize("key", ["", "../etc/passwd", "0" * 31, "g" * 32, None, 5, "A" * 32])
def test_keys_that_are_not_ours_reach_no_file(key):
    with pytest.raises(NotFound):
        upload_store.open_upload(key)
    upload_store.discard(key)  # harmless


def test_old_uploads_are_swept_and_other_files_left_alone():
    old, handle = upload_store.create()
    handle.close()
    fresh, handle = upload_store.create()
    handle.close()
    other = upload_store.directory() / "notes.txt"
    other.write_text("not an upload")
    day_ago = time.time() - upload_store.MAX_AGE_SECONDS - 60
    os.utime(upload_store.directory() / old, (day_ago, day_ago))
    assert upload_store.sweep() == 1
    assert sorted(p.name for p in upload_store.directory().iterdir()) == sorted(
        [fresh, "notes.txt"]
    )

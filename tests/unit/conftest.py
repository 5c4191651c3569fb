"""Unit-test plumbing shared by every module of this folder."""

import pytest

from prm_app.services.core import db


@pytest.fixture(autouse=True)
def _rate_limits_in_the_test_transaction(request, monkeypatch):
    """`rate_limits.spend` counts an attempt in its own session on the app's engine. In a unit
    test that session runs on the test's connection instead, inside the test's transaction, so
    the attempts count for the rest of the test and vanish with its rollback."""
    if "session" not in request.fixturenames:
        return
    session = request.getfixturevalue("session")
    monkeypatch.setattr(db, "engine", lambda: session.connection())

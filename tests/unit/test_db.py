"""prm_app.database: a forked backend worker never shares its parent's database connections."""

import os

from reflex import model
from sqlalchemy import create_engine, text

import prm_app.database  # noqa: F401 - registers the at-fork hook


def test_a_forked_worker_starts_with_empty_pools(tmp_path, monkeypatch):
    engine = create_engine(f"sqlite:///{tmp_path / 'fork.db'}")
    monkeypatch.setattr(model, "_ENGINE", {"parent": engine})
    with engine.connect() as connection:
        connection.execute(text("select 1"))
    assert engine.pool.checkedin() == 1  # the parent's connection, pooled

    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the worker: the at-fork hook has run
        os.write(writer, str(engine.pool.checkedin()).encode())
        os._exit(0)
    os.waitpid(child, 0)
    assert os.read(reader, 10) == b"0"
    assert engine.pool.checkedin() == 1  # the parent keeps its own
    engine.dispose()

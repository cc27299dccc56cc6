"""Fixtures of the Python suite: an Engine on each backend with a manual clock."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

import crm

T0 = datetime(2024, 3, 20, 8, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["memory", "sqlite"])
def db(request, tmp_path) -> str:
    """The database of a fresh engine: in memory, or a SQLite temp file."""
    return "memory:" if request.param == "memory" else str(tmp_path / "crm.db")


@pytest.fixture
def engine(db):
    e = crm.Engine.open(db, now=T0, actor="user:test", source="test")
    yield e
    e.close()


@pytest.fixture
def person(engine):
    """Makes a person: person("C1", "Ali", "Rezaei", email=..., phone=...)."""

    def make(ext, first, last, **kw):
        return engine.create_party(external_id=ext, first_name=first, last_name=last, **kw)

    return make

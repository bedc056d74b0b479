"""storage.requests: a key takes effect once, and its repeats find the project it made."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from storage import requests
from storage.db import session_scope
from tests.storage.rows import NOW, add_project


def test_a_key_is_claimed_once(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert requests.claim(session=session, key="start:1", at=NOW) is True
    with session_scope(engine) as session:
        assert requests.claim(session=session, key="start:1", at=NOW) is False
        assert requests.claim(session=session, key="start:2", at=NOW) is True


def test_pointed_keys_answer_with_their_project(engine: Engine) -> None:
    with session_scope(engine) as session:
        project = add_project(session)
        assert project.id is not None
        for key in ("a", "b", "c"):
            requests.claim(session=session, key=key, at=NOW)
        requests.point(session=session, keys=["a", "b"], project_id=project.id)
    with session_scope(engine) as session:
        assert requests.project_of(session=session, key="a") == project.id
        assert requests.project_of(session=session, key="b") == project.id
        assert requests.project_of(session=session, key="c") is None
        assert requests.project_of(session=session, key="never") is None

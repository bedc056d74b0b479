"""On SQLite the runs read every reminded project's settings from one index (migration 0008),
never from the table's rows, where those columns sit after the playbook snapshot."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.services.reminders import PROJECTS_READ


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_runs_read_projects_from_the_covering_index(engine: Engine) -> None:
    compiled = PROJECTS_READ.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as connection:
        plan = " ".join(
            str(row[-1]) for row in connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
        )
    assert "COVERING INDEX ix_project_planning" in plan, plan

"""Dates outside a sensible window are refused with a clear message, wherever typed.

`--kickoff 9999-12-31` used to overflow the planner (a traceback); `0001-01-01` and the typo
`0207-04-05` were accepted and the next morning escalated centuries-overdue tasks to the
decision-maker.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.flows.escalation_steps import run as escalations
from bot.i18n import t
from storage.db import session_scope
from storage.models import Project
from tests.e2e.harness import Harness, project_tasks
from tests.e2e.requests import watching_logs


def projects(bot: Harness) -> list[Project]:
    with session_scope(bot.deps.engine) as session:
        return list(session.exec(select(Project)))


@pytest.mark.parametrize(
    ("options", "key", "values"),
    [
        (
            "--kickoff 9999-12-31",
            "error.kickoff_out_of_range",
            {"date": "9999-12-31", "earliest": "2025-04-05", "latest": "2029-04-05"},
        ),
        (
            "--kickoff 0001-01-01",
            "error.kickoff_out_of_range",
            {"date": "0001-01-01", "earliest": "2025-04-05", "latest": "2029-04-05"},
        ),
        (
            "--kickoff 0207-04-05",
            "error.kickoff_out_of_range",
            {"date": "0207-04-05", "earliest": "2025-04-05", "latest": "2029-04-05"},
        ),
        (
            "--kickoff 2027-04-05 --go-live 2031-04-05",
            "error.go_live_too_far",
            {"date": "2031-04-05", "latest": "2030-04-05"},
        ),
    ],
)
def test_start_with_a_date_outside_the_window_is_refused(
    bot: Harness, options: str, key: str, values: dict[str, str]
) -> None:
    with watching_logs() as logs:
        answer = bot.slash(bot.people.csm, bot.general, f"start Acme Corp {options}")
    assert answer.status == 200
    assert bot.ephemerals(bot.people.csm) == [t("ja", key, **values)]
    assert projects(bot) == [] and bot.sandbox.calls("conversations.create") == []
    assert logs.summary() == []
    # Nothing is there for the next morning to escalate.
    assert escalations(bot.deps, now=datetime(2027, 4, 6, 0, 5, tzinfo=UTC)).planned == []


def test_the_start_form_names_the_date_outside_the_window(bot: Harness) -> None:
    bot.slash(bot.people.csm, bot.general, "start")
    view_id = bot.sandbox.views_for(bot.people.csm.id)[-1]["id"]
    answer = bot.driver.submit_view(
        bot.people.csm.id,
        view_id,
        {
            "customer_name": {"customer_name": "Acme Corp"},
            "playbook": {"playbook": "tech-touch"},
            "kickoff": {"kickoff": "0207-04-05"},
            "lang": {"lang": "en"},
        },
    )
    message = t(
        "ja",
        "error.kickoff_out_of_range",
        date="0207-04-05",
        earliest="2025-04-05",
        latest="2029-04-05",
    )
    assert answer.json == {"response_action": "errors", "errors": {"kickoff": message}}
    assert projects(bot) == []


def test_the_schedule_and_more_time_forms_refuse_dates_years_ahead(bot: Harness) -> None:
    csm = bot.people.csm
    channel = bot.start_project("Acme Corp --playbook tech-touch --kickoff 2027-04-05 --lang en")
    bot.slash(csm, channel, "schedule")
    answer = bot.driver.submit_view(
        csm.id,
        bot.sandbox.views_for(csm.id)[-1]["id"],
        {
            "busy1_start": {"busy1_start": "2031-01-06"},
            "busy1_end": {"busy1_end": "2031-01-10"},
            "go_live": {"go_live": "2099-04-01"},
        },
    )
    errors = (answer.json or {}).get("errors") or {}  # in the CSM's language, Japanese
    assert errors == {
        "busy1_end": t("ja", "error.date_too_far", date="2031-01-10", latest="2030-04-05"),
        "go_live": t("ja", "error.date_too_far", date="2099-04-01", latest="2030-04-05"),
    }
    task = project_tasks(bot, channel)[0]
    bot.driver.click(csm.id, channel_id=channel, action_id="task_more_time", value=str(task.id))
    bot.settle()
    answer = bot.driver.submit_view(
        csm.id,
        bot.sandbox.views_for(csm.id)[-1]["id"],
        {"new_due": {"new_due": "2031-04-07"}, "reason": {"reason": "data_preparation"}},
    )
    assert answer.json == {
        "response_action": "errors",
        "errors": {"new_due": t("ja", "more_time.too_far")},
    }
    assert project_tasks(bot, channel)[0].due == task.due

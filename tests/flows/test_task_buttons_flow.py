from sqlalchemy import Engine

from bot.flows import task_buttons
from bot.i18n import t
from bot.services.projects import record_messages
from storage import tasks
from storage.db import session_scope
from tests.flows.fakes import caller, fake_deps
from tests.services.seeds import CHANNEL, NOW, running_project


def _customer_task(engine: Engine) -> int:
    project_id = running_project(engine)
    with session_scope(engine) as session:
        record_messages(
            session=session, project_id=project_id, welcome_ts="1.0", checklist_ts=["2.0"]
        )
        rows = tasks.of_project(session=session, project_id=project_id)
        task_id = next(t.id for t in rows if t.owner_side == "customer")
    assert task_id is not None
    return task_id


def test_done_edits_the_checklist_and_notes_it_in_its_thread_once(engine: Engine) -> None:
    task_id = _customer_task(engine)
    deps, gateway, _ = fake_deps(engine, now=NOW)
    customer = caller(deps, "WCUST", channel_id=CHANNEL)
    assert task_buttons.done(deps, task_id, customer) == []
    assert gateway.updated == [(CHANNEL, "2.0")]
    assert [(channel, thread) for channel, _, thread in gateway.posted] == [(CHANNEL, "2.0")]
    # A second click changes nothing, but repairs the checklist that person sees.
    assert task_buttons.done(deps, task_id, caller(deps, "WCUST", channel_id=CHANNEL)) == []
    assert len(gateway.posted) == 1 and len(gateway.updated) == 2


def test_a_refusal_is_answered_in_the_projects_language(engine: Engine) -> None:
    task_id = _customer_task(engine)
    deps, gateway, _ = fake_deps(engine, now=NOW)
    replies = task_buttons.done(deps, task_id, caller(deps, "WOTHER", channel_id=CHANNEL))
    assert len(replies) == 1 and replies[0].text == t("ja", "deny.not_project_member")
    assert gateway.posted == gateway.updated == []

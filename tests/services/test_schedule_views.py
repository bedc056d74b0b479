from sqlalchemy import Engine

from bot.services import schedule_views
from bot.services.results import Refused
from storage import tasks
from storage.db import session_scope
from tests.services.seeds import (
    CHANNEL,
    CSM,
    CUSTOMER,
    INTERNAL,
    NOW,
    OTHER_CUSTOMER,
    running_project,
)


def test_the_schedule_form_for_the_projects_customers_and_staff(engine: Engine) -> None:
    project_id = running_project(engine)
    with session_scope(engine) as session:
        for actor in (CSM, CUSTOMER):
            form = schedule_views.schedule_form(
                session=session, project_id=None, channel_id=CHANNEL, actor=actor, now=NOW
            )
            assert isinstance(form, schedule_views.ScheduleForm)
            assert form.view.id == project_id
            assert str(form.suggestion.start) == "2028-03-01"  # the next fiscal year-end
            assert form.plan_end == max(t.due for t in form.view.tasks)
        refused = schedule_views.schedule_form(
            session=session, project_id=project_id, channel_id=None, actor=OTHER_CUSTOMER, now=NOW
        )
        assert refused == Refused("deny.not_this_project")
        nowhere = schedule_views.schedule_form(
            session=session, project_id=None, channel_id="CGENERAL", actor=CSM, now=NOW
        )
        assert nowhere == Refused("deny.not_a_project_channel")


def test_a_submission_is_checked_against_the_project_it_names(engine: Engine) -> None:
    project_id = running_project(engine)
    with session_scope(engine) as session:

        def refusal(actor, pid=project_id):  # type: ignore[no-untyped-def]
            return schedule_views.submission_refusal(session=session, project_id=pid, actor=actor)

        assert refusal(CUSTOMER) is None
        assert refusal(INTERNAL) == Refused("deny.not_this_project")
        assert refusal(CSM, pid=project_id + 1) == Refused("error.project_not_found")


def test_the_more_time_form_for_who_may_complete_the_task(engine: Engine) -> None:
    project_id = running_project(engine)
    with session_scope(engine) as session:
        rows = tasks.of_project(session=session, project_id=project_id)
        customer_task = next(t.id for t in rows if t.owner_side == "customer")
        assert customer_task is not None
        form = schedule_views.more_time_form(
            session=session, task_id=customer_task, actor=CUSTOMER, now=NOW
        )
        assert isinstance(form, schedule_views.MoreTimeForm)
        assert (form.task.id, form.project_id, form.locale) == (customer_task, project_id, "ja")
        refused = schedule_views.more_time_form(
            session=session, task_id=customer_task, actor=OTHER_CUSTOMER, now=NOW
        )
        assert refused == Refused("deny.not_project_member", locale="ja")
        gone = schedule_views.more_time_form(session=session, task_id=10**6, actor=CSM, now=NOW)
        assert gone == Refused("error.task_not_found")

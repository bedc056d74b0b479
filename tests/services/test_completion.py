from sqlalchemy import Engine

from bot.services import completion
from bot.services.completion import SurveyAnswered
from bot.services.outbox import OutboxMessage
from bot.services.results import Changed, Refused
from storage import outbox
from storage.db import session_scope
from tests.services.seeds import CHANNEL, CSM, CUSTOMER, INTERNAL, NOW, running_project


def test_the_survey_is_the_customers_to_answer(engine: Engine) -> None:
    project_id = running_project(engine)
    with session_scope(engine) as session:

        def answer(actor, pid=project_id, **scores):  # type: ignore[no-untyped-def]
            return completion.record_survey(
                session=session, project_id=pid, actor=actor, now=NOW, **scores
            )

        assert answer(CUSTOMER, csat=5) == Changed(SurveyAnswered(csat=5, nps=None, locale="ja"))
        assert answer(CUSTOMER, nps=9) == Changed(SurveyAnswered(csat=5, nps=9, locale="ja"))
        assert answer(CUSTOMER, nps=11) == Refused("error.unexpected", locale="ja")
        assert answer(CSM, csat=1) == Refused("deny.survey_customers_only", locale="ja")
        # No project: the answer is in the person's language, not a project's.
        assert answer(CUSTOMER, pid=project_id + 1, csat=1) == Refused("error.project_not_found")


def test_closing_by_hand_in_the_channel_once(engine: Engine) -> None:
    project_id = running_project(engine)
    with session_scope(engine) as session:

        def close(actor, channel=CHANNEL):  # type: ignore[no-untyped-def]
            return completion.close(
                session=session,
                channel_id=channel,
                outcome="cancelled",
                reason="budget",
                actor=actor,
                now=NOW,
            )

        assert close(CSM, channel="CGENERAL") == Refused("deny.not_a_project_channel")
        assert close(INTERNAL) == Refused("deny.not_staff")
        closed = close(CSM)
        assert isinstance(closed, Changed) and closed.value.id == project_id
        assert close(CSM) == Refused("error.project_closed")


def test_a_stalled_checkin_queues_the_alert_in_the_same_unit_of_work(engine: Engine) -> None:
    project_id = running_project(engine)
    row = OutboxMessage(
        key=f"checkin-stalled:{project_id}",
        kind="checkin",
        recipient="UCSM",
        text="stalled",
        blocks=[],
        at=NOW,
        project_id=project_id,
    )
    with session_scope(engine) as session:
        refused = completion.record_checkin(
            session=session,
            project_id=project_id,
            actor=INTERNAL,
            answer="stalled",
            now=NOW,
            stalled_alert=lambda view: row,
        )
        assert refused == Refused("deny.not_project_member", locale="ja")
        view = completion.record_checkin(
            session=session,
            project_id=project_id,
            actor=CUSTOMER,
            answer="stalled",
            now=NOW,
            stalled_alert=lambda view: row,
        )
        assert isinstance(view, Changed) and view.value.csm_user_id == "UCSM"
        assert outbox.existing_keys(session=session, keys=[row.key]) == {row.key}

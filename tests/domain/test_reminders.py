from datetime import UTC, date, datetime

from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.reminders import (
    STEP_DECISION_MAKER,
    STEP_OWN,
    STEP_WAITING,
    OpenTask,
    ProjectInfo,
    plan_decision_maker_steps,
    plan_reminders,
)

JP = BusinessCalendar(country="JP")


def project(**changes) -> ProjectInfo:  # type: ignore[no-untyped-def]
    values = dict(
        id=1,
        customer_name="Acme",
        locale="ja",
        timezone="Asia/Tokyo",
        holiday_country="JP",
        channel_id="C1",
        thread_ts="111.1",
        reminder_lead_days=2,
        csm_after_days=2,
        decision_maker_after_days=5,
        decision_maker_overdue_tasks=3,
        csm_user_id="UCSM",
        decision_maker_user_id="UDM",
    )
    values.update(changes)
    return ProjectInfo(**values)  # type: ignore[arg-type]


def task(task_id: int, due: date, **changes) -> OpenTask:  # type: ignore[no-untyped-def]
    values = dict(
        id=task_id,
        project_id=1,
        title=f"T{task_id}",
        why="why",
        owner_side="customer",
        due=due,
        owner_stakeholder_id=10,
        owner_user_id="UTARO",
        owner_tz="Asia/Tokyo",
    )
    values.update(changes)
    return OpenTask(**values)  # type: ignore[arg-type]


def reminders_at(now: datetime, tasks, projects=None, calendar=JP):  # type: ignore[no-untyped-def]
    projects = projects or {1: project()}
    return plan_reminders(
        now=now, projects=projects, tasks=tasks, calendar_for=lambda p: calendar, reminder_hour=9
    )


def test_one_dm_per_person_with_overdue_first_and_lead_days() -> None:
    # Wed 2027-04-07 09:00 in Tokyo.
    now = datetime(2027, 4, 7, 0, 0, tzinfo=UTC)
    tasks = [
        task(1, date(2027, 4, 9)),
        task(2, date(2027, 4, 5)),
        task(3, date(2027, 4, 12)),
        task(4, date(2027, 4, 7)),
    ]
    drafts = reminders_at(now, tasks)
    assert len(drafts) == 1
    draft = drafts[0]
    assert draft.key == "reminder:UTARO:2027-04-07" and draft.channel_id is None
    items = draft.items[0][1]
    # overdue first (2 business days: Apr 6, 7), then by due date; Apr 12 is 3 business days away.
    assert [i.task.id for i in items] == [2, 4, 1]
    assert items[0].days_overdue == 2 and items[2].days_left == 2


def test_before_the_reminder_hour_in_the_owners_zone_nothing() -> None:
    # 08:59 in Tokyo.
    assert reminders_at(datetime(2027, 4, 6, 23, 59, tzinfo=UTC), [task(1, date(2027, 4, 8))]) == []


def test_each_owner_in_their_own_time_zone() -> None:
    tasks = [
        task(1, date(2027, 4, 8)),
        task(
            2,
            date(2027, 4, 8),
            owner_user_id="UJANE",
            owner_stakeholder_id=11,
            owner_tz="America/Los_Angeles",
        ),
    ]
    # 09:00 Tokyo on Wed Apr 7 = 17:00 Apr 6 in Los Angeles, past her reminder window.
    assert [d.user_id for d in reminders_at(datetime(2027, 4, 7, 0, 0, tzinfo=UTC), tasks)] == [
        "UTARO"
    ]
    # 09:00 Los Angeles on Wed Apr 7 = 16:00 UTC = 01:00 Apr 8 in Tokyo: only Jane.
    later = reminders_at(datetime(2027, 4, 7, 16, 0, tzinfo=UTC), tasks)
    assert [d.key for d in later] == ["reminder:UJANE:2027-04-07"]


def test_no_reminder_on_a_holiday_a_weekend_or_in_a_blackout() -> None:
    tasks = [task(1, date(2027, 5, 6))]
    assert reminders_at(datetime(2027, 5, 3, 1, 0, tzinfo=UTC), tasks) == []  # 憲法記念日
    assert reminders_at(datetime(2027, 5, 8, 1, 0, tzinfo=UTC), tasks) == []  # Saturday
    blackout = JP.with_blackouts([DateRange(date(2027, 5, 6), date(2027, 5, 7))])
    assert reminders_at(datetime(2027, 5, 6, 1, 0, tzinfo=UTC), tasks, calendar=blackout) == []
    assert len(reminders_at(datetime(2027, 5, 6, 1, 0, tzinfo=UTC), tasks)) == 1


def test_external_owners_get_a_dm_like_everyone_with_slack() -> None:
    # Slack lets the app DM a customer who shares the project channel with it.
    drafts = reminders_at(
        datetime(2027, 4, 7, 1, 0, tzinfo=UTC), [task(1, date(2027, 4, 7), owner_external=True)]
    )
    assert [(d.key, d.user_id, d.channel_id) for d in drafts] == [
        ("reminder:UTARO:2027-04-07", "UTARO", None)
    ]


def test_only_people_without_slack_get_a_threaded_mention_in_the_channel() -> None:
    tasks = [task(2, date(2027, 4, 7), owner_user_id=None, owner_stakeholder_id=12)]
    [draft] = reminders_at(datetime(2027, 4, 7, 1, 0, tzinfo=UTC), tasks)
    assert (draft.channel_id, draft.thread_ts, draft.user_id) == ("C1", "111.1", None)
    assert draft.key == "reminder-channel:1:12:2027-04-07"


def test_the_decision_makers_reminder_is_never_a_channel_mention() -> None:
    own = task(1, date(2027, 4, 7), owner_user_id="UDM", owner_is_decision_maker=True)
    invited = task(
        2,
        date(2027, 4, 7),
        owner_user_id=None,
        owner_stakeholder_id=13,
        owner_is_decision_maker=True,
    )
    with_slack, without = (
        reminders_at(datetime(2027, 4, 7, 1, 0, tzinfo=UTC), [t]) for t in (own, invited)
    )
    assert [(d.user_id, d.channel_id, d.is_decision_maker) for d in with_slack] == [
        ("UDM", None, True)
    ]
    # Not on Slack yet: the CSM gets it to pass on, nobody in the shared channel reads it.
    [forward] = without
    assert (forward.user_id, forward.channel_id, forward.forward_to) == (None, None, "UCSM")
    assert forward.key == "reminder-forward:1:13:2027-04-07"
    no_csm = reminders_at(
        datetime(2027, 4, 7, 1, 0, tzinfo=UTC), [invited], projects={1: project(csm_user_id=None)}
    )
    assert no_csm == []
    # No decision-maker named at all: her tasks are anyone's, like any task without an owner.
    nobody = reminders_at(
        datetime(2027, 4, 7, 1, 0, tzinfo=UTC),
        [invited],
        projects={1: project(decision_maker_user_id=None)},
    )
    assert [(d.channel_id, d.forward_to) for d in nobody] == [("C1", None)]


def steps_at(now: datetime, tasks, reached=frozenset(), **changes):  # type: ignore[no-untyped-def]
    return plan_decision_maker_steps(
        now=now,
        projects={1: project(**changes)},
        tasks=tasks,
        calendar_for=lambda p: JP,
        reminder_hour=9,
        reached=reached,
    )


def taken(steps, step=STEP_DECISION_MAKER) -> set:  # type: ignore[no-untyped-def,type-arg]
    return {(d.task.id, d.task.due, step) for s in steps for d in s.tasks}


def test_escalation_ladder_by_business_days_overdue() -> None:
    tasks = [task(1, date(2027, 4, 5))]  # Monday

    # The CSM hears from 2 business days in the morning summary (tests/domain/test_summary.py);
    # the decision-maker's step waits for 5.
    assert steps_at(datetime(2027, 4, 7, 1, tzinfo=UTC), tasks) == []  # 2 days
    assert steps_at(datetime(2027, 4, 9, 1, tzinfo=UTC), tasks) == []
    # 5 business days on Mon Apr 12: the decision-maker's step.
    [step] = steps_at(datetime(2027, 4, 12, 1, tzinfo=UTC), tasks)
    assert step.task_ids == [1] and step.key == "dm:1:2027-04-12" and step.linked


def test_escalation_keys_restart_with_a_new_due_date() -> None:
    # A task taken at the decision-maker step for one due date is new with the next one.
    first = steps_at(datetime(2027, 4, 12, 1, tzinfo=UTC), [task(1, date(2027, 4, 5))])
    assert (
        steps_at(
            datetime(2027, 4, 13, 1, tzinfo=UTC), [task(1, date(2027, 4, 5))], reached=taken(first)
        )
        == []
    )
    moved = steps_at(
        datetime(2027, 4, 20, 1, tzinfo=UTC), [task(1, date(2027, 4, 12))], reached=taken(first)
    )
    assert [s.task_ids for s in moved] == [[1]]


def test_one_step_per_project_and_day_lists_each_task_once() -> None:
    tasks = [
        task(1, date(2027, 4, 8)),
        task(2, date(2027, 4, 8)),
        task(3, date(2027, 4, 9)),
        task(4, date(2027, 4, 9), owner_side="vendor"),
    ]
    # Three customer tasks overdue at once: all three in one step (the vendor task never).
    [step] = steps_at(datetime(2027, 4, 12, 1, tzinfo=UTC), tasks)
    assert sorted(step.task_ids) == [1, 2, 3]
    # Days later task 1 is 5 days overdue and a fourth task slipped: only the new one.
    later = steps_at(
        datetime(2027, 4, 15, 1, tzinfo=UTC),
        [*tasks, task(5, date(2027, 4, 13))],
        reached=taken([step]),
    )
    assert [s.task_ids for s in later] == [[5]]
    assert steps_at(datetime(2027, 4, 15, 1, tzinfo=UTC), tasks, reached=taken([step])) == []


def test_her_own_tasks_are_for_the_csm_only() -> None:
    own = task(1, date(2027, 4, 5), owner_user_id="UDM", owner_is_decision_maker=True)
    [step] = steps_at(datetime(2027, 4, 12, 1, tzinfo=UTC), [own, task(2, date(2027, 4, 5))])
    assert step.task_ids == [2] and step.own_task_ids == [1]
    [only_own] = steps_at(datetime(2027, 4, 12, 1, tzinfo=UTC), [own])
    assert only_own.task_ids == [] and only_own.own_task_ids == [1]
    again = {(1, date(2027, 4, 5), STEP_OWN)}
    assert steps_at(datetime(2027, 4, 13, 1, tzinfo=UTC), [own], reached=again) == []


def test_with_no_decision_maker_the_step_waits_and_runs_once_she_is_linked() -> None:
    tasks = [task(1, date(2027, 4, 5))]
    [waiting] = steps_at(datetime(2027, 4, 12, 1, tzinfo=UTC), tasks, decision_maker_user_id=None)
    assert not waiting.linked and waiting.task_ids == [1]
    told = taken([waiting], STEP_WAITING)
    # Told once: not again the next day while nobody is linked.
    assert (
        steps_at(
            datetime(2027, 4, 13, 1, tzinfo=UTC), tasks, reached=told, decision_maker_user_id=None
        )
        == []
    )
    # Once she is linked the step runs for the tasks still late.
    [step] = steps_at(datetime(2027, 4, 14, 1, tzinfo=UTC), tasks, reached=told)
    assert step.linked and step.task_ids == [1]


def test_an_invited_decision_maker_counts_and_no_csm_means_no_step() -> None:
    tasks = [task(1, date(2027, 4, 5))]
    now = datetime(2027, 4, 12, 1, tzinfo=UTC)
    [step] = steps_at(
        now, tasks, decision_maker_user_id=None, decision_maker_email="b@acme.example"
    )
    assert step.linked
    assert steps_at(now, tasks, csm_user_id=None) == []

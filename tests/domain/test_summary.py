from datetime import UTC, date, datetime

from bot.domain.calendar import BusinessCalendar
from bot.domain.summary import ProjectExtras, WaitingDraft, plan_summaries
from tests.domain.test_reminders import project, task

JP = BusinessCalendar(country="JP")
MORNING = datetime(2027, 4, 14, 0, 30, tzinfo=UTC)  # Wednesday 09:30 in Tokyo


def summaries(now=MORNING, tasks=(), extras=None, zones=None, **changes):  # type: ignore[no-untyped-def]
    return plan_summaries(
        now=now,
        projects={1: project(**changes)},
        tasks=list(tasks),
        calendar_for=lambda p: JP,
        reminder_hour=9,
        extras=extras or {},
        csm_zones=zones or {},
    )


def test_one_summary_per_csm_and_business_morning_with_tasks_by_side() -> None:
    tasks = [
        task(1, date(2027, 4, 12)),  # customer, 2 business days overdue: reached the CSM today
        task(2, date(2027, 4, 9), owner_side="vendor", owner_user_id="UOTHER"),
        task(3, date(2027, 4, 15), owner_side="vendor", owner_user_id="UCSM"),  # the CSM's own
    ]
    [summary] = summaries(tasks=tasks)
    assert summary.key == "summary:UCSM:2027-04-14" and summary.csm_user_id == "UCSM"
    [customer] = summary.customers
    assert [d.task.id for d in customer.customer_overdue] == [1]
    assert [d.task.id for d in customer.vendor_overdue] == [2]
    assert [d.task.id for d in customer.reached_csm_today] == [1]
    assert [d.task.id for _, d in summary.own_tasks] == [3]


def test_nothing_to_say_no_summary_and_none_on_a_holiday_or_before_the_hour() -> None:
    assert summaries(tasks=[task(1, date(2027, 4, 30))]) == []
    overdue = [task(1, date(2027, 4, 12))]
    assert summaries(now=datetime(2027, 4, 13, 23, 0, tzinfo=UTC), tasks=overdue) == []  # 08:00
    assert summaries(now=datetime(2027, 4, 29, 1, 0, tzinfo=UTC), tasks=overdue) == []  # 昭和の日
    # In the CSM's own time zone: 09:30 in Tokyo is 17:30 the day before in Los Angeles.
    assert summaries(tasks=overdue, zones={"UCSM": "America/Los_Angeles"}) == []


def test_waiting_drafts_from_earlier_days_joins_busy_periods_and_snoozes() -> None:
    extras = {
        1: ProjectExtras(
            drafts=(WaitingDraft(7, date(2027, 4, 13), 2), WaitingDraft(8, date(2027, 4, 14), 1)),
            joined=False,
            busy_periods=(
                (date(2027, 4, 19), date(2027, 4, 23)),
                (date(2027, 6, 1), date(2027, 6, 5)),
            ),
            open_risks=2,
            snoozed=(("UTARO", date(2027, 4, 20)),),
        )
    }
    [summary] = summaries(extras=extras)
    [customer] = summary.customers
    assert [d.id for d in customer.drafts] == [7]  # today's draft came as a draft of its own
    assert customer.not_joined and customer.open_risks == 2
    assert customer.busy_soon == ((date(2027, 4, 19), date(2027, 4, 23)),)
    assert customer.snoozed == (("UTARO", date(2027, 4, 20)),)


def test_a_paused_project_has_no_summary_line() -> None:
    assert summaries(tasks=[task(1, date(2027, 4, 12))], paused_until=date(2027, 4, 20)) == []

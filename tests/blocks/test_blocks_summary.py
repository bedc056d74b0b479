"""The CSM's morning summary and the draft for the decision-maker stay within Slack's limits."""

import dataclasses
from datetime import date

import pytest

from bot.blocks.escalation import escalation_message
from bot.blocks.escalation_step import draft_message, waiting_message
from bot.blocks.summary import summary_message
from bot.domain.reminders import DueTask, EscalationDraft
from bot.domain.summary import CustomerSummary, SummaryDraft, WaitingDraft
from bot.i18n import LOCALES
from tests.blocks.test_blocks_messages import assert_valid
from tests.domain.test_reminders import project, task


def due(task_id: int, days: int, **changes) -> DueTask:  # type: ignore[no-untyped-def]
    return DueTask(task(task_id, date(2027, 4, 1), title=f"Task <{task_id}>", **changes), days, 0)


@pytest.mark.parametrize("locale", LOCALES)
def test_a_crowded_summary_fits_one_message(locale: str) -> None:
    customers = tuple(
        CustomerSummary(
            project=project(id=n, locale=locale, customer_name=f"Customer <!channel> {n}"),
            customer_overdue=tuple(due(n * 100 + i, 3) for i in range(5)),
            vendor_overdue=(due(n * 100 + 50, 4, owner_side="vendor"),),
            reached_csm_today=(due(n * 100, 2),),
            drafts=(
                WaitingDraft(n, date(2027, 4, 13), 3),
                WaitingDraft(n + 1000, date(2027, 4, 12), 1),
            ),
            not_joined=True,
            busy_soon=((date(2027, 4, 19), date(2027, 4, 23)),),
            open_risks=2,
            snoozed=(("UTARO", date(2027, 4, 20)),),
        )
        for n in range(1, 41)
    )
    own = tuple((project(locale=locale), due(9000 + i, i % 3)) for i in range(20))
    message = summary_message(
        SummaryDraft("summary:UCSM:2027-04-14", "UCSM", date(2027, 4, 14), locale, customers, own)
    )
    assert len(message.blocks) <= 50
    assert_valid(message)
    text = str(message.blocks)
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "escalation_send:1" in text and "escalation_send:2" in text


@pytest.mark.parametrize("locale", LOCALES)
def test_the_draft_shows_her_message_and_three_answers(locale: str) -> None:
    info = project(locale=locale)
    tasks = tuple(due(i, 6) for i in range(1, 60))
    request = escalation_message(
        EscalationDraft("k", "decision_maker", info, tasks, "UDM", False, date(2027, 4, 14)),
        owner_labels={},
        reminders_sent={},
    )
    message = draft_message(
        info, escalation_id=7, request=request, tasks=tasks, own_tasks=(due(99, 6),)
    )
    assert len(message.blocks) <= 50
    assert_valid(message)
    actions = [
        e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert actions == ["escalation_send", "escalation_edit", "escalation_skip"]
    assert_valid(waiting_message(project(locale=locale, decision_maker_user_id=None), tasks))


@pytest.mark.parametrize("locale", LOCALES)
def test_a_task_reaching_the_csm_today_is_told_once_not_also_as_overdue(locale: str) -> None:
    reached, other = due(1, 2), due(2, 5)
    customer = CustomerSummary(
        project=project(id=1, locale=locale),
        customer_overdue=(reached, other),
        vendor_overdue=(),
        reached_csm_today=(reached,),
        drafts=(),
        not_joined=False,
        busy_soon=(),
        open_risks=0,
        snoozed=(),
    )
    only = dataclasses.replace(customer, customer_overdue=(reached,))
    for item, overdue_lines in ((customer, 1), (only, 0)):
        message = summary_message(
            SummaryDraft("summary:UCSM:2027-04-14", "UCSM", date(2027, 4, 14), locale, (item,), ())
        )
        text = str(message.blocks)
        assert text.count("Task &lt;1&gt;") == 1  # on the reached-today line only
        assert text.count("Task &lt;2&gt;") == overdue_lines

"""Morning reminders and escalations: content, addressing, escaping, buttons, limits, catalogs."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

import bot.blocks.escalation
import bot.blocks.reminder
from bot.blocks.escalation import escalation_message
from bot.blocks.ids import ActionId
from bot.blocks.limits import MESSAGE_BLOCKS
from bot.blocks.message import Message
from bot.blocks.reminder import reminder_message
from bot.domain.reminders import DueTask, EscalationDraft, OpenTask, ProjectInfo, ReminderDraft
from bot.i18n import CATALOG_DIR, LOCALES, placeholders, t
from slack_sandbox.block_limits import check_blocks

TODAY = date(2027, 4, 14)  # Wednesday
LEVELS = ("csm", "decision_maker", "decision_maker_notice")


def project(project_id: int = 3, **changes: Any) -> ProjectInfo:
    base = ProjectInfo(
        id=project_id,
        customer_name="Acme Corp",
        locale="en",
        timezone="Asia/Tokyo",
        holiday_country="JP",
        channel_id=f"C{project_id}",
        thread_ts="1700000000.000100",
        reminder_lead_days=2,
        csm_after_days=2,
        decision_maker_after_days=5,
        decision_maker_overdue_tasks=3,
        csm_user_id="UCSM",
        decision_maker_user_id=None,
        decision_maker_email="hanako@acme.example",
    )
    return replace(base, **changes)


def due(
    task_id: int,
    *,
    overdue: int = 0,
    left: int = 0,
    project_id: int = 3,
    **changes: Any,
) -> DueTask:
    base = OpenTask(
        id=task_id,
        project_id=project_id,
        title=f"Task {task_id}",
        why=f"Why task {task_id} matters",
        owner_side="customer",
        due=TODAY + timedelta(days=left - overdue),
        owner_stakeholder_id=7,
        owner_user_id="UOWNER",
    )
    return DueTask(base._replace(**changes), days_overdue=overdue, days_left=left)


def reminder_draft(
    *groups: tuple[ProjectInfo, tuple[DueTask, ...]],
    locale: str = "en",
    user_id: str | None = "UOWNER",
    channel_id: str | None = None,
) -> ReminderDraft:
    return ReminderDraft(
        key=f"reminder:{user_id}:{TODAY.isoformat()}",
        local_date=TODAY,
        user_id=user_id,
        channel_id=channel_id,
        thread_ts="1700000000.000100" if channel_id else None,
        stakeholder_id=7,
        locale=locale,
        items=groups,
    )


def reminder(*groups: tuple[ProjectInfo, tuple[DueTask, ...]], **kwargs: Any) -> Message:
    return reminder_message(reminder_draft(*groups, **kwargs))


def escalation(
    level: str,
    tasks: tuple[DueTask, ...],
    *,
    proj: ProjectInfo | None = None,
    recipient: str | None = "UCSM",
    forward: bool = False,
) -> EscalationDraft:
    return EscalationDraft(
        key=f"escalation:{level}",
        level=level,
        project=proj or project(),
        tasks=tasks,
        recipient_user_id=recipient,
        forward=forward,
        local_date=TODAY,
    )


def texts(message: Message) -> list[str]:
    """Every mrkdwn / plain text in the blocks, in order."""
    found: list[str] = []
    for block in message.blocks:
        if "text" in block:
            found.append(block["text"]["text"])
        for element in block.get("elements", []):
            found.append(
                element["text"] if element["type"] == "mrkdwn" else element["text"]["text"]
            )
    return found


def everything(message: Message) -> str:
    return "\n".join([message.text, *texts(message)])


def block(message: Message, block_id: str) -> dict[str, Any]:
    found = [b for b in message.blocks if b.get("block_id") == block_id]
    assert len(found) == 1, block_id
    return found[0]


def assert_within_limits(message: Message) -> None:
    assert message.text.strip()
    assert check_blocks(message.blocks, max_blocks=MESSAGE_BLOCKS) == []
    ids = [b["block_id"] for b in message.blocks]
    assert len(ids) == len(set(ids))


def task_ids_shown(message: Message) -> list[int]:
    return [
        int(b["elements"][0]["value"])
        for b in message.blocks
        if b["type"] == "actions" and b["block_id"].startswith("rem-")
    ]


# --- reminder ---------------------------------------------------------------------------


def test_dm_reminder_lists_tasks_overdue_first_with_why_and_buttons() -> None:
    tasks = (due(2, left=2), due(1, overdue=3), due(3), due(4, overdue=1))
    message = reminder((project(), tasks))
    assert_within_limits(message)

    intro = block(message, "rem-intro")["text"]["text"]
    assert intro.startswith("Good morning!")
    assert "<@" not in intro  # a DM needs no address
    assert "Wed 4/14" in intro
    assert block(message, "rem-3")["text"]["text"] == "🏢 *Acme Corp* · <#C3>"

    assert task_ids_shown(message) == [1, 4, 3, 2]
    assert "3 business days overdue" in block(message, "rem-3-1")["text"]["text"]
    assert "1 business day overdue" in block(message, "rem-3-4")["text"]["text"]
    assert "⚠️ *Task 1*" in block(message, "rem-3-1")["text"]["text"]
    assert "Due today, Wed 4/14" in block(message, "rem-3-3")["text"]["text"]
    assert "Due in 2 business days, Fri 4/16" in block(message, "rem-3-2")["text"]["text"]
    why = block(message, "rem-3-1-why")["elements"][0]["text"]
    assert why == "💡 Why it matters: Why task 1 matters"

    done, more_time = block(message, "rem-3-1-actions")["elements"]
    assert (done["action_id"], done["value"], done["style"]) == (ActionId.TASK_DONE, "1", "primary")
    assert (more_time["action_id"], more_time["value"]) == (ActionId.TASK_MORE_TIME, "1")
    assert "style" not in more_time
    assert done["text"]["text"] == t("en", "checklist.button.done")
    assert more_time["text"]["text"] == t("en", "checklist.button.more_time")

    footer = block(message, "rem-footer")
    assert footer["type"] == "context" and "*Need more time*" in footer["elements"][0]["text"]
    # The DM has the snooze button, and its footer points to it (not to the CSM).
    assert block(message, "rem-intro")["accessory"]["action_id"] == ActionId.REMINDER_SNOOZE
    assert "*💤 Snooze* above" in footer["elements"][0]["text"]
    assert message.text == "4 onboarding tasks need you today (2 overdue)"


def test_a_channel_reminder_has_no_snooze_and_its_footer_says_to_ask_the_csm() -> None:
    for locale in LOCALES:
        message = reminder((project(locale=locale), (due(1),)), locale=locale, channel_id="C3")
        assert "accessory" not in block(message, "rem-intro")
        footer = block(message, "rem-footer")["elements"][0]["text"]
        assert t(locale, "snooze.button") not in footer
        assert "CSM" in footer


def test_fallback_text_counts_and_singulars() -> None:
    assert reminder((project(), (due(1, left=1),))).text == "1 onboarding task needs you today"
    one_overdue = reminder((project(), (due(1, overdue=2),)))
    assert one_overdue.text == "1 onboarding task needs you today (1 overdue)"
    assert "Due next business day" in everything(reminder((project(), (due(1, left=1),))))
    ja = reminder((project(locale="ja"), (due(1, overdue=1), due(2))), locale="ja")
    assert (
        ja.text
        == "本日ご対応をお願いしたいオンボーディングのタスクが 2 件あります(うち期限超過 1 件)"
    )


def test_projects_keep_their_order_and_each_links_its_channel() -> None:
    first = project(5, customer_name="Beta KK")
    second = project(3, customer_name="Acme Corp", channel_id=None)
    message = reminder(
        (first, (due(50, overdue=2, project_id=5),)),
        (second, (due(30, project_id=3), due(31, overdue=1, project_id=3))),
    )
    assert_within_limits(message)
    ids = [b["block_id"] for b in message.blocks]
    assert ids.index("rem-5") < ids.index("rem-5-50") < ids.index("rem-3") < ids.index("rem-3-31")
    assert task_ids_shown(message) == [50, 31, 30]
    assert block(message, "rem-5")["text"]["text"] == "🏢 *Beta KK* · <#C5>"
    assert block(message, "rem-3")["text"]["text"] == "🏢 *Acme Corp*"  # no channel known


def test_channel_reminder_mentions_the_owner_or_addresses_them_neutrally() -> None:
    proj = project()
    mentioned = reminder((proj, (due(1),)), channel_id="C3")
    intro = block(mentioned, "rem-intro")["text"]["text"]
    assert intro.startswith("<@UOWNER>\nGood morning!")
    assert mentioned.text.startswith("<@UOWNER> ")
    # Already in the project channel: no link back to it.
    assert block(mentioned, "rem-3")["text"]["text"] == "🏢 *Acme Corp*"

    anyone = reminder((proj, (due(1),)), channel_id="C3", user_id=None)
    intro = block(anyone, "rem-intro")["text"]["text"]
    assert intro.startswith("To the person in charge of these tasks:\nGood morning!")
    assert "<@" not in everything(anyone)

    ja = reminder((project(locale="ja"), (due(1),)), locale="ja", channel_id="C3")
    assert block(ja, "rem-intro")["text"]["text"].startswith("<@UOWNER> 様\nおはようございます。")
    ja_anyone = reminder(
        (project(locale="ja"), (due(1),)), locale="ja", channel_id="C3", user_id=None
    )
    assert block(ja_anyone, "rem-intro")["text"]["text"].startswith("ご担当者様\n")


def test_today_label_overrides_the_date_in_the_opening_line() -> None:
    message = reminder_message(
        reminder_draft((project(), (due(1),))), today_label="Wednesday, April 14"
    )
    assert "Wednesday, April 14" in block(message, "rem-intro")["text"]["text"]


def test_user_text_is_escaped_so_nothing_pings() -> None:
    proj = project(customer_name="<!channel> & Co")
    item = due(1, overdue=1, title="Invite <@U123> <!here>", why="Needs <https://x|a link>")
    message = reminder_message(reminder_draft((proj, (item,))))
    assert_within_limits(message)
    blob = everything(message)
    assert "<!channel>" not in blob and "<!here>" not in blob and "<@U123>" not in blob
    assert "<https://x" not in blob
    assert "&lt;!channel&gt; &amp; Co" in block(message, "rem-3")["text"]["text"]
    assert "Invite &lt;@U123&gt; &lt;!here&gt;" in block(message, "rem-3-1")["text"]["text"]


def test_a_task_without_why_has_no_why_line() -> None:
    message = reminder((project(), (due(1, why="  "),)))
    ids = [b["block_id"] for b in message.blocks]
    assert "rem-3-1-why" not in ids and "rem-3-1-actions" in ids


@pytest.mark.parametrize("locale", LOCALES)
def test_forty_tasks_fit_in_fifty_blocks_with_a_pointer_to_the_checklist(locale: str) -> None:
    tasks = tuple(due(i, overdue=40 - i) for i in range(1, 41))
    message = reminder_message(reminder_draft((project(locale=locale), tasks), locale=locale))
    assert_within_limits(message)
    assert len(message.blocks) <= MESSAGE_BLOCKS
    shown = task_ids_shown(message)
    assert shown == list(range(1, len(shown) + 1))  # the most overdue ones
    more = block(message, "rem-more")["elements"][0]["text"]
    assert str(40 - len(shown)) in more and "<#C3>" in more
    assert message.blocks[-1]["block_id"] == "rem-footer"
    assert "40" in message.text


def test_everything_is_shown_when_it_fits_and_the_rest_is_counted_when_not() -> None:
    fits = reminder((project(), tuple(due(i) for i in range(1, 16))))  # 2 + 1 + 15 * 3 blocks
    assert len(task_ids_shown(fits)) == 15
    assert "rem-more" not in [b["block_id"] for b in fits.blocks]

    over = reminder((project(), tuple(due(i) for i in range(1, 17))))
    assert_within_limits(over)
    assert len(task_ids_shown(over)) == 15
    assert "…and 1 more for Acme Corp" in block(over, "rem-more")["elements"][0]["text"]


def test_overflow_across_projects_counts_each_hidden_project() -> None:
    groups = [
        (
            project(p, customer_name=f"Customer {p}"),
            tuple(due(p * 100 + i, project_id=p) for i in range(10)),
        )
        for p in range(1, 6)
    ]
    message = reminder(*groups)
    assert_within_limits(message)
    more = block(message, "rem-more")["elements"][0]["text"]
    shown = task_ids_shown(message)
    hidden = 50 - len(shown)
    assert sum(int(line.split(" ")[1]) for line in more.split("\n")) == hidden
    assert "Customer 5" in more and "<#C5>" in more
    assert "Customer 1" not in more  # the first project fits whole


def test_huge_texts_are_clipped_within_limits() -> None:
    proj = project(customer_name="&" * 5000)
    item = due(1, title="<" * 5000, why=">" * 5000)
    for locale in LOCALES:
        message = reminder_message(
            reminder_draft((replace(proj, locale=locale), (item,)), locale=locale)
        )
        assert_within_limits(message)
        assert "&amp;" in block(message, "rem-3")["text"]["text"]


# --- escalations ------------------------------------------------------------------------

OWNERS = {1: "<@UOWNER>", 2: "Champion (Customer)"}
SENT = {1: 4}


def escalate(draft: EscalationDraft) -> Message:
    return escalation_message(draft, owner_labels=OWNERS, reminders_sent=SENT)


def test_csm_alert_lists_owner_due_date_days_overdue_reminders_and_next_steps() -> None:
    first_task = due(1, overdue=3, due=date(2027, 4, 9))
    message = escalate(escalation("csm", (first_task, due(2, overdue=2))))
    assert_within_limits(message)
    header = block(message, "esc-header")["text"]["text"]
    assert "*⚠️ Overdue onboarding tasks — Acme Corp*" in header
    assert "2 tasks are still open" in header and "<#C3>" in header
    first = block(message, "esc-3-1")["text"]["text"]
    assert first.startswith("*Task 1*\n")
    for part in ("Owner: <@UOWNER>", "due Fri 4/9", "3 business days overdue", "4 reminders sent"):
        assert part in first
    second = block(message, "esc-3-2")["text"]["text"]
    assert "Owner: Champion (Customer)" in second and "no reminders sent yet" in second
    steps = block(message, "esc-steps")["text"]["text"]
    assert steps.count("\n") == 3 and "\n1. " in steps and "\n3. " in steps
    assert "*Need more time*" in steps
    assert "5 business days overdue" in steps  # project.decision_maker_after_days
    assert not [b for b in message.blocks if b["type"] == "actions"]
    assert message.text == "Acme Corp: 2 onboarding tasks are overdue"


def test_csm_alert_last_step_depends_on_who_owns_the_task_and_who_can_be_reached() -> None:
    def last_step(draft: EscalationDraft) -> str:
        return block(escalate(draft), "esc-steps")["text"]["text"].split("\n")[-1]

    vendor = (due(1, overdue=3, owner_side="vendor"),)
    assert "someone else on our team" in last_step(escalation("csm", vendor))
    now = (due(1, overdue=6),)
    assert "separate note" in last_step(escalation("csm", now))
    unreachable = project(decision_maker_user_id=None, decision_maker_email=None)
    assert "/onboard assign" in last_step(escalation("csm", (due(1, overdue=3),), proj=unreachable))
    one_day = project(decision_maker_after_days=1)
    single = escalation("csm", (due(1, overdue=0, owner_side="customer"),), proj=one_day)
    assert "1 business day overdue." in last_step(single)


def test_decision_maker_request_is_courteous_explains_why_and_names_no_owner() -> None:
    tasks = (due(1, overdue=6, due=date(2027, 4, 6)), due(2, overdue=5, why=""))
    dm = escalate(escalation("decision_maker", tasks, recipient="UBOSS"))
    assert_within_limits(dm)
    header = block(dm, "esc-header")["text"]["text"]
    assert header.startswith("Hello, and thank you")  # a DM: no address line
    line = block(dm, "esc-3-1")["text"]["text"]
    assert line.startswith("• *Task 1* — planned for Tue 4/6, 6 business days ago")
    assert "💡 Why it matters: Why task 1 matters" in line
    assert "💡" not in block(dm, "esc-3-2")["text"]["text"]
    assert "<@UCSM>" in block(dm, "esc-help")["text"]["text"]
    assert "a few minutes" in block(dm, "esc-ask")["text"]["text"]
    blob = everything(dm)
    assert "UOWNER" not in blob and "Champion" not in blob  # nobody is singled out
    assert not [b for b in dm.blocks if b["type"] == "actions"]
    # Written for her alone, whoever delivers it: no address line, no mention.
    forwarded = escalate(escalation("decision_maker", tasks, recipient=None, forward=True))
    assert forwarded == escalate(escalation("decision_maker", tasks, recipient="UBOSS"))

    no_csm = escalate(escalation("decision_maker", tasks, proj=project(csm_user_id=None)))
    assert "Our customer success team" in block(no_csm, "esc-help")["text"]["text"]


def test_decision_maker_request_in_japanese_uses_keigo() -> None:
    proj = project(locale="ja", customer_name="株式会社サンプル")
    message = escalate(
        escalation("decision_maker", (due(1, overdue=6),), proj=proj, recipient=None, forward=True)
    )
    header = block(message, "esc-header")["text"]["text"]
    assert header.startswith("いつもお世話になっております。")
    assert "弊社担当の <@UCSM>" in block(message, "esc-help")["text"]["text"]
    assert "いただけますと幸いです" in block(message, "esc-ask")["text"]["text"]


def test_decision_maker_notice_tells_the_csm_who_was_asked_and_where() -> None:
    tasks = (due(1, overdue=6), due(2, overdue=5))
    through_you = escalate(escalation("decision_maker_notice", tasks))
    assert_within_limits(through_you)
    header = block(through_you, "esc-header")["text"]["text"]
    assert "Decision-maker contacted — Acme Corp" in header
    assert "the customer's decision-maker" in header and "came to you to pass on" in header
    assert "<#C3>" not in header, "never posted in the shared channel"
    assert "Owner: <@UOWNER>" in block(through_you, "esc-3-1")["text"]["text"]
    assert "4 reminders sent" in block(through_you, "esc-3-1")["text"]["text"]
    assert (
        through_you.text
        == "Acme Corp: the decision-maker has been asked to help with 2 overdue tasks"
    )

    by_dm = escalate(
        escalation("decision_maker_notice", tasks, proj=project(decision_maker_user_id="UBOSS"))
    )
    header = block(by_dm, "esc-header")["text"]["text"]
    assert "<@UBOSS>" in header and "direct message" in header


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("level", LEVELS)
def test_every_level_renders_in_both_locales_within_limits(level: str, locale: str) -> None:
    proj = project(locale=locale, customer_name="<!channel> Corp")
    for count in (1, 2, 40, 60):
        tasks = tuple(due(i, overdue=i, title=f"<!here> {i}") for i in range(1, count + 1))
        message = escalate(escalation(level, tasks, proj=proj))
        assert_within_limits(message)
        blob = everything(message)
        assert "<!channel>" not in blob and "<!here>" not in blob
        assert "&lt;!channel&gt; Corp" in message.text
        if count == 60:
            assert "<#C3>" in block(message, "esc-more")["elements"][0]["text"]
            shown = [b for b in message.blocks if b["block_id"].startswith("esc-3-")]
            assert str(60 - len(shown)) in block(message, "esc-more")["elements"][0]["text"]


def test_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="level"):
        escalate(escalation("ceo", (due(1, overdue=1),)))


# --- catalogs ---------------------------------------------------------------------------


def load(locale: str) -> dict[str, str]:
    return json.loads((CATALOG_DIR / locale / "reminders.json").read_text(encoding="utf-8"))


def test_reminder_catalogs_have_the_same_keys_and_placeholders() -> None:
    ja, en = load("ja"), load("en")
    assert set(ja) == set(en), set(ja) ^ set(en)
    for key in en:
        assert placeholders(ja[key]) == placeholders(en[key]), key
        assert ja[key].strip() and en[key].strip(), key
    assert all(key.startswith(("reminder.", "escalation.")) for key in en)


def test_every_reminder_key_is_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    used: set[str] = set()

    def recording_t(locale: str, key: str, /, **values: object) -> str:
        used.add(key)
        return t(locale, key, **values)

    monkeypatch.setattr(bot.blocks.reminder, "t", recording_t)
    monkeypatch.setattr(bot.blocks.escalation, "t", recording_t)
    for locale in LOCALES:
        for proj in (
            project(locale=locale),
            project(locale=locale, channel_id=None, csm_user_id=None),
            project(locale=locale, decision_maker_email=None),
            project(locale=locale, decision_maker_user_id="UBOSS", decision_maker_after_days=1),
        ):
            for tasks in (
                (due(1, overdue=1), due(2), due(3, left=1), due(4, left=2)),
                (due(1, overdue=2, why=""),),
                tuple(due(i, overdue=i) for i in range(1, 61)),
                (due(2), due(3, left=1)),
                (due(3, left=1),),
                (due(1, overdue=3, owner_side="vendor"),),
            ):
                for channel_id in (None, "C3"):
                    for user_id in (None, "UOWNER"):
                        reminder(
                            (proj, tasks), locale=locale, channel_id=channel_id, user_id=user_id
                        )
                for level in LEVELS:
                    for forward, recipient in ((False, "U1"), (True, None)):
                        escalation_message(
                            escalation(
                                level, tasks, proj=proj, recipient=recipient, forward=forward
                            ),
                            owner_labels={},
                            reminders_sent={1: 1, 2: 2},
                        )
    mine = set(load("en"))
    assert mine - used == set(), "keys never rendered"
    assert {k for k in used if k.startswith(("reminder.", "escalation."))} <= mine

"""Checklist rendering, plus the escape / clip / progress-bar helpers it is built on."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from bot.blocks.checklist import checklist_messages
from bot.blocks.escape import clip, escape
from bot.blocks.ids import ActionId
from bot.blocks.message import Message
from bot.blocks.progress import progress_bar
from bot.domain.views import PhaseView, ProjectView, TaskView
from slack_sandbox.block_limits import check_blocks
from tests.blocks.builders import project_view

KICKOFF = date(2027, 4, 5)  # Monday
TODAY = date(2027, 4, 13)  # Tuesday


def task(
    task_id: int, phase: str = "setup", *, due: date = date(2027, 4, 20), **changes: Any
) -> TaskView:
    base = TaskView(
        id=task_id,
        key=f"task-{task_id}",
        phase=phase,
        title=f"Task {task_id}",
        why=f"Why task {task_id} matters",
        owner_side="customer",
        owner_role="champion",
        owner_user_id=None,
        due=due,
        planned_due=due,
        status="open",
    )
    return replace(base, **changes)


def project(tasks: list[TaskView], *, phases: list[str] | None = None, **changes: Any):
    phase_ids = phases if phases is not None else list(dict.fromkeys(t.phase for t in tasks))
    return project_view(
        **{
            "kickoff": KICKOFF,
            "champion_user_id": None,
            "phases": tuple(PhaseView(id=p, title=f"Phase {p}") for p in phase_ids),
            "tasks": tuple(tasks),
            **changes,
        }
    )


def big_project(phase_sizes: list[int], **changes: Any) -> ProjectView:
    tasks, next_id = [], 1
    for number, size in enumerate(phase_sizes, start=1):
        for _ in range(size):
            due = KICKOFF + timedelta(days=next_id)
            tasks.append(task(next_id, f"p{number}", due=due))
            next_id += 1
    return project(tasks, **changes)


def all_blocks(messages: list[Message]) -> list[dict[str, Any]]:
    return [block for message in messages for block in message.blocks]


def block(messages: list[Message], block_id: str) -> dict[str, Any]:
    found = [b for b in all_blocks(messages) if b.get("block_id") == block_id]
    assert len(found) == 1, block_id
    return found[0]


def text_of(b: dict[str, Any]) -> str:
    if b["type"] == "context":
        return " ".join(e["text"] for e in b["elements"])
    return b["text"]["text"]


def shape(messages: list[Message]) -> list[list[str]]:
    """Block ids per message: what chat.update has to keep stable."""
    return [[b["block_id"] for b in m.blocks] for m in messages]


def assert_valid(messages: list[Message]) -> None:
    for message in messages:
        assert check_blocks(message.blocks, max_blocks=50) == []
        assert 0 < len(message.text) <= 40_000
        ids = [b["block_id"] for b in message.blocks]
        assert len(ids) == len(set(ids))


# --- escape, clip, progress bar -------------------------------------------------------


def test_escape_neutralises_mentions_and_links() -> None:
    assert escape("<!channel>") == "&lt;!channel&gt;"
    assert escape("<@U123> & <https://x.example|y>") == (
        "&lt;@U123&gt; &amp; &lt;https://x.example|y&gt;"
    )
    assert escape("&lt;") == "&amp;lt;"  # a literal entity stays literal


def test_clip_never_cuts_a_mention_a_link_or_a_character_from_its_accents() -> None:
    assert clip("ab <@U0123456789>", 10) == "ab …"  # not "ab <@U012…", a broken mention
    assert clip("see <#C0123|x> now", 9) == "see …"
    assert clip("café", 4) == "café"
    assert clip("cafe\u0301 au lait", 5) == "caf…"  # e + combining accent stay together
    assert clip("cafe\u0301 au lait", 6) == "cafe\u0301…"
    assert clip("ok 👍🏽 fine", 5) == "ok …"  # the thumb and its skin tone stay together
    assert clip(escape("<" * 80), 250).endswith("&lt;…")


def test_clip_cuts_with_an_ellipsis_and_never_inside_an_entity() -> None:
    assert clip("abcdef", 10) == "abcdef"
    assert clip("abcdef", 4) == "abc…"
    assert clip(escape("ab<c"), 5) == "ab…"  # "ab&l" would show a broken entity
    assert clip(escape("ab<cd"), 7) == "ab&lt;…"
    assert len(clip("x" * 5000, 3000)) == 3000


@pytest.mark.parametrize(
    ("done", "total", "expected"),
    [
        (4, 10, "▓▓▓▓░░░░░░ 4/10"),
        (0, 0, "░░░░░░░░░░ 0/0"),
        (0, 7, "░░░░░░░░░░ 0/7"),
        (1, 60, "▓░░░░░░░░░ 1/60"),
        (59, 60, "▓▓▓▓▓▓▓▓▓░ 59/60"),
        (60, 60, "▓▓▓▓▓▓▓▓▓▓ 60/60"),
    ],
)
def test_progress_bar(done: int, total: int, expected: str) -> None:
    assert progress_bar(done, total) == expected


def test_progress_bar_width() -> None:
    assert progress_bar(1, 2, width=4) == "▓▓░░ 1/2"


# --- splitting ------------------------------------------------------------------------


def test_sixty_tasks_split_into_valid_messages_with_the_progress_bar_first() -> None:
    messages = checklist_messages(big_project([10] * 6), today=TODAY)

    assert len(messages) > 1
    assert_valid(messages)
    assert all(len(m.blocks) <= 50 for m in messages)
    first = messages[0]
    assert "░░░░░░░░░░ 0/60" in text_of(block([first], "checklist-progress"))
    assert first.text == "Onboarding checklist for Acme Corp: 0/60 done"
    assert all("checklist-progress" not in ids for ids in shape(messages)[1:])
    assert messages[1].text == f"Onboarding checklist for Acme Corp (part 2 of {len(messages)})"
    task_sections = [
        b["block_id"]
        for b in all_blocks(messages)
        if b["block_id"].count("-") == 1 and b["block_id"].startswith("task-")
    ]
    assert task_sections == [f"task-{n}" for n in range(1, 61)]


def test_message_count_and_block_ids_do_not_change_when_tasks_are_ticked() -> None:
    open_project = big_project([10] * 6)
    before = checklist_messages(open_project, today=TODAY)
    done = replace(
        open_project,
        tasks=tuple(
            replace(t, status="done", completed_by="UCHAMP", completed_on=TODAY)
            for t in open_project.tasks
        ),
    )
    after = checklist_messages(done, today=TODAY)

    assert shape(after) == shape(before)
    assert_valid(after)
    assert "▓▓▓▓▓▓▓▓▓▓ 60/60" in text_of(block(after, "checklist-progress"))
    rng = random.Random(7)
    for _ in range(20):
        mixed = replace(
            open_project,
            tasks=tuple(
                replace(t, status=rng.choice(["open", "done", "skipped"]))
                for t in open_project.tasks
            ),
        )
        assert shape(checklist_messages(mixed, today=TODAY + timedelta(days=30))) == shape(before)


def test_phases_stay_whole_when_each_fits_in_a_message() -> None:
    messages = checklist_messages(big_project([10, 10, 10, 5]), today=TODAY)

    assert not any(b["block_id"].endswith("-cont") for b in all_blocks(messages))
    for number in range(1, 5):
        ids = [i for m in shape(messages) for i in m]
        assert ids.count(f"phase-{number}") == 1
    # Every phase's tasks are in the message that holds its heading.
    for message in messages:
        ids = [b["block_id"] for b in message.blocks]
        headings = [i for i in ids if i.startswith("phase-")]
        assert headings, "a message without a phase heading"


def test_a_phase_too_long_for_one_message_is_split_and_marked_continued() -> None:
    messages = checklist_messages(big_project([60]), today=TODAY)

    assert_valid(messages)
    assert len(messages) >= 4
    assert text_of(block(messages[:1], "phase-1")) == "*1. Phase p1*"
    for message in messages[1:]:
        heading = message.blocks[1]
        assert heading["block_id"] == "phase-1-cont"
        assert text_of(heading) == "*1. Phase p1* (continued)"


def test_phase_order_comes_from_the_playbook_and_unknown_phases_go_last() -> None:
    tasks = [task(1, "b"), task(2, "a"), task(3, "zz"), task(4, "b")]
    messages = checklist_messages(project(tasks, phases=["a", "b", "empty"]), today=TODAY)

    ids = [i for i in shape(messages)[0] if i.startswith(("phase-", "task-")) and "-" in i]
    ids = [i for i in ids if not i.endswith(("-why", "-actions"))]
    assert ids == ["phase-1", "task-2", "phase-2", "task-1", "task-4", "phase-3", "task-3"]
    assert text_of(block(messages, "phase-3")) == "*3. zz*"


def test_a_project_without_tasks_still_has_a_checklist_message() -> None:
    messages = checklist_messages(project([]), today=TODAY)

    assert len(messages) == 1
    assert text_of(block(messages, "checklist-empty")) == "No tasks yet."
    assert "░░░░░░░░░░ 0/0" in text_of(block(messages, "checklist-progress"))


# --- one task in each state -----------------------------------------------------------


def render_one(t: TaskView, *, today: date = TODAY, locale: str = "en", customers=()):  # type: ignore[no-untyped-def]
    messages = checklist_messages(
        project([t], locale=locale, customer_user_ids=tuple(customers)), today=today
    )
    assert_valid(messages)
    return (
        text_of(block(messages, f"task-{t.id}")),
        block(messages, f"task-{t.id}-why"),
        block(messages, f"task-{t.id}-actions"),
    )


def test_open_task_has_done_and_more_time_buttons_carrying_the_task_id() -> None:
    text, why, controls = render_one(task(7, owner_user_id="UTARO"))

    assert text == "⬜ *Task 7*\n<@UTARO> · due Tue 4/20"
    assert text_of(why) == "💡 Why task 7 matters"
    assert controls["type"] == "actions"
    done, more = controls["elements"]
    assert (done["action_id"], done["value"], done["style"]) == (ActionId.TASK_DONE, "7", "primary")
    assert done["text"]["text"] == "Done"
    assert (more["action_id"], more["value"]) == (ActionId.TASK_MORE_TIME, "7")
    assert more["text"]["text"] == "Need more time"
    assert "style" not in more


def test_owner_without_a_user_is_shown_as_role_and_side() -> None:
    text, _, _ = render_one(task(1, owner_side="vendor", owner_role="csm"))
    assert "CSM (Vendor) · due" in text
    text, _, _ = render_one(task(1), locale="ja")
    assert text == "⬜ *Task 1*\n推進担当者(お客様) · 期限 4/20 (火)"


def test_done_task_shows_who_and_when_and_an_undo_button() -> None:
    done = task(8, status="done", completed_by="UHANAKO", completed_on=date(2027, 4, 12))
    text, _, controls = render_one(done)

    assert text == "✅ *Task 8*\nChampion (Customer) · done by <@UHANAKO> on Mon 4/12"
    assert [(e["action_id"], e["value"]) for e in controls["elements"]] == [
        (ActionId.TASK_UNDO, "8")
    ]
    assert controls["elements"][0]["text"]["text"] == "Undo"
    text, _, controls = render_one(done, locale="ja", customers=["UHANAKO"])
    assert "<@UHANAKO> 様が 4/12 (月) に完了" in text
    staff, _, _ = render_one(done, locale="ja")  # one of ours: no honorific
    assert "<@UHANAKO> が 4/12 (月) に完了" in staff
    assert controls["elements"][0]["text"]["text"] == "元に戻す"


def test_the_owner_who_ticked_is_named_once() -> None:
    done = task(
        8,
        status="done",
        owner_user_id="UTARO",
        completed_by="UTARO",
        completed_on=date(2027, 4, 12),
    )
    text, _, _ = render_one(done)
    assert text == "✅ *Task 8*\ndone by <@UTARO> on Mon 4/12"
    assert text.count("<@UTARO>") == 1


def test_done_task_without_completion_details() -> None:
    text, _, _ = render_one(task(8, status="done"))
    assert text.endswith("· done")


def test_skipped_task_is_struck_through_without_buttons() -> None:
    text, _, controls = render_one(task(9, status="skipped"))

    assert text == "➖ ~Task 9~\nChampion (Customer) · skipped"
    assert controls["type"] == "context"
    assert text_of(controls) == "Not needed for this project."


def test_replanned_task_shows_the_original_due_date() -> None:
    moved = task(3, due=date(2027, 4, 12), planned_due=date(2027, 4, 5), replan_count=1)
    text, _, _ = render_one(moved, today=date(2027, 4, 6))
    assert text.endswith("due Mon 4/12 (was Mon 4/5)")
    text, _, _ = render_one(moved, today=date(2027, 4, 6), locale="ja")
    assert text.endswith("期限 4/12 (月)(当初 4/5 (月))")


def test_overdue_task_is_marked_and_keeps_its_buttons() -> None:
    late = task(4, due=date(2027, 4, 12))
    text, _, controls = render_one(late, today=date(2027, 4, 13))

    assert text == "⚠️ *Task 4*\nChampion (Customer) · due Mon 4/12 · *overdue*"
    assert [e["action_id"] for e in controls["elements"]] == [
        ActionId.TASK_DONE,
        ActionId.TASK_MORE_TIME,
    ]
    text, _, _ = render_one(late, today=date(2027, 4, 12))  # due today: not overdue yet
    assert text.startswith("⬜")
    text, _, _ = render_one(late, today=date(2027, 4, 13), locale="ja")
    assert text.endswith("*期限超過*")


def test_optional_task_is_marked() -> None:
    text, _, _ = render_one(task(5, required=False))
    assert text.startswith("⬜ *Task 5* _(optional)_\n")
    text, _, _ = render_one(task(5, required=False), locale="ja")
    assert text.startswith("⬜ *Task 5* _(任意)_\n")


def test_task_without_a_why_keeps_its_context_line() -> None:
    _, why, _ = render_one(task(6, why="  ", owner_side="vendor", owner_role="vendor_member"))
    assert text_of(why) == "Vendor task"


# --- escaping and limits --------------------------------------------------------------


def test_user_text_is_escaped_everywhere() -> None:
    evil = task(1, title="<@U999> please", why="see <https://evil.example|here> & <!here>")
    messages = checklist_messages(
        project([evil], customer_name="<!channel> & Co", playbook_title="<!everyone>"),
        today=TODAY,
    )

    header = text_of(block(messages, "checklist-header"))
    assert "&lt;!channel&gt; &amp; Co" in header
    assert "&lt;!everyone&gt;" in header
    assert messages[0].text.startswith("Onboarding checklist for &lt;!channel&gt; &amp; Co")
    assert "*&lt;@U999&gt; please*" in text_of(block(messages, "task-1"))
    assert text_of(block(messages, "task-1-why")) == (
        "💡 see &lt;https://evil.example|here&gt; &amp; &lt;!here&gt;"
    )
    dumped = json.dumps([m.blocks for m in messages] + [m.text for m in messages])
    for raw in ("<!channel>", "<!here>", "<!everyone>", "<@U999>", "<https://"):
        assert raw not in dumped


def test_huge_titles_and_whys_are_clipped_within_slack_limits() -> None:
    tasks = [task(n, title="<" * 5000, why="&" * 5000) for n in range(1, 17)]
    messages = checklist_messages(project(tasks, customer_name="x" * 500), today=TODAY)

    assert_valid(messages)
    for b in all_blocks(messages):
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= 3000
        if b["type"] == "context":
            assert all(len(e["text"]) <= 3000 for e in b["elements"])
    assert "…" in text_of(block(messages, "task-1"))


@pytest.mark.parametrize("status", ["paused", "completed", "cancelled"])
def test_closed_or_paused_project_says_so_in_the_header(status: str) -> None:
    messages = checklist_messages(project([task(1)], status=status), today=TODAY)
    expected = {
        "paused": "⏸ Paused",
        "completed": "🎉 Onboarding completed",
        "cancelled": "cancelled",
    }[status]
    assert expected in text_of(block(messages, "checklist-header"))
    assert shape(messages) == shape(checklist_messages(project([task(1)]), today=TODAY))


def test_status_button_in_the_header_carries_the_project_id() -> None:
    messages = checklist_messages(project([task(1)]), today=TODAY)
    accessory = block(messages, "checklist-progress")["accessory"]
    assert (accessory["action_id"], accessory["value"]) == (ActionId.OPEN_STATUS, "42")


def test_japanese_checklist_header_and_legend() -> None:
    messages = checklist_messages(project([task(1)], locale="ja"), today=TODAY)
    assert text_of(block(messages, "checklist-header")) == (
        "*📋 オンボーディング チェックリスト — Acme Corp 様*\nLow-touch onboarding"
    )
    assert text_of(block(messages, "checklist-progress")) == "*進捗* ░░░░░░░░░░ 0/1"
    assert "完了" in text_of(block(messages, "checklist-legend"))
    assert messages[0].text == "Acme Corp 様 オンボーディング チェックリスト: 0/1 完了"

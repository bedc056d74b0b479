"""Welcome, status, overview, help, start modal, thread notes and the blocks catalogs."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import bot.blocks.checklist
import bot.blocks.help
import bot.blocks.message
import bot.blocks.notes
import bot.blocks.start_modal
import bot.blocks.status
import bot.blocks.welcome
from bot.blocks.checklist import checklist_messages
from bot.blocks.help import help_message
from bot.blocks.ids import ActionId, CallbackId, StartField
from bot.blocks.message import Message
from bot.blocks.notes import task_done_note, task_undone_note
from bot.blocks.start_modal import start_modal
from bot.blocks.status import project_status, projects_overview
from bot.blocks.welcome import welcome_message
from bot.domain.command_text import SUBCOMMANDS
from bot.domain.views import ProjectView, TaskView
from bot.i18n import CATALOG_DIR, LOCALES, placeholders, t
from slack_sandbox.block_limits import check_blocks, check_view
from tests.blocks.builders import project_view, task_view

TODAY = date(2027, 4, 13)  # Tuesday


def task(task_id: int, *, due: date, **changes: Any) -> TaskView:
    return task_view(task_id, due=due, **changes)


def project(**changes: Any) -> ProjectView:
    return project_view(
        **{
            "goal": "Every sales rep logs deals in the new CRM",
            "completion_criteria": (
                "20 users active weekly",
                "Pipeline report used in the weekly meeting",
            ),
            "tasks": (
                task(1, due=date(2027, 4, 8), owner_user_id="UTARO"),  # overdue
                task(2, due=date(2027, 4, 12), title="Import <b>data</b>"),  # overdue
                task(3, due=date(2027, 4, 20), owner_side="vendor", owner_role="csm"),
                task(4, due=date(2027, 4, 14)),  # next due
                task(5, due=date(2027, 4, 6), status="done", completed_by="UTARO"),
                task(6, due=date(2027, 4, 6), status="skipped"),
            ),
            **changes,
        }
    )


def texts(message: Message) -> str:
    """Every text in the blocks, one per line."""
    out = []
    for block in message.blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        for element in block.get("elements", []):
            out.append(
                element["text"] if isinstance(element["text"], str) else element["text"]["text"]
            )
        if "accessory" in block:
            out.append(block["accessory"]["text"]["text"])
    return "\n".join(out)


def by_id(message: Message, block_id: str) -> dict[str, Any]:
    (block,) = [b for b in message.blocks if b.get("block_id") == block_id]
    return block


def assert_valid(message: Message) -> None:
    assert check_blocks(message.blocks, max_blocks=50) == []
    assert 0 < len(message.text) <= 40_000


# --- welcome --------------------------------------------------------------------------


def test_welcome_in_english() -> None:
    message = welcome_message(project())
    assert_valid(message)
    body = texts(message)

    assert message.text == "Welcome, Acme Corp! Let's get your onboarding started."
    assert "Your customer success manager is <@UCSM>." in body
    assert "Champion: <@UTARO>" in body
    assert "Decision-maker: to be confirmed" in body
    assert "*🎯 Goal*\nEvery sales rep logs deals in the new CRM" in body
    assert "• 20 users active weekly\n• Pipeline report used in the weekly meeting" in body
    assert "*📅 Kickoff* Mon 4/5/2027\n*🚀 Target go-live* Wed 6/30/2027" in body
    assert "Each business morning" in body
    assert "Customer team members tick customer tasks" in body


def test_welcome_in_japanese() -> None:
    message = welcome_message(project(locale="ja"))
    assert_valid(message)
    body = texts(message)

    assert "*👋 Acme Corp 様、ようこそ!*" in body
    assert "担当のカスタマーサクセスは <@UCSM> です。" in body
    assert "推進担当者: <@UTARO>" in body
    assert "決裁者: 確認中" in body
    assert "*📅 キックオフ* 2027/4/5 (月)\n*🚀 本番稼働の目標* 2027/6/30 (水)" in body
    assert "営業日の朝" in body


def test_welcome_without_goal_criteria_csm_or_go_live() -> None:
    message = welcome_message(
        project(goal="", completion_criteria=(), csm_user_id=None, target_go_live=None)
    )
    body = texts(message)
    assert "We'll agree the goal together at the kickoff meeting." in body
    assert "We'll agree the completion criteria together" in body
    assert "will introduce themselves here shortly" in body
    assert "*🚀 Target go-live* to be decided" in body


def test_welcome_escapes_customer_goal_and_criteria() -> None:
    message = welcome_message(
        project(
            customer_name="<!channel>", goal="<!here> now", completion_criteria=("<@U1> happy",)
        )
    )
    dumped = json.dumps(message.blocks, ensure_ascii=False) + message.text
    assert "&lt;!channel&gt;" in message.text
    assert "&lt;!here&gt; now" in dumped
    assert "• &lt;@U1&gt; happy" in dumped
    assert "<!" not in dumped and "<@U1>" not in dumped


def test_welcome_lists_at_most_eight_criteria() -> None:
    message = welcome_message(project(completion_criteria=tuple(f"c{n}" for n in range(11))))
    body = texts(message)
    assert "• c7" in body and "• c8" not in body
    assert "…and 3 more" in body


# --- status ---------------------------------------------------------------------------


def test_project_status_in_english() -> None:
    message = project_status(project(), today=TODAY, overdue_days={1: 3, 2: 1})
    assert_valid(message)

    assert message.text == "Acme Corp: 1/5 done, 2 overdue"
    assert "▓▓░░░░░░░░ 1/5" in by_id(message, "status-progress")["text"]["text"]
    assert "Kickoff Mon 4/5 · Target go-live Wed 6/30" in texts(message)
    assert by_id(message, "status-overdue")["text"]["text"] == (
        "*⚠️ Overdue (2)*\n"
        "• *Task 1* — <@UTARO> · due Thu 4/8 · 3 business days overdue\n"
        "• *Import &lt;b&gt;data&lt;/b&gt;* — Champion (Customer) · due Mon 4/12"
        " · 1 business day overdue"
    )
    assert by_id(message, "status-next")["text"]["text"] == (
        "*Next up*\n• *Task 4* — Champion (Customer) · due Wed 4/14"
    )
    assert "<#CACME>" in texts(message)
    (button,) = by_id(message, "status-actions")["elements"]
    assert (button["action_id"], button["value"]) == (ActionId.PLAN_SCHEDULE, "42")


def test_project_status_in_japanese_without_day_counts() -> None:
    message = project_status(project(locale="ja"), today=TODAY, overdue_days={1: 3})
    body = texts(message)

    assert message.text == "Acme Corp 様: 1/5 完了、期限超過 2 件"
    assert "*⚠️ 期限超過(2 件)*" in body
    assert "• *Task 1* — <@UTARO> · 期限 4/8 (木) · 3 営業日超過" in body
    assert "期限 4/12 (月)\n" in body  # no day count given for task 2
    assert "*次のタスク*\n• *Task 4* — 推進担当者(お客様) · 期限 4/14 (水)" in body
    assert "🟢 進行中" in body


def test_status_with_nothing_overdue_or_left() -> None:
    finished = project(status="completed", tasks=(task(1, due=date(2027, 4, 8), status="done"),))
    message = project_status(finished, today=TODAY)
    assert by_id(message, "status-overdue")["text"]["text"] == "✅ Nothing is overdue."
    assert by_id(message, "status-next")["text"]["text"] == "No open tasks are due from today on."
    assert not any(b["block_id"] == "status-actions" for b in message.blocks)
    assert "🎉 Completed" in texts(message)


def test_status_with_hundreds_of_overdue_tasks_stays_within_one_section() -> None:
    many = tuple(task(n, due=date(2027, 4, 1), title="t" * 140) for n in range(1, 201))
    message = project_status(
        project(tasks=many), today=TODAY, overdue_days={n: 8 for n in range(1, 201)}
    )
    assert_valid(message)
    overdue = by_id(message, "status-overdue")["text"]["text"]
    assert len(overdue) <= 3000
    shown = overdue.count("\n• ")
    assert overdue.endswith(f"…and {200 - shown} more")
    assert 10 < shown < 200


def test_projects_overview_lines() -> None:
    late = project()
    calm = project(
        id=7,
        customer_name="Beta <KK>",
        channel_id="CBETA",
        status="paused",
        tasks=(task(1, due=date(2027, 5, 1)),),
    )
    message = projects_overview([late, calm], locale="en", today=TODAY)
    assert_valid(message)

    assert message.text == "Onboarding projects: 2"
    assert by_id(message, "overview-header")["text"]["text"] == "*Onboarding projects (2)*"
    assert by_id(message, "overview-1")["text"]["text"] == (
        "• *Acme Corp* · <#CACME> · ▓▓░░░░░░░░ 1/5 · ⚠️ 2 overdue\n"
        "• *Beta &lt;KK&gt;* · <#CBETA> · ░░░░░░░░░░ 0/1 · on track · ⏸ Paused"
    )


def test_projects_overview_in_japanese_and_empty() -> None:
    message = projects_overview([project()], locale="ja", today=TODAY)
    assert "⚠️ 期限超過 2 件" in texts(message)
    empty = projects_overview([], locale="ja", today=TODAY)
    assert "`/onboard start`" in texts(empty)
    assert empty.text == "オンボーディング プロジェクト: 0 件"


def test_projects_overview_of_many_projects_respects_block_limits() -> None:
    projects = [project(id=n, customer_name="C" * 80, channel_id=f"C{n:08d}") for n in range(2000)]
    message = projects_overview(projects, locale="en", today=TODAY)
    assert_valid(message)
    assert len(message.blocks) == 50
    assert all(len(b["text"]["text"]) <= 3000 for b in message.blocks)
    shown = texts(message).count("• *")
    assert texts(message).endswith(f"…and {2000 - shown} more")


# --- notes ----------------------------------------------------------------------------


def test_task_notes() -> None:
    done = task(1, due=TODAY, title="Invite <!channel>")
    note = task_done_note(done, actor_user_id="UTARO", locale="en")
    assert note.text == "✅ <@UTARO> completed “Invite &lt;!channel&gt;”."
    assert_valid(note)
    note = task_undone_note(done, actor_user_id="UTARO", locale="ja", customers={"UTARO"})
    assert note.text == "↩️ <@UTARO> 様が「Invite &lt;!channel&gt;」を未完了に戻しました。"
    assert texts(note) == note.text
    # Our own staff are named without an honorific to the customer.
    staff = task_done_note(done, actor_user_id="USATO", locale="ja", customers={"UTARO"})
    assert staff.text == "✅ <@USATO> が「Invite &lt;!channel&gt;」を完了しました。"


# --- help -----------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_general_help_lists_every_command_with_examples(locale: str) -> None:
    message = help_message(locale)
    assert_valid(message)
    body = texts(message)
    for name in SUBCOMMANDS:
        assert f"`/onboard {name}" in body
    assert "`/onboard assign @user champion|decision-maker|member`" in body or locale == "ja"
    assert "--playbook low-touch --kickoff 2027-04-05 --champion taro@acme.example" in body
    assert "`/onboard pause until 2027-05-06`" in body
    assert "`/onboard close cancelled budget frozen`" in body


@pytest.mark.parametrize("locale", LOCALES)
def test_start_help_lists_every_option(locale: str) -> None:
    message = help_message(locale, topic="START")
    assert_valid(message)
    body = texts(message)
    for option in (
        "--playbook",
        "--kickoff",
        "--go-live",
        "--champion",
        "--decision-maker",
        "--csm",
        "--member",
        "--lang",
    ):
        assert f"`{option} " in body
    assert "--decision-maker hanako@acme.example --lang ja`" in body


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_command_has_its_own_help(name: str) -> None:
    for locale in LOCALES:
        message = help_message(locale, topic=name)
        assert_valid(message)
        assert f"`/onboard {name}" in texts(message)
    assert (
        help_message("en", topic="pause")
        .blocks[0]["text"]["text"]
        .startswith("*`/onboard pause [until YYYY-MM-DD]`*")
    )
    assert help_message("en", topic="close").text == (
        "How to use /onboard close completed|cancelled [reason]"
    )


def test_unknown_help_topic_is_escaped_and_falls_back_to_the_overview() -> None:
    message = help_message("en", topic="<!here>")
    assert message.blocks[0]["elements"][0]["text"] == (
        "There is no help for `&lt;!here&gt;`; here are all the commands."
    )
    assert "`/onboard start" in texts(message)


def test_help_catalog_texts_need_no_escaping() -> None:
    for locale in LOCALES:
        for key, text in json.loads((CATALOG_DIR / locale / "blocks.json").read_text()).items():
            if key.startswith("help."):
                assert not set(text) & set("<>&"), f"{locale}:{key}"


# --- start modal ----------------------------------------------------------------------

PLAYBOOKS = [("low-touch", "Low-touch (4 weeks)"), ("high-touch", "High-touch (12 weeks)")]


@pytest.mark.parametrize("locale", LOCALES)
def test_start_modal(locale: str) -> None:
    view = start_modal(
        locale=locale,
        playbooks=PLAYBOOKS,
        default_playbook="high-touch",
        csm_user_id="UCSM",
        today=TODAY,
        private_metadata='{"channel":"C1"}',
    )

    assert check_view(view) == []
    assert view["type"] == "modal"
    assert view["callback_id"] == CallbackId.START_PROJECT == "start_project"
    assert len(view["title"]["text"]) <= 24
    assert view["title"]["text"] == t(locale, "modal.title")
    assert len(view["blocks"]) <= 100
    assert view["private_metadata"] == '{"channel":"C1"}'
    inputs = {b["block_id"]: b for b in view["blocks"]}
    assert list(inputs) == [field.value for field in StartField]
    for field, block in inputs.items():
        assert block["type"] == "input"
        assert block["element"]["action_id"] == field
    assert inputs["customer_name"]["element"]["max_length"] == 80
    assert inputs["playbook"]["element"]["initial_option"]["value"] == "high-touch"
    assert [o["value"] for o in inputs["playbook"]["element"]["options"]] == [
        "low-touch",
        "high-touch",
    ]
    assert inputs["kickoff"]["element"] == {
        "type": "datepicker",
        "action_id": "kickoff",
        "initial_date": "2027-04-13",
    }
    assert inputs["go_live"]["element"]["type"] == "datepicker"
    assert "initial_date" not in inputs["go_live"]["element"]
    assert inputs["csm"]["element"]["type"] == "users_select"
    assert inputs["csm"]["element"]["initial_user"] == "UCSM"
    assert inputs["lang"]["element"]["initial_option"]["value"] == locale
    optional = {field for field, block in inputs.items() if block.get("optional")}
    assert optional == {"go_live", "champion", "decision_maker", "channel_name"}
    assert inputs["channel_name"]["element"]["max_length"] == 80
    for field in ("champion", "decision_maker"):
        assert inputs[field]["element"]["type"] == "plain_text_input"
    assert "e-mail (or leave empty)" in t("en", "modal.champion.label")


def test_start_modal_edge_cases() -> None:
    many = [(f"pb-{n}", f"Playbook {n} " + "x" * 100) for n in range(150)]
    view = start_modal(
        locale="fr", playbooks=many, default_playbook="missing", csm_user_id="UCSM", today=TODAY
    )
    assert check_view(view) == []
    playbook = view["blocks"][1]["element"]
    assert len(playbook["options"]) == 100
    assert "initial_option" not in playbook
    lang = next(b for b in view["blocks"] if b["block_id"] == "lang")
    assert lang["element"]["initial_option"]["value"] == "en"
    with pytest.raises(ValueError, match="playbook"):
        start_modal(locale="en", playbooks=[], default_playbook="x", csm_user_id="U", today=TODAY)


# --- catalogs -------------------------------------------------------------------------


def test_blocks_catalogs_have_the_same_keys_and_placeholders() -> None:
    ja = json.loads((CATALOG_DIR / "ja" / "blocks.json").read_text(encoding="utf-8"))
    en = json.loads((CATALOG_DIR / "en" / "blocks.json").read_text(encoding="utf-8"))
    assert set(ja) == set(en), set(ja) ^ set(en)
    for key in en:
        assert placeholders(ja[key]) == placeholders(en[key]), key
        assert ja[key].strip() and en[key].strip(), key
    prefixes = ("checklist.", "welcome.", "status.", "help.", "modal.", "note.")
    assert all(key.startswith(prefixes) for key in en)


def test_every_blocks_key_is_used_and_exists_in_both_locales(monkeypatch) -> None:
    used: set[str] = set()

    def recording_t(locale: str, key: str, /, **values: object) -> str:
        used.add(key)
        return t(locale, key, **values)

    for module in (
        bot.blocks.checklist,
        bot.blocks.help,
        bot.blocks.notes,
        bot.blocks.start_modal,
        bot.blocks.status,
        bot.blocks.welcome,
        bot.blocks.message,
    ):
        monkeypatch.setattr(module, "t", recording_t)

    states = (
        task(1, due=date(2027, 4, 8), required=False),
        task(2, due=date(2027, 4, 20), planned_due=date(2027, 4, 15), why=""),
        task(3, due=TODAY, status="done", completed_by="U1", completed_on=TODAY),
        task(4, due=TODAY, status="done", completed_by="U1"),
        task(5, due=TODAY, status="done", completed_on=TODAY),
        task(6, due=TODAY, status="done"),
        task(7, due=TODAY, status="skipped"),
    )
    for locale in LOCALES:
        for status in ("active", "paused", "completed", "cancelled"):
            for p in (
                project(locale=locale, status=status, tasks=states),
                project(
                    locale=locale,
                    status=status,
                    tasks=(),
                    goal="",
                    completion_criteria=tuple("abcdefghij"),
                    csm_user_id=None,
                    target_go_live=None,
                ),
                project(locale=locale, status=status, completion_criteria=()),
            ):
                checklist_messages(p, today=TODAY)
                checklist_messages(replace(p, tasks=p.tasks * 10), today=TODAY)
                welcome_message(p)
                project_status(p, today=TODAY, overdue_days={1: 1})
                project_status(p, today=TODAY, overdue_days={1: 2})
                project_status(replace(p, tasks=p.tasks * 60), today=TODAY)
        projects_overview([project(), project(tasks=())], locale=locale, today=TODAY)
        projects_overview([], locale=locale, today=TODAY)
        projects_overview([project(customer_name="x" * 80)] * 2000, locale=locale, today=TODAY)
        for topic in (None, "nope", *SUBCOMMANDS):
            help_message(locale, topic=topic)
        start_modal(
            locale=locale,
            playbooks=PLAYBOOKS,
            default_playbook="low-touch",
            csm_user_id="U1",
            today=TODAY,
        )
        task_done_note(states[0], actor_user_id="U1", locale=locale)
        task_undone_note(states[0], actor_user_id="U1", locale=locale)

    mine = set(json.loads((CATALOG_DIR / "en" / "blocks.json").read_text(encoding="utf-8")))
    assert mine - used == set(), "keys never rendered"
    assert {k for k in used if not k.startswith(("role.", "side."))} <= mine


def test_catalog_files_are_valid_utf8_json() -> None:
    for locale in LOCALES:
        path = Path(CATALOG_DIR / locale / "blocks.json")
        assert isinstance(json.loads(path.read_text(encoding="utf-8")), dict)

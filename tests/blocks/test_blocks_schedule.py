"""Scheduling: the prompt, the planning and more-time modals, summaries, notes, risks."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

import bot.blocks.message
import bot.blocks.replan
import bot.blocks.risks
import bot.blocks.schedule
from bot.blocks.ids import ActionId, CallbackId, MoreTimeField, ScheduleField
from bot.blocks.message import Message
from bot.blocks.replan import replan_alert, replan_note, replan_summary
from bot.blocks.risks import risk_blocks, risk_reminder
from bot.blocks.schedule import more_time_modal, schedule_modal, schedule_prompt, slip_reason_label
from bot.blocks.status import project_status
from bot.domain.calendar import DateRange
from bot.domain.schedule import SLIP_REASONS
from bot.domain.views import ProjectView, RiskView, TaskView
from bot.i18n import CATALOG_DIR, LOCALES, placeholders, t
from slack_sandbox.block_limits import check_blocks, check_view
from tests.blocks.builders import project_view, task_view

TODAY = date(2027, 2, 1)  # Monday
MARCH = DateRange(date(2027, 3, 1), date(2027, 3, 31))


def task(task_id: int, *, due: date = date(2027, 3, 8), **changes: Any) -> TaskView:
    return task_view(task_id, due=due, **changes)


def project(**changes: Any) -> ProjectView:
    return project_view(
        **{
            "kickoff": date(2027, 1, 25),
            "target_go_live": date(2027, 4, 30),
            "tasks": (
                task(1, due=date(2027, 2, 10)),
                task(2, due=date(2027, 3, 8), title="Import <!channel> data"),
                task(3, due=date(2027, 3, 31)),
                task(4, due=date(2027, 4, 12), required=False),
                task(5, due=date(2027, 2, 3), status="done"),
            ),
            **changes,
        }
    )


def risk(risk_id: int, kind: str = "busy_period", **changes: Any) -> RiskView:
    base = RiskView(
        id=risk_id,
        kind=kind,
        reason=None,
        text=None,
        period_start=MARCH.start,
        period_end=MARCH.end,
        said_by="UTARO",
        status="open",
    )
    return replace(base, **changes)


def texts(message: Message) -> str:
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


def by_id(blocks: list[dict[str, Any]], block_id: str) -> dict[str, Any]:
    (block,) = [b for b in blocks if b.get("block_id") == block_id]
    return block


def has_id(blocks: list[dict[str, Any]], block_id: str) -> bool:
    return any(b.get("block_id") == block_id for b in blocks)


def assert_valid(message: Message) -> None:
    assert check_blocks(message.blocks, max_blocks=50) == []
    assert 0 < len(message.text) <= 40_000


def assert_valid_modal(view: dict[str, Any]) -> None:
    assert check_view(view) == []
    assert view["type"] == "modal"
    assert 0 < len(view["title"]["text"]) <= 24
    assert len(view["blocks"]) <= 100


def summary(**changes: Any) -> Message:
    args: dict[str, Any] = {
        "moved": [],
        "plan_end": date(2027, 4, 12),
        "committed_go_live": None,
        "initiatives": 0,
        "optional_open": [],
    }
    args.update(changes)
    proj = args.pop("project", project())
    return replan_summary(proj, **args)


# --- prompt ------------------------------------------------------------------------------


def test_prompt_in_english_addresses_the_champion() -> None:
    message = schedule_prompt(project())
    assert_valid(message)
    body = texts(message)
    assert body.startswith("<@UTARO>, could we plan the schedule together?")
    assert "fiscal year-end" in body
    assert "If this schedule slipped" in body
    assert "`/onboard schedule`" in body
    (plan,) = by_id(message.blocks, "schedule-prompt-actions")["elements"]
    assert (plan["action_id"], plan["value"]) == (ActionId.PLAN_SCHEDULE, "42")
    assert plan["text"]["text"] == "Plan the schedule"
    assert message.text == "Acme Corp: let's plan the onboarding schedule together"


def test_prompt_in_japanese_without_a_champion_uses_the_role() -> None:
    message = schedule_prompt(
        project(locale="ja", champion_user_id=None, customer_name="<!here> KK")
    )
    assert_valid(message)
    body = texts(message)
    assert body.startswith("推進担当者様\n")
    assert "年度末" in body
    assert "仮にこのスケジュールが遅れるとしたら" in body
    assert "`/onboard schedule`" in body
    assert message.text.startswith("&lt;!here&gt; KK 様")
    assert "<!here>" not in message.text


# --- planning modal ----------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_schedule_modal(locale: str) -> None:
    view = schedule_modal(
        project(locale=locale),
        suggestion=MARCH,
        in_suggestion=[task(2, title="Import <!channel> data"), task(3, due=MARCH.end)],
        plan_end=date(2027, 4, 12),
        committed_go_live=None,
    )
    assert_valid_modal(view)
    assert view["callback_id"] == CallbackId.SCHEDULE == "schedule"
    assert view["private_metadata"] == "42"
    assert view["title"]["text"] == t(locale, "schedule.modal.title")
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == [field.value for field in ScheduleField]
    for field, block in inputs.items():
        assert block["element"]["action_id"] == field
        assert block["optional"] is True
    assert inputs["busy1_start"]["element"]["initial_date"] == "2027-03-01"
    assert inputs["busy1_end"]["element"]["initial_date"] == "2027-03-31"
    for n in (2, 3):
        for end in ("start", "end"):
            element = inputs[f"busy{n}_{end}"]["element"]
            assert element["type"] == "datepicker" and "initial_date" not in element
    reasons = inputs["slip_reason"]["element"]
    assert reasons["type"] == "static_select"
    assert [o["value"] for o in reasons["options"]] == list(SLIP_REASONS)
    assert "initial_option" not in reasons
    for field in ("slip_note", "initiatives"):
        element = inputs[field]["element"]
        assert element["type"] == "plain_text_input"
        assert element["multiline"] is True
        assert element["max_length"] == 2000
    assert inputs["go_live"]["element"]["initial_date"] == "2027-04-30"  # the target

    # The tasks in the suggested period are listed right under it, escaped.
    ids = [b.get("block_id") for b in view["blocks"]]
    assert ids.index("schedule-suggestion") == ids.index("busy1_end") + 1
    listed = by_id(view["blocks"], "schedule-suggestion")["elements"][0]["text"]
    assert "Import &lt;!channel&gt; data" in listed and "<!channel>" not in listed
    assert "Task 3" in listed
    plan_end = by_id(view["blocks"], "schedule-plan-end")["elements"][0]["text"]
    assert plan_end == t(
        locale, "schedule.modal.plan_end", date="4/12 (月)" if locale == "ja" else "Mon 4/12"
    )


def test_schedule_modal_in_english_texts() -> None:
    view = schedule_modal(
        project(),
        suggestion=MARCH,
        in_suggestion=[],
        plan_end=date(2027, 4, 12),
        committed_go_live=date(2027, 5, 14),
    )
    listed = by_id(view["blocks"], "schedule-suggestion")["elements"][0]["text"]
    assert listed == "No task is currently due between Mon 3/1 and Wed 3/31."
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs["go_live"]["element"]["initial_date"] == "2027-05-14"  # committed wins
    assert inputs["initiatives"]["label"]["text"] == (
        "Other initiatives running at the same time, one per line"
    )
    assert "If this schedule slipped" in inputs["slip_reason"]["label"]["text"]
    plan_end = by_id(view["blocks"], "schedule-plan-end")["elements"][0]["text"]
    assert plan_end == "The plan currently ends on Mon 4/12."


def test_schedule_modal_without_go_live_and_with_many_tasks_in_the_suggestion() -> None:
    many = [task(n, title="x" * 300) for n in range(1, 80)]
    view = schedule_modal(
        project(target_go_live=None, customer_name="C" * 200),
        suggestion=MARCH,
        in_suggestion=many,
        plan_end=date(2027, 4, 12),
        committed_go_live=None,
    )
    assert_valid_modal(view)
    go_live = by_id(view["blocks"], "go_live")["element"]
    assert "initial_date" not in go_live
    listed = by_id(view["blocks"], "schedule-suggestion")["elements"][0]["text"]
    assert listed.endswith("…and 69 more")


# --- replan summary ----------------------------------------------------------------------


def test_summary_lists_what_moved() -> None:
    moved = [
        (task(2, title="Import <b>"), date(2027, 3, 8), date(2027, 4, 1), 16),
        (task(3), date(2027, 3, 31), date(2027, 4, 1), 1),
    ]
    message = summary(moved=moved)
    assert_valid(message)
    assert message.text == "Thank you! The schedule for Acme Corp is updated: 2 due dates moved."
    assert by_id(message.blocks, "replan-moved")["text"]["text"] == (
        "*🗓️ Updated due dates (2)*\n"
        "• *Import &lt;b&gt;*: Mon 3/8 → Thu 4/1 (+16 business days)\n"
        "• *Task 3*: Wed 3/31 → Thu 4/1 (+1 business day)"
    )
    plan_end = by_id(message.blocks, "replan-plan-end")["elements"][0]["text"]
    assert plan_end == "The plan now ends on Mon 4/12."


def test_summary_in_japanese_when_nothing_moved() -> None:
    message = summary(project=project(locale="ja"))
    assert_valid(message)
    assert "期限を変更する必要のあるタスクはありませんでした" in texts(message)
    assert message.text.startswith("ありがとうございました。Acme Corp 様")
    one = summary(
        project=project(locale="ja"),
        moved=[(task(3), date(2027, 3, 31), date(2027, 4, 7), 5)],
    )
    assert "• *Task 3*: 3/31 (水) → 4/7 (水)(+5 営業日)" in texts(one)


@pytest.mark.parametrize("locale", LOCALES)
def test_over_go_live_warning_only_when_the_plan_ends_after_the_commitment(locale: str) -> None:
    proj = project(locale=locale)
    late = summary(project=proj, plan_end=date(2027, 5, 10), committed_go_live=date(2027, 4, 30))
    assert_valid(late)
    warning = by_id(late.blocks, "replan-over-go-live")["text"]["text"]
    assert "<@UCSM>" in warning
    if locale == "en":
        assert "The plan now ends after the committed go-live date" in warning
        assert "agree a new go-live date with the customer, or trim optional tasks" in warning
    for plan_end, committed in (
        (date(2027, 4, 30), date(2027, 4, 30)),  # same day is fine
        (date(2027, 4, 12), date(2027, 4, 30)),
        (date(2027, 5, 10), None),
    ):
        calm = summary(project=proj, plan_end=plan_end, committed_go_live=committed)
        assert not has_id(calm.blocks, "replan-over-go-live")


def test_over_go_live_warning_without_a_csm_names_the_role() -> None:
    message = summary(
        project=project(csm_user_id=None),
        plan_end=date(2027, 5, 10),
        committed_go_live=date(2027, 4, 30),
    )
    assert "CSM: please agree" in by_id(message.blocks, "replan-over-go-live")["text"]["text"]


@pytest.mark.parametrize("locale", LOCALES)
def test_load_note_only_with_two_or_more_initiatives(locale: str) -> None:
    for count in (0, 1):
        assert not has_id(
            summary(project=project(locale=locale), initiatives=count).blocks, "replan-load"
        )
    message = summary(project=project(locale=locale), initiatives=2)
    note = by_id(message.blocks, "replan-load")["text"]["text"]
    assert "2" in note
    assert ("priorities" in note) if locale == "en" else ("優先順位" in note)


def test_optional_tasks_have_skip_buttons() -> None:
    optional = [task(4, required=False, title="Set up <SSO>"), task(6, required=False)]
    message = summary(optional_open=optional)
    assert_valid(message)
    skip = by_id(message.blocks, "replan-optional-4")
    assert "*Set up &lt;SSO&gt;*" in skip["text"]["text"]
    button = skip["accessory"]
    assert (button["action_id"], button["value"]) == (ActionId.TASK_SKIP, "4")
    assert button["text"]["text"] == "Skip"
    assert "<@UCSM>" in by_id(message.blocks, "replan-optional")["text"]["text"]
    assert not has_id(summary().blocks, "replan-optional")


def test_long_summary_stays_within_limits() -> None:
    moved = [(task(n, title="t" * 300), date(2027, 3, 1), date(2027, 4, 1), 20) for n in range(300)]
    optional = [task(n, required=False, title="o" * 300) for n in range(1, 201)]
    message = summary(
        moved=moved,
        optional_open=optional,
        initiatives=5,
        plan_end=date(2027, 6, 1),
        committed_go_live=date(2027, 4, 30),
    )
    assert_valid(message)
    assert len(message.blocks) == 50
    moved_text = by_id(message.blocks, "replan-moved")["text"]["text"]
    assert len(moved_text) <= 3000
    shown = moved_text.count("\n• ")
    assert moved_text.endswith(f"…and {300 - shown} more")
    skips = [b for b in message.blocks if b.get("block_id", "").startswith("replan-optional-")]
    buttons = [b for b in skips if "accessory" in b]
    more = by_id(message.blocks, "replan-optional-more")["elements"][0]["text"]
    assert more == f"…and {200 - len(buttons)} more optional tasks in the checklist."
    assert message.blocks[-1]["block_id"] == "replan-footer"


# --- more time ---------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_more_time_modal(locale: str) -> None:
    view = more_time_modal(
        task(7, title="Invite <!here>", due=date(2027, 3, 8)),
        project_id=42,
        locale=locale,
        today=TODAY,
    )
    assert_valid_modal(view)
    assert view["callback_id"] == CallbackId.MORE_TIME == "more_time"
    assert view["private_metadata"] == "7"
    assert view["title"]["text"] == t(locale, "more_time.modal.title")
    heading = view["blocks"][0]["text"]["text"]
    assert "Invite &lt;!here&gt;" in heading and "<!here>" not in heading
    assert ("Mon 3/8" if locale == "en" else "3/8 (月)") in heading
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == [field.value for field in MoreTimeField]
    assert "optional" not in inputs["new_due"] and "optional" not in inputs["reason"]
    assert inputs["note"]["optional"] is True
    assert inputs["new_due"]["element"]["initial_date"] == "2027-03-08"
    assert [o["value"] for o in inputs["reason"]["element"]["options"]] == list(SLIP_REASONS)
    assert inputs["note"]["element"]["max_length"] == 500
    assert inputs["note"]["element"]["multiline"] is True


def test_more_time_modal_for_an_overdue_task_has_no_initial_date() -> None:
    for due in (TODAY, date(2027, 1, 20)):
        view = more_time_modal(task(7, due=due), project_id=42, locale="en", today=TODAY)
        element = by_id(view["blocks"], "new_due")["element"]
        assert "initial_date" not in element


def test_replan_note() -> None:
    moved = task(2, title="Import <!channel> data")
    note = replan_note(
        moved,
        old_due=date(2027, 4, 5),
        new_due=date(2027, 4, 12),
        reason="other_priorities",
        actor_user_id="UTARO",
        locale="en",
    )
    assert_valid(note)
    assert note.text == (
        "🗓️ <@UTARO> moved “Import &lt;!channel&gt; data” from Mon 4/5 to Mon 4/12"
        " — reason: Other priorities"
    )
    ja = replan_note(
        moved,
        old_due=date(2027, 4, 5),
        new_due=date(2027, 4, 12),
        reason="data_preparation",
        actor_user_id="UTARO",
        locale="ja",
        customers={"UTARO"},
    )
    assert ja.text == (
        "🗓️ <@UTARO> 様が「Import &lt;!channel&gt; data」の期限を 4/5 (月) から"
        " 4/12 (月) に変更しました(理由: データ準備に時間がかかる)"
    )
    assert texts(ja) == ja.text


def test_slip_reason_labels() -> None:
    for locale in LOCALES:
        labels = [slip_reason_label(reason, locale) for reason in SLIP_REASONS]
        assert len(set(labels)) == len(SLIP_REASONS)
        assert all(0 < len(label) <= 75 for label in labels)
        assert slip_reason_label("<nonsense>", locale) == slip_reason_label("other", locale)
    assert slip_reason_label("schedule_too_tight", "en") == "Schedule too tight"
    assert slip_reason_label("other", "ja") == "その他"


# --- CSM alerts --------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_replan_alert(locale: str) -> None:
    message = replan_alert(
        project(locale=locale, customer_name="<!channel>"),
        task(2, title="Import <b>", owner_user_id="UTARO"),
        count=3,
        reasons=["other_priorities", "data_preparation", "other_priorities"],
    )
    assert_valid(message)
    body = texts(message)
    assert "<!channel>" not in body + message.text
    assert "Import &lt;b&gt;" in message.text
    reasons = by_id(message.blocks, "replan-alert-reasons")["text"]["text"]
    assert f"• {slip_reason_label('other_priorities', locale)} ×2" in reasons
    assert f"• {slip_reason_label('data_preparation', locale)}" in reasons
    assert "<@UTARO>" in by_id(message.blocks, "replan-alert-suggestion")["text"]["text"]
    assert "<#CACME>" in body
    if locale == "en":
        assert message.text == '&lt;!channel&gt;: "Import &lt;b&gt;" has been re-planned 3 times'
        assert "realistic" in body and "playbook" in body


def test_replan_alert_without_reasons_or_channel() -> None:
    message = replan_alert(project(channel_id=None), task(2), count=3, reasons=[])
    assert_valid(message)
    assert "No reason was recorded." in texts(message)
    assert not has_id(message.blocks, "replan-alert-channel")


@pytest.mark.parametrize("locale", LOCALES)
def test_risk_reminder(locale: str) -> None:
    message = risk_reminder(project(locale=locale), risk(7, text="Fiscal close <!here>"))
    assert_valid(message)
    title = by_id(message.blocks, "risk-reminder-title")["text"]["text"]
    assert "Fiscal close &lt;!here&gt;" in title
    tasks = by_id(message.blocks, "risk-reminder-tasks")["text"]["text"]
    assert "Task 3" in tasks and "Import &lt;!channel&gt; data" in tasks
    assert "Task 1" not in tasks and "Task 4" not in tasks
    if locale == "en":
        assert message.text == "Acme Corp: a busy period starts tomorrow (Mon 3/1 – Wed 3/31)"
        assert "check-in" in texts(message)


def test_risk_reminder_with_no_task_in_the_period_names_the_next_one() -> None:
    message = risk_reminder(
        project(), risk(7, period_start=date(2027, 3, 10), period_end=date(2027, 3, 20))
    )
    tasks = by_id(message.blocks, "risk-reminder-tasks")["text"]["text"]
    assert tasks == (
        "✅ No open task is due during the period.\n"
        "The first task after it: *Task 3* — Champion (Customer) · due Wed 3/31"
    )
    with pytest.raises(ValueError, match="period"):
        risk_reminder(project(), risk(8, period_start=None, period_end=None))


def test_risk_reminder_with_many_tasks_stays_in_one_section() -> None:
    many = tuple(task(n, due=date(2027, 3, 8), title="t" * 150) for n in range(200))
    message = risk_reminder(project(tasks=many), risk(7))
    assert_valid(message)
    tasks = by_id(message.blocks, "risk-reminder-tasks")["text"]["text"]
    assert len(tasks) <= 3000
    assert tasks.endswith(f"…and {200 - tasks.count(chr(10) + '• ')} more")


# --- status ------------------------------------------------------------------------------


def test_status_lists_open_risks_with_close_buttons() -> None:
    risks = [
        risk(1, text="Fiscal year-end <!here>"),
        risk(
            2,
            "slip_reason",
            reason="people_approvals",
            text="Manager on leave",
            period_start=None,
            period_end=None,
        ),
        risk(3, "initiatives", text="New ERP\nNew expenses", period_start=None, period_end=None),
        risk(4, "go_live", period_start=date(2027, 4, 30), period_end=None, said_by="UCSM"),
        risk(5, status="closed"),
    ]
    message = project_status(project(), today=TODAY, risks=risks)
    assert_valid(message)
    heading = by_id(message.blocks, "status-risks")["text"]["text"]
    assert heading.startswith("*📌 Open delay risks (4)*")
    assert not has_id(message.blocks, "risk-5")
    for risk_id in (1, 2, 3, 4):
        button = by_id(message.blocks, f"risk-{risk_id}")["accessory"]
        assert (button["action_id"], button["value"]) == (ActionId.RISK_CLOSE, str(risk_id))
        assert button["text"]["text"] == "Close"
    assert by_id(message.blocks, "risk-1")["text"]["text"] == (
        "🗓️ *Busy period* Mon 3/1 – Wed 3/31 · noted by <@UTARO>\nFiscal year-end &lt;!here&gt;"
    )
    assert "People or approvals not available" in by_id(message.blocks, "risk-2")["text"]["text"]
    assert "New ERP\nNew expenses" in by_id(message.blocks, "risk-3")["text"]["text"]
    assert "Fri 4/30" in by_id(message.blocks, "risk-4")["text"]["text"]
    # The channel line and the actions stay last.
    assert [b["block_id"] for b in message.blocks[-2:]] == ["status-channel", "status-actions"]


def test_status_without_risks_is_unchanged() -> None:
    plain = project_status(project(), today=TODAY)
    assert project_status(project(), today=TODAY, risks=[risk(1, status="closed")]) == plain
    assert not has_id(plain.blocks, "status-risks")


def test_status_with_many_risks_respects_block_limits() -> None:
    risks = [risk(n, text="x" * 2000) for n in range(1, 121)]
    for locale in LOCALES:
        message = project_status(project(locale=locale), today=TODAY, risks=risks)
        assert_valid(message)
        assert len(message.blocks) == 50
        shown = sum(1 for b in message.blocks if b.get("block_id", "").startswith("risk-"))
        more = by_id(message.blocks, "status-risks-more")["elements"][0]["text"]
        assert more == t(locale, "risk.status.more", count=120 - shown)


# --- catalogs ----------------------------------------------------------------------------

VALIDATION_KEYS = {
    "more_time.not_after_today",
    "more_time.closed_weekend",
    "more_time.closed_holiday",
    "more_time.closed_year_end",
    "more_time.closed_blackout",
    "form.range_incomplete",
    "form.range_backwards",
    "form.range_past",
    "form.date_not_future",
}


def load(locale: str) -> dict[str, str]:
    return json.loads((CATALOG_DIR / locale / "schedule.json").read_text(encoding="utf-8"))


def test_schedule_catalogs_have_the_same_keys_and_placeholders() -> None:
    ja, en = load("ja"), load("en")
    assert set(ja) == set(en), set(ja) ^ set(en)
    for key in en:
        assert placeholders(ja[key]) == placeholders(en[key]), key
        assert ja[key].strip() and en[key].strip(), key
    prefixes = ("schedule.", "replan.", "more_time.", "risk.", "slip.", "form.")
    assert all(key.startswith(prefixes) for key in en)
    assert VALIDATION_KEYS.issubset(en)
    for key in VALIDATION_KEYS:
        assert placeholders(en[key]) == set(), key
    assert {f"slip.{reason}" for reason in SLIP_REASONS} <= set(en)


def test_every_schedule_key_is_rendered(monkeypatch: pytest.MonkeyPatch) -> None:
    used: set[str] = set()

    def recording_t(locale: str, key: str, /, **values: object) -> str:
        used.add(key)
        return t(locale, key, **values)

    for module in (bot.blocks.schedule, bot.blocks.replan, bot.blocks.risks, bot.blocks.message):
        monkeypatch.setattr(module, "t", recording_t)
    kinds = [
        risk(1),
        risk(2, period_start=None, period_end=None, said_by="someone"),
        risk(3, "slip_reason", reason="other", text="note", period_start=None, period_end=None),
        risk(4, "initiatives", text="a", period_start=None, period_end=None),
        risk(5, "go_live", period_start=date(2027, 4, 30), period_end=None),
        risk(6, "go_live", period_start=None, period_end=None),
        risk(7, "mystery"),
    ]
    for locale in LOCALES:
        for proj in (project(locale=locale), project(locale=locale, champion_user_id=None)):
            schedule_prompt(proj)
            for listed in ([], [task(2)], [task(n) for n in range(20)]):
                schedule_modal(
                    proj,
                    suggestion=MARCH,
                    in_suggestion=listed,
                    plan_end=TODAY,
                    committed_go_live=None,
                )
            for csm in ("UCSM", None):
                p = replace(proj, csm_user_id=csm)
                summary(project=p)
                summary(
                    project=p,
                    moved=[(task(1), TODAY, TODAY, 1), (task(2), TODAY, TODAY, 3)],
                    committed_go_live=date(2027, 4, 1),
                    initiatives=2,
                    optional_open=[task(n, required=False) for n in range(60)],
                )
                summary(project=p, moved=[(task(1), TODAY, TODAY, 1)], committed_go_live=TODAY)
            more_time_modal(task(1), project_id=42, locale=locale, today=TODAY)
            replan_note(
                task(1),
                old_due=TODAY,
                new_due=TODAY,
                reason="other",
                actor_user_id="U",
                locale=locale,
            )
            replan_alert(proj, task(1), count=3, reasons=["other", "other", "unclear_tasks"])
            replan_alert(proj, task(1), count=3, reasons=[])
            many = replace(proj, tasks=tuple(task(n, title="t" * 150) for n in range(100)))
            for p in (proj, many):
                risk_reminder(p, risk(1, text="busy"))
                risk_reminder(
                    p, risk(1, period_start=date(2027, 3, 9), period_end=date(2027, 3, 9))
                )
            risk_blocks(kinds, locale=locale, max_blocks=50)
            risk_blocks(kinds * 10, locale=locale, max_blocks=5)
    mine = set(load("en")) - VALIDATION_KEYS
    assert mine - used == set(), "keys never rendered"
    assert {
        k for k in used if k.startswith(("schedule.", "replan.", "risk.", "slip.", "more_time."))
    } <= mine

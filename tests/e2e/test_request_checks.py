"""Nothing is done for a request that fails verification, and no malformed body gets a 500.

An unverified request (a timestamp that is not a number, a wrong signature, none at all)
is answered 401 before anything reads it: no error reply to its `response_url` (which
might point anywhere, internal addresses included), no `users.info` for its user, no
traceback. A signed request whose body Slack would never send is answered 400, 404 or
with a localized refusal to the person; never 500, never a traceback in the log.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest

from bot.i18n import t
from tests.e2e.harness import Harness, project_tasks
from tests.e2e.requests import (
    FORM,
    JSON,
    Recorder,
    as_form,
    click,
    interaction,
    send,
    view,
    watching_logs,
)


@pytest.fixture
def internal() -> Iterator[Recorder]:
    recorder = Recorder()
    yield recorder
    recorder.close()


def command_form(bot: Harness, response_url: str, **fields: str) -> str:
    user = bot.people.csm
    form = {
        "team_id": user.team_id,
        "channel_id": bot.general,
        "user_id": user.id,
        "command": "/onboard",
        "text": "status",
        "response_url": response_url,
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    }
    form.update(fields)
    return urlencode(form)


UNVERIFIED = (
    {"X-Slack-Request-Timestamp": "not-a-number"},
    {"X-Slack-Request-Timestamp": "1e9"},
    {"X-Slack-Request-Timestamp": "9" * 40},
    {"X-Slack-Request-Timestamp": ""},
    {"X-Slack-Request-Timestamp": "\u00b2\u00b3"},  # "²³": isdigit(), yet no int()
    {"X-Slack-Signature": "v0=" + "0" * 64},
    {"X-Slack-Signature": ""},
    {"X-Slack-Request-Timestamp": "1000000000"},  # 2001: far outside the window
)


def test_an_unverified_request_is_refused_and_nothing_happens(
    bot: Harness, internal: Recorder
) -> None:
    calls = len(bot.sandbox.calls())
    payload = interaction(
        bot, bot.people.csm, response_url=internal.url, actions=[click("task_done", "abc")]
    )
    with watching_logs() as logs:
        for headers in UNVERIFIED:
            answers = [
                send(bot, as_form(payload), headers=headers),
                send(bot, command_form(bot, internal.url, text="start Evil"), headers=headers),
                send(
                    bot, json.dumps({"type": "event_callback", "event": "x"}), JSON, headers=headers
                ),
            ]
            assert [a.status for a in answers] == [401, 401, 401], headers
        bot.settle()
    assert internal.hits == []
    assert bot.sandbox.calls()[calls:] == []  # no users.info, no reply, nothing at all
    assert logs.summary() == []


def test_an_unsigned_request_with_any_body_is_refused_the_same_way(
    bot: Harness, internal: Recorder
) -> None:
    calls = len(bot.sandbox.calls())
    with watching_logs() as logs:
        for body in (
            b"payload={broken",
            b"\xff\xfe\x00",
            b"",
            b"[]",
            command_form(bot, internal.url),
        ):
            assert send(bot, body, signed=False).status == 401
        bot.settle()
    assert internal.hits == [] and bot.sandbox.calls()[calls:] == []
    assert logs.summary() == []


def malformed(bot: Harness) -> dict[str, tuple[str | bytes, str | None]]:
    """Bodies Slack would never send, each signed like Slack signs."""
    csm = bot.people.csm
    base = interaction(bot, csm)
    return {
        "broken JSON in payload": ("payload=%7Bbroken", FORM),
        "payload=hello": ("payload=hello", FORM),
        "empty payload": ("payload=", FORM),
        "payload is a JSON list": (as_form([1, 2, 3]), FORM),
        "payload is a string": (as_form("block_actions"), FORM),
        "actions: []": (as_form({**base, "actions": []}), FORM),
        "actions is an object": (as_form({**base, "actions": {"action_id": "task_done"}}), FORM),
        "action without action_id": (as_form({**base, "actions": [{"value": "1"}]}), FORM),
        "action value is a list": (as_form({**base, "actions": [click("task_done", [1])]}), FORM),
        "user is a number": (
            as_form({**base, "user": 5, "actions": [click("task_done", "1")]}),
            FORM,
        ),
        "team is a number": (
            as_form({**base, "team": 7, "actions": [click("task_done", "1")]}),
            FORM,
        ),
        "container is a list": (
            as_form({**base, "container": [], "actions": [click("task_done", "1")]}),
            FORM,
        ),
        "view without callback_id": (
            as_form(interaction(bot, csm, "view_submission", view={"id": "V1", "state": {}})),
            FORM,
        ),
        "view state values is a list": (
            as_form(
                interaction(
                    bot, csm, "view_submission", view={**view("more_time"), "state": {"values": []}}
                )
            ),
            FORM,
        ),
        "command without user": (command_form(bot, "https://hooks.example/x", user_id=""), FORM),
        "JSON list": ("[]", JSON),
        "JSON number": ("5", JSON),
        "event is a string": (json.dumps({"type": "event_callback", "event": "x"}), JSON),
        "event without type": (
            json.dumps({"type": "event_callback", "event": {"user": "U1"}}),
            JSON,
        ),
        "authorizations is an object": (
            json.dumps({"type": "event_callback", "event": {"type": "x"}, "authorizations": {}}),
            JSON,
        ),
        "truncated JSON": ('{"type": "event_callback", "event": {"type": "app_home_op', JSON),
        "deeply nested JSON": ("[" * 5000 + "]" * 5000, JSON),
        "not UTF-8": (b"payload=\xff\xfe", FORM),
    }


def test_malformed_signed_bodies_get_400_and_no_traceback(bot: Harness) -> None:
    calls = len(bot.sandbox.calls())
    with watching_logs() as logs:
        answers = {name: send(bot, body, ct) for name, (body, ct) in malformed(bot).items()}
        bot.settle()
    statuses = {name: a.status for name, a in answers.items()}
    not_utf8 = statuses.pop("not UTF-8")
    assert not_utf8 == 401  # a signature over bytes that are no text cannot be checked
    assert statuses == dict.fromkeys(statuses, 400), statuses
    assert [c.method for c in bot.sandbox.calls()[calls:]] == []
    assert logs.summary() == []


def test_an_oversized_body_is_refused_unread(bot: Harness) -> None:
    with watching_logs() as logs:
        answer = send(bot, "payload=" + "x" * 1_100_000)
    assert answer.status == 413 and logs.summary() == []


def refusals(bot: Harness, user_id: str) -> list[str]:
    texts = [m.get("text", "") for m in bot.sandbox.ephemerals(user_id=user_id)]
    return texts + [m.get("text", "") for m in bot.sandbox.dm_messages(user_id)]


IMPOSSIBLE_IDS = (
    ("task_done", "abc", "error.task_not_found"),
    ("task_done", "1" * 40, "error.task_not_found"),  # overflowed the database's integer
    ("task_done", "2147483648", "error.task_not_found"),
    ("task_done", "-3", "error.task_not_found"),
    ("task_done", "١٢", "error.task_not_found"),  # Arabic-Indic digits: isdigit() says yes
    ("task_undo", "", "error.task_not_found"),
    ("task_more_time", "9" * 25, "error.task_not_found"),
    ("plan_schedule", "1e3", "error.project_not_found"),
    ("risk_close", "0x10", "error.risk_not_found"),
    ("checkin:regularly", "99999999999999999999", "error.project_not_found"),
    ("survey_csat:4", "abc:4", "error.project_not_found"),
    ("home_open_status", "12345678901", "error.project_not_found"),
)


def test_impossible_ids_in_buttons_get_a_localized_refusal(bot: Harness) -> None:
    csm = bot.people.csm
    with watching_logs() as logs:
        for action_id, value, key in IMPOSSIBLE_IDS:
            payload = interaction(bot, csm, actions=[click(action_id, value)])
            before = len(refusals(bot, csm.id))
            answer = send(bot, as_form(payload))
            bot.settle()
            assert answer.status == 200, (action_id, value)
            # In the CSM's language (their Slack is in Japanese).
            assert refusals(bot, csm.id)[before:] == [t("ja", key)], (action_id, value)
    assert logs.summary() == []


def test_impossible_ids_in_form_metadata_get_a_localized_refusal(bot: Harness) -> None:
    csm = bot.people.csm
    values = {"comment": {"comment": {"type": "plain_text_input", "value": "hello"}}}
    forms = (
        ("more_time", "error.task_not_found"),
        ("schedule", "error.project_not_found"),
        ("survey_comment", "error.project_not_found"),
    )
    with watching_logs() as logs:
        for callback_id, key in forms:
            for metadata in ("abc", "", "1" * 40, "-1", "１２", "3.0"):
                submitted = view(callback_id, metadata=metadata, values=values)
                payload = interaction(bot, csm, "view_submission", view=submitted)
                before = len(refusals(bot, csm.id))
                answer = send(bot, as_form(payload))
                bot.settle()
                bot.later(1)  # each refusal is a DM: Slack takes about one a second there
                assert answer.status == 200, (callback_id, metadata)
                assert refusals(bot, csm.id)[before:] == [t("ja", key)], (callback_id, metadata)
    assert logs.summary() == []


def test_an_impossible_date_in_the_more_time_form_is_a_form_error(bot: Harness) -> None:
    channel = bot.start_project("Acme --playbook tech-touch --kickoff 2027-04-05")
    task = project_tasks(bot, channel)[0]
    with watching_logs() as logs:
        for raw in ("2027-13-45", "2027-02-30", "tomorrow", "0000-01-01"):
            values = {"new_due": {"new_due": {"type": "datepicker", "selected_date": raw}}}
            submitted = view("more_time", metadata=str(task.id), values=values)
            payload = interaction(bot, bot.people.csm, "view_submission", view=submitted)
            answer = send(bot, as_form(payload))
            bot.settle()
            assert answer.status == 200, raw
            assert answer.json == {
                "response_action": "errors",
                "errors": {"new_due": t("ja", "form.bad_date")},
            }, raw
    assert project_tasks(bot, channel)[0].due == task.due
    assert logs.summary() == []


def test_a_button_request_without_a_response_url_is_answered_nowhere_and_breaks_nothing(
    bot: Harness,
) -> None:
    """Slack always sends a button's response_url; a request without one (found by the HTTP
    fuzz) must not end in "unhandled error" when the refusal has nowhere to go."""
    channel = bot.start_project("Acme --playbook tech-touch --kickoff 2027-04-05")
    optional = next(t for t in project_tasks(bot, channel) if not t.required)
    with watching_logs() as logs:
        payload = interaction(
            bot, bot.people.internal, actions=[click("task_skip", str(optional.id))]
        )
        del payload["response_url"]
        answer = send(bot, as_form(payload))
        bot.settle()
    assert answer.status == 200
    assert logs.summary() == []
    assert next(t for t in project_tasks(bot, channel) if t.id == optional.id).status == "open"


def test_an_app_home_opened_event_without_a_user_is_ignored(bot: Harness) -> None:
    """Slack always names who opened the Home tab; an event with an empty `user` (found by
    the HTTP fuzz) publishes nothing and logs no error."""
    event = {"type": "app_home_opened", "user": "", "channel": bot.general, "tab": "home"}
    body = json.dumps({"type": "event_callback", "team_id": bot.sandbox.team_id, "event": event})
    with watching_logs() as logs:
        answer = send(bot, body, JSON)
        bot.settle()
    assert answer.status == 200
    assert logs.summary() == []
    assert bot.sandbox.calls("views.publish") == []

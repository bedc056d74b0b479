"""Any request body and headers, through real HTTP: never a 500, never a traceback.

Hypothesis sends the running bot form bodies, JSON bodies and raw bytes; Slack-shaped
payloads (every kind, every action id and callback id of the bot, real user ids and
project ids next to wrong types, huge numbers and garbage) and arbitrary ones; signed like
Slack, unsigned, with a wrong or non-numeric timestamp; whole, truncated or oversized.
Every answer is 200, 400, 401, 404 or 413; an unverified request changes nothing and
calls out nowhere (its `response_url` points at a recorder standing in for an internal
address); no log record carries a stack trace.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.blocks.ids import ActionId, CallbackId
from tests.e2e.harness import Harness, start_harness
from tests.e2e.requests import FORM, JSON, Recorder, Tracebacks, send, signature_headers

EXAMPLES = 400
ALLOWED = {200, 400, 401, 404, 413}


@dataclass
class World:
    bot: Harness
    recorder: Recorder
    logs: Tracebacks
    ids: list[str]  # project, task and risk ids that exist

    def __repr__(self) -> str:
        return "World(...)"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    import logging

    path = tmp_path_factory.mktemp("http-fuzz") / "onboardbot.db"
    bot = start_harness(f"sqlite:///{path}")
    recorder = Recorder()
    logs = Tracebacks()
    logging.getLogger().addHandler(logs)
    try:
        channel = bot.start_project("Fuzz Corp --playbook tech-touch --kickoff 2027-04-05")
        from tests.e2e.harness import project_tasks

        tasks = project_tasks(bot, channel)
        ids = sorted({str(tasks[0].project_id)} | {str(t.id) for t in tasks[:3]})
        yield World(bot, recorder, logs, ids)
        bot.settle()
    finally:
        logging.getLogger().removeHandler(logs)
        recorder.close()
        bot.close()


KINDS = [
    "block_actions",
    "view_submission",
    "view_closed",
    "event_callback",
    "url_verification",
    "shortcut",
    "message_action",
    "block_suggestion",
]
ACTION_IDS = [a.value for a in ActionId] + [
    "survey_csat:4",
    "survey_nps:10",
    "survey_csat:99999999999999999999",
    "checkin:stalled",
    "checkin:regularly",
]
CALLBACKS = [c.value for c in CallbackId]
NUMBERS = ["0", "-1", "1" * 40, "2147483648", "1e3", "١٢", "0x1f", " 7 "]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(NUMBERS),
)
anything = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def slack_shaped(draw: st.DrawFn, world: World) -> dict[str, Any]:
    """A payload as Slack sends it for one of the bot's buttons, forms or events, then
    broken in up to two places (a value replaced by anything at all, or a key dropped)."""
    bot = world.bot
    users = [bot.people.csm, bot.people.internal, bot.people.customer, bot.people.other_customer]
    user = draw(st.sampled_from(users))
    some_id = st.sampled_from(world.ids * 3 + NUMBERS)
    kind = draw(st.sampled_from(KINDS[:4]))
    payload: dict[str, Any] = {
        "type": kind,
        "user": {"id": user.id, "team_id": user.team_id, "name": user.name},
        "team": {"id": user.team_id},
        "trigger_id": "1.2.3",
    }
    if kind == "block_actions":
        payload.update(
            channel={"id": bot.general},
            container={"type": "message", "channel_id": bot.general},
            response_url=world.recorder.url,
            actions=[
                {
                    "type": "button",
                    "action_id": draw(st.sampled_from(ACTION_IDS)),
                    "block_id": "b",
                    "value": draw(st.one_of(some_id, st.text(max_size=12))),
                }
            ],
        )
    elif kind in ("view_submission", "view_closed"):
        payload["view"] = {
            "id": draw(st.text(alphabet="ABC123", min_size=1, max_size=8)),
            "type": "modal",
            "callback_id": draw(st.sampled_from(CALLBACKS)),
            "private_metadata": draw(some_id),
            "state": {"values": {}},
        }
    else:
        payload = {
            "type": "event_callback",
            "team_id": user.team_id,
            "event": {
                "type": draw(st.sampled_from(["app_home_opened", "member_joined_channel", "x"])),
                "user": user.id,
                "channel": bot.general,
            },
            "authorizations": [{"team_id": user.team_id, "user_id": "B1", "is_bot": True}],
        }
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2]))):
        target = payload
        nested = [k for k, v in payload.items() if isinstance(v, dict)]
        if nested and draw(st.booleans()):
            target = payload[draw(st.sampled_from(nested))]
        elif (
            isinstance(payload.get("actions"), list) and payload["actions"] and draw(st.booleans())
        ):
            target = payload["actions"][0]
        if not isinstance(target, dict) or not target:
            continue
        key = draw(st.sampled_from(sorted(target)))
        if draw(st.booleans()):
            target[key] = draw(anything)
        else:
            del target[key]
    return payload


@st.composite
def requests(draw: st.DrawFn, world: World) -> tuple[bytes, str | None, str]:
    """(body, content type, how it is signed): mostly encoded as Slack encodes them (then
    the payload's own flaws are what is tested), sometimes anything at all."""
    shape = draw(st.sampled_from(["slack"] * 4 + ["command"] * 2 + ["form", "json", "raw"]))
    content_type: str | None = FORM
    if shape == "slack":
        payload = draw(slack_shaped(world))
        if payload.get("type") == "event_callback":
            body, content_type = json.dumps(payload), JSON
        else:
            body = "payload=" + quote(json.dumps(payload))
    elif shape == "command":
        user = draw(st.sampled_from([world.bot.people.csm, world.bot.people.customer]))
        fields = {
            "command": draw(st.sampled_from(["/onboard", "/onboard", "/other", ""])),
            "text": draw(
                st.one_of(
                    st.sampled_from(
                        ["help", "status", "start Fuzz Corp", "start X --kickoff 9999-12-31"]
                    ),
                    st.text(max_size=40),
                )
            ),
            "user_id": draw(st.sampled_from([user.id, user.id, "", "U999999999"])),
            "team_id": user.team_id,
            "channel_id": world.bot.general,
            "trigger_id": "1.2.3",
            "response_url": draw(st.sampled_from([world.recorder.url] * 3 + ["not a url", ""])),
        }
        keep = draw(st.sampled_from([True, True, True, False]))
        body = urlencode({k: v for k, v in fields.items() if keep or draw(st.booleans())})
    elif shape == "form":
        body = "payload=" + quote(json.dumps(draw(anything)))
    elif shape == "json":
        body = json.dumps(draw(anything))
    else:
        body = draw(st.binary(max_size=120)).decode("latin-1")
    data = body.encode("latin-1") if shape == "raw" else body.encode("utf-8")
    cut = draw(st.sampled_from(["whole"] * 6 + ["truncated"] * 2 + ["oversized"]))
    if cut == "truncated" and data:
        data = data[: draw(st.integers(min_value=0, max_value=len(data) - 1))]
    elif cut == "oversized":
        data = data + b"x" * 1_000_001
    if shape != "slack" or draw(st.sampled_from([False, False, False, True])):
        content_type = draw(
            st.sampled_from([FORM, JSON, "text/plain", None, "application/json; charset=utf-8"])
        )
    signing = draw(st.sampled_from(["signed"] * 5 + ["unsigned", "bad timestamp", "stale", "none"]))
    return data, content_type, signing


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(data=st.data())
def test_no_request_gets_a_500_or_leaves_a_traceback(world: World, data: st.DataObject) -> None:
    bot = world.bot
    body, content_type, signing = data.draw(requests(world))
    headers: dict[str, str] = {}
    if signing == "bad timestamp":
        headers = {
            "X-Slack-Request-Timestamp": data.draw(st.sampled_from(["abc", "", "1e9", "9" * 30]))
        }
    elif signing == "stale":
        headers = signature_headers(body, timestamp="1000000000")
    elif signing == "none":
        headers = {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": ""}
    calls, hits = len(bot.sandbox.calls()), len(world.recorder.hits)
    logged = len(world.logs.records)
    answer = send(bot, body, content_type, signed=signing != "unsigned", headers=headers)
    bot.settle()
    event(f"{signing}: HTTP {answer.status}")  # --hypothesis-show-statistics: the mix
    assert answer.status in ALLOWED, (answer.status, answer.text[:300], body[:300])
    if signing != "signed":
        assert answer.status in (401, 413)
        assert bot.sandbox.calls()[calls:] == [] and world.recorder.hits[hits:] == []
    assert world.logs.summary()[logged:] == [], (world.logs.summary()[logged:], body[:300])

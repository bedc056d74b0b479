"""views.* against the real WebClient: triggers, limits, update hashes, the Home tab."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from slack_sandbox import Sandbox
from slack_sandbox.scopes import EVERY_METHOD_SCOPE

MODAL = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Kickoff"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}],
}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Iterator[Sandbox]:
    with Sandbox(signing_secret="secret", scopes=EVERY_METHOD_SCOPE, clock=clock) as running:
        yield running


def failure(call) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with pytest.raises(SlackApiError) as caught:
        call()
    return dict(caught.value.response.data)  # type: ignore[arg-type]


def test_open_needs_a_valid_unused_fresh_trigger(
    sandbox: Sandbox, client: WebClient, clock: FakeClock
) -> None:
    alice = sandbox.add_user("alice").id
    assert failure(lambda: client.views_open(trigger_id="123.456.abc", view=MODAL))["error"] == (
        "invalid_trigger_id"
    )
    trigger = sandbox.issue_trigger(alice)
    view = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert view["id"].startswith("V") and view["hash"]
    assert [v["id"] for v in sandbox.views_for(alice)] == [view["id"]]
    assert failure(lambda: client.views_open(trigger_id=trigger, view=MODAL))["error"] == (
        "exchanged_trigger_id"
    )
    fresh = sandbox.issue_trigger(alice)
    clock.now += 2.9  # Slack's trigger lives 3 seconds
    assert client.views_open(trigger_id=fresh, view=MODAL)["ok"]
    stale = sandbox.issue_trigger(alice)
    clock.now += 3.1
    assert failure(lambda: client.views_open(trigger_id=stale, view=MODAL))["error"] == (
        "expired_trigger_id"
    )


def test_modal_limits_answer_invalid_arguments(sandbox: Sandbox, client: WebClient) -> None:
    alice = sandbox.add_user("alice").id
    long_title = {**MODAL, "title": {"type": "plain_text", "text": "An onboarding title too long"}}
    body = failure(
        lambda: client.views_open(trigger_id=sandbox.issue_trigger(alice), view=long_title)
    )
    assert body["error"] == "invalid_arguments"
    assert "[json-pointer:/view/title/text]" in body["response_metadata"]["messages"][0]
    too_many = {**MODAL, "blocks": MODAL["blocks"] * 101}
    assert (
        failure(lambda: client.views_open(trigger_id=sandbox.issue_trigger(alice), view=too_many))[
            "error"
        ]
        == "invalid_arguments"
    )
    assert [v.code for v in sandbox.block_violations] == ["title_too_long", "too_many_blocks"]
    assert sandbox.views_for(alice) == []


def test_update_checks_hash(sandbox: Sandbox, client: WebClient) -> None:
    alice = sandbox.add_user("alice").id
    view = client.views_open(trigger_id=sandbox.issue_trigger(alice), view=MODAL)["view"]
    changed = {**MODAL, "title": {"type": "plain_text", "text": "Step 2"}}
    updated = client.views_update(view_id=view["id"], hash=view["hash"], view=changed)["view"]
    assert updated["title"]["text"] == "Step 2"
    assert (
        failure(lambda: client.views_update(view_id=view["id"], hash=view["hash"], view=MODAL))[
            "error"
        ]
        == "hash_conflict"
    )
    assert failure(lambda: client.views_update(view_id="V0NOPE", view=MODAL))["error"] == (
        "not_found"
    )


def test_publish_home(sandbox: Sandbox, client: WebClient) -> None:
    alice = sandbox.add_user("alice").id
    home = {"type": "home", "blocks": MODAL["blocks"] * 100}
    first = client.views_publish(user_id=alice, view=home)["view"]
    again = client.views_publish(user_id=alice, view=home, hash=first["hash"])["view"]
    assert again["id"] == first["id"]
    assert len(sandbox.home_view(alice)["blocks"]) == 100  # type: ignore[index]
    too_many = {"type": "home", "blocks": MODAL["blocks"] * 101}
    assert failure(lambda: client.views_publish(user_id=alice, view=too_many))["error"] == (
        "invalid_arguments"
    )
    assert failure(lambda: client.views_publish(user_id=alice, view=MODAL))["error"] == (
        "invalid_arguments"
    )


def test_a_response_url_takes_five_answers_in_thirty_minutes(
    sandbox: Sandbox, clock: FakeClock
) -> None:
    alice = sandbox.add_user("alice").id
    channel = sandbox.add_channel("notes", members=[alice]).id
    with sandbox.workspace.lock:
        url = sandbox.workspace.issue_response_url(channel_id=channel, user_id=alice)
    hook = WebhookClient(url)
    assert [hook.send(text=f"note {n}").status_code for n in range(5)] == [200] * 5
    sixth = hook.send(text="note 5")
    assert (sixth.status_code, sixth.body) == (404, "used_url")
    assert [e["text"] for e in sandbox.ephemerals(user_id=alice)] == [f"note {n}" for n in range(5)]
    with sandbox.workspace.lock:
        late = sandbox.workspace.issue_response_url(channel_id=channel, user_id=alice)
    clock.now += 30 * 60 + 1
    expired = WebhookClient(late).send(text="too late")
    assert (expired.status_code, expired.body) == (404, "expired_url")

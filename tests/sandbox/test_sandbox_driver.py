"""The driver against a real Bolt app (served with wsgiref): signatures, commands, clicks,
modals, events. The app talks back to the sandbox through the real WebClient."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import Ack, App, Respond
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from slack_sandbox import DriverError, Sandbox, SlackDriver
from slack_sandbox.recorder import RequestRecorder
from slack_sandbox.scopes import EVERY_METHOD_SCOPE

SECRET = "driver-secret"

KICKOFF_MODAL = {
    "type": "modal",
    "callback_id": "kickoff",
    "title": {"type": "plain_text", "text": "New onboarding"},
    "submit": {"type": "plain_text", "text": "Start"},
    "blocks": [
        {
            "type": "input",
            "block_id": "company",
            "label": {"type": "plain_text", "text": "Name"},
            "element": {"type": "plain_text_input", "action_id": "name"},
        },
        {
            "type": "input",
            "block_id": "golive",
            "label": {"type": "plain_text", "text": "Go-live"},
            "element": {"type": "datepicker", "action_id": "date"},
        },
        {
            "type": "input",
            "block_id": "plan",
            "label": {"type": "plain_text", "text": "Plan"},
            "element": {
                "type": "static_select",
                "action_id": "pick",
                "options": [
                    {"text": {"type": "plain_text", "text": "Basic"}, "value": "basic"},
                    {"text": {"type": "plain_text", "text": "Pro"}, "value": "pro"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "owners",
            "optional": True,
            "label": {"type": "plain_text", "text": "Owners"},
            "element": {"type": "multi_users_select", "action_id": "users"},
        },
        {
            "type": "actions",
            "block_id": "tools",
            "elements": [
                {
                    "type": "button",
                    "action_id": "preview",
                    "value": "p",
                    "text": {"type": "plain_text", "text": "Preview"},
                }
            ],
        },
    ],
}
SECOND = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Confirm"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Sure?"}}],
}
CHECKLIST = [
    {
        "type": "section",
        "block_id": f"t{i}",
        "text": {"type": "mrkdwn", "text": f"Task {i}"},
        "accessory": {
            "type": "button",
            "action_id": "task_done",
            "value": str(i),
            "text": {"type": "plain_text", "text": "Done"},
        },
    }
    for i in range(1, 3)
]


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return


def build_app(sandbox: Sandbox, seen: list[dict[str, Any]]) -> App:
    client = WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
    app = App(signing_secret=SECRET, client=client, process_before_response=True)

    @app.command("/onboard")
    def onboard(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        seen.append(command)
        if command["text"] == "modal":
            client.views_open(trigger_id=command["trigger_id"], view=KICKOFF_MODAL)
        elif command["text"] == "public":
            respond(response_type="in_channel", text="Kickoff for everyone")
        elif command["text"] == "checklist":
            client.chat_postMessage(
                channel=command["channel_id"], text="Checklist", blocks=CHECKLIST
            )
        else:
            respond(
                text="Only you",
                blocks=[
                    {
                        "type": "actions",
                        "elements": [
                            {
                                "type": "button",
                                "action_id": "dismiss",
                                "value": "x",
                                "text": {"type": "plain_text", "text": "Dismiss"},
                            }
                        ],
                    }
                ],
            )

    @app.action("task_done")
    def task_done(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient
    ) -> None:
        ack()
        seen.append(body)
        client.chat_update(
            channel=body["channel"]["id"],
            ts=body["message"]["ts"],
            text=f"Task {action['value']} done by <@{body['user']['id']}>",
            blocks=[],
        )

    @app.action("dismiss")
    def dismiss(ack: Ack, respond: Respond) -> None:
        ack()
        respond(delete_original=True)

    @app.action("preview")
    def preview(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        seen.append(body)
        client.views_push(trigger_id=body["trigger_id"], view=SECOND)

    @app.view("kickoff")
    def kickoff(ack: Ack, view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        seen.append(values)
        name = values["company"]["name"]["value"]
        if name == "bad":
            ack(response_action="errors", errors={"company": "Use the legal name"})
        elif name == "more":
            ack(response_action="update", view=SECOND)
        else:
            ack()

    @app.event("member_joined_channel")
    def joined(event: dict[str, Any]) -> None:
        seen.append(event)

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        seen.append(event)
        client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [
                    {"type": "section", "text": {"type": "mrkdwn", "text": "Your onboardings"}}
                ],
            },
        )

    return app


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(signing_secret=SECRET, scopes=EVERY_METHOD_SCOPE) as running:
        yield running


@pytest.fixture
def seen() -> list[dict[str, Any]]:
    return []


@pytest.fixture
def bot_url(sandbox: Sandbox, seen: list[dict[str, Any]]) -> Iterator[str]:
    server: WSGIServer = make_server(
        "127.0.0.1", 0, SlackRequestHandler(build_app(sandbox, seen)), handler_class=_Quiet
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/slack/events"
    server.shutdown()
    server.server_close()


@pytest.fixture
def driver(sandbox: Sandbox, bot_url: str) -> SlackDriver:
    sandbox.events_url = bot_url
    return SlackDriver(bot_url, SECRET, sandbox)


@pytest.fixture
def alice(sandbox: Sandbox) -> str:
    return sandbox.add_user("alice", email="alice@acme.test").id


@pytest.fixture
def channel(sandbox: Sandbox, alice: str) -> str:
    return sandbox.add_channel("onb-acme", members=[alice]).id


def test_signature_verifies_with_slack_sdk(sandbox: Sandbox) -> None:
    with RequestRecorder() as app:
        driver = SlackDriver(app.url, SECRET, sandbox)
        driver.url_verification()
        driver.event({"type": "app_mention", "text": "hi"}, bad_signature=True)
        good, bad = app.wait_for(2)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(good.body, good.headers)
    assert not verifier.is_valid_request(bad.body, bad.headers)


def test_bolt_accepts_signed_and_rejects_bad_or_old(
    driver: SlackDriver, alice: str, channel: str, seen: list[dict[str, Any]]
) -> None:
    assert driver.url_verification("abc").json == {"challenge": "abc"}
    assert driver.slash(alice, channel, "hello", bad_signature=True).status == 401
    assert driver.slash(alice, channel, "hello", timestamp=1_600_000_000).status == 401
    assert seen == []
    assert driver.slash(alice, channel, "hello").status == 200
    assert len(seen) == 1


def test_retry_headers_and_envelope(sandbox: Sandbox) -> None:
    with RequestRecorder() as app:
        driver = SlackDriver(app.url, SECRET, sandbox)
        driver.event({"type": "app_mention", "text": "hi"}, event_id="Ev123", retry_num=2)
        [request] = app.wait_for(1)
    assert request.headers["X-Slack-Retry-Num"] == "2"
    assert request.headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert request.headers["Content-Type"] == "application/json"
    envelope = json.loads(request.body)
    assert envelope["event_id"] == "Ev123"
    assert envelope["team_id"] == sandbox.team_id
    assert envelope["authorizations"] == [
        {
            "enterprise_id": None,
            "team_id": sandbox.team_id,
            "user_id": sandbox.bot_user_id,
            "is_bot": True,
            "is_enterprise_install": False,
        }
    ]


def test_click_in_a_dm(
    sandbox: Sandbox, driver: SlackDriver, alice: str, seen: list[dict[str, Any]]
) -> None:
    client = WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
    im = client.conversations_open(users=alice)["channel"]["id"]
    dm = client.chat_postMessage(channel=im, text="Your tasks", blocks=CHECKLIST)["channel"]
    driver.click(alice, channel_id=dm, action_id="task_done", value="1")
    assert seen[-1]["channel"] == {"id": dm, "name": "directmessage"}
    assert [m["text"] for m in sandbox.dm_messages(alice)] == [f"Task 1 done by <@{alice}>"]


def test_slash_command_form_and_ephemeral_reply(
    sandbox: Sandbox, driver: SlackDriver, alice: str, channel: str, seen: list[dict[str, Any]]
) -> None:
    answer = driver.slash(alice, channel, "hello")
    command = seen[0]
    assert (command["command"], command["text"], command["team_id"]) == (
        "/onboard",
        "hello",
        sandbox.team_id,
    )
    assert command["response_url"] == answer.response_url
    assert command["trigger_id"] == answer.trigger_id
    [reply] = sandbox.ephemerals(user_id=alice, channel=channel)
    assert reply["text"] == "Only you"
    assert sandbox.messages(channel) == []
    # Clicking the ephemeral button deletes it through its response_url.
    driver.click_button(alice, reply, "dismiss")
    assert sandbox.ephemerals(user_id=alice) == []


def test_slash_in_channel_response(
    sandbox: Sandbox, driver: SlackDriver, alice: str, channel: str
) -> None:
    driver.slash(alice, channel, "public")
    assert [m["text"] for m in sandbox.messages(channel)] == ["Kickoff for everyone"]


def test_external_people_cannot_send_slash_commands(
    sandbox: Sandbox, driver: SlackDriver, channel: str, seen: list[dict[str, Any]]
) -> None:
    customer = sandbox.add_external_user("erin@customer.example")
    sandbox.join_channel(channel, customer.id)
    assert sandbox.wait_for_events()
    with pytest.raises(DriverError, match="slash commands"):
        driver.slash(customer.id, channel, "hello")
    assert [body for body in seen if body.get("command") == "/onboard"] == []


def test_events_in_a_shared_channel_carry_the_source_team(
    sandbox: Sandbox, driver: SlackDriver, channel: str
) -> None:
    customer = sandbox.add_external_user("erin@customer.example")
    sandbox.join_channel(channel, customer.id)
    assert sandbox.wait_for_events()
    [envelope] = [e for e, _ in sandbox.event_deliveries if e["event"].get("user") == customer.id]
    assert envelope["team_id"] == customer.team_id != sandbox.team_id
    assert envelope["authorizations"][0]["team_id"] == sandbox.team_id
    assert envelope["is_ext_shared_channel"] is True


def test_external_user_clicks_carry_their_team(
    sandbox: Sandbox, driver: SlackDriver, alice: str, channel: str, seen: list[dict[str, Any]]
) -> None:
    customer = sandbox.add_external_user("erin@customer.example")
    sandbox.join_channel(channel, customer.id)
    driver.slash(alice, channel, "checklist")
    driver.click(customer.id, channel_id=channel, action_id="task_done", value="2")
    body = seen[-1]
    assert body["user"]["team_id"] == body["team"]["id"] == customer.team_id


def test_click_done_button_updates_the_message(
    sandbox: Sandbox, driver: SlackDriver, alice: str, channel: str, seen: list[dict[str, Any]]
) -> None:
    driver.slash(alice, channel, "checklist")
    [posted] = sandbox.messages(channel)
    driver.click(
        alice, channel_id=channel, message_ts=posted["ts"], action_id="task_done", value="2"
    )
    body = seen[-1]
    assert body["type"] == "block_actions"
    assert body["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": channel,
        "is_ephemeral": False,
    }
    assert body["actions"][0]["block_id"] == "t2"
    assert body["message"]["blocks"] == posted["blocks"]
    assert body["user"] == {
        "id": alice,
        "username": "alice",
        "name": "alice",
        "team_id": sandbox.team_id,
    }
    [updated] = sandbox.messages(channel)
    assert updated["text"] == f"Task 2 done by <@{alice}>"


def test_driver_refuses_buttons_that_do_not_exist(
    sandbox: Sandbox, driver: SlackDriver, alice: str, channel: str
) -> None:
    driver.slash(alice, channel, "checklist")
    with pytest.raises(DriverError, match="pass value="):
        driver.click(alice, channel_id=channel, action_id="task_done")
    with pytest.raises(DriverError):
        driver.click(alice, channel_id=channel, action_id="task_done", value="99")
    with pytest.raises(DriverError):
        driver.click(alice, channel_id=channel, action_id="no_such_button")
    outsider = sandbox.add_user("mallory").id
    with pytest.raises(DriverError, match="not in"):
        driver.click(outsider, channel_id=channel, action_id="task_done", value="1")


def test_views_open_with_a_driver_issued_trigger_then_submit(
    sandbox: Sandbox, driver: SlackDriver, alice: str, channel: str, seen: list[dict[str, Any]]
) -> None:
    driver.slash(alice, channel, "modal")
    [modal] = sandbox.views_for(alice)
    assert modal["callback_id"] == "kickoff"
    bob = sandbox.add_user("bob").id
    answer = driver.submit_view(
        alice,
        modal["id"],
        {
            "company": {"name": "Acme"},
            "golive": {"date": "2025-04-01"},
            "plan": {"pick": "pro"},
            "owners": {"users": [bob]},
        },
    )
    assert answer.status == 200
    values = seen[-1]
    assert values["company"]["name"] == {"type": "plain_text_input", "value": "Acme"}
    assert values["golive"]["date"]["selected_date"] == "2025-04-01"
    assert values["plan"]["pick"]["selected_option"]["value"] == "pro"
    assert values["owners"]["users"]["selected_users"] == [bob]
    assert sandbox.views_for(alice) == []


def test_submit_errors_update_and_push(
    sandbox: Sandbox, driver: SlackDriver, alice: str, channel: str, seen: list[dict[str, Any]]
) -> None:
    driver.slash(alice, channel, "modal")
    [modal] = sandbox.views_for(alice)
    filled = {"golive": {"date": "2025-04-01"}, "plan": {"pick": "basic"}}
    answer = driver.submit_view(alice, modal["id"], {"company": {"name": "bad"}, **filled})
    assert answer.json["response_action"] == "errors"
    assert sandbox.view(modal["id"])["errors"] == {"company": "Use the legal name"}
    with pytest.raises(DriverError, match="required"):
        driver.submit_view(alice, modal["id"], filled)
    with pytest.raises(DriverError, match="no option"):
        driver.submit_view(
            alice, modal["id"], {"company": {"name": "Acme"}, **filled, "plan": {"pick": "gold"}}
        )
    driver.click(alice, view_id=modal["id"], action_id="preview")
    assert seen[-1]["container"] == {"type": "view", "view_id": modal["id"]}
    assert [v["title"]["text"] for v in sandbox.views_for(alice)] == ["New onboarding", "Confirm"]


def test_submit_update_replaces_the_view(
    sandbox: Sandbox, driver: SlackDriver, alice: str, channel: str
) -> None:
    driver.slash(alice, channel, "modal")
    [modal] = sandbox.views_for(alice)
    driver.submit_view(
        alice,
        modal["id"],
        {"company": {"name": "more"}, "golive": {"date": "2025-04-01"}, "plan": {"pick": "pro"}},
    )
    [updated] = sandbox.views_for(alice)
    assert updated["id"] == modal["id"]
    assert updated["title"]["text"] == "Confirm"
    assert updated["hash"] != modal["hash"]


def test_app_home_opened_and_publish(
    sandbox: Sandbox, driver: SlackDriver, alice: str, seen: list[dict[str, Any]]
) -> None:
    driver.app_home_opened(alice)
    assert seen[-1]["type"] == "app_home_opened"
    assert "view" not in seen[-1]
    home = sandbox.home_view(alice)
    assert home is not None and home["type"] == "home"
    driver.app_home_opened(alice)
    assert seen[-1]["view"]["id"] == home["id"]


def test_member_joined_channel_is_pushed_to_the_app(
    sandbox: Sandbox, driver: SlackDriver, alice: str, seen: list[dict[str, Any]]
) -> None:
    client = WebClient(token=sandbox.bot_token, base_url=sandbox.api_url)
    channel = client.conversations_create(name="onb-push")["channel"]["id"]
    client.conversations_invite(channel=channel, users=alice)
    assert sandbox.wait_for_events()
    [(_, answer)] = sandbox.event_deliveries
    assert answer is not None and answer.status == 200
    assert seen[-1]["type"] == "member_joined_channel" and seen[-1]["user"] == alice

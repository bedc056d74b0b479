"""Who is asking and where, read one way from every kind of payload."""

from bot.flows.context import Caller
from handlers.payload import caller_of
from handlers.request_context import _start_form_channel


def test_a_slash_command_names_its_channel_and_the_users_team() -> None:
    body = {"command": "/onboard", "user_id": "U1", "channel_id": "C1", "team_id": "T1"}
    assert caller_of(body) == Caller("U1", "C1", "T1")
    assert caller_of({**body, "user_team_id": "T2"}).payload_team_id == "T2"


def test_a_button_names_its_channel_or_its_messages() -> None:
    user = {"id": "U1", "team_id": "T1"}
    assert caller_of({"type": "block_actions", "user": user, "channel": {"id": "C1"}}) == (
        Caller("U1", "C1", "T1")
    )
    in_dm = {"type": "block_actions", "user": user, "container": {"channel_id": "D1"}}
    assert caller_of(in_dm).channel_id == "D1"


def test_a_form_names_no_channel_but_the_one_it_was_opened_from() -> None:
    body = {
        "type": "view_submission",
        "user": {"id": "U1", "team_id": "T1"},
        "channel": {"id": "CFORGED"},
        "view": {"callback_id": "start_project", "private_metadata": "C1"},
    }
    assert caller_of(body).channel_id is None
    assert _start_form_channel(body) == "C1"
    assert caller_of(body, form_channel=_start_form_channel(body)).channel_id == "C1"
    other_form = {**body, "view": {"callback_id": "schedule", "private_metadata": "42"}}
    assert _start_form_channel(other_form) is None
    odd = {**body, "view": {"callback_id": "start_project", "private_metadata": "C1; x"}}
    assert _start_form_channel(odd) is None

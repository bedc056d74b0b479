"""What the CSM reads about Slack Connect: "who is this?", messages to pass on, Slack's
refusals with what an admin can change, and notes merged into one answer."""

from __future__ import annotations

import pytest
from slack_sdk.models.blocks import Block

from bot.blocks.forward import Why, forward_message
from bot.blocks.identify import identified, who_is_this
from bot.blocks.ids import IDENTIFY_ACTION, IDENTIFY_ANSWERS
from bot.blocks.limits import MESSAGE_BLOCKS
from bot.blocks.message import Message, section
from bot.blocks.refusals import ADMIN_FIXES, invitation_refused, is_retryable, slack_refusal
from bot.blocks.replies import merged, reply
from bot.i18n import LOCALES, catalog
from slack_sandbox.block_limits import check_blocks

EVIL = "<!channel> Acme & Co"


def valid(message: Message) -> None:
    """Within Slack's limits, by our checker and by slack_sdk's own models."""
    assert message.text.strip()
    assert check_blocks(message.blocks, max_blocks=MESSAGE_BLOCKS) == []
    for block in message.blocks:
        Block.parse(block).validate_json()  # type: ignore[union-attr]


@pytest.mark.parametrize("locale", LOCALES)
def test_who_is_this_asks_with_one_button_per_answer(locale: str) -> None:
    question = who_is_this(
        locale=locale,
        project_id=7,
        user_id="WTARO",
        customer=EVIL,
        channel_id="C1",
        open_seats=("champion", "decision_maker"),
    )
    valid(question)
    head = question.blocks[0]["text"]["text"]
    assert "<@WTARO>" in head and "<#C1>" in head and "&lt;!channel&gt;" in head
    assert "<!channel>" not in str(question.blocks)
    buttons = question.blocks[-1]["elements"]
    assert [IDENTIFY_ACTION.match(b["action_id"])[1] for b in buttons] == list(IDENTIFY_ANSWERS)  # type: ignore[index]
    assert {b["value"] for b in buttons} == {"7:WTARO"}
    why = question.blocks[1]["elements"][0]["text"]
    assert catalog(locale)["role.champion"] in why and catalog(locale)["role.decision_maker"] in why


@pytest.mark.parametrize("answer", IDENTIFY_ANSWERS)
def test_the_answer_replaces_the_question(answer: str) -> None:
    for locale in LOCALES:
        note = identified(locale=locale, user_id="WTARO", customer=EVIL, answer=answer)
        valid(note)
        assert "<@WTARO>" in note.text and "<!channel>" not in note.text


def test_a_message_to_pass_on_keeps_the_original_and_says_why() -> None:
    inner = Message(
        text="Dear decision-maker", blocks=[section(f"esc-{n}", "Please help") for n in range(50)]
    )
    for locale in LOCALES:
        for why in Why:
            note = forward_message(
                inner, locale=locale, customer=EVIL, why=why, email="hanako@acme.example"
            )
            valid(note)
            assert len(note.blocks) == MESSAGE_BLOCKS
            assert "hanako@acme.example" in note.blocks[0]["text"]["text"]
            assert note.blocks[1:] == inner.blocks[:49]
    by_user = forward_message(inner, locale="en", customer="Acme", why=Why.DM_REFUSED, user_id="W1")
    assert "<@W1>" in by_user.text and "direct message" in by_user.blocks[0]["text"]["text"]
    assert (
        "not on Slack"
        in forward_message(inner, locale="en", customer="Acme", why=Why.NOT_ON_SLACK).blocks[0][
            "text"
        ]["text"]
    )


@pytest.mark.parametrize("code", ADMIN_FIXES)
def test_every_refusal_a_retry_cannot_fix_says_what_an_admin_can_change(code: str) -> None:
    for locale in LOCALES:
        message = slack_refusal(
            locale, code=code, method="conversations.create", needed="groups:read"
        )
        valid(message)
        assert f"`{code}`" in message.text
        fix = catalog(locale)[f"slack.fix.{code}"].split("{")[0]
        assert fix in message.text
        assert catalog(locale)["slack.retry"].split("{")[0] not in message.text
    missing = slack_refusal(
        "en", code="missing_scope", method="conversations.members", needed="groups:read"
    )
    assert "`groups:read`" in missing.text and "reinstall" in missing.text
    assert (
        "create the project channel"
        in slack_refusal("en", code="restricted_action", method="conversations.create").text
    )


def test_only_what_can_pass_says_try_again() -> None:
    assert is_retryable("ratelimited") and is_retryable("http_503")
    assert not is_retryable("restricted_action")
    later = slack_refusal("en", code="internal_error", method="chat.update")
    assert "try again" in later.text and "update the checklist" in later.text
    odd = slack_refusal("en", code="some_new_code", method="weird.method")
    assert "`some_new_code`" in odd.text and "try again" not in odd.text


@pytest.mark.parametrize("code", ["not_paid", "restricted_action", "invalid_email", "odd"])
def test_a_refused_invitation_gives_the_manual_path(code: str) -> None:
    for locale in LOCALES:
        note = invitation_refused(
            locale, who="taro@acme.example", email="taro@acme.example", code=code, channel="<#C1>"
        )
        valid(note)
        assert note.text.count("taro@acme.example") == 2  # who, and what to type in Slack
        assert "<#C1>" in note.text and f"`{code}`" in note.text


def test_notes_merge_into_one_message_whatever_their_number() -> None:
    notes = [
        reply("en", "kickoff.invite_failed", channel="<#C1>", error=f"e{n}") for n in range(70)
    ]
    one = merged(notes)
    valid(one)
    assert len(one.blocks) == MESSAGE_BLOCKS
    assert len({b["block_id"] for b in one.blocks}) == MESSAGE_BLOCKS
    blob = str(one.blocks)
    assert all(f"`e{n}`" in blob for n in range(49))  # the rest share the last section, cut
    six = merged(notes[:6])
    assert [b["text"]["text"] for b in six.blocks] == [n.text for n in notes[:6]]

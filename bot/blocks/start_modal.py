"""The `/onboard start` modal, for CSMs who prefer a form to command options."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.blocks import limits
from bot.blocks.escape import clip
from bot.blocks.ids import CallbackId, StartField
from bot.blocks.message import Block, modal, plain
from bot.domain.channel_names import MAX_LENGTH as MAX_CHANNEL_NAME
from bot.domain.command_text import MAX_CUSTOMER_NAME
from bot.i18n import LOCALES, t

EMAIL_MAX_LENGTH = 254


def start_modal(
    *,
    locale: str,
    playbooks: list[tuple[str, str]],
    default_playbook: str,
    csm_user_id: str,
    today: date,
    private_metadata: str = "",
) -> dict[str, Any]:
    """The start-project modal view, labelled in `locale`.

    Args:
        locale: Language of the labels (the opener's), also the initial project language.
        playbooks: (name, title) pairs, in the order to offer them; at most 100 are shown.
        default_playbook: Name of the initially selected playbook, if it is among `playbooks`.
        csm_user_id: The opener, pre-selected as the CSM.
        today: The initial kickoff date.
        private_metadata: Passed through to the submission (e.g. the channel to answer in).

    Raises:
        ValueError: When there is no playbook to offer (Slack rejects an empty select).
    """
    if not playbooks:
        raise ValueError("start_modal needs at least one playbook")
    kickoff = {"type": "datepicker", "action_id": StartField.KICKOFF, "initial_date": str(today)}
    go_live: Block = {
        "type": "datepicker",
        "action_id": StartField.GO_LIVE,
        "placeholder": plain(t(locale, "modal.go_live.placeholder")),
    }
    csm: Block = {"type": "users_select", "action_id": StartField.CSM, "initial_user": csm_user_id}
    blocks = [
        _input(StartField.CUSTOMER_NAME, locale, _text(StartField.CUSTOMER_NAME, locale)),
        _input(StartField.PLAYBOOK, locale, _playbook_select(playbooks, default_playbook, locale)),
        _input(StartField.KICKOFF, locale, kickoff),
        _input(StartField.GO_LIVE, locale, go_live, optional=True),
        _input(StartField.CHAMPION, locale, _text(StartField.CHAMPION, locale), optional=True),
        _input(
            StartField.DECISION_MAKER,
            locale,
            _text(StartField.DECISION_MAKER, locale),
            optional=True,
        ),
        _input(StartField.CSM, locale, csm),
        _input(StartField.LANG, locale, _lang_select(locale)),
        _input(
            StartField.CHANNEL_NAME, locale, _text(StartField.CHANNEL_NAME, locale), optional=True
        ),
    ]
    return modal(
        CallbackId.START_PROJECT,
        title=t(locale, "modal.title"),
        submit=t(locale, "modal.submit"),
        close=t(locale, "modal.close"),
        private_metadata=private_metadata,
        blocks=blocks,
    )


def _playbook_select(playbooks: list[tuple[str, str]], default: str, locale: str) -> Block:
    """At most `limits.SELECT_OPTIONS` playbooks; `default` selected when it is one of them."""
    options = [_option(title, name) for name, title in playbooks[: limits.SELECT_OPTIONS]]
    select: Block = {
        "type": "static_select",
        "action_id": StartField.PLAYBOOK,
        "placeholder": plain(t(locale, "modal.playbook.placeholder")),
        "options": options,
    }
    initial = next((o for o in options if o["value"] == default), None)
    if initial is not None:
        select["initial_option"] = initial
    return select


def _lang_select(locale: str) -> Block:
    """The project's language, the opener's when the bot speaks it, else English."""
    options = [_option(t(locale, f"modal.lang.{code}"), code) for code in LOCALES]
    lang = locale if locale in LOCALES else "en"
    return {
        "type": "static_select",
        "action_id": StartField.LANG,
        "options": options,
        "initial_option": next(o for o in options if o["value"] == lang),
    }


def _input(field: StartField, locale: str, element: Block, *, optional: bool = False) -> Block:
    block: Block = {
        "type": "input",
        "block_id": field,
        "label": plain(t(locale, f"modal.{field}.label")),
        "hint": plain(t(locale, f"modal.{field}.hint")),
        "element": element,
    }
    if optional:
        block["optional"] = True
    return block


# How long each text input may be: a customer name and a channel name as the bot takes them,
# an email address as RFC 5321 allows.
_MAX_LENGTHS = {
    StartField.CUSTOMER_NAME: MAX_CUSTOMER_NAME,
    StartField.CHAMPION: EMAIL_MAX_LENGTH,
    StartField.DECISION_MAKER: EMAIL_MAX_LENGTH,
    StartField.CHANNEL_NAME: MAX_CHANNEL_NAME,
}


def _text(field: StartField, locale: str) -> Block:
    return {
        "type": "plain_text_input",
        "action_id": field,
        "max_length": _MAX_LENGTHS[field],
        "placeholder": plain(t(locale, f"modal.{field}.placeholder")),
    }


def _option(text: str, value: str) -> Block:
    return {
        "text": plain(clip(text, limits.OPTION_TEXT)),
        "value": value[: limits.OPTION_VALUE],
    }

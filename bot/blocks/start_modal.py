"""The `/onboard start` modal, for CSMs who prefer a form to command options."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.blocks import limits
from bot.blocks.escape import clip
from bot.blocks.ids import CallbackId, StartField
from bot.blocks.message import Block, plain
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
    playbook_options = [_option(title, name) for name, title in playbooks[: limits.SELECT_OPTIONS]]
    playbook_select: Block = {
        "type": "static_select",
        "action_id": StartField.PLAYBOOK,
        "placeholder": plain(t(locale, "modal.playbook.placeholder")),
        "options": playbook_options,
    }
    initial = next((o for o in playbook_options if o["value"] == default_playbook), None)
    if initial is not None:
        playbook_select["initial_option"] = initial

    lang_options = [_option(t(locale, f"modal.lang.{code}"), code) for code in LOCALES]
    lang = locale if locale in LOCALES else "en"
    blocks = [
        _input(
            StartField.CUSTOMER_NAME,
            locale,
            {
                "type": "plain_text_input",
                "action_id": StartField.CUSTOMER_NAME,
                "max_length": MAX_CUSTOMER_NAME,
                "placeholder": plain(t(locale, "modal.customer_name.placeholder")),
            },
        ),
        _input(StartField.PLAYBOOK, locale, playbook_select),
        _input(
            StartField.KICKOFF,
            locale,
            {
                "type": "datepicker",
                "action_id": StartField.KICKOFF,
                "initial_date": today.isoformat(),
            },
        ),
        _input(
            StartField.GO_LIVE,
            locale,
            {
                "type": "datepicker",
                "action_id": StartField.GO_LIVE,
                "placeholder": plain(t(locale, "modal.go_live.placeholder")),
            },
            optional=True,
        ),
        _input(
            StartField.CHAMPION, locale, _email_input(StartField.CHAMPION, locale), optional=True
        ),
        _input(
            StartField.DECISION_MAKER,
            locale,
            _email_input(StartField.DECISION_MAKER, locale),
            optional=True,
        ),
        _input(
            StartField.CSM,
            locale,
            {
                "type": "users_select",
                "action_id": StartField.CSM,
                "initial_user": csm_user_id,
            },
        ),
        _input(
            StartField.LANG,
            locale,
            {
                "type": "static_select",
                "action_id": StartField.LANG,
                "options": lang_options,
                "initial_option": next(o for o in lang_options if o["value"] == lang),
            },
        ),
        _input(
            StartField.CHANNEL_NAME,
            locale,
            {
                "type": "plain_text_input",
                "action_id": StartField.CHANNEL_NAME,
                "max_length": MAX_CHANNEL_NAME,
                "placeholder": plain(t(locale, "modal.channel_name.placeholder")),
            },
            optional=True,
        ),
    ]
    return {
        "type": "modal",
        "callback_id": CallbackId.START_PROJECT,
        "title": plain(clip(t(locale, "modal.title"), limits.VIEW_TITLE)),
        "submit": plain(clip(t(locale, "modal.submit"), limits.VIEW_TITLE)),
        "close": plain(clip(t(locale, "modal.close"), limits.VIEW_TITLE)),
        "private_metadata": private_metadata,
        "blocks": blocks,
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


def _email_input(field: StartField, locale: str) -> Block:
    return {
        "type": "plain_text_input",
        "action_id": field,
        "max_length": EMAIL_MAX_LENGTH,
        "placeholder": plain(t(locale, f"modal.{field}.placeholder")),
    }


def _option(text: str, value: str) -> Block:
    return {
        "text": plain(clip(text, limits.OPTION_TEXT)),
        "value": value[: limits.OPTION_VALUE],
    }

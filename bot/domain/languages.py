"""The bot's language for a person, from what Slack says of them."""

from __future__ import annotations

from bot.domain.playbook_schema import Locale


def language_of(slack_locale: str) -> Locale:
    """Slack's `locale` (`ja-JP`, `en-US`, `fr-FR`…): Japanese for Japanese, else English."""
    return "ja" if slack_locale.lower().startswith("ja") else "en"

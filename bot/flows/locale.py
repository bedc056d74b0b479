"""Which language to answer a person in."""

from __future__ import annotations

from bot.deps import Deps
from bot.flows.context import Caller
from bot.slack.gateway import SlackError
from storage import projects as project_rows
from storage.db import session_scope


def locale_for(deps: Deps, caller: Caller) -> str:
    """The project's language in its channel; elsewhere the person's Slack language."""
    if caller.channel_id:
        with session_scope(deps.engine) as session:
            project = project_rows.by_channel(session=session, channel_id=caller.channel_id)
            if project is not None:
                return project.locale
    try:
        return deps.directory.locale_of(caller.user_id, deps.settings.default_locale)
    except SlackError:  # the answer must not fail because Slack is unreachable
        return deps.settings.default_locale

"""The digest and `onboardbot report` speak the reader's language: Japanese task titles for a
Japanese team (even for a project run in English), and no playbook keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from freezegun import freeze_time

from bot.cli import main
from bot.flows.digest import run as digest
from tests.e2e.harness import Harness

# An English-language project: the Japanese team still reads its tasks in Japanese.
START = "Acme Corp --playbook low-touch --kickoff 2027-04-05 --champion taro@acme.example --lang en"
MONDAY = datetime(2027, 4, 26, 0, 30, tzinfo=UTC)  # 09:30 in Tokyo, three weeks in


def _channel_text(bot: Harness, channel: str) -> str:
    messages = bot.sandbox.messages(channel)
    for message in list(messages):
        messages += bot.sandbox.replies(channel, message["ts"])[1:]
    return json.dumps(messages, ensure_ascii=False)


def test_japanese_digest_and_report_name_tasks_in_japanese_and_show_no_keys(  # type: ignore[no-untyped-def]
    bot: Harness, monkeypatch, capsys, tmp_path
) -> None:
    assert bot.deps.settings.default_locale == "ja"
    bot.start_project(START)
    bot.now = MONDAY
    digest(bot.deps, now=MONDAY)
    bot.settle()
    playbook = bot.deps.playbooks["low-touch"]
    posted = _channel_text(bot, bot.cs_channel)

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", bot.deps.settings.database_url)
    with freeze_time(MONDAY):
        assert main(["report", "--lang", "ja"]) == 0
    report = capsys.readouterr().out

    for text in (posted, report):
        # Overdue tasks are named (the late project's worst task, the tasks customers miss)…
        assert sum(task.title.ja in text for task in playbook.tasks) >= 2, text
        # …in Japanese only, and by title, never by key.
        assert [task.title.en for task in playbook.tasks if task.title.en in text] == []
        assert [task.id for task in playbook.tasks if task.id in text] == []
    assert "遅れが集中しているタスク" in posted and "件数が足りません" in posted
    assert report.startswith("オンボーディングレポート ")
    # The chart went to the digest's thread, titled in Japanese.
    (chart,) = bot.sandbox.files()
    assert chart["title"].startswith("オンボーディング ")

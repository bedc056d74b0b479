"""`onboardbot demo`: a kickoff in the local Slack sandbox, printed as a transcript.

Nothing here is faked: the real Bolt app serves signed requests over HTTP and calls the
sandbox's Web API through the real slack_sdk client; only Slack itself is local.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from bot.local import BOT_TOKEN, SIGNING_SECRET, LocalBot, start_local_bot
from bot.sandbox import Sandbox, SlackDriver
from bot.sandbox.transcript import Transcript
from storage import projects, tasks
from storage.db import session_scope

TEXT = {
    "ja": {
        "customer": "株式会社アクメ",
        "csm_types": "CSM の佐藤さんが /onboard start を入力",
        "accepts": "お客様の山田さんが Slack コネクトの招待を承認してチャンネルに参加",
        "identifies": "メールアドレス非公開のため、佐藤さんが「どなたでしょうか?」に推進担当者と回答",
        "ticks": "山田さんが自分のタスクを「完了」にする",
        "refused": "山田さんが弊社側のタスクを押してみる(権限がないので断られる)",
        "csm_ticks": "佐藤さんがキックオフミーティング後に弊社側のタスクを完了にする",
        "status": "佐藤さんがチャンネルで /onboard status を実行",
        "end": "デモ終了: データベース {db}",
    },
    "en": {
        "customer": "Acme Corp",
        "csm_types": "Sato (CSM) types /onboard start",
        "accepts": "Taro (customer) accepts the Slack Connect invitation and joins",
        "identifies": "Acme hides e-mail: Sato answers the bot's question, Taro is the champion",
        "ticks": "Taro marks one of his tasks done",
        "refused": "Taro presses a vendor-side task (not his: refused)",
        "csm_ticks": "Sato marks a vendor-side task done after the kickoff call",
        "status": "Sato runs /onboard status in the channel",
        "end": "Demo finished: database {db}",
    },
}


def next_monday(today: date) -> date:
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def run_demo(
    *, lang: str = "ja", write: Callable[[str], None] = print, workdir: Path | None = None
) -> int:
    """Run the scripted kickoff; returns 0 when every step did what it should."""
    text = TEXT[lang]
    folder = workdir or Path(tempfile.mkdtemp(prefix="onboardbot-demo-"))
    db = folder / "demo.db"
    with Sandbox(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN) as sandbox:
        csm = sandbox.add_user(
            "sato",
            real_name="佐藤 健二" if lang == "ja" else "Kenji Sato",
            email="sato@vendor.example",
            tz="Asia/Tokyo",
            locale="ja-JP" if lang == "ja" else "en-US",
        )
        sandbox.add_channel("cs-team", members=[csm.id])
        local = start_local_bot(
            sandbox,
            database_url=f"sqlite:///{db}",
            cs_team_channel=sandbox.channel_by_name("cs-team")["id"],
        )  # type: ignore[index]
        try:
            _script(
                local, SlackDriver(local.url, SIGNING_SECRET, sandbox), csm.id, lang, text, write
            )
        finally:
            local.close()
    write("")
    write(text["end"].format(db=db))
    return 0


def _script(
    local: LocalBot,
    driver: SlackDriver,
    csm: str,
    lang: str,
    text: dict[str, str],
    write: Callable[[str], None],
) -> None:
    sandbox = local.sandbox
    show = Transcript(sandbox, write=write)
    general = sandbox.add_channel("general", members=[csm]).id
    kickoff = next_monday(local.deps.today())

    show.step(text["csm_types"])
    command = (
        f'start "{text["customer"]}" --playbook low-touch --kickoff {kickoff} '
        f"--champion taro@acme.example --decision-maker hanako@acme.example --lang {lang}"
    )
    write(f"  ⌨  /onboard {command}")
    driver.slash(csm, general, command)
    local.settle()
    show.flush()
    with session_scope(local.deps.engine) as session:
        project = projects.with_status(session=session, statuses=("active",))[-1]
        channel = project.channel_id
        rows = tasks.of_project(session=session, project_id=project.id)  # type: ignore[arg-type]
    assert channel is not None

    show.step(text["accepts"])
    taro = sandbox.accept_shared_invite(
        channel, "taro@acme.example", name="yamada" if lang == "ja" else "taro"
    )
    local.settle()
    show.flush()

    show.step(text["identifies"])
    question = next(
        m for m in sandbox.dm_messages(csm) if "identify:champion" in str(m.get("blocks"))
    )
    driver.click_button(csm, question, "identify:champion")
    local.settle()
    show.flush()

    show.step(text["ticks"])
    mine = next(t for t in rows if t.owner_side == "customer")
    driver.click(taro.id, channel_id=channel, action_id="task_done", value=str(mine.id))
    local.settle()
    show.flush()

    show.step(text["refused"])
    vendor = next(t for t in rows if t.owner_side == "vendor")
    driver.click(taro.id, channel_id=channel, action_id="task_done", value=str(vendor.id))
    local.settle()
    show.flush()

    show.step(text["csm_ticks"])
    driver.click(csm, channel_id=channel, action_id="task_done", value=str(vendor.id))
    local.settle()
    show.flush()

    show.step(text["status"])
    driver.slash(csm, channel, "status")
    local.settle()
    show.flush()
    problems = sandbox.block_violations
    if problems:
        raise RuntimeError(f"Slack would have refused what the bot sent: {problems}")

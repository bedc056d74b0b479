"""`onboardbot demo --short`: today's kickoff only (the start, the customer joining, a task
done, a refusal, the status)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.demo.transcript import Transcript, when
from bot.demo.world import World

TOKYO = ZoneInfo("Asia/Tokyo")


def play_kickoff(world: World, show: Transcript, lang: str, *, start: datetime) -> None:
    text = show.text
    csm, champion = text["csm"], text["champion"]

    def scene(minutes: int, what: str) -> None:
        moment = start + timedelta(minutes=minutes)
        world.at(moment)
        show.flush()
        show.scene(f"{when(moment, TOKYO, text['tokyo'], lang)} · {what}")

    scene(0, text["start"].format(csm=csm))
    kickoff = start.astimezone(TOKYO).date()
    command = (
        f'start "{text["customer"]}" --playbook low-touch --kickoff {kickoff} '
        f"--champion taro@acme.example --decision-maker hanako@acme.example --lang {lang}"
    )
    show.say(text["typed"].format(text=f"/onboard {command}"))
    world.slash("csm", world.general, command)
    show.flush()
    project = world.project()
    channel = project.channel_id

    scene(30, text["joins"].format(who=champion))
    world.sandbox.accept_shared_invite(
        channel, "taro@acme.example", user_id=world.people["champion"].id
    )
    world.local.settle()
    show.flush()

    scene(35, text["identifies"].format(csm=csm))
    question = next(
        m
        for m in world.sandbox.dm_messages(world.people["csm"].id)
        if "identify:champion" in json.dumps(m.get("blocks"))
    )
    world.click_in("csm", question, "identify:champion")
    show.flush()

    tasks = world.tasks()
    mine = next(t for t in tasks.values() if t.owner_role == "champion")
    vendor = next(t for t in tasks.values() if t.owner_side == "vendor")
    for minutes, who, key, task in (
        (40, "champion", "done_checklist", mine),
        (45, "champion", "refused", vendor),
        (60, "csm", "done_checklist", vendor),
    ):
        title = task.title_ja if lang == "ja" else task.title_en
        scene(minutes, text[key].format(who=text[who], task=title))
        world.click(who, channel=channel, action_id="task_done", value=str(task.id))
        show.flush()

    scene(70, text["status"].format(csm=csm))
    world.slash("csm", channel, "status")
    show.flush()

"""The whole onboarding of one customer, scene by scene, in simulated time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.demo.transcript import Transcript, when
from bot.demo.world import World

TOKYO, SINGAPORE = ZoneInfo("Asia/Tokyo"), ZoneInfo("Asia/Singapore")
KICKOFF = date(2027, 3, 1)  # a Monday; the customer's fiscal year ends in March
STARTED = datetime(2027, 2, 26, 10, 0, tzinfo=TOKYO)  # the Friday before
BUSY = (date(2027, 3, 22), date(2027, 3, 31))  # the fiscal year-end close
GO_LIVE = date(2027, 4, 9)
MISSED = "admin-settings"  # the champion's task left open: the escalation ladder
MORE_TIME = ("import-data", date(2027, 3, 16))
CSM_ALERTED = date(2027, 3, 9)  # 2 business days overdue: the CSM's step
ESCALATED = date(2027, 3, 12)  # 5 business days overdue: the decision-maker's step
# When the demo looks at the clock between scenes: 09:00 in Tokyo and 09:00 in Singapore,
# each day. Every job whose trigger fired since the last look runs once then (APScheduler's
# coalescing after a pause): the reminders' and escalations' ten-minute runs and the hourly
# jobs between two mornings come to one run each, at the reminder hour of each zone.
TICKS = (time(0, 0), time(1, 0))


def tokyo(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TOKYO)


class Story:
    def __init__(self, world: World, show: Transcript, lang: str) -> None:
        self.world, self.show, self.lang = world, show, lang
        self.text = show.text
        self.channel = ""
        self.zone = {"tokyo": self.text["tokyo"], "singapore": self.text["singapore"]}

    # -- helpers --------------------------------------------------------------------------
    def name(self, who: str) -> str:
        return self.text[who]

    def scene(self, moment: datetime, what: str) -> None:
        """Run the jobs up to `moment`, then head the scene: when, and who does what."""
        self.until(moment)
        self.world.at(moment)
        self.show.flush()
        self.show.scene(f"{when(moment, TOKYO, self.zone['tokyo'], self.lang)} · {what}")

    def until(self, moment: datetime, *, full: set[date] | frozenset[date] = frozenset()) -> None:
        """Each scheduler tick before `moment`, headed only when something was sent; on the
        `full` days every message is shown in full."""
        for tick in self._ticks(self.world.now, moment):
            ran = self.world.at(tick)
            if not ran:
                continue
            heading = when(tick, TOKYO, self.zone["tokyo"], self.lang)
            local = tick.astimezone(SINGAPORE)
            if local.hour == 9:
                heading += " " + self.text["also_local"].format(
                    hour=local.hour, minute=local.minute, zone=self.zone["singapore"]
                )
            labels = [
                self.text[f"job.{kind}"]
                for kind in self.show.sent_kinds()
                if f"job.{kind}" in self.text
            ]
            what = self.text["and"].join(labels) or self.text["jobs"]
            self.show.scene(f"{heading} · {self.text['scheduler']}: {what}", lazy=True)
            self.show.flush(full=tick.astimezone(TOKYO).date() in full)

    @staticmethod
    def _ticks(after: datetime, before: datetime) -> Iterator[datetime]:
        day = after.astimezone(UTC).date()
        while day <= before.astimezone(UTC).date():
            for at in TICKS:
                moment = datetime.combine(day, at, UTC)
                if after < moment < before:
                    yield moment
            day += timedelta(days=1)

    def done(self, moment: datetime, who: str, key: str, *, from_dm: bool) -> None:
        """`who` marks a task done: from the newest DM holding its Done button (a reminder,
        or the CSM's morning summary), or from the checklist."""
        task = self.world.tasks()[key]
        title = task.title_ja if self.lang == "ja" else task.title_en
        self.until(moment)
        message = None
        if from_dm:
            dm = self.world.dm_channel(who)
            message = next(
                m
                for m in reversed(self.world.sandbox.messages(dm))
                if f'"value": "{task.id}"' in _json(m.get("blocks"))
            )
            outbox_key = str(
                ((message.get("metadata") or {}).get("event_payload") or {}).get("key")
            )
            what = self.text["done_summary" if outbox_key.startswith("summary:") else "done_dm"]
        else:
            what = self.text["done_checklist"]
        self.scene(moment, what.format(who=self.name(who), task=title))
        if message is not None:
            self.world.click_in(who, message, "task_done", str(task.id))
        else:
            self.world.click(who, channel=self.channel, action_id="task_done", value=str(task.id))
        self.show.flush()

    # -- the scenes ---------------------------------------------------------------------
    def play(self) -> None:
        self.cast()
        self.kickoff()
        self.customers_join()
        self.plan_the_schedule()
        self.first_week()
        self.escalation()
        self.to_the_finish()
        self.adoption()

    def cast(self) -> None:
        t = self.text
        self.show.scene(t["cast"])
        self.show.say(t["cast.note"])
        self.show.say(t["cast.csm"].format(name=t["csm"], zone=t["tokyo"]))
        self.show.say(t["cast.manager"].format(name=t["manager"], zone=t["tokyo"]))
        for role, zone in (("champion", "tokyo"), ("decision_maker", "singapore")):
            self.show.say(
                t[f"cast.{role}"].format(name=t[role], customer=t["customer"], zone=t[zone])
            )

    def kickoff(self) -> None:
        self.scene(STARTED, self.text["start"].format(csm=self.name("csm")))
        command = (
            f'start "{self.text["customer"]}" --playbook low-touch --kickoff {KICKOFF} '
            f"--champion taro@acme.example --decision-maker hanako@acme.example --lang {self.lang}"
        )
        self.show.say(self.text["typed"].format(text=f"/onboard {command}"))
        self.world.slash("csm", self.world.general, command)
        self.show.flush()
        self.channel = self.world.project().channel_id

    def customers_join(self) -> None:
        for n, (who, email) in enumerate(
            (("champion", "taro@acme.example"), ("decision_maker", "hanako@acme.example"))
        ):
            self.scene(
                tokyo(STARTED.date(), 13, 30 * n),
                self.text["joins"].format(who=self.name(who)),
            )
            self.world.sandbox.accept_shared_invite(
                self.channel, email, user_id=self.world.people[who].id
            )
            self.world.local.settle()
            self.world.pause()
            self.show.flush()

    def plan_the_schedule(self) -> None:
        who = "champion"
        self.scene(tokyo(STARTED.date(), 15), self.text["plan_opens"].format(who=self.name(who)))
        prompt = next(
            m
            for m in self.world.sandbox.messages(self.channel)
            if "plan_schedule" in _json(m.get("blocks"))
        )
        self.world.click_in(who, prompt, "plan_schedule")
        self.show.flush()
        start, end = BUSY
        self.scene(
            tokyo(STARTED.date(), 15, 5),
            self.text["plan_answers"].format(
                who=self.name(who), start=_md(start, self.lang), end=_md(end, self.lang)
            ),
        )
        note = (
            "年度末の決算業務で、経理と情報システムの手が空きにくくなります。"
            if self.lang == "ja"
            else "Year-end closing keeps finance and IT busy."
        )
        initiatives = "4月の組織変更" if self.lang == "ja" else "The April reorganisation"
        values = {
            "busy1_start": {"busy1_start": start.isoformat()},
            "busy1_end": {"busy1_end": end.isoformat()},
            "slip_reason": {"slip_reason": "other_priorities"},
            "slip_note": {"slip_note": note},
            "initiatives": {"initiatives": initiatives},
            "go_live": {"go_live": GO_LIVE.isoformat()},
        }
        self.show.say(
            self.text["form_filled"].format(
                who=self.name(who),
                fields=f"{start}〜{end} / {note} / {initiatives} / {GO_LIVE}"
                if self.lang == "ja"
                else f"{start}–{end} / {note} / {initiatives} / {GO_LIVE}",
            )
        )
        self.world.submit(who, values)
        self.show.flush()

    def first_week(self) -> None:
        self.done(tokyo(KICKOFF, 11), "csm", "kickoff-call", from_dm=False)
        self.done(tokyo(KICKOFF, 11, 30), "champion", "busy-periods", from_dm=True)
        self.done(tokyo(date(2027, 3, 3), 11), "decision_maker", "confirm-goal", from_dm=True)
        key, new_due = MORE_TIME
        task = self.world.tasks()[key]
        title = task.title_ja if self.lang == "ja" else task.title_en
        self.scene(
            tokyo(date(2027, 3, 4), 14),
            self.text["more_time"].format(
                who=self.name("champion"), task=title, date=_md(new_due, self.lang)
            ),
        )
        checklist = self.world.project().checklist_ts[0]
        self.world.click(
            "champion",
            channel=self.channel,
            action_id="task_more_time",
            value=str(task.id),
            ts=checklist,
        )
        self.world.submit(
            "champion",
            {
                "new_due": {"new_due": new_due.isoformat()},
                "reason": {"reason": "data_preparation"},
                "note": {
                    "note": "基幹システムからの出力に社内承認が必要です。"
                    if self.lang == "ja"
                    else "Exporting from our core system needs an internal approval."
                },
            },
        )
        self.show.flush()

    def escalation(self) -> None:
        """The champion's task stays open: the CSM's morning summary names it; 5 business days
        late, the decision-maker's message waits for the CSM as a draft, is sent, arrives."""
        task = self.world.tasks()[MISSED]
        title = task.title_ja if self.lang == "ja" else task.title_en
        self.scene(
            tokyo(task.due, 18),
            self.text["missed"].format(task=title, date=_md(task.due, self.lang)),
        )
        # The CSM hears first (2 business days overdue), the decision-maker later: those
        # mornings in full.
        self.until(tokyo(CSM_ALERTED, 12), full={CSM_ALERTED})
        # Our own task that waits for it is checked on its due date all the same.
        review = self.world.tasks()["setup-check"]
        self.done(tokyo(review.due, 16), "csm", review.key, from_dm=True)
        self.until(tokyo(ESCALATED, 10), full={ESCALATED})
        draft = self._draft()
        if draft is None:
            raise RuntimeError("no draft for the decision-maker in the CSM's DM")
        self.scene(
            tokyo(ESCALATED, 10),
            self.text["draft_send"].format(
                csm=self.name("csm"), decision_maker=self.name("decision_maker")
            ),
        )
        self.world.click_in("csm", draft, "escalation_send")
        self.show.flush(full=True)
        self.done(tokyo(ESCALATED, 11), "champion", MISSED, from_dm=True)

    def _draft(self) -> dict[str, Any] | None:
        """The newest draft for the decision-maker waiting in the CSM's DM, if any."""
        drafts = [
            m
            for m in self.world.sandbox.dm_messages(self.world.people["csm"].id)
            if str(
                ((m.get("metadata") or {}).get("event_payload") or {}).get("key", "")
            ).startswith("escalation:draft:")
            and "escalation_send" in _json(m.get("blocks"))
        ]
        return drafts[-1] if drafts else None

    def to_the_finish(self) -> None:
        """Every remaining required task done on its due date by its owner."""
        while True:
            open_tasks = sorted(
                (t for t in self.world.tasks().values() if t.status == "open" and t.required),
                key=lambda t: (t.due, t.position),
            )
            if not open_tasks:
                break
            task = open_tasks[0]
            who = (
                "csm"
                if task.owner_side == "vendor"
                else ("decision_maker" if task.owner_role == "decision_maker" else "champion")
            )
            moment = max(tokyo(task.due, 16), self.world.now + timedelta(minutes=1))
            self.done(moment, who, task.key, from_dm=who != "csm")
        survey = next(
            m
            for m in reversed(self.world.sandbox.messages(self.channel))
            if "survey_csat" in _json(m.get("blocks"))
        )
        self.scene(
            self.world.now + timedelta(hours=1),
            self.text["survey"].format(who=self.name("champion")),
        )
        project_id = self.world.project().id
        self.world.click_in("champion", survey, "survey_csat:5", f"{project_id}:5")
        self.world.click_in("champion", survey, "survey_nps:9", f"{project_id}:9")
        self.world.click_in("champion", survey, "survey_comment", str(project_id))
        self.world.submit(
            "champion",
            {
                "comment": {
                    "comment": "手順が明確で、社内にも説明しやすかったです。"
                    if self.lang == "ja"
                    else "Clear steps, easy to explain internally."
                }
            },
        )
        self.show.flush()

    def adoption(self) -> None:
        """The check-in comes the first business morning 30 days after completion."""
        completed = self.world.now
        day = completed.astimezone(TOKYO).date()
        while (checkin := self._checkin()) is None:
            day += timedelta(days=1)
            if day > completed.date() + timedelta(days=40):
                raise RuntimeError("no adoption check-in 30 days after completion")
            self.until(tokyo(day, 12))
        self.scene(
            self.world.now + timedelta(hours=1),
            self.text["checkin"].format(who=self.name("champion")),
        )
        self.world.click_in("champion", checkin, "checkin:regularly", str(self.world.project().id))
        self.show.flush()

    def _checkin(self) -> dict[str, Any] | None:
        return next(
            (
                m
                for m in self.world.sandbox.messages(self.channel)
                if "checkin:regularly" in _json(m.get("blocks"))
            ),
            None,
        )


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _md(day: date, lang: str) -> str:
    return f"{day.month}/{day.day}"

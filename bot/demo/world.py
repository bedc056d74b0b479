"""The demo's world: the sandbox, the real bot on it, simulated time and the scheduler's jobs.

Time is simulated with the e2e tests' `WorldClock`: the bot reads it through `Deps.clock`,
exactly where it reads the real clock in production. Moving time forward runs each
scheduled job whose trigger fired in between, once, at the new moment: what APScheduler
does with `coalesce=True` (`schedules.scheduler`), through the same `run_job`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.local import LocalBot
from bot.slack.pacing import Pacer
from schedules.scheduler import job_specs, run_job
from slack_sandbox import Sandbox, SlackDriver, User
from slack_sandbox.clock import WorldClock
from storage import projects, tasks
from storage.db import session_scope

PAUSE = 5.0  # seconds between two things a person does (Slack's rate limits refill)


@dataclass
class World:
    local: LocalBot
    driver: SlackDriver
    clock: WorldClock
    people: dict[str, User] = field(default_factory=dict)
    general: str = ""  # a channel of ours where the CSM types commands

    @property
    def sandbox(self) -> Sandbox:
        return self.local.sandbox

    @property
    def now(self) -> datetime:
        return self.clock.now

    def attach(self) -> None:
        """Point the bot's clock and pacing at the simulated time."""
        self.local.deps.clock = lambda: self.clock.now
        self.local.deps.gateway.pacer = Pacer(clock=self.clock.monotonic)

    def at(self, moment: datetime) -> list[str]:
        """Move time to `moment`, running the jobs due since the last moment (each once);
        returns their names."""
        if moment < self.clock.now:
            raise ValueError(f"time runs forward: {moment} < {self.clock.now}")
        before = self.clock.now
        self.clock.now = moment
        ran = []
        for spec in job_specs(self.local.deps):
            fire = spec.trigger.get_next_fire_time(None, before + timedelta(microseconds=1))
            if (
                fire is not None
                and fire <= moment
                and run_job(self.local.deps, spec.name, now=moment, runner="demo") is not None
            ):
                ran.append(spec.name)
        self.local.settle()
        return ran

    def pause(self) -> None:
        self.clock.advance(PAUSE)

    # -- what people do, through the driver ---------------------------------------------
    def slash(self, who: str, channel: str, text: str) -> None:
        self.driver.slash(self.people[who].id, channel, text)
        self.local.settle()
        self.pause()

    def click(
        self,
        who: str,
        *,
        channel: str,
        action_id: str,
        value: str | None = None,
        ts: str | None = None,
    ) -> None:
        self.driver.click(
            self.people[who].id, channel_id=channel, action_id=action_id, value=value, message_ts=ts
        )
        self.local.settle()
        self.pause()

    def click_in(
        self, who: str, message: dict[str, Any], action_id: str, value: str | None = None
    ) -> None:
        self.driver.click_button(self.people[who].id, message, action_id, value)
        self.local.settle()
        self.pause()

    def submit(self, who: str, values: dict[str, dict[str, Any]]) -> None:
        user = self.people[who].id
        view_id = self.sandbox.views_for(user)[-1]["id"]
        answer = self.driver.submit_view(user, view_id, values)
        errors = (answer.json or {}).get("errors") if isinstance(answer.json, dict) else None
        if answer.status != 200 or errors:
            raise RuntimeError(f"the form was refused: {answer.status} {errors or answer.text}")
        self.local.settle()
        self.pause()

    def dm_channel(self, who: str) -> str:
        with self.sandbox.workspace.lock:
            return self.sandbox.workspace.im_for(self.people[who].id).id

    # -- reading the bot's database (the driver's side: what to click next) ---------------
    def project(self) -> Any:
        with session_scope(self.local.deps.engine) as session:
            return projects.with_status(
                session=session, statuses=("active", "paused", "completed")
            )[-1]

    def tasks(self) -> dict[str, Any]:
        """The project's tasks by playbook key, as the database holds them now."""
        project = self.project()
        with session_scope(self.local.deps.engine) as session:
            return {t.key: t for t in tasks.of_project(session=session, project_id=project.id)}

"""The whole bot on this machine, as the `http_ack` and `click_to_checklist` sections drive it.

The real Bolt app on the real HTTP server (waitress, `bot.server.make_server`), its
WebClient pointed at the local Slack sandbox, and `SlackDriver` sending the signed
requests Slack would send. One project is started the way a CSM starts it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import percentile, scratch_database
from bot.local import LocalBot, start_local_bot
from slack_sandbox import Sandbox, SlackDriver
from storage import projects
from storage.db import session_scope

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench-token"
KICKOFF = "2027-04-05"
SETUP_SECONDS = 180.0


@dataclass
class SeededBot:
    local: LocalBot
    driver: SlackDriver
    csm: str  # the CSM's user id (CS staff: a member of the CS team channel)
    general: str
    channel: str  # the project's channel
    project_id: int
    checklist_ts: list[str]
    staff: list[str] = field(default_factory=list)  # more CS colleagues (user ids)

    @property
    def sandbox(self) -> Sandbox:
        return self.local.sandbox


@contextmanager
def seeded_bot(
    backend: str,
    workdir: Path,
    *,
    url: str | None = None,
    playbook: str = "low-touch",
    staff: int = 0,
) -> Iterator[SeededBot]:
    """Sandbox + bot on a scratch database of `backend` (or the database at `url`, e.g. a
    filled portfolio), with one project of `playbook` started, and `staff` more CS
    colleagues of the CSM (members of the CS team channel)."""
    with (
        scratch_database(backend, workdir, name="slack") as scratch,
        Sandbox(signing_secret=SECRET, bot_token=TOKEN) as sandbox,
    ):
        url = url or scratch
        csm = sandbox.add_user(
            "sato", real_name="Sato Kenji", email="sato@vendor.example", tz="Asia/Tokyo"
        ).id
        colleagues = [
            sandbox.add_user(f"staff{n}", email=f"staff{n}@vendor.example", tz="Asia/Tokyo").id
            for n in range(staff)
        ]
        cs_team = sandbox.add_channel("cs-team", members=[csm, *colleagues]).id
        general = sandbox.add_channel("general", members=[csm]).id
        local = start_local_bot(sandbox, database_url=url, cs_team_channel=cs_team)
        try:
            driver = SlackDriver(local.url, SECRET, sandbox)
            answer = driver.slash(
                csm, general, f"start Acme --kickoff {KICKOFF} --playbook {playbook}"
            )
            # Setup, not measurement: on a filled portfolio the start reads every project
            # created in the last days (the portfolio's dates are ahead of today's clock).
            local.settle(timeout=SETUP_SECONDS)
            if answer.status != 200:
                raise RuntimeError(f"/onboard start answered {answer.status}: {answer.text}")
            with session_scope(local.deps.engine) as session:
                started = projects.with_status(session=session, statuses=("active",))
            started = [p for p in started if p.customer_name == "Acme"]
            if not started or not started[-1].channel_id or not started[-1].checklist_ts:
                raise RuntimeError("/onboard start made no project with a channel and checklist")
            project = started[-1]
            assert project.id is not None and project.channel_id is not None
            for colleague in colleagues:  # they join the customer's channel to help out
                sandbox.join_channel(project.channel_id, colleague)
            yield SeededBot(
                local=local,
                driver=driver,
                csm=csm,
                general=general,
                channel=project.channel_id,
                project_id=project.id,
                checklist_ts=list(project.checklist_ts),
                staff=colleagues,
            )
        finally:
            local.settle()
            local.server.task_dispatcher.shutdown()  # see bench.http_ack.stop_server
            local.close()


def latency_summary(values: Sequence[float]) -> str:
    """min / p50 / p90 / p99 / max in milliseconds, for the log."""
    ms = [v * 1000 for v in values]
    return (
        f"min {min(ms):.1f} / p50 {percentile(ms, 50):.1f} / p90 {percentile(ms, 90):.1f}"
        f" / p99 {percentile(ms, 99):.1f} / max {max(ms):.1f} ms over {len(ms)}"
    )

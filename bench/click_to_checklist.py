"""Section `click_to_checklist`: from a Done (or Undo) click to the checklist edited in Slack.

The bot is the real one against the local Slack sandbox (see `bench.sandboxed`), on a
copy of the `--projects` portfolio (10,000 by default: bench.cache), with one more project
started with the high-touch playbook (a full-size checklist). The CSM and two colleagues
click at once, each on a task of their own, Done then Undo and so on (`--clicks` in all).
A round of clicks starts every 8 seconds (people's pace: the checklist's chat.update is
Tier 3, 50 a minute for the whole workspace, two edits per refresh). Each click is timed
from just before its signed request leaves to the moment the sandbox recorded the bot's
`chat.update` of the checklist message showing that task in its new state (`ApiCall.at`,
both on the wall clock). The baseline is the clicks' own ack latency. Each backend has
its own bot and Slack; their rounds take turns, half a round apart, so one backend's
clicks never meet the other's work and the section waits out the 8 seconds once.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.cache import filled_copy
from bench.common import Row, backends, percentile
from bench.morning import portfolio_fill
from bench.sandboxed import SeededBot, latency_summary, seeded_bot
from bot.blocks.ids import ActionId
from slack_sandbox import ApiCall
from storage import tasks
from storage.db import session_scope

WARMUP = 2  # rounds
WAIT_SECONDS = 15.0
POLL_SECONDS = 0.002
CLICKERS = 3  # the CSM and two colleagues, at once
# A round of clicks every few seconds: people's pace, which keeps the checklist's edits
# within Slack's budget: chat.update is Tier 3 (50 a minute for the whole workspace), and
# a full-size checklist is two messages, so each click's refresh costs two edits.
ROUND_SECONDS = 8.0
TARGET_P99 = 0.300


def section(options: argparse.Namespace, *, log: Callable[[str], None] = print) -> list[Row]:
    """Each backend's bot on its own copy of the portfolio and its own Slack; their rounds
    of clicks take turns (one backend clicks while the other waits out its 8 seconds)."""
    with ExitStack() as stack:
        bots: list[tuple[str, SeededBot]] = []
        for backend, problem in backends(options.backend):
            if problem:
                log(f"click_to_checklist/{backend}: skipped: {problem}")
                continue
            workdir = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="onboardbot-bench-"))
            )
            url = stack.enter_context(
                filled_copy(
                    backend,
                    workdir,
                    f"digest-{options.projects}",
                    portfolio_fill(options.projects),
                    fresh=options.fresh,
                    log=log,
                )
            )
            bot = stack.enter_context(
                seeded_bot(backend, workdir, url=url, playbook="high-touch", staff=CLICKERS - 1)
            )
            bots.append((backend, bot))
        return _measure(bots, options, log)


def _walk(blocks: Any) -> Iterator[dict[str, Any]]:
    if isinstance(blocks, dict):
        yield blocks
        for value in blocks.values():
            yield from _walk(value)
    elif isinstance(blocks, list):
        for item in blocks:
            yield from _walk(item)


def _shows(call: ApiCall, action: str, value: str) -> bool:
    """The update shows the task's button `action` (Undo once done, Done once undone)."""
    return any(
        element.get("action_id") == action and element.get("value") == value
        for element in _walk(call.args.get("blocks"))
    )


def _checklist_update(
    bot: SeededBot, message_ts: str, since: float, *, action: str, value: str
) -> ApiCall:
    """The first `chat.update` of checklist message `message_ts` after `since` showing
    the task's `action` button."""
    deadline = time.monotonic() + WAIT_SECONDS
    seen = 0
    while time.monotonic() < deadline:
        calls = bot.sandbox.calls("chat.update")
        for call in calls[seen:]:
            if call.at >= since and call.args.get("ts") == message_ts:
                if not call.result.get("ok"):
                    raise RuntimeError(f"chat.update of the checklist failed: {call.result}")
                if _shows(call, action, value):
                    return call
        seen = max(0, len(calls) - 50)
        time.sleep(POLL_SECONDS)
    updates = [
        (round(c.at - since, 3), c.args.get("ts"), _shows(c, action, value))
        for c in bot.sandbox.calls("chat.update")
    ]
    raise TimeoutError(
        f"no chat.update of checklist message {message_ts} showing {action} of task {value}"
        f" in {WAIT_SECONDS} s; updates (at, ts, shows): {updates}"
    )


@dataclass
class _Clicks:
    """One backend's clickers, their tasks and what their clicks took."""

    backend: str
    bot: SeededBot
    tasks: int
    picked: list[str]
    to_checklist: list[float] = field(default_factory=list)
    acks: list[float] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def clickers(self) -> list[str]:
        return [self.bot.csm, *self.bot.staff]

    def click(self, user: str, value: str, n: int) -> None:
        """Round `n`'s click of `user` on task `value` (Done on even rounds, Undo on odd)."""
        bot = self.bot
        try:
            action = ActionId.TASK_DONE if n % 2 == 0 else ActionId.TASK_UNDO
            then = ActionId.TASK_UNDO if n % 2 == 0 else ActionId.TASK_DONE
            ref = bot.sandbox.find_button(bot.channel, action, value)
            if ref.message_ts not in bot.checklist_ts:
                raise RuntimeError(f"{action} of task {value} is not on the pinned checklist")
            started = time.time()
            answer = bot.driver.press(user, ref, value=value)
            if answer.status != 200:
                raise RuntimeError(f"{action} click answered {answer.status}: {answer.text}")
            assert ref.message_ts is not None
            update = _checklist_update(bot, ref.message_ts, started, action=then, value=value)
            if n >= WARMUP:
                with self.lock:
                    self.to_checklist.append(update.at - started)
                    self.acks.append(answer.elapsed)
        except BaseException as exc:  # surfaced by the round
            self.errors.append(exc)

    def round(self, n: int) -> None:
        """Everyone clicks at once; then the work behind the clicks is let finish."""
        self.bot.sandbox.clear_logs()  # keeps the polled call log short
        threads = [
            threading.Thread(target=self.click, args=(user, value, n))
            for user, value in zip(self.clickers, self.picked, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if self.errors:
            raise self.errors[0]
        self.bot.local.settle()  # the thread notes and the App Home refreshes follow


def _clicks(backend: str, bot: SeededBot) -> _Clicks:
    with session_scope(bot.local.deps.engine) as session:
        rows = tasks.of_project(session=session, project_id=bot.project_id)
    picked = [str(rows[len(rows) // 2 + n].id) for n in range(1 + len(bot.staff))]
    return _Clicks(backend, bot, len(rows), picked)


def _measure(
    bots: list[tuple[str, SeededBot]], options: argparse.Namespace, log: Callable[[str], None]
) -> list[Row]:
    """Rounds of clicks every ROUND_SECONDS on each backend, the backends' rounds spread
    evenly in between (never at the same moment)."""
    every = [_clicks(backend, bot) for backend, bot in bots]
    for clicks in every:
        log(f"click_to_checklist/{clicks.backend}: checklist of {clicks.tasks} tasks")
    rounds = WARMUP + max(1, options.clicks // CLICKERS)
    origin = time.monotonic()
    for n in range(rounds):
        for i, clicks in enumerate(every):
            slot = origin + (n + i / len(every)) * ROUND_SECONDS
            time.sleep(max(0.0, slot - time.monotonic()))
            clicks.round(n)
    rows: list[Row] = []
    for clicks in every:
        rows += _rows(clicks, options, log)
    return rows


def _rows(clicks: _Clicks, options: argparse.Namespace, log: Callable[[str], None]) -> list[Row]:
    backend, to_checklist, acks = clicks.backend, clicks.to_checklist, clicks.acks
    log(f"click_to_checklist/{backend}: click → chat.update  {latency_summary(to_checklist)}")
    log(f"click_to_checklist/{backend}: click ack           {latency_summary(acks)}")
    note = (
        f"{len(acks)} clicks, {CLICKERS} people at once every {ROUND_SECONDS:g} s,"
        f" {clicks.tasks}-task checklist, {options.projects:,} projects; baseline: the click's ack"
    )
    return [
        Row(
            "click_to_checklist.p50",
            backend,
            percentile(to_checklist, 50),
            baseline=percentile(acks, 50),
            note=note,
        ),
        Row(
            "click_to_checklist.p99",
            backend,
            percentile(to_checklist, 99),
            baseline=percentile(acks, 99),
            max_value=TARGET_P99,
            note=note,
        ),
    ]

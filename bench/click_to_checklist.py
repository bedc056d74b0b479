"""Section `click_to_checklist`: from a Done (or Undo) click to the checklist edited in Slack.

The bot is the real one against the local Slack sandbox (see `bench.sandboxed`), with one
project started. The CSM clicks Done on a task of the pinned checklist, then Undo on the
same task, and so on. Each click is timed from just before its signed request leaves to
the moment the sandbox recorded the bot's `chat.update` of the checklist message holding
that task (`ApiCall.at`, both on the wall clock). The baseline is the click's own ack
latency (the HTTP round trip): what the click costs before any work is done.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.common import Row, backends, percentile
from bench.sandboxed import SeededBot, latency_summary, seeded_bot
from bot.blocks.ids import ActionId
from bot.sandbox import ApiCall
from storage import tasks
from storage.db import session_scope

WARMUP = 4
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.002


def section(options: argparse.Namespace, *, log: Callable[[str], None] = print) -> list[Row]:
    rows: list[Row] = []
    for backend, problem in backends(options.backend):
        if problem:
            log(f"click_to_checklist/{backend}: skipped: {problem}")
            continue
        with (
            tempfile.TemporaryDirectory(prefix="onboardbot-bench-") as workdir,
            seeded_bot(backend, Path(workdir)) as bot,
        ):
            rows += _measure(bot, backend, options, log)
    return rows


def _checklist_update(bot: SeededBot, message_ts: str, since: float) -> ApiCall:
    """The first `chat.update` of the checklist message `message_ts` recorded after `since`."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        for call in bot.sandbox.calls("chat.update"):
            if call.at >= since and call.args.get("ts") == message_ts:
                if not call.result.get("ok"):
                    raise RuntimeError(f"chat.update of the checklist failed: {call.result}")
                return call
        time.sleep(POLL_SECONDS)
    raise TimeoutError(f"no chat.update of checklist message {message_ts} in {WAIT_SECONDS} s")


def _measure(
    bot: SeededBot, backend: str, options: argparse.Namespace, log: Callable[[str], None]
) -> list[Row]:
    with session_scope(bot.local.deps.engine) as session:
        rows = tasks.of_project(session=session, project_id=bot.project_id)
    task = rows[len(rows) // 2]  # a task in the middle: neither first value nor the last one
    value = str(task.id)
    to_checklist: list[float] = []
    acks: list[float] = []
    for n in range(WARMUP + options.clicks):
        action = ActionId.TASK_DONE if n % 2 == 0 else ActionId.TASK_UNDO
        ref = bot.sandbox.find_button(bot.channel, action, value)
        if ref.message_ts not in bot.checklist_ts:
            raise RuntimeError(f"{action} of task {value} is not on the pinned checklist")
        bot.sandbox.clear_logs()  # keeps the polled call log short; the bot is idle here
        started = time.time()
        answer = bot.driver.press(bot.csm, ref, value=value)
        if answer.status != 200:
            raise RuntimeError(f"{action} click answered {answer.status}: {answer.text}")
        assert ref.message_ts is not None
        update = _checklist_update(bot, ref.message_ts, started)
        bot.local.settle()  # the thread note and the App Home refresh follow the update
        if n >= WARMUP:
            to_checklist.append(update.at - started)
            acks.append(answer.elapsed)
    log(f"click_to_checklist/{backend}: click → chat.update  {latency_summary(to_checklist)}")
    log(f"click_to_checklist/{backend}: click ack           {latency_summary(acks)}")
    note = f"{len(acks)} clicks (Done/Undo); baseline: the click's ack; no target set"
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
            note=note,
        ),
    ]

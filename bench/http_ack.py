"""Section `http_ack`: how fast the bot acknowledges `/onboard status` over HTTP.

The bot is the real one (`bot.local.start_local_bot`: Bolt app, listeners, our WSGI
wrapper with metrics and logging context, waitress) against the local Slack sandbox,
with one project started. The baseline is a bare Bolt app whose only listener acks
`/onboard`, served by the same `bot.server.make_server` on another port of the same
process. One `SlackDriver` per app sends the same signed slash command to each, in
turns; the ack latency is the HTTP round trip (`DriverResponse.elapsed`). After each
command the bot's work behind the ack (the status reply) is let finish, so every
request meets an idle bot and the two apps are compared like for like.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bench.common import Row, backends, percentile
from bench.sandboxed import SECRET, TOKEN, SeededBot, latency_summary, seeded_bot
from bot.server import make_server
from slack_sandbox import DriverResponse, Sandbox, SlackDriver

TARGET_P99_RATIO = 2.0
WARMUP = 10


@contextmanager
def bare_app(sandbox: Sandbox) -> Iterator[str]:
    """A Bolt app that only acks `/onboard`, on waitress; yields its `/slack/events` URL."""
    app = App(
        signing_secret=SECRET,
        token_verification_enabled=False,
        client=WebClient(base_url=sandbox.api_url, token=TOKEN),
    )

    @app.command("/onboard")
    def only_ack(ack: Any) -> None:
        ack()

    server = make_server(SlackRequestHandler(app), host="127.0.0.1", port=0)
    thread = threading.Thread(target=_serve, args=(server,), name="bare-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/slack/events"
    finally:
        stop_server(server)
        thread.join(timeout=5)


def stop_server(server: Any) -> None:
    """Let waitress' worker threads finish, then close. `close()` alone closes the wake-up
    pipe under a worker that is still wrapping up a request (EBADF traceback on stderr)."""
    server.task_dispatcher.shutdown()
    server.close()


def _serve(server: Any) -> None:
    with contextlib.suppress(OSError):  # close() from another thread ends run() this way
        server.run()


def section(options: argparse.Namespace, *, log: Callable[[str], None] = print) -> list[Row]:
    rows: list[Row] = []
    for backend, problem in backends(options.backend):
        if problem:
            log(f"http_ack/{backend}: skipped: {problem}")
            continue
        with (
            tempfile.TemporaryDirectory(prefix="onboardbot-bench-") as workdir,
            seeded_bot(backend, Path(workdir)) as bot,
            bare_app(bot.sandbox) as bare_url,
        ):
            rows += _measure(bot, SlackDriver(bare_url, SECRET, bot.sandbox), backend, options, log)
    return rows


def _status(bot: SeededBot) -> DriverResponse:
    answer = bot.driver.slash(bot.csm, bot.channel, "status")
    bot.local.settle()
    return answer


def _measure(
    bot: SeededBot,
    bare: SlackDriver,
    backend: str,
    options: argparse.Namespace,
    log: Callable[[str], None],
) -> list[Row]:
    acks: list[float] = []
    bare_acks: list[float] = []
    replies_before = len(bot.sandbox.calls("response_url"))
    for n in range(WARMUP + options.requests):
        # Alternate who goes first, so neither always meets the other's leftovers.
        first, second = (bare, None) if n % 2 == 0 else (None, bare)
        for driver in (first, second):
            answer = (
                _status(bot) if driver is None else driver.slash(bot.csm, bot.channel, "status")
            )
            if answer.status != 200:
                who = "bot" if driver is None else "bare app"
                raise RuntimeError(f"{who} answered /onboard status with {answer.status}")
            if n >= WARMUP:
                (acks if driver is None else bare_acks).append(answer.elapsed)
    replies = len(bot.sandbox.calls("response_url")) - replies_before
    log(f"http_ack/{backend}: bot   {latency_summary(acks)}; {replies} status replies posted")
    log(f"http_ack/{backend}: bare  {latency_summary(bare_acks)}")
    if options.profile:  # cProfile sees only its own thread, not waitress' or Bolt's
        log(f"http_ack/{backend}: --profile: not available (the work runs in server threads)")
    note = f"{len(acks)} × /onboard status, settled between"
    return [
        Row(
            "http_ack.p50",
            backend,
            percentile(acks, 50),
            baseline=percentile(bare_acks, 50),
            note=f"{note}; baseline: bare Bolt ack",
        ),
        Row(
            "http_ack.p99",
            backend,
            percentile(acks, 99),
            baseline=percentile(bare_acks, 99),
            max_ratio=TARGET_P99_RATIO,
            note=f"{note}; baseline: bare Bolt ack",
        ),
    ]

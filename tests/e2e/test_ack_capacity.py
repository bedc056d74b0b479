"""Acknowledgements have their own capacity: slow post-ack work never delays them.

Slack wants an answer within 3 seconds. Work after the answer (Web API calls on a slow
Slack, the pacer's Tier 2 waits, Retry-After sleeps) runs on its own pool, so a burst of
clicks while Slack takes 4 s a call, or `/onboard help` behind 20 starts waiting on the
pacer, is still acknowledged at once.
"""

from __future__ import annotations

import threading
import time

from bot.slack.pacing import Pacer
from tests.e2e.harness import Harness, project_tasks


def test_30_quick_clicks_while_slack_takes_4_seconds_a_call_are_all_acked_in_time(
    bot: Harness,
) -> None:
    channel = bot.start_project("Acme Corp --playbook low-touch --kickoff 2027-04-05")
    tasks = [t for t in project_tasks(bot, channel) if t.owner_side == "vendor"]
    bot.sandbox.faults.slow("*", seconds=4, times=10_000)
    answers = []

    def click(n: int) -> None:
        task = tasks[n % len(tasks)]  # a task clicked again is a double click: recorded once
        action = "task_done"
        answers.append(
            bot.driver.click(
                bot.people.csm.id, channel_id=channel, action_id=action, value=str(task.id)
            )
        )

    threads = [threading.Thread(target=click, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
        time.sleep(0.02)  # quick clicks, one after another
    for thread in threads:
        thread.join(timeout=30)
    slowest = max(a.elapsed for a in answers)
    assert len(answers) == 30
    assert [a.status for a in answers] == [200] * 30
    assert slowest < 3.0, f"an ack took {slowest:.2f}s"
    bot.sandbox.faults.clear()
    bot.settle(timeout=60)
    # The work did happen once acknowledged.
    assert sum(t.status == "done" for t in project_tasks(bot, channel)) >= 1


def test_help_is_answered_at_once_behind_20_starts_waiting_on_the_pacer(bot: Harness) -> None:
    gate = threading.Event()
    # Every paced call (conversations.create is Tier 2) waits until the test opens the gate,
    # as 20 starts in a row wait on Slack's 20-a-minute limit.
    bot.deps.gateway.pacer = Pacer(sleep=lambda _seconds: gate.wait(60), clock=lambda: 0.0)
    try:
        for n in range(20):
            answer = bot.driver.slash(
                bot.people.csm.id, bot.general, f"start Customer {n} --playbook tech-touch"
            )
            assert answer.status == 200 and not answer.late
        time.sleep(0.5)  # the starts are now all waiting on the pacer
        assert bot.deps.work.pending >= 8
        help_answer = bot.driver.slash(bot.people.csm.id, bot.general, "help")
        assert help_answer.status == 200
        assert help_answer.elapsed < 1.0, f"help took {help_answer.elapsed:.2f}s"
        assert "/onboard start" in help_answer.text
    finally:
        gate.set()
    bot.settle(timeout=120)
    assert len(bot.created_channels()) == 20


def test_socket_mode_acknowledges_while_the_work_pool_is_full(bot: Harness) -> None:
    """Socket Mode hands each request to Bolt in its own worker thread (slack_sdk's pool):
    the ack function runs there, never behind the lazy work that fills `deps.work`."""
    from slack_bolt.request import BoltRequest

    from bot.app import build_app
    from bot.deps import WORK_THREADS
    from slack_sandbox.payloads import slash_form

    gate = threading.Event()
    for _ in range(WORK_THREADS + 4):
        bot.deps.work.submit(gate.wait, 60)
    app = build_app(bot.deps)
    ws = bot.sandbox.workspace
    with ws.lock:
        user, channel = ws.user(bot.people.csm.id), ws.channel(bot.general)
        assert user is not None and channel is not None
        form = slash_form(
            ws,
            user=user,
            channel=channel,
            command="/onboard",
            text="help",
            response_url=ws.issue_response_url(channel_id=channel.id, user_id=user.id),
            trigger_id=ws.issue_trigger(user.id),
        )
    try:
        started = time.perf_counter()
        response = app.dispatch(BoltRequest(mode="socket_mode", body=form))
        elapsed = time.perf_counter() - started
        assert response.status == 200
        assert "/onboard start" in str(response.body)
        assert elapsed < 1.0, f"help took {elapsed:.2f}s"
        status = app.dispatch(BoltRequest(mode="socket_mode", body={**form, "text": "status"}))
        assert status.status == 200 and bot.deps.work.pending > WORK_THREADS + 4
    finally:
        gate.set()
    bot.settle()

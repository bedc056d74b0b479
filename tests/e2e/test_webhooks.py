"""Outgoing webhooks against a local receiver: each event once, signed, whatever fails."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import build_deps
from bot.flows.escalation_steps import run as escalations
from bot.flows.webhooks import deliver
from bot.flows.webhooks import run as webhooks
from storage import webhooks as webhook_rows
from storage.db import session_scope
from tests.e2e.api_client import API_TOKENS, base_url, call
from tests.e2e.harness import Harness, drafts_for, project_tasks, send_draft, start_harness
from tests.e2e.payloads import invalid_payloads
from tests.e2e.webhook_receiver import Receiver

SECRET = "whsec-0123456789abcdef"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hooks = Receiver(SECRET)
    yield hooks
    hooks.close()


@pytest.fixture
def bot(db_url: str, receiver: Receiver) -> Iterator[Harness]:
    harness = start_harness(
        db_url,
        api_tokens=API_TOKENS,
        api_rate_limit=1000,
        webhook_urls=receiver.url,
        webhook_secret=SECRET,
    )
    harness.now = datetime(2027, 4, 2, 1, 0, tzinfo=UTC)
    try:
        yield harness
        harness.settle()
        assert harness.sandbox.block_violations == []
        assert invalid_payloads(harness.sandbox, harness.driver) == []
    finally:
        harness.close()


def start(
    bot: Harness,
    external_id: str,
    customer: str,
    playbook: str = "low-touch",
    **fields: object,
) -> str:
    answer = call(
        base_url(bot.url),
        "POST",
        "/api/v1/projects",
        body={
            "external_id": external_id,
            "customer_name": customer,
            "csm": bot.people.csm.id,
            "playbook": playbook,
            "kickoff": "2027-04-05",
            "champion": "taro@acme.example",
            "language": "en",
            **fields,
        },
    )
    assert answer.status == 201, answer.text
    bot.settle()
    channel = (
        answer.json
        and call(base_url(bot.url), "GET", f"/api/v1/projects/{answer.json['id']}").json[
            "channel_id"
        ]
    )
    bot.sandbox.accept_shared_invite(channel, "taro@acme.example")
    bot.settle()
    return channel


def more_time(bot: Harness, channel: str, task_id: int, new_due: str) -> None:
    user = bot.people.customer
    bot.driver.click(
        user.id,
        channel_id=channel,
        action_id="task_more_time",
        value=str(task_id),
        message_ts=bot.sandbox.messages(channel)[1]["ts"],
    )
    bot.settle()
    view_id = bot.sandbox.views_for(user.id)[-1]["id"]
    answer = bot.driver.submit_view(
        user.id,
        view_id,
        {"new_due": {"new_due": new_due}, "reason": {"reason": "data_preparation"}},
    )
    assert answer.status == 200 and not (answer.json or {}).get("errors"), answer.json
    bot.settle()


def click_done(bot: Harness, channel: str, task_id: int, user_id: str) -> None:
    bot.driver.click(user_id, channel_id=channel, action_id="task_done", value=str(task_id))
    bot.settle()
    bot.later()


def test_every_event_reaches_the_receiver_once_signed(bot: Harness, receiver: Receiver) -> None:
    hanako = bot.sandbox.add_external_user(
        "hanako@acme.example", real_name="Hanako Acme", tz="Asia/Tokyo"
    )
    acme = start(bot, "deal-acme", "Acme Corp", decision_maker="hanako@acme.example")
    bot.sandbox.accept_shared_invite(acme, "hanako@acme.example", user_id=hanako.id)
    bot.settle()
    tasks = project_tasks(bot, acme)
    customer_task = next(t for t in tasks if t.owner_side == "customer")
    click_done(bot, acme, customer_task.id, bot.people.customer.id)
    other = next(t for t in tasks if t.owner_side == "customer" and t.id != customer_task.id)
    more_time(bot, acme, other.id, "2027-05-31")
    # Overdue customer work: the decision-maker step drafts a message, the CSM sends it.
    day = datetime(2027, 4, 12, 0, 0, tzinfo=UTC)
    while not drafts_for(bot, bot.people.csm):
        day += timedelta(days=1)
        assert day < datetime(2027, 5, 10, tzinfo=UTC), "no decision-maker step came"
        bot.now = day
        escalations(bot.deps, now=day)
        bot.settle()
    send_draft(bot)
    late = bot.now
    (to_her,) = bot.sandbox.dm_messages(hanako.id)
    assert to_her["metadata"]["event_type"] == "onboarding_escalation"
    assert to_her["metadata"]["event_payload"]["project_id"] == tasks[0].project_id
    bot.slash(bot.people.csm, acme, "close cancelled the deal fell through")

    globex = start(bot, "deal-globex", "Globex", playbook="tech-touch")
    bot.now = late + timedelta(days=1)
    for task in project_tasks(bot, globex):
        if task.required and task.status == "open":
            click_done(bot, globex, task.id, bot.people.csm.id)
    survey = bot.sandbox.messages(globex)[-1]
    bot.driver.click_button(bot.people.customer.id, survey, "survey_csat:4")
    bot.settle()

    assert webhooks(bot.deps, now=bot.now).sent >= 8
    kinds = Counter(receiver.types())
    assert kinds["project.started"] == 2
    assert kinds["task.completed"] >= 2
    assert kinds["task.replanned"] >= 1
    assert kinds["escalation.sent"] >= 1
    assert kinds["project.cancelled"] == 1
    assert kinds["project.completed"] == 1
    assert kinds["survey.answered"] == 1
    assert receiver.bad_signatures == []
    ids = receiver.ids()
    assert len(ids) == len(set(ids))
    # Each delivery says what it is, and names the project as the CRM knows it.
    cancelled = next(e for e in receiver.accepted if e["type"] == "project.cancelled")
    assert cancelled["data"]["project"]["external_id"] == "deal-acme"
    assert cancelled["data"]["reason"] == "the deal fell through"
    assert cancelled["headers"]["X-Onboardbot-Event"] == "project.cancelled"
    assert cancelled["headers"]["X-Onboardbot-Event-Id"] == cancelled["id"]
    escalated = next(e for e in receiver.accepted if e["type"] == "escalation.sent")
    assert escalated["data"]["level"] == "decision_maker" and escalated["data"]["task_ids"]
    replanned = next(e for e in receiver.accepted if e["type"] == "task.replanned")
    assert replanned["data"]["task"]["id"] == other.id
    assert replanned["data"]["task"]["due"] == "2027-05-31"
    assert replanned["data"]["reason"] == "data_preparation"
    # Nothing more the next time.
    assert webhooks(bot.deps, now=bot.now + timedelta(minutes=5)).sent == 0
    metrics = call(base_url(bot.url), "GET", "/metrics", token=None).text
    assert 'onboardbot_webhook_deliveries_total{event="project.started",result="delivered"}' in (
        metrics
    )
    assert "onboardbot_webhook_backlog 0.0" in metrics


def test_a_failing_receiver_gets_each_event_later_and_once(
    bot: Harness, receiver: Receiver
) -> None:
    start(bot, "deal-1", "Acme Corp")  # project.started
    now = bot.now
    receiver.mode = "fail"
    first = deliver(bot.deps, now=now)
    assert first.retried and not first.delivered
    receiver.mode = "hang"  # answers only after the sender gave up
    assert deliver(bot.deps, now=now).delivered == []  # not due yet: backoff
    timed_out = deliver(bot.deps, now=now + timedelta(seconds=31), timeout=0.5)
    assert timed_out.retried
    receiver.kill()
    down = deliver(bot.deps, now=now + timedelta(minutes=2))
    assert down.retried
    receiver.start()
    receiver.mode = "ok"
    assert deliver(bot.deps, now=now + timedelta(minutes=3)).delivered == []  # backoff
    later = deliver(bot.deps, now=now + timedelta(minutes=10))
    assert len(later.delivered) == 1
    assert receiver.types() == ["project.started"]
    assert len(receiver.refused) == 2  # the 500 and the hang; the kill refused connections
    with session_scope(bot.deps.engine) as session:
        (row,) = webhook_rows.rows(session=session)
    assert (row.status, row.attempts) == ("delivered", 4)
    assert deliver(bot.deps, now=now + timedelta(hours=1)).delivered == []


def test_a_sender_that_died_holding_a_delivery_is_taken_over_once(
    bot: Harness, receiver: Receiver
) -> None:
    start(bot, "deal-1", "Acme Corp")
    with session_scope(bot.deps.engine) as session:
        held = webhook_rows.claim(
            session=session, now=bot.now, worker="dead", lease=timedelta(seconds=60), limit=10
        )
    assert len(held) == 1
    assert deliver(bot.deps, now=bot.now + timedelta(seconds=30)).delivered == []
    assert len(deliver(bot.deps, now=bot.now + timedelta(seconds=61)).delivered) == 1
    assert receiver.types() == ["project.started"]


@pytest.mark.parametrize(
    "db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_two_replicas_on_postgresql_deliver_each_event_once(
    bot: Harness, receiver: Receiver
) -> None:
    for n in range(6):
        start(bot, f"deal-{n}", f"Customer {n}", playbook="tech-touch")
    receiver.delay = 0.2  # slow enough for the two senders to overlap
    replica = build_deps(bot.deps.settings)
    replica.clock = bot.deps.clock
    with replica.engine.connect():
        pass
    results = []
    together = threading.Barrier(2)

    def run(deps) -> None:  # type: ignore[no-untyped-def]
        together.wait()
        # One row a batch: the two senders claim turn by turn, racing for every row.
        results.append(deliver(deps, now=bot.now, worker=f"replica-{id(deps)}", batch_size=1))

    threads = [threading.Thread(target=run, args=(d,)) for d in (bot.deps, replica)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    replica.engine.dispose()
    ids = receiver.ids()
    assert len(ids) == 6 and len(set(ids)) == 6
    assert sum(len(r.delivered) for r in results) == 6
    assert all(r.delivered for r in results), results


def test_a_hanging_receiver_never_slows_a_slack_request(bot: Harness, receiver: Receiver) -> None:
    import time

    acme = start(bot, "deal-1", "Acme Corp")
    receiver.mode, receiver.hang_seconds = "hang", 3.0
    sender = threading.Thread(target=lambda: deliver(bot.deps, now=bot.now, timeout=2.5))
    sender.start()
    task = next(t for t in project_tasks(bot, acme) if t.owner_side == "customer")
    started = time.monotonic()
    response = bot.driver.click(
        bot.people.customer.id, channel_id=acme, action_id="task_done", value=str(task.id)
    )
    acked = time.monotonic() - started
    assert response.status == 200 and acked < 1.0, acked
    sender.join(timeout=10)
    bot.settle()
    receiver.mode = "ok"
    later = deliver(bot.deps, now=bot.now + timedelta(minutes=5))
    assert sorted(receiver.types()) == ["project.started", "task.completed"], later

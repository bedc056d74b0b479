"""Prometheus metrics, served at GET /metrics."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "onboardbot_requests_total",
    "Requests from Slack by kind and outcome (HTTP status).",
    ["kind", "outcome"],
    registry=REGISTRY,
)
ACK_LATENCY = Histogram(
    "onboardbot_ack_latency_seconds",
    "Time from a Slack request arriving to the bot's answer.",
    ["kind"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
)
MESSAGES = Counter(
    "onboardbot_outbox_messages_total",
    "Outbox messages by kind (reminder, escalation, …) and result.",
    ["kind", "result"],
    registry=REGISTRY,
)
OUTBOX_BACKLOG = Gauge(
    "onboardbot_outbox_backlog", "Outbox rows waiting to be sent.", registry=REGISTRY
)
OUTBOX_HOLD = Histogram(
    "onboardbot_outbox_post_after_renewal_seconds",
    "Time from renewing the claim on an outbox row to Slack's answer to its post "
    "(must stay well under the 120 s lease).",
    registry=REGISTRY,
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 15, 30, 60, 120),
)
JOB_RUNS = Counter(
    "onboardbot_job_runs_total", "Scheduled job runs.", ["job", "outcome"], registry=REGISTRY
)
JOB_DURATION = Histogram(
    "onboardbot_job_duration_seconds",
    "Scheduled job run time.",
    ["job"],
    registry=REGISTRY,
    buckets=(0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120),
)


def render() -> bytes:
    return generate_latest(REGISTRY)


WEBHOOKS = Counter(
    "onboardbot_webhook_deliveries_total",
    "Webhook deliveries by event type and result (delivered, retried, failed).",
    ["event", "result"],
    registry=REGISTRY,
)
WEBHOOK_BACKLOG = Gauge(
    "onboardbot_webhook_backlog", "Webhook deliveries waiting to be sent.", registry=REGISTRY
)
WEBHOOK_LATENCY = Histogram(
    "onboardbot_webhook_seconds",
    "Time a webhook receiver took to answer (or to fail).",
    registry=REGISTRY,
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10),
)
API_REQUESTS = Counter(
    "onboardbot_api_requests_total",
    "HTTP API requests by operation and status.",
    ["operation", "status"],
    registry=REGISTRY,
)

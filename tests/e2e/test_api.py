"""The HTTP API end to end: a CRM starts projects and reads them over real HTTP."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.conftest import drop_postgres_schema, fresh_postgres_url
from tests.e2e.api_client import API_TOKENS, READ_TOKEN, base_url, call
from tests.e2e.harness import Harness, start_harness
from tests.e2e.payloads import invalid_payloads


@pytest.fixture
def bot(db_url: str) -> Iterator[Harness]:
    harness = start_harness(db_url, api_tokens=API_TOKENS, api_rate_limit=1000)
    try:
        yield harness
        harness.settle()
        assert harness.sandbox.block_violations == [], harness.sandbox.block_violations
        assert invalid_payloads(harness.sandbox, harness.driver) == []
    finally:
        harness.close()


def deal(bot: Harness, external_id: str = "deal-1", **fields: object) -> dict[str, object]:
    return {
        "external_id": external_id,
        "customer_name": "Acme Corp",
        "csm": "sato@vendor.example",
        "playbook": "low-touch",
        "kickoff": "2027-04-05",
        "champion": "taro@acme.example",
        "decision_maker": "hanako@acme.example",
        "language": "ja",
        **fields,
    }


def test_a_deal_starts_the_same_kickoff_as_the_slash_command(bot: Harness, db_url: str) -> None:
    api = base_url(bot.url)
    answer = call(api, "POST", "/api/v1/projects", body=deal(bot))
    assert answer.status == 201, answer.text
    created = answer.json
    assert answer.headers["Location"] == f"/api/v1/projects/{created['id']}"
    assert created["external_id"] == "deal-1"
    bot.settle()
    project = call(api, "GET", "/api/v1/projects/ext:deal-1").json
    assert project["state"] == "active" and project["id"] == created["id"]
    assert project["progress"] == {"done": 0, "total": 12, "percent": 0}
    assert all(t["planned_due"] == t["due"] for t in project["tasks"])
    channel = bot.sandbox.channel(project["channel_id"])
    assert channel["name"] == "onb-acme"
    assert bot.people.csm.id in channel["members"]
    by_api = [(m["text"], _shape(m)) for m in bot.sandbox.messages(project["channel_id"])]
    assert channel["pins"] == [bot.sandbox.messages(project["channel_id"])[1]["ts"]]
    invites = sorted(i["email"] for i in channel["shared_invites"])
    assert invites == ["hanako@acme.example", "taro@acme.example"]
    # The CSM hears who started it, then what /onboard start would have said.
    dms = [m["text"] for m in bot.sandbox.dm_messages(bot.people.csm.id)]
    assert any("hubspot" in text and "deal-1" in text for text in dms), dms
    assert any("Acme Corp" in text for text in dms)

    # The same start by the slash command, in another workspace, posts the same messages.
    other_url, schema = _fresh(db_url)
    other = start_harness(other_url)
    try:
        channel_id = other.start_project(
            "Acme Corp --playbook low-touch --kickoff 2027-04-05 "
            "--champion taro@acme.example --decision-maker hanako@acme.example --lang ja"
        )
        by_command = [(m["text"], _shape(m)) for m in other.sandbox.messages(channel_id)]
    finally:
        other.close()
        if schema:
            drop_postgres_schema(schema)
    assert [shape for _, shape in by_api] == [shape for _, shape in by_command]
    assert [_no_ids(text) for text, _ in by_api] == [_no_ids(text) for text, _ in by_command]


def _shape(message: dict) -> list[str]:
    return [b.get("type", "") for b in message.get("blocks", [])]


def _no_ids(text: str) -> str:
    return re.sub(r"<[@#][A-Z0-9]+(\|[^>]*)?>|p\d+", "<id>", text)


def _fresh(db_url: str) -> tuple[str, str | None]:
    """Another empty database of the same kind (and its PostgreSQL schema, to drop)."""
    if db_url.startswith("sqlite"):
        return db_url.replace("onboardbot.db", "other.db"), None
    return fresh_postgres_url()


def test_the_same_deal_twice_gives_one_project(bot: Harness) -> None:
    api = base_url(bot.url)
    first = call(api, "POST", "/api/v1/projects", body=deal(bot))
    second = call(api, "POST", "/api/v1/projects", body=deal(bot))
    bot.settle()
    third = call(api, "POST", "/api/v1/projects", body=deal(bot, customer_name="Acme, Inc."))
    assert (first.status, second.status, third.status) == (201, 200, 200)
    assert first.json["id"] == second.json["id"] == third.json["id"]
    assert len(bot.created_channels()) == 1
    # Another deal of the same customer is a conflict, unless confirmed.
    bot.later(3600)
    other = call(api, "POST", "/api/v1/projects", body=deal(bot, "deal-2"))
    assert other.status == 409, other.text
    assert other.headers["Content-Type"] == "application/problem+json"
    assert other.json["project_ids"] == [first.json["id"]]
    again = call(api, "POST", "/api/v1/projects", body=deal(bot, "deal-2", again=True))
    assert again.status == 201, again.text
    bot.settle()
    assert len(bot.created_channels()) == 2


def test_tokens_refused_and_read_only(bot: Harness) -> None:
    api = base_url(bot.url)
    for token in (None, "nope-nope-nope-nope-nope-nope"):
        answer = call(api, "GET", "/api/v1/projects", token=token)
        assert answer.status == 401
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    answer = call(api, "POST", "/api/v1/projects", body=deal(bot), token=READ_TOKEN)
    assert answer.status == 403 and "reporting" in answer.json["detail"]
    assert call(api, "GET", "/api/v1/projects", token=READ_TOKEN).status == 200
    assert bot.created_channels() == []
    # A tool that sends the token in a header of its own (HubSpot's "API key").
    request = urllib.request.Request(api + "/api/v1/projects", headers={"X-Api-Key": READ_TOKEN})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("external_id", ""),
        ("external_id", "a/b"),
        ("customer_name", ""),
        ("customer_name", "x" * 81),
        ("csm", "not a person"),
        ("csm", "nobody@vendor.example"),
        ("csm", "tanaka@vendor.example"),  # not CS staff
        ("playbook", "no-such-playbook"),
        ("kickoff", "2027-02-30"),
        ("kickoff", "2035-01-01"),
        ("go_live", "2027-01-01"),
        ("champion", "U"),
        ("champion", "UNKNOWN1"),
        ("members", ["ok@acme.example", "bad"]),
        ("language", "fr"),
        ("fiscal_year_end_month", 13),
        ("channel_name", "Not Allowed!"),
        ("again", "maybe"),
        ("unexpected", 1),
    ],
)
def test_every_invalid_field_is_422_naming_it(bot: Harness, field: str, value: object) -> None:
    answer = call(base_url(bot.url), "POST", "/api/v1/projects", body=deal(bot, **{field: value}))
    assert answer.status == 422, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    named = [e["field"] for e in answer.json["errors"]]
    assert any(n == field or n.startswith(f"{field}.") for n in named), answer.json
    assert bot.created_channels() == []


def test_reading_one_and_pages(bot: Harness) -> None:
    api = base_url(bot.url)
    ids = []
    for n, name in enumerate(["Acme", "Globex", "Initech"]):
        answer = call(api, "POST", "/api/v1/projects", body=deal(bot, f"d{n}", customer_name=name))
        assert answer.status == 201, answer.text
        ids.append(answer.json["id"])
        bot.settle()
    assert call(api, "GET", f"/api/v1/projects/{ids[1]}").json["external_id"] == "d1"
    assert call(api, "GET", "/api/v1/projects/ext:nope").status == 404
    assert call(api, "GET", "/api/v1/projects/999999").status == 404
    first = call(api, "GET", "/api/v1/projects?limit=2&state=active").json
    assert [p["id"] for p in first["items"]] == ids[:2]
    rest = call(api, "GET", f"/api/v1/projects?limit=2&cursor={first['next_cursor']}").json
    assert [p["id"] for p in rest["items"]] == ids[2:] and rest["next_cursor"] is None
    assert call(api, "GET", "/api/v1/projects?state=completed").json["items"] == []
    later = call(api, "GET", "/api/v1/projects?updated_since=2030-01-01T00:00:00Z").json
    assert later["items"] == []
    # A change moves the project's updated_at: only it is listed as changed since.
    bot.now = bot.now + timedelta(hours=1)
    first_project = call(api, "GET", f"/api/v1/projects/{ids[0]}").json
    vendor_task = next(t for t in first_project["tasks"] if t["owner_side"] == "vendor")
    bot.driver.click(
        bot.people.csm.id,
        channel_id=first_project["channel_id"],
        action_id="task_done",
        value=str(vendor_task["id"]),
    )
    bot.settle()
    since = bot.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    changed = call(api, "GET", f"/api/v1/projects?updated_since={since}").json["items"]
    assert [p["id"] for p in changed] == [ids[0]]
    assert changed[0]["progress"]["done"] == 1
    assert changed[0]["tasks"][0]["completed_on"] is not None
    bad = call(api, "GET", "/api/v1/projects?state=lost&updated_since=yesterday&limit=0")
    assert bad.status == 422
    assert {e["field"].split(".")[0] for e in bad.json["errors"]} == {
        "state",
        "updated_since",
        "limit",
    }
    assert call(api, "DELETE", "/api/v1/projects").status == 405
    assert call(api, "GET", "/api/v1/nothing").status == 404


def test_rate_limit_per_token(db_url: str) -> None:
    harness = start_harness(db_url, api_tokens=API_TOKENS, api_rate_limit=3)
    try:
        api = base_url(harness.url)
        statuses = [call(api, "GET", "/api/v1/projects").status for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = call(api, "GET", "/api/v1/projects")
        assert int(limited.headers["Retry-After"]) >= 1
        assert limited.headers["Content-Type"] == "application/problem+json"
        # Another token has its own budget.
        assert call(api, "GET", "/api/v1/projects", token=READ_TOKEN).status == 200
    finally:
        harness.close()


def test_the_api_is_off_without_tokens(db_url: str) -> None:
    harness = start_harness(db_url)
    try:
        answer = call(base_url(harness.url), "GET", "/api/v1/openapi.json")
        assert answer.status == 404
    finally:
        harness.close()

"""The API's contract: its OpenAPI document validates and describes what it answers, and
no JSON at all makes the create endpoint fail (hypothesis, through real HTTP)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tests.e2e.api_client import API_TOKENS, base_url, call
from tests.e2e.harness import Harness, start_harness

FIELDS = (
    "external_id",
    "customer_name",
    "csm",
    "playbook",
    "kickoff",
    "go_live",
    "champion",
    "decision_maker",
    "members",
    "language",
    "fiscal_year_end_month",
    "channel_name",
    "again",
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=300),
    lambda children: (
        st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=20), children, max_size=6)
    ),
    max_leaves=25,
)
# Objects shaped like a project (every field optional, any value), and anything at all.
SHAPED = st.fixed_dictionaries({}, optional={name: JSON | st.text(max_size=100) for name in FIELDS})
BODIES = st.one_of(SHAPED, JSON)


@pytest.fixture(scope="module")
def api() -> Iterator[tuple[Harness, str]]:
    harness = start_harness(_sqlite_file(), api_tokens=API_TOKENS, api_rate_limit=100_000)
    try:
        yield harness, base_url(harness.url)
    finally:
        harness.close()


def _sqlite_file() -> str:
    import tempfile

    return f"sqlite:///{tempfile.mkdtemp()}/onboardbot.db"


def test_openapi_document_validates_and_lists_every_endpoint(api: tuple[Harness, str]) -> None:
    _, url = api
    answer = call(url, "GET", "/api/v1/openapi.json", token=None)
    assert answer.status == 200 and answer.headers["Content-Type"] == "application/json"
    document = answer.json
    validate(document)  # openapi-spec-validator: OpenAPI 3.1 and its JSON Schema
    operations = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert operations == {
        ("POST", "/api/v1/projects"),
        ("GET", "/api/v1/projects"),
        ("GET", "/api/v1/projects/{ref}"),
        ("GET", "/api/v1/openapi.json"),
    }
    create = document["components"]["schemas"]["ProjectCreate"]
    assert set(create["properties"]) == set(FIELDS)
    assert set(create["required"]) == {"external_id", "customer_name", "csm"}
    # What the API answers is what the document says: a 422 and a page.
    problem = call(url, "POST", "/api/v1/projects", body={"external_id": "x"})
    assert problem.status == 422
    _conforms(document, "Problem", problem.json)
    _conforms(document, "ProjectPage", call(url, "GET", "/api/v1/projects").json)


def _conforms(document: dict[str, Any], name: str, instance: Any) -> None:
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    errors = list(Draft202012Validator(schema).iter_errors(instance))
    assert errors == [], errors


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=BODIES)
def test_any_json_at_create_is_answered_never_a_500(api: tuple[Harness, str], body: Any) -> None:
    _, url = api
    answer = call(url, "POST", "/api/v1/projects", body=body)
    assert answer.status in (200, 201, 409, 422), answer.text
    if answer.status >= 400:
        assert answer.headers["Content-Type"] == "application/problem+json"
        problem = answer.json
        assert problem["status"] == answer.status and "Traceback" not in answer.text
        if answer.status == 422:
            assert problem["errors"] and all(e["field"] for e in problem["errors"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=st.binary(max_size=300))
def test_any_bytes_at_create_are_refused_cleanly(api: tuple[Harness, str], raw: bytes) -> None:
    _, url = api
    answer = call(url, "POST", "/api/v1/projects", raw=raw)
    assert answer.status in (400, 422), answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"

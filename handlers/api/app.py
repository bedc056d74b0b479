"""The HTTP API as a WSGI application: authenticate, limit, validate, call one flow, answer.

Every answer that is not a success is `application/problem+json` (RFC 9457); a failure of
the bot itself is a 500 with no detail (the log has it), never a stack trace.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable, Iterable
from datetime import UTC
from typing import Any
from urllib.parse import parse_qs, unquote

from pydantic import ValidationError

from bot import metrics
from bot.config_values import ApiToken
from bot.deps import Deps
from bot.domain.command_text import Person
from bot.flows import api_read, api_start
from bot.flows.api_read import ProjectInfo
from bot.logs import log_context, new_request_id
from bot.slack.gateway import SlackError
from handlers.api.limits import RateLimiter
from handlers.api.models import (
    FieldProblem,
    Problem,
    Progress,
    ProjectCreate,
    ProjectOut,
    ProjectPage,
    ProjectQuery,
    RiskOut,
    TaskOut,
)
from handlers.api.openapi import document

logger = logging.getLogger(__name__)
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
PREFIX = "/api/v1"
MAX_BODY = 64 * 1024
PHRASES = {
    200: "OK",
    201: "Created",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class Answer(Exception):
    """An answer decided early (a refusal): raised, caught once, sent."""

    def __init__(
        self,
        status: int,
        body: dict[str, Any] | list[Any],
        *,
        headers: list[tuple[str, str]] | None = None,
        content_type: str = "application/problem+json",
    ) -> None:
        super().__init__(status)
        self.status, self.body, self.content_type = status, body, content_type
        self.headers = headers or []


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: list[FieldProblem] | None = None,
    project_ids: list[int] | None = None,
    headers: list[tuple[str, str]] | None = None,
) -> Answer:
    body = Problem(
        title=PHRASES[status],
        status=status,
        detail=detail,
        errors=errors or [],
        project_ids=project_ids or [],
    ).model_dump(mode="json")
    return Answer(status, body, headers=headers)


def api_app(deps: Deps) -> WSGIApp:
    """The API; every request to it is refused while API_TOKENS is empty."""
    tokens = deps.settings.api_token_list
    limiter = RateLimiter(deps.settings.api_rate_limit)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        method = str(environ.get("REQUEST_METHOD") or "GET")
        path = str(environ.get("PATH_INFO") or "")
        operation = "other"
        with log_context(request_id=new_request_id()):
            try:
                operation, handler = _route(method, path)
                if handler is None:
                    raise problem(404, "no such resource")
                answer = handler(deps, environ, tokens=tokens, limiter=limiter)
            except Answer as early:
                answer = early
            except Exception:  # the bot's own failure: logged, answered without detail
                logger.exception("API request failed: %s %s", method, path[:200])
                answer = problem(500, "the request failed; it was logged")
        metrics.API_REQUESTS.labels(operation, str(answer.status)).inc()
        headers = [("Content-Type", answer.content_type), *answer.headers]
        start_response(f"{answer.status} {PHRASES.get(answer.status, '')}", headers)
        return [json.dumps(answer.body, ensure_ascii=False).encode()]

    return application


Handler = Callable[..., Answer]


def _route(method: str, path: str) -> tuple[str, Handler | None]:
    if path == f"{PREFIX}/openapi.json":
        return "openapi", _allow(method, "GET", _openapi)
    if path == f"{PREFIX}/projects":
        if method == "POST":
            return "create", _create
        return "list", _allow(method, "GET, POST", _list)
    if path.startswith(f"{PREFIX}/projects/") and path.count("/") == 4:
        return "get", _allow(method, "GET", _get)
    return "other", None


def _allow(method: str, allowed: str, handler: Handler) -> Handler:
    if method in allowed.split(", "):
        return handler
    raise problem(405, f"use {allowed}", headers=[("Allow", allowed)])


def _authorized(
    environ: dict[str, Any], tokens: tuple[ApiToken, ...], limiter: RateLimiter, *, write: bool
) -> ApiToken:
    challenge = [("WWW-Authenticate", 'Bearer realm="onboardbot"')]
    if not tokens:
        raise problem(401, "the API is off: API_TOKENS is not set", headers=challenge)
    scheme, _, given = str(environ.get("HTTP_AUTHORIZATION") or "").partition(" ")
    if scheme.lower() != "bearer":
        # Tools that can only send a key in a header of its own (HubSpot's "API key").
        given = str(environ.get("HTTP_X_API_KEY") or "")
    if not given.strip():
        raise problem(401, "send Authorization: Bearer <token>", headers=challenge)
    token = None
    for candidate in tokens:  # every one compared, in constant time
        if hmac.compare_digest(candidate.token.encode(), given.strip().encode()):
            token = candidate
    if token is None:
        logger.info("API request with an unknown token refused")
        raise problem(
            401, "unknown token", headers=[("WWW-Authenticate", 'Bearer error="invalid_token"')]
        )
    wait = limiter.take(token.name)
    if wait is not None:
        raise problem(
            429, f"more than the rate limit for {token.name}", headers=[("Retry-After", str(wait))]
        )
    if write and token.read_only:
        raise problem(403, f"the token {token.name!r} may only read")
    return token


def _openapi(deps: Deps, environ: dict[str, Any], **_: Any) -> Answer:
    return Answer(200, document(), content_type="application/json")


def _create(
    deps: Deps, environ: dict[str, Any], *, tokens: tuple[ApiToken, ...], limiter: RateLimiter
) -> Answer:
    token = _authorized(environ, tokens, limiter, write=True)
    content_type = str(environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise problem(415, "send the project as application/json")
    raw_length = str(environ.get("CONTENT_LENGTH") or "0")
    if not raw_length.isdigit():
        raise problem(400, "a body of unknown length")
    if int(raw_length) > MAX_BODY:
        raise problem(413, f"the body may be {MAX_BODY} bytes at most")
    body = environ["wsgi.input"].read(int(raw_length)) if int(raw_length) else b""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise problem(400, "the body is not JSON") from None
    try:
        request = ProjectCreate.model_validate(data)
    except ValidationError as exc:
        raise problem(422, "some fields are wrong", errors=_field_problems(exc)) from None
    with log_context(api_token=token.name):
        try:
            outcome = api_start.start(deps, _start_of(request), system=token.name)
        except SlackError as exc:
            logger.warning("API start: Slack failed: %s", exc.code)
            raise problem(
                503, f"Slack could not be reached ({exc.code})", headers=[("Retry-After", "30")]
            ) from None
    if isinstance(outcome, api_start.Invalid):
        raise problem(
            422,
            "some fields are wrong",
            errors=[FieldProblem(field=f, message=m) for f, m in outcome.problems],
        )
    if isinstance(outcome, api_start.Conflict):
        raise problem(409, outcome.detail, project_ids=outcome.project_ids)
    info = api_read.project(deps, str(outcome.project_id))
    if info is None:  # rolled back already (Slack refused the channel): gone
        raise problem(409, "the start was undone at once; its CSM was told why")
    status = 201 if isinstance(outcome, api_start.Created) else 200
    headers = [("Location", f"{PREFIX}/projects/{outcome.project_id}")]
    return Answer(status, _out(info), headers=headers, content_type="application/json")


def _get(
    deps: Deps, environ: dict[str, Any], *, tokens: tuple[ApiToken, ...], limiter: RateLimiter
) -> Answer:
    _authorized(environ, tokens, limiter, write=False)
    ref = unquote(str(environ.get("PATH_INFO") or "").rsplit("/", 1)[1])
    info = api_read.project(deps, ref) if ref and len(ref) <= 210 else None
    if info is None:
        raise problem(404, "no project with this id or external id (`ext:<id>`)")
    return Answer(200, _out(info), content_type="application/json")


def _list(
    deps: Deps, environ: dict[str, Any], *, tokens: tuple[ApiToken, ...], limiter: RateLimiter
) -> Answer:
    _authorized(environ, tokens, limiter, write=False)
    raw = parse_qs(str(environ.get("QUERY_STRING") or ""), keep_blank_values=True)
    values: dict[str, Any] = {k: v[-1] for k, v in raw.items()}
    if "state" in raw:
        values["state"] = [s for v in raw["state"] for s in v.split(",") if s]
    try:
        query = ProjectQuery.model_validate(values)
    except ValidationError as exc:
        raise problem(422, "some parameters are wrong", errors=_field_problems(exc)) from None
    since = query.updated_since.astimezone(UTC) if query.updated_since else None
    infos, last = api_read.projects(
        deps,
        states=tuple(query.state),
        updated_since=since,
        after_id=int(query.cursor or 0),
        limit=query.limit,
    )
    page = ProjectPage(
        items=[ProjectOut.model_validate(_out(i)) for i in infos],
        next_cursor=str(last) if last is not None else None,
    )
    return Answer(200, page.model_dump(mode="json"), content_type="application/json")


def _field_problems(exc: ValidationError) -> list[FieldProblem]:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in error["loc"]) or "body"
        problems.append(FieldProblem(field=where, message=str(error["msg"])))
    return problems


def _person(ref: str | None) -> Person | None:
    if ref is None:
        return None
    return Person(email=ref) if "@" in ref else Person(user_id=ref)


def _start_of(request: ProjectCreate) -> api_start.ApiStart:
    csm = _person(request.csm)
    assert csm is not None
    return api_start.ApiStart(
        external_id=request.external_id,
        customer_name=request.customer_name,
        csm=csm,
        playbook=request.playbook,
        kickoff=request.kickoff,
        go_live=request.go_live,
        champion=_person(request.champion),
        decision_maker=_person(request.decision_maker),
        members=tuple(p for p in map(_person, request.members) if p is not None),
        language=request.language,
        fiscal_year_end_month=request.fiscal_year_end_month,
        channel_name=request.channel_name,
        again=request.again,
    )


def _out(info: ProjectInfo) -> dict[str, Any]:
    percent = round(100 * info.done / info.total) if info.total else 0
    out = ProjectOut(
        id=info.id,
        external_id=info.external_id,
        customer_name=info.customer_name,
        state=info.state,
        health="starting" if info.state == "starting" else info.health,
        health_reasons=list(info.health_reasons),
        playbook=info.playbook,
        language=info.locale,
        kickoff=info.kickoff,
        target_go_live=info.target_go_live,
        committed_go_live=info.committed_go_live,
        projected_end=info.projected_end,
        channel_id=info.channel_id,
        csm_user_id=info.csm_user_id,
        created_at=info.created_at,
        updated_at=info.updated_at,
        completed_at=info.completed_at,
        progress=Progress(done=info.done, total=info.total, percent=percent),
        tasks=[
            TaskOut(
                id=t.id,
                key=t.key,
                title={"ja": t.title_ja, "en": t.title_en},
                owner_side=t.owner_side,
                status=t.status,
                required=t.required,
                planned_due=t.planned_due,
                due=t.due,
                completed_on=t.completed_on,
                replans=t.replans,
                days_overdue=t.days_overdue,
            )
            for t in info.tasks
        ],
        open_risks=[RiskOut(**r.__dict__) for r in info.open_risks],
    )
    return out.model_dump(mode="json")

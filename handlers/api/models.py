"""What the HTTP API takes and gives: one set of pydantic models validates requests and
writes the OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from bot.domain.channel_names import chosen_channel_name
from bot.domain.command_text import MAX_CUSTOMER_NAME

EMAIL_PATTERN = r"[^@\s<>,;:\"]+@[^@\s<>,;:\"]+\.[^@\s<>,;:\".]+"
SLACK_USER_PATTERN = r"[UW][A-Z0-9]{2,20}"
PersonRef = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=254,
        pattern=rf"^(?:{EMAIL_PATTERN}|{SLACK_USER_PATTERN})$",
    ),
    Field(
        description="An e-mail address or a Slack user id (U…/W…)",
        examples=["taro@acme.example", "U0123ABCD"],
    ),
]
ExternalId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._~:@+-]+$"),
    Field(
        description="The CRM's id for the deal (letters, digits and ._~:@+-); one project per id",
        examples=["hubspot-deal-8134520731", "006Hs00001AbCdEIAZ"],
    ),
]
State = Literal["starting", "active", "paused", "completed", "cancelled", "deleted"]


class ProjectCreate(BaseModel):
    """The fields of `/onboard start`, plus the CRM's deal id."""

    model_config = ConfigDict(extra="forbid", title="ProjectCreate")

    external_id: ExternalId
    customer_name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CUSTOMER_NAME),
        Field(description="The customer's company name", examples=["Acme Corp."]),
    ]
    csm: PersonRef
    playbook: str | None = Field(
        default=None, min_length=1, max_length=100, description="Default: DEFAULT_PLAYBOOK"
    )
    kickoff: date | None = Field(default=None, description="Default: today")
    go_live: date | None = Field(default=None, description="The target go-live date")
    champion: PersonRef | None = None
    decision_maker: PersonRef | None = None
    members: list[PersonRef] = Field(default_factory=list, max_length=50)
    language: Literal["ja", "en"] | None = Field(
        default=None, description="Default: the CSM's Slack language, else DEFAULT_LOCALE"
    )
    fiscal_year_end_month: int | None = Field(default=None, ge=1, le=12)
    channel_name: str | None = Field(
        default=None, max_length=80, description="Default: made from the customer's name"
    )
    again: bool = Field(
        default=False,
        description="Start even though this customer has a running project (else 409)",
    )

    @field_validator("customer_name")
    @classmethod
    def _printable(cls, value: str) -> str:
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValueError("control characters are not allowed")
        return value

    @field_validator("channel_name")
    @classmethod
    def _channel(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return chosen_channel_name(value)
        except ValueError:
            raise ValueError(
                "not a Slack channel name (lower-case letters, digits, - and _, 80 at most)"
            ) from None


class ProjectQuery(BaseModel):
    """The query of `GET /api/v1/projects`."""

    model_config = ConfigDict(extra="forbid")

    state: list[State] = Field(
        default_factory=list, description="Only these states (repeat, or comma-separated)"
    )
    updated_since: datetime | None = Field(
        default=None,
        description="Only projects changed at or after this time (ISO 8601 with a zone)",
    )
    cursor: str | None = Field(
        default=None, pattern=r"^[0-9]{1,18}$", description="From `next_cursor`"
    )
    limit: int = Field(default=50, ge=1, le=200)

    @field_validator("updated_since")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("needs a time zone, e.g. 2027-04-05T00:00:00Z")
        return value


class Progress(BaseModel):
    done: int
    total: int = Field(description="Tasks that are not skipped")
    percent: int


class TaskOut(BaseModel):
    id: int
    key: str = Field(description="The playbook's task id")
    title: dict[str, str] = Field(description="By language: ja, en")
    owner_side: Literal["customer", "vendor"]
    status: Literal["open", "done", "skipped"]
    required: bool
    planned_due: date = Field(description="The due date of the plan made at kickoff")
    due: date = Field(description="The due date now, after any re-planning")
    completed_on: date | None = Field(description="When it was actually done")
    replans: int
    days_overdue: int = Field(description="Business days past `due` (open tasks)")


class RiskOut(BaseModel):
    id: int
    kind: str = Field(description="busy_period | slip_reason | initiatives | go_live")
    reason: str | None
    text: str | None
    period_start: date | None
    period_end: date | None
    said_at: datetime


class ProjectOut(BaseModel):
    id: int
    external_id: str | None
    customer_name: str
    state: State
    health: Literal[
        "on_track", "at_risk", "late", "paused", "completed", "cancelled", "starting", "deleted"
    ]
    health_reasons: list[str] = Field(description="overdue, busy_period, go_live")
    playbook: str
    language: str
    kickoff: date
    target_go_live: date | None
    committed_go_live: date | None
    projected_end: date
    channel_id: str | None
    csm_user_id: str | None
    created_at: datetime
    updated_at: datetime | None
    completed_at: datetime | None
    progress: Progress
    tasks: list[TaskOut]
    open_risks: list[RiskOut]


class ProjectPage(BaseModel):
    items: list[ProjectOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")


class FieldProblem(BaseModel):
    field: str = Field(description="Dotted path of the field, e.g. `members.2`")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details (`application/problem+json`)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldProblem] = Field(default_factory=list)
    project_ids: list[int] = Field(default_factory=list, description="409: the projects involved")

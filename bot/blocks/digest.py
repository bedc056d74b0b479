"""The Monday digest for the CS team channel, and the same report for the terminal.

The channel gets a short summary; the details go in its thread: the at-risk and late
projects, every KPI with its window, and the playbook tasks customers keep missing. When
30 % or more of customers miss a task, the schedule itself is probably unrealistic, so
those tasks are marked for a review of their schedule.

The Slack and terminal renderings share one set of line builders and catalog texts; only
the decoration differs (mrkdwn, escaping and mentions for Slack; plain text for a
terminal, with control characters removed so a customer name can't drive the terminal).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from bot.blocks import limits
from bot.blocks.checklist import long_date, short_date
from bot.blocks.escape import clip, escape, mention
from bot.blocks.message import Block, Message, context, plain, section
from bot.blocks.schedule import slip_reason_label
from bot.domain import kpi_facts, kpis
from bot.domain.digest import Digest
from bot.i18n import t

LINES_PER_SECTION = 5  # list lines packed into one section, for readable chunks
MAX_LIST_MESSAGES = 4  # thread messages per list; the rest is cut with "…and N more"
CUSTOMER_LIMIT = 80
TITLE_LIMIT = 150
LINE_LIMIT = 1000
NONE = "—"
# The bottleneck window (the Digest does not carry it; it does not follow a custom KPI window).
BOTTLENECK_DAYS = kpi_facts.BOTTLENECK_DAYS

STATES = (kpis.ON_TRACK, kpis.AT_RISK, kpis.LATE, kpis.PAUSED)
_STATE_ICONS = {kpis.ON_TRACK: "🟢", kpis.AT_RISK: "🟡", kpis.LATE: "🔴", kpis.PAUSED: "⏸️"}
_REASONS = (kpis.REASON_OVERDUE, kpis.REASON_BUSY_PERIOD, kpis.REASON_GO_LIVE)
_WEEK = (
    ("tasks_completed", "✅"),
    ("projects_started", "🚀"),
    ("projects_completed", "🏁"),
    ("projects_cancelled", "🛑"),
    ("escalations_sent", "📣"),
    ("undelivered_reminders", "📭"),
)


class DigestBlockId(StrEnum):
    """Fixed `block_id`s of the digest; list blocks come from `list_block_id`."""

    HEADER = "digest-header"
    STATES = "digest-states"
    WEEK = "digest-week"
    HEADLINE = "digest-headline"
    REVIEW = "digest-review"
    THREAD = "digest-thread"
    KPI_TITLE = "digest-kpi-title"
    KPI_VALUES = "digest-kpi-values"
    KPI_WINDOWS = "digest-kpi-windows"


def list_block_id(kind: str, part: str | int) -> str:
    """`digest-projects-3` for the third chunk of the project list, `digest-projects-more`…"""
    return f"digest-{kind}-{part}"


# --- decoration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    """How user text, emphasis and people are written: Slack mrkdwn or a plain terminal."""

    slack: bool

    def user(self, text: str, limit: int) -> str:
        """Text someone typed: on one line, clipped, and escaped for Slack."""
        one_line = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
        return clip(escape(one_line), limit) if self.slack else clip(one_line, limit)

    def bold(self, text: str) -> str:
        return f"*{text}*" if self.slack else text

    def person(self, user_id: str) -> str:
        return mention(user_id) if self.slack else f"@{self.user(user_id, 40)}"


SLACK = _Style(slack=True)
TERMINAL = _Style(slack=False)


# --- numbers ------------------------------------------------------------------------------


def percent(value: float | None) -> str:
    """`66.7%`: one decimal, halves up; `—` for None."""
    if value is None:
        return NONE
    scaled = (Decimal(repr(value)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{scaled}%"


def days(value: float | None) -> str:
    """`45`, or `45.5` for the median of an even count; `—` for None."""
    if value is None:
        return NONE
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def csat(value: float | None) -> str:
    return NONE if value is None else f"{value:.2f}"


def nps(value: float | None) -> str:
    """`+25.0`, `-10.0`: signed, one decimal."""
    return NONE if value is None else f"{value:+.1f}"


# --- what both renderings say ---------------------------------------------------------------


def task_title(english: str, japanese: str | None, locale: str) -> str:
    """A task's title in the reader's language (every playbook task has both)."""
    return japanese if locale == "ja" and japanese else english


def _title(digest: Digest, locale: str) -> str:
    """The weekly digest's title, or the report's for its own range."""
    start, end = _week_range(digest, locale)
    key = "digest.title" if digest.weekly else "report.title"
    return t(locale, key, start=start, end=end)


def _period_title(digest: Digest, locale: str) -> str:
    return t(locale, "digest.week.title" if digest.weekly else "report.period.title")


def _week_range(digest: Digest, locale: str) -> tuple[str, str]:
    """The reported week as first and last day (the window's end is exclusive)."""
    last = max(digest.start, digest.end - timedelta(days=1))
    return long_date(digest.start, locale), long_date(last, locale)


def _kpi_range(digest: Digest, locale: str) -> tuple[str, str]:
    last = max(digest.kpi_start, digest.kpi_end - timedelta(days=1))
    return long_date(digest.kpi_start, locale), long_date(last, locale)


def _bottleneck_range(digest: Digest, locale: str) -> tuple[str, str]:
    """Planned due dates in [today - BOTTLENECK_DAYS, today], both ends inclusive."""
    first = digest.today - timedelta(days=BOTTLENECK_DAYS)
    return long_date(first, locale), long_date(digest.today, locale)


def _state_counts(portfolio: kpis.Portfolio, locale: str, *, icons: bool) -> str:
    parts = []
    for state in STATES:
        label = t(locale, f"digest.state.{state}")
        text = t(locale, "digest.state_count", label=label, count=getattr(portfolio, state))
        parts.append(f"{_STATE_ICONS[state]} {text}" if icons else text)
    if portfolio.deleted:
        label = t(locale, "digest.state.deleted")
        text = t(locale, "digest.state_count", label=label, count=portfolio.deleted)
        parts.append(f"🗑️ {text}" if icons else text)
    return " · ".join(parts)


def _week_lines(week: kpis.WeekSummary, locale: str, *, icons: bool) -> list[str]:
    lines = []
    for field, icon in _WEEK:
        text = t(locale, f"digest.week.{field}", count=getattr(week, field))
        lines.append(f"{icon} {text}" if icons else text)
    return lines


def _headline(k: kpis.Kpis, locale: str) -> list[str]:
    def item(label: str, value: str) -> str:
        return t(locale, "kpi.line", label=t(locale, label), value=value)

    return [
        item("kpi.completion_rate", percent(k.completion_rate))
        + " · "
        + item("kpi.churn_rate", percent(k.churn_rate)),
        item("kpi.days_to_complete_median", days(k.days_to_complete_median))
        + " · "
        + item("kpi.on_time_task_rate", percent(k.on_time_task_rate)),
        item("kpi.late_share", percent(k.late_share)) + " · " + item("kpi.nps", nps(k.nps)),
    ]


def _kpi_lines(digest: Digest, locale: str, style: _Style) -> list[str]:
    k = digest.kpis
    ended = k.projects_completed + k.projects_cancelled
    values = [
        (
            "kpi.completion_rate",
            t(
                locale,
                "kpi.completion_rate.detail",
                rate=percent(k.completion_rate),
                completed=k.projects_completed,
                ended=ended,
            ),
        ),
        (
            "kpi.churn_rate",
            t(
                locale,
                "kpi.churn_rate.detail",
                rate=percent(k.churn_rate),
                cancelled=k.projects_cancelled,
                ended=ended,
            ),
        ),
        (
            "kpi.days_to_complete",
            t(
                locale,
                "kpi.days_to_complete.detail",
                median=days(k.days_to_complete_median),
                p80=days(k.days_to_complete_p80),
                count=k.projects_completed,
            ),
        ),
        (
            "kpi.on_time_task_rate",
            t(
                locale,
                "kpi.on_time_task_rate.detail",
                rate=percent(k.on_time_task_rate),
                on_time=k.tasks_on_time,
                done=k.tasks_completed,
            ),
        ),
        (
            "kpi.late_share",
            t(
                locale,
                "kpi.late_share.detail",
                rate=percent(k.late_share),
                late=k.projects_late,
                running=k.projects_running,
                date=short_date(digest.today, locale),
            ),
        ),
        (
            "kpi.time_to_first_value",
            t(
                locale,
                "kpi.time_to_first_value.detail",
                median=days(k.time_to_first_value_median),
                count=k.first_value_reached,
            ),
        ),
        (
            "kpi.csat",
            t(locale, "kpi.csat.detail", average=csat(k.csat_average), count=k.csat_count),
        ),
        (
            "kpi.nps",
            t(
                locale,
                "kpi.nps.detail",
                score=nps(k.nps),
                promoters=k.promoters,
                passives=k.passives,
                detractors=k.detractors,
                count=k.nps_count,
            ),
        ),
    ]
    return [
        t(locale, "kpi.line", label=style.bold(t(locale, label)), value=value)
        for label, value in values
    ]


def _project_line(line: kpis.PortfolioLine, locale: str, style: _Style) -> str:
    if style.slack:
        head = f"{_STATE_ICONS.get(line.state, '•')} "
    else:
        label = t(locale, f"digest.state.{line.state}") if line.state in STATES else line.state
        head = f"[{label}] "
    csm = (
        style.person(line.csm_user_id) if line.csm_user_id else t(locale, "digest.projects.no_csm")
    )
    first = " · ".join(
        [
            head + style.bold(style.user(line.customer_name, CUSTOMER_LIMIT)),
            csm,
            t(locale, "digest.projects.progress", done=line.done, total=line.total),
        ]
    )
    if line.worst_task_title is not None and line.worst_days_overdue >= 1:
        key = (
            "digest.projects.worst_one" if line.worst_days_overdue == 1 else "digest.projects.worst"
        )
        worst = t(
            locale,
            key,
            title=style.bold(
                style.user(
                    task_title(line.worst_task_title, line.worst_task_title_ja, locale),
                    TITLE_LIMIT,
                )
            ),
            days=line.worst_days_overdue,
        )
    else:
        worst = t(locale, "digest.projects.no_overdue")
    escalation = (
        t(locale, "digest.projects.escalated", date=short_date(line.last_escalation_on, locale))
        if line.last_escalation_on
        else t(locale, "digest.projects.not_escalated")
    )
    parts = [worst, escalation]
    if line.reasons:
        reasons = t(locale, "digest.list_separator").join(
            t(locale, f"digest.reason.{r}") if r in _REASONS else style.user(r, 40)
            for r in line.reasons
        )
        parts.append(t(locale, "digest.projects.reasons", reasons=reasons))
    return clip(first + "\n" + " · ".join(parts), LINE_LIMIT)


def _bottleneck_line(b: kpis.Bottleneck, locale: str, style: _Style) -> str:
    text = t(
        locale,
        "digest.bottlenecks.line",
        title=style.bold(style.user(task_title(b.title, b.title_ja, locale), TITLE_LIMIT)),
        late=b.late,
        reached=b.reached,
        share=percent(b.share),
        reason=slip_reason_label(b.top_reason, locale)
        if b.top_reason
        else t(locale, "digest.bottlenecks.no_reason"),
    )
    if b.review:
        text += "\n" + style.bold(t(locale, "digest.bottlenecks.review"))
    elif b.small_sample:
        text += "\n" + t(locale, "digest.bottlenecks.small_sample", reached=b.reached)
    return clip(text, LINE_LIMIT)


def _review_count(digest: Digest) -> int:
    return sum(b.review for b in digest.bottlenecks)


# --- Slack -----------------------------------------------------------------------------------


def digest_messages(digest: Digest, *, locale: str) -> tuple[Message, list[Message]]:
    """The summary for the CS team channel, and the detail messages for its thread.

    Args:
        digest: What to report.
        locale: The team's language.

    Returns:
        The summary, then the thread messages in posting order: the at-risk and late
        projects (several messages, or cut with "…and N more", when the list is long), the
        KPIs, the bottleneck tasks. Every message stays within Slack's limits.
    """
    return _summary(digest, locale), [
        *_project_messages(digest, locale),
        *_cancellation_messages(digest, locale),
        _kpi_message(digest, locale),
        *_bottleneck_messages(digest, locale),
    ]


def _cancellation_lines(digest: Digest, locale: str) -> list[str]:
    return [
        t(
            locale,
            "digest.cancelled.line",
            customer=clip(escape(name), 80),
            reason=clip(escape(reason), 500) if reason else t(locale, "digest.cancelled.no_reason"),
        )
        for name, reason in digest.cancellations
    ]


def _cancellation_messages(digest: Digest, locale: str) -> list[Message]:
    """Cancelled projects with the reason given (CS staff only); nothing when none."""
    if not digest.cancellations:
        return []
    return _list_messages(
        kind="cancelled",
        locale=locale,
        title="🛑 " + t(locale, "digest.cancelled.title", count=len(digest.cancellations)),
        intro=None,
        lines=_cancellation_lines(digest, locale),
        empty="",
    )


def _summary(digest: Digest, locale: str) -> Message:
    start, end = _week_range(digest, locale)
    p = digest.portfolio
    header = clip("📊 " + _title(digest, locale), limits.HEADER_TEXT)
    kpi_start, kpi_end = _kpi_range(digest, locale)
    blocks: list[Block] = [
        {"type": "header", "block_id": DigestBlockId.HEADER, "text": plain(header)},
        section(
            DigestBlockId.STATES,
            SLACK.bold(t(locale, "digest.running", count=p.running))
            + "\n"
            + _state_counts(p, locale, icons=True),
        ),
        section(
            DigestBlockId.WEEK,
            "\n".join(
                [
                    SLACK.bold(_period_title(digest, locale)),
                    *_week_lines(digest.week, locale, icons=True),
                ]
            ),
        ),
        section(
            DigestBlockId.HEADLINE,
            "\n".join(
                [
                    SLACK.bold(t(locale, "digest.headline.title", start=kpi_start, end=kpi_end)),
                    *_headline(digest.kpis, locale),
                ]
            ),
        ),
    ]
    review = _review_count(digest)
    if review:
        key = "digest.review_hint_one" if review == 1 else "digest.review_hint"
        blocks.append(section(DigestBlockId.REVIEW, "⚠️ " + t(locale, key, count=review)))
    blocks.append(context(DigestBlockId.THREAD, "🧵 " + t(locale, "digest.thread_hint")))
    text = t(
        locale,
        "digest.text",
        start=start,
        end=end,
        on_track=p.on_track,
        at_risk=p.at_risk,
        late=p.late,
        paused=p.paused,
    )
    return Message(text=text, blocks=blocks)


def _project_messages(digest: Digest, locale: str) -> list[Message]:
    lines = digest.portfolio.lines
    return _list_messages(
        kind="projects",
        locale=locale,
        title="🚨 " + t(locale, "digest.projects.title", count=len(lines)),
        intro=None,
        lines=[_project_line(line, locale, SLACK) for line in lines],
        empty="✅ " + t(locale, "digest.projects.none"),
    )


def _bottleneck_messages(digest: Digest, locale: str) -> list[Message]:
    start, end = _bottleneck_range(digest, locale)
    return _list_messages(
        kind="bottlenecks",
        locale=locale,
        title="🚧 " + t(locale, "digest.bottlenecks.title", count=len(digest.bottlenecks)),
        intro=t(locale, "digest.bottlenecks.window", start=start, end=end, min=kpis.MIN_REACHED),
        lines=[_bottleneck_line(b, locale, SLACK) for b in digest.bottlenecks],
        empty="✅ " + t(locale, "digest.bottlenecks.none"),
    )


def _kpi_message(digest: Digest, locale: str) -> Message:
    start, end = _kpi_range(digest, locale)
    title = "📈 " + t(locale, "kpi.title", start=start, end=end)
    values = "\n".join(f"• {line}" for line in _kpi_lines(digest, locale, SLACK))
    return Message(
        text=title,
        blocks=[
            section(DigestBlockId.KPI_TITLE, SLACK.bold(title)),
            section(DigestBlockId.KPI_VALUES, clip(values, limits.TEXT)),
            context(DigestBlockId.KPI_WINDOWS, t(locale, "kpi.windows")),
        ],
    )


def _list_messages(
    *,
    kind: str,
    locale: str,
    title: str,
    intro: str | None,
    lines: Sequence[str],
    empty: str,
) -> list[Message]:
    """A list as thread messages: chunks of lines in sections, sections spread over messages.

    At most `MAX_LIST_MESSAGES` messages; what doesn't fit ends with "…and N more".
    """
    first_overhead = 1 + (intro is not None)  # title, intro
    chunks = _pack(lines) if lines else [[empty]]
    room = [limits.MESSAGE_BLOCKS - first_overhead] + [limits.MESSAGE_BLOCKS - 1] * (
        MAX_LIST_MESSAGES - 1
    )
    hidden = 0
    if len(chunks) > sum(room):
        kept = sum(room) - 1  # one block for "…and N more"
        hidden = sum(len(chunk) for chunk in chunks[kept:])
        chunks = chunks[:kept]

    pages: list[list[tuple[int, list[str]]]] = [[]]
    for index, chunk in enumerate(chunks, start=1):
        if len(pages[-1]) == room[len(pages) - 1]:
            pages.append([])
        pages[-1].append((index, chunk))

    messages = []
    for page_no, page in enumerate(pages, start=1):
        if page_no == 1:
            text = title
            blocks = [section(list_block_id(kind, "title"), SLACK.bold(title))]
            if intro is not None:
                blocks.append(context(list_block_id(kind, "intro"), clip(intro, limits.TEXT)))
        else:
            text = t(locale, f"digest.{kind}.continued", page=page_no, pages=len(pages))
            blocks = [context(list_block_id(kind, "continued"), text)]
        blocks += [section(list_block_id(kind, n), "\n\n".join(chunk)) for n, chunk in page]
        messages.append(Message(text=text, blocks=blocks))
    if hidden:
        more = context(list_block_id(kind, "more"), t(locale, "digest.more", count=hidden))
        messages[-1].blocks.append(more)
    return messages


def _pack(lines: Sequence[str]) -> list[list[str]]:
    """Group lines into section texts of at most LINES_PER_SECTION lines and limits.TEXT."""
    chunks: list[list[str]] = []
    size = 0
    for line in lines:
        line = clip(line, limits.TEXT)
        grows = len(line) + 2  # the blank line between entries
        if not chunks or len(chunks[-1]) == LINES_PER_SECTION or size + grows > limits.TEXT:
            chunks.append([])
            size = 0
        chunks[-1].append(line)
        size += grows
    return chunks


# --- terminal and JSON ------------------------------------------------------------------------


def report_text(digest: Digest, *, locale: str) -> str:
    """The digest as plain text for `onboardbot report`: every line, nothing cut."""
    kpi_start, kpi_end = _kpi_range(digest, locale)
    title = _title(digest, locale)
    p = digest.portfolio
    out: list[str] = [
        title,
        t(locale, "report.today", date=long_date(digest.today, locale)),
        "=" * 60,
        "",
        t(locale, "digest.running", count=p.running),
        "  " + _state_counts(p, locale, icons=False),
        "",
        _period_title(digest, locale),
        *(f"  {line}" for line in _week_lines(digest.week, locale, icons=False)),
        "",
        t(locale, "digest.projects.title", count=len(p.lines)),
    ]
    out += _indented([_project_line(line, locale, TERMINAL) for line in p.lines]) or [
        "  " + t(locale, "digest.projects.none")
    ]
    if digest.cancellations:
        out += ["", t(locale, "digest.cancelled.title", count=len(digest.cancellations))]
        out += _indented(_cancellation_lines(digest, locale))
    out += ["", t(locale, "kpi.title", start=kpi_start, end=kpi_end)]
    out += [f"  {line}" for line in _kpi_lines(digest, locale, TERMINAL)]
    out += ["  " + t(locale, "kpi.windows"), ""]
    out.append(t(locale, "digest.bottlenecks.title", count=len(digest.bottlenecks)))
    since, until = _bottleneck_range(digest, locale)
    out.append(
        "  " + t(locale, "digest.bottlenecks.window", start=since, end=until, min=kpis.MIN_REACHED)
    )
    out += _indented([_bottleneck_line(b, locale, TERMINAL) for b in digest.bottlenecks]) or [
        "  " + t(locale, "digest.bottlenecks.none")
    ]
    return "\n".join(out) + "\n"


def _indented(entries: list[str]) -> list[str]:
    """Each entry's first line indented by 2, its next lines by 6."""
    out = []
    for entry in entries:
        first, *rest = entry.split("\n")
        out.append(f"  {first}")
        out += [f"      {line}" for line in rest]
    return out


def report_json(digest: Digest) -> dict[str, Any]:
    """The digest as JSON-ready data: dates as ISO strings, every number, every line.

    `period` is the window the counts cover ([start, end), `kind` "week" for the Monday
    digest, "range" for `onboardbot report --from/--to`), named for what it is.
    """
    p = digest.portfolio
    period = _jsonable(dataclasses.asdict(digest.week))
    return {
        "today": digest.today.isoformat(),
        "period": {
            "kind": "week" if digest.weekly else "range",
            "days": (digest.week.end - digest.week.start).days,
            **period,
        },
        "kpi_window": {"start": digest.kpi_start.isoformat(), "end": digest.kpi_end.isoformat()},
        "portfolio": {
            "running": p.running,
            **{state: getattr(p, state) for state in STATES},
            "deleted": p.deleted,
            "lines": [_jsonable(dataclasses.asdict(line)) for line in p.lines],
        },
        "cancellations": [
            {"customer": name, "reason": reason} for name, reason in digest.cancellations
        ],
        "kpis": _jsonable(dataclasses.asdict(digest.kpis)),
        "bottlenecks": [_jsonable(dataclasses.asdict(b)) for b in digest.bottlenecks],
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value

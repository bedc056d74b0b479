"""What the digest's two renderings both say: the Slack messages (`bot.blocks.digest`) and the
terminal report (`bot.blocks.report`) share these line builders and catalog texts; only the
decoration differs (mrkdwn, escaping and mentions for Slack; plain text for a terminal, with
control characters removed so a customer name can't drive the terminal). Pure.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from bot.blocks.checklist import long_date, short_date
from bot.blocks.escape import clip, escape, mention
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


# --- decoration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
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


SLACK = Style(slack=True)
TERMINAL = Style(slack=False)


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


def digest_title(digest: Digest, locale: str) -> str:
    """The weekly digest's title, or the report's for its own range."""
    start, end = week_range(digest, locale)
    key = "digest.title" if digest.weekly else "report.title"
    return t(locale, key, start=start, end=end)


def period_title(digest: Digest, locale: str) -> str:
    return t(locale, "digest.week.title" if digest.weekly else "report.period.title")


def week_range(digest: Digest, locale: str) -> tuple[str, str]:
    """The reported week as first and last day (the window's end is exclusive)."""
    last = max(digest.start, digest.end - timedelta(days=1))
    return long_date(digest.start, locale), long_date(last, locale)


def kpi_range(digest: Digest, locale: str) -> tuple[str, str]:
    last = max(digest.kpi_start, digest.kpi_end - timedelta(days=1))
    return long_date(digest.kpi_start, locale), long_date(last, locale)


def bottleneck_range(digest: Digest, locale: str) -> tuple[str, str]:
    """Planned due dates in [today - BOTTLENECK_DAYS, today], both ends inclusive."""
    first = digest.today - timedelta(days=BOTTLENECK_DAYS)
    return long_date(first, locale), long_date(digest.today, locale)


def state_counts(portfolio: kpis.Portfolio, locale: str, *, icons: bool) -> str:
    parts = []
    for state in kpis.RUNNING_STATES:
        label = t(locale, f"digest.state.{state}")
        text = t(locale, "digest.state_count", label=label, count=getattr(portfolio, state))
        parts.append(f"{_STATE_ICONS[state]} {text}" if icons else text)
    if portfolio.deleted:
        label = t(locale, "digest.state.deleted")
        text = t(locale, "digest.state_count", label=label, count=portfolio.deleted)
        parts.append(f"🗑️ {text}" if icons else text)
    return " · ".join(parts)


def week_lines(week: kpis.WeekSummary, locale: str, *, icons: bool) -> list[str]:
    lines = []
    for field, icon in _WEEK:
        text = t(locale, f"digest.week.{field}", count=getattr(week, field))
        lines.append(f"{icon} {text}" if icons else text)
    return lines


def headline(k: kpis.Kpis, locale: str) -> list[str]:
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


def kpi_lines(digest: Digest, locale: str, style: Style) -> list[str]:
    """One line a KPI: its label (`kpi.<name>`) and its detail (`kpi.<name>.detail`)."""
    return [
        t(
            locale,
            "kpi.line",
            label=style.bold(t(locale, label)),
            value=t(locale, f"{label}.detail", **values),
        )
        for label, values in _kpi_values(digest, locale)
    ]


def _kpi_values(digest: Digest, locale: str) -> list[tuple[str, dict[str, object]]]:
    """Each KPI's label key and the values its detail text shows, in the digest's order."""
    k = digest.kpis
    ended = k.projects_completed + k.projects_cancelled
    return [
        (
            "kpi.completion_rate",
            {"rate": percent(k.completion_rate), "completed": k.projects_completed, "ended": ended},
        ),
        (
            "kpi.churn_rate",
            {"rate": percent(k.churn_rate), "cancelled": k.projects_cancelled, "ended": ended},
        ),
        (
            "kpi.days_to_complete",
            {
                "median": days(k.days_to_complete_median),
                "p80": days(k.days_to_complete_p80),
                "count": k.projects_completed,
            },
        ),
        (
            "kpi.on_time_task_rate",
            {
                "rate": percent(k.on_time_task_rate),
                "on_time": k.tasks_on_time,
                "done": k.tasks_completed,
            },
        ),
        (
            "kpi.late_share",
            {
                "rate": percent(k.late_share),
                "late": k.projects_late,
                "running": k.projects_running,
                "date": short_date(digest.today, locale),
            },
        ),
        (
            "kpi.time_to_first_value",
            {"median": days(k.time_to_first_value_median), "count": k.first_value_reached},
        ),
        ("kpi.csat", {"average": csat(k.csat_average), "count": k.csat_count}),
        (
            "kpi.nps",
            {
                "score": nps(k.nps),
                "promoters": k.promoters,
                "passives": k.passives,
                "detractors": k.detractors,
                "count": k.nps_count,
            },
        ),
    ]


def project_line(line: kpis.PortfolioLine, locale: str, style: Style) -> str:
    if style.slack:
        head = f"{_STATE_ICONS.get(line.state, '•')} "
    else:
        label = (
            t(locale, f"digest.state.{line.state}")
            if line.state in kpis.RUNNING_STATES
            else line.state
        )
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


def bottleneck_line(b: kpis.Bottleneck, locale: str, style: Style) -> str:
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


def review_count(digest: Digest) -> int:
    return sum(b.review for b in digest.bottlenecks)


def cancellation_lines(digest: Digest, locale: str) -> list[str]:
    return [
        t(
            locale,
            "digest.cancelled.line",
            customer=clip(escape(name), 80),
            reason=clip(escape(reason), 500) if reason else t(locale, "digest.cancelled.no_reason"),
        )
        for name, reason in digest.cancellations
    ]

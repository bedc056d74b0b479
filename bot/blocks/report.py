"""The digest for `onboardbot report`: plain text for a terminal, and JSON. Every line, nothing
cut; the lines are the ones the Slack digest says (`bot.blocks.digest_lines`). Pure.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from bot.blocks.checklist import long_date
from bot.blocks.digest_lines import (
    TERMINAL,
    bottleneck_line,
    bottleneck_range,
    cancellation_lines,
    digest_title,
    kpi_lines,
    kpi_range,
    period_title,
    project_line,
    state_counts,
    week_lines,
)
from bot.domain import kpis
from bot.domain.digest import Digest
from bot.i18n import t

# --- terminal and JSON ------------------------------------------------------------------------


def report_text(digest: Digest, *, locale: str) -> str:
    """The digest as plain text for `onboardbot report`: every line, nothing cut."""
    kpi_start, kpi_end = kpi_range(digest, locale)
    title = digest_title(digest, locale)
    p = digest.portfolio
    out: list[str] = [
        title,
        t(locale, "report.today", date=long_date(digest.today, locale)),
        "=" * 60,
        "",
        t(locale, "digest.running", count=p.running),
        "  " + state_counts(p, locale, icons=False),
        "",
        period_title(digest, locale),
        *(f"  {line}" for line in week_lines(digest.week, locale, icons=False)),
        "",
        t(locale, "digest.projects.title", count=len(p.lines)),
    ]
    out += _indented([project_line(line, locale, TERMINAL) for line in p.lines]) or [
        "  " + t(locale, "digest.projects.none")
    ]
    if digest.cancellations:
        out += ["", t(locale, "digest.cancelled.title", count=len(digest.cancellations))]
        out += _indented(cancellation_lines(digest, locale))
    out += ["", t(locale, "kpi.title", start=kpi_start, end=kpi_end)]
    out += [f"  {line}" for line in kpi_lines(digest, locale, TERMINAL)]
    out += ["  " + t(locale, "kpi.windows"), ""]
    out.append(t(locale, "digest.bottlenecks.title", count=len(digest.bottlenecks)))
    since, until = bottleneck_range(digest, locale)
    out.append(
        "  " + t(locale, "digest.bottlenecks.window", start=since, end=until, min=kpis.MIN_REACHED)
    )
    out += _indented([bottleneck_line(b, locale, TERMINAL) for b in digest.bottlenecks]) or [
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
            **{state: getattr(p, state) for state in kpis.RUNNING_STATES},
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

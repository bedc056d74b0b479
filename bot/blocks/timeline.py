"""The plan as a Gantt-style PNG: phases, tasks by owner side, due dates, busy periods and
holidays shaded, today's line.

Drawn like the digest's chart (`bot.blocks.chart`): a `Figure` of its own on the Agg canvas,
never pyplot, and Japanese from the font the `matplotlib-fontja` package ships.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from bot.blocks.chart import font
from bot.domain.timeline import Timeline, TimelineTask
from bot.i18n import t

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_IN, DPI = 11, 100  # 1100 px wide; the height grows with the tasks
ROW_IN, FRAME_IN = 0.32, 1.9
TOP_IN, BOTTOM_IN = 0.55, 0.8  # the heading above the rows; the dates and legend below
PHASE_LIMIT = {"ja": 8, "en": 14}  # phase titles at the right, in characters
TITLE_LIMIT = {"ja": 22, "en": 40}  # task titles on the y axis, in characters
SIDE_COLOUR = {"customer": "#e8833a", "vendor": "#3a78c9"}
_DONE_ALPHA, _BUSY, _CLOSED, _WEEKEND = 0.35, "#f4b6b0", "#c9ccd1", "#f1f3f4"
_TODAY, _GO_LIVE, _BAND = "#d64545", "#2e9d5b", "#f7f7f9"


def timeline_png(timeline: Timeline) -> bytes:
    """The PNG file's bytes: one row per task, in checklist order, grouped by phase."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    rows = len(timeline.tasks)
    figure = Figure(figsize=(WIDTH_IN, FRAME_IN + ROW_IN * max(rows, 3)), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    axes = figure.subplots()
    locale = timeline.locale
    first = timeline.first - timedelta(days=1)
    last = timeline.last + timedelta(days=6)  # room for the last due date's label
    axes.set_xlim(_x(first), _x(last))
    axes.set_ylim(rows - 0.4, -0.6)  # the first task on top
    _days_shaded(axes, timeline, first, last)
    _phases(axes, timeline, locale)
    for row, task in enumerate(timeline.tasks):
        _bar(axes, row, task, locale)
    _lines(axes, timeline, locale)
    axes.set_yticks(
        range(rows),
        [_label(task, locale) for task in timeline.tasks],
        fontproperties=font(locale, 8),
    )
    _date_axis(axes, first, last, locale)
    title = heading(timeline)
    axes.set_title(title, fontproperties=_font_for(title, locale, 12), loc="left", pad=12)
    handles = _legend(timeline, locale)
    axes.legend(
        handles=handles,
        loc="upper left",
        # Just below the dates: 0.3 inch, in the axes' own fraction.
        bbox_to_anchor=(0, -0.3 / (figure.get_figheight() - TOP_IN - BOTTOM_IN)),
        ncol=len(handles),
        frameon=False,
        prop=font(locale, 8),
        borderaxespad=0,
        handlelength=1.6,
        columnspacing=1.4,
    )
    axes.spines[["top", "right"]].set_visible(False)
    # Fixed margins (titles are cut to fit): tight_layout gives up on long labels.
    height = figure.get_figheight()
    figure.subplots_adjust(
        left=0.25, right=0.89, top=1 - TOP_IN / height, bottom=BOTTOM_IN / height
    )
    buffer = io.BytesIO()
    canvas.print_png(buffer)
    return buffer.getvalue()


def heading(timeline: Timeline) -> str:
    if timeline.customer is None:
        return t(
            timeline.locale,
            "timeline.preview_title",
            playbook=timeline.playbook,
            kickoff=timeline.kickoff.isoformat(),
        )
    return t(
        timeline.locale,
        "timeline.title",
        customer=timeline.customer.replace("$", r"\$"),
        playbook=timeline.playbook,
    )


def _x(day: date) -> float:
    from matplotlib.dates import date2num

    return float(date2num(day))


def _days_shaded(axes: Axes, timeline: Timeline, first: date, last: date) -> None:
    day = first
    while day <= last:
        if day.weekday() >= 5:
            axes.axvspan(_x(day), _x(day) + 1, color=_WEEKEND, zorder=0, linewidth=0)
        day += timedelta(days=1)
    for day, _reason in timeline.closed:
        axes.axvspan(_x(day), _x(day) + 1, color=_CLOSED, alpha=0.8, zorder=0.5, linewidth=0)
    for period in timeline.busy:
        axes.axvspan(
            _x(period.start), _x(period.end) + 1, color=_BUSY, alpha=0.45, zorder=0.5, linewidth=0
        )
        axes.text(
            _x(period.start) + 0.2,
            -0.55,
            t(timeline.locale, "timeline.busy"),
            color="#a33a30",
            va="top",
            fontproperties=font(timeline.locale, 7),
            zorder=3,
        )


def _phases(axes: Axes, timeline: Timeline, locale: str) -> None:
    """Alternate bands, one per phase, its title at the right edge."""
    groups: list[tuple[str, int, int]] = []
    for row, task in enumerate(timeline.tasks):
        if groups and groups[-1][0] == task.phase:
            groups[-1] = (task.phase, groups[-1][1], row)
        else:
            groups.append((task.phase, row, row))
    from matplotlib.transforms import blended_transform_factory

    right = blended_transform_factory(axes.transAxes, axes.transData)
    limit = PHASE_LIMIT.get(locale, PHASE_LIMIT["en"])
    for n, (title, top, bottom) in enumerate(groups):
        title = (title if len(title) <= limit else title[: limit - 1] + "…").replace("$", r"\$")
        if n % 2 == 0:
            axes.axhspan(top - 0.5, bottom + 0.5, color=_BAND, zorder=0.2, linewidth=0)
        if n:
            axes.axhline(top - 0.5, color="#c9ccd1", linewidth=0.6, zorder=0.3)
        axes.text(
            1.005,
            (top + bottom) / 2,
            title,
            transform=right,
            va="center",
            ha="left",
            color="#5f6368",
            fontproperties=_font_for(title, locale, 8),
        )


def _bar(axes: Axes, row: int, task: TimelineTask, locale: str) -> None:
    colour = SIDE_COLOUR.get(task.side, "#9aa0a6")
    done = task.status != "open"
    axes.barh(
        row,
        _x(task.due) + 1 - _x(task.start),
        left=_x(task.start),
        height=0.56,
        color=colour,
        alpha=_DONE_ALPHA if done else 1.0,
        edgecolor="white" if not task.required else colour,  # the hatch's colour
        hatch="///" if not task.required else None,
        linewidth=0.8,
        zorder=2,
    )
    due = _day(task.due)
    label = (
        t(locale, "timeline.was", date=due, planned=_day(task.planned_due))
        if task.planned_due is not None and task.planned_due != task.due
        else due
    )
    if task.planned_due is not None and task.planned_due != task.due:
        axes.plot(
            [_x(task.planned_due) + 0.5], [row], marker="|", color="#5f6368", markersize=9, zorder=3
        )
    axes.text(
        _x(task.due) + 1.3,
        row,
        label,
        va="center",
        color="#3c4043" if not done else "#9aa0a6",
        fontproperties=font(locale, 7),
        zorder=3,
    )


def _lines(axes: Axes, timeline: Timeline, locale: str) -> None:
    if timeline.go_live is not None:
        axes.axvline(_x(timeline.go_live) + 1, color=_GO_LIVE, linestyle="--", linewidth=1.2)
    if timeline.today is not None and timeline.first <= timeline.today <= timeline.last:
        axes.axvline(_x(timeline.today) + 0.5, color=_TODAY, linewidth=1.6, zorder=4)


def _date_axis(axes: Axes, first: date, last: date, locale: str) -> None:
    mondays = [first + timedelta(days=(7 - first.weekday()) % 7)]
    while mondays[-1] + timedelta(days=7) <= last:
        mondays.append(mondays[-1] + timedelta(days=7))
    step = max(1, len(mondays) // 12)  # at most about a dozen labels
    shown = mondays[::step]
    axes.set_xticks([_x(d) + 0.5 for d in shown], [_day(d) for d in shown])
    for label in axes.get_xticklabels():
        label.set_fontproperties(font(locale, 8))
    axes.grid(axis="x", color="#e0e0e0", linewidth=0.6, zorder=0.1)
    axes.tick_params(axis="y", length=0)


def _legend(timeline: Timeline, locale: str) -> list[Any]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [
        Patch(color=SIDE_COLOUR["customer"], label=t(locale, "timeline.side.customer")),
        Patch(color=SIDE_COLOUR["vendor"], label=t(locale, "timeline.side.vendor")),
    ]
    if any(task.status != "open" for task in timeline.tasks):
        handles.append(Patch(color="#9aa0a6", alpha=_DONE_ALPHA, label=t(locale, "timeline.done")))
    if timeline.busy:
        handles.append(Patch(color=_BUSY, alpha=0.45, label=t(locale, "timeline.busy")))
    if timeline.closed:
        handles.append(Patch(color=_CLOSED, label=t(locale, "timeline.closed")))
    if timeline.today is not None and timeline.first <= timeline.today <= timeline.last:
        handles.append(
            Line2D(
                [], [], color=_TODAY, label=t(locale, "timeline.today", date=_day(timeline.today))
            )
        )
    if timeline.go_live is not None:
        handles.append(
            Line2D(
                [],
                [],
                color=_GO_LIVE,
                linestyle="--",
                label=t(locale, "timeline.go_live", date=_day(timeline.go_live)),
            )
        )
    return handles


def _font_for(text: str, locale: str, size: float) -> Any:
    """The language's font, or the Japanese one for a name written in Japanese in an
    English plan (a customer's name, a playbook's own title)."""
    if locale != "ja" and any(ord(c) >= 0x2E80 for c in text):
        return font("ja", size)
    return font(locale, size)


def _day(day: date) -> str:
    return f"{day.month}/{day.day}"


def _label(task: TimelineTask, locale: str) -> str:
    """The task's title, short, and never read as mathtext."""
    limit = TITLE_LIMIT.get(locale, TITLE_LIMIT["en"])
    text = task.title if len(task.title) <= limit else task.title[: limit - 1] + "…"
    if not task.required:
        text += t(locale, "timeline.optional")
    return text.replace("$", r"\$")

"""A small PNG for the weekly digest: projects by state, and the tasks customers keep missing.

Drawn with matplotlib's Agg canvas on a `Figure` of its own (never pyplot and its global
state), so charts can be drawn from several threads at once. Labels are in the team's
language. Japanese is drawn with the IPAex Gothic font that the `matplotlib-fontja` package
ships, passed to each text explicitly: a server rarely has a Japanese font of its own, and
importing that package would change matplotlib's global defaults.
"""

from __future__ import annotations

import importlib.util
import io
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.blocks.checklist import short_date
from bot.blocks.digest_lines import percent, task_title
from bot.domain import kpis
from bot.domain.digest import Digest
from bot.i18n import t

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_IN, HEIGHT_IN, DPI = 8, 4, 100  # 800 × 400 px
TOP_BOTTLENECKS = 8
REVIEW_SHARE = 30  # percent; the dashed line (the domain decides `review` exactly)
LABEL_LIMIT = {"ja": 16, "en": 28}  # task titles on the y axis, in characters

_STATES = (
    (kpis.ON_TRACK, "#2e9d5b"),
    (kpis.AT_RISK, "#e3a21a"),
    (kpis.LATE, "#d64545"),
    (kpis.PAUSED, "#9aa0a6"),
)
_REVIEW_COLOUR, _BAR_COLOUR, _FEW_COLOUR = "#d64545", "#e3a21a", "#c7cacf"
JAPANESE_FONT = "fonts/ipaexg.ttf"  # inside the matplotlib_fontja package


def japanese_font_file() -> Path:
    """The IPAex Gothic font file of the installed `matplotlib-fontja` package (not imported:
    its import would set matplotlib's global font)."""
    spec = importlib.util.find_spec("matplotlib_fontja")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the matplotlib-fontja package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / JAPANESE_FONT


@cache
def font(locale: str, size: float) -> Any:
    from matplotlib.font_manager import FontProperties

    if locale == "ja":
        return FontProperties(fname=japanese_font_file(), size=size)
    return FontProperties(family="DejaVu Sans", size=size)


def digest_chart_png(digest: Digest, *, locale: str) -> bytes:
    """An 800 × 400 PNG: running projects by state now (left), bottleneck late shares (right).

    Args:
        digest: What to draw.
        locale: The team's language: every label, and the task titles, are in it.

    Returns:
        The PNG file's bytes.
    """
    # Imported here: matplotlib costs ~40 MB, and only the weekly digest needs it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    _states_panel(left, digest.portfolio, today=digest.today, locale=locale)
    _bottlenecks_panel(right, digest.bottlenecks, locale=locale)
    figure.tight_layout()
    buffer = io.BytesIO()
    canvas.print_png(buffer)
    return buffer.getvalue()


def _states_panel(axes: Axes, portfolio: kpis.Portfolio, *, today: date, locale: str) -> None:
    counts = [getattr(portfolio, state) for state, _ in _STATES]
    positions = range(len(_STATES))
    bars = axes.bar(positions, counts, color=[colour for _, colour in _STATES])
    axes.bar_label(bars, labels=[str(n) for n in counts], padding=2, fontproperties=font(locale, 9))
    axes.set_xticks(
        positions,
        [t(locale, f"digest.state.{state}") for state, _ in _STATES],
        fontproperties=font(locale, 8),
    )
    axes.set_title(
        t(locale, "chart.states.title", date=short_date(today, locale)),
        fontproperties=font(locale, 10),
    )
    axes.set_ylabel(t(locale, "chart.states.ylabel"), fontproperties=font(locale, 9))
    axes.set_ylim(0, max([*counts, 1]) * 1.15)
    from matplotlib.ticker import MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)


def _bottlenecks_panel(axes: Axes, bottlenecks: list[kpis.Bottleneck], *, locale: str) -> None:
    """The first TOP_BOTTLENECKS in the digest's order (most late first), top to bottom;
    tasks too few customers reached are grey."""
    axes.set_title(t(locale, "chart.bottlenecks.title"), fontproperties=font(locale, 10))
    axes.set_xlim(0, 118)  # room for the label of a 100 % bar
    axes.set_xticks(range(0, 101, 20))
    axes.set_xlabel(t(locale, "chart.bottlenecks.xlabel"), fontproperties=font(locale, 9))
    axes.spines[["top", "right"]].set_visible(False)
    shown = bottlenecks[:TOP_BOTTLENECKS]
    if not shown:
        axes.set_yticks([])
        axes.text(
            50,
            0.5,
            t(locale, "chart.bottlenecks.none"),
            ha="center",
            va="center",
            color="#5f6368",
            fontproperties=font(locale, 9),
        )
        axes.set_ylim(0, 1)
        return
    shown = list(reversed(shown))  # barh draws from the bottom up
    positions = range(len(shown))
    bars = axes.barh(
        positions,
        [100 * b.share for b in shown],
        color=[
            _REVIEW_COLOUR if b.review else _FEW_COLOUR if b.small_sample else _BAR_COLOUR
            for b in shown
        ],
    )
    axes.bar_label(
        bars,
        labels=[f"{percent(b.share)} ({b.late}/{b.reached})" for b in shown],
        padding=2,
        fontproperties=font(locale, 8),
    )
    axes.set_yticks(
        positions, [task_label(b, locale) for b in shown], fontproperties=font(locale, 8)
    )
    axes.axvline(REVIEW_SHARE, color="#5f6368", linestyle="--", linewidth=1)
    axes.text(
        REVIEW_SHARE + 1,
        len(shown) - 0.5,
        t(locale, "chart.review_line"),
        color="#5f6368",
        va="bottom",
        fontproperties=font(locale, 7),
    )
    axes.set_ylim(-0.6, len(shown) + 0.1)


def task_label(bottleneck: kpis.Bottleneck, locale: str) -> str:
    """The task's title in the reader's language, short, and never read as mathtext."""
    text = task_title(bottleneck.title, bottleneck.title_ja, locale)
    limit = LABEL_LIMIT.get(locale, LABEL_LIMIT["en"])
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text.replace("$", r"\$")

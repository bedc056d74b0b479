"""A small PNG for the weekly digest: projects by state, and the tasks customers keep missing.

Drawn with matplotlib's Agg canvas on a `Figure` of its own (never pyplot and its global
state), so charts can be drawn from several threads at once. Labels are ASCII and tasks
are named by their playbook keys: a server often has no Japanese font, and a missing
glyph would draw as an empty box.
"""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING

from bot.blocks.digest import percent
from bot.domain import kpis
from bot.domain.digest import Digest

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_IN, HEIGHT_IN, DPI = 8, 4, 100  # 800 × 400 px
TOP_BOTTLENECKS = 8
REVIEW_SHARE = 30  # percent; the dashed line (the domain decides `review` exactly)
KEY_LIMIT = 24

_STATES = (
    (kpis.ON_TRACK, "On track", "#2e9d5b"),
    (kpis.AT_RISK, "At risk", "#e3a21a"),
    (kpis.LATE, "Late", "#d64545"),
    (kpis.PAUSED, "Paused", "#9aa0a6"),
)
_REVIEW_COLOUR, _BAR_COLOUR = "#d64545", "#e3a21a"


def digest_chart_png(digest: Digest, *, locale: str) -> bytes:
    """An 800 × 400 PNG: active projects by state now (left), bottleneck late shares (right).

    Args:
        digest: What to draw.
        locale: The team's language. The labels stay in English (ASCII) in every locale so
            the chart renders the same without a CJK font; dates are ISO.

    Returns:
        The PNG file's bytes.
    """
    del locale  # ASCII labels in every locale; see the module docstring
    # Imported here: matplotlib costs ~40 MB, and only the weekly digest needs it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.6]})
    _states_panel(left, digest.portfolio, today=digest.today)
    _bottlenecks_panel(right, digest.bottlenecks)
    figure.tight_layout()
    buffer = io.BytesIO()
    canvas.print_png(buffer)
    return buffer.getvalue()


def _states_panel(axes: Axes, portfolio: kpis.Portfolio, *, today: date) -> None:
    counts = [getattr(portfolio, state) for state, _, _ in _STATES]
    positions = range(len(_STATES))
    bars = axes.bar(positions, counts, color=[colour for _, _, colour in _STATES])
    axes.bar_label(bars, labels=[str(n) for n in counts], padding=2)
    axes.set_xticks(positions, [label for _, label, _ in _STATES], fontsize=8)
    axes.set_title(f"Active projects by state ({today.isoformat()})", fontsize=10)
    axes.set_ylabel("Projects")
    axes.set_ylim(0, max([*counts, 1]) * 1.15)
    from matplotlib.ticker import MaxNLocator

    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right"]].set_visible(False)


def _bottlenecks_panel(axes: Axes, bottlenecks: list[kpis.Bottleneck]) -> None:
    """The first TOP_BOTTLENECKS in the digest's order (most late first), top to bottom."""
    axes.set_title("Bottleneck tasks: share of customers late", fontsize=10)
    axes.set_xlim(0, 118)  # room for the label of a 100 % bar
    axes.set_xticks(range(0, 101, 20))
    axes.set_xlabel("Late share (%)")
    axes.spines[["top", "right"]].set_visible(False)
    shown = bottlenecks[:TOP_BOTTLENECKS]
    if not shown:
        axes.set_yticks([])
        axes.text(50, 0.5, "No bottlenecks", ha="center", va="center", color="#5f6368")
        axes.set_ylim(0, 1)
        return
    shown = list(reversed(shown))  # barh draws from the bottom up
    positions = range(len(shown))
    bars = axes.barh(
        positions,
        [100 * b.share for b in shown],
        color=[_REVIEW_COLOUR if b.review else _BAR_COLOUR for b in shown],
    )
    axes.bar_label(
        bars,
        labels=[f"{percent(b.share)} ({b.late}/{b.reached})" for b in shown],
        padding=2,
        fontsize=8,
    )
    axes.set_yticks(positions, [_ascii_label(b.key) for b in shown], fontsize=8)
    axes.axvline(REVIEW_SHARE, color="#5f6368", linestyle="--", linewidth=1)
    axes.text(
        REVIEW_SHARE + 1, len(shown) - 0.5, "30% review", fontsize=7, color="#5f6368", va="bottom"
    )
    axes.set_ylim(-0.6, len(shown) + 0.1)


def _ascii_label(key: str) -> str:
    """A task key that draws in any font and is never read as mathtext (`$…$`)."""
    text = key.encode("ascii", "replace").decode("ascii")
    if len(text) > KEY_LIMIT:
        text = text[: KEY_LIMIT - 3] + "..."
    return text.replace("$", r"\$")

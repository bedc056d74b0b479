"""What one weekly digest (or report) holds. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.kpis import Bottleneck, Kpis, Portfolio, WeekSummary


@dataclass(frozen=True)
class Digest:
    start: date  # the week reported on: [start, end)
    end: date
    today: date
    kpi_start: date  # the KPI window: [kpi_start, kpi_end)
    kpi_end: date
    portfolio: Portfolio
    week: WeekSummary
    kpis: Kpis
    bottlenecks: list[Bottleneck]
    # The Monday digest reports a week; `onboardbot report` any range ([start, end) above).
    weekly: bool = True
    # Projects cancelled in [start, end): (customer, the reason given at closing or ""), for
    # CS staff only: the digest goes to the CS team channel, never to a customer.
    cancellations: tuple[tuple[str, str], ...] = ()

"""The Monday digest for the CS team channel.

The channel gets a short summary; the details go in its thread: the at-risk and late
projects, every KPI with its window, and the playbook tasks customers keep missing. When
30 % or more of customers miss a task, the schedule itself is probably unrealistic, so
those tasks are marked for a review of their schedule. The same report for a terminal is
`bot.blocks.report`; the lines both say are in `bot.blocks.digest_lines`.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from bot.blocks import limits
from bot.blocks.digest_lines import (
    LINES_PER_SECTION,
    MAX_LIST_MESSAGES,
    SLACK,
    bottleneck_line,
    bottleneck_range,
    cancellation_lines,
    digest_title,
    headline,
    kpi_lines,
    kpi_range,
    period_title,
    project_line,
    review_count,
    state_counts,
    week_lines,
    week_range,
)
from bot.blocks.escape import clip
from bot.blocks.message import Block, Message, context, plain, section
from bot.domain import kpis
from bot.domain.digest import Digest
from bot.i18n import t


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


def _cancellation_messages(digest: Digest, locale: str) -> list[Message]:
    """Cancelled projects with the reason given (CS staff only); nothing when none."""
    if not digest.cancellations:
        return []
    return _list_messages(
        kind="cancelled",
        locale=locale,
        title="🛑 " + t(locale, "digest.cancelled.title", count=len(digest.cancellations)),
        intro=None,
        lines=cancellation_lines(digest, locale),
        empty="",
    )


def _summary(digest: Digest, locale: str) -> Message:
    start, end = week_range(digest, locale)
    p = digest.portfolio
    header = clip("📊 " + digest_title(digest, locale), limits.HEADER_TEXT)
    kpi_start, kpi_end = kpi_range(digest, locale)
    blocks: list[Block] = [
        {"type": "header", "block_id": DigestBlockId.HEADER, "text": plain(header)},
        section(
            DigestBlockId.STATES,
            SLACK.bold(t(locale, "digest.running", count=p.running))
            + "\n"
            + state_counts(p, locale, icons=True),
        ),
        section(
            DigestBlockId.WEEK,
            "\n".join(
                [
                    SLACK.bold(period_title(digest, locale)),
                    *week_lines(digest.week, locale, icons=True),
                ]
            ),
        ),
        section(
            DigestBlockId.HEADLINE,
            "\n".join(
                [
                    SLACK.bold(t(locale, "digest.headline.title", start=kpi_start, end=kpi_end)),
                    *headline(digest.kpis, locale),
                ]
            ),
        ),
    ]
    review = review_count(digest)
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
        lines=[project_line(line, locale, SLACK) for line in lines],
        empty="✅ " + t(locale, "digest.projects.none"),
    )


def _bottleneck_messages(digest: Digest, locale: str) -> list[Message]:
    start, end = bottleneck_range(digest, locale)
    return _list_messages(
        kind="bottlenecks",
        locale=locale,
        title="🚧 " + t(locale, "digest.bottlenecks.title", count=len(digest.bottlenecks)),
        intro=t(locale, "digest.bottlenecks.window", start=start, end=end, min=kpis.MIN_REACHED),
        lines=[bottleneck_line(b, locale, SLACK) for b in digest.bottlenecks],
        empty="✅ " + t(locale, "digest.bottlenecks.none"),
    )


def _kpi_message(digest: Digest, locale: str) -> Message:
    start, end = kpi_range(digest, locale)
    title = "📈 " + t(locale, "kpi.title", start=start, end=end)
    values = "\n".join(f"• {line}" for line in kpi_lines(digest, locale, SLACK))
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

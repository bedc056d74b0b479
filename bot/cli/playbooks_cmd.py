"""`onboardbot playbooks list | validate | preview`."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from bot.blocks.timeline import timeline_png
from bot.cli.errors import UsageError
from bot.cli.table import format_table
from bot.config import load_settings
from bot.domain.calendar import BusinessCalendar, DateRange
from bot.domain.planning import PlannedTask, plan
from bot.domain.playbook import Locale, Playbook, PlaybookError, load_playbook, load_playbooks
from bot.domain.timeline import playbook_timeline
from bot.i18n import t
from bot.services.calendars import calendar_for


def register(subparsers: argparse._SubParsersAction) -> None:
    playbooks = subparsers.add_parser("playbooks", help="onboarding playbooks")
    sub = playbooks.add_subparsers(dest="playbooks_command", required=True, metavar="ACTION")

    sub.add_parser("list", help="list the available playbooks").set_defaults(handler=run_list)

    validate = sub.add_parser("validate", help="check playbook YAML files")
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    validate.set_defaults(handler=run_validate)

    preview = sub.add_parser("preview", help="print the dated plan of a playbook")
    preview.add_argument("name", metavar="NAME")
    preview.add_argument("--kickoff", required=True, type=_iso_date, metavar="YYYY-MM-DD")
    preview.add_argument(
        "--blackout",
        action="append",
        default=[],
        type=_date_range,
        metavar="START:END",
        help="a period the customer cannot work (repeatable)",
    )
    preview.add_argument("--lang", choices=["ja", "en"], default=None)
    preview.add_argument("--format", choices=["table", "json", "png"], default="table")
    preview.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="where --format png writes the timeline (default: NAME-KICKOFF.png)",
    )
    preview.set_defaults(handler=run_preview)


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _date_range(text: str) -> DateRange:
    try:
        return DateRange.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _all_playbooks() -> dict[str, Playbook]:
    settings = load_settings()
    try:
        return load_playbooks(settings.playbook_dir)
    except PlaybookError as exc:
        raise UsageError(str(exc)) from None


def run_list(_args: argparse.Namespace) -> int:
    settings = load_settings()
    rows = [
        [
            pb.name,
            str(pb.version),
            pb.touch_model,
            str(len(pb.tasks)),
            pb.title.get(settings.default_locale),
        ]
        for pb in sorted(_all_playbooks().values(), key=lambda p: p.name)
    ]
    print(format_table(["name", "version", "touch", "tasks", "title"], rows))
    return 0


def run_validate(args: argparse.Namespace) -> int:
    failed = False
    for path in args.paths:
        try:
            playbook = load_playbook(path)
        except PlaybookError as exc:
            failed = True
            print(str(exc))
            continue
        print(f"{path}: ok ({playbook.name} v{playbook.version}, {len(playbook.tasks)} tasks)")
    return 2 if failed else 0


def run_preview(args: argparse.Namespace) -> int:
    settings = load_settings()
    playbooks = _all_playbooks()
    if args.name not in playbooks:
        raise UsageError(
            f"no playbook named {args.name!r}; available: {', '.join(sorted(playbooks))}"
        )
    playbook = playbooks[args.name]
    calendar = calendar_for(settings, blackouts=args.blackout)
    planned = plan(playbook.tasks, kickoff=args.kickoff, calendar=calendar)
    lang: Locale = args.lang or settings.default_locale
    if args.format == "png":
        return _write_png(args, playbook, planned, calendar, lang)
    if args.format == "json":
        print(
            json.dumps(
                _plan_json(playbook, planned, lang),
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(_plan_table(playbook, planned, calendar, args.kickoff, lang))
    return 0


def _write_png(
    args: argparse.Namespace,
    playbook: Playbook,
    planned: list[PlannedTask],
    calendar: BusinessCalendar,
    lang: Locale,
) -> int:
    output: Path = args.output or Path(f"{playbook.name}-{args.kickoff.isoformat()}.png")
    if output.is_dir() or not output.parent.is_dir():
        raise UsageError(f"--output {output}: not a file in an existing folder")
    timeline = playbook_timeline(
        playbook,
        planned,
        locale=lang,
        kickoff=args.kickoff,
        calendar=calendar,
        busy=args.blackout,
    )
    output.write_bytes(timeline_png(timeline))
    print(output)
    return 0


def _plan_json(
    playbook: Playbook, planned: list[PlannedTask], lang: Locale
) -> list[dict[str, object]]:
    out = []
    for item in planned:
        task = playbook.task(item.task_id)
        out.append(
            {
                "id": task.id,
                "phase": task.phase,
                "title": task.title.get(lang),
                "owner_side": task.owner_side,
                "owner_role": task.owner_role,
                "required": task.required,
                "start": item.start.isoformat(),
                "due": item.due.isoformat(),
            }
        )
    return out


def _plan_table(
    playbook: Playbook,
    planned: list[PlannedTask],
    calendar: BusinessCalendar,
    kickoff: date,
    lang: Locale,
) -> str:
    rows = []
    for item in planned:
        task = playbook.task(item.task_id)
        title = task.title.get(lang)
        if not task.required:
            title += f" ({t(lang, 'preview.optional')})"
        rows.append(
            [
                playbook.phase(task.phase).title.get(lang),
                title,
                f"{t(lang, f'side.{task.owner_side}')} / {t(lang, f'role.{task.owner_role}')}",
                item.start.isoformat(),
                item.due.isoformat(),
            ]
        )
    header = [t(lang, f"preview.col.{c}") for c in ("phase", "task", "owner", "start", "due")]
    end = max(item.due for item in planned)
    title = t(
        lang,
        "preview.title",
        playbook=playbook.title.get(lang),
        version=playbook.version,
        touch=playbook.touch_model,
        kickoff=kickoff.isoformat(),
    )
    lines = [title, "", format_table(header, rows), ""]
    lines.append(
        t(
            lang,
            "preview.end",
            date=end.isoformat(),
            days=calendar.business_days_between(kickoff, end) + 1,
        )
    )
    skipped = [(d, r) for d, r in calendar.closed_days(kickoff, end) if r.kind != "weekend"]
    weekends = sum(1 for _, r in calendar.closed_days(kickoff, end) if r.kind == "weekend")
    if not skipped and not weekends:
        lines.append(t(lang, "preview.none_skipped"))
    else:
        lines.append(t(lang, "preview.skipped_days", count=len(skipped) + weekends))
        for day, reason in skipped:
            label = t(lang, f"closed.{reason.kind}", name=reason.name(lang) or "")
            lines.append(f"  {day.isoformat()} ({day.strftime('%a')})  {label}")
        lines.append(f"  + {weekends} × {t(lang, 'closed.weekend')}")
    return "\n".join(lines)

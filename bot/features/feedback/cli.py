"""`bridgebot` subcommands of the feedback part: `survey ...` and `report ...`.

    bridgebot survey show --program NAME [--kind post_session]
    bridgebot survey set --program NAME --kind post_session --file items.toml   (or .json)
    bridgebot survey reset --program NAME --kind post_session
    bridgebot survey settings --program NAME [--k 5] [--k-comments 10] [--reminder-hours 48] [--expiry-days 7]
    bridgebot survey sweep
    bridgebot report --program NAME [--group ID] [--session ID] --format csv|html|png --out DIR [--locale ru]

An items file lists the items in order; each has a key, a kind (likert5, thermometer, text), an
optional construct (pre/post surveys are compared by construct) and its text per language:

    [[items]]
    key = "useful"
    kind = "likert5"
    construct = "useful"
    text = { en = "The session was useful.", ru = "Встреча была полезной." }

An item with a shipped key and no text keeps the shipped, translated wording.
"""

from __future__ import annotations

import argparse
import json
import tomllib
from pathlib import Path
from typing import Any

from bot.clitools.database import CliError
from bot.clitools.database import in_db as _in_db
from bot.clitools.database import now as _now
from bot.clitools.numbers import id_arg, number_arg
from bot.config import SUPPORTED_LOCALES, Settings

FORMATS = ("csv", "html", "png", "package")


def _load_items(path: Path) -> list[Any]:
    from bot.features.feedback.surveys import ItemSpec

    try:
        raw = path.read_bytes()
        data = (
            tomllib.loads(raw.decode("utf-8"))
            if path.suffix.lower() == ".toml"
            else json.loads(raw)
        )
    except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise CliError(f"cannot read {path}: {exc}") from exc
    entries = data.get("items") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise CliError(f"{path}: expected a list of items (an [[items]] table in TOML)")
    specs = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise CliError(f"{path}: every item must be a table with key, kind and text")
        specs.append(
            ItemSpec(
                key=str(entry.get("key", "")),
                kind=str(entry.get("kind", "")),
                construct=entry.get("construct"),
                optional=bool(entry.get("optional", False)),
                texts={str(k): str(v) for k, v in (entry.get("text") or {}).items()},
            )
        )
    return specs


def _print_survey(survey: Any, languages: tuple[str, ...]) -> None:
    print(f"{survey.kind} (version {survey.version})")
    for item in survey.items:
        origin = "shipped" if item.builtin else ", ".join(sorted(item.texts))
        flag = " optional" if item.optional else ""
        print(
            f"  {item.position + 1}. {item.key} [{item.kind}{flag}] construct={item.construct or '-'} texts: {origin}"
        )
    missing = survey.missing_translations(languages)
    if missing:
        print(
            "  cannot start until translated: "
            + ", ".join(f"{key} ({loc})" for key, loc in missing)
        )


def cmd_survey(settings: Settings, args: argparse.Namespace) -> int:
    from bot.features.feedback import service as feedback
    from bot.features.feedback import surveys
    from bot.features.programs import service as programs

    if args.survey_command == "sweep":

        async def sweep(db: Any) -> bool:
            return await feedback.erase_order(db)

        print(
            "order of stored answers erased"
            if _in_db(settings, sweep)
            else "nothing to do on this database"
        )
        return 0

    async def work(db: Any) -> Any:
        program = await programs.find(db, args.program)
        await surveys.ensure_surveys(db, program.id, _now())
        if args.survey_command == "show":
            kinds = [args.kind] if args.kind else list(surveys.KINDS)
            return program, [await surveys.get_survey(db, program.id, kind) for kind in kinds]
        if args.survey_command == "set":
            return program, [
                await surveys.replace_items(
                    db, program.id, args.kind, _load_items(Path(args.file)), _now()
                )
            ]
        if args.survey_command == "reset":
            return program, [await surveys.reset_items(db, program.id, args.kind, _now())]
        if args.survey_command == "settings":
            return program, await surveys.update_settings(
                db,
                program.id,
                k_ratings=args.k,
                k_comments=args.k_comments,
                reminder_after_minutes=int(args.reminder_hours * 60)
                if args.reminder_hours is not None
                else None,
                expiry_days=args.expiry_days,
            )
        raise AssertionError(args.survey_command)

    program, result = _in_db(settings, work)
    if args.survey_command == "settings":
        print(
            f"k (ratings) = {result.k_ratings}, k (comments) = {result.k_comments}, "
            f"reminder after {result.reminder_after_minutes / 60:g} h, surveys open {result.expiry_days} days"
        )
        return 0
    for survey in result:
        _print_survey(survey, program.languages)
    return 0


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    from bot.features.feedback import evaluation
    from bot.features.feedback.evaluation import Scope
    from bot.features.programs import service as programs
    from bot.i18n import use_locale
    from bot.reports.chart import chart_png
    from bot.reports.csv_export import report_csv
    from bot.reports.html_export import report_html

    locale = args.locale or settings.default_locale
    if locale not in SUPPORTED_LOCALES:
        raise CliError(f"--locale: {locale!r} is not one of {', '.join(SUPPORTED_LOCALES)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    async def build(db: Any) -> Any:
        program = await programs.find(db, args.program)
        scope = Scope(program.id, args.group, args.session)
        # The operator is an administrator: the scope must still belong to the program.
        await evaluation.require_report_access(db, 0, (0,), scope)
        return await evaluation.build_report(db, scope, now=_now())

    report = _in_db(settings, build)
    stem = f"feedback-{report.scope.level}-{report.scope.session_id or report.scope.group_id or report.scope.program_id}"
    written = []
    with use_locale(locale):
        chart = chart_png(report) if "png" in args.format else None
        for fmt in args.format:
            path = out / f"{stem}.{fmt}"
            if fmt == "package":
                from bot.reports.package import write_package

                written += write_package(report, out / f"{stem}-package", now=_now())
                continue
            if fmt == "csv":
                path.write_bytes(report_csv(report))
            elif fmt == "html":
                # The page says the counts and the threshold itself: a chart without its footer.
                page_chart = chart_png(report, footer=False)
                path.write_text(report_html(report, page_chart), encoding="utf-8")
            else:
                path.write_bytes(chart or b"")
                from bot.reports.chart import fairness_png

                if (fairness_chart := fairness_png(report)) is not None:
                    written.append(out / f"{stem}-fairness.png")
                    written[-1].write_bytes(fairness_chart)
            written.append(path)
    for path in written:
        print(path)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this part's subcommands; each sets `handler=fn(settings, args) -> int`."""
    survey = subparsers.add_parser("survey", help="a program's surveys, thresholds and reminders")
    s_sub = survey.add_subparsers(dest="survey_command", required=True)
    show = s_sub.add_parser("show", help="list a program's survey items and missing translations")
    show.add_argument("--program", required=True)
    show.add_argument("--kind", choices=("post_session", "pre_program", "post_program"))
    replace = s_sub.add_parser("set", help="replace a survey's items from a TOML or JSON file")
    replace.add_argument("--program", required=True)
    replace.add_argument(
        "--kind", required=True, choices=("post_session", "pre_program", "post_program")
    )
    replace.add_argument("--file", required=True)
    reset = s_sub.add_parser("reset", help="go back to the shipped items")
    reset.add_argument("--program", required=True)
    reset.add_argument(
        "--kind", required=True, choices=("post_session", "pre_program", "post_program")
    )
    options = s_sub.add_parser(
        "settings", help="anonymity thresholds, reminder delay, how long surveys stay open"
    )
    options.add_argument("--program", required=True)
    options.add_argument(
        "--k",
        type=number_arg(),
        help="fewest answers behind any shown number (at least 3; default 5)",
    )
    options.add_argument(
        "--k-comments",
        type=number_arg(),
        help="fewest comments before any is shown (at least 3; default 10)",
    )
    options.add_argument(
        "--reminder-hours", type=float, help="remind unanswered invitations after this long"
    )
    options.add_argument(
        "--expiry-days", type=number_arg(), help="how long an invitation can be answered"
    )
    s_sub.add_parser("sweep", help="erase the physical order of stored answers (PostgreSQL)")
    survey.set_defaults(handler=cmd_survey)

    report = subparsers.add_parser("report", help="write a program's evaluation report as files")
    report.add_argument("--program", required=True, help="program id or name")
    report.add_argument("--group", type=id_arg, help="only this dialogue group (id)")
    report.add_argument(
        "--session", type=id_arg, help="only this session (id; give its --group too)"
    )
    report.add_argument(
        "--format",
        action="append",
        choices=FORMATS,
        required=True,
        help="csv, html, png, or package (a Frictionless data package for evaluators); repeat for several",
    )
    report.add_argument("--out", required=True, help="directory to write the files into")
    report.add_argument(
        "--locale", help="language of the labels (default: BRIDGEBOT_DEFAULT_LOCALE)"
    )
    report.set_defaults(handler=cmd_report)

"""Applying a program file (bot/domain/program_file.py): plan every change, then make them.

``apply`` works in two steps inside the caller's one transaction:

1. plan: read what exists, compare it with the file section by section, and check everything that
   needs the database (groups named by the sessions, new sessions in the future and clashing with
   nothing, survey items, feedback settings). Every problem found is collected; if there is any,
   ProgramFileInvalid is raised and nothing has been written.
2. unless ``dry_run``: make the planned changes through the areas' own services (programs, rules,
   surveys, sessions), which validate and log them as they do for Telegram and the CLI.

Nothing the file does not mention is deleted: extra sides, languages, organizers, codes of conduct,
blocked terms and sessions stay, and the report lists them as kept. Sessions are matched by group
and start instant, so applying again never duplicates one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import SUPPORTED_LOCALES
from bot.db.models import DialogueSession, Program
from bot.domain.conduct import parse_terms
from bot.domain.errors import BridgeError, NotFound
from bot.domain.program_file import (
    Problem,
    ProgramFile,
    ProgramFileError,
    ProgramFileInvalid,
    SessionPart,
    SurveyItemPart,
    parse,
)
from bot.domain.programs import ProgramDraft
from bot.domain.scheduling import (
    DEFAULT_REMINDER_OFFSETS,
    SchedulingError,
    SchedulingErrorCode,
    SessionDraft,
    ensure_future,
    find_overlaps,
)
from bot.features.feedback import surveys
from bot.features.groups import service as groups
from bot.features.moderation import rules
from bot.features.programs import service as programs
from bot.features.rounds import service as rounds_service
from bot.features.sessions import service as sessions

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# Statuses of sessions the file may still change (title, length).
_EDITABLE = (sessions.SCHEDULED,)


@dataclass(frozen=True)
class Detail:
    """One line of the report: ``code`` says what happened, ``params`` what to show.

    Codes: ``set`` (field, old, new), ``added`` (field, value), ``kept`` (field, value: something
    the file does not mention and that stays), ``sessions_new`` (count, first), ``sessions_matched``
    (count), ``not_changed`` (field: an existing session's agenda or reminders differ from the file
    and are left as they are).
    """

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SectionChange:
    section: str  # program, organizers, conduct, blocked_terms.ru, surveys.post_session, ...
    status: str  # created | updated | unchanged
    details: tuple[Detail, ...] = ()


@dataclass(frozen=True)
class Report:
    program: str
    program_created: bool
    dry_run: bool
    sections: tuple[SectionChange, ...]

    @property
    def changed(self) -> bool:
        return any(s.status != UNCHANGED for s in self.sections)


@dataclass
class _Work:
    program_id: int | None


Action = Callable[[AsyncSession, _Work], Awaitable[None]]


@dataclass
class _Plan:
    now: datetime
    existing: programs.ProgramView | None
    problems: list[Problem] = field(default_factory=list)
    sections: list[SectionChange] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)

    @property
    def new(self) -> bool:
        return self.existing is None

    def section(self, name: str, details: Sequence[Detail], action: Action | None) -> None:
        changes = [d for d in details if d.code not in ("kept", "sessions_matched", "not_changed")]
        status = UNCHANGED if not changes else CREATED if self.new else UPDATED
        self.sections.append(SectionChange(name, status, tuple(details)))
        if changes and action is not None:
            self.actions.append(action)

    def problem(self, location: str, error: BridgeError) -> None:
        self.problems.append(Problem(location, error))


async def apply(db: AsyncSession, text: str, *, now: datetime, dry_run: bool = False) -> Report:
    """Apply the program file ``text``; raises ProgramFileInvalid (every problem) before writing."""
    parsed = parse(text, supported_locales=SUPPORTED_LOCALES)
    return await apply_parsed(db, parsed, now=now, dry_run=dry_run)


async def apply_parsed(
    db: AsyncSession, parsed: ProgramFile, *, now: datetime, dry_run: bool = False
) -> Report:
    try:
        existing: programs.ProgramView | None = await programs.find(db, parsed.program.name)
    except NotFound:
        existing = None
    plan = _Plan(now=now, existing=existing)
    await _plan_program(db, parsed, plan)
    await _plan_organizers(db, parsed, plan)
    await _plan_rules(db, parsed, plan)
    await _plan_terms(db, parsed, plan)
    await _plan_surveys(db, parsed, plan)
    await _plan_feedback(db, parsed, plan)
    await _plan_pairs(db, parsed, plan)
    await _plan_fairness(db, parsed, plan)
    await _plan_reminders(db, parsed, plan)
    await _plan_sessions(db, parsed, plan)
    await _plan_rounds(db, parsed, plan)
    if plan.problems:
        raise ProgramFileInvalid(plan.problems)
    if not dry_run:
        work = _Work(program_id=existing.id if existing else None)
        for action in plan.actions:
            await action(db, work)
    return Report(
        program=existing.name if existing else parsed.program.name,
        program_created=existing is None,
        dry_run=dry_run,
        sections=tuple(plan.sections),
    )


def _pid(work: _Work) -> int:
    assert work.program_id is not None
    return work.program_id


# ---- the program itself ------------------------------------------------------------------------------


async def _plan_program(db: AsyncSession, parsed: ProgramFile, plan: _Plan) -> None:
    part = parsed.program
    draft = ProgramDraft(
        name=part.name,
        sides=part.sides,
        languages=part.languages,
        timezone=part.timezone,
        conduct=dict(part.conduct) or None,
    )
    for locale, body in part.conduct.items():  # the length rule lives in the programs service
        try:
            programs.validate_draft(
                ProgramDraft(part.name, part.sides, part.languages, part.timezone, {locale: body})
            )
        except BridgeError as error:
            plan.problem(f"program.code_of_conduct.{locale}", error)
    conduct = {locale: body.strip() for locale, body in part.conduct.items() if body.strip()}
    existing = plan.existing
    details: list[Detail] = []
    if existing is None:
        details.append(Detail("added", {"field": "name", "value": part.name}))
        details += [Detail("added", {"field": "sides", "value": s}) for s in part.sides]
        details.append(Detail("added", {"field": "languages", "value": ", ".join(part.languages)}))
        details.append(Detail("added", {"field": "timezone", "value": part.timezone}))
        details += [Detail("added", {"field": "code_of_conduct", "value": loc}) for loc in conduct]

        if part.show_member_names:
            details.append(Detail("added", {"field": "show_member_names", "value": "true"}))

        async def create(db: AsyncSession, work: _Work) -> None:
            view = await programs.create(db, draft, creator_id=None, now=plan.now)
            work.program_id = view.id
            if part.show_member_names is not None:
                await programs.set_show_member_names(db, view.id, part.show_member_names)

        plan.section("program", details, create)
        return
    known = {s.name.casefold() for s in existing.sides}
    wanted = {s.casefold() for s in part.sides}
    details += [
        Detail("added", {"field": "sides", "value": s})
        for s in part.sides
        if s.casefold() not in known
    ]
    details += [
        Detail("kept", {"field": "sides", "value": s.name})
        for s in existing.sides
        if s.name.casefold() not in wanted
    ]
    order = list(part.languages) + [x for x in existing.languages if x not in part.languages]
    if tuple(order) != existing.languages:
        details.append(
            Detail(
                "set",
                {
                    "field": "languages",
                    "old": ", ".join(existing.languages),
                    "new": ", ".join(order),
                },
            )
        )
    details += [
        Detail("kept", {"field": "languages", "value": x})
        for x in existing.languages
        if x not in part.languages
    ]
    if existing.timezone != part.timezone:
        details.append(
            Detail("set", {"field": "timezone", "old": existing.timezone, "new": part.timezone})
        )
    for locale, body in conduct.items():
        current = await programs.conduct_text(db, existing.id, locale)
        if current is None:
            details.append(Detail("added", {"field": "code_of_conduct", "value": locale}))
        elif current != body:
            details.append(
                Detail("set", {"field": f"code_of_conduct.{locale}", "old": "…", "new": "…"})
            )
    names = part.show_member_names
    if names is not None and names != existing.show_member_names:
        details.append(
            Detail(
                "set",
                {
                    "field": "show_member_names",
                    "old": str(existing.show_member_names).lower(),
                    "new": str(names).lower(),
                },
            )
        )

    async def update(db: AsyncSession, work: _Work) -> None:
        await programs.update(db, _pid(work), draft)
        if names is not None:
            await programs.set_show_member_names(db, _pid(work), names)

    plan.section("program", details, update)


async def _plan_organizers(db: AsyncSession, parsed: ProgramFile, plan: _Plan) -> None:
    current: list[int] = []
    if plan.existing is not None:
        current = [r.person_id for r in await groups.organizers_of(db, plan.existing.id, ())]
    wanted = parsed.program.organizers
    details = [
        Detail("added", {"field": "organizers", "value": o}) for o in wanted if o not in current
    ]
    details += [
        Detail("kept", {"field": "organizers", "value": o}) for o in current if o not in wanted
    ]
    new = [o for o in wanted if o not in current]

    async def grant(db: AsyncSession, work: _Work) -> None:
        for person_id in new:
            await programs.grant_organizer(db, _pid(work), person_id, granted_by=None, now=plan.now)

    if wanted or current:
        plan.section("organizers", details, grant)


# ---- conduct -----------------------------------------------------------------------------------------


async def _plan_rules(db: AsyncSession, parsed: ProgramFile, plan: _Plan) -> None:
    if not parsed.rules:
        return
    try:
        wanted = rules.normalize_settings(parsed.rules)
    except BridgeError as error:
        plan.problem("conduct", error)
        return
    if plan.existing is not None:
        current = dict((await rules.for_program(db, plan.existing.id)).settings)
    else:
        current = dict(rules.DEFAULTS)
    current = {**current, **rules.normalize_settings({"ladder": current["ladder"]})}
    changes = {key: value for key, value in wanted.items() if current.get(key) != value}
    details = [
        Detail("set", {"field": key, "old": _shown(current.get(key)), "new": _shown(value)})
        for key, value in changes.items()
    ]

    async def store(db: AsyncSession, work: _Work) -> None:
        await rules.set_program_settings(db, _pid(work), changes, actor_id=None, now=plan.now)

    plan.section("conduct", details, store)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


async def _plan_terms(db: AsyncSession, parsed: ProgramFile, plan: _Plan) -> None:
    current: dict[str, list[str]] = {}
    if plan.existing is not None:
        current = await rules.list_terms(db, plan.existing.id)
    for locale, terms in parsed.blocked_terms.items():
        have = {(t.text.casefold(), t.stem) for t in parse_terms(current.get(locale, []), locale)}
        written = [t.text + ("*" if t.stem else "") for t in terms]
        new = [
            w
            for w, t in zip(written, terms, strict=True)
            if (t.text.casefold(), t.stem) not in have
        ]
        in_file = {(t.text.casefold(), t.stem) for t in terms}
        kept = [
            w
            for w, t in zip(
                current.get(locale, []), parse_terms(current.get(locale, []), locale), strict=True
            )
            if (t.text.casefold(), t.stem) not in in_file
        ]
        details = [Detail("added", {"field": "terms", "value": w}) for w in new]
        if kept:
            details.append(Detail("kept", {"field": "terms", "value": len(kept)}))

        def adder(language: str, entries: list[str]) -> Action:
            async def add(db: AsyncSession, work: _Work) -> None:
                await rules.add_terms(
                    db, _pid(work), language, entries, actor_id=None, now=plan.now
                )

            return add

        plan.section(f"blocked_terms.{locale}", details, adder(locale, new))


# ---- feedback ----------------------------------------------------------------------------------------

_SHIPPED: dict[str, surveys.ItemSpec] = {
    spec.key: spec for specs in surveys.DEFAULT_ITEMS.values() for spec in specs
}


def _spec(item: SurveyItemPart) -> surveys.ItemSpec:
    shipped = _SHIPPED.get(item.key) if not item.texts else None
    return surveys.ItemSpec(
        key=item.key,
        kind=item.kind or (shipped.kind if shipped else ""),
        construct=item.construct
        if item.construct is not None or not shipped
        else shipped.construct,
        optional=item.optional if item.optional is not None else bool(shipped and shipped.optional),
        texts=dict(item.texts),
    )


def _comparable(items: Sequence[Any]) -> list[tuple[Any, ...]]:
    return [
        (i.key, i.kind, i.construct, bool(i.optional), tuple(sorted(i.texts.items())))
        for i in items
    ]


async def _plan_surveys(db: AsyncSession, parsed: ProgramFile, plan: _Plan) -> None:
    for kind, items in parsed.surveys.items():
        where = f"surveys.{kind}"
        if kind not in surveys.KINDS:
            plan.problem(
                where,
                ProgramFileError(
                    "file_unknown_survey", kind=kind, choices=", ".join(surveys.KINDS)
                ),
            )
            continue
        try:
            cleaned = surveys.validate_specs([_spec(i) for i in items])
        except BridgeError as error:
            key = error.params.get("key")
            located = next((i.location for i in items if i.key == key), where)
            plan.problem(located, error)
            continue
        current: Sequence[Any] = surveys.DEFAULT_ITEMS[kind]
        if plan.existing is not None:
            try:
                current = (await surveys.get_survey(db, plan.existing.id, kind)).items
            except NotFound:
                pass  # surveys are created with the shipped items on first use
        if _comparable(current) == _comparable(cleaned):
            plan.section(where, [], None)
            continue
        details = [
            Detail(
                "set",
                {
                    "field": "items",
                    "old": ", ".join(i.key for i in current),
                    "new": ", ".join(i.key for i in cleaned),
                },
            )
        ]

        def replacer(survey_kind: str, specs: Sequence[surveys.ItemSpec]) -> Action:
            async def replace(db: AsyncSession, work: _Work) -> None:
                await surveys.replace_items(db, _pid(work), survey_kind, specs, plan.now)

            return replace

        plan.section(where, details, replacer(kind, cleaned))


async def _plan_feedback(db: AsyncSession, parsed: ProgramFile, plan: _Plan) -> None:
    part = parsed.feedback
    if part is None:
        return
    wanted = {
        "k_ratings": part.k_ratings,
        "k_comments": part.k_comments,
        "reminder_after_minutes": part.reminder_after_minutes,
        "expiry_days": part.expiry_days,
    }
    for key, value in wanted.items():
        try:
            surveys.validate_settings(**{key: value})
        except BridgeError as error:
            plan.problem(
                f"feedback.{'reminder_after' if key == 'reminder_after_minutes' else key}", error
            )
    if plan.existing is not None:
        view = await surveys.settings_of(db, plan.existing.id)
        current = {key: getattr(view, key) for key in wanted}
    else:
        current = {
            "k_ratings": 5,
            "k_comments": 10,
            "reminder_after_minutes": 48 * 60,
            "expiry_days": 7,
        }
    changes = {k: v for k, v in wanted.items() if v is not None and current[k] != v}
    details = [Detail("set", {"field": k, "old": current[k], "new": v}) for k, v in changes.items()]

    async def store(db: AsyncSession, work: _Work) -> None:
        await surveys.update_settings(db, _pid(work), **changes)

    plan.section("feedback", details, store)


# ---- perspective rounds ------------------------------------------------------------------------------


async def _plan_rounds(db: AsyncSession, parsed: ProgramFile, plan: _Plan) -> None:
    wanted = parsed.round_prompts
    if wanted is None:
        return
    current = await rounds_service.prompts_of(db, plan.existing.id) if plan.existing else []
    details = []
    if [dict(p) for p in wanted] != current:
        details.append(
            Detail("set", {"field": "rounds.prompts", "old": len(current), "new": len(wanted)})
        )

    async def store(db: AsyncSession, work: _Work) -> None:
        await rounds_service.replace_prompts(db, _pid(work), wanted)

    plan.section("rounds", details, store)


async def _plan_pairs(db: AsyncSession, parsed: ProgramFile, plan: _Plan) -> None:
    """[pairs]: the weekly cross-border pairs (bot/services/pairs.py)."""
    from bot.services import pairs

    part = parsed.pairs
    if part is None:
        return
    current = (
        await pairs.settings_for(db, plan.existing.id)
        if plan.existing is not None
        else pairs.PairSettingsView()
    )
    now = {
        "enabled": current.enabled,
        "interval_days": current.interval_days,
        "waking_hours": current.hours.text().replace("–", "-"),
        "min_overlap_minutes": current.min_overlap,
        "questions": len(current.questions),
    }
    wanted = {
        "enabled": part.enabled,
        "interval_days": part.interval_days,
        "waking_hours": part.waking_hours.strip() if part.waking_hours else None,
        "min_overlap_minutes": part.min_overlap_minutes,
        "questions": len(part.questions) if part.questions is not None else None,
    }
    changes = {k: v for k, v in wanted.items() if v is not None and now[k] != v}
    if part.questions is not None and tuple(part.questions) != current.questions:
        changes["questions"] = len(part.questions)
    details = [Detail("set", {"field": k, "old": now[k], "new": v}) for k, v in changes.items()]

    async def store(db: AsyncSession, work: _Work) -> None:
        await pairs.set_settings(
            db,
            _pid(work),
            enabled=part.enabled,
            interval_days=part.interval_days,
            waking_hours=wanted["waking_hours"],
            min_overlap_minutes=part.min_overlap_minutes,
            questions=part.questions,
        )

    plan.section("pairs", details, store)


# ---- fairness and goals ------------------------------------------------------------------------------


def _goals_text(goals: Sequence[Any]) -> str:
    return (
        ", ".join(
            f"{g['kind']} {g['target']:g}" + (f" ({g['hours']} h)" if g.get("hours") else "")
            for g in goals
        )
        or "—"
    )


async def _plan_fairness(db: AsyncSession, parsed: ProgramFile, plan: _Plan) -> None:
    if parsed.goals is None and parsed.alert_ratio is None:
        return
    current: dict[str, Any] = {}
    if plan.existing is not None:
        row = await db.get(Program, plan.existing.id)
        current = dict((row.fairness if row else None) or {})
    wanted = dict(current)
    details = []
    if parsed.alert_ratio is not None and current.get("alert_ratio") != parsed.alert_ratio:
        details.append(
            Detail(
                "set",
                {
                    "field": "alert_ratio",
                    "old": current.get("alert_ratio", "—"),
                    "new": parsed.alert_ratio,
                },
            )
        )
        wanted["alert_ratio"] = parsed.alert_ratio
    if parsed.goals is not None:
        goals = [g.as_dict() for g in parsed.goals]
        if goals != current.get("goals", []):
            details.append(
                Detail(
                    "set",
                    {
                        "field": "goals",
                        "old": _goals_text(current.get("goals", [])),
                        "new": _goals_text(goals),
                    },
                )
            )
            wanted["goals"] = goals

    async def store(db: AsyncSession, work: _Work) -> None:
        row = await db.get(Program, _pid(work))
        assert row is not None
        row.fairness = wanted

    plan.section("fairness", details, store)


# ---- sessions ----------------------------------------------------------------------------------------


async def _plan_reminders(db: AsyncSession, parsed: ProgramFile, plan: _Plan) -> None:
    wanted = parsed.reminders
    if wanted is None:
        return
    current = DEFAULT_REMINDER_OFFSETS
    if plan.existing is not None:
        current = (await sessions.program_reminders(db, plan.existing.id)).offsets
    details = []
    # Offsets are a set of moments before the start; the order they are written in means nothing.
    if sorted(current) != sorted(wanted):
        details.append(
            Detail("set", {"field": "reminders", "old": _offsets(current), "new": _offsets(wanted)})
        )

    async def store(db: AsyncSession, work: _Work) -> None:
        await sessions.set_program_reminders(
            db, program_id=_pid(work), actor_id=None, admin_ids=(), offsets=wanted, now=plan.now
        )

    plan.section("reminders", details, store)


def _offsets(offsets: Sequence[timedelta]) -> str:
    from bot.domain.durations import format_duration

    return ", ".join(format_duration(o) for o in offsets)


async def _group_ids(db: AsyncSession, program_id: int) -> dict[str, int]:
    """Each group of the program by its name and by its link code (what /groups shows)."""
    found: dict[str, int] = {}
    for group in await groups.overview(db, program_id):
        found.setdefault(group.name.casefold(), group.id)
        if group.link_code:
            found.setdefault(groups.normalize_code(group.link_code).casefold(), group.id)
    return found


async def _existing_at(
    db: AsyncSession, group_id: int, starts: Sequence[datetime]
) -> dict[datetime, sessions.SessionView]:
    """Sessions of the group (any status) starting at one of ``starts``, by start."""
    ids = (
        await db.execute(
            select(DialogueSession.id, DialogueSession.starts_at).where(
                DialogueSession.group_id == group_id, DialogueSession.starts_at.in_(list(starts))
            )
        )
    ).all()
    found: dict[datetime, sessions.SessionView] = {}
    for session_id, _start in ids:
        view = await sessions.get(db, session_id)
        found.setdefault(view.starts_at, view)
    return found


async def _plan_sessions(db: AsyncSession, parsed: ProgramFile, plan: _Plan) -> None:
    if not parsed.sessions:
        return
    by_ref = await _group_ids(db, plan.existing.id) if plan.existing is not None else {}
    planned: dict[
        int, list[tuple[str, datetime, datetime]]
    ] = {}  # group -> new spans this file adds
    for part in parsed.sessions:
        group_id = by_ref.get(part.group.casefold()) or by_ref.get(
            groups.normalize_code(part.group).casefold()
        )
        if group_id is None:
            plan.problem(
                f"{part.location}.group", ProgramFileError("file_unknown_group", group=part.group)
            )
            continue
        await _plan_session(db, part, group_id, plan, planned.setdefault(group_id, []))


async def _plan_session(
    db: AsyncSession,
    part: SessionPart,
    group_id: int,
    plan: _Plan,
    earlier: list[tuple[str, datetime, datetime]],
) -> None:
    starts = [o.start_utc for o in part.occurrences]
    existing = await _existing_at(db, group_id, starts)
    new = [o for o in part.occurrences if o.start_utc not in existing]
    matched = [existing[o.start_utc] for o in part.occurrences if o.start_utc in existing]
    before = len(plan.problems)
    for occurrence in new:
        try:
            ensure_future(occurrence.start_utc, plan.now)
        except SchedulingError as error:
            plan.problem(f"{part.location}.start", error)
            break
    if new and len(plan.problems) == before:
        spans = [o.span for o in new]
        matched_ids = {m.id for m in matched}
        live = [
            s
            for s in await sessions.group_sessions(db, group_id, plan.now, limit=10_000)
            if s.id not in matched_ids
        ]
        clash = find_overlaps(spans, [(s.starts_at, s.ends_at) for s in live])
        if clash:
            other = live[clash[0][1]]
            plan.problem(
                f"{part.location}.start",
                SchedulingError(
                    SchedulingErrorCode.OVERLAP,
                    new_index=clash[0][0],
                    existing_index=clash[0][1],
                    new_start_utc=spans[clash[0][0]][0],
                    existing_start_utc=other.starts_at,
                    existing_end_utc=other.ends_at,
                ),
            )
        clash_in_file = find_overlaps(spans, [(s, e) for _, s, e in earlier])
        if clash_in_file:
            plan.problem(
                f"{part.location}.start",
                ProgramFileError("file_sessions_overlap", other=earlier[clash_in_file[0][1]][0]),
            )
        earlier += [(part.location, s, e) for s, e in spans]
    details: list[Detail] = []
    if new:
        details.append(Detail("sessions_new", {"count": len(new), "first": new[0].start_utc}))
    if matched:
        details.append(Detail("sessions_matched", {"count": len(matched)}))
    edits: list[tuple[int, dict[str, Any]]] = []
    for view in matched:
        change: dict[str, Any] = {}
        if view.title != part.title:
            change["title"] = part.title
        if view.duration != part.duration:
            change["duration"] = part.duration
        if change and view.status in _EDITABLE and view.starts_at > plan.now:
            edits.append((view.id, change))
            for key, value in change.items():
                old = view.title if key == "title" else _offsets([view.duration])
                shown = value if key == "title" else _offsets([value])
                details.append(
                    Detail(
                        "set",
                        {
                            "field": f"{key} ({view.starts_at.isoformat()})",
                            "old": old,
                            "new": shown,
                        },
                    )
                )
        if view.domain_agenda != part.agenda:
            details.append(
                Detail("not_changed", {"field": f"agenda ({view.starts_at.isoformat()})"})
            )
    all_new = len(new) == len(part.occurrences)
    reminders = part.reminders

    async def store(db: AsyncSession, work: _Work) -> None:
        if all_new:
            await sessions.create(
                db,
                group_id=group_id,
                actor_id=None,
                admin_ids=(),
                draft=part.draft(),
                now=plan.now,
                reminder_offsets=reminders,
            )
        else:
            for occurrence in new:  # the rest of a series that already exists in part
                await sessions.create(
                    db,
                    group_id=group_id,
                    actor_id=None,
                    admin_ids=(),
                    draft=SessionDraft(
                        title=part.title,
                        start_local=occurrence.local_start.replace(tzinfo=None),
                        zone=part.zone,
                        duration=part.duration,
                        agenda=part.agenda,
                        recurrence=None,
                    ),
                    now=plan.now,
                    reminder_offsets=reminders,
                )
        for session_id, change in edits:
            await sessions.edit(
                db, session_id=session_id, actor_id=None, admin_ids=(), now=plan.now, **change
            )

    plan.section(part.location, details, store)


__all__ = [
    "CREATED",
    "UNCHANGED",
    "UPDATED",
    "Detail",
    "Report",
    "SectionChange",
    "apply",
    "apply_parsed",
]

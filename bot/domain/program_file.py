"""A whole program in one reviewable TOML file: reading it and checking everything it says.

Pure domain code (no telegram, no sqlalchemy). ``parse`` reads the text and returns a ProgramFile,
or raises ProgramFileInvalid with EVERY problem found, each with its location in the file
(``sessions[2].start``, ``conduct.blocked_terms.ru``, ``surveys.post_session[1].text``). The checks
are the ones the rest of the bot applies (bot/domain/programs.py, durations, conduct, scheduling,
anonymity); this module only says where in the file a rule was broken.

What needs the database (does the group exist, does a new session clash with one already planned,
is the start still in the future) is checked by bot/services/program_file.py, which adds its
problems to the same list before anything is written. See docs/program-example.toml for the format.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.domain import criteria
from bot.domain.anonymity import ThresholdKind, validate_k
from bot.domain.conduct import (
    ConductError,
    ConductErrorCode,
    Ladder,
    LinkMode,
    LinkPolicy,
    RateLimit,
    parse_terms,
)
from bot.domain.conduct.terms import Term
from bot.domain.criteria import Goal
from bot.domain.durations import DurationError, parse_duration
from bot.domain.errors import BridgeError
from bot.domain.programs import (
    parse_sides,
    validate_languages,
    validate_name,
    validate_zone,
)
from bot.domain.scheduling import (
    AGENDA_ITEM_KINDS,
    ROUND_ITEM,
    TALK_ITEM,
    AgendaItem,
    Occurrence,
    Recurrence,
    SchedulingError,
    SchedulingErrorCode,
    SessionDraft,
    canonical_zone_name,
    parse_date,
    parse_time_of_day,
    plan_sessions,
    validate_reminder_offsets,
)

# Nothing in a file is "in the past" while its shape is checked: whether a NEW session starts in
# the future is the service's question (sessions already created from an earlier apply may have
# happened since, and re-applying the same file must still work).
_BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)
_YEAR = re.compile(r"\d{4}")
_TOML_POSITION = re.compile(r"\(at line (?P<line>\d+), column \d+\)|\(at end of document\)")
MAX_TELEGRAM_ID = 2**63 - 1
MAX_TERM_LENGTH = 200  # blocked_terms.term


class ProgramFileError(BridgeError):
    """A problem with the file's shape (unknown key, wrong type, missing value...)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: where (``sessions[2].start``) and what (a domain error)."""

    location: str
    error: BridgeError


class ProgramFileInvalid(BridgeError):
    """The file cannot be applied; ``problems`` lists every reason, in file order."""

    code = "program_file_invalid"

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(self.code, count=len(problems))
        self.problems: tuple[Problem, ...] = tuple(problems)


@dataclass(frozen=True)
class ProgramPart:
    name: str
    sides: tuple[str, ...]
    languages: tuple[str, ...]  # the first is the default
    timezone: str
    organizers: tuple[int, ...] = ()
    conduct: Mapping[str, str] = field(default_factory=dict)  # locale -> code of conduct
    # None: not set in the file (left as it is); True/False: invitations name other members or not.
    show_member_names: bool | None = None


@dataclass(frozen=True)
class SurveyItemPart:
    location: str
    key: str
    kind: str | None  # None: a shipped item's kind
    construct: str | None
    optional: bool | None  # None: not said
    texts: Mapping[str, str]  # empty: a shipped item's translated wording


@dataclass(frozen=True)
class FeedbackPart:
    k_ratings: int | None = None
    k_comments: int | None = None
    reminder_after_minutes: int | None = None
    expiry_days: int | None = None


@dataclass(frozen=True)
class PairsPart:
    """[pairs]: the weekly cross-border pairs (None in a field: not set in the file)."""

    enabled: bool | None = None
    interval_days: int | None = None
    waking_hours: str | None = None
    min_overlap_minutes: int | None = None
    questions: tuple[dict[str, str], ...] | None = None


@dataclass(frozen=True)
class SessionPart:
    location: str  # sessions[2]
    group: str  # the dialogue group's name or link code
    title: str
    start_local: datetime  # naive wall-clock reading in ``zone``
    zone: str
    duration: timedelta
    agenda: tuple[AgendaItem, ...]
    recurrence: Recurrence | None
    reminders: tuple[timedelta, ...] | None  # None: the program's reminders
    occurrences: tuple[Occurrence, ...]

    def draft(self) -> SessionDraft:
        return SessionDraft(
            title=self.title,
            start_local=self.start_local,
            zone=self.zone,
            duration=self.duration,
            agenda=self.agenda,
            recurrence=self.recurrence,
        )


@dataclass(frozen=True)
class ProgramFile:
    program: ProgramPart
    # Program-wide conduct settings the file sets, under their stored keys (rule_sets.settings).
    rules: Mapping[str, Any] = field(default_factory=dict)
    blocked_terms: Mapping[str, tuple[Term, ...]] = field(default_factory=dict)
    surveys: Mapping[str, tuple[SurveyItemPart, ...]] = field(default_factory=dict)
    feedback: FeedbackPart | None = None
    # The program's reminder offsets (every session without its own); None: not in the file.
    reminders: tuple[timedelta, ...] | None = None
    sessions: tuple[SessionPart, ...] = ()
    # Perspective-round prompts, each in every program language; None: not in the file.
    round_prompts: tuple[Mapping[str, str], ...] | None = None
    pairs: PairsPart | None = None
    # Published criteria of success ([[goals]]); None: not in the file.
    goals: tuple[Goal, ...] | None = None
    alert_ratio: float | None = None  # [fairness] alert_ratio


# ---- reading values ----------------------------------------------------------------------------------


class _Reader:
    """Collects problems while walking the parsed TOML."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, location: str, error: BridgeError) -> None:
        self.problems.append(Problem(location, error))

    def shape(self, location: str, code: str, **params: object) -> None:
        self.add(location, ProgramFileError(code, **params))

    def table(
        self, parent: Mapping[str, Any], key: str, where: str, *, required: bool = False
    ) -> dict[str, Any] | None:
        value = parent.get(key)
        if value is None:
            if required:
                self.shape(where, "file_missing")
            return None
        if not isinstance(value, dict):
            self.shape(where, "file_wrong_type", expected="table")
            return None
        return value

    def known(self, table: Mapping[str, Any], where: str, keys: Sequence[str]) -> None:
        for key in table:
            if key not in keys:
                self.shape(_at(where, key), "file_unknown_key", key=key)

    def text(
        self, table: Mapping[str, Any], key: str, where: str, *, required: bool = False
    ) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.shape(_at(where, key), "file_missing")
            return None
        if not isinstance(value, str):
            self.shape(_at(where, key), "file_wrong_type", expected="text")
            return None
        return value

    def integer(
        self, table: Mapping[str, Any], key: str, where: str, *, required: bool = False
    ) -> int | None:
        value = table.get(key)
        if value is None:
            if required:
                self.shape(_at(where, key), "file_missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.shape(_at(where, key), "file_wrong_type", expected="number")
            return None
        return value

    def flag(self, table: Mapping[str, Any], key: str, where: str) -> bool | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.shape(_at(where, key), "file_wrong_type", expected="true or false")
            return None
        return value

    def texts(
        self, table: Mapping[str, Any], key: str, where: str, *, required: bool = False
    ) -> list[str] | None:
        value = table.get(key)
        if value is None:
            if required:
                self.shape(_at(where, key), "file_missing")
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.shape(_at(where, key), "file_wrong_type", expected="list of texts")
            return None
        return value

    def duration(self, table: Mapping[str, Any], key: str, where: str) -> timedelta | None:
        value = self.text(table, key, where)
        if value is None:
            return None
        try:
            return parse_duration(value)
        except DurationError as error:
            self.add(_at(where, key), error)
            return None

    def check(self, location: str, rule: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a domain validator; its error becomes a problem at ``location`` (returns None)."""
        try:
            return rule(*args, **kwargs)
        except BridgeError as error:
            self.add(location, error)
            return None


def _at(where: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


# ---- sections ----------------------------------------------------------------------------------------

_TOP = (
    "program",
    "conduct",
    "feedback",
    "surveys",
    "session_defaults",
    "sessions",
    "fairness",
    "goals",
    "rounds",
    "pairs",
)
_FAIRNESS = ("alert_ratio",)
_GOAL = ("kind", "target", "hours", "confidence")
_ROUNDS = ("prompts",)
MAX_ROUND_PROMPTS = 50
MAX_ROUND_PROMPT_LENGTH = 500
_PROGRAM = (
    "name",
    "sides",
    "languages",
    "timezone",
    "organizers",
    "code_of_conduct",
    "show_member_names",
)
_CONDUCT = (
    "filters_enabled",
    "ladder",
    "warning_expiry_days",
    "flood",
    "raid",
    "links",
    "allowed_domains",
    "forwards_allowed",
    "use_starter_lists",
    "blocked_terms",
)
_LIMIT = ("messages", "seconds")
_FEEDBACK = ("k_ratings", "k_comments", "reminder_after", "expiry_days")
_ITEM = ("key", "kind", "construct", "optional", "text")
_SESSION_DEFAULTS = ("zone", "duration", "reminders")
_SESSION = (
    "group",
    "title",
    "start",
    "zone",
    "duration",
    "agenda",
    "every_weeks",
    "count",
    "until",
    "reminders",
)
_AGENDA = ("title", "minutes", "kind")


def parse(
    text: str, *, supported_locales: Sequence[str], ignore: Sequence[str] = ()
) -> ProgramFile:
    """The program file in ``text``; raises ProgramFileInvalid listing every problem found.

    Top-level tables named in ``ignore`` are skipped (the playground's scenario keeps its cast in
    the same file; leaving out "sessions" applies a program before its groups exist)."""
    reader = _Reader()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        detail = str(error)
        where = _TOML_POSITION.search(detail)
        location = f"line {where['line']}" if where and where["line"] else "file"
        detail = _TOML_POSITION.sub("", detail).strip()
        raise ProgramFileInvalid(
            [Problem(location, ProgramFileError("file_syntax", detail=detail))]
        ) from None
    data = {key: value for key, value in data.items() if key not in ignore}
    reader.known(data, "", _TOP)
    program = _program(reader, data, supported_locales)
    languages = program.languages if program else ()
    rules, terms = _conduct(reader, data, supported_locales)
    surveys = _surveys(reader, data, supported_locales, languages)
    feedback = _feedback(reader, data)
    pairs = _pairs(reader, data, supported_locales, languages)
    sessions, reminders = _sessions(reader, data, program.timezone if program else None)
    round_prompts = _rounds(reader, data, supported_locales, languages)
    ratio = _fairness(reader, data)
    goals = _goals(reader, data)
    if reader.problems or program is None:
        raise ProgramFileInvalid(reader.problems)
    return ProgramFile(
        program=program,
        rules=rules,
        blocked_terms=terms,
        surveys=surveys,
        feedback=feedback,
        reminders=reminders,
        sessions=sessions,
        round_prompts=round_prompts,
        pairs=pairs,
        goals=goals,
        alert_ratio=ratio,
    )


def _fairness(reader: _Reader, data: Mapping[str, Any]) -> float | None:
    table = reader.table(data, "fairness", "fairness")
    if table is None:
        return None
    reader.known(table, "fairness", _FAIRNESS)
    value = table.get("alert_ratio")
    if value is None:
        return None
    return reader.check("fairness.alert_ratio", criteria.alert_ratio, value)


def _goals(reader: _Reader, data: Mapping[str, Any]) -> tuple[Goal, ...] | None:
    entries = data.get("goals")
    if entries is None:
        return None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        reader.shape("goals", "file_wrong_type", expected="list of goals ([[goals]])")
        return None
    found: list[Goal] = []
    for index, entry in enumerate(entries):
        where = _at("goals", index)
        reader.known(entry, where, _GOAL)
        kind = reader.text(entry, "kind", where, required=True)
        if kind is None:
            continue
        confidence = reader.flag(entry, "confidence", where)
        hours = reader.integer(entry, "hours", where)
        made = reader.check(
            where,
            criteria.goal,
            kind,
            entry.get("target"),
            hours=hours,
            confidence=confidence,
        )
        if made is None:
            continue
        if any(other.kind == made.kind for other in found):
            reader.shape(where, "file_duplicate", value=made.kind)
            continue
        found.append(made)
    return tuple(found)


def _program(
    reader: _Reader, data: Mapping[str, Any], supported: Sequence[str]
) -> ProgramPart | None:
    table = reader.table(data, "program", "program", required=True)
    if table is None:
        return None
    reader.known(table, "program", _PROGRAM)
    problems_before = len(reader.problems)
    raw_name = reader.text(table, "name", "program", required=True)
    name = reader.check("program.name", validate_name, raw_name) if raw_name is not None else None
    raw_sides = reader.texts(table, "sides", "program", required=True)
    sides = reader.check("program.sides", parse_sides, raw_sides) if raw_sides is not None else None
    raw_languages = reader.texts(table, "languages", "program", required=True)
    languages = (
        reader.check("program.languages", validate_languages, raw_languages, tuple(supported))
        if raw_languages is not None
        else None
    )
    raw_zone = reader.text(table, "timezone", "program", required=True)
    zone = (
        reader.check("program.timezone", lambda z: canonical_zone_name(validate_zone(z)), raw_zone)
        if raw_zone is not None
        else None
    )
    organizers = _organizers(reader, table)
    conduct: dict[str, str] = {}
    texts = reader.table(table, "code_of_conduct", "program.code_of_conduct")
    for locale, body in (texts or {}).items():
        where = f"program.code_of_conduct.{locale}"
        if not isinstance(body, str):
            reader.shape(where, "file_wrong_type", expected="text")
        elif languages is not None and locale not in languages:
            reader.shape(where, "file_not_program_language", language=locale)
        else:
            conduct[locale] = body
    show_names = reader.flag(table, "show_member_names", "program")
    if len(reader.problems) > problems_before or None in (name, sides, languages, zone):
        return None
    assert name is not None and sides is not None and languages is not None and zone is not None
    return ProgramPart(name, sides, languages, zone, organizers, conduct, show_names)


def _organizers(reader: _Reader, table: Mapping[str, Any]) -> tuple[int, ...]:
    value = table.get("organizers")
    if value is None:
        return ()
    if not isinstance(value, list):
        reader.shape("program.organizers", "file_wrong_type", expected="list of numbers")
        return ()
    found: list[int] = []
    for index, entry in enumerate(value):
        if (
            isinstance(entry, bool)
            or not isinstance(entry, int)
            or not 0 < entry <= MAX_TELEGRAM_ID
        ):
            reader.shape(_at("program.organizers", index), "file_bad_user_id", value=entry)
        elif entry in found:
            reader.shape(_at("program.organizers", index), "file_duplicate", value=entry)
        else:
            found.append(entry)
    return tuple(found)


def _conduct(
    reader: _Reader, data: Mapping[str, Any], supported: Sequence[str]
) -> tuple[dict[str, Any], dict[str, tuple[Term, ...]]]:
    table = reader.table(data, "conduct", "conduct")
    if table is None:
        return {}, {}
    reader.known(table, "conduct", _CONDUCT)
    rules: dict[str, Any] = {}
    for key in ("filters_enabled", "forwards_allowed", "use_starter_lists"):
        value = reader.flag(table, key, "conduct")
        if value is not None:
            rules[key] = value
    expiry_days = reader.integer(table, "warning_expiry_days", "conduct")
    if expiry_days is not None:
        if expiry_days < 1:
            reader.add(
                "conduct.warning_expiry_days",
                ConductError(ConductErrorCode.BAD_EXPIRY, expiry=timedelta(days=expiry_days)),
            )
        else:
            rules["warning_expiry_days"] = expiry_days
    ladder = reader.text(table, "ladder", "conduct")
    if ladder is not None:
        parsed = reader.check("conduct.ladder", Ladder.from_spec, ladder)
        if parsed is not None:
            rules["ladder"] = parsed.spec()
    for name in ("flood", "raid"):
        limit = reader.table(table, name, f"conduct.{name}")
        if limit is None:
            continue
        where = f"conduct.{name}"
        reader.known(limit, where, _LIMIT)
        count = reader.integer(limit, "messages", where, required=True)
        seconds = reader.integer(limit, "seconds", where, required=True)
        if count is not None and seconds is not None:
            if reader.check(where, RateLimit, count, timedelta(seconds=seconds)) is not None:
                rules[f"{name}_messages"], rules[f"{name}_seconds"] = count, seconds
    mode = reader.text(table, "links", "conduct")
    if mode is not None and mode not in {m.value for m in LinkMode}:
        reader.shape(
            "conduct.links", "file_bad_choice", value=mode, choices="allow, deny, allowlist"
        )
        mode = None
    domains = reader.texts(table, "allowed_domains", "conduct")
    if domains is not None:
        normalised = [
            reader.check(_at("conduct.allowed_domains", i), LinkPolicy, LinkMode.ALLOWLIST, (d,))
            for i, d in enumerate(domains)
        ]
        if all(policy is not None for policy in normalised):
            rules["allowed_domains"] = list(
                dict.fromkeys(domain for policy in normalised for domain in policy.domains)
            )
    if mode is not None:
        rules["link_policy"] = mode
    return rules, _blocked_terms(reader, table, supported)


def _blocked_terms(
    reader: _Reader, table: Mapping[str, Any], supported: Sequence[str]
) -> dict[str, tuple[Term, ...]]:
    lists = reader.table(table, "blocked_terms", "conduct.blocked_terms")
    found: dict[str, tuple[Term, ...]] = {}
    for locale, value in (lists or {}).items():
        where = f"conduct.blocked_terms.{locale}"
        if locale not in supported:
            reader.shape(where, "file_unsupported_language", language=locale)
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            lines: str | list[str] = value
        elif isinstance(value, str):
            lines = value
        else:
            reader.shape(where, "file_wrong_type", expected="text or list of texts")
            continue
        terms = reader.check(where, parse_terms, lines, locale)
        if terms is None:
            continue
        for term in terms:
            if len(term.text) > MAX_TERM_LENGTH:
                reader.shape(
                    where, "file_term_too_long", term=term.text[:40], limit=MAX_TERM_LENGTH
                )
        found[locale] = terms
    return found


def _surveys(
    reader: _Reader,
    data: Mapping[str, Any],
    supported: Sequence[str],
    languages: Sequence[str],
) -> dict[str, tuple[SurveyItemPart, ...]]:
    table = reader.table(data, "surveys", "surveys")
    found: dict[str, tuple[SurveyItemPart, ...]] = {}
    for kind, items in (table or {}).items():
        where = f"surveys.{kind}"
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            reader.shape(where, "file_wrong_type", expected="list of items")
            continue
        parts = []
        for index, item in enumerate(items):
            part = _survey_item(reader, item, _at(where, index), supported, languages)
            if part is not None:
                parts.append(part)
        found[kind] = tuple(parts)
    return found


def _survey_item(
    reader: _Reader,
    item: Mapping[str, Any],
    where: str,
    supported: Sequence[str],
    languages: Sequence[str],
) -> SurveyItemPart | None:
    reader.known(item, where, _ITEM)
    key = reader.text(item, "key", where, required=True)
    kind = reader.text(item, "kind", where)  # may be left out for a shipped item
    construct = reader.text(item, "construct", where)
    optional = reader.flag(item, "optional", where)
    texts: dict[str, str] = {}
    wording = reader.table(item, "text", _at(where, "text"))
    for locale, body in (wording or {}).items():
        if locale not in supported:
            reader.shape(_at(where, f"text.{locale}"), "file_unsupported_language", language=locale)
        elif not isinstance(body, str):
            reader.shape(_at(where, f"text.{locale}"), "file_wrong_type", expected="text")
        else:
            texts[locale] = body
    if texts:
        for locale in languages:
            if not texts.get(locale, "").strip():
                reader.shape(_at(where, "text"), "file_untranslated", language=locale)
    if key is None:
        return None
    return SurveyItemPart(where, key, kind, construct, optional, texts)


def _feedback(reader: _Reader, data: Mapping[str, Any]) -> FeedbackPart | None:
    table = reader.table(data, "feedback", "feedback")
    if table is None:
        return None
    reader.known(table, "feedback", _FEEDBACK)
    k_ratings = reader.integer(table, "k_ratings", "feedback")
    if k_ratings is not None:
        k_ratings = reader.check("feedback.k_ratings", validate_k, k_ratings, ThresholdKind.RATINGS)
    k_comments = reader.integer(table, "k_comments", "feedback")
    if k_comments is not None:
        k_comments = reader.check(
            "feedback.k_comments", validate_k, k_comments, ThresholdKind.COMMENTS
        )
    after = reader.duration(table, "reminder_after", "feedback")
    expiry_days = reader.integer(table, "expiry_days", "feedback")
    return FeedbackPart(
        k_ratings=k_ratings,
        k_comments=k_comments,
        reminder_after_minutes=int(after.total_seconds()) // 60 if after else None,
        expiry_days=expiry_days,
    )


_PAIRS = ("enabled", "every", "waking_hours", "min_overlap", "questions")
MIN_PAIR_DAYS, MAX_PAIR_DAYS = 1, 28


def _pairs(
    reader: _Reader, data: Mapping[str, Any], supported: Sequence[str], languages: Sequence[str]
) -> PairsPart | None:
    from bot.domain.pairing import MAX_QUESTION, PairingError, PairingErrorCode, parse_waking_hours

    table = reader.table(data, "pairs", "pairs")
    if table is None:
        return None
    reader.known(table, "pairs", _PAIRS)
    enabled = reader.flag(table, "enabled", "pairs")
    every = reader.duration(table, "every", "pairs")
    interval_days = None
    if every is not None:
        days = every.total_seconds() / 86400
        if days != int(days) or not MIN_PAIR_DAYS <= days <= MAX_PAIR_DAYS:
            reader.add(
                "pairs.every",
                PairingError(
                    PairingErrorCode.BAD_INTERVAL, minimum=MIN_PAIR_DAYS, maximum=MAX_PAIR_DAYS
                ),
            )
        else:
            interval_days = int(days)
    hours = reader.text(table, "waking_hours", "pairs")
    if hours is not None and reader.check("pairs.waking_hours", parse_waking_hours, hours) is None:
        hours = None
    overlap = reader.duration(table, "min_overlap", "pairs")
    questions = None
    raw = table.get("questions")
    if raw is not None:
        if not isinstance(raw, list) or not all(isinstance(q, dict) for q in raw):
            reader.shape("pairs.questions", "file_wrong_type", expected="list of tables")
        else:
            found = []
            for index, entry in enumerate(raw):
                where = _at("pairs.questions", index)
                texts: dict[str, str] = {}
                for locale, body in entry.items():
                    if locale not in supported:
                        reader.shape(
                            _at(where, locale), "file_unsupported_language", language=locale
                        )
                    elif not isinstance(body, str):
                        reader.shape(_at(where, locale), "file_wrong_type", expected="text")
                    elif len(body) > MAX_QUESTION:
                        reader.add(
                            _at(where, locale),
                            PairingError(PairingErrorCode.BAD_QUESTION, limit=MAX_QUESTION),
                        )
                    else:
                        texts[locale] = body.strip()
                for locale in languages:
                    if not texts.get(locale):
                        reader.shape(where, "file_untranslated", language=locale)
                found.append(texts)
            questions = tuple(found)
    return PairsPart(
        enabled=enabled,
        interval_days=interval_days,
        waking_hours=hours,
        min_overlap_minutes=int(overlap.total_seconds()) // 60 if overlap else None,
        questions=questions,
    )


# ---- sessions ----------------------------------------------------------------------------------------


def _sessions(
    reader: _Reader, data: Mapping[str, Any], program_zone: str | None
) -> tuple[tuple[SessionPart, ...], tuple[timedelta, ...] | None]:
    defaults = reader.table(data, "session_defaults", "session_defaults") or {}
    reader.known(defaults, "session_defaults", _SESSION_DEFAULTS)
    default_zone = reader.text(defaults, "zone", "session_defaults")
    if default_zone is not None:
        default_zone = reader.check("session_defaults.zone", canonical_zone_name, default_zone)
    default_duration = reader.duration(defaults, "duration", "session_defaults")
    default_reminders = _reminders(reader, defaults, "session_defaults")
    entries = data.get("sessions")
    if entries is None:
        return (), default_reminders
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        reader.shape("sessions", "file_wrong_type", expected="list of sessions ([[sessions]])")
        return (), default_reminders
    parts = []
    for index, entry in enumerate(entries):
        part = _session(
            reader,
            entry,
            _at("sessions", index),
            zone=default_zone or program_zone,
            duration=default_duration or timedelta(minutes=90),
        )
        if part is not None:
            parts.append(part)
    return tuple(parts), default_reminders


def _reminders(
    reader: _Reader, table: Mapping[str, Any], where: str
) -> tuple[timedelta, ...] | None:
    values = reader.texts(table, "reminders", where)
    if values is None:
        return None
    offsets = []
    for index, value in enumerate(values):
        try:
            offsets.append(parse_duration(value))
        except DurationError as error:
            reader.add(_at(_at(where, "reminders"), index), error)
    checked = reader.check(_at(where, "reminders"), validate_reminder_offsets, offsets)
    return tuple(checked) if checked is not None and len(offsets) == len(values) else None


def _start(reader: _Reader, entry: Mapping[str, Any], where: str) -> datetime | None:
    value = entry.get("start")
    location = _at(where, "start")
    if value is None:
        reader.shape(location, "file_missing")
        return None
    if isinstance(value, datetime):  # a TOML local date-time: 2026-03-10T19:00:00
        if value.tzinfo is not None:
            reader.shape(location, "file_offset_in_start")
            return None
        return value.replace(second=0, microsecond=0)
    if not isinstance(value, str):
        reader.shape(location, "file_wrong_type", expected="date and time")
        return None
    cleaned = " ".join(value.replace("T", " ").split())
    date_text, _, time_text = cleaned.rpartition(" ")
    if not date_text:
        reader.add(
            location,
            SchedulingError(SchedulingErrorCode.BAD_FORMAT, text=value, expected="datetime"),
        )
        return None
    if not _YEAR.search(date_text):
        # "3.3" means "the next 3 March" when typed in a chat; in a file it would move every year.
        reader.shape(location, "file_needs_year", text=value)
        return None
    day = reader.check(location, parse_date, date_text, date(2000, 1, 1))
    at = reader.check(location, parse_time_of_day, time_text)
    if day is None or at is None:
        return None
    return datetime.combine(day, at)


def _until(reader: _Reader, entry: Mapping[str, Any], where: str) -> date | None:
    value = entry.get("until")
    if value is None:
        return None
    location = _at(where, "until")
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        reader.shape(location, "file_wrong_type", expected="date")
        return None
    if not _YEAR.search(value):
        reader.shape(location, "file_needs_year", text=value)
        return None
    parsed: date | None = reader.check(location, parse_date, value, date(2000, 1, 1))
    return parsed


# Which field of a session a scheduling error is about.
_FIELD_OF = {
    "unknown_zone": "zone",
    "bad_title": "title",
    "bad_duration": "duration",
    "agenda_too_long": "agenda",
    "end_before_start": "until",
    "too_many_occurrences": "count",
    "bad_recurrence": "every_weeks",
    "no_recurrence_end": "every_weeks",
}


def _session(
    reader: _Reader,
    entry: Mapping[str, Any],
    where: str,
    *,
    zone: str | None,
    duration: timedelta | None,
) -> SessionPart | None:
    reader.known(entry, where, _SESSION)
    before = len(reader.problems)
    group = entry.get("group")
    if isinstance(group, int) and not isinstance(group, bool):
        group = str(group)
    if group is None:
        reader.shape(_at(where, "group"), "file_missing")
    elif not isinstance(group, str) or not group.strip():
        reader.shape(_at(where, "group"), "file_wrong_type", expected="group name or code")
    title = reader.text(entry, "title", where, required=True)
    start = _start(reader, entry, where)
    own_zone = reader.text(entry, "zone", where)
    if own_zone is not None:
        zone = reader.check(_at(where, "zone"), canonical_zone_name, own_zone)
    length = reader.duration(entry, "duration", where) if "duration" in entry else duration
    own_reminders = _reminders(reader, entry, where)
    agenda = _agenda(reader, entry, where)
    recurrence = _recurrence(reader, entry, where)
    if len(reader.problems) > before or None in (title, start, zone, length, agenda):
        return None
    assert isinstance(group, str) and title is not None and start is not None
    assert zone is not None and length is not None and agenda is not None
    draft = SessionDraft(title, start, zone, length, agenda, recurrence)
    try:
        plan = plan_sessions(draft, (), _BEGINNING)
    except SchedulingError as error:
        if error.code == "bad_agenda_minutes":
            location = _at(_at(_at(where, "agenda"), int(str(error.params["index"]))), "minutes")
        else:
            location = _at(where, _FIELD_OF.get(error.code, "start"))
        reader.add(location, error)
        return None
    return SessionPart(
        location=where,
        group=group.strip(),
        title=title.strip(),
        start_local=start,
        zone=plan.zone,
        duration=length,
        agenda=agenda,
        recurrence=recurrence,
        reminders=own_reminders,
        occurrences=plan.occurrences,
    )


def _agenda(reader: _Reader, entry: Mapping[str, Any], where: str) -> tuple[AgendaItem, ...] | None:
    value = entry.get("agenda")
    if value is None:
        return ()
    location = _at(where, "agenda")
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        reader.shape(location, "file_wrong_type", expected="list of agenda items")
        return None
    items = []
    for index, item in enumerate(value):
        at = _at(location, index)
        reader.known(item, at, _AGENDA)
        title = reader.text(item, "title", at, required=True)
        minutes = reader.integer(item, "minutes", at, required=True)
        kind = reader.text(item, "kind", at) or TALK_ITEM
        if kind not in AGENDA_ITEM_KINDS:
            reader.shape(
                _at(at, "kind"), "file_bad_choice", value=kind, choices=", ".join(AGENDA_ITEM_KINDS)
            )
            continue
        if title is not None and minutes is not None:
            title = title.strip()
            if kind == ROUND_ITEM and not title.startswith("🔁"):
                title = "🔁 " + title  # how a round reads on every agenda
            items.append(AgendaItem(title, minutes, kind))
    return tuple(items) if len(items) == len(value) else None


def _rounds(
    reader: _Reader,
    data: Mapping[str, Any],
    supported: Sequence[str],
    languages: Sequence[str],
) -> tuple[Mapping[str, str], ...] | None:
    """``[rounds] prompts = [{ en = "...", hy = "..." }, ...]``: each prompt in every program
    language."""
    table = reader.table(data, "rounds", "rounds")
    if table is None:
        return None
    reader.known(table, "rounds", _ROUNDS)
    value = table.get("prompts")
    if value is None:
        return None
    where = "rounds.prompts"
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        reader.shape(where, "file_wrong_type", expected="list of items")
        return None
    if len(value) > MAX_ROUND_PROMPTS:
        reader.shape(where, "round_too_many_prompts", maximum=MAX_ROUND_PROMPTS)
        return None
    prompts: list[Mapping[str, str]] = []
    for index, entry in enumerate(value):
        at = _at(where, index)
        texts: dict[str, str] = {}
        for locale, body in entry.items():
            if locale not in supported:
                reader.shape(_at(at, locale), "file_unsupported_language", language=locale)
            elif not isinstance(body, str):
                reader.shape(_at(at, locale), "file_wrong_type", expected="text")
            elif len(body.strip()) > MAX_ROUND_PROMPT_LENGTH:
                reader.shape(
                    _at(at, locale), "round_prompt_too_long", limit=MAX_ROUND_PROMPT_LENGTH
                )
            elif body.strip():
                texts[locale] = body.strip()
        for locale in languages:
            if locale not in texts:
                reader.shape(at, "file_untranslated", language=locale)
        prompts.append(texts)
    return tuple(prompts)


def _recurrence(reader: _Reader, entry: Mapping[str, Any], where: str) -> Recurrence | None:
    every = reader.integer(entry, "every_weeks", where)
    count = reader.integer(entry, "count", where)
    until = _until(reader, entry, where)
    if every is None:
        if count is not None or until is not None:
            reader.shape(_at(where, "every_weeks"), "file_missing")
        return None
    location = _at(where, "count" if count is not None and until is not None else "every_weeks")
    recurrence: Recurrence | None = reader.check(location, Recurrence, every, count, until)
    return recurrence

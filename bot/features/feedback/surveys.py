"""Surveys of a program: the shipped defaults, organizers' replacements, translations, thresholds.

Every program has three surveys: after each session (``post_session``), before the program
(``pre_program``) and after it (``post_program``). The shipped items are identified by their key and
have no stored text: their wording is a gettext message (bot/handlers/feedback_texts.py), translated
in every shipped language. Organizers may replace a survey's items with their own, worded per
language; a survey whose items lack a wording in one of the program's languages cannot start.

Replacing items bumps the survey's version. Instances keep the version they opened with, so answers
already given stay attached to the items they answered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import SUPPORTED_LOCALES
from bot.db.models import (
    FeedbackSettings,
    Program,
    Survey,
    SurveyInstance,
    SurveyItem,
    SurveyItemText,
)
from bot.domain.anonymity import MAX_FREE_TEXT_LENGTH, ThresholdKind, validate_k
from bot.domain.errors import BridgeError, InvalidInput, NotFound
from bot.features.programs import service as programs

POST_SESSION, PRE_PROGRAM, POST_PROGRAM = "post_session", "pre_program", "post_program"
KINDS = (POST_SESSION, PRE_PROGRAM, POST_PROGRAM)
# The tellers' answers after perspective rounds (bot/features/rounds): a survey of its own, not
# offered with the others, one instance per session, reported beside the post-session survey.
ROUND = "round"
LIKERT5, THERMOMETER, TEXT = "likert5", "thermometer", "text"
ITEM_KINDS = (LIKERT5, THERMOMETER, TEXT)
SCALES: dict[str, tuple[int, ...]] = {
    LIKERT5: (1, 2, 3, 4, 5),
    THERMOMETER: tuple(range(0, 101, 10)),
}
MAX_ITEMS = 20
MAX_ITEM_TEXT = 300
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class SurveyError(BridgeError):
    """A survey that cannot be used as asked (untranslated, malformed replacement, bad setting)."""


@dataclass(frozen=True)
class ItemSpec:
    key: str
    kind: str
    construct: str | None = None
    optional: bool = False
    texts: Mapping[str, str] = field(default_factory=dict)  # empty: a shipped item (gettext)


# The shipped items. Pre- and post-program surveys ask the same constructs, so they can be compared.
_PROGRAM_ITEMS = (
    ItemSpec("trust", LIKERT5, "trust"),
    ItemSpec("perspective", LIKERT5, "perspective_taking"),
    ItemSpec("future_contact", LIKERT5, "future_contact"),
    ItemSpec("anxiety", LIKERT5, "intergroup_anxiety"),
    ItemSpec("thermometer", THERMOMETER, "feeling_thermometer"),
    ItemSpec("program_comment", TEXT, None, optional=True),
)
DEFAULT_ITEMS: dict[str, tuple[ItemSpec, ...]] = {
    POST_SESSION: (
        ItemSpec("felt_heard", LIKERT5, "felt_heard"),
        ItemSpec("understood_other", LIKERT5, "understood_other"),
        ItemSpec("facilitator_fair", LIKERT5, "facilitator_fair"),
        ItemSpec("take_part_again", LIKERT5, "take_part_again"),
        ItemSpec("comment", TEXT, None, optional=True),
    ),
    PRE_PROGRAM: _PROGRAM_ITEMS,
    POST_PROGRAM: _PROGRAM_ITEMS,
}
BUILTIN_KEYS = frozenset(spec.key for specs in DEFAULT_ITEMS.values() for spec in specs)


@dataclass(frozen=True)
class ItemView:
    id: int
    key: str
    kind: str
    construct: str | None
    optional: bool
    position: int
    texts: Mapping[str, str]  # empty for a shipped item

    @property
    def builtin(self) -> bool:
        return not self.texts and self.key in BUILTIN_KEYS

    def translated_in(self, locale: str) -> bool:
        # Shipped items are translated in every shipped language (tests/test_i18n.py proves it).
        return self.builtin or bool(self.texts.get(locale, "").strip())


@dataclass(frozen=True)
class SurveyView:
    id: int
    program_id: int
    kind: str
    version: int
    items: tuple[ItemView, ...]

    def missing_translations(self, languages: Iterable[str]) -> list[tuple[str, str]]:
        return [
            (item.key, loc)
            for item in self.items
            for loc in languages
            if not item.translated_in(loc)
        ]


@dataclass(frozen=True)
class FeedbackSettingsView:
    program_id: int
    k_ratings: int
    k_comments: int
    reminder_after_minutes: int
    expiry_days: int


# ---- surveys ----------------------------------------------------------------------------------------


async def ensure_surveys(db: AsyncSession, program_id: int, now: datetime) -> dict[str, int]:
    """The program's three surveys (created with the shipped items on first use): kind -> id."""
    existing = dict(
        (
            await db.execute(select(Survey.kind, Survey.id).where(Survey.program_id == program_id))
        ).all()
    )
    for kind in KINDS:
        if kind in existing:
            continue
        survey = Survey(program_id=program_id, kind=kind, created_at=now, version=1)
        db.add(survey)
        await db.flush()
        await _add_items(db, survey.id, 1, DEFAULT_ITEMS[kind])
        existing[kind] = survey.id
    await db.flush()
    return existing


async def _add_items(
    db: AsyncSession, survey_id: int, version: int, specs: Sequence[ItemSpec]
) -> None:
    for position, spec in enumerate(specs):
        item = SurveyItem(
            survey_id=survey_id,
            key=spec.key,
            position=position,
            kind=spec.kind,
            construct=spec.construct,
            optional=spec.optional,
            version=version,
        )
        db.add(item)
        await db.flush()
        for locale, text in spec.texts.items():
            db.add(SurveyItemText(item_id=item.id, locale=locale, text=text))
    await db.flush()


async def get_survey(
    db: AsyncSession, program_id: int, kind: str, version: int | None = None
) -> SurveyView:
    if kind not in KINDS:
        raise SurveyError("survey_unknown_kind", kind=kind)
    survey = await db.scalar(
        select(Survey).where(Survey.program_id == program_id, Survey.kind == kind)
    )
    if survey is None:
        raise NotFound("unknown_program")
    return await _survey_view(db, survey, version or survey.version)


async def survey_by_id(db: AsyncSession, survey_id: int, version: int) -> SurveyView:
    survey = await db.get(Survey, survey_id)
    if survey is None:
        raise NotFound("survey_gone")
    return await _survey_view(db, survey, version)


async def _survey_view(db: AsyncSession, survey: Survey, version: int) -> SurveyView:
    items = (
        await db.scalars(
            select(SurveyItem)
            .where(SurveyItem.survey_id == survey.id, SurveyItem.version == version)
            .order_by(SurveyItem.position)
        )
    ).all()
    texts: dict[int, dict[str, str]] = {}
    if items:
        rows = await db.execute(
            select(SurveyItemText.item_id, SurveyItemText.locale, SurveyItemText.text).where(
                SurveyItemText.item_id.in_([i.id for i in items])
            )
        )
        for item_id, locale, text in rows:
            texts.setdefault(item_id, {})[locale] = text
    return SurveyView(
        id=survey.id,
        program_id=survey.program_id,
        kind=survey.kind,
        version=version,
        items=tuple(
            ItemView(
                id=i.id,
                key=i.key,
                kind=i.kind,
                construct=i.construct,
                optional=i.optional,
                position=i.position,
                texts=texts.get(i.id, {}),
            )
            for i in items
        ),
    )


async def items_by_id(db: AsyncSession, item_ids: Iterable[int]) -> dict[int, ItemView]:
    """Items of any version, for reports that span versions."""
    ids = list(item_ids)
    if not ids:
        return {}
    items = (await db.scalars(select(SurveyItem).where(SurveyItem.id.in_(ids)))).all()
    texts: dict[int, dict[str, str]] = {}
    for item_id, locale, text in await db.execute(
        select(SurveyItemText.item_id, SurveyItemText.locale, SurveyItemText.text).where(
            SurveyItemText.item_id.in_(ids)
        )
    ):
        texts.setdefault(item_id, {})[locale] = text
    return {
        i.id: ItemView(
            i.id, i.key, i.kind, i.construct, i.optional, i.position, texts.get(i.id, {})
        )
        for i in items
    }


def validate_specs(specs: Sequence[ItemSpec]) -> tuple[ItemSpec, ...]:
    """Check an organizer's replacement items; raises SurveyError with a code per problem."""
    if not specs:
        raise SurveyError("survey_no_items")
    if len(specs) > MAX_ITEMS:
        raise SurveyError("survey_too_many_items", maximum=MAX_ITEMS)
    seen: set[str] = set()
    cleaned = []
    for spec in specs:
        if not _KEY.match(spec.key or ""):
            raise SurveyError("survey_bad_key", key=spec.key)
        if spec.key in seen:
            raise SurveyError("survey_duplicate_key", key=spec.key)
        seen.add(spec.key)
        if spec.kind not in ITEM_KINDS:
            raise SurveyError("survey_bad_item_kind", key=spec.key, kind=spec.kind)
        if spec.construct is not None and not _KEY.match(spec.construct):
            raise SurveyError("survey_bad_key", key=spec.construct)
        texts = {}
        for locale, text in spec.texts.items():
            if locale not in SUPPORTED_LOCALES:
                raise InvalidInput("unsupported_language", language=locale)
            body = " ".join(str(text).split())
            if len(body) > MAX_ITEM_TEXT:
                raise SurveyError("survey_item_text_too_long", key=spec.key, limit=MAX_ITEM_TEXT)
            if body:
                texts[locale] = body
        if not texts and spec.key not in BUILTIN_KEYS:
            raise SurveyError("survey_item_without_text", key=spec.key)
        if not texts and spec.kind != _builtin_kind(spec.key):
            raise SurveyError("survey_bad_item_kind", key=spec.key, kind=spec.kind)
        cleaned.append(
            ItemSpec(spec.key, spec.kind, spec.construct, spec.optional or spec.kind == TEXT, texts)
        )
    if all(spec.kind == TEXT for spec in cleaned):
        raise SurveyError("survey_no_rating_items")
    return tuple(cleaned)


def _builtin_kind(key: str) -> str | None:
    for specs in DEFAULT_ITEMS.values():
        for spec in specs:
            if spec.key == key:
                return spec.kind
    return None


async def replace_items(
    db: AsyncSession, program_id: int, kind: str, specs: Sequence[ItemSpec], now: datetime
) -> SurveyView:
    """Give a survey new items (a new version); returns it with any missing translations noted
    by ``SurveyView.missing_translations`` (it cannot start until they are added)."""
    cleaned = validate_specs(specs)
    await ensure_surveys(db, program_id, now)
    survey = await db.scalar(
        select(Survey).where(Survey.program_id == program_id, Survey.kind == kind)
    )
    if survey is None:
        raise SurveyError("survey_unknown_kind", kind=kind)
    survey.version += 1
    await _add_items(db, survey.id, survey.version, cleaned)
    return await _survey_view(db, survey, survey.version)


async def reset_items(db: AsyncSession, program_id: int, kind: str, now: datetime) -> SurveyView:
    """Back to the shipped items (as a new version)."""
    return await replace_items(db, program_id, kind, DEFAULT_ITEMS[kind], now)


async def require_translated(db: AsyncSession, survey: SurveyView) -> None:
    """Raise ``survey_untranslated`` when an item has no wording in one of the program's languages."""
    program = await programs.get(db, survey.program_id)
    missing = survey.missing_translations(program.languages)
    if missing:
        key, locale = missing[0]
        raise SurveyError(
            "survey_untranslated", program=program.name, kind=survey.kind, item=key, language=locale
        )


# ---- settings -----------------------------------------------------------------------------------------


async def settings_of(db: AsyncSession, program_id: int) -> FeedbackSettingsView:
    program = await db.get(Program, program_id)
    if program is None:
        raise NotFound("unknown_program")
    row = await db.get(FeedbackSettings, program_id)
    return FeedbackSettingsView(
        program_id=program_id,
        k_ratings=program.anonymity_k,
        k_comments=row.k_comments if row else 10,
        reminder_after_minutes=row.reminder_after_minutes if row else 48 * 60,
        expiry_days=row.expiry_days if row else 7,
    )


def validate_settings(
    *,
    k_ratings: int | None = None,
    k_comments: int | None = None,
    reminder_after_minutes: int | None = None,
    expiry_days: int | None = None,
) -> None:
    """Check feedback settings without storing them (``update_settings`` and program files).

    Raises AnonymityError ``k_too_small``, SurveyError ``survey_bad_reminder_delay`` or
    ``survey_bad_expiry``; None means "not changed" and is not checked.
    """
    if k_ratings is not None:
        validate_k(k_ratings, ThresholdKind.RATINGS)
    if k_comments is not None:
        validate_k(k_comments, ThresholdKind.COMMENTS)
    if reminder_after_minutes is not None and not 10 <= reminder_after_minutes <= 60 * 24 * 30:
        raise SurveyError("survey_bad_reminder_delay")
    if expiry_days is not None and not 1 <= expiry_days <= 90:
        raise SurveyError("survey_bad_expiry", minimum=1, maximum=90)


async def _has_session_surveys(db: AsyncSession, program_id: int) -> bool:
    found = await db.scalar(
        select(SurveyInstance.id)
        .join(Survey, Survey.id == SurveyInstance.survey_id)
        .where(SurveyInstance.program_id == program_id, Survey.kind == POST_SESSION)
        .limit(1)
    )
    return found is not None


async def update_settings(
    db: AsyncSession,
    program_id: int,
    *,
    k_ratings: int | None = None,
    k_comments: int | None = None,
    reminder_after_minutes: int | None = None,
    expiry_days: int | None = None,
) -> FeedbackSettingsView:
    """Change thresholds and timing. k is never below 3 (AnonymityError ``k_too_small``)."""
    program = await db.get(Program, program_id)
    if program is None:
        raise NotFound("unknown_program")
    row = await db.get(FeedbackSettings, program_id)
    if row is None:
        row = FeedbackSettings(
            program_id=program_id, k_comments=10, reminder_after_minutes=48 * 60, expiry_days=7
        )
        db.add(row)
    validate_settings(
        k_ratings=k_ratings,
        k_comments=k_comments,
        reminder_after_minutes=reminder_after_minutes,
        expiry_days=expiry_days,
    )
    changes_k = (k_ratings is not None and k_ratings != program.anonymity_k) or (
        k_comments is not None and k_comments != row.k_comments
    )
    if changes_k and await _has_session_surveys(db, program_id):
        # Reports release answers in frozen units and pools of k (evaluation / release.py):
        # another k would regroup them, and the old report minus the new one would be one
        # small session. So the thresholds are fixed once the first session survey opened.
        raise SurveyError("survey_thresholds_fixed")
    if k_ratings is not None:
        program.anonymity_k = k_ratings
    if k_comments is not None:
        row.k_comments = k_comments
    if reminder_after_minutes is not None:
        row.reminder_after_minutes = reminder_after_minutes
    if expiry_days is not None:
        row.expiry_days = expiry_days
    await db.flush()
    return await settings_of(db, program_id)


__all__ = [
    "MAX_FREE_TEXT_LENGTH",
    "FeedbackSettingsView",
    "ItemSpec",
    "ItemView",
    "SurveyError",
    "SurveyView",
]

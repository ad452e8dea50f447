"""A program's surveys: the shipped defaults, organizers' replacements and translations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import SUPPORTED_LOCALES
from bot.db.models import Survey, SurveyItem, SurveyItemText
from bot.domain.errors import InvalidInput, NotFound
from bot.features.feedback.surveys.common import (
    _KEY,
    BUILTIN_KEYS,
    DEFAULT_ITEMS,
    ITEM_KINDS,
    KINDS,
    MAX_ITEM_TEXT,
    MAX_ITEMS,
    TEXT,
    ItemSpec,
    ItemView,
    SurveyError,
    SurveyView,
)
from bot.features.programs import service as programs

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

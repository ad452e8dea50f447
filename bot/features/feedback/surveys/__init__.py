"""Surveys of a program: the shipped defaults, organizers' replacements, translations, thresholds.

Every program has three surveys: after each session (``post_session``), before the program
(``pre_program``) and after it (``post_program``). The shipped items are identified by their key and
have no stored text: their wording is a gettext message (bot/handlers/feedback_texts.py), translated
in every shipped language. Organizers may replace a survey's items with their own, worded per
language; a survey whose items lack a wording in one of the program's languages cannot start.

Replacing items bumps the survey's version. Instances keep the version they opened with, so answers
already given stay attached to the items they answered.

The steps live in the modules of this package; this module wires them and exposes every name of
the part as before."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import FeedbackSettings, Program, Survey, SurveyInstance
from bot.domain.anonymity import ThresholdKind, validate_k
from bot.domain.errors import NotFound
from bot.features.feedback.surveys.common import (
    BUILTIN_KEYS,
    DEFAULT_ITEMS,
    ITEM_KINDS,
    KINDS,
    LIKERT5,
    MAX_ITEM_TEXT,
    MAX_ITEMS,
    POST_PROGRAM,
    POST_SESSION,
    PRE_PROGRAM,
    ROUND,
    SCALES,
    TEXT,
    THERMOMETER,
    FeedbackSettingsView,
    ItemSpec,
    ItemView,
    SurveyError,
    SurveyView,
)
from bot.features.feedback.surveys.items import (
    ensure_surveys,
    get_survey,
    items_by_id,
    replace_items,
    require_translated,
    reset_items,
    survey_by_id,
    validate_specs,
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


# The part's names, as they were before it was split into modules.
__all__ = [
    "BUILTIN_KEYS",
    "DEFAULT_ITEMS",
    "ITEM_KINDS",
    "KINDS",
    "LIKERT5",
    "MAX_ITEMS",
    "MAX_ITEM_TEXT",
    "POST_PROGRAM",
    "POST_SESSION",
    "PRE_PROGRAM",
    "ROUND",
    "SCALES",
    "TEXT",
    "THERMOMETER",
    "FeedbackSettingsView",
    "ItemSpec",
    "ItemView",
    "SurveyError",
    "SurveyView",
    "ensure_surveys",
    "get_survey",
    "items_by_id",
    "replace_items",
    "require_translated",
    "reset_items",
    "settings_of",
    "survey_by_id",
    "update_settings",
    "validate_settings",
    "validate_specs",
]

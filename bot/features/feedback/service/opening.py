"""Opening survey instances (after a session, before and after a program) and inviting people."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Enrolment, Person, Survey, SurveyInstance, SurveyInvitation
from bot.features.feedback import surveys
from bot.features.feedback.service.common import (
    PROGRAM_INSTANCE_DAYS,
    FeedbackError,
    Invitee,
    Opened,
    _locale_of,
)
from bot.features.feedback.surveys import POST_PROGRAM, POST_SESSION, PRE_PROGRAM

# ---- opening instances ------------------------------------------------------------------------------


async def _open(
    db: AsyncSession,
    *,
    program_id: int,
    kind: str,
    now: datetime,
    session_id: int | None = None,
    group_id: int | None = None,
) -> SurveyInstance:
    ids = await surveys.ensure_surveys(db, program_id, now)
    survey = await db.get(Survey, ids[kind])
    assert survey is not None
    query = select(SurveyInstance).where(SurveyInstance.survey_id == survey.id)
    query = query.where(
        SurveyInstance.session_id == session_id
        if session_id is not None
        else SurveyInstance.session_id.is_(None)
    )
    instance = await db.scalar(query)
    if instance is not None:
        return instance
    view = await surveys.survey_by_id(db, survey.id, survey.version)
    await surveys.require_translated(db, view)
    settings = await surveys.settings_of(db, program_id)
    days = settings.expiry_days if session_id is not None else PROGRAM_INSTANCE_DAYS
    instance = SurveyInstance(
        survey_id=survey.id,
        program_id=program_id,
        group_id=group_id,
        session_id=session_id,
        opened_at=now,
        closes_at=now + timedelta(days=days),
        invited=0,
        survey_version=survey.version,
    )
    db.add(instance)
    await db.flush()
    return instance


async def _invite(
    db: AsyncSession, instance: SurveyInstance, person_ids: Sequence[int], now: datetime, kind: str
) -> Opened:
    settings = await surveys.settings_of(db, instance.program_id)
    wanted = list(dict.fromkeys(person_ids))
    known = set((await db.scalars(select(Person.id).where(Person.id.in_(wanted)))).all())
    already = set(
        (
            await db.scalars(
                select(SurveyInvitation.person_id).where(
                    SurveyInvitation.instance_id == instance.id,
                    SurveyInvitation.person_id.in_(wanted),
                )
            )
        ).all()
    )
    new = [pid for pid in wanted if pid in known and pid not in already]
    expires_at = min(instance.closes_at, now + timedelta(days=settings.expiry_days))
    for pid in new:
        db.add(
            SurveyInvitation(
                instance_id=instance.id, person_id=pid, sent_at=now, expires_at=expires_at
            )
        )
    instance.invited += len(new)
    await db.flush()
    locales = await _locale_of(db, new, instance.program_id) if new else {}
    return Opened(
        instance_id=instance.id,
        program_id=instance.program_id,
        kind=kind,
        invitees=tuple(Invitee(pid, locales.get(pid, "en")) for pid in new),
        closes_at=expires_at,
    )


async def open_after_session(
    db: AsyncSession,
    *,
    session_id: int,
    group_id: int,
    program_id: int,
    attendee_ids: Sequence[int],
    now: datetime,
) -> Opened:
    """The post-session survey for a closed session, inviting its attendees (idempotent)."""
    instance = await _open(
        db,
        program_id=program_id,
        kind=POST_SESSION,
        now=now,
        session_id=session_id,
        group_id=group_id,
    )
    return await _invite(db, instance, attendee_ids, now, POST_SESSION)


async def open_program_survey(
    db: AsyncSession, *, program_id: int, kind: str, person_ids: Sequence[int], now: datetime
) -> Opened:
    """The pre- or post-program survey, inviting ``person_ids`` who were not invited yet."""
    if kind not in (PRE_PROGRAM, POST_PROGRAM):
        raise FeedbackError("survey_unknown_kind", kind=kind)
    instance = await _open(db, program_id=program_id, kind=kind, now=now)
    return await _invite(db, instance, person_ids, now, kind)


async def program_participants(db: AsyncSession, program_id: int) -> list[int]:
    return list(
        (
            await db.scalars(
                select(Enrolment.person_id)
                .where(Enrolment.program_id == program_id)
                .order_by(Enrolment.id)
            )
        ).all()
    )

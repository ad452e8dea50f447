"""Answering once: the form a person answers, and storing a complete answer with its receipt."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    DialogueGroup,
    DialogueSession,
    Enrolment,
    GroupMember,
    GroupModerator,
    OrganizerGrant,
    Person,
    Program,
    Receipt,
    Survey,
    SurveyInstance,
    SurveyInvitation,
)
from bot.domain.anonymity import MAX_FREE_TEXT_LENGTH, KnownNames, ScrubError, response_day, scrub
from bot.domain.anonymity.errors import AnonymityErrorCode
from bot.features.feedback import store as feedback_store
from bot.features.feedback import surveys
from bot.features.feedback.service.common import FeedbackError, Pending, SurveyForm, receipt_of
from bot.features.feedback.surveys import SCALES, TEXT

# ---- answering ------------------------------------------------------------------------------------------


async def _checked(
    db: AsyncSession, secret: bytes, person_id: int, instance_id: int, now: datetime
) -> tuple[SurveyInstance, SurveyInvitation]:
    instance = await db.get(SurveyInstance, instance_id)
    if instance is None:
        raise FeedbackError("survey_gone")
    invitation = await db.scalar(
        select(SurveyInvitation).where(
            SurveyInvitation.instance_id == instance_id, SurveyInvitation.person_id == person_id
        )
    )
    if invitation is None:
        # A forwarded or forged button, or someone who did not attend.
        raise FeedbackError("survey_not_invited")
    if await db.get(Receipt, receipt_of(secret, person_id, instance_id)) is not None:
        raise FeedbackError("survey_already_answered")
    expires_at = min(instance.closes_at, invitation.expires_at or instance.closes_at)
    if now >= expires_at:
        raise FeedbackError("survey_expired", closed=expires_at)
    return instance, invitation


async def form_for(
    db: AsyncSession, secret: bytes, person_id: int, instance_id: int, now: datetime
) -> SurveyForm:
    """The survey a person may answer now; FeedbackError when they may not."""
    instance, invitation = await _checked(db, secret, person_id, instance_id, now)
    survey = await surveys.survey_by_id(db, instance.survey_id, instance.survey_version)
    program = await db.get(Program, instance.program_id)
    session = await db.get(DialogueSession, instance.session_id) if instance.session_id else None
    group = await db.get(DialogueGroup, instance.group_id) if instance.group_id else None
    return SurveyForm(
        instance_id=instance.id,
        program_id=instance.program_id,
        program_name=program.name if program else "",
        kind=survey.kind,
        session_title=session.title if session else None,
        group_name=group.name if group else None,
        items=survey.items,
        expires_at=min(instance.closes_at, invitation.expires_at or instance.closes_at),
    )


async def known_names(db: AsyncSession, program_id: int) -> KnownNames:
    """Names and usernames of the people the bot knows in a program: participants, organizers and
    the moderators of its groups."""
    person_ids = (
        select(Enrolment.person_id.label("pid"))
        .where(Enrolment.program_id == program_id)
        .union(
            select(OrganizerGrant.person_id).where(OrganizerGrant.program_id == program_id),
            select(GroupMember.person_id).where(GroupMember.program_id == program_id),
            select(GroupModerator.person_id)
            .join(DialogueGroup, DialogueGroup.id == GroupModerator.group_id)
            .where(DialogueGroup.program_id == program_id),
        )
        .subquery()
    )
    rows = await db.execute(
        select(Person.first_name, Person.last_name, Person.username).where(
            Person.id.in_(select(person_ids.c.pid))
        )
    )
    entries: list[str] = []
    for first, last, username in rows:
        for part in (first, last, username and f"@{username}", username):
            if part and not part.isdigit():
                entries.append(part)
        if first and last:
            entries.append(f"{first} {last}")
    return KnownNames.from_names(entries)


def check_free_text(text: str) -> str:
    body = text.strip()
    if len(body) > MAX_FREE_TEXT_LENGTH:
        raise ScrubError(AnonymityErrorCode.TOO_LONG, length=len(body), limit=MAX_FREE_TEXT_LENGTH)
    return body


@dataclass(frozen=True)
class Accepted:
    """A stored answer: ``written`` answers of its instance went from the sealed bundle to
    responses in this transaction (0 while the batch is not due). Call
    ``feedback_store.settle`` after the commit."""

    written: int


async def submit(
    db: AsyncSession,
    secret: bytes,
    person_id: int,
    instance_id: int,
    values: Mapping[int, int],
    comment: str | None,
    now: datetime,
) -> Accepted:
    """Store one complete answer, sealed, with its receipt, all in the caller's transaction.

    ``values`` maps item id -> chosen value for the rating items; ``comment`` is the optional free
    text (scrubbed here before it is stored).
    """
    instance, _ = await _checked(db, secret, person_id, instance_id, now)
    survey = await surveys.survey_by_id(db, instance.survey_id, instance.survey_version)
    answers: list[tuple[int, int | None, str | None]] = []
    for item in survey.items:
        if item.kind == TEXT:
            continue
        value = values.get(item.id)
        if value is None:
            if item.optional:
                continue
            raise FeedbackError("survey_incomplete")
        if value not in SCALES[item.kind]:
            raise FeedbackError("survey_incomplete")
        answers.append((item.id, value, None))
    text_item = next((i for i in survey.items if i.kind == TEXT), None)
    if comment and text_item is not None:
        body = check_free_text(comment)
        if body:
            cleaned = scrub(body, await known_names(db, instance.program_id)).text
            answers.append((text_item.id, None, cleaned))
    enrolment = await db.scalar(
        select(Enrolment).where(
            Enrolment.program_id == instance.program_id, Enrolment.person_id == person_id
        )
    )
    # The receipt first: a second press that raced this one fails here, before anything else.
    db.add(Receipt(digest=receipt_of(secret, person_id, instance.id), instance_id=instance.id))
    try:
        await db.flush()
    except IntegrityError:
        # Two presses raced: the other one stored the answer. This whole transaction rolls back.
        raise FeedbackError("survey_already_answered") from None
    comment_entry = next(((i, t) for i, _v, t in answers if t is not None), None)
    entry = feedback_store.Entry(
        values={i: v for i, v, t in answers if t is None and v is not None},
        comment=comment_entry,
        side_id=enrolment.side_id if enrolment else None,
        role=enrolment.role if enrolment else None,
        day=response_day(now),
    )
    # Sealed until a batch is due (bot/services/feedback_store.py): never a row dated by its place.
    written = await feedback_store.hold(db, secret, instance, entry, now)
    return Accepted(written=written)


async def pending_for(
    db: AsyncSession, secret: bytes, person_id: int, now: datetime
) -> list[Pending]:
    """Surveys this person was invited to, has not answered, and may still answer."""
    rows = (
        await db.execute(
            select(SurveyInvitation, SurveyInstance, Survey.kind, Program.name)
            .join(SurveyInstance, SurveyInstance.id == SurveyInvitation.instance_id)
            .join(Survey, Survey.id == SurveyInstance.survey_id)
            .join(Program, Program.id == SurveyInstance.program_id)
            .where(SurveyInvitation.person_id == person_id, SurveyInstance.closes_at > now)
            .order_by(SurveyInvitation.sent_at)
        )
    ).all()
    found = []
    for invitation, instance, kind, program_name in rows:
        expires_at = min(instance.closes_at, invitation.expires_at or instance.closes_at)
        if expires_at <= now:
            continue
        if await db.get(Receipt, receipt_of(secret, person_id, instance.id)) is not None:
            continue
        session = (
            await db.get(DialogueSession, instance.session_id) if instance.session_id else None
        )
        found.append(
            Pending(instance.id, program_name, kind, session.title if session else None, expires_at)
        )
    return found

"""Enrolment: from an invite link to an accepted code of conduct.

The steps are language -> role (skipped when the invite fixes it) -> time zone -> code of conduct.
Progress is an ``EnrolmentDraft`` row; the enrolment itself is written only on Accept, in one
transaction with the invite's use count, so a failure anywhere leaves no half-enrolled person.
Each step bumps the draft's nonce: a button from an earlier step carries an older nonce and is refused
as stale instead of acting twice. Following the same invite again resumes the draft at its step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.db.models import Enrolment, EnrolmentDraft, Invite, Person
from bot.domain.errors import EnrolmentError
from bot.domain.programs import validate_role, validate_zone
from bot.features.programs import invites
from bot.services import people
from bot.services.people import TelegramIdentity


class Step(StrEnum):
    LANGUAGE = "language"
    ROLE = "role"
    TIMEZONE = "timezone"
    CONDUCT = "conduct"


@dataclass(frozen=True)
class DraftView:
    person_id: int
    program_id: int
    program_name: str
    side_name: str
    step: Step
    nonce: int
    role: str | None
    languages: tuple[str, ...]


@dataclass(frozen=True)
class EnrolmentView:
    program_id: int
    program_name: str
    side_name: str
    role: str
    enrolled_at: datetime


@dataclass(frozen=True)
class StartResult:
    draft: DraftView | None = None
    already: EnrolmentView | None = None


async def _draft(db: AsyncSession, person_id: int) -> EnrolmentDraft | None:
    return await db.scalar(
        select(EnrolmentDraft)
        .where(EnrolmentDraft.person_id == person_id)
        .options(
            selectinload(EnrolmentDraft.invite).selectinload(Invite.program),
            selectinload(EnrolmentDraft.invite).selectinload(Invite.side),
        )
        .execution_options(populate_existing=True)
    )


async def _draft_view(db: AsyncSession, draft: EnrolmentDraft) -> DraftView:
    from bot.features.programs import service as programs

    program = await programs.get(db, draft.invite.program_id)
    return DraftView(
        person_id=draft.person_id,
        program_id=program.id,
        program_name=program.name,
        side_name=draft.invite.side.name,
        step=Step(draft.step),
        nonce=draft.nonce,
        role=draft.role,
        languages=program.languages,
    )


async def current_enrolment(db: AsyncSession, person_id: int) -> EnrolmentView | None:
    enrolment = await db.scalar(
        select(Enrolment)
        .where(Enrolment.person_id == person_id)
        .options(selectinload(Enrolment.program), selectinload(Enrolment.side))
        .order_by(Enrolment.enrolled_at.desc())
        .limit(1)
    )
    if enrolment is None:
        return None
    return EnrolmentView(
        program_id=enrolment.program_id,
        program_name=enrolment.program.name,
        side_name=enrolment.side.name,
        role=enrolment.role,
        enrolled_at=enrolment.enrolled_at,
    )


async def current_draft(db: AsyncSession, person_id: int) -> DraftView | None:
    draft = await _draft(db, person_id)
    return await _draft_view(db, draft) if draft else None


async def start(db: AsyncSession, who: TelegramIdentity, code: str, now: datetime) -> StartResult:
    """Follow an invite. Idempotent for the program one is already in (and for a draft of the same
    invite, which resumes); refuses a second program."""
    invite = await invites.resolve(db, code, now)
    await people.upsert(db, who, now)
    enrolled = await current_enrolment(db, who.id)
    if enrolled is not None:
        if enrolled.program_id == invite.program_id:
            return StartResult(already=enrolled)
        raise EnrolmentError("enrolled_elsewhere", program=enrolled.program_name)
    draft = await _draft(db, who.id)
    if draft is None:
        draft = EnrolmentDraft(
            person_id=who.id, invite_id=invite.id, step=Step.LANGUAGE, nonce=1, started_at=now
        )
        db.add(draft)
    elif draft.invite_id != invite.id:
        draft.invite_id, draft.step, draft.role = invite.id, Step.LANGUAGE, None
        draft.nonce += 1
        draft.started_at = now
    # The same invite again resumes where the person is (a reply may never have reached them);
    # the nonce stays, so the buttons they may already see keep working.
    await db.flush()
    draft = await _draft(db, who.id)
    assert draft is not None
    return StartResult(draft=await _draft_view(db, draft))


async def _advance(
    db: AsyncSession, person_id: int, expected: Step, nonce: int | None
) -> EnrolmentDraft:
    draft = await _draft(db, person_id)
    if draft is None:
        raise EnrolmentError("no_enrolment_in_progress")
    if draft.step != expected or (nonce is not None and draft.nonce != nonce):
        raise EnrolmentError("stale_step")
    return draft


async def choose_language(
    db: AsyncSession, person_id: int, locale: str, nonce: int, now: datetime
) -> DraftView:
    draft = await _advance(db, person_id, Step.LANGUAGE, nonce)
    await people.set_locale(db, person_id, locale, now)
    draft.step = Step.ROLE if draft.invite.role is None else Step.TIMEZONE
    draft.role = draft.invite.role
    draft.nonce += 1
    await db.flush()
    return await _draft_view(db, draft)


async def choose_role(db: AsyncSession, person_id: int, role: str, nonce: int) -> DraftView:
    draft = await _advance(db, person_id, Step.ROLE, nonce)
    if validate_role(role) is None:
        raise EnrolmentError("stale_step")
    draft.role = role
    draft.step = Step.TIMEZONE
    draft.nonce += 1
    await db.flush()
    return await _draft_view(db, draft)


async def choose_timezone(
    db: AsyncSession, person_id: int, zone: str, nonce: int | None, now: datetime
) -> DraftView:
    """Set the zone at the time-zone step (``nonce`` is None when the person typed it)."""
    draft = await _advance(db, person_id, Step.TIMEZONE, nonce)
    validate_zone(zone)
    await people.set_timezone(db, person_id, zone, now)
    draft.step = Step.CONDUCT
    draft.nonce += 1
    await db.flush()
    return await _draft_view(db, draft)


async def accept(db: AsyncSession, person_id: int, nonce: int, now: datetime) -> EnrolmentView:
    draft = await _advance(db, person_id, Step.CONDUCT, nonce)
    person = await db.get(Person, person_id)
    assert person is not None and draft.role is not None
    await invites.consume(db, draft.invite_id, now)
    db.add(
        Enrolment(
            program_id=draft.invite.program_id,
            person_id=person_id,
            side_id=draft.invite.side_id,
            role=draft.role,
            invite_id=draft.invite_id,
            accepted_conduct_at=now,
            enrolled_at=now,
        )
    )
    await db.delete(draft)
    await db.flush()
    enrolled = await current_enrolment(db, person_id)
    assert enrolled is not None
    return enrolled


async def decline(db: AsyncSession, person_id: int, nonce: int) -> DraftView:
    """Leave the enrolment: nothing is kept but the person's language and zone choices."""
    draft = await _advance(db, person_id, Step.CONDUCT, nonce)
    view = await _draft_view(db, draft)
    await db.execute(delete(EnrolmentDraft).where(EnrolmentDraft.person_id == person_id))
    return view

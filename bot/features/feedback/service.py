"""Anonymous feedback: survey instances, invitations, answering once, reminders.

Privacy (DESIGN.md, "Privacy of feedback"):

* Partial answers are never written: the handler keeps them in memory until the final submit, and
  ``submit`` writes the sealed answer and the receipt in one transaction, so either both exist or
  neither does. Answers reach ``responses`` only in shuffled batches (bot/services/feedback_store.py).
* A response row has a random id, a day and coarse attributes (side, role, group, session), all
  coarsened so that no combination matches fewer than k invitees; never a person. The receipt is
  HMAC(secret, person, instance) with no reference to the response.
* Free text is scrubbed (contacts, links, @usernames, names of the program's people) before storage.
* Reminders consult receipts, and every invitation's reminder step is marked alike (answered or
  not); the reminder's delivery key is keyed by the secret too, so no row says who had not answered.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select, text, update
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
from bot.domain.anonymity import (
    MAX_FREE_TEXT_LENGTH,
    KnownNames,
    ScrubError,
    receipt,
    response_day,
    scrub,
)
from bot.domain.anonymity.errors import AnonymityErrorCode
from bot.domain.errors import BridgeError
from bot.features.feedback import store as feedback_store
from bot.features.feedback import surveys
from bot.features.feedback.surveys import (
    POST_PROGRAM,
    POST_SESSION,
    PRE_PROGRAM,
    SCALES,
    TEXT,
    ItemView,
)
from bot.i18n import locale_of

# Program-wide instances (pre / post program) stay open this long; each invitation expires on its own.
PROGRAM_INSTANCE_DAYS = 400


class FeedbackError(BridgeError):
    """A survey that cannot be answered as asked (expired, already answered, not invited...)."""


@dataclass(frozen=True)
class Invitee:
    person_id: int
    locale: str


@dataclass(frozen=True)
class Opened:
    instance_id: int
    program_id: int
    kind: str
    invitees: tuple[Invitee, ...]  # newly invited; send each one a DM
    closes_at: datetime


@dataclass(frozen=True)
class SurveyForm:
    """What a participant answers: the instance's items in order, with its context."""

    instance_id: int
    program_id: int
    program_name: str
    kind: str
    session_title: str | None
    group_name: str | None
    items: tuple[ItemView, ...]
    expires_at: datetime

    @property
    def rating_items(self) -> tuple[ItemView, ...]:
        return tuple(i for i in self.items if i.kind != TEXT)

    @property
    def text_item(self) -> ItemView | None:
        return next((i for i in self.items if i.kind == TEXT), None)


@dataclass(frozen=True)
class Pending:
    instance_id: int
    program_name: str
    kind: str
    session_title: str | None
    expires_at: datetime


@dataclass(frozen=True)
class DueReminder:
    invitation_id: int
    instance_id: int
    person_id: int
    locale: str
    delivery_key: str
    expires_at: datetime


def instance_key(instance_id: int) -> str:
    return f"instance:{instance_id}"


def receipt_of(secret: bytes, person_id: int, instance_id: int) -> str:
    return receipt(secret, person_id, instance_key(instance_id))


def reminder_key(secret: bytes, person_id: int, instance_id: int) -> str:
    """The reminder's delivery key: unique per person and instance, but names nobody."""
    digest = hmac.new(
        secret, f"reminder:{person_id}:{instance_id}".encode(), hashlib.sha256
    ).hexdigest()
    return f"fb:rem:{instance_id}:{digest[:40]}"


def invitation_key(instance_id: int, person_id: int) -> str:
    return f"fb:inv:{instance_id}:{person_id}"


async def _locale_of(
    db: AsyncSession, person_ids: Sequence[int], program_id: int
) -> dict[int, str]:
    program = await db.get(Program, program_id)
    fallback = program.default_locale if program else "en"
    rows = await db.execute(
        select(Person.id, Person.locale, Person.telegram_language).where(Person.id.in_(person_ids))
    )
    return {pid: locale_of(loc, tl, fallback) for pid, loc, tl in rows}


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


# ---- reminders --------------------------------------------------------------------------------------------


async def due_reminders(
    db: AsyncSession, secret: bytes, now: datetime, limit: int = 500
) -> list[DueReminder]:
    """Invitations whose reminder time has come, still unanswered and open. Every invitation looked
    at gets ``reminded_at`` set (answered or not), inside the caller's transaction."""
    rows = (
        await db.execute(
            select(SurveyInvitation, SurveyInstance)
            .join(SurveyInstance, SurveyInstance.id == SurveyInvitation.instance_id)
            .where(SurveyInvitation.reminded_at.is_(None))
            .order_by(SurveyInvitation.sent_at)
            .limit(limit * 4)
        )
    ).all()
    delays: dict[int, int] = {}
    due: list[DueReminder] = []
    looked: list[int] = []
    for invitation, instance in rows:
        if instance.program_id not in delays:
            delays[instance.program_id] = (
                await surveys.settings_of(db, instance.program_id)
            ).reminder_after_minutes
        if invitation.sent_at + timedelta(minutes=delays[instance.program_id]) > now:
            continue
        looked.append(invitation.id)
        expires_at = min(instance.closes_at, invitation.expires_at or instance.closes_at)
        if expires_at <= now:
            continue
        if await db.get(Receipt, receipt_of(secret, invitation.person_id, instance.id)) is not None:
            continue
        due.append(
            DueReminder(
                invitation_id=invitation.id,
                instance_id=instance.id,
                person_id=invitation.person_id,
                locale="en",
                delivery_key=reminder_key(secret, invitation.person_id, instance.id),
                expires_at=expires_at,
            )
        )
        if len(due) >= limit:
            break
    if looked:
        await db.execute(
            update(SurveyInvitation).where(SurveyInvitation.id.in_(looked)).values(reminded_at=now)
        )
    if due:
        by_program: dict[int, list[DueReminder]] = {}
        programs_of = dict(
            (
                await db.execute(
                    select(SurveyInstance.id, SurveyInstance.program_id).where(
                        SurveyInstance.id.in_({d.instance_id for d in due})
                    )
                )
            ).all()
        )
        for d in due:
            by_program.setdefault(programs_of[d.instance_id], []).append(d)
        result: list[Any] = []
        for program_id, items in by_program.items():
            locales = await _locale_of(db, [d.person_id for d in items], program_id)
            result.extend(
                DueReminder(
                    d.invitation_id,
                    d.instance_id,
                    d.person_id,
                    locales.get(d.person_id, "en"),
                    d.delivery_key,
                    d.expires_at,
                )
                for d in items
            )
        due = result
    return due


async def has_answered(db: AsyncSession, secret: bytes, person_id: int, instance_id: int) -> bool:
    return bool(
        await db.scalar(
            select(exists().where(Receipt.digest == receipt_of(secret, person_id, instance_id)))
        )
    )


# ---- keeping the stored order meaningless ---------------------------------------------------------------


async def erase_order(db: AsyncSession) -> bool:
    """PostgreSQL keeps rows in the order they were written, each stamped with its transaction id
    (xmin). Rewriting every answer row in one transaction gives them all the same xmin, and CLUSTER
    on the random primary keys puts them in random physical order. SQLite needs nothing: these
    tables are WITHOUT ROWID there and stored by their random keys. Returns whether it ran."""
    if db.get_bind().dialect.name != "postgresql":
        return False
    await db.execute(text("LOCK TABLE responses, answers, receipts IN SHARE ROW EXCLUSIVE MODE"))
    await db.execute(text("UPDATE responses SET day = day"))
    await db.execute(text("UPDATE answers SET value = value"))
    await db.execute(text("UPDATE receipts SET instance_id = instance_id"))
    for table in ("responses", "answers", "receipts"):
        await db.execute(text(f"CLUSTER {table} USING pk_{table}"))
    return True

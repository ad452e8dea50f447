"""/findtime: a poll of up to 8 candidate slots, members' answers, the recommendation, and the
session the moderator confirms. The ranking rule is the domain's (bot/domain/scheduling/findtime)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import FindTimeAnswer, FindTimeDecline, FindTimePoll
from bot.domain.errors import NotFound
from bot.domain.scheduling import (
    MAX_FINDTIME_SLOTS,
    FindTimeMember,
    SessionDraft,
    SlotScore,
    get_zone,
    propose_slots,
    recommend,
    score_slots,
)
from bot.domain.scheduling.findtime import is_convenient
from bot.features.sessions import service as sessions_service
from bot.features.sessions.service import Created, SessionError
from bot.services.people import Recipient

DEFAULT_DURATION = timedelta(minutes=90)


@dataclass(frozen=True)
class PollView:
    id: int
    group_id: int
    title: str
    duration: timedelta
    slots: tuple[datetime, ...]
    closed: bool
    chosen_slot: int | None


@dataclass(frozen=True)
class Results:
    poll: PollView
    scores: tuple[SlotScore, ...]  # best first
    best: SlotScore | None
    answered: int  # members who chose times or said none works
    members: int
    none_work: tuple[str, ...] = ()  # names of members for whom none of the times works
    silent: tuple[str, ...] = ()  # names of members who have not answered


def _view(poll: FindTimePoll) -> PollView:
    return PollView(
        id=poll.id,
        group_id=poll.group_id,
        title=poll.title,
        duration=timedelta(minutes=poll.duration_minutes),
        slots=tuple(datetime.fromisoformat(s) for s in poll.slots),
        closed=poll.closed_at is not None,
        chosen_slot=poll.chosen_slot,
    )


async def _poll(db: AsyncSession, poll_id: int) -> FindTimePoll:
    poll = await db.get(FindTimePoll, poll_id, populate_existing=True)
    if poll is None:
        raise NotFound("unknown_poll")
    return poll


async def get(db: AsyncSession, poll_id: int) -> PollView:
    return _view(await _poll(db, poll_id))


def _members(recipients: Sequence[Recipient], fallback_zone: str) -> list[FindTimeMember]:
    return [
        FindTimeMember(r.person_id, r.side_name or "-", r.zone or fallback_zone) for r in recipients
    ]


async def _last_inconvenienced(db: AsyncSession, group_id: int) -> frozenset[str]:
    last = await db.scalar(
        select(FindTimePoll.inconvenienced_sides)
        .where(FindTimePoll.group_id == group_id, FindTimePoll.chosen_slot.is_not(None))
        .order_by(FindTimePoll.closed_at.desc(), FindTimePoll.id.desc())
        .limit(1)
    )
    return frozenset(last or ())


async def create(
    db: AsyncSession,
    *,
    group_id: int,
    actor_id: int,
    admin_ids: Collection[int],
    title: str,
    now: datetime,
    duration: timedelta = DEFAULT_DURATION,
    slots: Sequence[datetime] | None = None,
) -> tuple[PollView, list[Recipient]]:
    """Open a poll with the given slots, or with up to 8 proposed by the domain for this group."""
    await sessions_service.require_manager(db, group_id, actor_id, admin_ids)
    members = await sessions_service.recipients(db, group_id)
    if not members:
        raise SessionError("no_members")
    zone = await sessions_service.creator_zone(db, actor_id, group_id)
    last = await _last_inconvenienced(db, group_id)
    if slots is None:
        slots = propose_slots(
            _members(members, zone), now, duration, last_inconvenienced_sides=last
        )
    slots = sorted(set(slots))[:MAX_FINDTIME_SLOTS]
    if not slots:
        raise SessionError("no_slots")
    for slot in slots:
        if slot <= now:
            raise SessionError("slot_in_past")
    # Any earlier open poll of the group is superseded: its buttons stop working.
    for old in (
        await db.scalars(
            select(FindTimePoll).where(
                FindTimePoll.group_id == group_id, FindTimePoll.closed_at.is_(None)
            )
        )
    ).all():
        old.closed_at = now
    poll = FindTimePoll(
        group_id=group_id,
        title=title.strip()[:200] or "-",
        duration_minutes=int(duration.total_seconds()) // 60,
        slots=[s.isoformat() for s in slots],
        created_by=actor_id,
        created_at=now,
    )
    db.add(poll)
    await db.flush()
    return _view(poll), members


async def toggle(
    db: AsyncSession,
    *,
    poll_id: int,
    person_id: int,
    slot_index: int | None,
    now: datetime | None = None,
) -> set[int]:
    """A member marks a slot as possible (or unmarks it); ``None`` means "none of these": their
    ticks are cleared and the answer "none works" is stored (choosing a time later replaces it)."""
    poll = await _poll(db, poll_id)
    if poll.closed_at is not None:
        raise SessionError("poll_closed")
    if person_id not in {r.person_id for r in await sessions_service.recipients(db, poll.group_id)}:
        raise SessionError("not_in_group")
    if slot_index is None:
        await db.execute(
            delete(FindTimeAnswer).where(
                FindTimeAnswer.poll_id == poll_id, FindTimeAnswer.person_id == person_id
            )
        )
        if not await declined(db, poll_id, person_id):
            db.add(FindTimeDecline(poll_id=poll_id, person_id=person_id, at=now or poll.created_at))
            await db.flush()
        return set()
    if not 0 <= slot_index < len(poll.slots):
        raise ValueError("slot index out of range")
    await db.execute(
        delete(FindTimeDecline).where(
            FindTimeDecline.poll_id == poll_id, FindTimeDecline.person_id == person_id
        )
    )
    existing = await db.scalar(
        select(FindTimeAnswer).where(
            FindTimeAnswer.poll_id == poll_id,
            FindTimeAnswer.person_id == person_id,
            FindTimeAnswer.slot_index == slot_index,
        )
    )
    if existing is None:
        db.add(FindTimeAnswer(poll_id=poll_id, person_id=person_id, slot_index=slot_index))
    else:
        await db.delete(existing)
    await db.flush()
    return await chosen_by(db, poll_id, person_id)


async def declined(db: AsyncSession, poll_id: int, person_id: int) -> bool:
    """Whether the member answered that none of the poll's times works for them."""
    found = await db.scalar(
        select(FindTimeDecline.id).where(
            FindTimeDecline.poll_id == poll_id, FindTimeDecline.person_id == person_id
        )
    )
    return found is not None


async def chosen_by(db: AsyncSession, poll_id: int, person_id: int) -> set[int]:
    return set(
        (
            await db.scalars(
                select(FindTimeAnswer.slot_index).where(
                    FindTimeAnswer.poll_id == poll_id, FindTimeAnswer.person_id == person_id
                )
            )
        ).all()
    )


async def results(db: AsyncSession, poll_id: int) -> Results:
    poll = await _poll(db, poll_id)
    view = _view(poll)
    members = await sessions_service.recipients(db, poll.group_id)
    answers: dict[int, set[int]] = {}
    for person_id, index in (
        await db.execute(
            select(FindTimeAnswer.person_id, FindTimeAnswer.slot_index).where(
                FindTimeAnswer.poll_id == poll_id
            )
        )
    ).all():
        answers.setdefault(person_id, set()).add(index)
    zone = "UTC"
    scores = score_slots(
        view.slots,
        _members(members, zone),
        answers,
        await _last_inconvenienced(db, poll.group_id),
        view.duration,
    )
    none_ids = set(
        (
            await db.scalars(
                select(FindTimeDecline.person_id).where(FindTimeDecline.poll_id == poll_id)
            )
        ).all()
    )
    member_ids = {m.person_id for m in members}
    answered_ids = member_ids & (set(answers) | none_ids)
    return Results(
        poll=view,
        scores=tuple(scores),
        best=recommend(scores),
        answered=len(answered_ids),
        members=len(members),
        none_work=tuple(m.name for m in members if m.person_id in none_ids - set(answers)),
        silent=tuple(m.name for m in members if m.person_id not in answered_ids),
    )


async def confirm(
    db: AsyncSession,
    *,
    poll_id: int,
    slot_index: int,
    actor_id: int,
    admin_ids: Collection[int],
    now: datetime,
) -> Created:
    """Close the poll on ``slot_index`` and create the session there."""
    poll = await _poll(db, poll_id)
    await sessions_service.require_manager(db, poll.group_id, actor_id, admin_ids)
    if poll.closed_at is not None:
        raise SessionError("poll_closed")
    view = _view(poll)
    if not 0 <= slot_index < len(view.slots):
        raise ValueError("slot index out of range")
    start = view.slots[slot_index]
    outcome = await results(db, poll_id)
    members = {m.person_id: m for m in await sessions_service.recipients(db, poll.group_id)}
    score = next(s for s in outcome.scores if s.slot_index == slot_index)
    inconvenienced = sorted(
        {members[pid].side_name or "-" for pid in score.inconvenienced_member_ids if pid in members}
    )
    zone = await sessions_service.creator_zone(db, actor_id, poll.group_id)
    created = await sessions_service.create(
        db,
        group_id=poll.group_id,
        actor_id=actor_id,
        admin_ids=admin_ids,
        draft=SessionDraft(
            title=poll.title,
            start_local=start.astimezone(get_zone(zone)).replace(tzinfo=None),
            zone=zone,
            duration=view.duration,
        ),
        now=now,
    )
    poll.closed_at = now
    poll.chosen_slot = slot_index
    poll.inconvenienced_sides = inconvenienced
    await db.flush()
    return created


__all__ = [
    "DEFAULT_DURATION",
    "PollView",
    "Results",
    "confirm",
    "create",
    "get",
    "is_convenient",
    "results",
    "toggle",
]

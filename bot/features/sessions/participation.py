"""Who gets heard: per-person counts while a session is open (numbers only, never content), the
raise-hand queue, the half-time picture and the per-side numbers kept after the session."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    DialogueGroup,
    DialogueSession,
    GroupMember,
    Person,
    RaisedHand,
    SessionParticipation,
    SessionSideStats,
    Side,
)
from bot.domain.people import display_name as person_name
from bot.features.groups.service import JOINED
from bot.features.sessions import service as sessions_service
from bot.features.sessions.service import OPEN, SessionError
from bot.services.people import Recipient

# A whitespace-separated token holding a letter or digit: ``\s`` is str.isspace's whitespace and
# ``[^\W_]`` is str.isalnum's characters, so this counts what the token-by-token loop counted, in
# one pass of the regex engine (it ran on every group message).
_WORD = re.compile(r"\S*?[^\W_]\S*")


def count_words(text: str | None) -> int:
    """Words as whitespace-separated tokens that hold at least one letter or digit."""
    if not text:
        return 0
    return len(_WORD.findall(text))


async def _open_session_id(db: AsyncSession, chat_id: int) -> int | None:
    return await db.scalar(
        select(DialogueSession.id)
        .join(DialogueGroup, DialogueGroup.id == DialogueSession.group_id)
        .where(DialogueGroup.chat_id == chat_id, DialogueSession.status == OPEN)
        .limit(1)
    )


async def _row(db: AsyncSession, session_id: int, person_id: int) -> SessionParticipation | None:
    row = await db.scalar(
        select(SessionParticipation).where(
            SessionParticipation.session_id == session_id,
            SessionParticipation.person_id == person_id,
        )
    )
    if row is not None:
        return row
    if await db.get(Person, person_id) is None:
        return None  # someone the bot does not know (not a participant); nothing to count
    row = SessionParticipation(
        session_id=session_id, person_id=person_id, messages=0, words=0, reactions=0
    )
    try:
        async with db.begin_nested():
            db.add(row)
    except IntegrityError:
        row = await db.scalar(
            select(SessionParticipation).where(
                SessionParticipation.session_id == session_id,
                SessionParticipation.person_id == person_id,
            )
        )
    return row


@dataclass
class Tally:
    """Counts gathered in memory for one person since the last flush."""

    messages: int = 0
    words: int = 0
    reactions: int = 0


async def add_tallies(db: AsyncSession, chat_id: int, tallies: dict[int, Tally]) -> bool:
    """Add buffered counts to the chat's open session; returns whether a session was open (when
    none is, the counts belong to no session and are dropped)."""
    session_id = await _open_session_id(db, chat_id)
    if session_id is None:
        return False
    for person_id, tally in tallies.items():
        row = await _row(db, session_id, person_id)
        if row is not None:
            row.messages += tally.messages
            row.words += tally.words
            row.reactions += tally.reactions
    return True


@dataclass(frozen=True)
class Counts:
    person_id: int
    messages: int
    words: int
    reactions: int


async def counts(db: AsyncSession, session_id: int) -> dict[int, Counts]:
    rows = (
        await db.scalars(
            select(SessionParticipation).where(SessionParticipation.session_id == session_id)
        )
    ).all()
    return {r.person_id: Counts(r.person_id, r.messages, r.words, r.reactions) for r in rows}


# ---- half time -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SideBalance:
    side_name: str
    members: int
    present: int
    words: int
    word_share: float  # of all words said so far
    present_share: float  # of all members present so far


@dataclass(frozen=True)
class Balance:
    sides: tuple[SideBalance, ...]
    quietest: tuple[
        str, ...
    ]  # names, fewest words first (present members who said least, then silent)
    silent: tuple[Recipient, ...]  # members who have not written yet


async def balance(db: AsyncSession, session_id: int, quietest: int = 3) -> Balance:
    session = await sessions_service.get(db, session_id)
    members = await sessions_service.recipients(db, session.group_id)
    numbers = await counts(db, session_id)
    total_words = sum(numbers[m.person_id].words for m in members if m.person_id in numbers)
    present = [
        m
        for m in members
        if m.person_id in numbers
        and (numbers[m.person_id].messages or numbers[m.person_id].reactions)
    ]
    sides: dict[str, list[Recipient]] = {}
    for member in members:
        sides.setdefault(member.side_name or "—", []).append(member)
    present_ids = {m.person_id for m in present}
    side_rows = []
    for name, people in sides.items():
        words = sum(numbers[m.person_id].words for m in people if m.person_id in numbers)
        here = sum(1 for m in people if m.person_id in present_ids)
        side_rows.append(
            SideBalance(
                side_name=name,
                members=len(people),
                present=here,
                words=words,
                word_share=words / total_words if total_words else 0.0,
                present_share=here / len(present) if present else 0.0,
            )
        )
    ranked = sorted(
        members,
        key=lambda m: (numbers[m.person_id].words if m.person_id in numbers else 0, m.person_id),
    )
    silent = tuple(
        m for m in members if m.person_id not in numbers or numbers[m.person_id].messages == 0
    )
    return Balance(
        sides=tuple(side_rows),
        quietest=tuple(m.name for m in ranked[:quietest]),
        silent=silent,
    )


# ---- after the session ---------------------------------------------------------------------------------


async def speakers(db: AsyncSession, session_id: int) -> tuple[int, ...]:
    """People who posted or reacted while the session was open."""
    return tuple(
        (
            await db.scalars(
                select(SessionParticipation.person_id)
                .where(
                    SessionParticipation.session_id == session_id,
                    (SessionParticipation.messages > 0) | (SessionParticipation.reactions > 0),
                )
                .order_by(SessionParticipation.person_id)
            )
        ).all()
    )


async def attendees(db: AsyncSession, session_id: int) -> tuple[int, ...]:
    """Who was at the session: the group's members in its chat when it closed (joined before the
    end, not left or removed since; kept current from Telegram's chat_member updates), and anyone
    who posted or reacted during it. A member who listened without a word was there: the quiet
    ones are the people whose feedback matters most."""
    session = await sessions_service.get(db, session_id)
    end = session.closed_at or session.ends_at
    in_chat = (
        await db.scalars(
            select(GroupMember.person_id).where(
                GroupMember.group_id == session.group_id,
                GroupMember.status == JOINED,
                (GroupMember.joined_at.is_(None)) | (GroupMember.joined_at <= end),
            )
        )
    ).all()
    return tuple(sorted(set(in_chat) | set(await speakers(db, session_id))))


async def keep_side_stats(db: AsyncSession, session_id: int) -> list[SessionSideStats]:
    """Write the per-side numbers reports use (they outlive the per-person counts)."""
    session = await sessions_service.get(db, session_id)
    members = await sessions_service.recipients(db, session.group_id)
    numbers = await counts(db, session_id)
    present_ids = set(await attendees(db, session_id))
    program_id = await sessions_service.program_of_group(db, session.group_id)
    side_ids = (
        await db.scalars(
            select(Side.id).where(Side.program_id == program_id).order_by(Side.position)
        )
    ).all()
    await db.execute(delete(SessionSideStats).where(SessionSideStats.session_id == session_id))
    rows = []
    for side_id in side_ids:
        people = [m for m in members if m.side_id == side_id]
        got = [numbers[m.person_id] for m in people if m.person_id in numbers]
        row = SessionSideStats(
            session_id=session_id,
            side_id=side_id,
            members=len(people),
            present=sum(1 for m in people if m.person_id in present_ids),
            spoke=sum(1 for c in got if c.messages),
            messages=sum(c.messages for c in got),
            words=sum(c.words for c in got),
        )
        db.add(row)
        rows.append(row)
    await db.flush()
    return rows


async def side_stats(db: AsyncSession, session_id: int) -> list[tuple[str, SessionSideStats]]:
    rows = (
        await db.execute(
            select(Side.name, SessionSideStats)
            .join(Side, Side.id == SessionSideStats.side_id)
            .where(SessionSideStats.session_id == session_id)
            .order_by(Side.position)
        )
    ).all()
    return [(name, row) for name, row in rows]


# ---- raised hands --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hand:
    person_id: int
    name: str
    hand_id: int = 0  # the raised hand's row: the queue's "next" button names the first one


async def _queue(db: AsyncSession, session_id: int) -> list[Hand]:
    rows = (
        await db.execute(
            select(Person.id, Person.first_name, Person.last_name, RaisedHand.id)
            .join(RaisedHand, RaisedHand.person_id == Person.id)
            .where(RaisedHand.session_id == session_id, RaisedHand.done_at.is_(None))
            .order_by(RaisedHand.raised_at, RaisedHand.id)
        )
    ).all()
    return [
        Hand(pid, person_name(first, last), hand_id)
        for pid, first, last, hand_id in rows
    ]


async def raise_hand(
    db: AsyncSession, *, group_id: int, person_id: int, now: datetime
) -> tuple[int, bool, list[Hand]]:
    """Put the person in the open session's queue. Returns (their place, newly raised, queue)."""
    session = await sessions_service.open_for_group(db, group_id)
    if session is None:
        raise SessionError("no_open_session")
    if await db.get(Person, person_id) is None:
        raise SessionError("unknown_person")
    queue = await _queue(db, session.id)
    for place, hand in enumerate(queue, start=1):
        if hand.person_id == person_id:
            return place, False, queue
    db.add(RaisedHand(session_id=session.id, person_id=person_id, raised_at=now))
    await db.flush()
    queue = await _queue(db, session.id)
    return len(queue), True, queue


async def hand_queue(db: AsyncSession, group_id: int) -> list[Hand]:
    session = await sessions_service.open_for_group(db, group_id)
    if session is None:
        raise SessionError("no_open_session")
    return await _queue(db, session.id)


async def next_hand(
    db: AsyncSession,
    *,
    group_id: int,
    actor_id: int,
    admin_ids: Collection[int],
    now: datetime,
    expected_hand_id: int | None = None,
) -> tuple[Hand | None, list[Hand]]:
    """The facilitator gives the floor to the first in the queue. Returns (who, queue left).
    With ``expected_hand_id`` (the first hand when the button was drawn) a press that comes after
    that hand was already given the floor raises ``hand_already_given`` instead of skipping the
    next person."""
    await sessions_service.require_manager(db, group_id, actor_id, admin_ids)
    session = await sessions_service.open_for_group(db, group_id)
    if session is None:
        raise SessionError("no_open_session")
    first = await db.scalar(
        select(RaisedHand)
        .where(RaisedHand.session_id == session.id, RaisedHand.done_at.is_(None))
        .order_by(RaisedHand.raised_at, RaisedHand.id)
        .limit(1)
    )
    if expected_hand_id is not None and (first is None or first.id != expected_hand_id):
        raise SessionError("hand_already_given")
    if first is None:
        return None, []
    queue = await _queue(db, session.id)
    first.done_at = now
    await db.flush()
    return queue[0], queue[1:]


async def speaking_shares(db: AsyncSession, session_id: int) -> dict[str, int]:
    """Words per side so far (for tests and reports); sides without words are left out."""
    session = await sessions_service.get(db, session_id)
    program_id = await sessions_service.program_of_group(db, session.group_id)
    from bot.db.models import Enrolment

    rows = (
        await db.execute(
            select(Side.name, func.sum(SessionParticipation.words))
            .join(
                Enrolment,
                and_(
                    Enrolment.person_id == SessionParticipation.person_id,
                    Enrolment.program_id == program_id,
                ),
            )
            .join(Side, Side.id == Enrolment.side_id)
            .where(SessionParticipation.session_id == session_id)
            .group_by(Side.name)
        )
    ).all()
    return {name: int(total or 0) for name, total in rows}

"""Perspective rounds over the database: start a round, move it on, store the teller's answer.

Plain async functions over an AsyncSession returning value objects; the rules are in
bot/domain/rounds. Each function works inside the caller's transaction and locks the round row it
changes, so two presses at once (or a press and a timeout) take turns and the second one meets the
step the first one left (``round_wrong_step``).

The teller's Feeling-Heard answer never touches the round row: it goes to the anonymous feedback
store (bot/services/feedback_store.py) as an answer to the program's ``round`` survey, one
instance per session, under the same rules as every answer (no person, a day at most, sealed until
a batch of at least k is written, coarsened attributes). Who was asked to tell is public in the
group anyway; that they answered is not recorded anywhere.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    DialogueGroup,
    Enrolment,
    Person,
    PerspectiveRound,
    RoundPass,
    RoundPrompt,
    Survey,
    SurveyInstance,
    SurveyItem,
)
from bot.domain.anonymity.receipts import response_day
from bot.domain.errors import BridgeError
from bot.domain.rounds import (
    DONE,
    RATING,
    STOPPED,
    TELLING,
    Event,
    Member,
    RoundError,
    RoundState,
    Timing,
    Turn,
    advance,
    choose_listener,
    choose_pair,
    choose_teller,
)
from bot.domain.rounds import start as start_state
from bot.domain.rounds.steps import NOTE_GONE, OPEN_STEPS, RESTATING, validate_tell
from bot.features.feedback import store as feedback_store
from bot.features.feedback import surveys
from bot.features.feedback.surveys import LIKERT5
from bot.features.groups import lookup as group_lookup
from bot.features.groups.lookup import GroupView
from bot.features.sessions import service as sessions_service
from bot.features.sessions.service import Recipient, SessionError

ROUND_SURVEY = surveys.ROUND  # Survey.kind of the program's perspective-round answers
HEARD_ITEM = "round_heard"
HEARD_CONSTRUCT = "felt_understood"
# A session's round answers may still come this long after the session ends (then they are
# written out and may count in reports).
ANSWER_GRACE = timedelta(hours=6)
DEFAULT_PROMPTS = 3  # shipped prompts (bot/features/rounds/texts.py) when a program has none
MAX_PROMPTS = 50
MAX_PROMPT_LENGTH = 500
TIMING = Timing()


@dataclass(frozen=True)
class RoundView:
    id: int
    program_id: int
    group: GroupView
    session_id: int | None
    step: str
    attempt: int
    deadline: datetime | None
    note: str | None
    teller: Recipient | None
    listener: Recipient | None
    prompt_position: int
    prompts: Mapping[str, str]  # locale -> this round's prompt; empty: a shipped prompt
    tell: timedelta
    posts: int
    rating: int | None = None  # the answer just given (only in the result of that press)

    @property
    def open(self) -> bool:
        return self.step in OPEN_STEPS

    def state(self) -> RoundState:
        return RoundState(self.step, self.attempt, self.deadline, self.note)

    def timing(self) -> Timing:
        return Timing(tell=self.tell)


@dataclass(frozen=True)
class Moved:
    """What one action did: the round before and after, and who passed or left (for the post)."""

    before: RoundView
    after: RoundView
    passed: Recipient | None = None
    replaced: bool = False  # someone else took the turn of the one who passed
    extra: Mapping[str, object] = field(default_factory=dict)


# ---- reading ---------------------------------------------------------------------------------------


async def _members(db: AsyncSession, group_id: int) -> list[Recipient]:
    return [r for r in await sessions_service.recipients(db, group_id) if r.side_id is not None]


async def _prompts(db: AsyncSession, program_id: int) -> dict[int, dict[str, str]]:
    rows = await db.execute(
        select(RoundPrompt.position, RoundPrompt.locale, RoundPrompt.text)
        .where(RoundPrompt.program_id == program_id)
        .order_by(RoundPrompt.position)
    )
    found: dict[int, dict[str, str]] = {}
    for position, locale, text in rows:
        found.setdefault(position, {})[locale] = text
    return found


async def prompts_of(db: AsyncSession, program_id: int) -> list[dict[str, str]]:
    return list((await _prompts(db, program_id)).values())


async def _view(db: AsyncSession, row: PerspectiveRound, rating: int | None = None) -> RoundView:
    group = await group_lookup.by_id(db, row.group_id)
    if group is None:
        raise SessionError("unknown_group")
    members = {r.person_id: r for r in await sessions_service.recipients(db, row.group_id)}
    prompts = (await _prompts(db, row.program_id)).get(row.prompt_position, {})
    return RoundView(
        id=row.id,
        program_id=row.program_id,
        group=group,
        session_id=row.session_id,
        step=row.step,
        attempt=row.attempt,
        deadline=row.deadline,
        note=row.note,
        teller=await _person(db, members, row.teller_id, row.group_id),
        listener=await _person(db, members, row.listener_id, row.group_id),
        prompt_position=row.prompt_position,
        prompts=prompts,
        tell=timedelta(seconds=row.tell_seconds),
        posts=row.posts,
        rating=rating,
    )


async def _person(
    db: AsyncSession, members: Mapping[int, Recipient], person_id: int | None, group_id: int
) -> Recipient | None:
    if person_id is None:
        return None
    if person_id in members:
        return members[person_id]
    # Someone who has left the group since: still named in the round's posts.
    person = await db.get(Person, person_id)
    if person is None:
        return None
    name = " ".join(x for x in (person.first_name, person.last_name) if x)
    return Recipient(
        person_id=person.id, locale=person.locale or "en", name=name, zone=person.timezone
    )


async def get(db: AsyncSession, round_id: int) -> RoundView:
    row = await db.get(PerspectiveRound, round_id)
    if row is None:
        raise RoundError("round_wrong_step")
    return await _view(db, row)


async def _locked(db: AsyncSession, round_id: int) -> PerspectiveRound:
    row = await db.get(PerspectiveRound, round_id, with_for_update=True, populate_existing=True)
    if row is None:
        raise RoundError("round_wrong_step")
    return row


async def open_in_group(db: AsyncSession, group_id: int) -> PerspectiveRound | None:
    return await db.scalar(
        select(PerspectiveRound)
        .where(PerspectiveRound.group_id == group_id, PerspectiveRound.step.in_(OPEN_STEPS))
        .order_by(PerspectiveRound.id.desc())
        .limit(1)
    )


async def _history(db: AsyncSession, program_id: int) -> list[Turn]:
    rows = await db.execute(
        select(
            PerspectiveRound.teller_id,
            PerspectiveRound.listener_id,
            PerspectiveRound.teller_side_id,
            PerspectiveRound.listener_side_id,
        )
        .where(PerspectiveRound.program_id == program_id, PerspectiveRound.told.is_(True))
        .order_by(PerspectiveRound.id)
    )
    return [
        Turn(t, listener, ts, ls)
        for t, listener, ts, ls in rows
        if t is not None and listener is not None and ts is not None and ls is not None
    ]


async def _passed(db: AsyncSession, round_id: int) -> set[int]:
    return set(
        (await db.scalars(select(RoundPass.person_id).where(RoundPass.round_id == round_id))).all()
    )


def _as_members(recipients: Sequence[Recipient]) -> list[Member]:
    return [Member(r.person_id, r.side_id) for r in recipients if r.side_id is not None]


# ---- starting ----------------------------------------------------------------------------------------


async def start(
    db: AsyncSession,
    *,
    group_id: int,
    actor_id: int | None,
    admin_ids: Collection[int],
    now: datetime,
    tell: timedelta | None = None,
    agenda_position: int | None = None,
) -> RoundView | None:
    """Start a round in the group's open session. ``actor_id`` None: the agenda started it (then
    a second start for the same agenda item returns None)."""
    if actor_id is not None:
        await sessions_service.require_manager(db, group_id, actor_id, admin_ids)
    session = await sessions_service.open_for_group(db, group_id)
    if session is None:
        raise SessionError("no_open_session")
    if agenda_position is not None:
        already = await db.scalar(
            select(PerspectiveRound.id).where(
                PerspectiveRound.session_id == session.id,
                PerspectiveRound.agenda_position == agenda_position,
            )
        )
        if already is not None:
            return None
    if await open_in_group(db, group_id) is not None:
        raise RoundError("round_running")
    tell = validate_tell(tell) if tell is not None else TIMING.tell
    program_id = await sessions_service.program_of_group(db, group_id)
    members = await _members(db, group_id)
    history = await _history(db, program_id)
    pair = choose_pair(_as_members(members), history)
    prompts = await _prompts(db, program_id)
    positions = sorted(prompts) or list(range(DEFAULT_PROMPTS))
    started = await db.scalar(
        select(func.count())
        .select_from(PerspectiveRound)
        .where(PerspectiveRound.group_id == group_id, PerspectiveRound.told.is_(True))
    )
    state = start_state(now, Timing(tell=tell))
    row = PerspectiveRound(
        program_id=program_id,
        group_id=group_id,
        session_id=session.id,
        agenda_position=agenda_position,
        teller_id=pair.teller.person_id,
        listener_id=pair.listener.person_id,
        teller_side_id=pair.teller.side_id,
        listener_side_id=pair.listener.side_id,
        prompt_position=positions[int(started or 0) % len(positions)],
        step=state.step,
        attempt=state.attempt,
        deadline=state.deadline,
        note=None,
        told=False,
        tell_seconds=int(tell.total_seconds()),
        posts=0,
        started_at=now,
    )
    db.add(row)
    await db.flush()
    return await _view(db, row)


# ---- moving on ---------------------------------------------------------------------------------------

_TELLER_EVENTS = (Event.TELLER_DONE, Event.RATED, Event.REPEAT, Event.NO_REPEAT)
_MODERATOR_EVENTS = (Event.SKIP, Event.STOP)


async def act(
    db: AsyncSession,
    round_id: int,
    event: Event,
    *,
    actor_id: int | None,
    admin_ids: Collection[int] = (),
    now: datetime,
    value: int | None = None,
    secret: bytes | None = None,
    expected: tuple[str, int] | None = None,
) -> Moved:
    """Apply ``event`` to the round (who may: the teller for their steps, the listener for the
    restatement, a moderator to skip or stop, nobody for timeouts). A rating is stored in the
    anonymous store in the same transaction."""
    row = await _locked(db, round_id)
    _expect(row, expected)
    before = await _view(db, row)
    if event in _TELLER_EVENTS and actor_id != row.teller_id:
        raise RoundError("round_not_yours")
    if event is Event.RESTATED and actor_id != row.listener_id:
        raise RoundError("round_not_yours")
    if event in _MODERATOR_EVENTS:
        if actor_id is None or not await sessions_service.can_manage(
            db, row.group_id, actor_id, admin_ids
        ):
            raise RoundError("round_moderators_only")
    if event is Event.REPEAT and row.session_id is not None:
        session = await sessions_service.get(db, row.session_id)
        if session.status != sessions_service.OPEN:
            event = Event.NO_REPEAT  # the session has closed meanwhile: no new telling
    state = advance(before.state(), event, now, before.timing(), value=value)
    if state.rating is not None:
        assert secret is not None
        await _hold_rating(db, secret, row, state.rating, now)
    _store(row, state)
    await db.flush()
    return Moved(before, await _view(db, row, rating=state.rating))


def _expect(row: PerspectiveRound, expected: tuple[str, int] | None) -> None:
    """A button carries the step it was drawn for: pressed later, it changes nothing."""
    if expected is not None and (row.step, row.attempt) != expected:
        raise RoundError("round_wrong_step")


def _store(row: PerspectiveRound, state: RoundState) -> None:
    row.step, row.attempt, row.deadline, row.note = (
        state.step,
        state.attempt,
        state.deadline,
        state.note,
    )
    row.told = row.told or state.told


async def timeout(db: AsyncSession, round_id: int, now: datetime) -> Moved | None:
    """The step's time ran out (None: it had moved on meanwhile, or its deadline is later)."""
    row = await _locked(db, round_id)
    if row.step not in OPEN_STEPS or row.deadline is None or row.deadline > now:
        return None
    return await act(db, round_id, Event.TIMEOUT, actor_id=None, now=now)


async def due(db: AsyncSession, now: datetime) -> list[int]:
    return list(
        (
            await db.scalars(
                select(PerspectiveRound.id)
                .where(
                    PerspectiveRound.step.in_(OPEN_STEPS),
                    PerspectiveRound.deadline <= now,
                )
                .order_by(PerspectiveRound.deadline)
            )
        ).all()
    )


async def deadlines(db: AsyncSession) -> list[datetime]:
    return [
        d
        for d in (
            await db.scalars(
                select(PerspectiveRound.deadline).where(PerspectiveRound.step.in_(OPEN_STEPS))
            )
        ).all()
        if d is not None
    ]


async def restating(db: AsyncSession) -> dict[int, tuple[int, int]]:
    """chat id -> (round id, listener id) of every round waiting for a restatement."""
    rows = await db.execute(
        select(DialogueGroup.chat_id, PerspectiveRound.id, PerspectiveRound.listener_id)
        .join(DialogueGroup, DialogueGroup.id == PerspectiveRound.group_id)
        .where(PerspectiveRound.step == RESTATING)
    )
    return {
        chat: (round_id, listener)
        for chat, round_id, listener in rows
        if chat is not None and listener is not None
    }


async def group_of(db: AsyncSession, group_id: int) -> GroupView | None:
    return await group_lookup.by_id(db, group_id)


async def group_by_chat(db: AsyncSession, chat_id: int) -> GroupView | None:
    return await group_lookup.by_chat(db, chat_id)


async def count_post(db: AsyncSession, round_id: int) -> int:
    """A number for the round's next message (its delivery key)."""
    row = await _locked(db, round_id)
    row.posts += 1
    await db.flush()
    return row.posts


# ---- passing and leaving -----------------------------------------------------------------------------


async def pass_turn(
    db: AsyncSession,
    round_id: int,
    person_id: int,
    now: datetime,
    *,
    gone: bool = False,
    expected: tuple[str, int] | None = None,
) -> Moved:
    """The teller (before or while telling) or the listener (until they restated) passes: someone
    else of the same side takes the turn where anyone can; else the round ends."""
    row = await _locked(db, round_id)
    _expect(row, expected)
    before = await _view(db, row)
    is_teller = person_id == row.teller_id and row.step == TELLING
    is_listener = person_id == row.listener_id and row.step in (TELLING, RESTATING)
    if not (is_teller or is_listener):
        if person_id in (row.teller_id, row.listener_id) and row.step in OPEN_STEPS:
            raise RoundError("round_wrong_step")
        raise RoundError("round_not_yours")
    passer = before.teller if is_teller else before.listener
    db.add(RoundPass(round_id=row.id, person_id=person_id))
    await db.flush()
    excluded = await _passed(db, row.id)
    members = _as_members(await _members(db, row.group_id))
    history = await _history(db, row.program_id)
    try:
        if is_teller:
            teller = choose_teller(members, history, exclude=excluded, side=row.teller_side_id)
            row.teller_id, row.teller_side_id = teller.person_id, teller.side_id
            if teller.side_id == row.listener_side_id:
                listener = choose_listener(
                    members, history, teller, exclude=excluded | {teller.person_id}
                )
                row.listener_id, row.listener_side_id = listener.person_id, listener.side_id
        else:
            teller = Member(row.teller_id or 0, row.teller_side_id or 0)
            listener = choose_listener(members, history, teller, exclude=excluded)
            row.listener_id, row.listener_side_id = listener.person_id, listener.side_id
    except BridgeError as error:
        if error.code not in ("round_no_teller", "round_no_listener", "round_one_side"):
            raise
        row.step, row.deadline, row.note = STOPPED, None, "nobody_left"
        await db.flush()
        return Moved(before, await _view(db, row), passed=passer)
    # The step starts again for whoever took the turn.
    row.deadline = now + (before.tell if row.step == TELLING else TIMING.restate)
    row.note = NOTE_GONE if gone else "passed"
    await db.flush()
    return Moved(before, await _view(db, row), passed=passer, replaced=True)


async def member_gone(
    db: AsyncSession, chat_id: int, person_id: int, now: datetime
) -> Moved | None:
    """Someone left the group's chat: if they are in the open round, someone else takes their turn
    (while that is still possible) or the round ends with a note."""
    group = await group_lookup.by_chat(db, chat_id)
    if group is None:
        return None
    row = await open_in_group(db, group.id)
    if row is None or person_id not in (row.teller_id, row.listener_id):
        return None
    replaceable = (person_id == row.teller_id and row.step == TELLING) or (
        person_id == row.listener_id and row.step in (TELLING, RESTATING)
    )
    if replaceable:
        return await pass_turn(db, row.id, person_id, now, gone=True)
    moved = await act(db, row.id, Event.GONE, actor_id=None, now=now)
    gone = moved.before.teller if person_id == row.teller_id else moved.before.listener
    return Moved(moved.before, moved.after, passed=gone)


async def unreachable(db: AsyncSession, round_id: int, now: datetime) -> Moved | None:
    """The teller could not be asked in private (blocked the bot): the round ends."""
    row = await _locked(db, round_id)
    if row.step not in OPEN_STEPS:
        return None
    moved = await act(db, round_id, Event.GONE, actor_id=None, now=now)
    row.note = "unreachable"
    await db.flush()
    return Moved(moved.before, await _view(db, row))


async def stop_for_session(db: AsyncSession, session_id: int, now: datetime) -> list[Moved]:
    """The session closed: a round still telling or restating in it stops. One waiting for the
    teller's answer (or their choice to try again) keeps its deadline: the answer still counts."""
    ids = (
        await db.scalars(
            select(PerspectiveRound.id).where(
                PerspectiveRound.session_id == session_id,
                PerspectiveRound.step.in_((TELLING, RESTATING)),
            )
        )
    ).all()
    found = []
    for round_id in ids:
        row = await _locked(db, round_id)
        before = await _view(db, row)
        row.step, row.deadline, row.note = STOPPED, None, "session_closed"
        await db.flush()
        found.append(Moved(before, await _view(db, row)))
    return found


# ---- the teller's answer -----------------------------------------------------------------------------


async def _round_item(db: AsyncSession, program_id: int, now: datetime) -> tuple[int, int]:
    """(survey id, item id) of the program's round survey, created on first use."""
    survey = await db.scalar(
        select(Survey).where(Survey.program_id == program_id, Survey.kind == ROUND_SURVEY)
    )
    if survey is None:
        survey = Survey(program_id=program_id, kind=ROUND_SURVEY, created_at=now, version=1)
        db.add(survey)
        await db.flush()
        db.add(
            SurveyItem(
                survey_id=survey.id,
                key=HEARD_ITEM,
                position=0,
                kind=LIKERT5,
                construct=HEARD_CONSTRUCT,
                optional=False,
                version=1,
            )
        )
        await db.flush()
    item_id = await db.scalar(
        select(SurveyItem.id).where(SurveyItem.survey_id == survey.id, SurveyItem.key == HEARD_ITEM)
    )
    assert item_id is not None
    return survey.id, item_id


async def _instance(
    db: AsyncSession, row: PerspectiveRound, survey_id: int, now: datetime
) -> SurveyInstance:
    instance = await db.scalar(
        select(SurveyInstance).where(
            SurveyInstance.survey_id == survey_id, SurveyInstance.session_id == row.session_id
        )
    )
    if instance is None:
        session = await sessions_service.get(db, row.session_id) if row.session_id else None
        ends = session.ends_at if session else now
        instance = SurveyInstance(
            survey_id=survey_id,
            program_id=row.program_id,
            group_id=row.group_id,
            session_id=row.session_id,
            opened_at=now,
            closes_at=max(ends, now) + ANSWER_GRACE,
            invited=0,
            survey_version=1,
        )
        db.add(instance)
        await db.flush()
    return instance


async def _hold_rating(
    db: AsyncSession, secret: bytes, row: PerspectiveRound, value: int, now: datetime
) -> None:
    survey_id, item_id = await _round_item(db, row.program_id, now)
    instance = await _instance(db, row, survey_id, now)
    instance.invited = len(await _tellers(db, instance))
    enrolment = await db.scalar(
        select(Enrolment).where(
            Enrolment.program_id == row.program_id, Enrolment.person_id == row.teller_id
        )
    )
    entry = feedback_store.Entry(
        values={item_id: value},
        comment=None,
        side_id=enrolment.side_id if enrolment else None,
        role=enrolment.role if enrolment else None,
        day=response_day(now),
    )
    await feedback_store.hold(db, secret, instance, entry, now)


async def _tellers(db: AsyncSession, instance: SurveyInstance) -> list[tuple]:
    """(side, role) of each person who told in the instance's session: the people who could have
    given its answers (the store coarsens a side or role too rare among them)."""
    rows = await db.execute(
        select(PerspectiveRound.teller_id, PerspectiveRound.teller_side_id, Enrolment.role)
        .outerjoin(
            Enrolment,
            and_(
                Enrolment.person_id == PerspectiveRound.teller_id,
                Enrolment.program_id == PerspectiveRound.program_id,
            ),
        )
        .where(
            PerspectiveRound.session_id == instance.session_id,
            PerspectiveRound.group_id == instance.group_id,
            PerspectiveRound.told.is_(True),
        )
    )
    seen: dict[object, tuple] = {}
    for teller_id, side_id, role in rows:
        seen.setdefault(teller_id if teller_id is not None else object(), (side_id, role))
    return list(seen.values())


feedback_store.INVITEES[ROUND_SURVEY] = _tellers


# ---- prompts -------------------------------------------------------------------------------------------


async def replace_prompts(
    db: AsyncSession, program_id: int, prompts: Sequence[Mapping[str, str]]
) -> None:
    """The program's prompts become ``prompts`` (each: locale -> text), in this order."""
    for old in (
        await db.scalars(select(RoundPrompt).where(RoundPrompt.program_id == program_id))
    ).all():
        await db.delete(old)
    await db.flush()
    for position, texts in enumerate(prompts):
        for locale, text in texts.items():
            db.add(
                RoundPrompt(
                    program_id=program_id, position=position, locale=locale, text=text.strip()
                )
            )
    await db.flush()


__all__ = [
    "DONE",
    "RATING",
    "RESTATING",
    "ROUND_SURVEY",
    "Moved",
    "RoundView",
    "act",
    "due",
    "get",
    "member_gone",
    "pass_turn",
    "replace_prompts",
    "start",
    "timeout",
]

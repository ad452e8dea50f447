"""Cross-border pairs: every SQL statement of the feature (bot/features/pairs/ sends the messages).

A program's opted-in members (``pair_members``) are paired once per interval by
``form_due_rounds`` (bot/domain/pairing does the matching); each pair is introduced, may relay text
and share names, and is asked "did you talk?" at the round's ``check_at``. Every send is owed by a
flag on the pair row (``introduced_a``, ``asked_b`` ...) that is set only once the message went out,
so a failed send is tried again by the next run and a repeated run sends nothing twice.

The answer to "did you talk?" is never stored with the pair: the pair row only records *that* each
answered (so a second press is refused), and the count goes into the program's sealed tally under
a pseudonym (bot/domain/pairing/tally.py). Reports read only its released snapshot.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Enrolment,
    Pair,
    PairMember,
    PairRound,
    PairSettings,
    PairTally,
    Person,
    Program,
    Side,
)
from bot.domain.anonymity.sealing import seal, unseal
from bot.domain.errors import BridgeError
from bot.domain.pairing import (
    Distribution,
    Member,
    UnpairedReason,
    WakingHours,
    distribution,
    due_for_release,
    histogram,
    match,
    parse_waking_hours,
    pick_question,
    pseudonym,
    tally_key,
    utc_offset_minutes,
)
from bot.features.programs import service as programs

CHECK_AFTER = timedelta(days=7)
SHIPPED_QUESTIONS = 5  # bot/features/pairs/texts.py QUESTIONS


class PairsError(BridgeError):
    pass


@dataclass(frozen=True)
class PairSettingsView:
    enabled: bool = True
    interval_days: int = 7
    hours: WakingHours = field(default_factory=WakingHours)
    min_overlap: int = 120
    questions: tuple[dict[str, str], ...] = ()  # empty: the shipped ones

    @property
    def question_count(self) -> int:
        return len(self.questions) or SHIPPED_QUESTIONS


@dataclass(frozen=True)
class Status:
    program_id: int
    program_name: str
    program_languages: tuple[str, ...]
    sides: int
    enabled: bool
    opted_in: bool
    languages: tuple[str, ...]
    partner_side: str | None  # the active pair's other side
    pair_id: int | None
    next_round_at: datetime | None


@dataclass(frozen=True)
class Partner:
    """One end of a pair, as the other end's messages need it."""

    pair_id: int
    program_id: int
    person_id: int
    partner_id: int
    partner_side: str
    partner_locale: str | None


@dataclass(frozen=True)
class Intro:
    pair_id: int
    person_id: int
    partner_id: int
    locale: str | None
    partner_side: str
    languages: tuple[str, ...]
    question: dict[str, str] | int  # the program's wording by locale, or a shipped index
    replaced: bool  # the person had an active pair that this round ended
    default_locale: str | None = None  # the program's, for a question not written in theirs


@dataclass(frozen=True)
class SatOut:
    person_id: int
    locale: str | None
    reason: UnpairedReason


@dataclass(frozen=True)
class CheckIn:
    pair_id: int
    person_id: int
    locale: str | None
    partner_side: str


@dataclass(frozen=True)
class Ended:
    """A pair that has just ended; ``notify`` is the other person (None: nobody left to tell)."""

    pair_id: int
    notify: int | None
    notify_locale: str | None


@dataclass(frozen=True)
class Shared:
    both: bool
    partner_id: int
    partner_locale: str | None
    me: Person | None = None
    partner: Person | None = None


# ---- settings ------------------------------------------------------------------------------------------


def _settings_view(row: PairSettings | None) -> PairSettingsView:
    if row is None:
        return PairSettingsView()
    return PairSettingsView(
        enabled=row.enabled,
        interval_days=row.interval_days,
        hours=parse_waking_hours(row.waking_hours),
        min_overlap=row.min_overlap_minutes,
        questions=tuple(row.questions or ()),
    )


async def settings_for(db: AsyncSession, program_id: int) -> PairSettingsView:
    return _settings_view(await db.get(PairSettings, program_id))


async def set_settings(
    db: AsyncSession,
    program_id: int,
    *,
    enabled: bool | None = None,
    interval_days: int | None = None,
    waking_hours: str | None = None,
    min_overlap_minutes: int | None = None,
    questions: Sequence[dict[str, str]] | None = None,
) -> bool:
    """Apply what a program file says ([pairs]); returns whether anything changed."""
    row = await db.get(PairSettings, program_id)
    if row is None:
        row = PairSettings(
            program_id=program_id,
            enabled=True,
            interval_days=7,
            waking_hours="08:00-22:00",
            min_overlap_minutes=120,
        )
        db.add(row)
        changed = True
    else:
        changed = False
    for name, value in (
        ("enabled", enabled),
        ("interval_days", interval_days),
        ("waking_hours", waking_hours),
        ("min_overlap_minutes", min_overlap_minutes),
        ("questions", list(questions) if questions is not None else None),
    ):
        if value is not None and getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    await db.flush()
    return changed


# ---- opting in and out ----------------------------------------------------------------------------------


async def _enrolment(db: AsyncSession, person_id: int) -> Enrolment:
    enrolment = await db.scalar(
        select(Enrolment)
        .where(Enrolment.person_id == person_id)
        .order_by(Enrolment.enrolled_at.desc())
        .limit(1)
    )
    if enrolment is None:
        raise PairsError("pairs_not_enrolled")
    return enrolment


async def _active_pair_row(db: AsyncSession, person_id: int) -> Pair | None:
    return await db.scalar(
        select(Pair)
        .where(Pair.active, or_(Pair.person_a == person_id, Pair.person_b == person_id))
        .order_by(Pair.id.desc())
        .limit(1)
    )


async def _side_name(db: AsyncSession, program_id: int, person_id: int) -> str:
    name = await db.scalar(
        select(Side.name)
        .join(Enrolment, Enrolment.side_id == Side.id)
        .where(Enrolment.program_id == program_id, Enrolment.person_id == person_id)
    )
    return name or ""


async def status(db: AsyncSession, person_id: int) -> Status:
    enrolment = await _enrolment(db, person_id)
    program = await programs.get(db, enrolment.program_id)
    settings_row = await db.get(PairSettings, program.id)
    settings = _settings_view(settings_row)
    member = await db.get(PairMember, enrolment.id)
    pair = await _active_pair_row(db, person_id)
    partner_side = None
    if pair is not None:
        other = pair.person_b if pair.person_a == person_id else pair.person_a
        partner_side = await _side_name(db, pair.program_id, other)
    return Status(
        program_id=program.id,
        program_name=program.name,
        program_languages=program.languages,
        sides=len(program.sides),
        enabled=settings.enabled,
        opted_in=member is not None,
        languages=tuple(member.languages) if member else (),
        partner_side=partner_side,
        pair_id=pair.id if pair else None,
        next_round_at=settings_row.next_round_at if settings_row else None,
    )


async def opt_in(db: AsyncSession, person_id: int, now: datetime) -> tuple[Status, bool]:
    """Join the weekly pairs; returns the status and whether this changed anything (False: was
    in already). Raises PairsError pairs_not_enrolled / pairs_one_side / pairs_disabled."""
    enrolment = await _enrolment(db, person_id)
    program = await programs.get(db, enrolment.program_id)
    if len(program.sides) < 2:
        raise PairsError("pairs_one_side", program=program.name)
    if not (await settings_for(db, program.id)).enabled:
        raise PairsError("pairs_disabled", program=program.name)
    changed = False
    if await db.get(PairMember, enrolment.id) is None:
        person = await db.get(Person, person_id)
        own = person.locale if person is not None else None
        languages = [own if own in program.languages else program.default_locale]
        db.add(
            PairMember(
                enrolment_id=enrolment.id,
                program_id=program.id,
                person_id=person_id,
                languages=languages,
                opted_in_at=now,
                sat_out=False,
            )
        )
        await db.flush()
        changed = True
    return await status(db, person_id), changed


async def offered(db: AsyncSession, program_id: int) -> bool:
    """Whether enrolment offers the weekly pairs: the program runs them and has two sides."""
    program = await programs.get(db, program_id)
    return len(program.sides) >= 2 and (await settings_for(db, program_id)).enabled


async def set_language(
    db: AsyncSession, person_id: int, locale: str, on: bool
) -> tuple[Status, bool]:
    """Add or drop one of the program's languages the person can talk in (at least one stays)."""
    enrolment = await _enrolment(db, person_id)
    member = await db.get(PairMember, enrolment.id)
    if member is None:
        raise PairsError("pairs_not_in")
    program = await programs.get(db, enrolment.program_id)
    if locale not in program.languages:
        raise PairsError("stale_step")
    current = list(member.languages)
    wanted = sorted(set(current) | {locale}) if on else [x for x in current if x != locale]
    changed = bool(wanted) and set(wanted) != set(current)
    if changed:
        member.languages = [x for x in program.languages if x in wanted]
        await db.flush()
    return await status(db, person_id), changed


async def opt_out(db: AsyncSession, person_id: int, now: datetime) -> tuple[bool, Ended | None]:
    """Leave the weekly pairs (and end this week's pair). Returns (was in, the ended pair)."""
    enrolment = await _enrolment(db, person_id)
    deleted = await db.execute(delete(PairMember).where(PairMember.enrolment_id == enrolment.id))
    ended = await end_active(db, person_id, "a_or_b", now)
    return bool(cast("CursorResult[Any]", deleted).rowcount), ended


# ---- one pair -------------------------------------------------------------------------------------------


async def _locale(db: AsyncSession, person_id: int) -> str | None:
    return await db.scalar(select(Person.locale).where(Person.id == person_id))


async def partner_of(db: AsyncSession, person_id: int) -> Partner | None:
    """The person's active pair, if they are in one and both are still in the program."""
    pair = await _active_pair_row(db, person_id)
    if pair is None:
        return None
    other = pair.person_b if pair.person_a == person_id else pair.person_a
    return Partner(
        pair_id=pair.id,
        program_id=pair.program_id,
        person_id=person_id,
        partner_id=other,
        partner_side=await _side_name(db, pair.program_id, other),
        partner_locale=await _locale(db, other),
    )


async def still_enrolled(db: AsyncSession, program_id: int, person_id: int) -> bool:
    found = await db.scalar(
        select(Enrolment.id).where(
            Enrolment.program_id == program_id, Enrolment.person_id == person_id
        )
    )
    return found is not None


def _end(pair: Pair, why: str, now: datetime) -> None:
    pair.active = False
    pair.ended = why
    pair.ended_at = now


async def end_active(db: AsyncSession, person_id: int, why: str, now: datetime) -> Ended | None:
    """End the person's active pair; ``why`` "a_or_b" records which end pressed it."""
    pair = await _active_pair_row(db, person_id)
    if pair is None:
        return None
    return await _end_pair(db, pair, person_id, why, now)


async def end_pair(
    db: AsyncSession, pair_id: int, person_id: int, why: str, now: datetime
) -> Ended | None:
    """End pair ``pair_id`` as ``person_id`` (who must be in it); None if it had ended already."""
    pair = await db.get(Pair, pair_id)
    if pair is None or person_id not in (pair.person_a, pair.person_b):
        raise PairsError("stale_step")
    if not pair.active:
        return None
    return await _end_pair(db, pair, person_id, why, now)


async def _end_pair(db: AsyncSession, pair: Pair, person_id: int, why: str, now: datetime) -> Ended:
    mine = "a" if pair.person_a == person_id else "b"
    if why == "a_or_b":
        why = mine
    elif why == "blocked":  # person_id is the one who can no longer be reached
        why = f"blocked_{mine}"
    _end(pair, why, now)
    await db.flush()
    other = pair.person_b if mine == "a" else pair.person_a
    return Ended(pair.id, other, await _locale(db, other))


async def partner_unreachable(
    db: AsyncSession, pair_id: int, unreachable: int, now: datetime
) -> Ended | None:
    """The partner blocked the bot (or deleted their account): the pair ends and they leave the
    weekly pairs, so they are not paired again. Returns whom to tell (the other one)."""
    pair = await db.get(Pair, pair_id)
    if pair is None or unreachable not in (pair.person_a, pair.person_b):
        return None
    await db.execute(delete(PairMember).where(PairMember.person_id == unreachable))
    if not pair.active:
        return None
    return await _end_pair(db, pair, unreachable, "blocked", now)


async def leave_quietly(db: AsyncSession, person_id: int) -> None:
    """Someone who blocked the bot leaves the weekly pairs (nobody to tell)."""
    await db.execute(delete(PairMember).where(PairMember.person_id == person_id))


async def share(db: AsyncSession, pair_id: int, person_id: int) -> Shared | None:
    """``person_id`` agrees to share names; None if they had agreed already (a repeat press)."""
    pair = await db.get(Pair, pair_id)
    if pair is None or person_id not in (pair.person_a, pair.person_b) or not pair.active:
        raise PairsError("pairs_pair_over")
    mine = "a" if pair.person_a == person_id else "b"
    if getattr(pair, f"share_{mine}"):
        return None
    setattr(pair, f"share_{mine}", True)
    await db.flush()
    other = pair.person_b if mine == "a" else pair.person_a
    both = pair.share_a and pair.share_b
    return Shared(
        both=both,
        partner_id=other,
        partner_locale=await _locale(db, other),
        me=await db.get(Person, person_id) if both else None,
        partner=await db.get(Person, other) if both else None,
    )


# ---- rounds ---------------------------------------------------------------------------------------------


def round_seed(program_id: int, number: int) -> int:
    digest = hashlib.sha256(f"bridgebot/pairs/{program_id}/{number}".encode()).digest()
    return int.from_bytes(digest[:4], "big")


@dataclass
class Formed:
    program_id: int
    round_id: int
    pairs: int
    sat_out: list[SatOut]
    ended: int  # last round's pairs ended by this one
    repeats: int


async def _history(db: AsyncSession, program_id: int) -> dict[tuple[int, int], int]:
    rows = await db.execute(
        select(Pair.person_a, Pair.person_b, func.count())
        .where(Pair.program_id == program_id)
        .group_by(Pair.person_a, Pair.person_b)
    )
    return {(a, b): n for a, b, n in rows}


async def _asked_before(db: AsyncSession, program_id: int) -> dict[int, set[int]]:
    asked: dict[int, set[int]] = {}
    rows = await db.execute(
        select(Pair.person_a, Pair.person_b, Pair.question).where(Pair.program_id == program_id)
    )
    for a, b, question in rows:
        asked.setdefault(a, set()).add(question)
        asked.setdefault(b, set()).add(question)
    return asked


async def _programs_due(db: AsyncSession, now: datetime) -> list[int]:
    """Programs with opted-in members whose next round is due (or never formed yet)."""
    rows = await db.execute(
        select(PairMember.program_id, PairSettings.enabled, PairSettings.next_round_at)
        .outerjoin(PairSettings, PairSettings.program_id == PairMember.program_id)
        .group_by(PairMember.program_id, PairSettings.enabled, PairSettings.next_round_at)
        .having(func.count() >= 2)
    )
    return sorted(
        program_id
        for program_id, enabled, next_at in rows
        if enabled is not False and (next_at is None or next_at <= now)
    )


async def form_round(db: AsyncSession, program_id: int, now: datetime) -> Formed | None:
    """Pair the program's opted-in members now; None when not a single pair can be made (nothing
    is written then, and nobody is told: the next run tries again), or when another process formed
    this round meanwhile: the program's settings row is locked first (PostgreSQL), and a round
    whose time has not come is not formed."""
    settings_row = await db.get(
        PairSettings, program_id, with_for_update=True, populate_existing=True
    )
    if settings_row is None:
        await set_settings(db, program_id)
        settings_row = await db.get(PairSettings, program_id, with_for_update=True)
    assert settings_row is not None
    if settings_row.next_round_at is not None and settings_row.next_round_at > now:
        return None
    settings = _settings_view(settings_row)
    rows = (
        await db.execute(
            select(PairMember, Enrolment.side_id, Person.timezone)
            .join(Enrolment, Enrolment.id == PairMember.enrolment_id)
            .join(Person, Person.id == PairMember.person_id)
            .where(PairMember.program_id == program_id)
        )
    ).all()
    members = [
        Member(
            member.person_id,
            side_id,
            frozenset(member.languages),
            utc_offset_minutes(zone, now),
        )
        for member, side_id, zone in rows
    ]
    number = (
        await db.scalar(
            select(func.max(PairRound.number)).where(PairRound.program_id == program_id)
        )
        or 0
    ) + 1
    seed = round_seed(program_id, number)
    pairing = match(
        members,
        history=await _history(db, program_id),
        priority={member.person_id for member, _, _ in rows if member.sat_out},
        seed=seed,
        hours=settings.hours,
        min_overlap=settings.min_overlap,
    )
    if not pairing.pairs:
        return None
    ended = await db.execute(
        update(Pair)
        .where(Pair.program_id == program_id, Pair.active)
        .values(active=False, ended="next_round", ended_at=now)
    )
    check_at = now + min(CHECK_AFTER, timedelta(days=settings.interval_days))
    round_row = PairRound(
        program_id=program_id, number=number, seed=seed, formed_at=now, check_at=check_at
    )
    db.add(round_row)
    await db.flush()
    asked = await _asked_before(db, program_id)
    count = settings.question_count
    for a, b in pairing.pairs:
        question = pick_question(
            count, asked.get(a, set()) | asked.get(b, set()), seed=seed, pair=(a, b)
        )
        db.add(
            Pair(
                round_id=round_row.id,
                program_id=program_id,
                person_a=a,
                person_b=b,
                question=question,
                active=True,
            )
        )
    left = {u.id: u.reason for u in pairing.unpaired}
    for member, _, _ in rows:
        member.sat_out = member.person_id in left
    settings_row.next_round_at = now + timedelta(days=settings.interval_days)
    await db.flush()
    locales = dict(
        (await db.execute(select(Person.id, Person.locale).where(Person.id.in_(list(left))))).all()
    )
    return Formed(
        program_id=program_id,
        round_id=round_row.id,
        pairs=len(pairing.pairs),
        sat_out=[SatOut(pid, locales.get(pid), reason) for pid, reason in sorted(left.items())],
        ended=cast("CursorResult[Any]", ended).rowcount or 0,
        repeats=pairing.repeats,
    )


async def form_due_rounds(db: AsyncSession, now: datetime) -> list[Formed]:
    formed = []
    for program_id in await _programs_due(db, now):
        result = await form_round(db, program_id, now)
        if result is not None:
            formed.append(result)
    return formed


async def _sides(db: AsyncSession, pairs: Sequence[Pair]) -> dict[tuple[int, int], str]:
    """(program, person) -> side name for everyone in ``pairs``."""
    people = {p for pair in pairs for p in (pair.person_a, pair.person_b)}
    rows = await db.execute(
        select(Enrolment.program_id, Enrolment.person_id, Side.name)
        .join(Side, Side.id == Enrolment.side_id)
        .where(Enrolment.person_id.in_(list(people)))
    )
    return {(program, person): name for program, person, name in rows}


async def owed_intros(db: AsyncSession) -> list[Intro]:
    """Introductions not yet delivered, for active pairs (a failed send is owed again)."""
    pairs = (
        await db.scalars(
            select(Pair)
            .where(Pair.active, or_(~Pair.introduced_a, ~Pair.introduced_b))
            .order_by(Pair.id)
        )
    ).all()
    if not pairs:
        return []
    sides = await _sides(db, pairs)
    people = {p for pair in pairs for p in (pair.person_a, pair.person_b)}
    locales = dict(
        (
            await db.execute(select(Person.id, Person.locale).where(Person.id.in_(list(people))))
        ).all()
    )
    languages: dict[int, list[str]] = dict(
        (
            await db.execute(
                select(PairMember.person_id, PairMember.languages).where(
                    PairMember.person_id.in_(list(people))
                )
            )
        ).all()
    )
    # Who had a pair that the round of their new one ended (ended at the moment it was formed).
    formed = dict(
        (
            await db.execute(
                select(PairRound.id, PairRound.formed_at).where(
                    PairRound.id.in_({pair.round_id for pair in pairs})
                )
            )
        ).all()
    )
    previous = set()
    for program_id, person_a, person_b, ended_at in (
        await db.execute(
            select(Pair.program_id, Pair.person_a, Pair.person_b, Pair.ended_at).where(
                Pair.ended == "next_round",
                or_(Pair.person_a.in_(list(people)), Pair.person_b.in_(list(people))),
                Pair.ended_at.in_(set(formed.values())),
            )
        )
    ).all():
        previous |= {(program_id, person_a, ended_at), (program_id, person_b, ended_at)}
    defaults = dict(
        (
            await db.execute(
                select(Program.id, Program.default_locale).where(
                    Program.id.in_({pair.program_id for pair in pairs})
                )
            )
        ).all()
    )
    settings: dict[int, PairSettingsView] = {}
    intros = []
    for pair in pairs:
        if pair.program_id not in settings:
            settings[pair.program_id] = await settings_for(db, pair.program_id)
        questions = settings[pair.program_id].questions
        question: dict[str, str] | int = (
            questions[pair.question] if pair.question < len(questions) else pair.question
        )
        shared = tuple(
            x for x in languages.get(pair.person_a, []) if x in languages.get(pair.person_b, [])
        )
        for mine, person, other in (
            ("a", pair.person_a, pair.person_b),
            ("b", pair.person_b, pair.person_a),
        ):
            if getattr(pair, f"introduced_{mine}"):
                continue
            intros.append(
                Intro(
                    pair_id=pair.id,
                    person_id=person,
                    partner_id=other,
                    locale=locales.get(person),
                    partner_side=sides.get((pair.program_id, other), ""),
                    languages=shared,
                    question=question,
                    replaced=(pair.program_id, person, formed.get(pair.round_id)) in previous,
                    default_locale=defaults.get(pair.program_id),
                )
            )
    return intros


async def mark_sent(db: AsyncSession, pair_id: int, person_id: int, what: str) -> None:
    """``what`` is "introduced" or "asked": that message went out to ``person_id``."""
    pair = await db.get(Pair, pair_id)
    if pair is None:
        return
    mine = "a" if pair.person_a == person_id else "b"
    setattr(pair, f"{what}_{mine}", True)
    await db.flush()


async def due_checkins(db: AsyncSession, now: datetime) -> list[CheckIn]:
    """ "Did you talk?" owed to both members of every pair whose round is due for it (pairs whose
    partner blocked the bot or left are asked too: the conversation may have happened)."""
    rounds = (await db.scalars(select(PairRound).where(PairRound.check_at <= now))).all()
    if not rounds:
        return []
    ids = [r.id for r in rounds]
    pairs = (
        await db.scalars(
            select(Pair)
            .where(Pair.round_id.in_(ids), or_(~Pair.asked_a, ~Pair.asked_b))
            .order_by(Pair.id)
        )
    ).all()
    for round_row in rounds:
        if round_row.checked_at is None:
            round_row.checked_at = now
    sides = await _sides(db, pairs)
    people = {p for pair in pairs for p in (pair.person_a, pair.person_b)}
    locales = dict(
        (
            await db.execute(select(Person.id, Person.locale).where(Person.id.in_(list(people))))
        ).all()
    )
    due = []
    for pair in pairs:
        for mine, person, other in (
            ("a", pair.person_a, pair.person_b),
            ("b", pair.person_b, pair.person_a),
        ):
            if getattr(pair, f"asked_{mine}") or (pair.ended or "") == f"blocked_{mine}":
                continue
            due.append(
                CheckIn(
                    pair.id, person, locales.get(person), sides.get((pair.program_id, other), "")
                )
            )
    await db.flush()
    return due


async def give_up_asking(db: AsyncSession, pair_id: int, person_id: int) -> None:
    """The person cannot be reached for "did you talk?": stop owing it."""
    await mark_sent(db, pair_id, person_id, "asked")


# ---- the anonymous tally --------------------------------------------------------------------------------


async def _program_k(db: AsyncSession, program_id: int) -> int:
    return int(await db.scalar(select(Program.anonymity_k).where(Program.id == program_id)) or 5)


def _open(secret: bytes, program_id: int, row: PairTally) -> dict[str, int]:
    entries = unseal(tally_key(secret), program_id, row.sealed or b"")
    return {entry["p"]: int(entry["n"]) for entry in entries}


def _close(secret: bytes, program_id: int, row: PairTally, counts: dict[str, int]) -> None:
    entries = [{"p": key, "n": n} for key, n in counts.items()]
    random.SystemRandom().shuffle(entries)
    row.sealed = seal(tally_key(secret), program_id, entries)


async def answer(
    db: AsyncSession, secret: bytes, pair_id: int, person_id: int, talked: bool
) -> bool:
    """Count one "did you talk?" answer; False if this person answered for this pair already."""
    pair = await db.get(Pair, pair_id, with_for_update=True)
    if pair is None or person_id not in (pair.person_a, pair.person_b):
        raise PairsError("pairs_pair_over")
    mine = "a" if pair.person_a == person_id else "b"
    if getattr(pair, f"answered_{mine}"):
        return False
    setattr(pair, f"answered_{mine}", True)
    program_id = pair.program_id
    row = await db.get(PairTally, program_id, with_for_update=True)
    if row is None:
        row = PairTally(program_id=program_id, answers_since=0, released_conversations=0)
        db.add(row)
    counts = _open(secret, program_id, row)
    key = pseudonym(secret, program_id, person_id)
    counts[key] = counts.get(key, 0) + (1 if talked else 0)
    _close(secret, program_id, row, counts)
    row.answers_since = (row.answers_since or 0) + 1
    if due_for_release(row.answers_since, await _program_k(db, program_id)):
        bins = histogram(counts.values())
        row.released = {str(b): n for b, n in bins.items()}
        row.released_conversations = sum(counts.values())
        row.answers_since = 0
    await db.flush()
    return True


async def evaluation(db: AsyncSession, program_id: int) -> Distribution | None:
    """What the report shows: the released distribution, suppressed below k (None: the program
    has had no "did you talk?" answer yet, so the report has no pairs section)."""
    row = await db.get(PairTally, program_id)
    k = await _program_k(db, program_id)
    if row is None:
        return None
    if row.released is None:
        return distribution(None, 0, k)
    snapshot = {int(b): int(n) for b, n in row.released.items()}
    return distribution(snapshot, int(row.released_conversations), k)


# ---- erasure --------------------------------------------------------------------------------------------


async def forget(
    db: AsyncSession, secret: bytes | None, person_id: int, now: datetime
) -> list[Ended]:
    """Before /forgetme deletes the person: end their active pair (the partner is to be told),
    delete every pair row that names them and their count in each program's sealed tally."""
    ended = []
    pair = await _active_pair_row(db, person_id)
    if pair is not None:
        other = pair.person_b if pair.person_a == person_id else pair.person_a
        ended.append(Ended(pair.id, other, await _locale(db, other)))
    await db.execute(
        delete(Pair).where(or_(Pair.person_a == person_id, Pair.person_b == person_id))
    )
    await db.execute(delete(PairMember).where(PairMember.person_id == person_id))
    if secret is not None:
        for row in (await db.scalars(select(PairTally))).all():
            counts = _open(secret, row.program_id, row)
            if counts.pop(pseudonym(secret, row.program_id, person_id), None) is not None:
                _close(secret, row.program_id, row, counts)
    await db.flush()
    return ended

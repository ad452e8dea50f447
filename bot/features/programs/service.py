"""Programs: creating them, listing them, their organizers and their code of conduct."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.config import SUPPORTED_LOCALES
from bot.db.models import (
    ConductText,
    Enrolment,
    OrganizerGrant,
    Person,
    Program,
    ProgramLanguage,
    Side,
)
from bot.domain.errors import InvalidInput, NotFound
from bot.domain.numbers import as_id
from bot.domain.programs import (
    ProgramDraft,
    parse_sides,
    validate_languages,
    validate_name,
    validate_zone,
)

MAX_CONDUCT_TEXT = 3500  # leaves room in a 4,096-character message for the Accept prompt


@dataclass(frozen=True)
class SideView:
    id: int
    name: str


@dataclass(frozen=True)
class ProgramView:
    id: int
    name: str
    sides: tuple[SideView, ...]
    languages: tuple[str, ...]
    default_locale: str
    timezone: str
    show_member_names: bool = False

    def side(self, side_id: int) -> SideView:
        for side in self.sides:
            if side.id == side_id:
                return side
        raise NotFound("unknown_side")


@dataclass(frozen=True)
class ProgramSummary:
    program: ProgramView
    enrolled_by_side: dict[str, int]


def _view(program: Program) -> ProgramView:
    return ProgramView(
        id=program.id,
        name=program.name,
        sides=tuple(SideView(s.id, s.name) for s in program.sides),
        languages=tuple(lang.locale for lang in program.languages),
        default_locale=program.default_locale,
        timezone=program.timezone,
        show_member_names=program.show_member_names,
    )


def validate_draft(draft: ProgramDraft) -> ProgramDraft:
    conduct = None
    if draft.conduct:
        conduct = {}
        for locale, text in draft.conduct.items():
            body = text.strip()
            if locale not in SUPPORTED_LOCALES:
                raise InvalidInput("unsupported_language", language=locale)
            if not body:
                continue
            if len(body) > MAX_CONDUCT_TEXT:
                raise InvalidInput("conduct_too_long", limit=MAX_CONDUCT_TEXT)
            conduct[locale] = body
    return ProgramDraft(
        name=validate_name(draft.name),
        sides=parse_sides(draft.sides),
        languages=validate_languages(draft.languages, SUPPORTED_LOCALES),
        timezone=validate_zone(draft.timezone),
        conduct=conduct or None,
    )


async def create(
    db: AsyncSession, draft: ProgramDraft, *, creator_id: int | None, now: datetime
) -> ProgramView:
    """Create a program; its creator becomes its first organizer. All or nothing."""
    draft = validate_draft(draft)
    if await db.scalar(select(Program.id).where(func.lower(Program.name) == draft.name.lower())):
        raise InvalidInput("program_exists", name=draft.name)
    program = Program(
        name=draft.name,
        default_locale=draft.languages[0],
        timezone=draft.timezone,
        created_by=creator_id,
        created_at=now,
        sides=[Side(name=name, position=i) for i, name in enumerate(draft.sides)],
        languages=[
            ProgramLanguage(locale=loc, position=i) for i, loc in enumerate(draft.languages)
        ],
        conduct_texts=[ConductText(locale=k, text=v) for k, v in (draft.conduct or {}).items()],
    )
    db.add(program)
    try:
        await db.flush()
    except IntegrityError:
        raise InvalidInput("program_exists", name=draft.name) from None
    if creator_id is not None:
        db.add(
            OrganizerGrant(
                program_id=program.id, person_id=creator_id, granted_by=None, created_at=now
            )
        )
        await db.flush()
    return await get(db, program.id)


async def get(db: AsyncSession, program_id: int) -> ProgramView:
    program = await db.scalar(
        select(Program)
        .where(Program.id == program_id)
        .options(selectinload(Program.sides), selectinload(Program.languages))
        .execution_options(populate_existing=True)
    )
    if program is None:
        raise NotFound("unknown_program")
    return _view(program)


async def find(db: AsyncSession, ref: str) -> ProgramView:
    """A program by id or by (case-insensitive) name, for the CLI and command arguments."""
    ref = ref.strip()
    program_id = await db.scalar(select(Program.id).where(func.lower(Program.name) == ref.lower()))
    if program_id is None and (number := as_id(ref)) is not None:
        program_id = await db.scalar(select(Program.id).where(Program.id == number))
    if program_id is None:
        raise NotFound("unknown_program", ref=ref)
    return await get(db, program_id)


async def list_for(db: AsyncSession, person_id: int, *, is_admin: bool) -> list[ProgramSummary]:
    """Programs this person organizes (every program for an admin), with enrolment counts by side."""
    query = select(Program.id).order_by(Program.created_at, Program.id)
    if not is_admin:
        query = query.join(OrganizerGrant).where(OrganizerGrant.person_id == person_id)
    ids = (await db.scalars(query)).all()
    counts_rows = (
        await db.execute(
            select(Enrolment.program_id, Enrolment.side_id, func.count())
            .where(Enrolment.program_id.in_(ids))
            .group_by(Enrolment.program_id, Enrolment.side_id)
        )
    ).all()
    counts = {(p, s): n for p, s, n in counts_rows}
    summaries = []
    for program_id in ids:
        view = await get(db, program_id)
        summaries.append(
            ProgramSummary(
                program=view,
                enrolled_by_side={s.name: counts.get((program_id, s.id), 0) for s in view.sides},
            )
        )
    return summaries


async def conduct_text(db: AsyncSession, program_id: int, locale: str) -> str | None:
    """The program's own code of conduct in ``locale``; None means "use the shipped default"."""
    return await db.scalar(
        select(ConductText.text).where(
            ConductText.program_id == program_id, ConductText.locale == locale
        )
    )


async def grant_organizer(
    db: AsyncSession, program_id: int, person_id: int, *, granted_by: int | None, now: datetime
) -> bool:
    """Make ``person_id`` an organizer of the program. Returns False if they already were one."""
    await get(db, program_id)
    if await db.get(Person, person_id) is None:
        # Organizers are often named before they ever open the bot; their names arrive on first contact.
        db.add(Person(id=person_id, first_name=str(person_id), created_at=now, updated_at=now))
    existing = await db.scalar(
        select(OrganizerGrant.id).where(
            OrganizerGrant.program_id == program_id, OrganizerGrant.person_id == person_id
        )
    )
    if existing:
        return False
    db.add(
        OrganizerGrant(
            program_id=program_id, person_id=person_id, granted_by=granted_by, created_at=now
        )
    )
    await db.flush()
    return True


async def update(db: AsyncSession, program_id: int, draft: ProgramDraft) -> ProgramView:
    """Bring an existing program in line with ``draft`` without removing anything.

    Sides it lacks are added after its own (names compare without case); its languages become the
    draft's, in the draft's order (the first is the default), followed by any others it had; the
    time zone is set; the draft's codes of conduct replace those languages' texts, others are kept.
    The name is not changed (it is how a program file finds the program).
    """
    draft = validate_draft(draft)
    program = await db.scalar(
        select(Program)
        .where(Program.id == program_id)
        .options(
            selectinload(Program.sides),
            selectinload(Program.languages),
            selectinload(Program.conduct_texts),
        )
        .execution_options(populate_existing=True)
    )
    if program is None:
        raise NotFound("unknown_program")
    known = {side.name.casefold() for side in program.sides}
    position = max((side.position for side in program.sides), default=-1)
    for name in draft.sides:
        if name.casefold() not in known:
            position += 1
            program.sides.append(Side(name=name, position=position))
            known.add(name.casefold())
    current = [lang.locale for lang in program.languages]
    order = list(draft.languages) + [loc for loc in current if loc not in draft.languages]
    if order != current:
        by_locale = {lang.locale: lang for lang in program.languages}
        # Positions are not unique in the schema, so they can simply be rewritten in place.
        for index, locale in enumerate(order):
            row = by_locale.get(locale)
            if row is None:
                program.languages.append(ProgramLanguage(locale=locale, position=index))
            else:
                row.position = index
    program.default_locale = draft.languages[0]
    program.timezone = draft.timezone
    texts = {row.locale: row for row in program.conduct_texts}
    for locale, body in (draft.conduct or {}).items():
        if locale in texts:
            texts[locale].text = body
        else:
            program.conduct_texts.append(ConductText(locale=locale, text=body))
    await db.flush()
    return await get(db, program_id)


async def set_show_member_names(db: AsyncSession, program_id: int, show: bool) -> bool:
    """Let invitations name the other members (True) or only their sides. Returns whether it changed."""
    program = await db.get(Program, program_id)
    if program is None:
        raise NotFound("unknown_program")
    changed = program.show_member_names != show
    program.show_member_names = show
    await db.flush()
    return changed

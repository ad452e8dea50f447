"""Forming a program's groups: a preview the organizer confirms, then the groups written."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DialogueGroup, GroupLanguage, GroupMember
from bot.domain.grouping import FormationSpec, GroupingError, GroupingErrorCode, form_groups
from bot.features.groups.service.common import (
    ASSIGNED,
    CreatedGroup,
    GroupError,
    Preview,
    new_link_code,
    roster,
)
from bot.features.programs.service import ProgramView

# ---- formation -------------------------------------------------------------------------------------


async def preview(db: AsyncSession, program_id: int, spec: FormationSpec, now: datetime) -> Preview:
    """Propose groups for the program (nothing is written). Raises GroupingError for bad input."""
    current = await roster(db, program_id, now)
    if await _has_groups(db, program_id):
        raise GroupError("groups_exist", program=current.program.name)
    try:
        formation = form_groups(current.members, current.side_keys, spec)
    except GroupingError as error:
        if error.code == GroupingErrorCode.EMPTY_SIDE:
            # The domain names sides by key; people know them by name.
            raise GroupingError(
                GroupingErrorCode.EMPTY_SIDE,
                side=current.side_name(str(error.params.get("side"))),
                role=error.params.get("role"),
            ) from None
        raise
    return Preview(roster=current, spec=spec, formation=formation)


async def _has_groups(db: AsyncSession, program_id: int) -> bool:
    return bool(
        await db.scalar(
            select(func.count())
            .select_from(DialogueGroup)
            .where(DialogueGroup.program_id == program_id)
        )
    )


def group_languages(
    shared: Sequence[str], member_languages: Iterable[frozenset[str]], program: ProgramView
) -> list[str]:
    """The languages a group reads in: those all members share, else every member's language, in
    the program's language order."""
    wanted = set(shared)
    if not wanted:
        wanted = set().union(*member_languages) if member_languages else set()
    ordered = [loc for loc in program.languages if loc in wanted]
    return ordered or [program.default_locale]


async def _unique_code(db: AsyncSession, taken: set[str]) -> str:
    while True:
        code = new_link_code()
        if code not in taken and not await db.scalar(
            select(DialogueGroup.id).where(DialogueGroup.link_code == code)
        ):
            taken.add(code)
            return code


async def confirm(
    db: AsyncSession, program_id: int, spec: FormationSpec, fingerprint: str, now: datetime
) -> list[CreatedGroup]:
    """Write the previewed formation: groups with random link codes, and their members.

    Refused when the program already has groups, or when enrolments changed since the preview
    (``fingerprint`` differs), so what is written is exactly what the organizer saw."""
    shown = await preview(db, program_id, spec, now)
    if shown.roster.fingerprint != fingerprint:
        raise GroupError("roster_changed")
    created: list[CreatedGroup] = []
    taken: set[str] = set()
    for index, proposed in enumerate(shown.formation.groups, start=1):
        group = DialogueGroup(
            program_id=program_id,
            name=str(index),
            link_code=await _unique_code(db, taken),
            track=proposed.track,
            min_size=spec.min_size,
            max_size=spec.max_size,
            created_at=now,
        )
        languages = group_languages(
            proposed.shared_languages, (m.languages for m in proposed.members), shown.program
        )
        group.languages = [GroupLanguage(locale=loc, position=i) for i, loc in enumerate(languages)]
        db.add(group)
        await db.flush()
        for member in proposed.members:
            db.add(
                GroupMember(
                    program_id=program_id,
                    group_id=group.id,
                    person_id=member.id,
                    status=ASSIGNED,
                    assigned_at=now,
                )
            )
        assert group.link_code is not None
        created.append(CreatedGroup(group.id, group.name, group.link_code, proposed.member_ids))
    await db.flush()
    return created

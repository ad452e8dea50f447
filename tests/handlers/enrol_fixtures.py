"""A program with invites, made through the services (the organizer side is tested on its own)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.programs import ProgramDraft
from bot.features.programs import invites
from bot.features.programs import service as programs
from bot.features.programs.invites import InviteView
from bot.features.programs.service import ProgramView


@dataclass
class ProgramWithInvites:
    program: ProgramView
    invites: dict[str, InviteView]  # side name -> invite

    def payload(self, side: str) -> str:
        return f"join_{self.invites[side].code}"


async def make_program(
    runtime,
    *,
    name: str = "Spring Exchange",
    languages=("en", "ar", "hy", "az"),
    role: str | None = None,
    **invite_kwargs,
) -> ProgramWithInvites:
    async with runtime.db() as db:
        program = await programs.create(
            db,
            ProgramDraft(
                name=name,
                sides=("Armenia", "Azerbaijan"),
                languages=languages,
                timezone="Asia/Yerevan",
            ),
            creator_id=None,
            now=runtime.clock(),
        )
        made = {}
        for side in program.sides:
            made[side.name] = await invites.create(
                db,
                program_id=program.id,
                side_id=side.id,
                role=role,
                created_by=None,
                now=runtime.clock(),
                **invite_kwargs,
            )
    return ProgramWithInvites(program, made)

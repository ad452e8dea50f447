"""Programs with answered surveys, made through the services (and a bulk seeder for reports)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert

from bot.db.models import (
    Answer,
    DialogueGroup,
    DialogueSession,
    Enrolment,
    GroupMember,
    Person,
    Response,
    SurveyInstance,
)
from bot.domain.anonymity import new_response_id
from bot.domain.programs import ProgramDraft
from bot.features.feedback import service as feedback
from bot.features.feedback import store as feedback_store
from bot.features.feedback import surveys
from bot.features.feedback.evaluation import RELEASE_DELAY
from bot.features.programs import service as programs
from bot.features.programs.service import ProgramView
from bot.services import feedback_tallies

# Reports count a survey only after it closed (7 days by default, 30 for program surveys):
# reading "now + AFTER_CLOSE" reads them once every survey opened so far has closed.
AFTER_CLOSE = timedelta(days=31) + RELEASE_DELAY


@dataclass
class Program:
    view: ProgramView
    group_ids: list[int] = field(default_factory=list)
    people: list[int] = field(default_factory=list)
    next_person: int = 2**41


async def make_program(
    runtime, *, name: str = "Spring Exchange", languages=("en", "ru"), groups: int = 1
) -> Program:
    now = runtime.clock()
    async with runtime.db() as db:
        view = await programs.create(
            db,
            ProgramDraft(
                name=name,
                sides=("Armenia", "Azerbaijan"),
                languages=languages,
                timezone="Asia/Yerevan",
            ),
            creator_id=None,
            now=now,
        )
        ids = []
        for index in range(groups):
            group = DialogueGroup(program_id=view.id, name=f"Group {index + 1}", created_at=now)
            db.add(group)
            await db.flush()
            ids.append(group.id)
    return Program(view=view, group_ids=ids, next_person=2**41 + view.id * 100_000)


async def add_people(
    runtime,
    program: Program,
    count: int,
    *,
    side: int = 0,
    role: str = "student",
    group_index: int = 0,
    names: list[str] | None = None,
) -> list[int]:
    now = runtime.clock()
    made = []
    async with runtime.db() as db:
        for index in range(count):
            pid = program.next_person
            program.next_person += 1
            first = names[index] if names else f"P{pid}"
            db.add(Person(id=pid, first_name=first, locale="en", created_at=now, updated_at=now))
            await db.flush()
            db.add(
                Enrolment(
                    program_id=program.view.id,
                    person_id=pid,
                    side_id=program.view.sides[side].id,
                    role=role,
                    accepted_conduct_at=now,
                    enrolled_at=now,
                )
            )
            db.add(
                GroupMember(
                    program_id=program.view.id,
                    group_id=program.group_ids[group_index],
                    person_id=pid,
                    status="joined",
                    assigned_at=now,
                )
            )
            made.append(pid)
    program.people += made
    return made


async def add_session(
    runtime,
    program: Program,
    *,
    group_index: int = 0,
    title: str = "Week 1",
    starts_at: datetime | None = None,
) -> int:
    now = runtime.clock()
    starts = starts_at or now - timedelta(hours=2)
    async with runtime.db() as db:
        session = DialogueSession(
            group_id=program.group_ids[group_index],
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            zone="UTC",
            status="closed",
            closed_at=now,
            created_at=now,
            updated_at=now,
        )
        db.add(session)
        await db.flush()
        return session.id


async def close_and_answer(
    runtime,
    program: Program,
    session_id: int,
    answers: dict[int, tuple[int, ...]],
    *,
    group_index: int = 0,
    comments: dict[int, str] | None = None,
    attendees: list[int] | None = None,
    close: bool = True,
) -> int:
    """Open the post-session survey for ``attendees`` (default: everyone answering) and submit
    ``answers`` (person -> the four ratings) through the service; with ``close``, the survey then
    closes, so every answer is written out as a response. Returns the instance id."""
    now = runtime.clock()
    async with runtime.db() as db:
        opened = await feedback.open_after_session(
            db,
            session_id=session_id,
            group_id=program.group_ids[group_index],
            program_id=program.view.id,
            attendee_ids=attendees or list(answers),
            now=now,
        )
        survey = await surveys.get_survey(db, program.view.id, surveys.POST_SESSION)
    ratings = [i for i in survey.items if i.kind != surveys.TEXT]
    for person_id, values in answers.items():
        async with runtime.db() as db:
            await feedback.submit(
                db,
                runtime.secret,
                person_id,
                opened.instance_id,
                dict(zip([i.id for i in ratings], values, strict=False)),
                (comments or {}).get(person_id),
                now,
            )
        await feedback_store.settle(runtime.engine, written=True)
    if close:
        await close_instance(runtime, opened.instance_id)
    return opened.instance_id


async def close_instance(runtime, instance_id: int) -> int:
    """What the flush job does when the survey closes: everything waiting is written."""
    async with runtime.db() as db:
        instance = await db.get(SurveyInstance, instance_id)
        written = await feedback_store.release(db, runtime.secret, instance, closing=True)
    await feedback_store.settle(runtime.engine, written=True)
    return written


async def answer_program_survey(
    runtime, program: Program, kind: str, answers: dict[int, tuple[int, ...]]
) -> int:
    now = runtime.clock()
    async with runtime.db() as db:
        opened = await feedback.open_program_survey(
            db, program_id=program.view.id, kind=kind, person_ids=list(answers), now=now
        )
        survey = await surveys.get_survey(db, program.view.id, kind)
    ratings = [i for i in survey.items if i.kind != surveys.TEXT]
    for person_id, values in answers.items():
        async with runtime.db() as db:
            await feedback.submit(
                db,
                runtime.secret,
                person_id,
                opened.instance_id,
                dict(zip([i.id for i in ratings], values, strict=False)),
                None,
                now,
            )
    await close_instance(runtime, opened.instance_id)
    return opened.instance_id


async def bulk_responses(
    db,
    *,
    program_id: int,
    instance_id: int,
    group_id: int | None,
    session_id: int | None,
    item_ids: list[int],
    side_ids: list[int],
    count: int,
    rng: random.Random,
    day,
    batch: int = 5000,
) -> None:
    """Insert ``count`` synthetic responses quickly (benchmarks and large report tests)."""
    done = 0
    while done < count:
        n = min(batch, count - done)
        responses, answers = [], []
        for _ in range(n):
            rid = new_response_id()
            responses.append(
                {
                    "id": rid,
                    "instance_id": instance_id,
                    "program_id": program_id,
                    "group_id": group_id,
                    "session_id": session_id,
                    "side_id": rng.choice(side_ids),
                    "role": rng.choice(("student", "professional")),
                    "day": day,
                }
            )
            for item_id in item_ids:
                answers.append(
                    {
                        "response_id": rid,
                        "item_id": item_id,
                        "value": rng.randint(1, 5),
                        "text": None,
                    }
                )
        await db.execute(insert(Response), responses)
        await db.execute(insert(Answer), answers)
        await feedback_tallies.refresh(db, {r["instance_id"] for r in responses})
        done += n


async def add_instance(
    db,
    *,
    survey_id: int,
    program_id: int,
    group_id: int | None,
    session_id: int | None,
    now: datetime,
    invited: int,
) -> int:
    instance = SurveyInstance(
        survey_id=survey_id,
        program_id=program_id,
        group_id=group_id,
        session_id=session_id,
        opened_at=now,
        closes_at=now + timedelta(days=7),
        invited=invited,
        survey_version=1,
    )
    db.add(instance)
    await db.flush()
    return instance.id

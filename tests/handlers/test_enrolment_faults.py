"""Enrolment when calls fail: a person who keeps trying (presses again, types, or sends /start with or
without the code) always finishes with exactly one enrolment, never reads something contradictory
("nothing was saved" right after a step was saved) and is never left without the question to answer.

Faults strike at each step and each point: the step's database write, the first or second message
after the step was saved (before Telegram acted, or after it acted and the bot was told otherwise),
the edit that removes the answered buttons, and the answer to the button press. A last test draws
faults at random (seeded) for many people at once.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.db.models import Enrolment, EnrolmentDraft
from bot.features.enrolment import service as enrolment
from tests.handlers.enrol_fixtures import make_program
from tests.helpers.fake_telegram import FakeTelegram

RETRY = "Something went wrong on our side and nothing was saved. Please try again in a moment."
EXPIRED = "This button has expired. Please use the latest message."
QUESTIONS = (
    ("which language should I use with you?", "English", "language"),
    ("as a student or as a professional?", "Student", "role"),
    ("Which time zone are you in?", "Armenia", "zone"),
    ("Do you accept it? You can only take part after accepting.", "I accept", "conduct"),
)
ENROLLED = ("You are enrolled on the Armenia side", "You are already enrolled in Spring Exchange")
STEP_SERVICE = {
    "start": "start",
    "language": "choose_language",
    "role": "choose_role",
    "zone": "choose_timezone",
    "zone typed": "choose_timezone",
    "conduct": "accept",
}


class Faults:
    """Calls that fail on purpose, wrapped around the fake's own handling (a 502, before Telegram
    acted or after it did). Counts are per method, from the moment a fault is armed."""

    def __init__(self, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> None:
        self.fake = fake
        self._armed: list[list[Any]] = []  # [method, calls to let through, after_acting]
        self._original = fake.handle
        self.struck = 0
        monkeypatch.setattr(fake, "handle", self._handle)

    def arm(self, method: str, *, skip: int = 0, after_acting: bool = False) -> None:
        self._armed.append([method, skip, after_acting])

    def _handle(self, method: str, params: Any, *, token: str | None = None):
        for entry in self._armed:
            if entry[0].lower() != method.lower():
                continue
            if entry[1] > 0:
                entry[1] -= 1
                break
            self._armed.remove(entry)
            self.struck += 1
            if entry[2]:
                self._original(method, params, token=token)
            return 502, {"ok": False, "error_code": 502, "description": "Bad Gateway"}
        return self._original(method, params, token=token)


class Person:
    """Someone who wants to be enrolled and keeps trying until they are."""

    def __init__(
        self, tg, fake, runtime, user, payload: str, rng: random.Random, type_zone: bool = False
    ) -> None:
        self.tg, self.fake, self.runtime, self.user = tg, fake, runtime, user
        self.payload, self.rng, self.type_zone = payload, rng, type_zone
        self.alerts: list[str] = []
        self.chat = fake.private(user)
        self.contradictions: list[str] = []
        self.expired: list[str] = []
        self.last_press: tuple[Any, str] | None = None

    async def state(self) -> tuple[Any, ...]:
        async with self.runtime.db() as db:
            draft = await db.get(EnrolmentDraft, self.user.id)
            enrolled = await db.scalar(
                select(func.count())
                .select_from(Enrolment)
                .where(Enrolment.person_id == self.user.id)
            )
            return (draft.step, draft.nonce) if draft else None, enrolled

    def seen(self) -> int:
        return len(self.fake.sent_messages(self.chat))

    def question(self) -> tuple[Any, str, str] | None:
        """The latest bot message, if it is a question with its buttons: (message, answer, step)."""
        message = self.fake.last_message(self.chat)
        if message is None or not message.buttons:
            return None
        for needle, answer, step in QUESTIONS:
            if needle in (message.text or ""):
                return message, answer, step
        return None

    def done(self) -> bool:
        return any(any(e in text for e in ENROLLED) for text in self.fake.texts(self.chat))

    async def act(self, before: Callable[[str], None] | None = None) -> None:
        """One attempt: answer the visible question, else retry one way or another."""
        state_before, count = self.seen(), await self.state()
        self.alerts: list[str] = []
        question = self.question()
        if question is not None:
            message, answer, step = question
            typed = step == "zone" and self.type_zone
            if before:
                before("zone typed" if typed else step)
            if typed:
                await self.tg.say(self.user, self.chat, "Yerevan")
                await self._check(state_before, count)
                return
            data = self.tg._find_button(message, answer)["callback_data"]
            self.last_press = (message, data)
            update = await self.tg.press_raw(self.user, message, data)
            self._note_answer(update)
        else:
            way = self.rng.choice(("press again", "type", "start code", "start"))
            if way == "press again" and self.last_press is not None:
                update = await self.tg.press_raw(self.user, *self.last_press)
                self._note_answer(update)
            elif way == "type":
                await self.tg.say(self.user, self.chat, "hello?")
            elif way == "start code":
                await self.tg.start(self.user, self.payload)
            else:
                await self.tg.start(self.user)
        await self._check(state_before, count)

    async def _check(self, seen_before: int, before: tuple[Any, ...]) -> None:
        """Nothing may say "nothing was saved" in answer to an action that did save something."""
        after = await self.state()
        new = [m.content for m in self.fake.sent_messages(self.chat)[seen_before:]] + self.alerts
        if after != before and RETRY in new:
            self.contradictions.append(f"{before} -> {after}: {new}")

    def _note_answer(self, update: dict[str, Any]) -> None:
        answer = self.tg.callback_answer(update)
        if answer is not None and answer.get("text") == EXPIRED:
            self.expired.append(update["callback_query"]["data"])
        if answer is not None and answer.get("text"):
            self.alerts.append(answer["text"])

    async def enrol(self, before: Callable[[str], None] | None = None, attempts: int = 40) -> int:
        await self.tg.start(self.user, self.payload)
        for used in range(attempts):
            if self.done():
                return used
            await self.act(before)
        raise AssertionError(f"{self.user.first_name} is stuck: {self.fake.texts(self.chat)[-6:]}")


async def _one_enrolment(runtime, person_id: int) -> None:
    async with runtime.db() as db:
        rows = (await db.scalars(select(Enrolment).where(Enrolment.person_id == person_id))).all()
        assert len(rows) == 1
        assert await db.get(EnrolmentDraft, person_id) is None


POINTS = ("database", "first send", "second send", "send acted", "edit", "answer")
CASES = [
    (step, point)
    for step in STEP_SERVICE
    for point in POINTS
    if not (step == "start" and point in ("edit", "answer", "second send"))
    and not (step == "zone typed" and point in ("edit", "answer"))
]


@pytest.mark.parametrize(("step", "point"), CASES)
async def test_a_fault_at_any_step_and_point_is_overcome_by_trying_again(
    step, point, tg, fake, runtime, monkeypatch
) -> None:
    spring = await make_program(runtime)
    ani = fake.user("Ani", language_code="en")
    faults = Faults(fake, monkeypatch)
    armed = {"done": False}

    def arm(current: str) -> None:
        if armed["done"] or current != step:
            return
        armed["done"] = True
        if point == "database":
            name = STEP_SERVICE[step]
            real = getattr(enrolment, name)

            async def broken(*args, **kwargs):
                monkeypatch.setattr(enrolment, name, real)
                raise OperationalError("UPDATE", {}, Exception("database is locked"))

            monkeypatch.setattr(enrolment, name, broken)
        elif point == "first send":
            faults.arm("sendMessage")
        elif point == "second send":
            faults.arm("sendMessage", skip=1)
        elif point == "send acted":
            faults.arm("sendMessage", after_acting=True)
        elif point == "edit":
            faults.arm("editMessageReplyMarkup")
        elif point == "answer":
            faults.arm("answerCallbackQuery")

    person = Person(
        tg,
        fake,
        runtime,
        ani,
        spring.payload("Armenia"),
        random.Random(7),
        type_zone=step == "zone typed",
    )
    if step == "start":
        arm("start")
    await person.enrol(before=arm)
    assert armed["done"] and (point == "database" or faults.struck == 1)
    await _one_enrolment(runtime, ani.id)
    assert person.contradictions == []
    assert person.expired == []


@pytest.mark.parametrize("seed", [1, 2])
async def test_many_people_under_random_faults_all_finish_once(seed, tg, fake, runtime) -> None:
    spring = await make_program(runtime)
    rng = random.Random(seed)
    people = [
        Person(
            tg,
            fake,
            runtime,
            fake.user(f"P{seed}-{i}", language_code="en"),
            spring.payload("Armenia"),
            random.Random(rng.random()),
            type_zone=i % 2 == 1,
        )
        for i in range(10)
    ]
    fake.inject_faults(
        seed=seed,
        methods=["sendMessage", "editMessageReplyMarkup", "answerCallbackQuery"],
        error_before=0.1,
        error_after=0.05,
    )
    # Everyone starts, then they take turns, each retrying in their own way.
    for person in people:
        await tg.start(person.user, person.payload)
    for _round in range(60):
        waiting = [p for p in people if not p.done()]
        if not waiting:
            break
        for person in waiting:
            await person.act()
    fake.faults_off()
    assert [p.user.first_name for p in people if not p.done()] == []
    assert sum(fake.fault_counts().values()) > 10  # the faults really struck
    for person in people:
        await _one_enrolment(runtime, person.user.id)
        assert person.contradictions == []
        assert person.expired == []

"""A comment stored through the real submission path has contact details, addresses and the names
of the program's people removed, however they were spelled."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Answer
from tests.services.feedback_fixtures import add_people, add_session, close_and_answer, make_program


async def test_stored_comment_has_spelled_contacts_address_and_transliterated_names_removed(
    runtime,
) -> None:
    program = await make_program(runtime)
    writer, _, _ = await add_people(runtime, program, 3, names=["Ani", "Юлия", "Oleh"])
    session = await add_session(runtime, program)
    comment = (
        "Yuliya and Олегу: call me on плюс семь девять один шесть один два три четыре пять шесть, "
        "or four one five five five five two three four eight, write john dot smith at gmail "
        "dot com, I live at ул. Ленина, д. 5, кв. 3. I gave it 5 out of 10 and we met at 7."
    )
    await close_and_answer(
        runtime, program, session, {writer: (5, 4, 4, 5)}, comments={writer: comment}
    )

    async with runtime.db() as db:
        stored = await db.scalar(select(Answer.text).where(Answer.text.is_not(None)))
    assert stored == (
        "[name] and [name]: call me on [phone], or [phone], write [email], I live at [address]. "
        "I gave it 5 out of 10 and we met at 7."
    )

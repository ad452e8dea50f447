"""The weekly pairs in the playground: moving the clock runs the pairing as the job does."""

from __future__ import annotations

from bot.i18n import translate_in
from tests.playground.conftest import private
from tests.playground.test_server import act, enrol

INTRO = (
    "🤝 This week you are paired with someone from {side}. You can both talk in {languages}.\n\n"
    "A question to start with: {question}\n\nWrite here and I will pass your text messages on. "
    "Your names stay hidden unless you both press «Share my name»."
)


def intro_start(locale: str, side: str) -> str:
    """The introduction in ``locale`` up to the shared languages."""
    full = translate_in(locale, INTRO, side=side, languages="\x00", question="")
    return full.split("\x00")[0]


async def test_two_participants_opt_in_are_paired_and_talk_through_the_bot(client) -> None:
    for name in ("Ani", "Elvin"):
        await enrol(client, name)
        state = await act(client, who=name, chat="private", say="/pairs on")
        status = private(state, name)["messages"][-1]
        # Ani writes to the bot in Armenian, Elvin in Azerbaijani: each ticks English as well.
        await act(client, who=name, chat="private", message=status["id"], press="English")
    state = await act(client, advance="1h")
    assert private(state, "Ani")["messages"][-1]["text"].startswith(intro_start("hy", "Azerbaijan"))
    assert private(state, "Elvin")["messages"][-1]["text"].startswith(intro_start("az", "Armenia"))
    state = await act(client, who="Ani", chat="private", say="Barev, Elvin!")
    assert private(state, "Elvin")["messages"][-1]["text"] == translate_in(
        "az", "💬 Your partner: {text}", text="Barev, Elvin!"
    )

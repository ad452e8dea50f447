"""What a group of four languages receives: every kind of group post is one message whose first
block is the group's main language in full and whose other languages are each folded into an
expandable quote (bot/handlers/group_post.py). Two-language groups keep both blocks in full."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.db.models import GroupLanguage
from bot.features.sessions import jobs as session_jobs
from bot.handlers.group_post import BLOCK_SEPARATOR, GroupPost, render_blocks, utf16_length
from tests.handlers.sessions_fixtures import *  # noqa: F403  (fixtures: world)
from tests.handlers.sessions_fixtures import build_world

START = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 19:00 in Yerevan
LANGUAGES = ("en", "ru", "he", "ar")
# Each language's script, to tell which block is in which language whatever the post says.
SCRIPTS = {
    "en": re.compile(r"[A-Za-z]{3}"),
    "ru": re.compile(r"[\u0400-\u04ff]"),
    "he": re.compile(r"[\u0590-\u05ff]"),
    "ar": re.compile(r"[\u0600-\u06ff]"),
}


def _slice(text: str, offset: int, length: int) -> str:
    """A UTF-16 slice of ``text``, as Telegram reads entity offsets."""
    data = text.encode("utf-16-le")
    return data[2 * offset : 2 * (offset + length)].decode("utf-16-le")


def compact_layout(message) -> list[tuple[str, bool]]:
    """The message as (block, folded) pairs, checked to be: main language first in full, then
    every other language in its own expandable quote, in the group's order, nothing else."""
    text = message.text
    quotes = [e for e in message.entities if e["type"] == "expandable_blockquote"]
    assert len(quotes) == len(LANGUAGES) - 1, (text[:80], message.entities)
    blocks: list[tuple[str, bool]] = []
    position = 0
    for quote in quotes:
        head = _slice(text, position, quote["offset"] - position)
        blocks.append((head.removesuffix(BLOCK_SEPARATOR), False))
        blocks.append((_slice(text, quote["offset"], quote["length"]), True))
        position = quote["offset"] + quote["length"]
        assert _slice(text, position, 2) in (BLOCK_SEPARATOR, "")  # a quote is a whole block
        position += 2
    tail = _slice(text, position, utf16_length(text))
    assert tail == "", tail[:80]  # the last language is folded too
    blocks = [(b, f) for b, f in blocks if b or f]
    assert [f for _b, f in blocks] == [False, True, True, True]
    for (block, _folded), locale in zip(blocks, LANGUAGES, strict=True):
        others = [loc for loc in LANGUAGES if loc not in (locale, "en")]
        assert SCRIPTS[locale].search(block) or locale == "en", (locale, block[:80])
        assert not any(SCRIPTS[o].search(block.replace("/", "")) for o in others), (locale, block)
    return blocks


@pytest.fixture
async def four(app, runtime, fake):
    world = await build_world(runtime, fake)
    async with runtime.db() as db:
        for position, locale in enumerate(LANGUAGES):
            db.add(GroupLanguage(group_id=world.group_id, locale=locale, position=position))
    return world


async def test_every_kind_of_group_post_is_compact_in_a_four_language_group(
    tg, four, clock, app, fake
) -> None:
    w = four
    mira, ani, olga = w.moderator, w.member("Ani"), w.member("Olga")
    seen: dict[str, list[tuple[str, bool]]] = {}

    def received(kind: str, prefix: str) -> None:
        message = fake.last_message(w.chat)
        assert message.text.startswith(prefix), (kind, message.text[:120])
        seen[kind] = compact_layout(message)

    # Planning: a new session announced, then rescheduled.
    await tg.say(mira, tg.private(mira), "/newsession")
    for answer in ("10.03.2026 19:00", "60m", "Listening circle", "Welcome 10\nStories 50"):
        await tg.say(mira, tg.private(mira), answer)
    await tg.click(mira, tg.last_message(tg.private(mira)), "Only once")
    await tg.click(mira, tg.last_message(tg.private(mira)), "Confirm")
    received("session planned", "📅 New session: Listening circle")
    await tg.say(mira, w.chat, "/session")
    received("/session", "Next session: Listening circle")
    await tg.say(mira, w.chat, "/agenda")
    received("/agenda", "Agenda of Listening circle")
    await tg.say(mira, w.chat, "/rules")
    received("/rules", "Code of conduct")
    await tg.say(mira, w.chat, "/findtime 60m Other circle")
    received("/findtime", "🗓 I asked")
    later = await w.add_session(datetime(2026, 3, 17, 19, 0), title="Second circle")
    await tg.say(mira, tg.private(mira), f"/reschedule {later.id} 18.03.2026 18:30")
    received("session moved", "🔁 Second circle has moved")
    await tg.say(mira, tg.private(mira), f"/cancelsession {later.id}")
    received("session cancelled", "❌")

    # The session runs: opening, the agenda moving on, hands raised, the floor given, closing.
    clock.now = START
    await session_jobs.run_due(app)
    received("session open", "🟢 Listening circle is open.")
    await tg.say(ani, w.chat, "/hand")
    received("hand raised", "✋ Ani raised a hand")
    await tg.say(olga, w.chat, "/hand")
    await tg.say(mira, w.chat, "/hand")
    received("hand queue", "Raised hands:")
    await tg.click(mira, tg.last_message(w.chat), "Give the floor to the next")
    received("floor given", "🎤 Ani, you have the floor.")
    await tg.say(mira, w.chat, "/next")
    received("agenda next", "➡️ Next on the agenda (2 of 2)")

    # Conduct: a filtered message's removal announced, a warning announced.
    await tg.say(olga, w.chat, "honestly, I will kill you if you say that again")
    received("filter removal", "🛡 A message from Olga was removed")
    message = await tg.say(ani, w.chat, "a message the moderator warns about")
    await tg.say(mira, w.chat, "/warn spam", reply_to=message)
    received("warning", "⚠️")

    clock.now = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)
    await session_jobs.run_due(app)
    received("session closed", "🔴 Listening circle is closed.")
    await tg.say(mira, w.chat, "/transparency")
    received("/transparency", "⚖️")

    required = {
        "session planned",
        "/session",
        "/agenda",
        "/rules",
        "/findtime",
        "session moved",
        "session cancelled",
        "filter removal",
        "session open",
        "hand raised",
        "hand queue",
        "floor given",
        "agenda next",
        "warning",
        "session closed",
        "/transparency",
    }
    assert required <= set(seen), required - set(seen)
    for kind, blocks in seen.items():
        assert blocks[0][1] is False and all(folded for _b, folded in blocks[1:]), kind


def test_two_languages_stay_in_full_and_long_posts_split_keeping_their_folds() -> None:
    two = render_blocks(("en", "ru"), lambda: "x")
    assert type(two) is str and two == "x"  # identical texts shown once, plain
    texts = iter(["Hello", "Привет"])
    assert render_blocks(("en", "ru"), lambda: next(texts)) == "Hello\n\nПривет"
    texts = iter(["A" * 3000, "Б" * 3000, "ש" * 100, "😀" * 10])
    post = render_blocks(("en", "ru", "he", "ar"), lambda: next(texts))
    assert isinstance(post, GroupPost)
    entities = post.entities()
    assert [e["offset"] for e in entities] == [3002, 6004, 6106]
    assert entities[-1]["length"] == 20  # emoji count twice in UTF-16, as Telegram counts
    parts = post.chunks(4096)
    assert [len(p) for p in parts] == [3000, 3000 + 2 + 100 + 2 + 10]
    assert parts[0].entities() == []  # the main language, in full
    assert [e["offset"] for e in parts[1].entities()] == [0, 3002, 3104]
    # Cut to a limit (post[:n]), a post keeps its folds for what is left.
    cut = post[:3100]
    assert isinstance(cut, GroupPost) and cut == str(post)[:3100]
    assert cut.entities() == [{"type": "expandable_blockquote", "offset": 3002, "length": 98}]
    assert post[:10000] is post and post[5] == "A"
    # Otherwise it is the text: str's own methods work as on any string.
    assert post.split(BLOCK_SEPARATOR)[2] == "ש" * 100 and post.upper().startswith("AAA")


async def test_perspective_round_posts_are_compact_in_a_four_language_group(
    tg, four, clock, app, fake
) -> None:
    w = four
    ani, olga = w.member("Ani"), w.member("Olga")
    await w.add_session(datetime(2026, 3, 10, 19, 0))
    clock.now = START
    await session_jobs.run_due(app)
    await tg.say(w.moderator, w.chat, "/round")
    post = fake.last_message(w.chat)
    assert post.text.startswith("🔁 Perspective round: Ani (Armenia) tells")
    compact_layout(post)
    assert any("Ani: I have finished" in b for b in tg.buttons(post))  # buttons stay with it
    await tg.click(ani, post, "Ani: I have finished")
    restate = fake.last_message(w.chat)
    assert "Olga, please restate here in your own words" in restate.text
    compact_layout(restate)
    await tg.say(olga, w.chat, "You said your grandmother had to leave her village.")
    compact_layout(fake.last_message(w.chat))

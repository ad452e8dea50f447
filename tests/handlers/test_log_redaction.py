"""No log line, at any level and in either format, holds the bot token, the server secret, the
webhook secret, the database password or a free-text comment: a whole scenario (enrolment, a
survey answered with a comment, a conduct violation) runs at DEBUG over HTTP to the fake Bot API
(so the token is in every request URL), and the captured log is searched for each of them."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from sqlalchemy.engine import make_url

from bot.app import build_application
from bot.db.engine import create_engine, create_session_factory
from bot.ops import logs
from bot.ops.observe import person_hash
from tests.handlers.enrol_fixtures import make_program
from tests.handlers.feedback_fixtures import make_place
from tests.handlers.moderation_fixtures import make_dialogue
from tests.handlers.test_enrolment import enrol_by_buttons
from tests.handlers.test_feedback_answering import answer_all
from tests.helpers.fake_http import FakeBotApiServer

WEBHOOK_SECRET = "whsec-Qm9vYmFyLWJhei1xdXV4LXNlY3JldA"
DB_PASSWORD = "Db-Pa55word-9f3c7e"
COMMENT = "The facilitator was wonderful and I finally understood my neighbour's story"


def with_password(url: str) -> str:
    """The test database's URL with a password; on SQLite (no passwords) a PostgreSQL URL as
    configured, only for the redaction (the runtime keeps its engine)."""
    if url.startswith("sqlite"):
        return f"postgresql+asyncpg://bridgebot:{DB_PASSWORD}@db.internal:5432/bridgebot"
    return make_url(url).set(password=DB_PASSWORD).render_as_string(hide_password=False)


@pytest.fixture(params=["json", "text"])
def log_format(request) -> str:
    return request.param


@pytest.fixture
def captured(log_format) -> io.StringIO:
    return io.StringIO()


@pytest.fixture
async def app(settings, runtime, fake, admin, log_format, captured) -> AsyncIterator:
    with FakeBotApiServer(fake) as server:
        settings = replace(
            settings,
            token=fake.token,
            admin_ids=frozenset({admin.id}),
            api_base_url=server.base_url,
            api_file_url=server.base_file_url,
            webhook_secret=WEBHOOK_SECRET,
            database_url=with_password(settings.database_url),
            log_level="DEBUG",
            log_format=log_format,
        )
        engine = None
        if (
            not runtime.settings.is_sqlite
        ):  # PostgreSQL (trust auth) takes the password and ignores it
            engine = runtime.engine = create_engine(settings.database_url)
            runtime.sessions = create_session_factory(engine)
        runtime.settings = settings
        handler = logs.make_handler(settings, captured)
        root = logging.getLogger()
        level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        logs.quiet_libraries("DEBUG")
        # Real HTTP requests to the fake Bot API: the token is in every URL httpx logs.
        application = build_application(settings, runtime, rate_limit=False)
        await application.initialize()
        await application.post_init(application)
        try:
            yield application
        finally:
            await application.shutdown()
            if engine is not None:
                await engine.dispose()
            root.removeHandler(handler)
            root.setLevel(level)
            logs.quiet_libraries("INFO")


async def test_a_whole_scenario_at_debug_logs_no_secret_and_no_comment(
    tg, fake, app, runtime, log_format, captured
) -> None:
    # Enrolment by invite link and buttons.
    spring = await make_program(runtime)
    ani = fake.user("Ani", language_code="en")
    await enrol_by_buttons(tg, fake, ani, spring.payload("Armenia"))
    # A survey answered with a free-text comment.
    place = await make_place(runtime, fake, name="Summer Exchange")
    olga = await place.add_person("Olga", locale="en")
    others = [await place.add_person(f"P{n}", locale="en") for n in range(4)]
    session = await place.closed_session("Week 1")
    await place.close(app, session, [olga, *others])
    await answer_all(tg, fake, olga, comment=COMMENT)
    assert tg.last_text(fake.private(olga)).startswith("Thank you!")
    # A conduct violation in a dialogue group.
    dialogue = await make_dialogue(fake, runtime, name="Autumn Exchange")
    alice = await dialogue.participant("Alice", "en")
    message = await tg.say(alice, dialogue.chat, "honestly, I will kill you if you say that again")
    assert fake.message(dialogue.chat, message.message_id).deleted
    hits = runtime.metrics.registry.get_sample_value
    assert hits("bridgebot_conduct_filter_hits_total", {"rule": "blocked_term"}) == 1.0
    # What a careless line might print.
    logging.getLogger("bot.test").debug(
        "settings %r, runtime %r, url %s", runtime.settings, runtime, runtime.settings.database_url
    )

    text = captured.getvalue()
    assert "HTTP Request: POST" in text  # httpx logged each call, its URL scrubbed
    forbidden = {
        "token": fake.token,
        "token's secret part": fake.token.split(":", 1)[1],
        "server secret": runtime.secret.decode(),
        "webhook secret": WEBHOOK_SECRET,
        "database password": DB_PASSWORD,
        "comment": COMMENT,
        "part of the comment": "finally understood my neighbour",
    }
    for what, value in forbidden.items():
        assert value not in text, f"the {what} is in the log"
    assert logs.REDACTED in text

    handled = [line for line in text.splitlines() if "update handled" in line]
    assert handled
    if log_format == "json":
        records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        assert len(records) == len(text.splitlines())  # every line is one JSON object
        done = [r for r in records if r["message"] == "update handled"]
        olga_lines = [r for r in done if r.get("person") == person_hash(runtime.secret, olga.id)]
        assert olga_lines and all(r["chat_id"] == olga.id for r in olga_lines)
        assert all({"update_id", "update_kind", "duration_ms", "outcome"} <= set(r) for r in done)
        filtered = [r for r in done if r.get("chat_id") == dialogue.chat.id]
        assert any("moderation.on_group_message" in (r.get("handler") or "") for r in filtered)
        assert str(olga.id) not in {str(r.get("person")) for r in records}
    else:
        assert all(
            re.search(r"\[update_id=\d+ .*duration_ms=[\d.]+ outcome=\w+\]", line)
            for line in handled
        )

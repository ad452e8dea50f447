"""The playground's bot: the real Application over the in-memory Bot API, with a clock you move.

Everything a person does on the page goes through ``TgDriver`` (the same one the tests use): the
fake Bot API turns it into the update Telegram would send, the Application handles it, and the
action returns once the bot is done. Actions are serialised, so what happens is deterministic and a
scenario's recorded ``[[steps]]`` replay to the same chats.

The clock stands still between actions (each action moves it 3 seconds, as a person typing would)
and moves forward when asked; moving it runs the bot's due work at every point on the way
(reminders, session opening, agenda, half time, closing, survey invitations, reminders and expiry),
as the job queue would have done had that time really passed.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import ALLOWED_UPDATES, build_application
from bot.config import SUPPORTED_LOCALES, Settings
from bot.db.engine import create_engine, create_session_factory
from bot.db.migrate import upgrade_engine
from bot.db.models import DialogueGroup, GroupModerator
from bot.domain import program_file as program_file_domain
from bot.domain.durations import parse_duration
from bot.domain.invites import START_PREFIX
from bot.features.feedback import jobs as feedback_jobs
from bot.features.pairs import jobs as pairs_jobs
from bot.features.programs import invites
from bot.features.programs import program_file as program_file_service
from bot.features.programs import service as programs
from bot.features.sessions import jobs as session_jobs
from bot.features.sessions import service as sessions_service
from bot.playground.fake_api import FakeChat, FakeRequest, FakeTelegram, FakeUser, TgDriver
from bot.playground.fake_api.fake_telegram import SentMessage, default_admin_rights
from bot.runtime import Runtime
from bot.services import people
from bot.services.people import TelegramIdentity

log = logging.getLogger(__name__)

ROLES = ("organizer", "moderator", "participant")
ACTION_TICK = timedelta(seconds=3)
BOT_USERNAME = "bridgebot_playground_bot"
SCENARIO_FILE = "scenario.toml"
READY_SCENARIO = Path(__file__).with_name("scenario.toml")


class PlaygroundError(Exception):
    """Something the page asked for cannot be done (shown to the developer as is)."""


class Clock:
    """The bot's and Telegram's clock: stands still unless moved."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Person:
    name: str
    role: str
    language: str
    zone: str
    side: str | None
    user: FakeUser

    def to_toml(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": self.name,
            "role": self.role,
            "language": self.language,
            "zone": self.zone,
        }
        if self.side:
            data["side"] = self.side
        return data


@dataclass
class Scenario:
    """A program file (docs/program-example.toml) plus ``[playground]``, ``[[cast]]``, ``[[steps]]``."""

    text: str
    start: datetime
    cast: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    program_text: str = ""
    has_sessions: bool = False

    @classmethod
    def parse(cls, text: str) -> Scenario:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise PlaygroundError(f"scenario: {error}") from None
        # The program part must be a valid program file on its own (every problem is reported).
        try:
            parsed = program_file_domain.parse(
                text, supported_locales=SUPPORTED_LOCALES, ignore=("playground", "cast", "steps")
            )
        except program_file_domain.ProgramFileInvalid as error:
            raise PlaygroundError(
                "scenario: " + "; ".join(p.location for p in error.problems)
            ) from None
        play = data.get("playground", {})
        zone = ZoneInfo(parsed.program.timezone)
        raw_start = play.get("start")
        if isinstance(raw_start, datetime):
            start = raw_start if raw_start.tzinfo else raw_start.replace(tzinfo=zone)
        elif isinstance(raw_start, str):
            start = datetime.fromisoformat(raw_start.replace(" ", "T")).replace(tzinfo=zone)
        else:
            start = datetime.now(UTC).replace(second=0, microsecond=0)
        cast = list(data.get("cast", []))
        for index, entry in enumerate(cast):
            if entry.get("role") not in ROLES or not entry.get("name"):
                raise PlaygroundError(f"scenario: cast[{index}] needs a name and a role {ROLES}")
            if entry["role"] == "participant" and entry.get("side") not in parsed.program.sides:
                raise PlaygroundError(
                    f"scenario: cast[{index}].side must be one of {list(parsed.program.sides)}"
                )
        return cls(
            text=text,
            start=start.astimezone(UTC),
            cast=cast,
            steps=list(data.get("steps", [])),
            has_sessions=bool(parsed.sessions),
        )


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = (
            value.replace("\\", "\\\\")
            .replace('"', '\\"')
            .replace("\n", "\\n")
            .replace("\t", "\\t")
        )
        return f'"{escaped}"'
    raise TypeError(f"cannot write {value!r} to TOML")


def toml_tables(name: str, rows: list[dict[str, Any]]) -> str:
    """``[[name]]`` tables of plain values (all the cast and steps need)."""
    out = []
    for row in rows:
        out.append(f"[[{name}]]")
        out.extend(f"{key} = {_toml_value(value)}" for key, value in row.items())
        out.append("")
    return "\n".join(out)


def _strip_tables(text: str, names: tuple[str, ...]) -> str:
    """The scenario's text without its ``[[cast]]``/``[[steps]]`` tables (they are written anew)."""
    kept, skipping = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            header = stripped.strip("[]").strip()
            skipping = header in names
        if not skipping:
            kept.append(line)
    return "\n".join(kept).rstrip() + "\n"


@dataclass
class Playground:
    """One playground: a database folder, the fake Telegram, the Application and the cast."""

    folder: Path
    scenario: Scenario
    clock: Clock = field(init=False)
    fake: FakeTelegram = field(init=False)
    cast: list[Person] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    version: int = 0
    program_id: int | None = None
    invite_codes: dict[str, str] = field(default_factory=dict)
    on_change: Callable[[], None] | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    toast: dict[str, Any] | None = None
    _sessions_applied: bool = False
    _started: bool = False

    # ---- life ---------------------------------------------------------------------------------

    async def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        database = self.folder / "bridgebot.db"
        for stale in self.folder.glob("bridgebot.db*"):
            stale.unlink()  # the scenario is the state; its steps are replayed into a fresh database
        self.clock = Clock(self.scenario.start)
        self.fake = FakeTelegram(
            username=BOT_USERNAME,
            first_name="Bridgebot",
            clock=lambda: self.clock().timestamp(),
        )
        secret_file = self.folder / "secret"
        if not secret_file.exists():
            secret_file.write_text(secrets.token_urlsafe(32))
            secret_file.chmod(0o600)
        secret = secret_file.read_text().strip()
        self.settings = Settings(
            token=self.fake.token,
            database_url=f"sqlite+aiosqlite:///{database}",
            default_locale="en",
            secret=secret,
        )
        engine = create_engine(self.settings.database_url)
        await upgrade_engine(engine)
        self.runtime = Runtime(
            settings=self.settings,
            engine=engine,
            sessions=create_session_factory(engine),
            secret=secret.encode(),
            clock=self.clock,
        )
        self.application = build_application(
            self.settings,
            self.runtime,
            request=FakeRequest(self.fake),
            get_updates_request=FakeRequest(self.fake),
            rate_limit=False,  # nothing to protect here; answers come at once
        )
        await self.application.initialize()
        assert self.application.post_init is not None  # build_application sets both hooks
        await self.application.post_init(self.application)
        await self.application.start()  # the job queue runs, as in `bridgebot run`
        self._started = True
        self.driver = TgDriver(self.fake, self.application, allowed_updates=ALLOWED_UPDATES)
        await self._load_program()
        for entry in self.scenario.cast:
            await self._add_person(entry)
        for step in self.scenario.steps:
            try:
                await self._do(step)
            except Exception as error:
                raise PlaygroundError(f"scenario step {step!r} failed: {error}") from error
        self._changed()

    async def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        await self.application.stop()
        assert self.application.post_shutdown is not None
        await self.application.post_shutdown(self.application)
        await self.application.shutdown()

    # ---- set-up ---------------------------------------------------------------------------------

    async def _load_program(self) -> None:
        text = self.scenario.text
        parsed = program_file_domain.parse(
            text,
            supported_locales=SUPPORTED_LOCALES,
            ignore=("playground", "cast", "steps", "sessions"),
        )
        async with self.runtime.db() as db:
            await program_file_service.apply_parsed(db, parsed, now=self.clock())
            program = await programs.find(db, parsed.program.name)
            self.program_id = program.id
            for side in program.sides:
                made = await invites.create(
                    db,
                    program_id=program.id,
                    side_id=side.id,
                    role=None,
                    created_by=None,
                    now=self.clock(),
                )
                self.invite_codes[side.name] = made.code
        self.program_name = parsed.program.name
        self.program_zone = parsed.program.timezone
        self.sides = list(parsed.program.sides)
        self.languages = list(parsed.program.languages)

    async def _add_person(self, entry: dict[str, Any]) -> Person:
        name = str(entry["name"]).strip()
        if not name or any(p.name == name for p in self.cast):
            raise PlaygroundError(f"a person needs a new name ({name!r} is taken or empty)")
        role = entry.get("role", "participant")
        if role not in ROLES:
            raise PlaygroundError(f"role must be one of {ROLES}")
        language = entry.get("language") or "en"
        if language not in SUPPORTED_LOCALES:
            raise PlaygroundError(f"language must be one of {list(SUPPORTED_LOCALES)}")
        zone = entry.get("zone") or self.program_zone
        try:
            ZoneInfo(zone)
        except Exception:
            raise PlaygroundError(f"unknown time zone {zone!r}") from None
        side = entry.get("side") or None
        if role == "participant" and side not in self.sides:
            raise PlaygroundError(f"a participant's side is one of {self.sides}")
        user = self.fake.user(name, language_code=language)
        person = Person(name, role, language, zone, side, user)
        self.cast.append(person)
        if role in ("organizer", "moderator"):
            # Staff have opened the bot before; participants meet it through their invite link.
            self.fake.mark_started(user)
            now = self.clock()
            async with self.runtime.db() as db:
                identity = TelegramIdentity(
                    id=user.id,
                    first_name=name,
                    last_name=None,
                    username=None,
                    language_code=language,
                )
                await people.upsert(db, identity, now)
                await people.set_locale(db, user.id, language, now)
                await people.set_timezone(db, user.id, zone, now)
                if role == "organizer":
                    assert self.program_id is not None  # the program is loaded first
                    await programs.grant_organizer(
                        db, self.program_id, user.id, granted_by=None, now=now
                    )
            await self._staff_groups()
        return person

    async def _staff_groups(self) -> None:
        """Moderators moderate every dialogue group; sessions of the scenario follow the groups."""
        async with self.runtime.db() as db:
            groups = (
                await db.scalars(
                    select(DialogueGroup).where(DialogueGroup.program_id == self.program_id)
                )
            ).all()
            if not groups:
                return
            now = self.clock()
            for group in groups:
                for person in self.cast:
                    if person.role != "moderator":
                        continue
                    existing = await db.scalar(
                        select(GroupModerator.id).where(
                            GroupModerator.group_id == group.id,
                            GroupModerator.person_id == person.user.id,
                        )
                    )
                    if existing is None:
                        db.add(
                            GroupModerator(
                                group_id=group.id, person_id=person.user.id, created_at=now
                            )
                        )
        if self.scenario.has_sessions and not self._sessions_applied:
            parsed = program_file_domain.parse(
                self.scenario.text,
                supported_locales=SUPPORTED_LOCALES,
                ignore=("playground", "cast", "steps"),
            )
            try:
                async with self.runtime.db() as db:
                    await program_file_service.apply_parsed(db, parsed, now=self.clock())
            except program_file_domain.ProgramFileInvalid as error:
                log.info("scenario sessions wait for their groups: %s", error.problems)
                return
            self._sessions_applied = True
            async with self.runtime.db() as db:
                upcoming = await sessions_service.near(
                    db, self.clock(), self.clock() + timedelta(days=400)
                )
            await session_jobs.wake_for(self.application, upcoming)

    # ---- looking up ---------------------------------------------------------------------------

    def person(self, name: str) -> Person:
        for person in self.cast:
            if person.name == name:
                return person
        raise PlaygroundError(f"nobody called {name!r} in the cast")

    def chat_named(self, person: Person, chat: str | int) -> FakeChat:
        if chat in ("private", None, ""):
            return self.fake.private_chat(person.user)
        for candidate in self.fake.chats():
            if candidate.is_group and (candidate.title == chat or candidate.id == _int(chat)):
                return candidate
        raise PlaygroundError(f"no chat {chat!r}")

    @staticmethod
    def chat_label(chat: FakeChat) -> str:
        return "private" if chat.type == "private" else str(chat.title)

    # ---- actions (each one a step that can be saved and replayed) -----------------------------

    async def act(self, step: dict[str, Any]) -> None:
        async with self._lock:
            await self._do(step)
            self.steps.append(await self._portable(step))
            self._changed()

    async def _group_codes(self) -> dict[str, str]:
        async with self.runtime.db() as db:
            rows = await db.execute(
                select(DialogueGroup.name, DialogueGroup.link_code).where(
                    DialogueGroup.program_id == self.program_id
                )
            )
            return {name: code for name, code in rows if code}

    async def _portable(self, step: dict[str, Any]) -> dict[str, Any]:
        """A group's /link code is drawn at random: saved as {group:NAME}, so a replay finds it."""
        if "say" not in step:
            return step
        text = str(step["say"])
        for name, code in (await self._group_codes()).items():
            text = re.sub(re.escape(code), "{group:" + name + "}", text, flags=re.IGNORECASE)
        return {**step, "say": text}

    async def _do(self, step: dict[str, Any]) -> None:
        self.toast = None
        if "advance" in step:
            await self._advance(_duration(step["advance"]))
            return
        if "add_person" in step or step.get("action") == "add_person":
            await self._add_person(step)
            return
        person = self.person(step["who"])
        self.clock.now += ACTION_TICK
        if "new_group" in step:
            await self._new_group(person, str(step["new_group"]))
        elif "say" in step:
            chat = self.chat_named(person, step.get("chat", "private"))
            text = str(step["say"])
            if "{group:" in text:
                for name, code in (await self._group_codes()).items():
                    text = text.replace("{group:" + name + "}", code)
            await self.driver.say(person.user, chat, text)
        elif "press" in step:
            chat = self.chat_named(person, step.get("chat", "private"))
            message = self._message(chat, step.get("message"), str(step["press"]))
            update = await self.driver.click(person.user, message, str(step["press"]))
            answer = self.driver.callback_answer(update) or {}
            # What Telegram shows over the chat for a moment (or as an alert) after a press.
            self.toast = {
                "who": person.name,
                "chat": self.chat_label(chat),
                "text": answer.get("text") or "",
                "alert": bool(answer.get("show_alert")),
            }
        elif "open" in step:
            await self._open(person, step)
        else:
            raise PlaygroundError(f"unknown step {step!r}")
        await self._staff_groups()

    def _message(self, chat: FakeChat, message_id: Any, button: str) -> SentMessage:
        if message_id is not None:
            return self.fake.message(chat, int(message_id))
        for message in reversed(self.fake.messages(chat, include_deleted=False)):
            if any(button == text or button in text for text in message.buttons):
                return message
        raise PlaygroundError(f"no message with a button {button!r} in {self.chat_label(chat)}")

    async def _open(self, person: Person, step: dict[str, Any]) -> None:
        """Open a link: the person's program invite, or a t.me link shown in a chat."""
        target = str(step["open"])
        if target == "invite":
            if person.side is None:
                raise PlaygroundError(f"{person.name} has no side, so no invite link")
            target = (
                f"https://t.me/{BOT_USERNAME}?start={START_PREFIX}{self.invite_codes[person.side]}"
            )
        if "?start=" in target:
            bot, _, payload = target.split("t.me/", 1)[-1].partition("?start=")
            if bot != BOT_USERNAME:
                raise PlaygroundError(f"{target} is not this bot's link")
            await self.driver.start(person.user, payload)
            return
        link = self.fake.invite_link(target)
        if link is None:
            raise PlaygroundError(f"{target} is not an invite link of any chat here")
        chat = self.fake.chat(link.chat_id)
        if link.creates_join_request:
            await self.driver.join_request(person.user, chat, link.url)
        else:
            await self.driver.join(person.user, chat, link.url)

    async def _new_group(self, person: Person, title: str) -> None:
        """The person creates a Telegram group and adds the bot as an administrator with every right."""
        title = title.strip()
        if not title:
            raise PlaygroundError("a group needs a title")
        if any(c.is_group and c.title == title for c in self.fake.chats()):
            raise PlaygroundError(f"there is a group called {title!r} already")
        moderators = [p.user for p in self.cast if p.role == "moderator" and p is not person]
        chat = self.fake.group(title, creator=person.user, admins=moderators)
        await self.driver.bot_status(
            chat, "administrator", old_status="left", rights=default_admin_rights(), by=person.user
        )

    async def _advance(self, by: timedelta) -> None:
        if by <= timedelta(0) or by > timedelta(days=60):
            raise PlaygroundError("move the clock forward by up to 60 days")
        start, end = self.clock(), self.clock() + by
        async with self.runtime.db() as db:
            near = await sessions_service.near(
                db, start - timedelta(hours=13), end + timedelta(days=15)
            )
        points = sorted({p for s in near for p in session_jobs.wake_points(s) if start < p <= end})
        # Survey reminders and expiry are checked at least hourly on the way, as the job does.
        hour = start
        while hour + timedelta(hours=1) < end:
            hour += timedelta(hours=1)
            points.append(hour)
        for point in [*sorted(set(points)), end]:
            self.clock.now = point
            await self._run_due()
        await session_jobs.plan_wakeups(self.application, self.clock())

    async def _run_due(self) -> None:
        await session_jobs.run_due(self.application)
        await feedback_jobs.run_due(self.application)
        await feedback_jobs.flush(self.application)
        await pairs_jobs.run_due(self.application)  # weekly pairs and "did you talk?"

        await self.driver.flush()

    def _changed(self) -> None:
        self.version += 1
        if self.on_change is not None:
            self.on_change()

    # ---- reading ------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        chats = []
        for chat in self.fake.chats():
            if chat.type == "private" and (chat.user is None or chat.user.is_bot):
                continue
            chats.append(self._chat_state(chat))
        zone = ZoneInfo(self.program_zone)
        return {
            "version": self.version,
            "clock": self.clock().isoformat(),
            "clock_local": self.clock().astimezone(zone).strftime("%a %Y-%m-%d %H:%M"),
            "program": {
                "name": self.program_name,
                "zone": self.program_zone,
                "sides": self.sides,
                "languages": self.languages,
            },
            "bot": {"id": self.fake.bot.id, "username": BOT_USERNAME, "name": "Bridgebot"},
            "cast": [
                {**p.to_toml(), "id": p.user.id, "started": p.user.started} for p in self.cast
            ],
            "chats": chats,
            "toast": self.toast,
            "locales": list(SUPPORTED_LOCALES),
        }

    def _chat_state(self, chat: FakeChat) -> dict[str, Any]:
        names = {p.user.id: p.name for p in self.cast}
        names[self.fake.bot.id] = "Bridgebot"
        messages = []
        for message in self.fake.messages(chat, include_deleted=False):
            data = message.data
            item: dict[str, Any] = {
                "id": message.message_id,
                "from": names.get(message.sender_id, str(message.sender_id)),
                "from_bot": message.from_bot,
                "date": message.date,
                "text": message.content or "",
                "entities": message.entities,
                "edited": bool(message.edits),
                "buttons": [
                    [
                        {"text": b.get("text", ""), "url": b.get("url"), "kind": _button_kind(b)}
                        for b in row
                    ]
                    for row in message.inline_keyboard
                ],
            }
            if message.reply_to_message_id:
                item["reply_to"] = message.reply_to_message_id
            if message.file is not None:
                item["file"] = message.file.filename or message.file.file_path
            service = [
                k for k in ("new_chat_members", "left_chat_member", "pinned_message") if k in data
            ]
            if service:
                item["service"] = service[0]
                if service[0] == "new_chat_members":
                    item["text"] = ", ".join(u.get("first_name", "") for u in data[service[0]])
                elif service[0] == "left_chat_member":
                    item["text"] = data[service[0]].get("first_name", "")
            messages.append(item)
        state: dict[str, Any] = {
            "id": chat.id,
            "type": chat.type,
            "label": self.chat_label(chat),
            "messages": messages,
        }
        if chat.type == "private" and chat.user is not None:
            state["person"] = names.get(chat.user.id)
        else:
            state["members"] = [
                {"name": names.get(uid, str(uid)), "status": m.status}
                for uid, m in chat.members.items()
                if m.in_chat or m.status == "restricted"
            ]
        return state

    def scenario_text(self) -> str:
        """The scenario as it stands: the program part as loaded, the cast now, every step taken."""
        head = _strip_tables(self.scenario.text, ("cast", "steps"))
        cast = [p.to_toml() for p in self.cast]
        steps = [s for s in self.scenario.steps] + self.steps
        steps = [s for s in steps if "add_person" not in s]
        return (
            head
            + "\n# The cast: who plays (role organizer, moderator or participant).\n"
            + toml_tables("cast", cast)
            + "\n# What they did, in order; loading the scenario replays it.\n"
            + toml_tables("steps", steps)
        )


def _button_kind(button: dict[str, Any]) -> str:
    for kind in ("callback_data", "url", "login_url", "switch_inline_query", "web_app"):
        if kind in button:
            return kind
    return "other"


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _duration(value: Any) -> timedelta:
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    try:
        return parse_duration(str(value))
    except Exception:
        raise PlaygroundError(
            f"cannot read the duration {value!r} (e.g. 30m, 2h, 1d, 1w)"
        ) from None


def ready_scenario() -> str:
    return READY_SCENARIO.read_text(encoding="utf-8")

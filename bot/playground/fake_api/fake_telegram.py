"""An in-memory Telegram Bot API (tests and `bridgebot playground`): server state, Bot API methods and a record of every call.

Nothing the bot sends ever reaches the real Telegram. Both transports (the in-process
`FakeRequest` and the loopback `FakeBotApiServer`) end in `FakeTelegram.handle_wire()`, so they
share the same validation, the same error texts and the same recording.

Server-generated updates (chat_member after a ban, my_chat_member when a user blocks the bot, the
service message after an approved join request, ...) are put in the same update queue as the
updates the tests make, exactly as Telegram would send them.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
import math
import random
import re
import struct
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from telegram.constants import ChatAction, ReactionEmoji

from . import faults as fault_kinds
from .faults import FaultPlan, Injected, NoAnswer

# ---------------------------------------------------------------------------------------------
# Limits and identities
# ---------------------------------------------------------------------------------------------

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# Ids above 2**32 so that code storing ids in 32-bit columns fails here, not in production.
FIRST_USER_ID = 2**33 + 1
FIRST_BASIC_GROUP_ID = -4_100_000_001
FIRST_SUPERGROUP_ID = -1_002_100_000_001
DEFAULT_BOT_ID = 7_100_000_001
JOIN_REQUEST_DM_WINDOW_SECONDS = 5 * 60
MESSAGE_DELETE_WINDOW_SECONDS = 48 * 3600

# Telegram's default when a bot never passed allowed_updates.
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

PERMISSION_KEYS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_react_to_messages",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
    "can_edit_tag",
)
_MEDIA_PERMISSION_KEYS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
)
ADMIN_RIGHT_KEYS = (
    "is_anonymous",
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)
MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")


def default_chat_permissions() -> dict[str, bool]:
    """What a freshly created Telegram group lets its members do."""
    permissions = dict.fromkeys(PERMISSION_KEYS, True)
    permissions.update(
        can_change_info=False, can_pin_messages=False, can_manage_topics=False, can_edit_tag=False
    )
    return permissions


def default_admin_rights(**overrides: bool) -> dict[str, bool]:
    rights = dict.fromkeys(ADMIN_RIGHT_KEYS, False)
    rights.update(
        can_manage_chat=True,
        can_delete_messages=True,
        can_restrict_members=True,
        can_invite_users=True,
        can_pin_messages=True,
    )
    rights.update(overrides)
    return rights


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


class ApiError(Exception):
    """A Bot API error answer: HTTP status, Telegram's description and optional parameters."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def envelope(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body


def bad_request(text: str, parameters: dict[str, Any] | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {text}", parameters)


def forbidden(text: str) -> ApiError:
    return ApiError(403, f"Forbidden: {text}")


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded with multipart/form-data."""

    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True)
class Call:
    """One Bot API request the bot made, with its decoded parameters and how it ended."""

    method: str
    params: dict[str, Any]
    time: float
    ok: bool = True
    result: Any = None
    error: str | None = None
    error_code: int | None = None
    seq: int = 0
    fault: str | None = None  # the injected fault (tests/helpers/faults.py), if any


@dataclass(eq=False)
class FakeUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False
    # Conversation state with the bot (Telegram's, not the bot's).
    started: bool = False
    blocked: bool = False
    deactivated: bool = False
    dm_allowed_until: float = 0.0

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        return data


@dataclass
class Member:
    """One user's membership of one group, as Telegram keeps it."""

    user_id: int
    status: str
    rights: dict[str, bool] = field(default_factory=dict)
    permissions: dict[str, bool] = field(default_factory=dict)
    until_date: int = 0
    is_member: bool = True
    can_be_edited: bool = False
    custom_title: str | None = None

    @property
    def in_chat(self) -> bool:
        if self.status == "restricted":
            return self.is_member
        return self.status in ("creator", "administrator", "member")


@dataclass(eq=False)
class FakeChat:
    id: int
    type: str
    title: str | None = None
    username: str | None = None
    user: FakeUser | None = None
    members: dict[int, Member] = field(default_factory=dict)
    permissions: dict[str, bool] = field(default_factory=default_chat_permissions)
    migrated_to: int | None = None
    migrated_from: int | None = None
    pinned: list[int] = field(default_factory=list)
    description: str | None = None
    next_message_id: int = 1
    menu_button: dict[str, Any] | None = None

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private" and self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
        else:
            data["title"] = self.title
            if self.username:
                data["username"] = self.username
        return data


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    filename: str | None
    content: bytes | None
    mime_type: str | None


@dataclass
class InviteLink:
    url: str
    chat_id: int
    creator_id: int
    creates_join_request: bool = False
    name: str | None = None
    expire_date: int | None = None
    member_limit: int | None = None
    is_primary: bool = False
    is_revoked: bool = False
    pending_join_request_count: int = 0
    joined_count: int = 0


@dataclass(eq=False)
class SentMessage:
    """A message in a chat's history: the bot's or a user's. `data` is the current Bot API object."""

    chat_id: int
    message_id: int
    sender_id: int
    from_bot: bool
    date: int
    data: dict[str, Any]
    method: str | None = None
    parse_mode: str | None = None
    raw_text: str | None = None
    reply_markup: dict[str, Any] | None = None
    file: StoredFile | None = None
    deleted: bool = False
    edits: list[dict[str, Any]] = field(default_factory=list)
    reactions: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def text(self) -> str | None:
        return self.data.get("text")

    @property
    def caption(self) -> str | None:
        return self.data.get("caption")

    @property
    def content(self) -> str | None:
        """What a reader sees as the message's words: the text, else the caption."""
        return self.text if self.text is not None else self.caption

    @property
    def entities(self) -> list[dict[str, Any]]:
        return list(self.data.get("entities") or self.data.get("caption_entities") or [])

    @property
    def reply_to_message_id(self) -> int | None:
        reply = self.data.get("reply_to_message")
        return reply["message_id"] if reply else None

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        markup = self.reply_markup or {}
        return markup.get("inline_keyboard") or []

    @property
    def buttons(self) -> list[str]:
        """Visible button texts of the current markup (inline or reply keyboard), row by row."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [b if isinstance(b, str) else b.get("text", "") for row in rows for b in row]

    @property
    def document(self) -> StoredFile | None:
        return self.file


# ---------------------------------------------------------------------------------------------
# Text: UTF-16 offsets, parse modes (Telegram's own HTML / MarkdownV2 / Markdown dialects) and the
# automatic entities Telegram adds to users' messages. Hand-written because no library implements
# Telegram's dialects and their exact error texts, which is what the bot must be tested against.
# ---------------------------------------------------------------------------------------------

_PARSE_ERROR = "can't parse entities: "


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8"))


class _TextBuilder:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.units = 0
        self.entities: list[dict[str, Any]] = []

    def add(self, piece: str) -> None:
        self.parts.append(piece)
        self.units += utf16_len(piece)

    def entity(self, kind: str, start: int, **extra: Any) -> None:
        length = self.units - start
        if length > 0:
            self.entities.append({"type": kind, "offset": start, "length": length, **extra})

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        ordered = sorted(self.entities, key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), ordered


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _html_entity(source: str, index: int) -> tuple[str | None, int]:
    """Decode `&...;` at index; Telegram keeps an unknown entity as literal text."""
    end = source.find(";", index, index + 12)
    if end < 0:
        return None, 1
    body = source[index + 1 : end]
    if body in _HTML_NAMED_ENTITIES:
        return _HTML_NAMED_ENTITIES[body], end - index + 1
    try:
        if body.startswith(("#x", "#X")):
            return chr(int(body[2:], 16)), end - index + 1
        if body.startswith("#"):
            return chr(int(body[1:])), end - index + 1
    except (ValueError, OverflowError):
        return None, 1
    return None, 1


def _html_unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        if value[i] == "&":
            decoded, used = _html_entity(value, i)
            out.append(decoded if decoded is not None else "&")
            i += used
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _parse_html_attributes(source: str, index: int, tag_offset: int) -> tuple[dict[str, str], int]:
    attributes: dict[str, str] = {}
    n = len(source)
    while True:
        while index < n and source[index].isspace():
            index += 1
        if index >= n:
            raise bad_request(f"{_PARSE_ERROR}Unclosed start tag at byte offset {tag_offset}")
        if source[index] == ">":
            return attributes, index + 1
        if source[index] == "/" and source.startswith("/>", index):
            return attributes, index + 2
        start = index
        while index < n and (source[index].isalnum() or source[index] in "-_"):
            index += 1
        name = source[start:index].lower()
        if not name:
            raise bad_request(
                f"{_PARSE_ERROR}Expected equal sign in declaration of an attribute of the tag at "
                f"byte offset {tag_offset}"
            )
        value = ""
        if index < n and source[index] == "=":
            index += 1
            if index < n and source[index] in "\"'":
                quote = source[index]
                close = source.find(quote, index + 1)
                if close < 0:
                    raise bad_request(
                        f"{_PARSE_ERROR}Unclosed start tag at byte offset {tag_offset}"
                    )
                value = source[index + 1 : close]
                index = close + 1
            else:
                start = index
                while index < n and not source[index].isspace() and source[index] != ">":
                    index += 1
                value = source[start:index]
        attributes[name] = _html_unescape(value)


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    out = _TextBuilder()
    stack: list[tuple[str, dict[str, str], int]] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char == "&":
            decoded, used = _html_entity(source, i)
            out.add(decoded if decoded is not None else "&")
            i += used
            continue
        if char != "<":
            out.add(char)
            i += 1
            continue
        tag_offset = _byte_offset(source, i)
        if source.startswith("</", i):
            end = source.find(">", i)
            if end < 0:
                raise bad_request(f"{_PARSE_ERROR}Unclosed end tag at byte offset {tag_offset}")
            name = source[i + 2 : end].strip().lower()
            if not stack:
                raise bad_request(
                    f'{_PARSE_ERROR}Unexpected end tag at byte offset {tag_offset}, found "</{name}>"'
                )
            open_name, attributes, start = stack.pop()
            if open_name != name:
                raise bad_request(
                    f"{_PARSE_ERROR}Unmatched end tag at byte offset {tag_offset}, expected "
                    f'"</{open_name}>", found "</{name}>"'
                )
            _close_html_tag(out, stack, open_name, attributes, start)
            i = end + 1
            continue
        j = i + 1
        while j < n and (source[j].isalnum() or source[j] == "-"):
            j += 1
        name = source[i + 1 : j].lower()
        if name not in _HTML_TAGS:
            raise bad_request(
                f'{_PARSE_ERROR}Unsupported start tag "{name}" at byte offset {tag_offset}'
            )
        attributes, i = _parse_html_attributes(source, j, tag_offset)
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise bad_request(
                f'{_PARSE_ERROR}Tag "span" must have class "tg-spoiler" at byte offset {tag_offset}'
            )
        if name == "a" and "href" not in attributes:
            attributes["href"] = ""
        if name == "tg-emoji" and "emoji-id" not in attributes:
            raise bad_request(
                f'{_PARSE_ERROR}Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
                f"{tag_offset}"
            )
        stack.append((name, attributes, out.units))
    if stack:
        raise bad_request(
            f'{_PARSE_ERROR}Can\'t find end tag corresponding to start tag "{stack[-1][0]}"'
        )
    return out.result()


def _close_html_tag(
    out: _TextBuilder,
    stack: list[tuple[str, dict[str, str], int]],
    name: str,
    attributes: dict[str, str],
    start: int,
) -> None:
    kind = _HTML_TAGS[name]
    if kind == "text_link":
        href = attributes.get("href", "")
        if href:
            out.entity("text_link", start, url=href)
        return
    if kind == "custom_emoji":
        out.entity("custom_emoji", start, custom_emoji_id=attributes["emoji-id"])
        return
    if kind == "blockquote":
        out.entity("expandable_blockquote" if "expandable" in attributes else "blockquote", start)
        return
    language = attributes.get("class", "")
    if kind == "code" and stack and stack[-1][0] == "pre" and language.startswith("language-"):
        # <pre><code class="language-x"> is one pre entity with a language, not two entities.
        parent_attributes = stack[-1][1]
        parent_attributes["__language"] = language.removeprefix("language-")
        return
    if kind == "pre" and attributes.get("__language"):
        out.entity("pre", start, language=attributes["__language"])
        return
    out.entity(kind, start)


_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES = {
    "bold": "Bold",
    "italic": "Italic",
    "underline": "Underline",
    "strikethrough": "Strikethrough",
    "spoiler": "Spoiler",
    "code": "Code",
    "pre": "Pre",
    "text_link": "TextUrl",
}


def parse_markdown_v2(source: str) -> tuple[str, list[dict[str, Any]]]:
    out = _TextBuilder()
    stack: list[tuple[str, int, int]] = []  # kind, utf-16 start, byte offset of the marker
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        top = stack[-1][0] if stack else None
        if char == "\\" and i + 1 < n and 0 < ord(source[i + 1]) <= 126:
            out.add(source[i + 1])
            i += 2
            continue
        if top in ("code", "pre"):
            if top == "pre" and source.startswith("```", i):
                kind, start, _ = stack.pop()
                out.entity("pre", start)
                i += 3
            elif top == "code" and char == "`":
                kind, start, _ = stack.pop()
                out.entity("code", start)
                i += 1
            else:
                out.add(char)
                i += 1
            continue
        offset = _byte_offset(source, i)
        marker: str | None = None
        if source.startswith("```", i):
            end_of_line = source.find("\n", i + 3)
            if end_of_line > i + 3 and source[i + 3 : end_of_line].strip().isidentifier():
                i = end_of_line + 1
            else:
                i += 3
            stack.append(("pre", out.units, offset))
            continue
        if char == "`":
            stack.append(("code", out.units, offset))
            i += 1
            continue
        if source.startswith("__", i):
            marker, kind, width = "__", "underline", 2
        elif source.startswith("||", i):
            marker, kind, width = "||", "spoiler", 2
        elif char in "*_~":
            marker = char
            kind = {"*": "bold", "_": "italic", "~": "strikethrough"}[char]
            width = 1
        if marker is not None:
            if top == kind:
                _, start, _ = stack.pop()
                out.entity(kind, start)
            elif any(entry[0] == kind for entry in stack):
                opened = next(entry for entry in reversed(stack) if entry[0] == kind)
                raise bad_request(
                    f"{_PARSE_ERROR}Can't find end of {_MDV2_NAMES[kind]} entity at byte offset "
                    f"{opened[2]}"
                )
            else:
                stack.append((kind, out.units, offset))
            i += width
            continue
        if char == "[":
            stack.append(("text_link", out.units, offset))
            i += 1
            continue
        if char == "]" and top == "text_link":
            if not source.startswith("(", i + 1):
                raise bad_request(
                    f"{_PARSE_ERROR}Can't find end of TextUrl entity at byte offset {stack[-1][2]}"
                )
            close = i + 2
            url_chars: list[str] = []
            while close < n and source[close] != ")":
                if source[close] == "\\" and close + 1 < n:
                    close += 1
                url_chars.append(source[close])
                close += 1
            if close >= n:
                raise bad_request(
                    f"{_PARSE_ERROR}Can't find end of a URL at byte offset {_byte_offset(source, i)}"
                )
            _, start, _ = stack.pop()
            out.entity("text_link", start, url="".join(url_chars))
            i = close + 1
            continue
        if char == ">" and (i == 0 or source[i - 1] == "\n"):
            end_of_line = source.find("\n", i)
            end_of_line = n if end_of_line < 0 else end_of_line
            start = out.units
            inner_text, inner_entities = parse_markdown_v2(source[i + 1 : end_of_line].lstrip())
            for entity in inner_entities:
                out.entities.append({**entity, "offset": entity["offset"] + start})
            out.add(inner_text)
            out.entity("blockquote", start)
            i = end_of_line
            continue
        if char in _MDV2_RESERVED:
            raise bad_request(
                f"{_PARSE_ERROR}Character '{char}' is reserved and must be escaped with the "
                "preceding '\\'"
            )
        out.add(char)
        i += 1
    if stack:
        kind, _, opened_at = stack[-1]
        raise bad_request(
            f"{_PARSE_ERROR}Can't find end of {_MDV2_NAMES[kind]} entity at byte offset {opened_at}"
        )
    return out.result()


def parse_markdown(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's legacy Markdown: no nesting, and an unclosed marker is an error."""
    out = _TextBuilder()
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char == "\\" and i + 1 < n and source[i + 1] in "_*`[":
            out.add(source[i + 1])
            i += 2
            continue
        offset = _byte_offset(source, i)
        unclosed = bad_request(
            f"{_PARSE_ERROR}Can't find end of the entity starting at byte offset {offset}"
        )
        if char in "*_":
            close = source.find(char, i + 1)
            if close < 0:
                raise unclosed
            start = out.units
            out.add(source[i + 1 : close])
            out.entity("bold" if char == "*" else "italic", start)
            i = close + 1
        elif source.startswith("```", i):
            close = source.find("```", i + 3)
            if close < 0:
                raise unclosed
            start = out.units
            out.add(source[i + 3 : close])
            out.entity("pre", start)
            i = close + 3
        elif char == "`":
            close = source.find("`", i + 1)
            if close < 0:
                raise unclosed
            start = out.units
            out.add(source[i + 1 : close])
            out.entity("code", start)
            i = close + 1
        elif char == "[":
            close = source.find("]", i + 1)
            if close < 0:
                raise unclosed
            label = source[i + 1 : close]
            if source.startswith("(", close + 1) and (end := source.find(")", close + 2)) > 0:
                start = out.units
                out.add(label)
                out.entity("text_link", start, url=source[close + 2 : end])
                i = end + 1
            else:
                out.add(source[i : close + 1])
                i = close + 1
        else:
            out.add(char)
            i += 1
    return out.result()


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[dict[str, Any]]]:
    mode = (parse_mode or "").lower()
    if not mode:
        return text, []
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    raise bad_request("unsupported parse_mode")


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims surrounding whitespace; entities shift and shrink with it."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


_TLDS = (
    "com|org|net|io|me|co|info|dev|app|ru|am|ge|az|ua|by|kz|de|fr|uk|eu|us|tr|ir|it|es|pl|nl|"
    "be|ch|at|cz|se|no|fi|dk|jp|cn|in|edu|gov|ly|to|tv|xyz|online|site"
)
_AUTO_ENTITY_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email", re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")),
    (
        "url",
        re.compile(
            rf"(?i)\b(?:(?:https?|tg|ftp)://[^\s<>\"]+|www\.[^\s<>\"]+|"
            rf"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_TLDS})\b(?:/[^\s<>\"]*)?)"
        ),
    ),
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
    ("cashtag", re.compile(r"(?<![\w$])\$[A-Z]{3,8}\b")),
)


def detect_entities(text: str) -> list[dict[str, Any]]:
    """The entities Telegram's servers add to a user's message (first match wins on overlap)."""
    taken: list[tuple[int, int]] = []
    found: list[dict[str, Any]] = []
    for kind, pattern in _AUTO_ENTITY_PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if kind == "url":
                while end > start and text[end - 1] in ".,;:!?)'\"":
                    end -= 1
            if any(start < t_end and end > t_start for t_start, t_end in taken):
                continue
            taken.append((start, end))
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[:start]),
                    "length": utf16_len(text[start:end]),
                }
            )
    return sorted(found, key=lambda e: e["offset"])


# ---------------------------------------------------------------------------------------------
# Parameters as they arrive on the wire
# ---------------------------------------------------------------------------------------------

# Parameters whose wire value is a plain string (PTB and Telegram never JSON-encode these).
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "invite_link",
        "name",
        "url",
        "secret_token",
        "ip_address",
        "description",
        "short_description",
        "language_code",
        "action",
        "custom_title",
        "file_id",
        "document",
        "photo",
        "title",
        "emoji",
        "business_connection_id",
        "message_effect_id",
        "query",
        "certificate",
    }
)


def decode_wire_params(
    raw: Mapping[str, Any], files: Mapping[str, UploadedFile] | None = None
) -> dict[str, Any]:
    """Turn form/JSON wire values into plain Python values and attach uploaded files."""
    files = dict(files or {})
    decoded: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
            decoded[name] = files.pop(value[9:])
            continue
        if isinstance(value, str) and name not in _STRING_PARAMS:
            try:
                value = json.loads(value)
            except ValueError:
                pass
        decoded[name] = value
    for name, upload in files.items():
        decoded.setdefault(name, upload)
    return decoded


class Params:
    """Typed, validating access to one request's decoded parameters."""

    def __init__(self, values: Mapping[str, Any]):
        self.values = dict(values)

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def get_str(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        return value if isinstance(value, str) else json.dumps(value)

    def require_str(self, name: str, empty_error: str | None = None) -> str:
        value = self.get_str(name)
        if not value:
            raise bad_request(empty_error or f"{name} is empty")
        return value

    def get_int(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            raise bad_request(f"invalid {name} specified")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def require_int(self, name: str) -> int:
        value = self.get_int(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def get_json(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value


def _png_size(content: bytes) -> tuple[int, int] | None:
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        width, height = struct.unpack(">II", content[16:24])
        return width, height
    return None


def _looks_like_image(content: bytes) -> bool:
    return content.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"BM"))


def _strip_nested_reply(data: dict[str, Any]) -> dict[str, Any]:
    snapshot = copy.deepcopy(data)
    snapshot.pop("reply_to_message", None)
    return snapshot


def update_type(update: Mapping[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


# Methods whose successful calls count toward Telegram's flood limits.
_SENDING_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "forwardMessage", "copyMessage"}
)
_INLINE_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_REACTION_EMOJI = frozenset(str(emoji) for emoji in ReactionEmoji)
_CHAT_ACTIONS = frozenset(str(action) for action in ChatAction)
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

_Handler = Callable[["FakeTelegram", Params], Any]
_METHODS: dict[str, tuple[str, _Handler]] = {}


def _api(name: str) -> Callable[[_Handler], _Handler]:
    def register(handler: _Handler) -> _Handler:
        # Telegram treats method names case-insensitively.
        _METHODS[name.lower()] = (name, handler)
        return handler

    return register


def supported_methods() -> list[str]:
    return sorted(name for name, _ in _METHODS.values())


# ---------------------------------------------------------------------------------------------
# The fake server
# ---------------------------------------------------------------------------------------------


class FakeTelegram:
    """Telegram's side of the conversation: users, chats, messages, updates and the Bot API."""

    def __init__(
        self,
        *,
        bot_id: int = DEFAULT_BOT_ID,
        username: str = "bridgebot_test_bot",
        first_name: str = "Bridgebot",
        token: str | None = None,
        clock: Callable[[], float] = time.time,
        privacy_mode: bool = False,
        seed: int = 0,
    ):
        self._lock = threading.RLock()
        self._updates_changed = threading.Condition(self._lock)
        self._clock = clock
        self._random = random.Random(seed)
        self.token = token or f"{bot_id}:AAFakeTokenForTests_{seed:04d}_abcdefghijklmnopq"
        self.bot = FakeUser(bot_id, first_name, username=username, is_bot=True)
        self.privacy_mode = privacy_mode
        self._users: dict[int, FakeUser] = {bot_id: self.bot}
        self._chats: dict[int, FakeChat] = {}
        self._messages: dict[int, dict[int, SentMessage]] = {}
        self._files: dict[str, StoredFile] = {}
        self._invite_links: dict[str, InviteLink] = {}
        self._join_requests: dict[tuple[int, int], dict[str, Any]] = {}
        self._callback_queries: dict[str, dict[str, Any]] = {}
        self._callback_answers: dict[str, dict[str, Any]] = {}
        self._commands: dict[tuple[tuple[Any, ...], str], list[dict[str, str]]] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}
        self._default_menu_button: dict[str, Any] = {"type": "commands"}
        self._calls: list[Call] = []
        self._seq = 0
        self._next_user_id = FIRST_USER_ID
        self._next_basic_group_id = FIRST_BASIC_GROUP_ID
        self._next_supergroup_id = FIRST_SUPERGROUP_ID
        self._next_update_id = 100_000_001
        self._updates: deque[dict[str, Any]] = deque()
        self._update_listeners: list[Callable[[], None]] = []
        self.dropped_updates: list[dict[str, Any]] = []
        self.internal_errors: list[BaseException] = []
        self._last_handed_out_update_id = 0
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._webhook: dict[str, Any] | None = None
        self._failures: dict[str, deque[list[Any]]] = {}
        self._limits: tuple[int, int] | None = None
        self._sent_global: deque[float] = deque()
        self._sent_per_chat: dict[int, deque[float]] = {}
        self._faults = FaultPlan(seed=seed)

    # -- clock ---------------------------------------------------------------------------------

    def now(self) -> float:
        return self._clock()

    def _today(self) -> int:
        return int(self._clock())

    # -- people and places ---------------------------------------------------------------------

    def user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        is_bot: bool = False,
    ) -> FakeUser:
        with self._lock:
            if username and any(u.username == username for u in self._users.values()):
                raise ValueError(f"username @{username} is taken")
            user = FakeUser(
                self._next_user_id,
                first_name,
                last_name=last_name,
                username=username,
                language_code=language_code,
                is_bot=is_bot,
            )
            self._next_user_id += 1
            self._users[user.id] = user
            self._chats[user.id] = FakeChat(user.id, "private", user=user)
            return user

    def private_chat(self, user: FakeUser | int) -> FakeChat:
        with self._lock:
            return self._chats[self._user(user).id]

    private = private_chat

    def group(
        self,
        title: str,
        *,
        members: Iterable[FakeUser] = (),
        admins: Iterable[FakeUser] = (),
        creator: FakeUser | None = None,
        supergroup: bool = True,
        username: str | None = None,
        bot_status: str = "member",
    ) -> FakeChat:
        """A group with the bot in it (as a plain member unless `bot_status` says otherwise)."""
        with self._lock:
            if supergroup:
                chat_id, self._next_supergroup_id = (
                    self._next_supergroup_id,
                    self._next_supergroup_id - 1,
                )
            else:
                chat_id, self._next_basic_group_id = (
                    self._next_basic_group_id,
                    self._next_basic_group_id - 1,
                )
            chat = FakeChat(
                chat_id, "supergroup" if supergroup else "group", title=title, username=username
            )
            self._chats[chat_id] = chat
            if creator is not None:
                chat.members[creator.id] = Member(creator.id, "creator")
            for admin in admins:
                chat.members[admin.id] = Member(
                    admin.id, "administrator", rights=default_admin_rights()
                )
            for member in members:
                chat.members.setdefault(member.id, Member(member.id, "member"))
            self._set_bot_status_locked(chat, bot_status)
            return chat

    def chat(self, chat_id: int) -> FakeChat:
        with self._lock:
            return self._chats[chat_id]

    def set_bot_admin(
        self,
        chat: FakeChat | int,
        *,
        can_delete_messages: bool = True,
        can_restrict_members: bool = True,
        can_invite_users: bool = True,
        can_pin_messages: bool = True,
        **rights: bool,
    ) -> None:
        with self._lock:
            self._set_bot_status_locked(
                self._chat(chat),
                "administrator",
                default_admin_rights(
                    can_delete_messages=can_delete_messages,
                    can_restrict_members=can_restrict_members,
                    can_invite_users=can_invite_users,
                    can_pin_messages=can_pin_messages,
                    **rights,
                ),
            )

    def set_bot_member(self, chat: FakeChat | int) -> None:
        with self._lock:
            self._set_bot_status_locked(self._chat(chat), "member")

    def set_bot_status(
        self, chat: FakeChat | int, status: str, *, rights: Mapping[str, bool] | None = None
    ) -> None:
        with self._lock:
            self._set_bot_status_locked(self._chat(chat), status, rights)

    def _set_bot_status_locked(
        self, chat: FakeChat, status: str, rights: Mapping[str, bool] | None = None
    ) -> None:
        self._set_member_locked(chat, self.bot.id, status, rights=rights)

    def set_member(
        self,
        chat: FakeChat | int,
        user: FakeUser | int,
        status: str = "member",
        *,
        rights: Mapping[str, bool] | None = None,
        permissions: Mapping[str, bool] | None = None,
        until_date: int = 0,
        custom_title: str | None = None,
    ) -> Member:
        """Set a member's state silently (no update); for arranging a test's starting point."""
        with self._lock:
            return self._set_member_locked(
                self._chat(chat),
                self._user(user).id,
                status,
                rights=rights,
                permissions=permissions,
                until_date=until_date,
                custom_title=custom_title,
            )

    def _set_member_locked(
        self,
        chat: FakeChat,
        user_id: int,
        status: str,
        *,
        rights: Mapping[str, bool] | None = None,
        permissions: Mapping[str, bool] | None = None,
        until_date: int = 0,
        is_member: bool = True,
        custom_title: str | None = None,
        can_be_edited: bool = False,
    ) -> Member:
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown member status {status!r}; use one of {MEMBER_STATUSES}")
        member = Member(user_id, status, until_date=until_date, custom_title=custom_title)
        if status == "administrator":
            member.rights = default_admin_rights(**dict(rights or {}))
            member.can_be_edited = can_be_edited
        if status == "restricted":
            full = dict.fromkeys(PERMISSION_KEYS, False)
            full.update(permissions or {})
            member.permissions = full
            member.is_member = is_member
        chat.members[user_id] = member
        return member

    def member(self, chat: FakeChat | int, user: FakeUser | int) -> Member:
        """The member's current state (restrictions whose time is up are already lifted)."""
        with self._lock:
            return self._member(self._chat(chat), self._user(user).id)

    def _member(self, chat: FakeChat, user_id: int) -> Member:
        member = chat.members.get(user_id)
        if member is None:
            return Member(user_id, "left")
        if member.until_date and member.until_date <= self._clock():
            if member.status == "restricted":
                member = Member(user_id, "member" if member.is_member else "left")
            elif member.status == "kicked":
                member = Member(user_id, "left")
            chat.members[user_id] = member
        return member

    def block(self, user: FakeUser | int) -> dict[str, Any]:
        """The user blocks the bot; Telegram tells the bot with a my_chat_member update."""
        with self._lock:
            target = self._user(user)
            target.blocked = True
            return self._emit_my_chat_member(
                self._chats[target.id], target, old="member", new="kicked"
            )

    def unblock(self, user: FakeUser | int) -> dict[str, Any]:
        with self._lock:
            target = self._user(user)
            target.blocked = False
            return self._emit_my_chat_member(
                self._chats[target.id], target, old="kicked", new="member"
            )

    def deactivate(self, user: FakeUser | int) -> None:
        with self._lock:
            self._user(user).deactivated = True

    def mark_started(self, user: FakeUser | int) -> None:
        """Arrange that the user has talked to the bot before (so the bot may write first)."""
        with self._lock:
            self._user(user).started = True

    # -- failure injection and flood limits ----------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        code: int = 400,
        description: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        parameters: Mapping[str, Any] | None = None,
    ) -> None:
        """The next `times` calls of `method` fail with this error instead of running."""
        canonical = _METHODS.get(method.lower(), (method, None))[0]
        params = dict(parameters or {})
        if code == 429:
            retry_after = retry_after if retry_after is not None else 1
        if retry_after is not None:
            params["retry_after"] = retry_after
        default_descriptions = {
            400: "Bad Request: injected failure",
            403: "Forbidden: bot was blocked by the user",
            409: "Conflict: terminated by other getUpdates request; make sure that only one bot "
            "instance is running",
            429: f"Too Many Requests: retry after {retry_after}",
            500: "Internal Server Error",
            502: "Bad Gateway",
        }
        error = ApiError(
            code, description or default_descriptions.get(code, f"Error {code}"), params or None
        )
        with self._lock:
            self._failures.setdefault(canonical, deque()).append([times, error])

    def rate_limit(self, per_second: int = 30, per_chat_per_minute: int = 20) -> None:
        """Answer 429 with retry_after beyond Telegram's flood limits (off until called)."""
        with self._lock:
            self._limits = (per_second, per_chat_per_minute)
            self._sent_global.clear()
            self._sent_per_chat.clear()

    def no_rate_limit(self) -> None:
        with self._lock:
            self._limits = None

    def inject_faults(
        self,
        *,
        seed: int | None = None,
        methods: Iterable[str] | None = None,
        retry_after: int | None = None,
        error_before: float = 0.0,
        error_after: float = 0.0,
        timeout_before: float = 0.0,
        timeout_after: float = 0.0,
        too_many: float = 0.0,
    ) -> None:
        """From now on, fail each call of `methods` (default: the sending ones) with these
        probabilities; see tests/helpers/faults.py. Reproducible for a given seed. Replaces any
        earlier rates; `inject_faults()` with no rates turns probabilistic faults off."""
        canonical = (
            None if methods is None else [_METHODS.get(m.lower(), (m, None))[0] for m in methods]
        )
        with self._lock:
            self._faults.configure(
                seed=seed,
                methods=canonical,
                retry_after=retry_after,
                error_before=error_before,
                error_after=error_after,
                timeout_before=timeout_before,
                timeout_after=timeout_after,
                too_many=too_many,
            )

    def fault_next(self, method: str, kind: str, *, times: int = 1) -> None:
        """The next `times` calls of `method` meet the fault `kind` (one of faults.KINDS)."""
        canonical = _METHODS.get(method.lower(), (method, None))[0]
        with self._lock:
            self._faults.queue(canonical, kind, times)

    def flood_wait(self, seconds: int) -> None:
        """Start a 429 burst now: every sending call is refused for `seconds`."""
        with self._lock:
            self._faults.flood_until = self._clock() + max(1, seconds)

    def faults_off(self) -> None:
        with self._lock:
            self._faults.off()

    def injected_faults(self) -> list[Injected]:
        with self._lock:
            return list(self._faults.injected)

    def fault_counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._faults.counts())

    def _take_injected_failure(self, method: str) -> ApiError | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        entry = queue[0]
        entry[0] -= 1
        if entry[0] <= 0:
            queue.popleft()
        return entry[1]

    def _check_flood(self, method: str, params: Params) -> None:
        if self._limits is None or method not in _SENDING_METHODS:
            return
        per_second, per_chat_per_minute = self._limits
        now = self._clock()
        while self._sent_global and self._sent_global[0] <= now - 1:
            self._sent_global.popleft()
        if len(self._sent_global) >= per_second:
            self._too_many(self._sent_global[0] + 1 - now)
        raw_chat_id = params.values.get("chat_id")
        chat_id = None if str(raw_chat_id).startswith("@") else params.get_int("chat_id")
        window: deque[float] | None = None
        if chat_id is not None and chat_id < 0:
            window = self._sent_per_chat.setdefault(chat_id, deque())
            while window and window[0] <= now - 60:
                window.popleft()
            if len(window) >= per_chat_per_minute:
                self._too_many(window[0] + 60 - now)
        self._sent_global.append(now)
        if window is not None:
            window.append(now)

    @staticmethod
    def _too_many(seconds: float) -> None:
        retry_after = max(1, math.ceil(seconds))
        raise ApiError(
            429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
        )

    # -- what the bot did ----------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            if method is None:
                return list(self._calls)
            canonical = _METHODS.get(method.lower(), (method, None))[0]
            return [c for c in self._calls if c.method == canonical]

    def mark(self) -> int:
        """A point in the call record; pass it as `since=` to look only at later calls."""
        with self._lock:
            return self._seq

    def calls_since(self, mark: int, method: str | None = None) -> list[Call]:
        return [c for c in self.calls(method) if c.seq > mark]

    def clear_calls(self) -> None:
        with self._lock:
            self._calls.clear()

    def messages(self, chat: FakeChat | int, *, include_deleted: bool = True) -> list[SentMessage]:
        """Every message in the chat's history, users' and the bot's, in order."""
        with self._lock:
            history = self._messages.get(self._chat_id(chat), {})
            return [m for m in history.values() if include_deleted or not m.deleted]

    def message(self, chat: FakeChat | int, message_id: int) -> SentMessage:
        with self._lock:
            return self._messages[self._chat_id(chat)][message_id]

    def sent_messages(
        self, chat: FakeChat | int, *, include_deleted: bool = True
    ) -> list[SentMessage]:
        """The bot's messages in that chat, in order (deleted ones flagged, unless excluded)."""
        return [m for m in self.messages(chat, include_deleted=include_deleted) if m.from_bot]

    def last_message(self, chat: FakeChat | int) -> SentMessage | None:
        """The bot's most recent message still visible in the chat."""
        visible = self.sent_messages(chat, include_deleted=False)
        return visible[-1] if visible else None

    def texts(self, chat: FakeChat | int, *, include_deleted: bool = False) -> list[str]:
        """What the chat sees from the bot: texts (captions for files), oldest first."""
        return [
            m.content
            for m in self.sent_messages(chat, include_deleted=include_deleted)
            if m.content is not None
        ]

    def last_text(self, chat: FakeChat | int) -> str | None:
        texts = self.texts(chat)
        return texts[-1] if texts else None

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        with self._lock:
            return copy.deepcopy(self._callback_answers.get(query_id))

    def commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        with self._lock:
            return copy.deepcopy(self._commands.get((self._scope_key(scope), language_code), []))

    def visible_commands(self, user: FakeUser | int, chat: FakeChat | int) -> list[dict[str, str]]:
        """The command menu this user sees in this chat, resolved the way Telegram's apps do."""
        with self._lock:
            who, where = self._user(user), self._chat(chat)
            language = (who.language_code or "")[:2]
            if where.type == "private":
                scopes: list[tuple[Any, ...]] = [
                    ("chat", where.id),
                    ("all_private_chats",),
                    ("default",),
                ]
            else:
                scopes = [("chat_member", where.id, who.id), ("chat", where.id)]
                if self._member(where, who.id).status in ("creator", "administrator"):
                    scopes += [("chat_administrators", where.id), ("all_chat_administrators",)]
                scopes += [("all_group_chats",), ("default",)]
            for scope in scopes:
                for lang in (language, ""):
                    commands = self._commands.get((scope, lang))
                    if commands:
                        return copy.deepcopy(commands)
            return []

    def chats(self) -> list[FakeChat]:
        """Every chat, in the order they were made (private chats with their user)."""
        with self._lock:
            return list(self._chats.values())

    def invite_link(self, url: str) -> InviteLink | None:
        """The invite link with this URL, in any chat (None if no chat has it)."""
        with self._lock:
            return self._invite_links.get(url)

    def invite_links(self, chat: FakeChat | int) -> list[InviteLink]:
        with self._lock:
            chat_id = self._chat_id(chat)
            return [link for link in self._invite_links.values() if link.chat_id == chat_id]

    def pending_join_requests(self, chat: FakeChat | int) -> list[int]:
        with self._lock:
            chat_id = self._chat_id(chat)
            return [user_id for (c, user_id) in self._join_requests if c == chat_id]

    def file(self, file_id: str) -> StoredFile:
        with self._lock:
            return self._files[file_id]

    def file_content(self, file_path: str) -> bytes | None:
        with self._lock:
            for stored in self._files.values():
                if stored.file_path == file_path:
                    return stored.content
            return None

    def bot_text(self, kind: str, language_code: str = "") -> str | None:
        """What setMyDescription/setMyShortDescription/setMyName stored for a language."""
        with self._lock:
            return self._bot_texts.get((kind, language_code))

    @property
    def webhook(self) -> dict[str, Any] | None:
        with self._lock:
            return copy.deepcopy(self._webhook)

    @property
    def allowed_updates(self) -> frozenset[str]:
        with self._lock:
            return self._allowed_updates

    # -- the request entry points --------------------------------------------------------------

    def handle_wire(
        self,
        method: str,
        raw_params: Mapping[str, Any],
        files: Mapping[str, UploadedFile] | None = None,
        *,
        token: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """One Bot API request as it came over the wire; returns (HTTP status, JSON envelope)."""
        return self.handle(method, decode_wire_params(raw_params, files), token=token)

    def handle(
        self, method: str, params: Mapping[str, Any], *, token: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        with self._lock:
            entry = _METHODS.get(method.lower())
            name = entry[0] if entry else method
            values = dict(params)
            started_at = self._clock()
            try:
                if token is not None and token != self.token:
                    raise ApiError(401, "Unauthorized")
                if entry is None:
                    raise ApiError(404, "Not Found")
                injected = self._take_injected_failure(name)
                if injected is not None:
                    raise injected
                fault = self._faults.draw(name, values, started_at)
                if fault is not None:
                    early = self._fault_before(fault, name, values, started_at)
                    if early is not None:
                        return early
                wrapped = Params(values)
                self._check_flood(name, wrapped)
                result = copy.deepcopy(entry[1](self, wrapped))
            except ApiError as error:
                self._record(
                    Call(
                        name,
                        values,
                        started_at,
                        ok=False,
                        error=error.description,
                        error_code=error.code,
                    )
                )
                return error.code, error.envelope()
            except NoAnswer:
                raise
            except Exception as error:  # a bug in the fake itself: answer 500, keep it visible
                self.internal_errors.append(error)
                description = f"Internal Server Error: fake Bot API failed: {error!r}"
                self._record(
                    Call(name, values, started_at, ok=False, error=description, error_code=500)
                )
                return 500, {"ok": False, "error_code": 500, "description": description}
            if fault in fault_kinds.ACTED:
                # Telegram acted (the call is recorded as done) but the bot is told otherwise.
                self._faults.record(fault, name, values, started_at)
                self._record(
                    Call(
                        name, values, started_at, ok=True, result=copy.deepcopy(result), fault=fault
                    )
                )
                status, envelope = fault_kinds.bad_gateway()
                if fault == fault_kinds.TIMEOUT_AFTER:
                    raise NoAnswer(True, 200, {"ok": True, "result": result})
                return status, envelope
            self._record(Call(name, values, started_at, ok=True, result=copy.deepcopy(result)))
            return 200, {"ok": True, "result": result}

    def _fault_before(
        self, fault: str, name: str, values: dict[str, Any], started_at: float
    ) -> tuple[int, dict[str, Any]] | None:
        """Answer a fault that strikes before Telegram acts; None for faults that strike after."""
        if fault in fault_kinds.ACTED:
            return None
        retry_after = self._faults.record(fault, name, values, started_at)
        if fault == fault_kinds.TOO_MANY:
            status, envelope = fault_kinds.too_many(retry_after)
        else:
            status, envelope = fault_kinds.bad_gateway()
        self._record(
            Call(
                name,
                values,
                started_at,
                ok=False,
                error=envelope["description"],
                error_code=status,
                fault=fault,
            )
        )
        if fault == fault_kinds.TIMEOUT_BEFORE:
            raise NoAnswer(False, status, envelope)
        return status, envelope

    def _record(self, call: Call) -> None:
        self._seq += 1
        self._calls.append(dataclasses.replace(call, seq=self._seq))

    # -- the update queue ------------------------------------------------------------------------

    def push_update(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Queue an update (`{"message": {...}}`); the update_id is assigned here."""
        with self._lock:
            return self._emit(dict(body))

    def _emit(self, body: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, **body}
        self._next_update_id += 1
        self._updates.append(update)
        self._notify_update_waiters()
        return update

    def add_update_listener(self, listener: Callable[[], None]) -> None:
        """Call `listener` (from any thread, under the fake's lock) whenever updates may be ready."""
        with self._lock:
            self._update_listeners.append(listener)

    def remove_update_listener(self, listener: Callable[[], None]) -> None:
        with self._lock:
            if listener in self._update_listeners:
                self._update_listeners.remove(listener)

    def _notify_update_waiters(self) -> None:
        self._updates_changed.notify_all()
        for listener in list(self._update_listeners):
            listener()

    def pending_updates(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(list(self._updates))

    def take_updates(self) -> list[dict[str, Any]]:
        """Hand out every queued update at once (in-process dispatch uses this, not getUpdates)."""
        with self._lock:
            taken = list(self._updates)
            self._updates.clear()
            if taken:
                self._last_handed_out_update_id = max(
                    self._last_handed_out_update_id, taken[-1]["update_id"]
                )
            return copy.deepcopy(taken)

    def take_update(self, update_id: int) -> dict[str, Any] | None:
        with self._lock:
            for update in list(self._updates):
                if update["update_id"] == update_id:
                    self._updates.remove(update)
                    self._last_handed_out_update_id = max(
                        self._last_handed_out_update_id, update_id
                    )
                    return copy.deepcopy(update)
            return None

    def handed_out(self, update_id: int) -> bool:
        """Whether the bot has received this update (through getUpdates, a webhook or in-process)."""
        with self._lock:
            return self._last_handed_out_update_id >= update_id

    def next_update_id(self) -> int:
        with self._lock:
            return self._next_update_id

    def updates_ready(self, params: Mapping[str, Any]) -> bool:
        """Whether getUpdates with these parameters would answer right now (long-poll check)."""
        with self._lock:
            if self._webhook is not None:
                return True
            wrapped = Params(params)
            offset = wrapped.get_int("offset")
            allowed = wrapped.get_json("allowed_updates")
            allowed_set = self._resolve_allowed(allowed) if allowed is not None else None
            allowed_set = allowed_set or self._allowed_updates
            for update in self._updates:
                if offset is not None and offset > 0 and update["update_id"] < offset:
                    continue
                if update_type(update) in allowed_set:
                    return True
            return False

    def wait_for_updates_blocking(
        self,
        params: Mapping[str, Any],
        timeout: float,
        stop: threading.Event | None = None,
    ) -> None:
        """Block the calling (server) thread until getUpdates would answer, time runs out or
        `stop` is set."""
        deadline = time.monotonic() + timeout
        with self._updates_changed:
            while not self.updates_ready(params) and not (stop is not None and stop.is_set()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._updates_changed.wait(min(remaining, 0.5))

    def wake_pollers(self) -> None:
        """Wake every blocked long-poll so it can re-check (used when a server stops)."""
        with self._lock:
            self._notify_update_waiters()

    @staticmethod
    def _resolve_allowed(allowed: Iterable[str]) -> frozenset[str]:
        chosen = frozenset(allowed)
        return chosen or DEFAULT_ALLOWED_UPDATES

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - the brief's signature; tests read better so
        *,
        since: int = 0,
    ) -> Call:
        """Wait (without blocking the event loop) until the bot made a matching call."""
        deadline = time.monotonic() + timeout
        while True:
            for call in self.calls_since(since, method):
                if predicate is None or predicate(call):
                    return call
            if time.monotonic() >= deadline:
                made = [c.method for c in self.calls_since(since)]
                raise TimeoutError(f"no {method} call within {timeout}s; calls made: {made}")
            await asyncio.sleep(0.01)

    def wait_for_call_blocking(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,
        *,
        since: int = 0,
    ) -> Call:
        """Like wait_for_call, for synchronous tests driving a bot that runs in another process."""
        deadline = time.monotonic() + timeout
        while True:
            for call in self.calls_since(since, method):
                if predicate is None or predicate(call):
                    return call
            if time.monotonic() >= deadline:
                raise TimeoutError(f"no {method} call within {timeout}s")
            time.sleep(0.01)

    async def deliver_webhook(self, update: Mapping[str, Any] | None = None) -> list[int]:
        """POST the update (or every queued one) to the webhook as Telegram does; HTTP statuses.

        Updates the webhook answers with a non-2xx status stay queued, as Telegram retries them.
        """
        with self._lock:
            if self._webhook is None:
                raise RuntimeError("no webhook is set (the bot never called setWebhook)")
            hook = dict(self._webhook)
            if update is None:
                for unwanted in [
                    u for u in self._updates if update_type(u) not in self._allowed_updates
                ]:
                    self._updates.remove(unwanted)
                    self.dropped_updates.append(unwanted)
                batch = list(self._updates)
            else:
                batch = [dict(update)]
        headers = {"Content-Type": "application/json"}
        if hook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        statuses = []
        async with httpx.AsyncClient(timeout=10.0) as client:
            for item in batch:
                response = await client.post(hook["url"], content=json.dumps(item), headers=headers)
                statuses.append(response.status_code)
                if 200 <= response.status_code < 300:
                    self.take_update(item["update_id"])
        return statuses

    # -- what users do (each returns what it created; updates go to the queue) -----------------

    def user_message(
        self,
        user: FakeUser | int,
        chat: FakeChat | int,
        text: str | None,
        *,
        reply_to: SentMessage | int | None = None,
        forward_from: FakeUser | FakeChat | None = None,
        photo: bytes | None = None,
        entities: list[dict[str, Any]] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> tuple[SentMessage, dict[str, Any] | None]:
        """A user writes in a chat. Returns the stored message and its update (None when
        Telegram would not tell the bot, e.g. privacy mode or the bot is not in the group)."""
        with self._lock:
            sender, where = self._user(user), self._chat(chat)
            if where.migrated_to is not None:
                raise ValueError(f"chat {where.id} was upgraded to {where.migrated_to}")
            if where.type == "private":
                if where.user is not sender:
                    raise ValueError("a user can only write in their own private chat")
                sender.started = True
                if sender.blocked:
                    self.unblock(sender)
            else:
                self._require_user_can_write(where, sender)
            data: dict[str, Any] = {}
            body_entities = (
                entities if entities is not None else (detect_entities(text) if text else [])
            )
            if photo is not None:
                stored = self._store_file(photo, None, "image/jpeg", "photos", suffix=".jpg")
                data["photo"] = self._photo_sizes(stored)
                if text is not None:
                    data["caption"] = text
                    if body_entities:
                        data["caption_entities"] = body_entities
            elif text is not None:
                data["text"] = text
                if body_entities:
                    data["entities"] = body_entities
            if forward_from is not None:
                data["forward_origin"] = self._forward_origin(forward_from)
            if reply_to is not None:
                target = self._resolve_message(where, reply_to)
                data["reply_to_message"] = _strip_nested_reply(target.data)
            data.update(extra or {})
            message = self._store_message(where, sender, data)
            if not self._bot_receives_message(where, message):
                return message, None
            return message, self._emit({"message": copy.deepcopy(message.data)})

    def user_service_message(
        self, user: FakeUser | int, chat: FakeChat | int, content: Mapping[str, Any]
    ) -> tuple[SentMessage, dict[str, Any] | None]:
        """A service message (new_chat_members, left_chat_member, ...) attributed to the user."""
        with self._lock:
            sender, where = self._user(user), self._chat(chat)
            message = self._store_message(where, sender, dict(content))
            if self._bot_status(where) in ("left", "kicked"):
                return message, None
            return message, self._emit({"message": copy.deepcopy(message.data)})

    def user_edit(
        self, user: FakeUser | int, message: SentMessage, new_text: str
    ) -> tuple[SentMessage, dict[str, Any] | None]:
        with self._lock:
            sender = self._user(user)
            if message.sender_id != sender.id:
                raise ValueError("users can only edit their own messages")
            if message.deleted:
                raise ValueError("the message was deleted")
            message.edits.append(copy.deepcopy(message.data))
            key = "caption" if "caption" in message.data or "photo" in message.data else "text"
            message.data[key] = new_text
            entities = detect_entities(new_text)
            entity_key = "caption_entities" if key == "caption" else "entities"
            message.data.pop(entity_key, None)
            if entities:
                message.data[entity_key] = entities
            message.data["edit_date"] = self._today()
            where = self._chats[message.chat_id]
            if not self._bot_receives_message(where, message):
                return message, None
            return message, self._emit({"edited_message": copy.deepcopy(message.data)})

    def user_callback(
        self, user: FakeUser | int, message: SentMessage, data: str
    ) -> dict[str, Any]:
        """The user presses a button carrying `data` (valid or forged) under a bot message."""
        with self._lock:
            presser = self._user(user)
            if message.deleted:
                raise ValueError("the message with this button was deleted")
            if not message.from_bot:
                raise ValueError("only the bot's messages carry callback buttons")
            query_id = str(self._random.getrandbits(63))
            query = {
                "id": query_id,
                "from": presser.to_api(),
                "message": copy.deepcopy(message.data),
                "chat_instance": str(abs(message.chat_id) * 7919 % 10**18),
                "data": data,
            }
            self._callback_queries[query_id] = {"answered": False, "user_id": presser.id}
            return self._emit({"callback_query": query})

    def user_join_request(
        self,
        user: FakeUser | int,
        chat: FakeChat | int,
        invite_link: InviteLink | str | None = None,
        bio: str | None = None,
    ) -> dict[str, Any] | None:
        with self._lock:
            requester, where = self._user(user), self._chat(chat)
            if self._member(where, requester.id).status == "kicked":
                raise ValueError(f"{requester.first_name} is banned from {where.title!r}")
            link = self._invite_link_for(where, invite_link)
            self._join_requests[(where.id, requester.id)] = {
                "invite_link": link.url if link else None,
                "date": self._today(),
            }
            # Telegram lets the bot write to a requester for five minutes, started or not.
            requester.dm_allowed_until = self._clock() + JOIN_REQUEST_DM_WINDOW_SECONDS
            if link is not None:
                link.pending_join_request_count += 1
            if not self._bot_has_right(where, "can_invite_users"):
                return None
            body: dict[str, Any] = {
                "chat": where.to_api(),
                "from": requester.to_api(),
                "user_chat_id": requester.id,
                "date": self._today(),
            }
            if bio:
                body["bio"] = bio
            if link is not None:
                body["invite_link"] = self._invite_link_api(link)
            return self._emit({"chat_join_request": body})

    def user_joins(
        self,
        user: FakeUser | int,
        chat: FakeChat | int,
        *,
        invite_link: InviteLink | str | None = None,
        by: FakeUser | int | None = None,
    ) -> list[dict[str, Any]]:
        """A user joins (by link) or is added (`by` someone): service message + chat_member."""
        with self._lock:
            joiner, where = self._user(user), self._chat(chat)
            actor = self._user(by) if by is not None else joiner
            link = self._invite_link_for(where, invite_link)
            if link is not None:
                self._check_link_usable(link)
                link.joined_count += 1
            return self._join_locked(where, joiner, actor, link, via_join_request=False)

    def user_leaves(self, user: FakeUser | int, chat: FakeChat | int) -> list[dict[str, Any]]:
        with self._lock:
            leaver, where = self._user(user), self._chat(chat)
            old = self._member(where, leaver.id)
            if not old.in_chat:
                raise ValueError("the user is not in the chat")
            updates = []
            _, message_update = self.user_service_message(
                leaver, where, {"left_chat_member": leaver.to_api()}
            )
            if message_update:
                updates.append(message_update)
            self._set_member_locked(where, leaver.id, "left")
            member_update = self._emit_chat_member(where, leaver, old, actor=leaver)
            if member_update:
                updates.append(member_update)
            return updates

    def change_member(
        self,
        chat: FakeChat | int,
        user: FakeUser | int,
        new_status: str,
        *,
        old_status: str | None = None,
        by: FakeUser | int | None = None,
        rights: Mapping[str, bool] | None = None,
        permissions: Mapping[str, bool] | None = None,
        until_date: int = 0,
    ) -> dict[str, Any] | None:
        """Someone (a human admin by default) changes a member's status: a chat_member update."""
        with self._lock:
            where, target = self._chat(chat), self._user(user)
            if target.id == self.bot.id:
                raise ValueError("use change_bot_status for the bot itself")
            old = self._member(where, target.id)
            if old_status is not None:
                old = copy.deepcopy(old)
                old.status = old_status
                if old_status == "administrator" and not old.rights:
                    old.rights = default_admin_rights()
            actor = self._user(by) if by is not None else self._chat_owner_or(where, target)
            self._set_member_locked(
                where,
                target.id,
                new_status,
                rights=rights,
                permissions=permissions,
                until_date=until_date,
            )
            return self._emit_chat_member(where, target, old, actor=actor)

    def change_bot_status(
        self,
        chat: FakeChat | int,
        new_status: str,
        *,
        old_status: str | None = None,
        rights: Mapping[str, bool] | None = None,
        by: FakeUser | int | None = None,
    ) -> dict[str, Any]:
        """Someone changes the bot's own status in a chat: a my_chat_member update."""
        with self._lock:
            where = self._chat(chat)
            old = copy.deepcopy(self._member(where, self.bot.id))
            if old_status is not None:
                old.status = old_status
                if old_status == "administrator" and not old.rights:
                    old.rights = default_admin_rights()
            actor = self._user(by) if by is not None else self._chat_owner_or(where, self.bot)
            self._set_member_locked(where, self.bot.id, new_status, rights=rights)
            return self._emit_my_chat_member(where, actor, old=old, new=None)

    def migrate(self, chat: FakeChat | int, by: FakeUser | int | None = None) -> FakeChat:
        """A basic group is upgraded to a supergroup: new id, members kept, two service messages."""
        with self._lock:
            old = self._chat(chat)
            if old.type != "group":
                raise ValueError("only basic groups can be migrated")
            actor = self._user(by) if by is not None else self._chat_owner_or(old, self.bot)
            new = FakeChat(
                self._next_supergroup_id,
                "supergroup",
                title=old.title,
                username=old.username,
                members=copy.deepcopy(old.members),
                permissions=dict(old.permissions),
                migrated_from=old.id,
            )
            self._next_supergroup_id -= 1
            self._chats[new.id] = new
            self.user_service_message(actor, old, {"migrate_to_chat_id": new.id})
            old.migrated_to = new.id
            self.user_service_message(actor, new, {"migrate_from_chat_id": old.id})
            return new

    def user_reacts(
        self, user: FakeUser | int, message: SentMessage, emoji: str | list[str] | None
    ) -> dict[str, Any] | None:
        """A user sets (or with None clears) their reaction. Telegram only tells admin bots."""
        with self._lock:
            reactor = self._user(user)
            where = self._chats[message.chat_id]
            emojis = [] if emoji is None else [emoji] if isinstance(emoji, str) else list(emoji)
            new = [{"type": "emoji", "emoji": e} for e in emojis]
            old = message.reactions.get(reactor.id, [])
            if new:
                message.reactions[reactor.id] = new
            else:
                message.reactions.pop(reactor.id, None)
            if where.is_group and self._bot_status(where) not in ("administrator", "creator"):
                return None
            return self._emit(
                {
                    "message_reaction": {
                        "chat": where.to_api(),
                        "message_id": message.message_id,
                        "user": reactor.to_api(),
                        "date": self._today(),
                        "old_reaction": old,
                        "new_reaction": new,
                    }
                }
            )

    # -- internals: lookups --------------------------------------------------------------------

    def _user(self, user: FakeUser | int) -> FakeUser:
        user_id = user.id if isinstance(user, FakeUser) else int(user)
        try:
            return self._users[user_id]
        except KeyError:
            raise KeyError(f"unknown user {user_id}") from None

    def _chat(self, chat: FakeChat | int | FakeUser) -> FakeChat:
        chat_id = chat.id if isinstance(chat, FakeChat | FakeUser) else int(chat)
        return self._chats[chat_id]

    def _chat_id(self, chat: FakeChat | int | FakeUser) -> int:
        return chat.id if isinstance(chat, FakeChat | FakeUser) else int(chat)

    def _chat_param(self, params: Params, name: str = "chat_id") -> FakeChat:
        raw = params.values.get(name)
        if raw is None or raw == "":
            raise bad_request(f"{name} is empty")
        if isinstance(raw, str) and raw.startswith("@"):
            found = next((c for c in self._chats.values() if c.username == raw[1:]), None)
            if found is None or found.type == "private":
                raise bad_request("chat not found")
            chat = found
        else:
            chat_id = params.require_int(name)
            known = self._chats.get(chat_id)
            if known is None:
                raise bad_request("chat not found")
            chat = known
        if chat.migrated_to is not None:
            raise bad_request(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        return chat

    def _user_param(self, params: Params, name: str = "user_id") -> FakeUser:
        user_id = params.require_int(name)
        user = self._users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        return user

    def _bot_status(self, chat: FakeChat) -> str:
        return self._member(chat, self.bot.id).status

    def _bot_has_right(self, chat: FakeChat, right: str) -> bool:
        member = self._member(chat, self.bot.id)
        if member.status == "creator":
            return True
        return member.status == "administrator" and bool(member.rights.get(right))

    def _chat_owner_or(self, chat: FakeChat, fallback: FakeUser) -> FakeUser:
        owner = next((m.user_id for m in chat.members.values() if m.status == "creator"), None)
        return self._users[owner] if owner is not None else fallback

    def _resolve_message(self, chat: FakeChat, ref: SentMessage | int) -> SentMessage:
        message_id = ref.message_id if isinstance(ref, SentMessage) else int(ref)
        message = self._messages.get(chat.id, {}).get(message_id)
        if message is None:
            raise KeyError(f"no message {message_id} in chat {chat.id}")
        return message

    def _find_message(self, chat: FakeChat, message_id: int) -> SentMessage | None:
        message = self._messages.get(chat.id, {}).get(message_id)
        return None if message is None or message.deleted else message

    # -- internals: permissions ----------------------------------------------------------------

    def _require_bot_present(self, chat: FakeChat) -> None:
        if chat.type == "private":
            return
        kind = "supergroup" if chat.type == "supergroup" else "group"
        status = self._bot_status(chat)
        if status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        if status == "left" or (
            status == "restricted" and not self._member(chat, self.bot.id).is_member
        ):
            raise forbidden(f"bot is not a member of the {kind} chat")

    def _require_can_send(self, chat: FakeChat, what: str, permission: str) -> None:
        if chat.type == "private":
            user = chat.user
            assert user is not None
            if user.is_bot:
                raise forbidden("bot can't send messages to bots")
            if user.deactivated:
                raise forbidden("user is deactivated")
            if user.blocked:
                raise forbidden("bot was blocked by the user")
            if not user.started and user.dm_allowed_until < self._clock():
                raise forbidden("bot can't initiate conversation with a user")
            return
        self._require_bot_present(chat)
        member = self._member(chat, self.bot.id)
        if member.status in ("creator", "administrator"):
            return
        allowed = (
            member.permissions.get(permission, False)
            if member.status == "restricted"
            else chat.permissions.get(permission, True)
        )
        if not allowed:
            raise bad_request(f"not enough rights to send {what} to the chat")

    def _require_user_can_write(self, chat: FakeChat, user: FakeUser) -> None:
        member = self._member(chat, user.id)
        if not member.in_chat:
            raise ValueError(
                f"{user.first_name} is not a member of {chat.title!r} (status {member.status}); "
                "Telegram would not let them write there"
            )
        if member.status == "restricted" and not member.permissions.get("can_send_messages"):
            raise ValueError(f"{user.first_name} is restricted and cannot write in {chat.title!r}")
        if member.status == "member" and not chat.permissions.get("can_send_messages", True):
            raise ValueError(f"members cannot write in {chat.title!r}")

    def _require_supergroup(self, chat: FakeChat) -> None:
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        if chat.type != "supergroup":
            raise bad_request("method is available only for supergroups")

    def _require_restrict_right(self, chat: FakeChat) -> None:
        self._require_bot_present(chat)
        if not self._bot_has_right(chat, "can_restrict_members"):
            raise bad_request("not enough rights to restrict/unrestrict chat member")

    def _bot_receives_message(self, chat: FakeChat, message: SentMessage) -> bool:
        if chat.type == "private":
            return True
        status = self._bot_status(chat)
        if status in ("left", "kicked"):
            return False
        if not self.privacy_mode or status in ("administrator", "creator"):
            return True
        # Privacy mode: commands, replies to the bot, mentions of the bot and service messages.
        text = message.content or ""
        if "text" not in message.data and "caption" not in message.data:
            return True
        reply = message.data.get("reply_to_message")
        if reply and reply.get("from", {}).get("id") == self.bot.id:
            return True
        mention = f"@{self.bot.username}"
        if mention.lower() in text.lower():
            return True
        return text.startswith("/")

    # -- internals: members and updates ----------------------------------------------------------

    def _member_api(self, chat: FakeChat, member: Member) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status": member.status,
            "user": self._users[member.user_id].to_api(),
        }
        if member.status == "creator":
            data["is_anonymous"] = False
            if member.custom_title:
                data["custom_title"] = member.custom_title
        elif member.status == "administrator":
            data["can_be_edited"] = member.can_be_edited
            data.update({key: bool(member.rights.get(key)) for key in ADMIN_RIGHT_KEYS})
            if chat.type != "supergroup":
                data.pop("can_manage_topics")
            if member.custom_title:
                data["custom_title"] = member.custom_title
        elif member.status == "restricted":
            data["is_member"] = member.is_member
            data.update({key: bool(member.permissions.get(key)) for key in PERMISSION_KEYS})
            data["until_date"] = member.until_date
        elif member.status == "kicked":
            data["until_date"] = member.until_date
        elif member.status == "member" and member.until_date:
            data["until_date"] = member.until_date
        return data

    def _emit_chat_member(
        self,
        chat: FakeChat,
        user: FakeUser,
        old: Member,
        *,
        actor: FakeUser,
        invite_link: InviteLink | None = None,
        via_join_request: bool = False,
    ) -> dict[str, Any] | None:
        # Telegram sends chat_member updates only to bots that administer the chat.
        if chat.is_group and self._bot_status(chat) not in ("administrator", "creator"):
            return None
        new = self._member(chat, user.id)
        body: dict[str, Any] = {
            "chat": chat.to_api(),
            "from": actor.to_api(),
            "date": self._today(),
            "old_chat_member": self._member_api(chat, old),
            "new_chat_member": self._member_api(chat, new),
        }
        if invite_link is not None:
            body["invite_link"] = self._invite_link_api(invite_link)
        if via_join_request:
            body["via_join_request"] = True
        return self._emit({"chat_member": body})

    def _emit_my_chat_member(
        self,
        chat: FakeChat,
        actor: FakeUser,
        *,
        old: str | Member,
        new: str | None,
    ) -> dict[str, Any]:
        old_member = old if isinstance(old, Member) else Member(self.bot.id, old)
        new_member = self._member(chat, self.bot.id) if new is None else Member(self.bot.id, new)
        if new_member.status == "kicked" and chat.type == "private":
            new_member = Member(self.bot.id, "kicked", until_date=0)
        body = {
            "chat": chat.to_api(),
            "from": actor.to_api(),
            "date": self._today(),
            "old_chat_member": self._member_api(chat, old_member),
            "new_chat_member": self._member_api(chat, new_member),
        }
        return self._emit({"my_chat_member": body})

    def _join_locked(
        self,
        chat: FakeChat,
        joiner: FakeUser,
        actor: FakeUser,
        link: InviteLink | None,
        *,
        via_join_request: bool,
    ) -> list[dict[str, Any]]:
        old = copy.deepcopy(self._member(chat, joiner.id))
        if old.status == "kicked":
            raise ValueError(f"{joiner.first_name} is banned from {chat.title!r}")
        updates = []
        if old.status == "restricted":
            # Restrictions outlive leaving: a restricted user who comes back is still restricted.
            self._set_member_locked(
                chat,
                joiner.id,
                "restricted",
                permissions=old.permissions,
                until_date=old.until_date,
                is_member=True,
            )
        elif not old.in_chat:
            self._set_member_locked(chat, joiner.id, "member")
        if joiner.id == self.bot.id:
            updates.append(self._emit_my_chat_member(chat, actor, old=old, new=None))
        else:
            member_update = self._emit_chat_member(
                chat, joiner, old, actor=actor, invite_link=link, via_join_request=via_join_request
            )
            if member_update:
                updates.append(member_update)
        sender = joiner if actor is self.bot else actor
        _, message_update = self.user_service_message(
            sender, chat, {"new_chat_members": [joiner.to_api()]}
        )
        if message_update:
            updates.append(message_update)
        return updates

    # -- internals: messages and files ---------------------------------------------------------

    def _store_message(
        self,
        chat: FakeChat,
        sender: FakeUser,
        content: dict[str, Any],
        *,
        method: str | None = None,
        parse_mode: str | None = None,
        raw_text: str | None = None,
        reply_markup: dict[str, Any] | None = None,
        file: StoredFile | None = None,
    ) -> SentMessage:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        date = self._today()
        data: dict[str, Any] = {
            "message_id": message_id,
            "from": sender.to_api(),
            "chat": chat.to_api(),
            "date": date,
            **content,
        }
        if reply_markup and "inline_keyboard" in reply_markup:
            data["reply_markup"] = copy.deepcopy(reply_markup)
        message = SentMessage(
            chat_id=chat.id,
            message_id=message_id,
            sender_id=sender.id,
            from_bot=sender.id == self.bot.id,
            date=date,
            data=data,
            method=method,
            parse_mode=parse_mode,
            raw_text=raw_text,
            reply_markup=copy.deepcopy(reply_markup),
            file=file,
        )
        self._messages.setdefault(chat.id, {})[message_id] = message
        return message

    def _store_file(
        self,
        content: bytes | None,
        filename: str | None,
        mime_type: str | None,
        folder: str,
        suffix: str = "",
    ) -> StoredFile:
        serial = len(self._files) + 1
        file_id = f"BQACAgIAAxkB{serial:06d}{self._random.getrandbits(40):010x}"
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=f"AgAD{serial:06d}",
            file_path=f"{folder}/file_{serial}{suffix or _suffix(filename)}",
            filename=filename,
            content=content,
            mime_type=mime_type,
        )
        self._files[file_id] = stored
        return stored

    def _photo_sizes(self, stored: StoredFile) -> list[dict[str, Any]]:
        width, height = _png_size(stored.content or b"") or (800, 600)
        return [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": width,
                "height": height,
                "file_size": len(stored.content or b""),
            }
        ]

    def _forward_origin(self, source: FakeUser | FakeChat) -> dict[str, Any]:
        if isinstance(source, FakeUser):
            return {"type": "user", "sender_user": source.to_api(), "date": self._today()}
        return {"type": "chat", "sender_chat": source.to_api(), "date": self._today()}

    def _format(
        self,
        params: Params,
        text_name: str,
        entities_name: str,
        limit: int,
        *,
        required: bool,
        too_long: str,
    ) -> tuple[str | None, list[dict[str, Any]]]:
        raw = params.get_str(text_name)
        if raw is None or raw == "":
            if required:
                raise bad_request("message text is empty")
            return None, []
        explicit = params.get_json(entities_name)
        if explicit is not None:
            text, entities = raw, list(explicit)
        else:
            text, entities = parse_text(raw, params.get_str("parse_mode"))
        text, entities = strip_text(text, entities)
        if not text:
            if required:
                raise bad_request("message text is empty")
            return None, []
        if len(text) > limit:
            raise bad_request(too_long)
        return text, entities

    def _reply_markup(self, params: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
        markup = params.get_json("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            self._validate_inline_keyboard(markup["inline_keyboard"])
            return markup
        if inline_only:
            raise bad_request("can't parse inline keyboard markup JSON object")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad_request("can't parse reply keyboard markup JSON object")
            return markup
        if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
            return markup
        raise bad_request("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _validate_inline_keyboard(rows: Any) -> None:
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("can't parse inline keyboard markup JSON object")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                    raise bad_request(
                        "can't parse inline keyboard button: Can't find field \"text\""
                    )
                actions = [key for key in _INLINE_BUTTON_ACTIONS if key in button]
                if not actions:
                    raise bad_request(
                        "can't parse inline keyboard button: Text buttons are unallowed in the "
                        "inline keyboard"
                    )
                if not button["text"].strip():
                    raise bad_request("BUTTON_TEXT_INVALID")
                if "callback_data" in button:
                    data = button["callback_data"]
                    size = len(str(data).encode("utf-8"))
                    if not isinstance(data, str) or not 1 <= size <= MAX_CALLBACK_DATA_BYTES:
                        raise bad_request("BUTTON_DATA_INVALID")
                if "url" in button and not re.match(r"^(?:https?|tg)://\S+$", str(button["url"])):
                    raise bad_request(
                        f"inline keyboard button URL '{button['url']}' is invalid: Wrong HTTP URL"
                    )

    def _reply_target(self, chat: FakeChat, params: Params) -> SentMessage | None:
        reply = params.get_json("reply_parameters")
        if reply is not None:
            message_id = int(reply.get("message_id", 0))
            target_chat = chat
            if reply.get("chat_id") not in (None, chat.id):
                target_chat = self._chat_param(Params({"chat_id": reply["chat_id"]}))
            allow_without = bool(reply.get("allow_sending_without_reply"))
        else:
            message_id = params.get_int("reply_to_message_id") or 0
            if not message_id:
                return None
            target_chat = chat
            allow_without = params.get_bool("allow_sending_without_reply")
        target = self._find_message(target_chat, message_id)
        if target is None and not allow_without:
            raise bad_request("message to be replied not found")
        return target

    def _send(
        self,
        chat: FakeChat,
        method: str,
        params: Params,
        content: dict[str, Any],
        *,
        raw_text: str | None = None,
        file: StoredFile | None = None,
    ) -> dict[str, Any]:
        markup = self._reply_markup(params)
        target = self._reply_target(chat, params)
        if target is not None:
            content["reply_to_message"] = _strip_nested_reply(target.data)
        message = self._store_message(
            chat,
            self.bot,
            content,
            method=method,
            parse_mode=params.get_str("parse_mode"),
            raw_text=raw_text,
            reply_markup=markup,
            file=file,
        )
        return message.data

    def _message_param(self, chat: FakeChat, params: Params, missing: str) -> SentMessage:
        if params.has("inline_message_id") and not params.has("chat_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        message = self._find_message(chat, params.require_int("message_id"))
        if message is None:
            raise bad_request(missing)
        return message

    def _upload(self, params: Params, name: str, folder: str) -> StoredFile:
        value = params.values.get(name)
        if isinstance(value, UploadedFile):
            if not value.content:
                raise bad_request("file must be non-empty")
            if len(value.content) > MAX_UPLOAD_BYTES:
                raise ApiError(413, "Request Entity Too Large")
            return self._store_file(value.content, value.filename, value.mime_type, folder)
        if isinstance(value, str) and value:
            if value in self._files:
                return self._files[value]
            if value.startswith(("http://", "https://")):
                return self._store_file(None, value.rsplit("/", 1)[-1] or None, None, folder)
            raise bad_request("wrong file identifier/HTTP URL specified")
        raise bad_request(f"there is no {name} in the request")

    def _scope_key(self, scope: Mapping[str, Any] | None) -> tuple[Any, ...]:
        if not scope:
            return ("default",)
        kind = scope.get("type", "default")
        if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
            return (kind,)
        if kind in ("chat", "chat_administrators", "chat_member"):
            chat = self._chat_param(Params({"chat_id": scope.get("chat_id")}))
            if kind == "chat_member":
                return (kind, chat.id, int(scope.get("user_id", 0)))
            return (kind, chat.id)
        raise bad_request("unsupported bot command scope type")

    @staticmethod
    def _language_param(params: Params) -> str:
        language = params.get_str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        return language

    def _invite_link_for(self, chat: FakeChat, link: InviteLink | str | None) -> InviteLink | None:
        if link is None:
            return None
        url = link.url if isinstance(link, InviteLink) else link
        known = self._invite_links.get(url)
        if known is not None:
            return known
        owner = self._chat_owner_or(chat, self.bot)
        made = InviteLink(url=url, chat_id=chat.id, creator_id=owner.id)
        self._invite_links[url] = made
        return made

    def _check_link_usable(self, link: InviteLink) -> None:
        if link.is_revoked:
            raise ValueError(f"invite link {link.url} was revoked")
        if link.expire_date and link.expire_date <= self._clock():
            raise ValueError(f"invite link {link.url} has expired")
        if link.member_limit and link.joined_count >= link.member_limit:
            raise ValueError(f"invite link {link.url} reached its member limit")
        if link.creates_join_request:
            raise ValueError(f"invite link {link.url} needs approval: use a join request")

    def _invite_link_api(self, link: InviteLink) -> dict[str, Any]:
        data: dict[str, Any] = {
            "invite_link": link.url,
            "creator": self._users[link.creator_id].to_api(),
            "creates_join_request": link.creates_join_request,
            "is_primary": link.is_primary,
            "is_revoked": link.is_revoked,
        }
        if link.name:
            data["name"] = link.name
        if link.expire_date:
            data["expire_date"] = link.expire_date
        if link.member_limit:
            data["member_limit"] = link.member_limit
        if link.creates_join_request:
            data["pending_join_request_count"] = link.pending_join_request_count
        return data

    def _new_invite_link(self, chat: FakeChat, params: Params, *, primary: bool) -> InviteLink:
        if not chat.is_group:
            raise bad_request("chat not found")
        self._require_bot_present(chat)
        if not self._bot_has_right(chat, "can_invite_users"):
            raise bad_request("not enough rights to manage chat invite links")
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
        token = "".join(self._random.choice(alphabet) for _ in range(16))
        link = InviteLink(url=f"https://t.me/+{token}", chat_id=chat.id, creator_id=self.bot.id)
        link.is_primary = primary
        if not primary:
            self._apply_link_options(link, params)
        self._invite_links[link.url] = link
        return link

    def _apply_link_options(self, link: InviteLink, params: Params) -> None:
        if "name" in params.values:
            name = params.get_str("name") or None
            if name and len(name) > 32:
                raise bad_request("invite link name is too long")
            link.name = name
        if "expire_date" in params.values:
            link.expire_date = params.get_int("expire_date") or None
        if "member_limit" in params.values:
            limit = params.get_int("member_limit") or None
            if limit is not None and not 1 <= limit <= 99999:
                raise bad_request("member limit must be between 1 and 99999")
            link.member_limit = limit
        if "creates_join_request" in params.values:
            link.creates_join_request = params.get_bool("creates_join_request")
        if link.creates_join_request and link.member_limit:
            raise bad_request("member_limit can't be specified for links requiring approval")

    def _normalize_until(self, until: int | None) -> int:
        if not until:
            return 0
        delta = until - self._clock()
        # Telegram: under 30 seconds or over 366 days means "forever".
        return 0 if delta < 30 or delta > 366 * 86400 else int(until)

    def _require_member_target(self, chat: FakeChat, user: FakeUser, *, owner_error: str) -> Member:
        member = self._member(chat, user.id)
        if member.status == "creator":
            raise bad_request(owner_error)
        if member.status == "administrator":
            raise bad_request("user is an administrator of the chat")
        return member


def _suffix(filename: str | None) -> str:
    if filename and "." in filename:
        return "." + filename.rsplit(".", 1)[-1]
    return ""


# ---------------------------------------------------------------------------------------------
# Bot API methods
# ---------------------------------------------------------------------------------------------


@_api("getMe")
def _get_me(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    return {
        **fake.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": not fake.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@_api("getUpdates")
def _get_updates(fake: FakeTelegram, params: Params) -> list[dict[str, Any]]:
    if fake._webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
            "delete the webhook first",
        )
    offset = params.get_int("offset")
    limit = min(max(params.get_int("limit") or 100, 1), 100)
    allowed = params.get_json("allowed_updates")
    if allowed is not None:
        fake._allowed_updates = fake._resolve_allowed(allowed)
    if offset is not None and offset > 0:
        while fake._updates and fake._updates[0]["update_id"] < offset:
            fake._updates.popleft()
    elif offset is not None and offset < 0:
        while len(fake._updates) > -offset:
            fake._updates.popleft()
    # Updates of types the bot did not ask for are never delivered (Telegram drops them).
    for update in list(fake._updates):
        if update_type(update) not in fake._allowed_updates:
            fake._updates.remove(update)
            fake.dropped_updates.append(update)
            fake._last_handed_out_update_id = max(
                fake._last_handed_out_update_id, update["update_id"]
            )
    batch = list(fake._updates)[:limit]
    if batch:
        fake._last_handed_out_update_id = max(
            fake._last_handed_out_update_id, batch[-1]["update_id"]
        )
    return batch


@_api("setWebhook")
def _set_webhook(fake: FakeTelegram, params: Params) -> bool:
    url = params.get_str("url") or ""
    if not url:
        fake._webhook = None
        return True
    if not re.match(r"^https?://[^\s/]+", url):
        raise bad_request("bad webhook: Failed to resolve host: Name or service not known")
    secret = params.get_str("secret_token")
    if secret is not None and not _SECRET_TOKEN_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = params.get_int("max_connections", 40)
    if max_connections is not None and not 1 <= max_connections <= 100:
        raise bad_request("max_connections must be between 1 and 100")
    if params.get_bool("drop_pending_updates"):
        fake._updates.clear()
    allowed = params.get_json("allowed_updates")
    if allowed is not None:
        fake._allowed_updates = fake._resolve_allowed(allowed)
    fake._webhook = {
        "url": url,
        "secret_token": secret,
        "max_connections": max_connections,
        "ip_address": params.get_str("ip_address"),
    }
    fake._notify_update_waiters()
    return True


@_api("deleteWebhook")
def _delete_webhook(fake: FakeTelegram, params: Params) -> bool:
    fake._webhook = None
    if params.get_bool("drop_pending_updates"):
        fake._updates.clear()
    return True


@_api("getWebhookInfo")
def _get_webhook_info(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    info: dict[str, Any] = {
        "url": fake._webhook["url"] if fake._webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(fake._updates),
    }
    if fake._webhook:
        info["max_connections"] = fake._webhook["max_connections"]
        info["allowed_updates"] = sorted(fake._allowed_updates)
        if fake._webhook.get("ip_address"):
            info["ip_address"] = fake._webhook["ip_address"]
    return info


@_api("sendMessage")
def _send_message(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    chat = fake._chat_param(params)
    fake._require_can_send(chat, "text messages", "can_send_messages")
    text, entities = fake._format(
        params, "text", "entities", MAX_TEXT_LENGTH, required=True, too_long="message is too long"
    )
    content: dict[str, Any] = {"text": text}
    if entities:
        content["entities"] = entities
    return fake._send(chat, "sendMessage", params, content, raw_text=params.get_str("text"))


def _send_file(fake: FakeTelegram, params: Params, kind: str) -> dict[str, Any]:
    chat = fake._chat_param(params)
    what, permission = (
        ("photos", "can_send_photos")
        if kind == "photo"
        else (
            "documents",
            "can_send_documents",
        )
    )
    fake._require_can_send(chat, what, permission)
    caption, entities = fake._format(
        params,
        "caption",
        "caption_entities",
        MAX_CAPTION_LENGTH,
        required=False,
        too_long="message caption is too long",
    )
    stored = fake._upload(params, kind, "photos" if kind == "photo" else "documents")
    content: dict[str, Any] = {}
    if kind == "photo":
        if stored.content is not None:
            if not _looks_like_image(stored.content):
                raise bad_request("IMAGE_PROCESS_FAILED")
            size = _png_size(stored.content)
            if size and (sum(size) > 10000 or max(size) > 20 * max(1, min(size))):
                raise bad_request("PHOTO_INVALID_DIMENSIONS")
        content["photo"] = fake._photo_sizes(stored)
    else:
        document: dict[str, Any] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
        }
        if stored.filename:
            document["file_name"] = stored.filename
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        if stored.content is not None:
            document["file_size"] = len(stored.content)
        content["document"] = document
    if caption:
        content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
    method = "sendPhoto" if kind == "photo" else "sendDocument"
    return fake._send(
        chat, method, params, content, raw_text=params.get_str("caption"), file=stored
    )


@_api("sendDocument")
def _send_document(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    return _send_file(fake, params, "document")


@_api("sendPhoto")
def _send_photo(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    return _send_file(fake, params, "photo")


@_api("forwardMessage")
def _forward_message(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    chat = fake._chat_param(params)
    source_chat = fake._chat_param(params, "from_chat_id")
    source = fake._find_message(source_chat, params.require_int("message_id"))
    if source is None:
        raise bad_request("message to forward not found")
    fake._require_can_send(chat, "text messages", "can_send_messages")
    content = {
        key: copy.deepcopy(value)
        for key, value in source.data.items()
        if key in ("text", "entities", "caption", "caption_entities", "document", "photo")
    }
    sender = fake._users[source.sender_id]
    content["forward_origin"] = {
        "type": "user",
        "sender_user": sender.to_api(),
        "date": source.date,
    }
    message = fake._store_message(
        chat, fake.bot, content, method="forwardMessage", file=source.file
    )
    return message.data


@_api("copyMessage")
def _copy_message(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    chat = fake._chat_param(params)
    source_chat = fake._chat_param(params, "from_chat_id")
    source = fake._find_message(source_chat, params.require_int("message_id"))
    if source is None:
        raise bad_request("message to copy not found")
    fake._require_can_send(chat, "text messages", "can_send_messages")
    content = {
        key: copy.deepcopy(value)
        for key, value in source.data.items()
        if key in ("text", "entities", "caption", "caption_entities", "document", "photo")
    }
    if "caption" in params.values:
        caption, entities = fake._format(
            params,
            "caption",
            "caption_entities",
            MAX_CAPTION_LENGTH,
            required=False,
            too_long="message caption is too long",
        )
        content.pop("caption_entities", None)
        content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
    data = fake._send(chat, "copyMessage", params, content, file=source.file)
    return {"message_id": data["message_id"]}


@_api("editMessageText")
def _edit_message_text(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    chat = fake._chat_param(params)
    fake._require_bot_present(chat)
    message = fake._message_param(chat, params, "message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    if "text" not in message.data:
        raise bad_request("there is no text in the message to edit")
    text, entities = fake._format(
        params, "text", "entities", MAX_TEXT_LENGTH, required=True, too_long="MESSAGE_TOO_LONG"
    )
    markup = fake._reply_markup(params, inline_only=True)
    _apply_edit(fake, message, {"text": text, "entities": entities}, markup, params)
    return message.data


@_api("editMessageCaption")
def _edit_message_caption(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    chat = fake._chat_param(params)
    fake._require_bot_present(chat)
    message = fake._message_param(chat, params, "message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    if "document" not in message.data and "photo" not in message.data:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = fake._format(
        params,
        "caption",
        "caption_entities",
        MAX_CAPTION_LENGTH,
        required=False,
        too_long="message caption is too long",
    )
    markup = fake._reply_markup(params, inline_only=True)
    _apply_edit(fake, message, {"caption": caption, "caption_entities": entities}, markup, params)
    return message.data


@_api("editMessageReplyMarkup")
def _edit_message_reply_markup(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    chat = fake._chat_param(params)
    fake._require_bot_present(chat)
    message = fake._message_param(chat, params, "message to edit not found")
    if not message.from_bot:
        raise bad_request("message can't be edited")
    markup = fake._reply_markup(params, inline_only=True)
    _apply_edit(fake, message, {}, markup, params)
    return message.data


def _apply_edit(
    fake: FakeTelegram,
    message: SentMessage,
    changes: dict[str, Any],
    markup: dict[str, Any] | None,
    params: Params,
) -> None:
    """Telegram removes an inline keyboard the edit does not repeat; identical edits fail."""
    new_data = copy.deepcopy(message.data)
    for key, value in changes.items():
        if value in (None, []):
            new_data.pop(key, None)
        else:
            new_data[key] = value
    if markup:
        new_data["reply_markup"] = copy.deepcopy(markup)
    else:
        new_data.pop("reply_markup", None)
    comparable = ("text", "entities", "caption", "caption_entities", "reply_markup")
    if all(new_data.get(k) == message.data.get(k) for k in comparable):
        raise bad_request(
            "message is not modified: specified new message content and reply markup are "
            "exactly the same as a current content and reply markup of the message"
        )
    message.edits.append(copy.deepcopy(message.data))
    new_data["edit_date"] = fake._today()
    message.data = new_data
    message.reply_markup = copy.deepcopy(markup) if markup else None
    if "text" in changes or "caption" in changes:
        message.parse_mode = params.get_str("parse_mode")
        message.raw_text = params.get_str("text") or params.get_str("caption")


def _can_delete(fake: FakeTelegram, chat: FakeChat, message: SentMessage) -> bool:
    if chat.type == "private" or message.from_bot:
        return True
    status = fake._bot_status(chat)
    if chat.type == "group":
        return status in ("administrator", "creator")
    return fake._bot_has_right(chat, "can_delete_messages")


def _delete_one(fake: FakeTelegram, chat: FakeChat, message: SentMessage) -> None:
    if not _can_delete(fake, chat, message):
        raise bad_request("message can't be deleted")
    if fake._clock() - message.date > MESSAGE_DELETE_WINDOW_SECONDS:
        raise bad_request("message can't be deleted for everyone")
    message.deleted = True


@_api("deleteMessage")
def _delete_message(fake: FakeTelegram, params: Params) -> bool:
    chat = fake._chat_param(params)
    fake._require_bot_present(chat)
    message = fake._find_message(chat, params.require_int("message_id"))
    if message is None:
        raise bad_request("message to delete not found")
    _delete_one(fake, chat, message)
    return True


@_api("deleteMessages")
def _delete_messages(fake: FakeTelegram, params: Params) -> bool:
    chat = fake._chat_param(params)
    fake._require_bot_present(chat)
    ids = params.get_json("message_ids")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        raise bad_request("message_ids must contain 1-100 message identifiers")
    found = [m for m in (fake._find_message(chat, int(i)) for i in ids) if m is not None]
    for message in found:
        if not _can_delete(fake, chat, message):
            raise bad_request("message can't be deleted")
    for message in found:
        _delete_one(fake, chat, message)
    return True


@_api("answerCallbackQuery")
def _answer_callback_query(fake: FakeTelegram, params: Params) -> bool:
    query_id = params.require_str("callback_query_id")
    query = fake._callback_queries.get(query_id)
    if query is None or query["answered"]:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.get_str("text")
    if text and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
        raise bad_request("MESSAGE_TOO_LONG")
    query["answered"] = True
    fake._callback_answers[query_id] = {
        "text": text,
        "show_alert": params.get_bool("show_alert"),
        "url": params.get_str("url"),
        "cache_time": params.get_int("cache_time"),
    }
    return True


@_api("setMyCommands")
def _set_my_commands(fake: FakeTelegram, params: Params) -> bool:
    commands = params.get_json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    cleaned = []
    for command in commands:
        if not isinstance(command, dict) or "description" not in command:
            raise bad_request("can't parse BotCommand: Can't find field \"description\"")
        name, description = str(command.get("command", "")), str(command["description"])
        if not _COMMAND_RE.match(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name, "description": description})
    key = (fake._scope_key(params.get_json("scope")), fake._language_param(params))
    if cleaned:
        fake._commands[key] = cleaned
    else:
        fake._commands.pop(key, None)
    return True


@_api("getMyCommands")
def _get_my_commands(fake: FakeTelegram, params: Params) -> list[dict[str, str]]:
    key = (fake._scope_key(params.get_json("scope")), fake._language_param(params))
    return fake._commands.get(key, [])


@_api("deleteMyCommands")
def _delete_my_commands(fake: FakeTelegram, params: Params) -> bool:
    key = (fake._scope_key(params.get_json("scope")), fake._language_param(params))
    fake._commands.pop(key, None)
    return True


def _bot_text_methods(kind: str, method_suffix: str, limit: int) -> None:

    def setter(fake: FakeTelegram, params: Params) -> bool:
        value = params.get_str(kind) or ""
        if len(value) > limit:
            raise bad_request(f"{kind} is too long")
        key = (kind, fake._language_param(params))
        if value:
            fake._bot_texts[key] = value
        else:
            fake._bot_texts.pop(key, None)
        return True

    def getter(fake: FakeTelegram, params: Params) -> dict[str, str]:
        language = fake._language_param(params)
        value = fake._bot_texts.get((kind, language)) or fake._bot_texts.get((kind, ""), "")
        if kind == "name" and not value:
            value = fake.bot.first_name
        return {kind: value}

    _api(f"setMy{method_suffix}")(setter)
    _api(f"getMy{method_suffix}")(getter)


_bot_text_methods("description", "Description", 512)
_bot_text_methods("short_description", "ShortDescription", 120)
_bot_text_methods("name", "Name", 64)


@_api("setChatMenuButton")
def _set_chat_menu_button(fake: FakeTelegram, params: Params) -> bool:
    button = params.get_json("menu_button") or {"type": "default"}
    if button.get("type") not in ("commands", "web_app", "default"):
        raise bad_request("can't parse menu button JSON object")
    if params.has("chat_id"):
        chat = fake._chat_param(params)
        if chat.type != "private":
            raise bad_request("chat_id must be a private chat")
        chat.menu_button = button
    else:
        fake._default_menu_button = button
    return True


@_api("getChatMenuButton")
def _get_chat_menu_button(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    if params.has("chat_id"):
        chat = fake._chat_param(params)
        if chat.menu_button and chat.menu_button.get("type") != "default":
            return chat.menu_button
    return fake._default_menu_button


@_api("sendChatAction")
def _send_chat_action(fake: FakeTelegram, params: Params) -> bool:
    chat = fake._chat_param(params)
    action = params.require_str("action")
    if action not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    fake._require_can_send(chat, "text messages", "can_send_messages")
    return True


@_api("restrictChatMember")
def _restrict_chat_member(fake: FakeTelegram, params: Params) -> bool:
    chat = fake._chat_param(params)
    fake._require_supergroup(chat)
    fake._require_restrict_right(chat)
    user = fake._user_param(params)
    if user.id == fake.bot.id:
        raise bad_request("can't restrict self")
    old = copy.deepcopy(
        fake._require_member_target(chat, user, owner_error="user is an administrator of the chat")
    )
    requested = params.get_json("permissions")
    if not isinstance(requested, dict):
        raise bad_request("can't parse permissions JSON object")
    permissions = {key: bool(requested.get(key, False)) for key in PERMISSION_KEYS}
    if not params.get_bool("use_independent_chat_permissions"):
        if permissions["can_send_other_messages"] or permissions["can_add_web_page_previews"]:
            permissions.update(dict.fromkeys(_MEDIA_PERMISSION_KEYS, True))
        if permissions["can_send_polls"]:
            permissions["can_send_messages"] = True
    until = fake._normalize_until(params.get_int("until_date"))
    unrestricted = all(permissions[key] or not allowed for key, allowed in chat.permissions.items())
    if unrestricted:
        new_status = "member" if old.in_chat else "left"
        fake._set_member_locked(chat, user.id, new_status)
    else:
        fake._set_member_locked(
            chat,
            user.id,
            "restricted",
            permissions=permissions,
            until_date=until,
            is_member=old.in_chat,
        )
    if fake._member(chat, user.id) != old:
        fake._emit_chat_member(chat, user, old, actor=fake.bot)
    return True


@_api("setChatPermissions")
def _set_chat_permissions(fake: FakeTelegram, params: Params) -> bool:
    chat = fake._chat_param(params)
    if not chat.is_group:
        raise bad_request("method is available only for groups")
    fake._require_restrict_right(chat)
    requested = params.get_json("permissions")
    if not isinstance(requested, dict):
        raise bad_request("can't parse permissions JSON object")
    permissions = {key: bool(requested.get(key, False)) for key in PERMISSION_KEYS}
    if not params.get_bool("use_independent_chat_permissions"):
        if permissions["can_send_other_messages"] or permissions["can_add_web_page_previews"]:
            permissions.update(dict.fromkeys(_MEDIA_PERMISSION_KEYS, True))
        if permissions["can_send_polls"]:
            permissions["can_send_messages"] = True
    chat.permissions = permissions
    return True


@_api("banChatMember")
def _ban_chat_member(fake: FakeTelegram, params: Params) -> bool:
    chat = fake._chat_param(params)
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    fake._require_restrict_right(chat)
    user = fake._user_param(params)
    if user.id == fake.bot.id:
        raise bad_request("can't remove self")
    old = copy.deepcopy(
        fake._require_member_target(chat, user, owner_error="can't remove chat owner")
    )
    until = 0 if chat.type == "group" else fake._normalize_until(params.get_int("until_date"))
    fake._set_member_locked(chat, user.id, "kicked", until_date=until)
    if chat.type == "group" or params.get_bool("revoke_messages"):
        for message in fake._messages.get(chat.id, {}).values():
            if message.sender_id == user.id:
                message.deleted = True
    if old.status != "kicked":
        fake._emit_chat_member(chat, user, old, actor=fake.bot)
    return True


@_api("unbanChatMember")
def _unban_chat_member(fake: FakeTelegram, params: Params) -> bool:
    chat = fake._chat_param(params)
    if chat.type != "supergroup":
        raise bad_request("method is available for supergroup and channel chats only")
    fake._require_restrict_right(chat)
    user = fake._user_param(params)
    old = copy.deepcopy(
        fake._require_member_target(chat, user, owner_error="can't remove chat owner")
    )
    if old.status == "kicked":
        fake._set_member_locked(chat, user.id, "left")
    elif params.get_bool("only_if_banned"):
        return True
    elif old.in_chat:
        # Documented Bot API behaviour: unbanning a current member removes them from the chat.
        fake._set_member_locked(chat, user.id, "left")
    else:
        return True
    fake._emit_chat_member(chat, user, old, actor=fake.bot)
    return True


@_api("promoteChatMember")
def _promote_chat_member(fake: FakeTelegram, params: Params) -> bool:
    chat = fake._chat_param(params)
    fake._require_supergroup(chat)
    fake._require_bot_present(chat)
    if not fake._bot_has_right(chat, "can_promote_members"):
        raise bad_request("not enough rights")
    user = fake._user_param(params)
    old = copy.deepcopy(fake._member(chat, user.id))
    if old.status == "creator":
        raise bad_request("can't promote chat owner")
    if old.status == "administrator" and not old.can_be_edited:
        raise bad_request("CHAT_ADMIN_REQUIRED")
    rights = {key: params.get_bool(key) for key in ADMIN_RIGHT_KEYS}
    bot_member = fake._member(chat, fake.bot.id)
    if bot_member.status == "administrator":
        for key, wanted in rights.items():
            if wanted and key != "is_anonymous" and not bot_member.rights.get(key):
                raise bad_request("RIGHT_FORBIDDEN")
    if any(value for key, value in rights.items() if key != "is_anonymous"):
        fake._set_member_locked(chat, user.id, "administrator", rights=rights, can_be_edited=True)
    elif old.status == "administrator":
        fake._set_member_locked(chat, user.id, "member")
    else:
        return True
    fake._emit_chat_member(chat, user, old, actor=fake.bot)
    return True


@_api("getChatMember")
def _get_chat_member(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    chat = fake._chat_param(params)
    user = fake._user_param(params)
    if chat.type == "private":
        if user.id not in (chat.id, fake.bot.id):
            raise bad_request("user not found")
        return fake._member_api(chat, Member(user.id, "member"))
    fake._require_bot_present(chat)
    return fake._member_api(chat, fake._member(chat, user.id))


@_api("getChatAdministrators")
def _get_chat_administrators(fake: FakeTelegram, params: Params) -> list[dict[str, Any]]:
    chat = fake._chat_param(params)
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    fake._require_bot_present(chat)
    members = [fake._member(chat, user_id) for user_id in list(chat.members)]
    return [fake._member_api(chat, m) for m in members if m.status in ("creator", "administrator")]


@_api("getChatMemberCount")
def _get_chat_member_count(fake: FakeTelegram, params: Params) -> int:
    chat = fake._chat_param(params)
    if chat.type == "private":
        return 2
    fake._require_bot_present(chat)
    return sum(1 for user_id in list(chat.members) if fake._member(chat, user_id).in_chat)


@_api("getChat")
def _get_chat(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    chat = fake._chat_param(params)
    fake._require_bot_present(chat)
    info: dict[str, Any] = {
        **chat.to_api(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }
    if chat.is_group:
        info["permissions"] = dict(chat.permissions)
        if chat.description:
            info["description"] = chat.description
        primary = next(
            (link for link in fake.invite_links(chat) if link.is_primary and not link.is_revoked),
            None,
        )
        if primary is not None:
            info["invite_link"] = primary.url
    if chat.pinned:
        pinned = fake._find_message(chat, chat.pinned[-1])
        if pinned is not None:
            info["pinned_message"] = _strip_nested_reply(pinned.data)
    return info


@_api("createChatInviteLink")
def _create_chat_invite_link(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    chat = fake._chat_param(params)
    return fake._invite_link_api(fake._new_invite_link(chat, params, primary=False))


@_api("exportChatInviteLink")
def _export_chat_invite_link(fake: FakeTelegram, params: Params) -> str:
    chat = fake._chat_param(params)
    for link in fake.invite_links(chat):
        if link.is_primary:
            link.is_revoked = True
    return fake._new_invite_link(chat, params, primary=True).url


def _bot_link(fake: FakeTelegram, chat: FakeChat, params: Params) -> InviteLink:
    fake._require_bot_present(chat)
    if not fake._bot_has_right(chat, "can_invite_users"):
        raise bad_request("not enough rights to manage chat invite links")
    link = fake._invite_links.get(params.require_str("invite_link"))
    if link is None or link.chat_id != chat.id:
        raise bad_request("INVITE_HASH_EXPIRED")
    if link.creator_id != fake.bot.id:
        raise bad_request("CHAT_ADMIN_REQUIRED")
    return link


@_api("editChatInviteLink")
def _edit_chat_invite_link(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    chat = fake._chat_param(params)
    link = _bot_link(fake, chat, params)
    if link.is_revoked:
        raise bad_request("INVITE_HASH_EXPIRED")
    fake._apply_link_options(link, params)
    return fake._invite_link_api(link)


@_api("revokeChatInviteLink")
def _revoke_chat_invite_link(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    chat = fake._chat_param(params)
    link = _bot_link(fake, chat, params)
    link.is_revoked = True
    return fake._invite_link_api(link)


def _join_request(fake: FakeTelegram, params: Params) -> tuple[FakeChat, FakeUser, dict[str, Any]]:
    chat = fake._chat_param(params)
    fake._require_bot_present(chat)
    if not fake._bot_has_right(chat, "can_invite_users"):
        raise bad_request("CHAT_ADMIN_REQUIRED")
    user = fake._user_param(params)
    request = fake._join_requests.pop((chat.id, user.id), None)
    if request is None:
        raise bad_request("HIDE_REQUESTER_MISSING")
    link = fake._invite_links.get(request["invite_link"] or "")
    if link is not None:
        link.pending_join_request_count = max(0, link.pending_join_request_count - 1)
    return chat, user, request


@_api("approveChatJoinRequest")
def _approve_chat_join_request(fake: FakeTelegram, params: Params) -> bool:
    chat, user, request = _join_request(fake, params)
    link = fake._invite_links.get(request["invite_link"] or "")
    if link is not None:
        link.joined_count += 1
    fake._join_locked(chat, user, fake.bot, link, via_join_request=True)
    return True


@_api("declineChatJoinRequest")
def _decline_chat_join_request(fake: FakeTelegram, params: Params) -> bool:
    _join_request(fake, params)
    return True


@_api("pinChatMessage")
def _pin_chat_message(fake: FakeTelegram, params: Params) -> bool:
    chat = fake._chat_param(params)
    fake._require_bot_present(chat)
    if chat.is_group and not (
        fake._bot_has_right(chat, "can_pin_messages")
        or (fake._bot_status(chat) == "member" and chat.permissions.get("can_pin_messages"))
    ):
        raise bad_request("not enough rights to manage pinned messages in the chat")
    message = fake._find_message(chat, params.require_int("message_id"))
    if message is None:
        raise bad_request("message to pin not found")
    if message.message_id in chat.pinned:
        chat.pinned.remove(message.message_id)
    chat.pinned.append(message.message_id)
    return True


@_api("unpinChatMessage")
def _unpin_chat_message(fake: FakeTelegram, params: Params) -> bool:
    chat = fake._chat_param(params)
    fake._require_bot_present(chat)
    if chat.is_group and not fake._bot_has_right(chat, "can_pin_messages"):
        raise bad_request("not enough rights to manage pinned messages in the chat")
    message_id = params.get_int("message_id")
    if message_id is None:
        if not chat.pinned:
            raise bad_request("message to unpin not found")
        chat.pinned.pop()
    elif message_id in chat.pinned:
        chat.pinned.remove(message_id)
    else:
        raise bad_request("message to unpin not found")
    return True


@_api("unpinAllChatMessages")
def _unpin_all_chat_messages(fake: FakeTelegram, params: Params) -> bool:
    chat = fake._chat_param(params)
    fake._require_bot_present(chat)
    if chat.is_group and not fake._bot_has_right(chat, "can_pin_messages"):
        raise bad_request("not enough rights to manage pinned messages in the chat")
    chat.pinned.clear()
    return True


@_api("leaveChat")
def _leave_chat(fake: FakeTelegram, params: Params) -> bool:
    chat = fake._chat_param(params)
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    fake._require_bot_present(chat)
    old = copy.deepcopy(fake._member(chat, fake.bot.id))
    fake._set_member_locked(chat, fake.bot.id, "left")
    fake._emit_my_chat_member(chat, fake.bot, old=old, new=None)
    return True


@_api("setMessageReaction")
def _set_message_reaction(fake: FakeTelegram, params: Params) -> bool:
    chat = fake._chat_param(params)
    fake._require_bot_present(chat)
    message = fake._find_message(chat, params.require_int("message_id"))
    if message is None:
        raise bad_request("MESSAGE_ID_INVALID")
    reactions = params.get_json("reaction") or []
    if not isinstance(reactions, list):
        raise bad_request("can't parse reaction JSON object")
    present = [r for given in message.reactions.values() for r in given]
    for reaction in reactions:
        kind = reaction.get("type") if isinstance(reaction, dict) else None
        if kind == "emoji" and reaction.get("emoji") in _REACTION_EMOJI:
            continue
        # Bots may use a custom emoji only if someone already reacted with it.
        if kind == "custom_emoji" and reaction in present:
            continue
        raise bad_request("REACTION_INVALID")
    if reactions:
        message.reactions[fake.bot.id] = reactions
    else:
        message.reactions.pop(fake.bot.id, None)
    return True


@_api("getFile")
def _get_file(fake: FakeTelegram, params: Params) -> dict[str, Any]:
    stored = fake._files.get(params.require_str("file_id"))
    if stored is None:
        raise bad_request("invalid file_id")
    data: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_path": stored.file_path,
    }
    if stored.content is not None:
        data["file_size"] = len(stored.content)
    return data

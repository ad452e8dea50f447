"""What the surveys service shares: kinds, limits, the shipped items and the views it returns."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.domain.errors import BridgeError

POST_SESSION, PRE_PROGRAM, POST_PROGRAM = "post_session", "pre_program", "post_program"
KINDS = (POST_SESSION, PRE_PROGRAM, POST_PROGRAM)
# The tellers' answers after perspective rounds (bot/features/rounds): a survey of its own, not
# offered with the others, one instance per session, reported beside the post-session survey.
ROUND = "round"
LIKERT5, THERMOMETER, TEXT = "likert5", "thermometer", "text"
ITEM_KINDS = (LIKERT5, THERMOMETER, TEXT)
SCALES: dict[str, tuple[int, ...]] = {
    LIKERT5: (1, 2, 3, 4, 5),
    THERMOMETER: tuple(range(0, 101, 10)),
}
MAX_ITEMS = 20
MAX_ITEM_TEXT = 300
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class SurveyError(BridgeError):
    """A survey that cannot be used as asked (untranslated, malformed replacement, bad setting)."""


@dataclass(frozen=True)
class ItemSpec:
    key: str
    kind: str
    construct: str | None = None
    optional: bool = False
    texts: Mapping[str, str] = field(default_factory=dict)  # empty: a shipped item (gettext)


# The shipped items. Pre- and post-program surveys ask the same constructs, so they can be compared.
_PROGRAM_ITEMS = (
    ItemSpec("trust", LIKERT5, "trust"),
    ItemSpec("perspective", LIKERT5, "perspective_taking"),
    ItemSpec("future_contact", LIKERT5, "future_contact"),
    ItemSpec("anxiety", LIKERT5, "intergroup_anxiety"),
    ItemSpec("thermometer", THERMOMETER, "feeling_thermometer"),
    ItemSpec("program_comment", TEXT, None, optional=True),
)
DEFAULT_ITEMS: dict[str, tuple[ItemSpec, ...]] = {
    POST_SESSION: (
        ItemSpec("felt_heard", LIKERT5, "felt_heard"),
        ItemSpec("understood_other", LIKERT5, "understood_other"),
        ItemSpec("facilitator_fair", LIKERT5, "facilitator_fair"),
        ItemSpec("take_part_again", LIKERT5, "take_part_again"),
        ItemSpec("comment", TEXT, None, optional=True),
    ),
    PRE_PROGRAM: _PROGRAM_ITEMS,
    POST_PROGRAM: _PROGRAM_ITEMS,
}
BUILTIN_KEYS = frozenset(spec.key for specs in DEFAULT_ITEMS.values() for spec in specs)


@dataclass(frozen=True)
class ItemView:
    id: int
    key: str
    kind: str
    construct: str | None
    optional: bool
    position: int
    texts: Mapping[str, str]  # empty for a shipped item

    @property
    def builtin(self) -> bool:
        return not self.texts and self.key in BUILTIN_KEYS

    def translated_in(self, locale: str) -> bool:
        # Shipped items are translated in every shipped language (tests/test_i18n.py proves it).
        return self.builtin or bool(self.texts.get(locale, "").strip())


@dataclass(frozen=True)
class SurveyView:
    id: int
    program_id: int
    kind: str
    version: int
    items: tuple[ItemView, ...]

    def missing_translations(self, languages: Iterable[str]) -> list[tuple[str, str]]:
        return [
            (item.key, loc)
            for item in self.items
            for loc in languages
            if not item.translated_in(loc)
        ]


@dataclass(frozen=True)
class FeedbackSettingsView:
    program_id: int
    k_ratings: int
    k_comments: int
    reminder_after_minutes: int
    expiry_days: int

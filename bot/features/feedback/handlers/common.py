"""What the feedback handlers share: the answers in progress (in memory) and callback actions."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.context import BridgeContext
from bot.features.feedback.surveys import ItemView

log = logging.getLogger(__name__)

STATE_KEY = "feedback_answers"


@dataclass
class InProgress:
    """One person's answers to one survey instance, in memory only until submitted."""

    instance_id: int
    items: tuple[ItemView, ...]
    index: int = 0
    values: dict[int, int] = field(default_factory=dict)
    comment: str | None = None
    awaiting_text: bool = False

    @property
    def current(self) -> ItemView | None:
        return self.items[self.index] if self.index < len(self.items) else None


def _state(context: BridgeContext) -> InProgress | None:
    return context.person_data.get(STATE_KEY) if context.user_data is not None else None


def _clear(context: BridgeContext) -> None:
    if context.user_data is not None:
        context.person_data.pop(STATE_KEY, None)

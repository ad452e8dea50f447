"""Messages a group sees are written once per group language, one block per language, in the
group's stable language order (DESIGN.md, "Languages").

A group of two languages reads both blocks in full: neither side's language comes second-class.
From three languages on, the group's main language (its first) stays in full and every other
language is folded into an expandable quote (Telegram's ``expandable_blockquote`` entity: the
first lines show, a tap opens the rest), so a group of four or five languages gets one message
a phone shows on one screen instead of a wall of text, and each reader still finds their own
language by its first lines. The text is the same either way; only the entities differ, so a
client without quotes shows every block in full.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from telegram import MessageEntity

from bot.i18n import use_locale

BLOCK_SEPARATOR = "\n\n"
# From this many distinct blocks on, all but the first are folded.
FOLD_FROM = 3
FOLDED = MessageEntity.EXPANDABLE_BLOCKQUOTE


def utf16_length(text: str) -> int:
    """Telegram measures entity offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


class GroupPost(str):
    """A group message: its text (the blocks joined) and which blocks are folded.

    It is a ``str``, so every caller can keep treating it as the text; the Bot API client
    (bot/bot_api.py) and the delivery queue (bot/jobs/notifier.py) add its entities when they
    send it. Anything that builds a new string from it gets plain text: every block in full."""

    blocks: tuple[str, ...]
    folded: tuple[bool, ...]

    def __new__(cls, blocks: Sequence[str], folded: Sequence[bool]) -> GroupPost:
        post = super().__new__(cls, BLOCK_SEPARATOR.join(blocks))
        post.blocks = tuple(blocks)
        post.folded = tuple(folded)
        return post

    def __reduce__(self) -> tuple[type, tuple[str]]:
        # A copy (or pickle) is the plain text; the entities travel beside it when it is sent.
        return (str, (str(self),))

    def __getitem__(self, key):  # type: ignore[override]
        """``post[:4096]`` (a caller keeping within Telegram's limit) keeps the folds."""
        if isinstance(key, slice) and key.start in (None, 0) and key.step in (None, 1):
            limit = len(self) if key.stop is None else key.stop
            if limit >= len(self):
                return self
            blocks: list[str] = []
            folded: list[bool] = []
            used = 0
            for block, fold in zip(self.blocks, self.folded, strict=True):
                room = limit - used - (len(BLOCK_SEPARATOR) if blocks else 0)
                if room <= 0:
                    break
                blocks.append(block[:room])
                folded.append(fold)
                used += len(blocks[-1]) + (len(BLOCK_SEPARATOR) if len(blocks) > 1 else 0)
            return GroupPost(blocks, folded)
        return str.__getitem__(self, key)

    def entities(self) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        offset = 0
        for block, folded in zip(self.blocks, self.folded, strict=True):
            length = utf16_length(block)
            if folded and length:
                out.append({"type": FOLDED, "offset": offset, "length": length})
            offset += length + utf16_length(BLOCK_SEPARATOR)
        return out

    def message_entities(self) -> list[MessageEntity]:
        return [MessageEntity(**entity) for entity in self.entities()]  # type: ignore[arg-type]

    def chunks(self, limit: int) -> list[str]:
        """Messages of at most ``limit`` characters, cut between blocks (a block longer than the
        limit is cut too), each keeping its blocks folded or not."""
        chunks: list[tuple[list[str], list[bool]]] = []
        current: tuple[list[str], list[bool]] = ([], [])
        for block, folded in zip(self.blocks, self.folded, strict=True):
            pieces = [block[i : i + limit] for i in range(0, len(block), limit)] or [""]
            for piece in pieces:
                candidate = BLOCK_SEPARATOR.join([*current[0], piece])
                if current[0] and len(candidate) > limit:
                    chunks.append(current)
                    current = ([], [])
                current[0].append(piece)
                current[1].append(folded)
        if current[0]:
            chunks.append(current)
        return [GroupPost(blocks, folded) for blocks, folded in chunks]


def entities_of(text: object) -> list[MessageEntity] | None:
    """The entities a group post carries, or None for any other text."""
    if isinstance(text, GroupPost):
        return text.message_entities() or None
    return None


def render_blocks(languages: Iterable[str], render: Callable[[], str]) -> str:
    """Call ``render`` once inside each language and join the distinct results.

    Two languages whose texts come out identical (say, a message made only of a name) are shown
    once. From ``FOLD_FROM`` blocks on, the result is a ``GroupPost`` whose blocks after the first
    are folded."""
    blocks: list[str] = []
    for locale in languages or ("en",):
        with use_locale(locale):
            text = render()
        if text not in blocks:
            blocks.append(text)
    if len(blocks) < FOLD_FROM:
        return BLOCK_SEPARATOR.join(blocks)
    return GroupPost(blocks, [False] + [True] * (len(blocks) - 1))

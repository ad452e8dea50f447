"""Messages a group sees are written once per group language, one block per language, in the
group's stable language order (DESIGN.md, "Languages")."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from bot.i18n import use_locale

BLOCK_SEPARATOR = "\n\n"


def render_blocks(languages: Iterable[str], render: Callable[[], str]) -> str:
    """Call ``render`` once inside each language and join the distinct results.

    Two languages whose texts come out identical (say, a message made only of a name) are shown once.
    """
    blocks: list[str] = []
    for locale in languages or ("en",):
        with use_locale(locale):
            text = render()
        if text not in blocks:
            blocks.append(text)
    return BLOCK_SEPARATOR.join(blocks)

"""Numeric command-line arguments, read by the same parser as the bot's commands (bot/domain/numbers.py),
so an id that cannot exist is refused with one clear line instead of an OverflowError from the database."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bot.domain.numbers import MAX_ID, NumberError, parse_id, parse_int


def _argparse_type(parse: Callable[[str], int], name: str) -> Callable[[str], int]:
    def convert(text: str) -> int:
        try:
            return parse(text)
        except NumberError as error:
            from bot.handlers.errors import error_text  # only on the error path: it loads telegram

            raise argparse.ArgumentTypeError(error_text(error)) from None

    convert.__name__ = name  # argparse names the type in its own messages
    return convert


def number_arg(minimum: int = 1, maximum: int = MAX_ID) -> Callable[[str], int]:
    """An argparse ``type`` for a whole number from ``minimum`` to ``maximum``."""
    return _argparse_type(lambda text: parse_int(text, minimum=minimum, maximum=maximum), "number")


id_arg = _argparse_type(parse_id, "id")

"""Telegram handlers of the groups part."""

from __future__ import annotations

from telegram.ext import BaseHandler

from bot.handlers.routing_types import ButtonHandler

# Callback actions this module handles (signed payload action -> handler), merged by routing.py.
BUTTONS: dict[str, ButtonHandler] = {}


def build_handlers() -> list[tuple[int, BaseHandler]]:
    """(handler group, handler) pairs; the groups are the constants in bot/app.py."""
    return []

"""Bridgebot: a multilingual Telegram bot for cross-border dialogue programs."""

import zoneinfo

# Zone rules change every year. The `tzdata` package (a pinned dependency) wins over the operating
# system's files so that every installation computes the same local times: with an empty search path,
# zoneinfo reads only the rules shipped in tzdata.
zoneinfo.reset_tzpath(to=[])

__version__ = "0.1.0"

# Modules moved by the re-housing keep their old import paths for a while (bot/_aliases.py).
from bot import _aliases  # noqa: E402

_aliases.install()

"""The tests' name for `bot.playground.fake_api.fake_telegram` (one implementation, shared with
`bridgebot playground`): importing this module gives that very module."""

import sys

from bot.playground.fake_api import fake_telegram as _module

sys.modules[__name__] = _module

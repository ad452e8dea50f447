"""The tests' name for `bot.playground.fake_api.driver` (one implementation, shared with
`bridgebot playground`): importing this module gives that very module."""

import sys

from bot.playground.fake_api import driver as _module

sys.modules[__name__] = _module

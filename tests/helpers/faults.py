"""The tests' name for `bot.playground.fake_api.faults` (one implementation, shared with
`bridgebot playground`): importing this module gives that very module."""

import sys

from bot.playground.fake_api import faults as _module

sys.modules[__name__] = _module

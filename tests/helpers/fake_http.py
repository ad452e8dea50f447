"""The tests' name for `bot.playground.fake_api.fake_http` (one implementation, shared with
`bridgebot playground`): importing this module gives that very module."""

import sys

from bot.playground.fake_api import fake_http as _module

sys.modules[__name__] = _module

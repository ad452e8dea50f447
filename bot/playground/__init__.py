"""`bridgebot playground`: the real bot against an embedded Bot API, driven from a local web page.

``fake_api`` is the in-memory Telegram Bot API (also what the test suite runs the bot against);
``engine`` runs the Application over it with a movable clock; ``server`` serves the page.
"""

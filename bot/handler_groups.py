"""Handler groups, in the order python-telegram-bot runs them (see bot/app.py).

Each group lets at most one handler act on an update; a handler that must stop later groups (a filter
that deleted a message) raises ApplicationHandlerStop.
"""

# Set the reader's language before anything renders text; never answers by itself.
GROUP_LOCALE = -1
# Membership events: the bot's own status, join requests, members joining or leaving, migrations.
GROUP_MEMBERSHIP = 0
# Automated conduct filters on participants' group messages (may delete and stop the update).
GROUP_FILTERS = 1
# Commands and conversations, then the routers for buttons and free text (first match wins).
GROUP_COMMANDS = 2
# Passive observers of group traffic that must see every surviving message (participation counts).
GROUP_OBSERVERS = 3
# Perspective rounds watch the same traffic apart: the listener's restatement, a member leaving.
GROUP_ROUNDS = 4

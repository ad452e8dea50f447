"""Fairness you can see, in Telegram: /transparency in a group, the note in a session's closing
message, and the organizers' private alert when sanctions per message differ between sides.

The figures come from bot/services/fairness.py; the method from bot/domain/fairness.
"""

"""Moderation: conduct filters, moderator commands, reports, appeals, rule sets, the log."""

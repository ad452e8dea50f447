"""Sessions: scheduling, reminders, the live session (agenda, hands, who is heard), /findtime."""

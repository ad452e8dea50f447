"""Enrolment: from an invite link to an accepted code of conduct (/start join_CODE)."""

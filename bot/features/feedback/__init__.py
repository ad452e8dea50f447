"""Anonymous feedback: surveys, invitations, answering once, evaluation reports."""

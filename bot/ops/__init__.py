"""Running Bridgebot in production: metrics, the HTTP listener (health, readiness, metrics and the
webhook route), structured and redacted logs, and the serving loop that ties them to the bot."""

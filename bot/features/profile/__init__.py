"""A person's own things: /me, /language, /timezone, /rules, /privacy, /forgetme, /help."""

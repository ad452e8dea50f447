"""Cross-border pairs between sessions: the Telegram side (handlers, texts, jobs).

Matching is bot/domain/pairing; every SQL statement is bot/services/pairs.py.
"""

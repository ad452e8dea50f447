"""Dialogue groups: forming them, binding Telegram chats, the entry gate, moderators."""

"""Thin adapters from Telegram updates to the channel-independent core in bot/."""

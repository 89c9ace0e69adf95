"""Putting answers and outcomes into words for Discord's limits: answers and moderation
outcomes (``render``), listings such as ``!upcoming`` (``listings``), settings replies
(``settings``) and followers' update posts (``updates``).

May import: ``bot.store`` (for the types it reads, such as the question log's gaps),
``bot.language`` and the bottom modules. Never ``bot.answering``, the engine or
moderation: what they produce reaches it as plain data (``bot.models``,
``bot.outcomes``).
"""

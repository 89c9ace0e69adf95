"""Followers hear about changes: following and unfollowing subjects (``following``) and
the drainer that turns the outbox into posts and DMs (``drainer``). The outbox itself is
written in the change's own transaction, so it lives in ``bot.store.outbox``.

May import: the engine and everything below it. Not moderation, privacy, the web view or
the Discord side.
"""

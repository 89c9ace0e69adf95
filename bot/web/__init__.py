"""A read-only web view of the fact store, served by Datasette (``python -m bot web``)."""

from bot.web.app import build, serve

__all__ = ["build", "serve"]

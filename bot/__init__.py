"""showbot: answers fans' questions about TV shows from curated, sourced facts.

The engine in this package imports nothing from discord.py; only ``bot.runtime.client``
(loaded lazily by ``python -m bot run``) and the ``cogs`` package do.
"""

__version__ = "0.1.0"

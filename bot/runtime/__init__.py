"""The Discord side of one bot process: the discord.py client (``client``), its writer
thread (``writer``), load shedding (``shedding``), slash-command sync (``commandsync``)
and memory diagnostics (``memdebug``).

The only package of ``bot`` that may import discord.py (the cogs, outside ``bot``, are its
other home). May import everything in ``bot`` below it.
"""

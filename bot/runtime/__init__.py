"""The Discord side of one bot process: the discord.py client (``client``), its writer
thread (``writer``), load shedding (``shedding``), slash-command sync (``commandsync``)
and memory diagnostics (``memdebug``); and what the command line's ``ask`` prints for a
question or a bot command typed into it (``asking``, which imports no discord.py).

The only package of ``bot`` that may import discord.py (the cogs, outside ``bot``, are its
other home). May import everything in ``bot`` below it.
"""

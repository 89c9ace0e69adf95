"""Facts from TVmaze (https://www.tvmaze.com/api): a polite client (``client``), its
answers as an interchange file (``mapping``), the import through the moderation's import
path (``importer``), the refresh of imported shows (``refresh``) and the CLI (``cli``).

Nothing here runs unless an operator or a moderator asks, or ``[tvmaze] enabled`` lets the
running bot refresh what was imported.
"""

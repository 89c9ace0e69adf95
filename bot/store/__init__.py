"""The SQLite store and every SQL statement showbot runs against it (the web view's
canned queries aside): the store, its transactions and writes (``core``) and reads
(``reads``), rows as dicts (``rows``), migrations, the bookkeeping tables, the change log,
the question log, the fact search documents (``factindex``), which subjects each fact
names (``mentions``), the interchange format (``interchange``, checked by
``importcheck``) and seeds, synonyms, timeline queries, follows and the updates outbox.

May import: ``bot.language`` and the bottom modules (``models``, ``errors``, ``config``,
``logs``, ``dates``, ``validation``). Nothing above it: the answering code, replies,
moderation and the Discord side ask the store; it never asks them.
"""

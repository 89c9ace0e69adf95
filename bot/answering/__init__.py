"""Understanding a question and choosing what answers it: parsing (``questions``), the
subject resolver (``subjects``) over the alias index (``lookup``) and its start-up
snapshot (``coldstart``, ``entities``), fact retrieval by words and meaning
(``retrieval``) and the answer decision (``answers``).

May import: ``bot.store``, ``bot.language`` and the bottom modules. Not ``bot.replies``
(answers are data; replies put them into words), nor anything above the engine.
"""

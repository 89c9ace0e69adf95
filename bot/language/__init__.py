"""Words and meaning, below everything that stores or answers: normalising names and
questions, stemming (``text``) and the static sentence embeddings shipped in the WordLlama
wheel (``embedding``).

May import: the standard library, third-party packages and ``bot``'s bottom modules
(``models``, ``errors``). Nothing else of showbot.
"""

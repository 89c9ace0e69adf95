"""Whether a word is an everyday English word: in a dictionary's word list, or a regular
inflection or British spelling of one ("leaked", "presenters", "favourite"). Names are
what is left: the free path treats an unknown rare word as a name the store doesn't know,
and an everyday word as how a question is asked."""

from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np

_lock = threading.Lock()


class _Dictionary:
    """Webster's Second International word list (public domain), as the english-words
    package ships it, without its capitalised entries (proper nouns). Kept as the words'
    sorted hashes, 2 MB rather than the 15 MB more of 210,000 strings: hash() is stable
    within a process, and two words sharing a 64-bit hash are one in billions."""

    def __init__(self) -> None:
        from english_words import get_english_words_set  # type: ignore[import-untyped]

        words = get_english_words_set(["web2"], lower=False, alpha=True)
        self._hashes = np.sort(np.fromiter((hash(w) for w in words if w.islower()), np.int64))

    def __contains__(self, word: str) -> bool:
        h = hash(word)
        i = int(np.searchsorted(self._hashes, h))
        return i < len(self._hashes) and int(self._hashes[i]) == h


@lru_cache(maxsize=1)
def _dictionary() -> _Dictionary:
    return _Dictionary()


def _words() -> _Dictionary:
    with _lock:
        return _dictionary()


def _bases(word: str) -> list[str]:
    """The words ``word`` may be a regular inflection or a British spelling of."""
    out = []
    if word.endswith("ies") or word.endswith("ied"):
        out.append(word[:-3] + "y")
    for suffix in ("s", "es", "ed", "d", "ing", "er", "ers"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            out.append(stem)
            if suffix in ("ed", "ing", "er", "ers"):
                out.append(stem + "e")  # "baked" -> "bake"
                if len(stem) > 3 and stem[-1] == stem[-2]:
                    out.append(stem[:-1])  # "stopped" -> "stop"
    if "our" in word:
        out.append(word.replace("our", "or"))  # "favourite" -> "favorite"
    if word.endswith("ise") or word.endswith("ised"):
        out.append(word.replace("ise", "ize"))
    return out


@lru_cache(maxsize=1 << 16)
def everyday(word: str) -> bool:
    """Whether a (normalised) word is an English dictionary word or an inflection of one."""
    words = _words()
    return word in words or any(b in words for b in _bases(word))

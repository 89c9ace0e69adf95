"""Text normalisation shared by the question parser and the alias index.

``normalize`` maps any string to lowercase ASCII-ish words separated by single spaces:

- casefold, then Unicode NFKD with combining marks dropped ("Pokémon" -> "pokemon",
  "ﬁ" -> "fi", "²" -> "2"), plus a few letters NFKD leaves alone ("ø" -> "o", "ł" -> "l",
  "æ" -> "ae", "ß" -> "ss");
- "&" -> "and" ("Law & Order" -> "law and order");
- apostrophes are dropped, not split: "O'Brien" -> "obrien", "Trish's" -> "trishs".
  Names with apostrophes then stay one word, and a possessive is one edit away from the
  name, which the fuzzy index tolerates;
- dotted acronyms are joined: "S.H.I.E.L.D." -> "shield", "U.S. Marshals" -> "us marshals";
- zero-width and other invisible format characters are dropped (they hide inside words);
- every other non-alphanumeric character (punctuation, symbols, emoji, controls,
  whitespace) becomes a word break; digits in any script are kept as ASCII digits;
- whitespace is collapsed and stripped.

It never raises, whatever the input (lone surrogates included).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

__all__ = ["FUNCTION_WORDS", "normalize", "normalize_many", "stem", "tokens"]

# Function words and question glue (normalised): they say how something is asked, not
# what about. Free questions search without them; a name is not made of them. Words of
# time and order ("after", "before", "until") are kept out of it: they are what fans ask.
FUNCTION_WORDS = frozenset(
    """
    a about above again all also am an and any anyone anything are as at be because been btw
    being below both but by came can come comes coming could did do does doing done dont
    doesnt down each else even ever every few for from further get gets going got gonna had
    has have having he her here hers herself him himself his how hows i if in into is isnt
    idk it its itself just kind know let lets like lmao lol many me more most much my myself
    actually anymore literally still basically
    no nor not omg recommend suggest
    now of off on once only or other our ours out over own please pls plz really same she
    should so some someone something sort such tell than that thats the their theirs them type
    then there theres these they thing things this those tho through to too u under up upon ur
    us very wanna was we were what whats when whens where wheres which while who whom whos
    why will with would yet you your yours
    """.split()
)

_APOSTROPHES = "'`´ʹʻʼʽˈ‘’‛′"
# Letters that NFKD does not decompose but that people type without the stroke.
_EXTRA = {
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "ł": "l",
    "ħ": "h",
    "ŧ": "t",
    "ı": "i",
    "æ": "ae",
    "œ": "oe",
    "þ": "th",
    "ß": "ss",
}
# Two or more "X." in a row where X is one letter or digit: a dotted acronym.
_ACRONYM = re.compile(r"(?<![^\W_])(?:[^\W_]\.){2,}")
_CACHE_LIMIT = 1 << 16  # bounds memory if someone feeds us all of Unicode


def _map_char(ch: str) -> str:
    """What one character becomes; computed once per distinct character."""
    if ch in _APOSTROPHES:
        return ""
    if ch == "&":
        return " and "
    out = []
    # NFKD per character equals NFKD of the whole string here: the only reordering NFKD
    # does is among combining marks, which are dropped anyway. Casefold can produce
    # decomposable letters and NFKD can produce capitals (ℌ -> H), hence both twice.
    for c in unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", ch).casefold()):
        c = c.casefold()
        if c in _EXTRA:
            out.append(_EXTRA[c])
            continue
        cat = unicodedata.category(c)
        if cat in ("Mn", "Me", "Cf") or c in _APOSTROPHES:
            continue  # accents, variation selectors, zero-width joiners/spaces, soft hyphen
        if cat == "Nd":
            out.append(str(unicodedata.decimal(c)))  # "٣" -> "3"
        elif c.isalnum() or cat == "Mc":  # spacing marks are parts of Indic letters
            out.append(c)
        else:
            out.append(" ")
    return "".join(out)


class _CharMap(dict[int, str]):
    """A str.translate table that fills itself in lazily."""

    def __missing__(self, code: int) -> str:
        value = _map_char(chr(code))
        if len(self) < _CACHE_LIMIT:
            self[code] = value
        return value


_TABLE = _CharMap()
for _code in range(128):
    _TABLE[_code] = _map_char(chr(_code))
# ASCII goes through bytes.translate, several times faster than str.translate with a dict;
# "&" -> " and " is multi-character and is handled with str.replace instead.
_ASCII = bytes(ord(v) if len(v) == 1 else 32 for v in (_TABLE[c] or " " for c in range(128)))
_ASCII += bytes(range(128, 256))  # unused: only ASCII text gets here
_ASCII_DROP = bytes(c for c in range(128) if _TABLE[c] == "")


def _join_acronym(m: re.Match[str]) -> str:
    return m.group(0).replace(".", "")


@lru_cache(maxsize=4096)  # questions, names and fact texts repeat
def normalize(text: str) -> str:
    """Casefolded, accent-free, punctuation-free words separated by single spaces."""
    if text.count(".") > 1:  # an acronym needs two dots; skips the regex almost always
        text = _ACRONYM.sub(_join_acronym, text)
    if text.isascii():
        if "&" in text:
            text = text.replace("&", " and ")
        return " ".join(text.encode().translate(_ASCII, _ASCII_DROP).decode().split())
    return " ".join(text.translate(_TABLE).split())


# For normalize_many: the same ASCII table, but a newline survives as the record separator.
_ASCII_LINES = _ASCII[:10] + b"\n" + _ASCII[11:]


def normalize_many(texts: list[str]) -> list[str]:
    """``[normalize(t) for t in texts]``, faster: plain ASCII texts (nearly all names) are
    translated together in one pass, which matters when start-up indexes a million."""
    out = [""] * len(texts)
    batch: list[int] = []
    for i, text in enumerate(texts):
        if text.isascii() and "\n" not in text and text.count(".") < 2:
            batch.append(i)
        else:
            out[i] = normalize(text)
    if batch:
        blob = "\n".join([texts[i] for i in batch])
        if "&" in blob:
            blob = blob.replace("&", " and ")
        lines = blob.encode().translate(_ASCII_LINES, _ASCII_DROP).decode().split("\n")
        for i, line in zip(batch, lines, strict=True):
            out[i] = " ".join(line.split())
    return out


def tokens(text: str) -> list[str]:
    """The words of ``normalize(text)``."""
    return normalize(text).split()


_stemmer = Stemmer.Stemmer("porter")


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """The porter stem of a normalised word ("turned" -> "turn"): how fact search and
    synonyms compare words."""
    stemmed: str = _stemmer.stemWord(word)  # (PyStemmer has no type information)
    return stemmed

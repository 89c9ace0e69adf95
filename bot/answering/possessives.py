"""What a question asks about that belongs to the subject it names: "dad" in "who plays
amy's dad" (bot/answering/pipeline.py makes a fact say it to answer: a fact about Amy
herself does not say who plays her dad)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.answering.subjects import Subjects
from bot.language.embedding import name_like
from bot.language.text import FUNCTION_WORDS, normalize, stem
from bot.models import Entity


class Possessives:
    """The possessed nouns of one question's subjects, remembered until :meth:`clear`
    (the pipeline grounds a question against a subject several times)."""

    def __init__(self, subjects: Subjects) -> None:
        self.subjects = subjects
        self._found: dict[tuple[tuple[str, ...], int], frozenset[str]] = {}

    def clear(self) -> None:
        self._found.clear()

    def of(
        self, words: Sequence[str], subject: Entity, asked: Sequence[str], guild_id: int | None
    ) -> frozenset[str]:
        """The stem of what a question asks about that belongs to the subject: the last
        asked word of the words after its name (or alias) in the possessive, up to a
        function word (English puts the noun last: "dad" in "who plays amys dad", "bills"
        in "who paid jessica's hospital bills")."""
        key = (tuple(words), subject.id)
        if key not in self._found:
            name = set(normalize(subject.name).split())
            out: set[str] = set()
            for i, word in enumerate(words[:-1]):
                # "amys", "amy s" (an apostrophe typed as a space), "punishers" (an alias)
                owner, start = (word, i + 2) if words[i + 1] == "s" else (word[:-1], i + 1)
                if not (word.endswith("s") or words[i + 1] == "s") or start >= len(words):
                    continue
                run = []
                for after in words[start:]:
                    if after in FUNCTION_WORDS:
                        break
                    run.append(stem(after))
                head = [s for s in run if s in asked][-1:]
                # An alias is looked up last, and only for a word spelt as names are.
                if head and (
                    owner in name or (name_like(owner) and self._calls(owner, subject, guild_id))
                ):
                    out.update(head)
            self._found[key] = frozenset(out)
        return self._found[key]

    def _calls(self, word: str, subject: Entity, guild_id: int | None) -> bool:
        """Whether the subject is called ``word`` (or "the" ``word``) by a name or alias."""
        if len(word) < 3 or word in FUNCTION_WORDS:
            return False
        return any(
            e.id == subject.id
            for name in (word, f"the {word}")
            for e in self.subjects.named_exactly(name, guild_id)
        )

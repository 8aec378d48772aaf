"""What a search returns: a ranked prompt, its id and title at hand.

A snapshot loaded from the index reads prompts on demand (from SQLite, ~30 µs
each); an autocomplete keystroke shows 25 titles and no prompt, so a hit reads
its prompt only when ``prompt`` is first asked for (a card is shown).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import Prompt


class Hit:
    """A prompt of the library and its score, 0..100 (higher is better)."""

    __slots__ = ("_doc", "_prompt", "_prompts", "id", "score", "title")

    def __init__(self, prompt: Prompt, score: float) -> None:
        self._prompt: Prompt | None = prompt
        self._prompts: Sequence[Prompt] = ()
        self._doc = -1
        self.id, self.title, self.score = prompt.id, prompt.title, score

    @classmethod
    def of(cls, prompts: Sequence[Prompt], doc: int, id: str, title: str, score: float) -> Hit:
        """Document ``doc`` of ``prompts``, read when ``prompt`` is first used."""
        hit = cls.__new__(cls)
        hit._prompt, hit._prompts, hit._doc = None, prompts, doc
        hit.id, hit.title, hit.score = id, title, score
        return hit

    @property
    def prompt(self) -> Prompt:
        if self._prompt is None:
            self._prompt = self._prompts[self._doc]
        return self._prompt

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Hit):
            return NotImplemented
        return (self.id, self.score) == (other.id, other.score)

    def __hash__(self) -> int:
        return hash((self.id, self.score))

    def __repr__(self) -> str:
        return f"Hit({self.id!r}, {self.score})"

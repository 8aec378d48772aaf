"""The two baselines our engine is measured against, with the engine's own
``search(query, category=, tag=, limit=)`` shape so the eval and the benchmark
can treat all three alike.

* :class:`FtsBaseline`: SQLite FTS5 BM25 alone, over every text field of the
  raw prompt (unicode61 tokenizer folds case and diacritics itself), query
  words OR'ed as prefix tokens.
* :class:`TitleFuzzBaseline`: rapidfuzz ``WRatio`` of the folded query against
  the folded titles alone.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence

from rapidfuzz import fuzz, process

from bot.models import Prompt
from bot.search.engine import Hit
from bot.text import fold

_WORD = re.compile(r"[^\W_]+")


def _allowed(p: Prompt, category: str | None, tag: str | None) -> bool:
    if category is not None and fold(p.category) != fold(category):
        return False
    return tag is None or fold(tag) in {fold(t) for t in p.tags}


class FtsBaseline:
    name = "FTS5 BM25"

    def __init__(self, prompts: Sequence[Prompt]) -> None:
        self.prompts = list(prompts)
        self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE VIRTUAL TABLE t USING fts5(title, tags, author, description, body, "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        self.db.executemany(
            "INSERT INTO t(rowid, title, tags, author, description, body) VALUES (?,?,?,?,?,?)",
            (
                (
                    i,
                    p.title,
                    " ".join((p.category, *p.tags)),
                    p.author or "",
                    p.description,
                    p.prompt,
                )
                for i, p in enumerate(self.prompts)
            ),
        )

    @classmethod
    def build(cls, prompts: Sequence[Prompt]) -> FtsBaseline:
        return cls(prompts)

    def search(
        self, query: str, *, category: str | None = None, tag: str | None = None, limit: int = 10
    ) -> list[Hit]:
        words = _WORD.findall(fold(query))
        if not words:
            return []
        match = " OR ".join('"' + w.replace('"', '""') + '" *' for w in words)
        rows = self.db.execute(
            "SELECT rowid, bm25(t) FROM t WHERE t MATCH ? ORDER BY 2 LIMIT ?",
            (match, limit if category is None and tag is None else 5000),
        ).fetchall()
        out: list[Hit] = []
        for rowid, score in rows:
            p = self.prompts[rowid]
            if _allowed(p, category, tag):
                out.append(Hit(p, -score))
                if len(out) >= limit:
                    break
        return out


class TitleFuzzBaseline:
    name = "WRatio titles"

    def __init__(self, prompts: Sequence[Prompt]) -> None:
        self.prompts = list(prompts)
        self.titles = [fold(p.title) for p in self.prompts]

    @classmethod
    def build(cls, prompts: Sequence[Prompt]) -> TitleFuzzBaseline:
        return cls(prompts)

    def search(
        self, query: str, *, category: str | None = None, tag: str | None = None, limit: int = 10
    ) -> list[Hit]:
        q = fold(query)
        if category is None and tag is None:
            choices: dict[int, str] | list[str] = self.titles
        else:
            choices = {
                i: t for i, t in enumerate(self.titles) if _allowed(self.prompts[i], category, tag)
            }
        found = process.extract(q, choices, scorer=fuzz.WRatio, limit=limit)
        return [Hit(self.prompts[idx], score) for _t, score, idx in found]

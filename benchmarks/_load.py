"""Corpus loading for the benchmarks: ``bot.library.scan.load_library`` when it exists,
else a throwaway python-frontmatter loader (good enough for search keys)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from bot.models import Prompt

EXCLUDED = {
    "samuxbuilds-awesome-prompts/portraits/example-professional-headshot.md",
    "samuxbuilds-awesome-prompts/posters/example-tech-review.md",
    "samuxbuilds-awesome-prompts/creative/example-cosmic-abstract.md",
    "samuxbuilds-awesome-prompts/creative/example-finance-icons.md",
}

_MD_LINK = re.compile(r"^\[([^\]]*)\]\(([^)]*)\)$")
_SECTION = re.compile(r"^## +(.+)$", re.M)


def corpus_root(arg: str | None = None) -> Path:
    value = arg or os.environ.get("PROMPTBOT_TEST_CORPUS") or "/work/shared/corpus"
    return Path(value)


def _fallback_load(root: Path) -> list[Prompt]:
    import frontmatter

    out: list[Prompt] = []
    for path in sorted(root.rglob("*.md")):
        rel = path.relative_to(root).as_posix()
        if rel.count("/") < 1 or path.name == "SOURCES.md":
            continue
        try:
            post = frontmatter.loads(path.read_text(encoding="utf-8"))
        except Exception:  # noqa: BLE001 - throwaway loader
            continue
        meta = post.metadata
        body = post.content
        parts = _SECTION.split(body)
        description, sections = parts[0].strip(), dict(zip(parts[1::2], parts[2::2], strict=False))
        text = sections.get("Prompt")
        if text is None:
            text, description = description, ""
        text = re.sub(r"^```\w*\n|\n```$", "", text.strip())
        author = str(meta.get("author") or "") or None
        if author and (m := _MD_LINK.match(author)):
            author = m.group(1)
        tags = meta.get("tags") or []
        out.append(
            Prompt(
                id=rel[:-3],
                path=rel,
                title=str(meta.get("title") or path.stem),
                category=str(meta.get("category") or rel.split("/")[-2]),
                prompt=text,
                tags=tuple(str(t) for t in tags) if isinstance(tags, list) else (),
                author=author,
                source_url=meta.get("source_url"),
                description=description,
            )
        )
    return out


LOADER = ["none"]


def load_corpus(root: Path) -> list[Prompt]:
    """All prompts of the corpus (``example-*`` placeholders of samuxbuilds included)."""
    try:
        from bot.library.scan import load_library
    except ImportError:
        LOADER[0] = "benchmarks._load fallback (python-frontmatter)"
        return _fallback_load(root)
    LOADER[0] = "bot.library.scan.load_library"
    prompts, _problems = load_library(root)
    return list(prompts)

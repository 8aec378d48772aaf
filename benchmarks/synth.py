"""A large synthetic library made from the real corpus (for speed benchmarks).

Each synthetic prompt starts from a real one and varies it plausibly: a style
word added to or swapped into the title, tags re-sampled, a sentence from
another prompt appended to the text, a fresh source URL (so near-duplicate
grouping does not collapse them) and a unique path.  Deterministic per seed.

In memory:  ``synth_prompts(base, 100_000)``
On disk:    python -m benchmarks.synth --corpus ../shared/corpus --out /tmp/lib100k
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from bot.models import Prompt

STYLES = (
    "Cinematic",
    "Vintage",
    "Neon",
    "Minimalist",
    "Dreamy",
    "Retro",
    "Moody",
    "Pastel",
    "Surreal",
    "Golden Hour",
    "Noir",
    "Futuristic",
    "Cozy",
    "Editorial",
    "Whimsical",
    "Baroque",
    "Cyberpunk",
    "Watercolor",
    "Hyperreal",
    "Monochrome",
)
SUFFIXES = ("", "", "", " II", " (Variation)", " at Dusk", " Remix", " in the Rain", " Study")
SLUG = re.compile(r"[^a-z0-9]+")
SENTENCE = re.compile(r"(?<=[.!?。])\s+")


def _slug(text: str) -> str:
    return SLUG.sub("-", text.lower()).strip("-")[:60] or "prompt"


def _title(rng: random.Random, base: str, other: str) -> str:
    words = base.split()
    donor = [w for w in other.split() if len(w) > 3]
    roll = rng.random()
    if roll < 0.4:
        words.insert(0, rng.choice(STYLES))
    elif roll < 0.7 and donor and len(words) > 2:
        words[rng.randrange(len(words))] = rng.choice(donor)
    return " ".join(words) + rng.choice(SUFFIXES)


def _text(rng: random.Random, base: str, other: str) -> str:
    extra = [s for s in SENTENCE.split(other) if 20 <= len(s) <= 300]
    if not extra or base.lstrip().startswith(("{", "[")):
        return base  # JSON prompts stay whole
    return base.rstrip() + " " + rng.choice(extra)


def synth_prompts(base: Sequence[Prompt], n: int = 100_000, seed: int = 1) -> list[Prompt]:
    """``n`` synthetic prompts derived from ``base`` (which must not be empty)."""
    return list(iter_synth(base, n, seed))


def iter_synth(base: Sequence[Prompt], n: int, seed: int = 1) -> Iterator[Prompt]:
    """``synth_prompts``, one at a time (a million do not fit in memory at once)."""
    rng = random.Random(seed)
    pool = [p for p in base if "/example-" not in p.path]
    all_tags = sorted({t for p in pool for t in p.tags}) or ["misc"]
    for i in range(n):
        p = pool[i % len(pool)]
        other = pool[rng.randrange(len(pool))]
        title = _title(rng, p.title, other.title)
        tags = list(p.tags)
        if rng.random() < 0.5:
            tags.append(rng.choice(all_tags))
        path = f"synth/{p.category}/{i:06d}-{_slug(title)}.md"
        yield replace(
            p,
            id=path[:-3],
            path=path,
            title=title,
            tags=tuple(dict.fromkeys(tags)),
            prompt=_text(rng, p.prompt, other.prompt),
            source_url=f"https://x.com/synth/status/{9_000_000_000 + i}",
        )


def _yaml(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML scalar


def to_markdown(p: Prompt) -> str:
    """The prompt in the seed format: frontmatter, description, ``## Prompt``, ``## Source``."""
    lines = ["---", f"title: {_yaml(p.title)}", f"category: {_yaml(p.category)}"]
    lines.append("tags:" + ("" if p.tags else " []"))
    lines += [f"  - {_yaml(t)}" for t in p.tags]
    if p.author:
        lines.append(f"author: {_yaml(p.author)}")
    if p.source_url:
        lines.append(f"source_url: {_yaml(p.source_url)}")
    lines += ["---", "", p.description or p.title, "", "## Prompt", ""]
    fence = "```json" if p.prompt_format == "json" else "```"
    lines += [fence, p.prompt, "```", ""]
    if p.source_url:
        lines += ["## Source", "", f"- [Original Post]({p.source_url})", ""]
    return "\n".join(lines)


def write_library(prompts: Sequence[Prompt], out: Path) -> None:
    for p in prompts:
        target = out / p.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(to_markdown(p), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    from benchmarks._load import corpus_root, load_corpus

    ap = argparse.ArgumentParser(description="write a synthetic prompt library")
    ap.add_argument("--corpus", help="corpus folder (default: $PROMPTBOT_TEST_CORPUS)")
    ap.add_argument("--out", type=Path, required=True, help="folder to write (.md files)")
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    prompts = synth_prompts(load_corpus(corpus_root(args.corpus)), args.n, args.seed)
    write_library(prompts, args.out)
    print(f"wrote {len(prompts)} prompts under {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

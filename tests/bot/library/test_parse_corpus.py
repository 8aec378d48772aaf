"""The parser on the real corpus (``PROMPTBOT_TEST_CORPUS``): every file is a
prompt, no problems at all, and a sample of fields on named files."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from bot.library.parse import ID_MAX_LEN, parse_document
from bot.models import Prompt

SAMUX = "samuxbuilds-awesome-prompts"
YOUMIND = "youmind-nano-banana-pro"


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path) -> dict[str, Prompt]:
    """Every prompt file of the corpus, parsed (files at the root, like
    ``SOURCES.md``, are documentation, not prompts)."""
    files = sorted(corpus_dir.glob("*/**/*.md"))
    data = [(path.relative_to(corpus_dir).as_posix(), path.read_bytes()) for path in files]
    start = time.perf_counter()
    results = {rel: parse_document(raw, rel) for rel, raw in data}
    elapsed = time.perf_counter() - start
    problems = [p.line() for result in results.values() for p in result.problems]
    assert problems == [], problems[:20]
    # The target is < 5 s on one core; leave room for a busy shared machine.
    assert elapsed < 20, f"parsing the corpus took {elapsed:.1f} s"
    return {rel: result.prompt for rel, result in results.items() if result.prompt is not None}


def test_every_file_is_a_prompt(corpus: dict[str, Prompt]) -> None:
    assert len(corpus) == 8921
    by_source = Counter(rel.split("/", 1)[0] for rel in corpus)
    assert by_source == {SAMUX: 954, YOUMIND: 7967}


def test_ids_are_unique_short_and_readable(corpus: dict[str, Prompt]) -> None:
    ids = [prompt.id for prompt in corpus.values()]
    assert len(set(ids)) == len(ids)
    assert max(len(pid.encode("utf-16-le")) // 2 for pid in ids) <= ID_MAX_LEN
    for rel, prompt in corpus.items():
        # the path itself, or (too long: most youmind paths, with the collection
        # folder in front) its first 71 characters, "~" and a hash
        assert prompt.id == rel[:-3] or (
            len(prompt.id) == ID_MAX_LEN and prompt.id[-9] == "~" and rel.startswith(prompt.id[:-9])
        )


def test_every_prompt_has_text_and_a_known_format(corpus: dict[str, Prompt]) -> None:
    for prompt in corpus.values():
        assert prompt.title.strip() and prompt.prompt.strip(), prompt.path
        assert not prompt.prompt.startswith("```"), prompt.path
        assert "## Source" not in prompt.prompt and "## Example Output" not in prompt.prompt
    formats = Counter((rel.split("/", 1)[0], p.prompt_format) for rel, p in corpus.items())
    # 960 are fenced as json; 93 more are JSON once their no-break spaces are cleaned.
    assert formats[(YOUMIND, "json")] == 1053
    # 390 under ``## Prompt``, and the motion file whose Video Specification is the prompt.
    assert formats[(SAMUX, "json")] == 391


def test_categories(corpus: dict[str, Prompt]) -> None:
    youmind = Counter(p.category for rel, p in corpus.items() if rel.startswith(YOUMIND))
    assert youmind["uncategorized"] == 1365
    for rel, prompt in corpus.items():
        folder = rel.split("/")[1]
        if "/example-" not in rel:
            assert prompt.category == folder, rel
    assert corpus[f"{SAMUX}/creative/example-cosmic-abstract.md"].category == "arts"


def test_the_172_old_samux_files_have_no_prompt_heading(corpus: dict[str, Prompt]) -> None:
    old = [p for rel, p in corpus.items() if rel.startswith(SAMUX) and not p.description]
    # The 172nd, motion/awesome-prompts-commercial, has a description before its
    # Video Specification (rule 1).
    assert len(old) == 171


def test_no_prompt_heading_file(corpus: dict[str, Prompt]) -> None:
    prompt = corpus[f"{SAMUX}/3d/3d-chibi-proposal-scene.md"]
    assert prompt.title == "3D Chibi Proposal Scene"
    assert prompt.prompt.startswith("Transform the two people in the photo into chibi-style 3D")
    assert prompt.prompt.endswith("should be realistic and photorealistic.")
    assert "the environment—including the arch" in prompt.prompt
    assert prompt.description == ""
    assert prompt.extra_sections == (("Reference Image", "A couple's photo."),)
    assert prompt.tags == ("3d", "chibi", "cartoon", "realistic", "cute")
    assert (prompt.author, prompt.author_url) == ("@balconychy", "https://x.com/balconychy")
    assert prompt.source_url == "https://x.com/balconychy/status/1909417750587486469"
    assert prompt.preview == "/media/3d/3d-chibi-proposal-scene.webp"


def test_youmind_file_with_a_cjk_author(corpus: dict[str, Prompt]) -> None:
    rel = f"{YOUMIND}/uncategorized/498-hand-drawn-style-header-image-prompt-from-photo.md"
    prompt = corpus[rel]
    assert prompt.author is not None and "工藤 晶" in prompt.author
    assert prompt.category == "uncategorized" and prompt.tags == ()
    assert prompt.preview is not None and prompt.preview.startswith("https://")


def test_source_url_null(corpus: dict[str, Prompt]) -> None:
    prompt = corpus[f"{YOUMIND}/profile-avatar/6846-terminator-girl.md"]
    assert prompt.source_url is None
    assert prompt.author == "TUKANG NIRU"
    assert prompt.author_url == "https://threads.com/@tukang.Niru"
    assert prompt.prompt.startswith("use [uploaded image] as Woman Refference")


def test_motion_files_have_a_preview_video(corpus: dict[str, Prompt]) -> None:
    commercial = corpus[f"{SAMUX}/motion/awesome-prompts-commercial.md"]
    assert commercial.preview is None
    assert commercial.preview_video == "/media/motion/awesome-prompts.webm"
    # Rule 1: no ``## Prompt``; the description is followed by one JSON block.
    assert commercial.description.startswith("A 12-second launch video featuring a 3D logo")
    assert commercial.prompt_format == "json" and len(commercial.prompt) == 5853
    assert commercial.prompt.startswith('{\n  "project": {\n    "name": "Awesome Prompts')
    assert [heading for heading, _ in commercial.extra_sections] == ["Usage", "Rendering Tips"]
    coca = corpus[f"{SAMUX}/motion/coca-cola-motion-video.md"]
    assert coca.preview_video == "/media/motion/coca-cola-motion.webm"
    assert "### Scene 1 — Brand Awakening" in coca.prompt


def test_prompt_with_its_own_sections(corpus: dict[str, Prompt]) -> None:
    name = "10346-sophisticated-interior-design-photograph-prompt-dining.md"
    rel = f"{YOUMIND}/product-marketing/{name}"
    prompt = corpus[rel]
    assert "## Subject & Character" in prompt.prompt
    assert prompt.prompt.endswith("## Environmen")
    assert prompt.id == f"{YOUMIND}/product-marketing/10346-sophisticated-interior-~e1919b85"


def test_json_prompt_in_a_fence(corpus: dict[str, Prompt]) -> None:
    rel = f"{SAMUX}/thumbnails/mrbeast-last-to.md"
    prompt = corpus[rel]
    assert prompt.prompt_format == "json" and prompt.prompt.startswith("{\n")
    assert prompt.description == ""

"""The parser on every variant of the library format (small inline texts) and
on the three seeds."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.library.parse import ID_MAX_LEN, parse_document, prompt_id
from bot.models import Prompt

BODY = "Description.\n\n## Prompt\n\nA cat on a mat.\n\n## Source\n\n- [Original Post](https://x.com/a/status/1)\n"


def doc(front: str, body: str = BODY) -> str:
    return f"---\n{front.strip()}\n---\n\n{body}"


def parse_ok(text: str | bytes, path: str = "portraits/x.md") -> Prompt:
    result = parse_document(text, path)
    assert result.prompt is not None, result.problems
    assert result.problems == (), result.problems
    return result.prompt


# --- frontmatter fields ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("front", "field", "expected"),
    [
        ("title: 'Single quoted: yes'", "title", "Single quoted: yes"),
        ('title: "Double \\"quoted\\""', "title", 'Double "quoted"'),
        ("title: Unquoted title", "title", "Unquoted title"),
        ("title: '  Spaced\u00a0 out  '", "title", "Spaced out"),
        ("title: T\ntags: [a, 'b', \"c\"]", "tags", ("a", "b", "c")),
        ('title: T\ntags: ["neon","vibrant"]', "tags", ("neon", "vibrant")),
        ("title: T\ntags:\n  - urban\n  - ' light '\n  - urban", "tags", ("urban", "light")),
        ("title: T\ntags: [Neon, neon, NEON]", "tags", ("Neon",)),
        ("title: T\ntags: []", "tags", ()),
        ("title: T\ntags:", "tags", ()),
        ("title: T\ntags: [2024, 3.5, true, '', null]", "tags", ("2024", "3.5", "true")),
        ("title: T\ntags: a, b", "tags", ("a", "b")),
        ("title: T\nauthor: '@rovvmut_'", "author", "@rovvmut_"),
        ("title: T\nauthor: Gauche AI", "author", "Gauche AI"),
        ("title: T\nauthor: 'セミナー講師｜工藤 晶'", "author", "セミナー講師｜工藤 晶"),
        ("title: T\nauthor: '[@h](https://x.com/h)'", "author", "@h"),
        ("title: T\nauthor: '[@h](https://x.com/h)'", "author_url", "https://x.com/h"),
        (
            "title: T\nauthor: '[@h](https://x.com/h)'\nauthor_url: 'https://twitter.com/h'",
            "author_url",
            "https://twitter.com/h",
        ),
        (
            "title: T\nauthor_url: 'threads.com/@tukang.Niru'",
            "author_url",
            "https://threads.com/@tukang.Niru",
        ),
        ("title: T\nsource_url: 'null'", "source_url", None),
        ("title: T\nsource_url: ''", "source_url", None),
        ("title: T\nsource_url: x.com/a/status/2", "source_url", "https://x.com/a/status/2"),
        ("title: T\nsource_url: 'http://example.com/p'", "source_url", "http://example.com/p"),
        ("title: T", "source_url", "https://x.com/a/status/1"),  # from ## Source
        ("title: T\npreview: /media/portraits/a.webp", "preview", "/media/portraits/a.webp"),
        ("title: T\npreview: media/portraits/a.webp", "preview", "/media/portraits/a.webp"),
        ("title: T\npreview: 'https://cdn.gooo.ai/a.png'", "preview", "https://cdn.gooo.ai/a.png"),
        ("title: T\npreview: ''", "preview", None),
        ("title: T", "preview", None),
        ("title: T\npreviewVideo: /media/motion/a.webm", "preview_video", "/media/motion/a.webm"),
        ("title: T\npreviewVideo: /media/motion/a.webm", "preview", None),
        ("title: T\ncategory: 3d", "category", "3d"),
        ("title: T\ncategory: ' Posters '", "category", "posters"),
        ("title: T", "category", "portraits"),  # the folder of portraits/x.md
        ("title: T\ncategory: ''", "category", "portraits"),
        ("title: T\nunknown_field: {a: [1, 2]}", "title", "T"),
    ],
)
def test_frontmatter_field(front: str, field: str, expected: object) -> None:
    assert getattr(parse_ok(doc(front)), field) == expected


def test_category_defaults_to_uncategorized_at_the_library_root() -> None:
    assert parse_ok(doc("title: T"), path="x.md").category == "uncategorized"


def test_category_mismatching_the_folder_is_kept_without_a_problem() -> None:
    assert parse_ok(doc("title: T\ncategory: Creative"), "posters/x.md").category == "creative"


# --- body -------------------------------------------------------------------------------


def test_json_fence_is_stripped_and_marked_json() -> None:
    body = 'Desc.\n\n## Prompt\n\n```json\n{\n  "a": "b"\n}\n```\n\n## Source\n\n- x\n'
    prompt = parse_ok(doc("title: T", body))
    assert (prompt.prompt, prompt.prompt_format, prompt.description) == (
        '{\n  "a": "b"\n}',
        "json",
        "Desc.",
    )


def test_json_fence_with_invalid_json_is_still_json() -> None:
    body = '## Prompt\n\n```json\n{"a": "{argument name="x"}"}\n```\n'
    assert parse_ok(doc("title: T", body)).prompt_format == "json"


def test_plain_text_that_is_a_json_object_is_json() -> None:
    body = '## Prompt\n\n[{"a": 1}, {"b": 2}]\n\n## Source\n'
    prompt = parse_ok(doc("title: T", body))
    assert (prompt.prompt, prompt.prompt_format) == ('[{"a": 1}, {"b": 2}]', "json")


@pytest.mark.parametrize(
    "text", ["A plain prompt.", "{not json", '"a string"', "```\nfenced text\n```"]
)
def test_plain_text_prompt(text: str) -> None:
    prompt = parse_ok(doc("title: T", f"## Prompt\n\n{text}\n\n## Source\n"))
    assert prompt.prompt_format == "text"
    assert prompt.prompt == text.removeprefix("```\n").removesuffix("\n```")


def test_no_prompt_heading_the_body_before_the_first_known_section_is_the_prompt() -> None:
    body = (
        "Transform the photo.\nSecond line.\n\n## Reference Image\nA couple's photo.\n\n"
        "## Source\n- [Original Post](https://x.com/b/status/9)\n\n"
        "## Example Output\n![x](/media/3d/x.webp)\n"
    )
    prompt = parse_ok(doc("title: T", body))
    assert prompt.prompt == "Transform the photo.\nSecond line."
    assert prompt.description == ""
    assert prompt.extra_sections == (("Reference Image", "A couple's photo."),)
    assert prompt.source_url == "https://x.com/b/status/9"


def test_no_heading_at_all_a_json_fence_body() -> None:
    prompt = parse_ok(doc("title: T", '```json\n{"a": 1}\n```\n'))
    assert (prompt.prompt, prompt.prompt_format) == ('{"a": 1}', "json")


def test_extra_sections_after_the_prompt_are_kept_in_order() -> None:
    body = (
        "## Prompt\n\nP.\n\n## Notes\nN.\n\n## Usage\nU.\n\n"
        "## Source\n- s\n\n## Example Output\n![x](y)\n"
    )
    prompt = parse_ok(doc("title: T", body))
    assert prompt.prompt == "P."
    assert prompt.extra_sections == (("Notes", "N."), ("Usage", "U."))


def test_video_specification_after_a_description_is_the_prompt() -> None:
    body = (
        "A 12-second launch video.\n\n## Video Specification\n\n```json\n{}\n```\n\n"
        "## Usage\nU.\n\n## Source\n"
    )
    prompt = parse_ok(doc("title: T\npreviewVideo: /media/motion/a.webm", body))
    assert (prompt.prompt, prompt.prompt_format) == ("{}", "json")
    assert prompt.description == "A 12-second launch video."
    assert prompt.extra_sections == (("Usage", "U."),)


def test_prompt_with_its_own_headings_rules_and_fences() -> None:
    inner = (
        "Intro line\n\n## Subject & Character\n- a\n\n---\n\n### Details\n"
        "````markdown\n```json\n{}\n```\n## Source\nnot a section: inside a fence\n````\n\n"
        "## Environmen"
    )
    prompt = parse_ok(doc("title: T", f"Desc.\n\n## Prompt\n\n{inner}\n\n## Source\n\n- s\n"))
    assert prompt.prompt == inner
    assert prompt.description == "Desc."
    assert prompt.prompt_format == "text"


def test_heading_inside_a_tilde_fence_is_not_a_section() -> None:
    inner = "~~~\n## Example Output\n~~~"
    prompt = parse_ok(doc("title: T", f"## Prompt\n{inner}\nmore\n## Source\n"))
    assert prompt.prompt == inner + "\nmore"


def test_a_longer_fence_is_only_closed_by_a_long_enough_run() -> None:
    inner = '`````json\n{"a": "```"}\n```\n`````'
    prompt = parse_ok(doc("title: T", f"## Prompt\n\n{inner}\n\n## Source\n"))
    assert prompt.prompt == '{"a": "```"}\n```'
    assert prompt.prompt_format == "json"


def test_triple_dash_lines_in_the_body_stay_in_the_body() -> None:
    body = "## Prompt\n\nPart one\n---\nPart two\n\n---\n\n## Source\n"
    assert parse_ok(doc("title: T", body)).prompt == "Part one\n---\nPart two\n\n---"


@pytest.mark.parametrize(
    "text", ["一只猫坐在垫子上，柔和的光线。", "🐱🌙✨", "고양이 🐱", "قطة على حصيرة"]
)
def test_cjk_emoji_and_rtl_prompts(text: str) -> None:
    assert parse_ok(doc("title: 猫", f"## Prompt\n\n{text}\n\n## Source\n")).prompt == text


def test_bom_and_crlf() -> None:
    text = "\ufeff" + doc(
        "title: 'T'\ntags:\n  - a", "D.\n\n## Prompt\n\nLine 1\nLine 2\n\n## Source\n"
    )
    data = text.replace("\n", "\r\n").encode("utf-8")
    prompt = parse_ok(data)
    assert (prompt.title, prompt.tags, prompt.prompt, prompt.description) == (
        "T",
        ("a",),
        "Line 1\nLine 2",
        "D.",
    )


def test_prompt_text_is_cleaned_but_otherwise_verbatim() -> None:
    inner = "  indented “curly” — dash\u200b 50mmâ€“85mm\n\n\ttab\u00a0x  "
    prompt = parse_ok(doc("title: T", f"## Prompt\n\n{inner}\n\n## Source\n"))
    assert prompt.prompt == "  indented “curly” — dash 50mm–85mm\n\n\ttab x"


def test_str_and_bytes_give_the_same_prompt() -> None:
    text = doc("title: 'Ünïcödé'")
    assert parse_ok(text) == parse_ok(text.encode("utf-8"))


# --- ids --------------------------------------------------------------------------------


def test_prompt_id_is_the_path_without_md() -> None:
    assert prompt_id("portraits/neon-dreams-a-night-in-the-city.md") == (
        "portraits/neon-dreams-a-night-in-the-city"
    )
    assert prompt_id("x.md") == "x"


def test_prompt_id_of_a_path_just_over_the_limit_keeps_a_readable_prefix() -> None:
    path = (
        "portraits/pg-1994443159862976995-cinematic-night-drive-a-portrait-of-serene-adventure.md"
    )
    assert len(path) - 3 == 85
    pid = prompt_id(path)
    assert len(pid) == ID_MAX_LEN
    assert pid.startswith("portraits/pg-1994443159862976995-cinematic-night-drive-a-portrait-of")
    assert pid[-9] == "~" and all(c in "0123456789abcdef" for c in pid[-8:])


@pytest.mark.parametrize(
    "path",
    [
        "youmind/product-marketing/10346-sophisticated-interior-design-photograph-prompt-dining.md",
        "a/" + "x" * 200 + ".md",
        "a/with space.md",
        "a/tab\there.md",
        "a/zero\u200bwidth.md",
        "a/" + "🐱" * 60 + ".md",
    ],
)
def test_long_or_unsafe_ids_are_shortened_with_a_hash(path: str) -> None:
    pid = prompt_id(path)
    assert len(pid.encode("utf-16-le")) // 2 <= ID_MAX_LEN
    assert "~" in pid and not any(ch.isspace() for ch in pid) and "\u200b" not in pid
    assert prompt_id(path) == pid  # deterministic
    assert prompt_id(path.replace(".md", "-2.md")) != pid


def test_ids_of_paths_with_a_common_long_prefix_differ() -> None:
    prefix = "c/" + "long-name-" * 10
    ids = {prompt_id(f"{prefix}{n}.md") for n in range(100)}
    assert len(ids) == 100


@given(st.text(min_size=1, max_size=300))
def test_prompt_id_is_always_short_and_safe(path: str) -> None:
    pid = prompt_id(path)
    assert len(pid.encode("utf-16-le", "surrogatepass")) // 2 <= ID_MAX_LEN
    assert not any(ch.isspace() or ch in "\x00\r\n" for ch in pid)


# --- never raises -------------------------------------------------------------------------

_YAMLISH = st.text(alphabet=string.printable + "éü猫🐱\u200b\ufeff:-[]{}&*!|>'\"", max_size=400)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=2000), st.binary(max_size=2000)))
def test_parse_document_never_raises(data: str | bytes) -> None:
    result = parse_document(data, "cat/x.md")
    assert result.ok or result.problems
    assert all(p.path == "cat/x.md" and p.severity in ("error", "warning") for p in result.problems)


@settings(max_examples=300, deadline=None)
@given(_YAMLISH, st.text(max_size=600))
def test_parse_document_never_raises_on_arbitrary_frontmatter(front: str, body: str) -> None:
    result = parse_document(f"---\n{front}\n---\n{body}", "cat/x.md")
    assert result.ok or any(p.severity == "error" for p in result.problems)
    if result.prompt is not None:
        assert result.prompt.title.strip() and result.prompt.prompt.strip()


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.lists(st.text(max_size=20), max_size=5))
def test_any_title_and_tags_survive_a_yaml_round_trip(title: str, tags: list[str]) -> None:
    front = yaml.safe_dump({"title": title, "tags": tags}, allow_unicode=True)
    result = parse_document(doc(front), "cat/x.md")
    if result.prompt is not None:
        assert result.prompt.title == " ".join(result.prompt.title.split())


# --- the seeds --------------------------------------------------------------------------


def _seed(seeds_dir: Path, rel: str) -> Prompt:
    return parse_ok((seeds_dir / rel).read_bytes(), rel)


def test_seed_000_json_prompt_with_inline_tags(seeds_dir: Path) -> None:
    prompt = _seed(seeds_dir, "3d/neon-dreams-on-a-rainy-dusk.md")
    assert prompt.id == "3d/neon-dreams-on-a-rainy-dusk"
    assert (prompt.title, prompt.category, prompt.prompt_format) == (
        "Neon Dreams on a Rainy Dusk",
        "3d",
        "json",
    )
    assert prompt.tags == ("neon", "vibrant", "nano-banana-pro")
    assert (prompt.author, prompt.author_url) == ("@rovvmut_", "https://twitter.com/rovvmut_")
    assert prompt.preview == "/images/3d/pg-1995087450788573215.jpg"
    assert prompt.prompt.startswith('{\n  "objective"') and prompt.prompt.endswith("}")


def test_seed_001_mojibake_repaired(seeds_dir: Path) -> None:
    prompt = _seed(seeds_dir, "portraits/neon-dreams-a-night-in-the-city.md")
    assert "50mm–85mm" in prompt.prompt and "â€" not in prompt.prompt
    assert (prompt.author, prompt.author_url) == ("@rovvmut_", "https://twitter.com/rovvmut_")
    assert prompt.preview == "/media/portraits/pg-1992052672606921113.webp"
    assert len(prompt.tags) == 8 and prompt.prompt_format == "json"


def test_seed_001_as_shipped_with_mojibake_parses_to_the_same_prompt(seeds_dir: Path) -> None:
    rel = "portraits/neon-dreams-a-night-in-the-city.md"
    repaired = (seeds_dir / rel).read_bytes()
    broken = repaired.replace("50mm–85mm".encode(), "50mmâ€“85mm".encode())
    assert broken != repaired
    assert parse_ok(broken, rel) == parse_ok(repaired, rel)


def test_seed_002_curly_quotes_and_em_dash_survive(seeds_dir: Path) -> None:
    prompt = _seed(seeds_dir, "portraits/cinematic-night-drive-a-portrait-of-serene-adventure.md")
    assert prompt.prompt_format == "text"
    assert "subject’s face" in prompt.prompt
    assert "playful smile—this portrait" in prompt.description
    assert prompt.source_url == "https://twitter.com/miilesus/status/1994443159862976995"


def test_seed_files_match_the_shared_seeds(seeds_dir: Path) -> None:
    shared = Path("/work/shared/seeds")
    if not shared.is_dir():
        pytest.skip("/work/shared/seeds is not available")
    pairs = {
        "000": "3d/neon-dreams-on-a-rainy-dusk.md",
        "001": "portraits/neon-dreams-a-night-in-the-city.md",
        "002": "portraits/cinematic-night-drive-a-portrait-of-serene-adventure.md",
    }
    for source, rel in pairs.items():
        (source_file,) = shared.glob(f"{source}_*.txt")
        original = source_file.read_bytes().replace("â€“".encode(), "–".encode())
        assert (seeds_dir / rel).read_bytes() == original
    for image in (shared / "media").rglob("*.webp"):
        assert (
            seeds_dir / "media" / image.relative_to(shared / "media")
        ).read_bytes() == image.read_bytes()


_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40), st.dates()
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
_FIELDS = st.sampled_from(
    ["title", "category", "tags", "author", "author_url", "source_url", "preview", "previewVideo"]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_FIELDS, _VALUES, max_size=8), st.text(max_size=200))
def test_any_field_values_never_raise(meta: dict[str, object], body: str) -> None:
    front = yaml.safe_dump(meta, allow_unicode=True)
    result = parse_document(f"---\n{front}---\n\n## Prompt\n\n{body}\n", "cat/x.md")
    if result.ok:
        assert isinstance(meta.get("title"), str)
    if result.prompt is not None:
        p = result.prompt
        assert all(isinstance(tag, str) and tag for tag in p.tags)
        for url in (p.author_url, p.source_url):
            assert url is None or url.startswith(("http://", "https://"))
        for ref in (p.preview, p.preview_video):
            assert ref is None or ref.startswith(("http://", "https://", "/"))
            if ref is not None and ref.startswith("/"):
                assert ".." not in ref.split("/") and "\\" not in ref

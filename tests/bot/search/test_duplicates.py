"""Near-duplicates: one group per prompt published twice."""

from __future__ import annotations

import hashlib
import re

from hypothesis import given
from hypothesis import strategies as st

from bot.models import Prompt
from bot.search.duplicates import NON_ASCII_SPACE, near_duplicate_groups, text_key
from bot.search.inverted import Doc


def _doc(prompt: str, source: str | None = None) -> Doc:
    return Doc.of(
        Prompt(id="x", path="x.md", title="t", category="c", prompt=prompt, source_url=source)
    )


def test_groups_same_texts_and_one_post_under_two_hosts_but_not_blank_texts() -> None:
    docs = [
        _doc("a red fox\nin snow"),  # 0
        _doc("a  red fox in\tsnow "),  # 1: 0's text but for whitespace
        _doc("a red fox in the snow"),  # 2: another text
        _doc("one", "https://twitter.com/u/status/42"),  # 3
        _doc("two", "https://x.com/u/status/42"),  # 4: 3's post on another host
        _doc("three", "https://example.com/post/7"),  # 5
        _doc("four", "https://example.com/post/7/"),  # 6: two prompts in one post, one host
        _doc("   "),  # 7
        _doc("\n"),  # 8: blank, like 7, but nobody's duplicate
        _doc("a red fox in snow"),  # 9: 0 again, later
    ]
    group = near_duplicate_groups(docs)
    assert group[0] == group[1] == group[9] == 0
    assert group[3] == group[4] == 3
    assert len({group[i] for i in (2, 5, 6, 7, 8)}) == 5
    assert {group[i] for i in (2, 5, 6, 7, 8)}.isdisjoint({0, 3})
    assert text_key("   ") == "" and text_key("a b") == text_key(" a\tb\n")
    # non-ASCII text (cut by ``str.split``) and ASCII (deleted in C) agree
    assert text_key("\u3000") == "" and text_key("é a\x1cb") == text_key("é\u3000ab\xa0")
    assert text_key("é") != text_key("e") and text_key("ab") != text_key("a-b")


@given(
    st.text(st.characters(codec="utf-8"))
    | st.text("ab \t\n\x0b\x0c\r\x1c\x1d\x1e\x1f")
    | st.text("aé中 \t\n\x1c\u3000\xa0\x85\u2028")
)
def test_a_text_key_is_the_text_without_its_whitespace(text: str) -> None:
    """The paths in C (bytes deleted) key a text as ``str.split`` would."""
    bare = "".join(text.split())
    assert text_key(text) == (
        hashlib.blake2b(bare.encode(), digest_size=16).hexdigest() if bare else ""
    )


def test_the_non_ascii_whitespace_is_what_str_split_cuts_at() -> None:
    listed = {c for c in map(chr, range(128, 0x110000)) if re.fullmatch(f"[{NON_ASCII_SPACE}]", c)}
    assert listed == {c for c in map(chr, range(128, 0x110000)) if c.isspace()}

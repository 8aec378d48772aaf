"""Frontmatter field checks: the fast path of URLs agrees with the general one."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.library.fields import _PLAIN_URL, _checked_url, normalise_url

# URLs of every shape the fast path takes, and near misses of it.
_PLAIN = st.from_regex(_PLAIN_URL, fullmatch=True)
_NEAR = st.builds(
    "".join,
    st.lists(
        st.one_of(
            st.sampled_from(["http://", "https://", "HTTPS://", "ftp://", "//", "a.b", "x.com"]),
            st.sampled_from(list(".-/:?#@[]%\\_~ \t")),
            st.text(alphabet=st.characters(max_codepoint=127), max_size=6),
            st.text(max_size=3),
        ),
        max_size=8,
    ),
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(_PLAIN, _NEAR))
@example("https://x.com/status/123?s=20#top")
@example("http://a-b.c-d.example/[x]@y:1")
def test_a_url_of_the_common_shape_is_what_the_general_check_makes_it(text: str) -> None:
    if _PLAIN_URL.fullmatch(text):
        assert _checked_url(text) == (text, None)


def test_the_general_check_still_answers_the_rest() -> None:
    assert normalise_url("example.com/x") == ("https://example.com/x", None)
    assert normalise_url("https://example.com:99999/") == (None, "is not a valid URL")
    assert normalise_url("https://example.com/a\\b") == (None, "contains a backslash")
    assert normalise_url("https://user@example.com/") == ("https://user@example.com/", None)
    assert normalise_url("n/a") == (None, None)
    assert normalise_url("https://nodot/")[0] is None

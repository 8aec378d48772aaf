"""Discord's limits, in one place, and the pure helpers that keep text within them.

Every other module imports its limits from here.  Lengths are measured with
:func:`measure`, in UTF-16 code units: that is never less than the number of
code points (what discord.py and JSON Schema count), so text that fits by
``measure`` fits whichever way Discord counts.
"""

from __future__ import annotations

import re
import unicodedata

# --- Embeds -------------------------------------------------------------------
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_FOOTER = 2048
EMBED_AUTHOR_NAME = 256
EMBED_FIELDS = 25
EMBED_TOTAL = 6000  # title + description + field names/values + footer + author name
EMBED_URL = 2048  # embed url, author url, image url
EMBEDS_PER_MESSAGE = 10

# --- Messages -----------------------------------------------------------------
MESSAGE_CONTENT = 2000
FILES_PER_MESSAGE = 10
UPLOAD_BYTES = 10 * 1024 * 1024  # the upload limit of a server without boosts

# --- Components ---------------------------------------------------------------
ACTION_ROWS = 5
BUTTONS_PER_ROW = 5
BUTTON_LABEL = 80
BUTTON_URL = 512
CUSTOM_ID = 100
SELECT_OPTIONS = 25
SELECT_OPTION_LABEL = 100
SELECT_OPTION_DESCRIPTION = 100
SELECT_OPTION_VALUE = 100
SELECT_PLACEHOLDER = 150

# --- Modals -------------------------------------------------------------------
MODAL_TITLE = 45
MODAL_TEXT_INPUTS = 5  # components of a modal: one text input each
TEXT_INPUT_LABEL = 45
TEXT_INPUT_VALUE = 4000

# --- Application commands -----------------------------------------------------
AUTOCOMPLETE_CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100

# --- Time ---------------------------------------------------------------------
INTERACTION_ANSWER_SECONDS = 3.0

ELLIPSIS = "…"
FENCE = "```"
# A visible look-alike of the backtick that Discord does not read as Markdown:
# MODIFIER LETTER GRAVE ACCENT.  Used to neutralise ``` inside a code block.
_FAKE_BACKTICK = "\u02cb"
LOOKALIKE_BACKTICK = _FAKE_BACKTICK  # also keeps a path inside its inline code span
_FENCE_RUN = re.compile(r"`{3,}")

# Characters that may be cut after: whitespace and CJK/full-width punctuation.
_BREAK_AFTER = frozenset(" \t\n\r\u3000、。，．・！？；：）」』】〕")


def measure(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (astral characters count 2)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _prefix_within(text: str, units: int) -> int:
    """The largest index ``i`` such that ``measure(text[:i]) <= units``."""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > units:
            return i
    return len(text)


def _extends_cluster(ch: str) -> bool:
    """True when ``ch`` belongs to the grapheme cluster of the character before it."""
    cp = ord(ch)
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or cp == 0x200D  # zero-width joiner
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0xE0100 <= cp <= 0xE01EF
        or 0x1F3FB <= cp <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= cp <= 0xE007F  # tag characters (flag sequences)
        or 0xDC00 <= cp <= 0xDFFF  # a lone low surrogate
    )


def _is_regional_indicator(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def safe_cut(text: str, i: int) -> int:
    """Move a cut index back so that ``text[:i]`` ends on a grapheme boundary.

    Approximate (no full UAX #29) but covers what occurs in prompts: combining
    marks, ZWJ emoji sequences, variation selectors, skin tones, flags.
    """
    i = max(0, min(i, len(text)))
    while 0 < i < len(text) and (_extends_cluster(text[i]) or text[i - 1] == "\u200d"):
        i -= 1
    if 0 < i < len(text) and _is_regional_indicator(text[i]):
        # Flags are pairs of regional indicators: never keep half a pair.
        run = 0
        j = i - 1
        while j >= 0 and _is_regional_indicator(text[j]):
            run += 1
            j -= 1
        if run % 2:
            i -= 1
    return i


def _cut_index(text: str, units: int) -> int:
    """Where to cut ``text`` to fit ``units``: at a word boundary when one is
    reasonably close, else at a grapheme boundary (text without spaces)."""
    hard = safe_cut(text, _prefix_within(text, units))
    floor = hard - max(40, hard // 5)  # give up at most 20 % (or 40 chars) for a nicer cut
    for j in range(hard, max(floor, 0), -1):
        if text[j - 1] in _BREAK_AFTER:
            return j
    return hard


def clip(text: str, n: int, *, ellipsis: str = ELLIPSIS) -> str:
    """``text`` if it fits ``n`` (UTF-16 units), else cut at a word boundary + "…".

    The result never exceeds ``n`` and never ends inside a grapheme cluster.
    """
    if measure(text) <= n:
        return text
    room = n - measure(ellipsis)
    if room <= 0:
        return ellipsis[: max(n, 0)]
    head = text[: _cut_index(text, room)].rstrip()
    return head + ellipsis


def clip_lines(text: str, n: int, *, ellipsis: str = ELLIPSIS) -> str:
    """Like :func:`clip`, but prefer to cut at the end of a line when one is
    reasonably close (for code and multi-line prompts)."""
    if measure(text) <= n:
        return text
    room = n - measure(ellipsis)
    if room <= 0:
        return ellipsis[: max(n, 0)]
    hard = _prefix_within(text, room)
    newline = text.rfind("\n", 0, hard)
    if newline > 0 and newline >= hard - max(120, hard // 10):
        # text[:newline] fits room - 1, so with "\n" and the ellipsis it fits n.
        return text[:newline].rstrip() + "\n" + ellipsis
    return clip(text, n, ellipsis=ellipsis)


def neutralise_fences(code: str) -> str:
    """Replace every run of three or more backticks by as many look-alike
    characters, so the text cannot close the code block it is shown in.

    Discord has no escape inside code blocks (a backslash is shown as is), and
    a zero-width character would corrupt copied text; a visible look-alike is
    honest about what it is.  Single and double backticks are left alone.
    """
    return _FENCE_RUN.sub(lambda m: _FAKE_BACKTICK * len(m.group()), code)


def code_block(code: str, n: int, lang: str = "") -> tuple[str, bool]:
    """``code`` in a fenced block of at most ``n`` units; ``(block, clipped)``.

    The fence always stays valid: inner ``` runs are neutralised, the text is
    clipped *inside* the fences (at a line end when possible) and the closing
    fence is on its own line.
    """
    if not lang.isascii() or not lang.isalnum():
        lang = ""
    body = neutralise_fences(code.strip("\n").rstrip()) or " "
    head, tail = f"{FENCE}{lang}\n", f"\n{FENCE}"
    room = n - measure(head) - measure(tail)
    if room < 2:
        raise ValueError(f"no room for a code block in {n} characters")
    clipped = measure(body) > room
    if clipped:
        body = clip_lines(body, room)
    return head + body + tail, clipped


def fits(text: str, n: int) -> bool:
    return measure(text) <= n

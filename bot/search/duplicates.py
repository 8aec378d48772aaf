"""Near-duplicates: prompts that are the same prompt published twice.

Two prompts are one when their texts are equal but for whitespace, or when
they are the copies of one post found under different hosts (twitter.com and
x.com).  The grouping needs of each prompt only a digest of its text
(:func:`text_key`, computed while the file is parsed and kept in
:class:`bot.search.inverted.Doc`) and its source URL, so that the search index
of a big library is built without reading any prompt text (at 100,000 prompts
they are ~400 MB).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol
from urllib.parse import urlsplit

from bot.search.analysis import post_key


class Grouped(Protocol):
    @property
    def same(self) -> str: ...
    @property
    def source_url(self) -> str | None: ...


def _host(url: str) -> str:
    host = urlsplit(url).netloc.lower()
    for prefix in ("www.", "mobile."):
        host = host.removeprefix(prefix)
    return host


_ASCII_SPACE = bytes(c for c in range(128) if chr(c).isspace())  # what ``str.split`` cuts at
# The other characters ``str.split`` cuts at (a test checks the list against
# ``str.isspace``): a text without them loses its whitespace in C as well, the
# UTF-8 of any other character holding no ASCII byte.
NON_ASCII_SPACE = "\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_NON_ASCII_SPACE = re.compile(f"[{NON_ASCII_SPACE}]")


def text_key(text: str) -> str:
    """What two texts equal but for whitespace share (32 hex digits); empty for
    a text of whitespace only, which is nobody's duplicate.

    Whitespace is removed, not collapsed ("a cat" and "ac at" share a key: no two
    prompts differ only so), so that an ASCII text (most) is keyed in C: every
    file is, and cutting it into words took a twentieth of its parse."""
    if text.isascii() or _NON_ASCII_SPACE.search(text) is None:
        data = text.encode().translate(None, _ASCII_SPACE)
    else:
        data = "".join(text.split()).encode()
    return hashlib.blake2b(data, digest_size=16).hexdigest() if data else ""


def near_duplicate_groups(docs: Sequence[Grouped]) -> list[int]:
    """Group number per document: documents with the same text (whitespace
    aside: the same ``same``, a :func:`text_key`) share one; so do the copies of
    one post found under different hosts, when each host has exactly one.
    Several different prompts published in one post (same URL, same host) stay
    apart."""
    parent = list(range(len(docs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a: int, b: int) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    first_of: dict[str, int] = {}
    by_post: defaultdict[str, list[int]] = defaultdict(list)
    for doc, item in enumerate(docs):  # (most documents are nobody's duplicate:
        if item.same:  # only the ones that are cost a union)
            first = first_of.setdefault(item.same, doc)
            if first != doc:
                union(first, doc)
        if item.source_url:
            post = post_key(item.source_url)
            if post is not None:
                by_post[post].append(doc)
    for members in by_post.values():
        if len(members) < 2:
            continue
        hosts = [_host(docs[d].source_url or "") for d in members]
        if len(set(hosts)) == len(hosts):  # one copy per host: the same post
            for d in members[1:]:
                union(members[0], d)
    return [i if p == i else find(i) for i, p in enumerate(parent)]

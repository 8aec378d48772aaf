"""Near-duplicates: prompts that are the same prompt published twice.

Two prompts are one when their texts are equal but for whitespace, or when
they are the copies of one post found under different hosts (twitter.com and
x.com).  The grouping needs of each prompt only a cheap bucket of its text
(:func:`text_bucket`, kept in :class:`bot.search.postings.Doc`) and its source
URL; whole texts are compared (by a digest) only inside a bucket, through a
function, so that the search index of a big library is built without holding
every prompt text (at 100,000 prompts they are ~400 MB).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Protocol
from urllib.parse import urlsplit

from bot.search.analysis import post_key

_ASCII_SPACES = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # what str.split() splits ASCII on

Bucket = tuple[int, int]


class Grouped(Protocol):
    @property
    def bucket(self) -> Bucket: ...
    @property
    def source_url(self) -> str | None: ...


def text_bucket(text: str) -> Bucket:
    """A cheap key that two texts equal but for whitespace share: the number of
    characters that are not whitespace, and the hash of the first words (two
    ints: kept for every prompt while the index is built).  Only compared
    within one process: ``hash`` of strings is salted per process."""
    if text.isascii():
        solid = len(text.encode().translate(None, _ASCII_SPACES))
    else:
        solid = sum(map(len, text.split()))
    return solid, hash(tuple(text.split(None, 8)[:8]))


def _host(url: str) -> str:
    host = urlsplit(url).netloc.lower()
    for prefix in ("www.", "mobile."):
        host = host.removeprefix(prefix)
    return host


def text_key(text: str) -> bytes:
    """What two texts equal but for whitespace share, in 16 bytes."""
    return hashlib.blake2b(" ".join(text.split()).encode(), digest_size=16).digest()


def near_duplicate_groups(docs: Sequence[Grouped], key: Callable[[int], bytes]) -> list[int]:
    """Group number per document: documents with the same text (whitespace
    aside; ``key(i)`` is the :func:`text_key` of document i's text, asked for
    only for documents that share a bucket) share one; so do the copies of one
    post found under different hosts, when each host has exactly one.  Several
    different prompts published in one post (same URL, same host) stay apart."""
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

    by_bucket: defaultdict[Bucket, list[int]] = defaultdict(list)
    by_post: defaultdict[str, list[int]] = defaultdict(list)
    for doc, item in enumerate(docs):
        by_bucket[item.bucket].append(doc)
        post = post_key(item.source_url)
        if post is not None:
            by_post[post].append(doc)
    for (solid, _), members in by_bucket.items():
        if len(members) < 2 or not solid:
            continue
        by_text: dict[bytes, int] = {}
        for doc in members:
            union(by_text.setdefault(key(doc), doc), doc)
    for members in by_post.values():
        if len(members) < 2:
            continue
        hosts = [_host(docs[d].source_url or "") for d in members]
        if len(set(hosts)) == len(hosts):  # one copy per host: the same post
            for d in members[1:]:
                union(members[0], d)
    return [find(i) for i in range(len(docs))]

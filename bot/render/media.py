"""Preview images: which URL a card shows, and which local file it uploads.

Discord rejects a whole message when one URL in it is invalid, so every URL
that leaves this module has been checked by :func:`valid_url`.  A local file is
only ever taken from inside the media folder (symlinks resolved).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from bot.limits import EMBED_URL, UPLOAD_BYTES

IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif", "webp"})

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*\.?$")
# What may appear, unencoded, in the path/query/fragment of a URL we send.
_URL_SAFE = "/:@!$&'()*+,;=-._~?#%[]"
_BAD_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})  # control, format, unassigned
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True, slots=True)
class PreviewRef:
    """A preview image: ``url`` goes in the embed; ``path`` is uploaded with the
    message as ``filename`` when it is set (then ``url`` is ``attachment://…``)."""

    url: str
    path: Path | None = None
    filename: str | None = None

    @property
    def is_upload(self) -> bool:
        return self.path is not None


def valid_url(url: str | None, *, max_len: int = EMBED_URL) -> str | None:
    """``url`` made safe to send if it is a well-formed absolute http(s) URL with
    a host, else None.

    Whitespace or control characters anywhere reject it; non-ASCII characters
    in the path, query or fragment are percent-encoded (an IRI is not a URI);
    a non-ASCII host is IDNA-encoded.
    """
    if not url or not isinstance(url, str) or len(url) > max_len:
        return None
    if any(ch.isspace() or unicodedata.category(ch) in _BAD_CATEGORIES for ch in url):
        return None
    if "\\" in url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if parts.username is not None or parts.password is not None:
        return None
    host = parts.hostname
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if not _HOST.match(host) or "." not in host.rstrip("."):
        return None
    netloc = host + (f":{port}" if port is not None else "")
    rest = url[url.index(parts.netloc) + len(parts.netloc) :] if parts.netloc else ""
    rest = quote(rest, safe=_URL_SAFE)
    # A lone "%" not followed by two hex digits is invalid in a URI.
    rest = re.sub(r"%(?![0-9A-Fa-f]{2})", "%25", rest)
    result = f"{parts.scheme.lower()}://{netloc}{rest}"
    return result if len(result) <= max_len else None


def safe_filename(name: str) -> str | None:
    """An ASCII-only upload name (Discord's ``attachment://`` needs letters,
    digits, ``_``, ``-`` and ``.``) with an allowed image extension, or None."""
    stem, dot, ext = name.rpartition(".")
    ext = ext.lower()
    if not dot or ext not in IMAGE_EXTENSIONS:
        return None
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE_NAME.sub("_", stem).strip("._-")[:80] or "preview"
    return f"{stem}.{ext}"


def _relative_parts(preview: str) -> tuple[str, ...] | None:
    """The path segments of a site-relative preview path, or None if unsafe."""
    if "\\" in preview or "\x00" in preview or "?" in preview or "#" in preview:
        return None
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in preview):
        return None
    if not preview.startswith("/") or preview.startswith("//"):
        return None
    parts = tuple(preview[1:].split("/"))  # not PurePosixPath: it drops "." silently
    if not parts or any(p in ("", ".", "..") for p in parts):
        return None
    if ":" in parts[0]:  # "C:" and the like
        return None
    return parts


def _local_file(media_dir: Path, parts: tuple[str, ...]) -> Path | None:
    """``media_dir/parts`` if it is a regular file inside ``media_dir`` after
    resolving symlinks, not larger than the upload limit."""
    try:
        root = media_dir.resolve(strict=True)
        candidate = root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return None
    try:
        if candidate.stat().st_size > UPLOAD_BYTES:
            return None
    except OSError:
        return None
    return candidate


def resolve_preview(
    preview: str | None, media_dir: Path | None, media_url: str | None
) -> PreviewRef | None:
    """Where a card's preview image comes from.

    * an absolute http(s) URL is used as it is (if valid);
    * a site-relative path (``/media/portraits/x.webp``) is uploaded from
      ``media_dir`` when the file exists there, else joined to ``media_url``;
    * anything else, or nothing usable: None (the card has no image).
    """
    if not preview or not isinstance(preview, str):
        return None
    preview = preview.strip()
    if preview.lower().startswith(("http://", "https://")):
        url = valid_url(preview)
        return PreviewRef(url) if url else None
    parts = _relative_parts(preview)
    if parts is None:
        return None
    if media_dir is not None:
        name = safe_filename(parts[-1])
        path = _local_file(media_dir, parts) if name else None
        if path is None and name and len(parts) > 1 and parts[0] == media_dir.name:
            # MEDIA_DIR may be the site's "media" folder itself: "/media/a/x.webp"
            # is then media_dir/a/x.webp.
            path = _local_file(media_dir, parts[1:])
        if path is not None and name is not None:
            return PreviewRef(f"attachment://{name}", path=path, filename=name)
    if media_url:
        base = media_url.rstrip("/")
        url = valid_url(base + "/" + "/".join(quote(p, safe="") for p in parts))
        if url:
            return PreviewRef(url)
    return None

"""Preview resolution: URLs validated, local files only from inside the media folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.render.media import PreviewRef, resolve_preview, safe_filename, valid_url


@pytest.fixture
def media(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "media" / "portraits").mkdir(parents=True)
    (root / "media" / "portraits" / "x.webp").write_bytes(b"RIFF....WEBP")
    (root / "media" / "portraits" / "notes.txt").write_text("not an image")
    (tmp_path / "secret.png").write_bytes(b"\x89PNG secret")
    return root


@pytest.mark.parametrize(
    "url",
    [
        "https://cms-assets.youmind.com/media/1.jpg",
        "http://example.com/a/b.png?x=1&y=2#frag",
        "https://pbs.twimg.com/media/G7abc?format=jpg&name=large",
        "https://example.com:8443/x.png",
    ],
)
def test_valid_urls_pass_unchanged(url: str) -> None:
    assert valid_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "null",
        "/media/x.webp",
        "//example.com/x.png",
        "ftp://example.com/x.png",
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "file:///etc/passwd",
        "https://",
        "https:///path",
        "https://exa mple.com/x.png",
        "https://example.com/a b.png",
        "https://example.com/x.png\n",
        "https://example.com/\x00.png",
        "https://example.com/\u200bx.png",
        "https://user:pw@example.com/x.png",
        "https://example.com:99999/x.png",
        "https://localhost/x.png",
        "https://exa_mple.com/x.png",
        "https:\\\\example.com\\x.png",
        "https://example.com/" + "a" * 2048,
    ],
)
def test_invalid_urls_rejected(url: str | None) -> None:
    assert valid_url(url) is None


def test_non_ascii_url_is_encoded() -> None:
    assert valid_url("https://example.com/ä.png?q=é") == "https://example.com/%C3%A4.png?q=%C3%A9"
    assert valid_url("https://bücher.de/x.png") == "https://xn--bcher-kva.de/x.png"
    assert valid_url("https://example.com/100%.png") == "https://example.com/100%25.png"


def test_button_url_limit() -> None:
    url = "https://example.com/" + "a" * 600
    assert valid_url(url) == url
    assert valid_url(url, max_len=512) is None


def test_absolute_url_used_as_is(media: Path) -> None:
    url = "https://cdn.gooo.ai/x.png"
    assert resolve_preview(url, media, None) == PreviewRef(url)
    assert resolve_preview("https://bad host/x.png", media, "https://site.test") is None


def test_local_file_uploaded(media: Path) -> None:
    ref = resolve_preview("/media/portraits/x.webp", media, "https://site.test")
    assert ref is not None and ref.is_upload
    assert ref.url == "attachment://x.webp" and ref.filename == "x.webp"
    assert ref.path == (media / "media" / "portraits" / "x.webp").resolve()


def test_media_dir_may_be_the_media_folder_itself(media: Path) -> None:
    ref = resolve_preview("/media/portraits/x.webp", media / "media", None)
    assert ref is not None and ref.path == (media / "media" / "portraits" / "x.webp").resolve()


def test_missing_local_file_falls_back_to_media_url(media: Path) -> None:
    ref = resolve_preview("/media/portraits/gone été.webp", media, "https://site.test/")
    assert ref == PreviewRef("https://site.test/media/portraits/gone%20%C3%A9t%C3%A9.webp")
    assert resolve_preview("/media/portraits/gone.webp", media, None) is None
    assert resolve_preview("/media/portraits/x.webp", None, None) is None
    assert resolve_preview("/media/portraits/x.webp", None, "not a url") is None


def test_wrong_extension_not_uploaded(media: Path) -> None:
    assert resolve_preview("/media/portraits/notes.txt", media, None) is None


@pytest.mark.parametrize(
    "preview",
    [
        "/media/../../secret.png",
        "/../secret.png",
        "/media/portraits/../../../secret.png",
        "/media\\..\\..\\secret.png",
        "//evil.test/secret.png",
        "media/portraits/x.webp",
        "C:/secret.png",
        "/C:/secret.png",
        "/media/portraits/x.webp\x00.png",
        "/media/./portraits/x.webp",
    ],
)
def test_escapes_rejected(media: Path, preview: str) -> None:
    ref = resolve_preview(preview, media, None)
    assert ref is None


def test_absolute_path_inside_preview_does_not_escape(media: Path, tmp_path: Path) -> None:
    # "/<tmp>/secret.png" is joined *under* media_dir, never used as an absolute path.
    assert resolve_preview(str(tmp_path / "secret.png"), media, None) is None


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlink_escape_rejected(media: Path, tmp_path: Path) -> None:
    link = media / "media" / "portraits" / "evil.png"
    link.symlink_to(tmp_path / "secret.png")
    assert resolve_preview("/media/portraits/evil.png", media, None) is None
    (media / "media" / "out").symlink_to(tmp_path, target_is_directory=True)
    assert resolve_preview("/media/out/secret.png", media, None) is None


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlink_inside_media_is_fine(media: Path) -> None:
    folder = media / "media" / "portraits"
    (folder / "alias.webp").symlink_to(folder / "x.webp")
    ref = resolve_preview("/media/portraits/alias.webp", media, None)
    assert ref is not None and ref.filename == "alias.webp"


def test_directory_is_not_a_file(media: Path) -> None:
    (media / "media" / "dir.png").mkdir()
    assert resolve_preview("/media/dir.png", media, None) is None


def test_safe_filename() -> None:
    assert safe_filename("pg-1994443159862976995.webp") == "pg-1994443159862976995.webp"
    assert safe_filename("Café au lait (1).PNG") == "Cafe_au_lait_1.png"
    assert safe_filename("日本.jpg") == "preview.jpg"
    assert safe_filename("x.svg") is None
    assert safe_filename("noext") is None


def test_seed_media(seeds_dir: Path) -> None:
    shared = Path(__file__).resolve().parents[4] / "shared" / "seeds"
    if not (shared / "media").is_dir():
        pytest.skip("shared seeds not available")
    ref = resolve_preview("/media/portraits/pg-1994443159862976995.webp", shared, None)
    assert ref is not None and ref.is_upload and ref.path is not None and ref.path.is_file()

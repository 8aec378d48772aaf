"""The git-library settings: checked, one-line errors, credentials never echoed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, valid_ref
from bot.logs import redact_url

REPO = "https://github.com/samuxbuilds/awesome-prompts.git"


def settings(env: dict[str, str], tmp_path: Path):
    return load_settings(env, dotenv_path=tmp_path / ".env")


def error(env: dict[str, str], tmp_path: Path) -> str:
    with pytest.raises(ConfigError) as err:
        settings(env, tmp_path)
    message = str(err.value)
    assert "\n" not in message
    return message


def test_without_a_repository_the_library_is_a_plain_folder(tmp_path: Path) -> None:
    s = settings({"PROMPTBOT_LIBRARY": "lib"}, tmp_path)
    assert s.library == Path("lib")
    assert s.library_git is None and s.git_checkout is None
    assert s.git_interval == 900
    assert s.served() == s


def test_the_library_and_media_are_served_from_the_checkout(tmp_path: Path) -> None:
    s = settings(
        {
            "PROMPTBOT_LIBRARY_GIT": REPO,
            "PROMPTBOT_LIBRARY_GIT_REF": "main",
            "PROMPTBOT_LIBRARY_GIT_PATH": "./prompts/",
            "PROMPTBOT_MEDIA_GIT_PATH": "public",
            "PROMPTBOT_DB": str(tmp_path / "data" / "index.sqlite3"),
            "PROMPTBOT_LIBRARY": "ignored",
            "PROMPTBOT_MEDIA_DIR": "/no/such/dir",  # MEDIA_GIT_PATH wins; not checked
            "PROMPTBOT_GIT_INTERVAL": "0",
        },
        tmp_path,
    )
    checkout = tmp_path / "data" / "library.git-checkout"
    assert s.git_checkout == checkout
    assert s.library == checkout / "prompts"
    assert s.media_dir == checkout / "public"
    assert s.library_git_path == "prompts" and s.library_git_ref == "main"
    assert s.git_interval == 0
    assert s.served() == s  # applying it again changes nothing


def test_the_repository_root_is_the_default_folder(tmp_path: Path) -> None:
    s = settings({"PROMPTBOT_LIBRARY_GIT": REPO, "PROMPTBOT_MEDIA_DIR": str(tmp_path)}, tmp_path)
    assert s.library == Path("data/library.git-checkout")
    assert s.media_dir == tmp_path  # PROMPTBOT_MEDIA_DIR still counts without MEDIA_GIT_PATH


@pytest.mark.parametrize(
    "url",
    [
        REPO,
        "https://user:token@github.com/owner/repo.git",
        "https://git.example.org:8443/owner/repo",
        "ssh://git@github.com/owner/repo.git",
        "ssh://git@[::1]:2222/srv/repo.git",
        "git@github.com:samuxbuilds/awesome-prompts.git",
        "github.com:owner/repo.git",
        "file:///srv/git/prompts.git",
    ],
)
def test_repository_urls_that_are_accepted(url: str, tmp_path: Path) -> None:
    assert settings({"PROMPTBOT_LIBRARY_GIT": url}, tmp_path).library_git == url


@pytest.mark.parametrize(
    "url",
    [
        "http://github.com/owner/repo.git",
        "git://github.com/owner/repo.git",
        "ftp://example.org/repo",
        "ext::sh -c touch% /tmp/pwned",
        "ext::sh",
        "https://",
        "https://github.com",
        "ssh://-oProxyCommand=touch%20x/repo",
        "ssh://-oProxyCommand=x@host/repo",
        "-oProxyCommand=x:repo",
        "git@-host:repo",
        "git@github.com:-upload",
        "file://otherhost/srv/repo",
        "file:relative/repo",
        "../relative/repo",
        "/srv/git/repo",
        "https://github.com/a b",
        "https://github.com/a\tb",
        "https://github.com:notaport/x",
    ],
)
def test_repository_urls_that_are_refused(url: str, tmp_path: Path) -> None:
    assert error({"PROMPTBOT_LIBRARY_GIT": url}, tmp_path).startswith("PROMPTBOT_LIBRARY_GIT: ")


def test_a_refused_url_does_not_echo_its_credentials(tmp_path: Path) -> None:
    message = error({"PROMPTBOT_LIBRARY_GIT": "http://bob:hunter2pw@example.org/x.git"}, tmp_path)
    assert "hunter2pw" not in message and "bob" not in message
    assert "example.org/x.git" in message
    s = settings({"PROMPTBOT_LIBRARY_GIT": "https://bob:hunter2pw@example.org/x.git"}, tmp_path)
    assert "hunter2pw" not in repr(s)


# Names git itself refuses or accepts (``git check-ref-format --allow-onelevel``);
# the module's rule is checked against git below, plus "no leading '-'".
REFS = [
    "main",
    "release/1.x",
    "v1.0.0",
    "feature/über",
    "a.b",
    "refs/heads/main",
    "a..b",
    ".hidden",
    "dir/.hidden",
    "main.lock",
    "dir/x.lock/y",
    "trailing.",
    "trailing/",
    "/leading",
    "dou//ble",
    "with space",
    "tab\there",
    "tilde~1",
    "caret^",
    "colon:x",
    "what?",
    "star*",
    "brack[et",
    "back\\slash",
    "at@{1}",
    "@",
    "a@b",
    "ctrl\x01",
    "del\x7f",
    "",
]


@pytest.mark.parametrize("ref", REFS)
def test_ref_rules_are_gits_own(ref: str) -> None:
    if "\x00" in ref:
        pytest.skip("argv cannot hold NUL")
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    git = subprocess.run(
        ["git", "check-ref-format", "--allow-onelevel", ref], env=env, capture_output=True
    )
    assert valid_ref(ref) == (git.returncode == 0)


@pytest.mark.parametrize("ref", ["-b", "--upload-pack=touch x", "-"])
def test_a_ref_never_starts_like_an_option(ref: str, tmp_path: Path) -> None:
    assert not valid_ref(ref)
    message = error({"PROMPTBOT_LIBRARY_GIT": REPO, "PROMPTBOT_LIBRARY_GIT_REF": ref}, tmp_path)
    assert message.startswith("PROMPTBOT_LIBRARY_GIT_REF: ")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PROMPTBOT_LIBRARY_GIT_PATH", "/etc"),
        ("PROMPTBOT_LIBRARY_GIT_PATH", "../outside"),
        ("PROMPTBOT_LIBRARY_GIT_PATH", "prompts/../.."),
        ("PROMPTBOT_LIBRARY_GIT_PATH", ".git"),
        ("PROMPTBOT_LIBRARY_GIT_PATH", "x/.GIT/y"),
        ("PROMPTBOT_LIBRARY_GIT_PATH", "a\\b"),
        ("PROMPTBOT_MEDIA_GIT_PATH", "/srv/public"),
        ("PROMPTBOT_MEDIA_GIT_PATH", "public/../../x"),
        ("PROMPTBOT_LIBRARY_GIT_REF", "a..b"),
        ("PROMPTBOT_LIBRARY_GIT_REF", "two\nlines"),
        ("PROMPTBOT_LIBRARY_GIT_PATH", "two\nlines"),
        ("PROMPTBOT_GIT_INTERVAL", "1\n2"),
        ("PROMPTBOT_GIT_INTERVAL", "-1"),
        ("PROMPTBOT_GIT_INTERVAL", "1.5"),
        ("PROMPTBOT_GIT_INTERVAL", "15m"),
        ("PROMPTBOT_GIT_INTERVAL", "\u0663"),  # an Arabic-Indic digit: not ASCII
    ],
)
def test_a_bad_git_value_is_one_line_naming_the_variable(
    name: str, value: str, tmp_path: Path
) -> None:
    message = error({"PROMPTBOT_LIBRARY_GIT": REPO, name: value}, tmp_path)
    assert message.startswith(f"{name}: ")


@pytest.mark.parametrize(
    "name", ["PROMPTBOT_LIBRARY_GIT_REF", "PROMPTBOT_LIBRARY_GIT_PATH", "PROMPTBOT_MEDIA_GIT_PATH"]
)
def test_git_details_without_a_repository_are_an_error(name: str, tmp_path: Path) -> None:
    assert error({name: "main"}, tmp_path) == f"{name}: set, but PROMPTBOT_LIBRARY_GIT is not"


def test_a_missing_folder_in_the_repository_names_the_git_path(tmp_path: Path) -> None:
    s = settings({"PROMPTBOT_LIBRARY_GIT": REPO, "PROMPTBOT_LIBRARY_GIT_PATH": "prompts"}, tmp_path)
    with pytest.raises(ConfigError, match=r"^PROMPTBOT_LIBRARY_GIT_PATH: .*'prompts'$"):
        s.require_library()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://user:tok@host/x.git", "https://[redacted]@host/x.git"),
        ("https://ghp_tokenonly@github.com/o/r", "https://[redacted]@github.com/o/r"),
        ("ssh://git:pw@host:22/r", "ssh://[redacted]@host:22/r"),
        (
            "fatal: unable to access 'https://u:p@h/x/': refused; see https://a:b@c/d",
            "fatal: unable to access 'https://[redacted]@h/x/': refused; see https://[redacted]@c/d",
        ),
        ("https://host/path@not-userinfo", "https://host/path@not-userinfo"),
        ("git@github.com:o/r.git", "git@github.com:o/r.git"),
        ("https://github.com/o/r", "https://github.com/o/r"),
    ],
)
def test_redact_url(text: str, expected: str) -> None:
    assert redact_url(text) == expected

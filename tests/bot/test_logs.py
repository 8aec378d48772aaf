"""Secrets out of logs and messages: one rule for what a URL's credentials are."""

from __future__ import annotations

import pytest

from bot.logs import scrub, url_secrets


@pytest.mark.parametrize(
    ("url", "user_is_secret", "secrets"),
    [
        (
            "https://someone:p%40ss@h/x.git",
            True,
            ["someone:p%40ss", "someone:p@ss", "p%40ss", "someone", "p@ss"],
        ),
        ("https://ghp_tok@github.com/o/r", True, ["ghp_tok"]),
        ("postgresql://bot:s3cr%2Ft@db/x", False, ["s3cr%2Ft", "s3cr/t"]),
        ("postgresql://bot@db/x?sslmode=require&PassWord=hunter2", False, ["hunter2"]),
        ("postgresql://bot:ab@db/x", False, []),  # too short to scrub from running text
        ("git@github.com:o/r.git", True, []),  # no URL: nothing written as a credential
    ],
)
def test_the_secrets_of_a_url_are_its_credentials_as_written_and_decoded(
    url: str, user_is_secret: bool, secrets: list[str]
) -> None:
    """One rule for git remotes and state DSNs: a git remote's user may be a
    token, a DSN's is a role name that an admin needs to read in errors."""
    found = url_secrets(url, user_is_secret=user_is_secret)
    assert sorted(found) == sorted(secrets)
    assert [len(s) for s in found] == sorted(map(len, found), reverse=True)
    assert scrub("x s3cr/t y", found, "***") == ("x *** y" if "s3cr/t" in secrets else "x s3cr/t y")

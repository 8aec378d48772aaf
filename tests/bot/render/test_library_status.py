"""The /library message, rendered from plain data: limits, escaping, outcomes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.limits import EMBED_DESCRIPTION
from bot.models import LibraryStatus, Problem, SyncOutcome
from bot.render.library_status import library_status_reply, outcome_line
from bot.render.message import reply_payload
from tests.bot.render.render_checks import embed_total, limit_errors

NOW = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
SHA = "0123456789abcdef0123456789abcdef01234567"


def status(**changes: object) -> LibraryStatus:
    base = LibraryStatus(
        folder="prompts",
        prompts=8921,
        categories=12,
        problem_files=0,
        problems=(),
        reindexed_at=NOW,
        repository="https://github.com/samuxbuilds/awesome-prompts.git",
        ref=None,
        commit=SHA,
        fetched_at=NOW - timedelta(minutes=3),
        interval=900,
    )
    return LibraryStatus(**{**{k: getattr(base, k) for k in base.__slots__}, **changes})


def payload(reply_status: LibraryStatus, outcome: SyncOutcome | None = None) -> dict:
    data = reply_payload(library_status_reply(reply_status, outcome))
    assert limit_errors(data) == []
    return data


def test_a_repository_source_with_timestamps_and_counts(discord_spec) -> None:
    data = payload(status())
    assert data["flags"] & 64
    embed = data["embeds"][0]
    text = embed["description"]
    assert "`https://github.com/samuxbuilds/awesome-prompts.git`" in text
    assert "`0123456789ab`" in text and SHA not in text  # the short commit
    assert "the default branch" in text and "every 15 min" in text
    assert f"<t:{int(NOW.timestamp())}:R>" in text
    assert f"<t:{int((NOW - timedelta(minutes=3)).timestamp())}:R>" in text
    assert {f["name"]: f["value"] for f in embed["fields"]} == {
        "Prompts": "8,921",
        "Categories": "12",
        "Files with problems": "0",
    }
    body = {"type": 4, "data": data}
    assert discord_spec.request_errors("POST", "/interactions/1/tok/callback", body) == []


def test_a_plain_folder_and_a_fetch_failure() -> None:
    text = payload(status(repository=None, commit=None, folder="/srv/library"))["embeds"][0][
        "description"
    ]
    assert "`/srv/library`" in text and "Repository" not in text and "fetch" not in text
    failed = status(fetch_error="git fetch failed: could not resolve host", fetch_error_at=NOW)
    text = payload(failed)["embeds"][0]["description"]
    assert "Last fetch failed" in text and "could not resolve host" in text
    assert "only at start" in payload(status(interval=0))["embeds"][0]["description"]
    assert "`v2`" in payload(status(ref="v2"))["embeds"][0]["description"]


@pytest.mark.parametrize("count", [1, 30, 5000])
def test_problems_fit_the_embed_and_the_rest_are_counted(count: int) -> None:
    problems = tuple(
        Problem(
            f"prompts/category-{n:04d}/{'very-long-name-' * 12}{n}.md",
            "warning" if n % 3 else "error",
            "front matter: " + "the value is not what was expected " * 8,
        )
        for n in range(count)
    )
    data = payload(status(problems=problems, problem_files=count))
    embed = data["embeds"][0]
    text = embed["description"]
    assert len(text) <= EMBED_DESCRIPTION and embed_total(embed) <= 6000
    shown = text.count("`prompts/category-")
    more = re.search(r"… and (\d+) more", text)
    assert shown + (int(more.group(1)) if more else 0) == count
    assert shown >= 1
    lines = text.split("**Problems**\n", 1)[1].splitlines()
    icons = [line[0] for line in lines if not line.startswith("…")]
    assert icons == sorted(icons, key=lambda icon: icon != "❌")  # errors first


def test_library_text_is_shown_not_interpreted() -> None:
    problems = (Problem("prompts/a`b``c.md", "error", "**bold** @everyone <@123> __x__"),)
    text = payload(status(problems=problems, problem_files=1))["embeds"][0]["description"]
    line = text.split("**Problems**\n", 1)[1]
    assert line.count("`") == 2  # the path cannot close its code span
    assert "**bold**" not in line and "@everyone" not in line


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (SyncOutcome(SHA, "f" * 40, True, "indexed: 1 added"), ["✅", "`ffffffffffff`", "was"]),
        (SyncOutcome(SHA, SHA, False, "indexed: 0 added"), ["✅", "still at", "`0123456789ab`"]),
        (SyncOutcome(None, None, True, "indexed: 2 added"), ["✅ Reindexed the folder", "2 added"]),
        (
            SyncOutcome(SHA, SHA, False, None, error="fetch: git fetch failed: timed out"),
            ["⚠️", "timed out", "still serving commit `0123456789ab`"],
        ),
        (SyncOutcome(None, None, False, None, error="reindex: gone"), ["still serving the last"]),
    ],
)
def test_outcome_lines(outcome: SyncOutcome, expected: list[str]) -> None:
    line = outcome_line(outcome)
    for piece in expected:
        assert piece in line
    data = payload(status(), outcome)
    assert data["content"] == line and data["flags"] & 64

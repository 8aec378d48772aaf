"""The "no match" reply with spelling suggestions (``SearchEngine.suggest``)."""

from __future__ import annotations

from bot.limits import measure
from bot.render.message import no_match_reply, reply_payload
from tests.support.fixtures import discord_spec  # noqa: F401  (fixture)


def test_no_match_reply_offers_other_queries(discord_spec) -> None:  # noqa: F811
    data = reply_payload(
        no_match_reply("stromy lihgthuose", queries=["stormy lighthouse", "**x** @everyone"])
    )
    content = data["content"]
    assert "**stormy lighthouse**" in content
    assert "@everyone" not in content and "\\*\\*x\\*\\*" in content  # shown, not obeyed
    assert content.index("stormy lighthouse") > content.index("lihgthuose")  # after the query
    assert discord_spec.interaction_response_errors({"type": 4, "data": data}) == []
    data = reply_payload(no_match_reply("q", ["a name"], queries=["y" * 500] * 9))
    assert measure(data["content"]) <= 2000 and data["content"].count("y" * 90) == 3
    assert "a name" in data["content"]


def test_blank_other_queries_add_nothing() -> None:
    plain = reply_payload(no_match_reply("cat", ["cats"]))["content"]
    assert reply_payload(no_match_reply("cat", ["cats"], queries=[" "]))["content"] == plain

"""bot.metrics without Discord: health rules, the exposition, and how ``Answers`` settles an
interaction from the answering request seen through a real aiohttp trace."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from bot.metrics import Answers, Metrics, Probe, ShardState, created_at

DISCORD_EPOCH_MS = 1_420_070_400_000


def snowflake(at: float) -> int:
    return (int(at * 1000) - DISCORD_EPOCH_MS) << 22


def value(metrics: Metrics, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(metrics.exposition().decode()):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


@pytest.mark.parametrize(
    ("shards", "size", "ok"),
    [
        ({0: ShardState(True), 1: ShardState(True)}, 10, True),
        ({0: ShardState(True), 1: ShardState(False)}, 10, False),
        ({0: ShardState(True)}, None, False),  # the library is not loaded
        ({}, 10, False),  # no shard yet
    ],
)
def test_healthy_needs_every_shard_up_and_the_library(
    shards: dict[int, ShardState], size: int | None, ok: bool
) -> None:
    health = Metrics(Probe(lambda: shards, lambda: size)).health()
    assert health.ok is ok
    body = health.body()
    assert ('"status": "ok"' in body) is ok


def test_sampled_series_skip_unknown_latencies_and_an_unloaded_library() -> None:
    shards = {0: ShardState(True, 0.042), 1: ShardState(False, float("inf"))}
    metrics = Metrics(Probe(lambda: shards, lambda: None, lambda: (3, 1)))
    assert value(metrics, "promptbot_gateway_latency_seconds", shard="0") == 0.042
    text = metrics.exposition().decode()
    assert 'promptbot_gateway_latency_seconds{shard="1"}' not in text
    assert "\npromptbot_library_prompts " not in text
    assert value(metrics, "promptbot_shard_connected", shard="1") == 0
    assert value(metrics, "promptbot_library_reloads_total") == 3
    assert value(metrics, "promptbot_library_reload_failures_total") == 1


def test_created_at_reads_the_snowflake() -> None:
    now = time.time()
    assert abs(created_at(snowflake(now)) - now) < 0.002


@pytest.fixture
async def discord_like() -> AsyncIterator[str]:
    """A server whose callback route answers with the status in the token."""

    async def callback(request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["token"]))

    app = web.Application()
    app.router.add_post("/api/v10/interactions/{id}/{token}/callback", callback)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    yield f"http://{host}:{port}/api/v10"
    await runner.cleanup()


async def test_answers_settle_once_at_the_answer_with_the_reported_outcome(
    discord_like: str,
) -> None:
    metrics = Metrics()
    answers = Answers(metrics, unanswered_after=0.3)
    ok, refused, retried, failed, late = (snowflake(time.time() - 0.1) + n for n in range(5))
    for interaction in (ok, refused, retried, failed, late):
        answers.received(interaction, "prompt")
    answers.failed(failed, "prompt", "user_error")
    async with aiohttp.ClientSession(trace_configs=[answers.trace_config()]) as session:
        for interaction, status in ((ok, 204), (refused, 404), (retried, 429), (retried, 503)):
            await session.post(f"{discord_like}/interactions/{interaction}/{status}/callback")
        await session.post(f"{discord_like}/interactions/{failed}/200/callback")
        await session.post(f"{discord_like}/interactions/{ok}/204/callback")  # counted once
        await session.post(f"{discord_like}/channels/1/messages")  # not an answer: ignored
        await session.post(f"{discord_like}/interactions/{late}/200/callback")
    answers.failed(late, "prompt", "error")  # after its answer (a deferred upload that failed)

    def count(outcome: str) -> float:
        return value(metrics, "promptbot_interactions_total", command="prompt", outcome=outcome)

    assert (count("ok"), count("error"), count("user_error")) == (2, 2, 1)
    assert value(metrics, "promptbot_answer_seconds_count", command="prompt") == 3
    assert 0.1 <= value(metrics, "promptbot_answer_seconds_sum", command="prompt") < 3

    await asyncio.sleep(0.5)  # the 429/503 one was never answered: an error at the deadline
    assert count("error") == 3
    assert value(metrics, "promptbot_answer_seconds_count", command="prompt") == 3


def test_state_store_failures_are_sampled_by_kind() -> None:
    failures = {"unavailable": 4, "error": 1}
    metrics = Metrics(Probe(state_failures=lambda: failures))
    assert value(metrics, "promptbot_state_errors_total", kind="unavailable") == 4
    assert value(metrics, "promptbot_state_errors_total", kind="error") == 1

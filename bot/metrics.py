"""Metrics and health of one bot process: ``/metrics`` (Prometheus' text format) and
``/healthz``, served by a small aiohttp server inside the bot's event loop.

No Discord here: the app feeds it.  It pushes what happens (an interaction
answered, with its outcome and latency; a state-store error) and hands over a
:class:`Probe` that is read on each scrape for what *is* (each shard's
connection and latency, the library's size, the reload counts).  Every series
lives in this process's own registry, not prometheus_client's global one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Literal

from aiohttp import (
    ClientSession,
    TraceConfig,
    TraceRequestEndParams,
    web,
)
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

log = logging.getLogger(__name__)

Outcome = Literal["ok", "user_error", "error"]
OUTCOMES: tuple[Outcome, ...] = ("ok", "user_error", "error")
#: seconds; Discord drops an interaction not answered within 3 s
ANSWER_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0, 10.0)


@dataclass(frozen=True)
class ShardState:
    connected: bool
    latency: float | None = None  # seconds between a heartbeat and its ack; None: unknown


@dataclass(frozen=True)
class Probe:
    """What the app reports on demand (each call must be cheap and never raise)."""

    shards: Callable[[], Mapping[int, ShardState]] = dict
    library_size: Callable[[], int | None] = lambda: None  # None: not loaded
    reloads: Callable[[], tuple[int, int]] = lambda: (0, 0)  # (reloads, failed ones)
    state_failures: Callable[[], Mapping[str, int]] = dict  # failed store calls by kind


@dataclass
class Health:
    ok: bool
    shards: dict[int, bool] = field(default_factory=dict)
    library_loaded: bool = False

    def body(self) -> str:
        up = sorted(s for s, c in self.shards.items() if c)
        down = sorted(s for s, c in self.shards.items() if not c)
        status = "ok" if self.ok else "unavailable"
        return json.dumps(
            {"status": status, "shards_up": up, "shards_down": down, "library": self.library_loaded}
        )


class Metrics:
    """The process's series.  ``probe`` is read on every scrape and health check."""

    def __init__(self, probe: Probe | None = None) -> None:
        self.probe = probe or Probe()
        self.registry = CollectorRegistry()
        self.interactions = Counter(
            "promptbot_interactions",
            "Interactions answered (or left unanswered: outcome error), by command and outcome.",
            ["command", "outcome"],
            registry=self.registry,
        )
        self.answer_seconds = Histogram(
            "promptbot_answer_seconds",
            "From an interaction's creation (its id's timestamp) to the bot's first answer.",
            ["command"],
            buckets=ANSWER_BUCKETS,
            registry=self.registry,
        )
        self.registry.register(_Sampled(self))

    def interaction(self, command: str, outcome: Outcome, seconds: float | None) -> None:
        """One interaction settled; ``seconds`` to its answer (None: never answered)."""
        self.interactions.labels(command, outcome).inc()
        if seconds is not None:
            self.answer_seconds.labels(command).observe(max(seconds, 0.0))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def health(self) -> Health:
        """Healthy when every shard of this process is connected and the library is loaded."""
        shards = {shard: state.connected for shard, state in self.probe.shards().items()}
        loaded = self.probe.library_size() is not None
        return Health(bool(shards) and all(shards.values()) and loaded, shards, loaded)


class _Sampled:
    """The series read from the probe at scrape time."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def describe(self) -> list[Metric]:
        return []  # sampled series vary (shards come and go): not checked at registration

    def collect(self) -> Iterator[Metric]:
        probe = self.metrics.probe
        up = GaugeMetricFamily(
            "promptbot_shard_connected",
            "1 when the shard's gateway session is up.",
            labels=["shard"],
        )
        latency = GaugeMetricFamily(
            "promptbot_gateway_latency_seconds",
            "Time between the shard's last heartbeat and its acknowledgement.",
            labels=["shard"],
        )
        for shard, state in sorted(probe.shards().items()):
            up.add_metric([str(shard)], 1.0 if state.connected else 0.0)
            if state.latency is not None and math.isfinite(state.latency):
                latency.add_metric([str(shard)], state.latency)
        yield up
        yield latency
        size = probe.library_size()
        library = GaugeMetricFamily("promptbot_library_prompts", "Prompts served.")
        if size is not None:
            library.add_metric([], float(size))
        yield library
        reloads, failures = probe.reloads()
        yield CounterMetricFamily(
            "promptbot_library_reloads", "Library reloads, including failed ones.", value=reloads
        )
        yield CounterMetricFamily(
            "promptbot_library_reload_failures",
            "Library reloads that failed (the previous library stayed served).",
            value=failures,
        )
        store = CounterMetricFamily(
            "promptbot_state_errors",
            "Member-state store calls that failed: unavailable (unreachable) or error.",
            labels=["kind"],
        )
        for kind, count in sorted(probe.state_failures().items()):
            store.add_metric([kind], count)
        yield store


class MetricsServer:
    """``/metrics`` and ``/healthz`` on ``host:port`` (port 0: a free one, see ``port``)."""

    def __init__(self, metrics: Metrics, host: str, port: int) -> None:
        self.metrics, self.host, self.port = metrics, host, port
        self._runner: web.AppRunner | None = None

    async def start(self) -> int:
        app = web.Application()
        app.router.add_get("/metrics", self._metrics)
        app.router.add_get("/healthz", self._healthz)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("metrics on http://%s:%d/metrics, health on /healthz", self.host, self.port)
        return self.port

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _metrics(self, request: web.Request) -> web.Response:
        body = self.metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def _healthz(self, request: web.Request) -> web.Response:
        health = self.metrics.health()
        return web.Response(
            text=health.body(), status=200 if health.ok else 503, content_type="application/json"
        )


# -- answers: one settlement per interaction ------------------------------------------------

#: Discord's REST path of an interaction's first answer (``POST .../callback``)
_CALLBACK = re.compile(r"/interactions/(\d+)/[^/]+/callback$")
_DISCORD_EPOCH = 1_420_070_400.0  # seconds; a snowflake's top bits count ms from it
#: an interaction not answered by then is settled as ``error`` (Discord gives up after 3 s)
UNANSWERED_AFTER = 5.0
_RECENT = 1024  # settled interactions remembered, for failures reported after the answer


def command_label(kind: int, data: Mapping[str, object] | None) -> str:
    """The ``command`` label of an interaction (a bounded set of values) from its type
    (Discord's numbers: 2 a slash command, 4 its autocomplete, 5 a modal) and data."""
    name = str((data or {}).get("name", "?"))
    return {2: name, 4: f"{name}:autocomplete", 5: "modal"}.get(kind, "component")


def created_at(interaction_id: int) -> float:
    """The Unix time an interaction was created, from its snowflake id."""
    return _DISCORD_EPOCH + (interaction_id >> 22) / 1000


@dataclass
class _Pending:
    command: str
    outcome: Outcome = "ok"
    timer: asyncio.TimerHandle | None = None


class Answers:
    """Settles every interaction exactly once, at its first answer: the app calls
    :meth:`received` for each interaction and :meth:`failed` from the report path; the
    answer itself is seen by an aiohttp trace on the bot's HTTP session (the
    ``callback`` request), so no handler has to remember to time itself.

    Latency runs from the interaction's creation (the timestamp in its id: the clock of
    Discord's 3-second deadline) to the end of the answering request.  A failure reported
    after the answer (a deferred upload that then failed) is counted again, as ``error``
    or ``user_error``, without a latency.
    """

    def __init__(self, metrics: Metrics, unanswered_after: float = UNANSWERED_AFTER) -> None:
        self.metrics = metrics
        self.unanswered_after = unanswered_after
        self._pending: dict[int, _Pending] = {}
        self._recent: OrderedDict[int, str] = OrderedDict()

    def trace_config(self) -> TraceConfig:
        trace = TraceConfig()
        trace.on_request_end.append(self._on_request_end)
        return trace

    def received(self, interaction_id: int, command: str) -> None:
        pending = self._pending.setdefault(interaction_id, _Pending(command))
        if pending.timer is None:
            loop = asyncio.get_running_loop()
            pending.timer = loop.call_later(self.unanswered_after, self._expire, interaction_id)

    def failed(self, interaction_id: int, command: str, outcome: Outcome) -> None:
        """The report path's verdict: an expected problem or a bug."""
        if (pending := self._pending.get(interaction_id)) is not None:
            pending.outcome = outcome
        elif interaction_id in self._recent:
            self.metrics.interaction(self._recent[interaction_id], outcome, None)
        else:  # reported before ``received`` ran: settled by the answer
            self._pending[interaction_id] = _Pending(command, outcome)

    def _settle(self, interaction_id: int, outcome: Outcome | None, answered: bool) -> None:
        pending = self._pending.pop(interaction_id, None)
        if pending is None:
            return
        if pending.timer is not None:
            pending.timer.cancel()
        seconds = time.time() - created_at(interaction_id) if answered else None
        self.metrics.interaction(pending.command, outcome or pending.outcome, seconds)
        self._recent[interaction_id] = pending.command
        while len(self._recent) > _RECENT:
            self._recent.popitem(last=False)

    def _expire(self, interaction_id: int) -> None:
        self._settle(interaction_id, "error", answered=False)

    async def _on_request_end(
        self, session: ClientSession, context: SimpleNamespace, params: TraceRequestEndParams
    ) -> None:
        """2xx: answered; 4xx: refused (too late, invalid): an error.  A 429 or a 5xx is
        retried by discord.py, like a dropped connection: the retry settles it, or the
        deadline does."""
        match = _CALLBACK.search(params.url.path)
        status = params.response.status
        if match is None or status == 429 or status >= 500:
            return
        self._settle(int(match[1]), None if status < 400 else "error", answered=status < 400)

"""Reading a bot's ``/metrics`` (with prometheus_client's own parser) and ``/healthz``."""

from __future__ import annotations

import json
import re
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

#: the line ``bot.metrics.MetricsServer`` logs when it listens
LISTENING = re.compile(r"metrics on (http://\S+?)/metrics")


class Samples(dict[tuple[str, frozenset[tuple[str, str]]], float]):
    """``{(sample name, labels): value}`` of one scrape."""

    def get_value(self, name: str, **labels: str) -> float:
        """The sample's value; 0 when the series does not exist (yet)."""
        return self.get((name, frozenset(labels.items())), 0.0)

    def total(self, name: str, **labels: str) -> float:
        """The sum over every series of ``name`` whose labels include ``labels``."""
        wanted = set(labels.items())
        return sum(v for (n, ls), v in self.items() if n == name and wanted <= ls)


async def scrape(base: str) -> Samples:
    async with aiohttp.ClientSession() as session, session.get(f"{base}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=")
        text = await response.text()
    samples = Samples()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


async def health(base: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(f"{base}/healthz") as response:
        return response.status, json.loads(await response.text())

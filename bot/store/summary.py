"""What a refresh of the index did, for the log line, the CLI and ``/library``."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.models import Problem
from bot.wording import noun


@dataclass
class RefreshSummary:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    problem_files: int = 0
    errors: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the prompts changed (a new generation of the index)."""
        return bool(self.added or self.updated or self.removed)

    def line(self) -> str:
        files = noun(self.problem_files, "file")
        return (
            f"indexed: {self.added} added, {self.updated} updated, {self.removed} removed, "
            f"{self.unchanged} unchanged, {self.problem_files} {files} with problems"
        )

"""Make the ``discord_spec`` fixture available to the tests in this folder."""

from tests.support.fixtures import discord_spec  # noqa: F401

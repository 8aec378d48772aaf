"""A local fake of Discord (REST + gateway) that validates everything against the spec.

See :class:`tests.fake_discord.app.FakeDiscord` for the driver API.
"""

from tests.fake_discord.app import FakeDiscord
from tests.fake_discord.interactions import InteractionHandle

__all__ = ["FakeDiscord", "InteractionHandle"]

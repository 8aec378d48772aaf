"""A local fake of Discord (REST + gateway) that validates everything against the spec.

See :class:`tests.fake_discord.app.FakeDiscord` for the driver API.
"""

from tests.fake_discord.app import FakeDiscord
from tests.fake_discord.interactions import InteractionHandle
from tests.fake_discord.modals import OpenedModal
from tests.fake_discord.places import Where

__all__ = ["FakeDiscord", "InteractionHandle", "OpenedModal", "Where"]

"""Where an interaction happens, and who installed the app there.

Discord tells a bot three things about the place of an interaction: ``context`` (0 guild,
1 the bot's DM, 2 a private channel such as a group DM), the ``channel`` (a partial channel of
type 0, 1 or 3) and ``authorizing_integration_owners``: ``{"0": guild_id}`` for a guild
install (``"0"`` as the value in the bot's DM), ``{"1": user_id}`` for a user install, or both.
Docs: .../interactions/receiving-and-responding#interaction-object (authorizing integration
owners object, interaction context types).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.fake_discord import objects

GUILD, BOT_DM, PRIVATE_CHANNEL = 0, 1, 2  # InteractionContextType
GUILD_INSTALL, USER_INSTALL = 0, 1  # ApplicationIntegrationType
DM_CHANNEL, GROUP_DM_CHANNEL = 1, 3
#: ``app_permissions`` outside guilds: ATTACH_FILES, EMBED_LINKS, MENTION_EVERYONE (docs), and
#: USE_EXTERNAL_EMOJIS in the bot's DM.
PRIVATE_PERMISSIONS = str((1 << 15) | (1 << 14) | (1 << 17))
BOT_DM_PERMISSIONS = str(int(PRIVATE_PERMISSIONS) | (1 << 18))


@dataclass(frozen=True)
class Where:
    """The place of an interaction; make them with ``fake.in_guild()``, ``fake.dm()``,
    ``fake.group_dm()``."""

    context: int
    channel: dict[str, Any]  # as Discord puts it in the interaction's ``channel``
    guild_id: str | None = None
    guild_install: bool = True
    user_install: bool = False
    #: the one user who can act here (the bot DM's recipient), or None = anybody
    user: dict[str, Any] | None = None

    @property
    def channel_id(self) -> str:
        return str(self.channel["id"])

    @property
    def app_permissions(self) -> str:
        if self.context == GUILD:
            return objects.ALL_PERMISSIONS if self.guild_install else PRIVATE_PERMISSIONS
        return BOT_DM_PERMISSIONS if self.context == BOT_DM else PRIVATE_PERMISSIONS

    def integration_owners(
        self, user_id: str, integration_types: list[int] | None = None
    ) -> dict[str, str]:
        """``authorizing_integration_owners`` for ``user_id`` running a command installed as
        ``integration_types`` (``None`` = not restricted); empty = not usable here."""
        allowed = set(integration_types) if integration_types else {GUILD_INSTALL, USER_INSTALL}
        owners: dict[str, str] = {}
        if self.guild_install and GUILD_INSTALL in allowed:
            owners[str(GUILD_INSTALL)] = self.guild_id or "0"
        if self.user_install and USER_INSTALL in allowed:
            owners[str(USER_INSTALL)] = user_id
        return owners


def dm_channel(channel_id: str, recipient: dict[str, Any]) -> dict[str, Any]:
    """A ``PrivateChannelResponse``: the DM between the bot and ``recipient``."""
    return {
        "id": channel_id,
        "type": DM_CHANNEL,
        "flags": 0,
        "last_message_id": None,
        "recipients": [recipient],
    }


def group_dm_channel(
    channel_id: str, owner: dict[str, Any], others: list[dict[str, Any]]
) -> dict[str, Any]:
    """A ``PrivateGroupChannelResponse`` (the bot is not a member: user installs only)."""
    return {
        "id": channel_id,
        "type": GROUP_DM_CHANNEL,
        "flags": 0,
        "last_message_id": None,
        "recipients": [owner, *others],
        "name": None,
        "icon": None,
        "owner_id": owner["id"],
    }

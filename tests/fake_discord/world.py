"""The fake's view of Discord: one application, its bot, its guilds, commands and messages."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from tests.fake_discord import objects, places
from tests.fake_discord.objects import snowflake
from tests.fake_discord.places import Where


@dataclass
class InteractionState:
    """One interaction the fake created, and what the bot has done with it."""

    id: str
    token: str
    type: int
    payload: dict[str, Any]
    created_at: float  # loop time of the dispatch; the initial response is due in 3 s
    callback_type: int | None = None
    original_message_id: str | None = None
    followup_ids: list[str] = field(default_factory=list)
    modal: dict[str, Any] | None = None  # the modal a type 9 callback opened (ids numbered)
    opener: InteractionState | None = None  # for a modal submit: the interaction that opened it
    shard_id: int | None = None  # the shard INTERACTION_CREATE was routed to
    where: Where | None = None

    @property
    def channel_id(self) -> str:
        return str(self.payload["channel_id"])

    @property
    def guild_id(self) -> str | None:
        return self.payload.get("guild_id")

    @property
    def user(self) -> dict[str, Any]:
        return (self.payload.get("member") or {}).get("user") or self.payload["user"]


@dataclass
class GuildState:
    """A guild the bot is in: the guild object, its channels and members."""

    guild: dict[str, Any]
    channels: list[dict[str, Any]]
    members: list[dict[str, Any]]

    @property
    def id(self) -> str:
        return str(self.guild["id"])


class World:
    """Ids, objects and stores shared by the REST API and the gateway."""

    def __init__(self, token: str | None = None, gateway_url: str = "") -> None:
        self.token = token or f"fake.{secrets.token_urlsafe(24)}"
        self.gateway_url = gateway_url
        self.application_id = snowflake()
        self.bot_user = objects.user(self.application_id, "promptbot-test", bot=True)
        self.owner = objects.user(snowflake(), "owner")
        self.tester = objects.user(snowflake(), "tester")
        self.guilds: dict[str, GuildState] = {}
        first = self.add_guild()
        self.guild_id, self.guild = first.id, first.guild
        self.channel, self.members = first.channels[0], first.members
        # (guild id or None for global) -> command name -> ApplicationCommandResponse
        self.commands: dict[str | None, dict[str, dict[str, Any]]] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self.interactions: dict[str, InteractionState] = {}
        self.dm_channels: dict[str, dict[str, Any]] = {}  # user id -> the bot's DM with them
        self.message_origins: dict[str, InteractionState] = {}  # message id -> its interaction
        #: None: the application belongs to ``owner``; else to a team of (user, role)
        self.team: list[tuple[dict[str, Any], str]] | None = None
        #: (guild id, user id) -> the member's permissions; unset: @everyone's (all of them)
        self.permissions: dict[tuple[str, str], int] = {}

    # -- places ------------------------------------------------------------------------------
    def add_guild(self, guild_id: str | None = None, name: str = "Fake Guild") -> GuildState:
        """A guild with one text channel and the bot, the owner and the tester as members."""
        guild_id = guild_id or snowflake()
        joined = objects.now_iso()
        state = GuildState(
            objects.guild(guild_id, name, self.owner["id"]),
            [objects.text_channel(snowflake(), guild_id)],
            [objects.member(u, joined) for u in (self.bot_user, self.owner, self.tester)],
        )
        self.guilds[guild_id] = state
        return state

    def guild_where(
        self, guild_id: str | None = None, *, guild_install: bool = True, user_install: bool = False
    ) -> Where:
        guild_id = str(guild_id or self.guild_id)
        if guild_id in self.guilds:
            channel = self.guilds[guild_id].channels[0]
        elif guild_install:
            raise LookupError(f"the bot is not in guild {guild_id}: fake.add_guild() it first")
        else:  # a user-installed app used in a guild the bot is not in
            channel = objects.text_channel(snowflake(), guild_id)
        return Where(places.GUILD, channel, guild_id, guild_install, user_install)

    def dm_where(
        self, user: dict[str, Any], *, guild_install: bool = False, user_install: bool = True
    ) -> Where:
        channel = self.dm_channels.setdefault(user["id"], places.dm_channel(snowflake(), user))
        return Where(places.BOT_DM, channel, None, guild_install, user_install, user)

    def group_dm_where(self, user: dict[str, Any], others: list[dict[str, Any]]) -> Where:
        channel = places.group_dm_channel(snowflake(), user, others)
        return Where(places.PRIVATE_CHANNEL, channel, None, False, True)

    # -- gateway payloads ---------------------------------------------------------------
    def ready_payload(
        self, session_id: str, shard: Any, guild_ids: list[str] | None = None
    ) -> dict[str, Any]:
        ids = list(self.guilds) if guild_ids is None else guild_ids
        ready: dict[str, Any] = {
            "v": 10,
            "user": objects.user_pii(self.bot_user),
            "guilds": [{"id": g, "unavailable": True} for g in ids],
            "session_id": session_id,
            "session_type": "normal",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": self.application_id, "flags": 0},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["us-east"],
            "user_settings": {},
            "auth": {},
            "_trace": ["fake-gateway"],
        }
        if shard is not None:
            ready["shard"] = shard
        return ready

    def guild_create_payloads(self, guild_ids: list[str] | None = None) -> list[dict[str, Any]]:
        ids = list(self.guilds) if guild_ids is None else guild_ids
        return [self.guild_create_payload(g) for g in ids]

    def guild_create_payload(self, guild_id: str) -> dict[str, Any]:
        state = self.guilds[guild_id]
        return objects.guild_create(state.guild, state.channels, state.members)

    def members_of(self, guild_id: str) -> list[dict[str, Any]]:
        return self.guilds[guild_id].members if guild_id in self.guilds else []

    def member_for(self, user: dict[str, Any], guild_id: str | None = None) -> dict[str, Any]:
        for m in self.members_of(str(guild_id or self.guild_id)):
            if m["user"]["id"] == user["id"]:
                return m
        return objects.member(user, objects.now_iso())

    def application(self) -> dict[str, Any]:
        """``GET /oauth2/applications/@me``: its owner, or its team."""
        return objects.application(self.application_id, self.bot_user, self.owner, self.team)

    # -- permissions ----------------------------------------------------------------------
    def set_permissions(
        self, user: dict[str, Any], permissions: int, guild_id: str | None = None
    ) -> None:
        """Give ``user`` exactly ``permissions`` in a guild (default the first one)."""
        self.permissions[(str(guild_id or self.guild_id), user["id"])] = permissions

    def permissions_of(self, user: dict[str, Any], guild_id: str) -> int:
        """The member's permissions: all for the guild's owner, else those set, else
        @everyone's (every permission, in the fake's guilds)."""
        state = self.guilds.get(str(guild_id))
        if state is not None and state.guild["owner_id"] == user["id"]:
            return int(objects.ALL_PERMISSIONS)
        return self.permissions.get((str(guild_id), user["id"]), int(objects.ALL_PERMISSIONS))

    def may_use(self, command: dict[str, Any], user: dict[str, Any], guild_id: str) -> bool:
        """Discord's ``default_member_permissions`` rule: a member sees (and can use) the
        command when they have every permission it names; "0" leaves it to administrators."""
        required = command.get("default_member_permissions")
        if required is None:
            return True
        have = self.permissions_of(user, guild_id)
        if have & objects.ADMINISTRATOR:
            return True
        return int(required) != 0 and int(required) & ~have == 0

    # -- commands -------------------------------------------------------------------------
    def store_commands(self, guild_id: str | None, body: list[dict[str, Any]]) -> list[Any]:
        """Bulk overwrite: keep ids of commands that keep their name, as Discord does."""
        old = self.commands.get(guild_id, {})
        new: dict[str, dict[str, Any]] = {}
        for command in body:
            name = command["name"]
            stored = {k: v for k, v in command.items() if v is not None}
            stored.update(
                id=old[name]["id"] if name in old else snowflake(),
                application_id=self.application_id,
                version=snowflake(),
                type=command.get("type") or 1,
                description=command.get("description") or "",
                default_member_permissions=command.get("default_member_permissions"),
            )
            if stored["default_member_permissions"] is not None:
                stored["default_member_permissions"] = str(stored["default_member_permissions"])
            stored.pop("dm_permission", None)
            if guild_id is not None:
                stored["guild_id"] = guild_id
            new[name] = stored
        self.commands[guild_id] = new
        return list(new.values())

    def find_command(self, name: str, guild_id: str | None) -> dict[str, Any]:
        for scope in (guild_id, None):
            if scope in self.commands and name in self.commands[scope]:
                return self.commands[scope][name]
        known = {scope: sorted(cmds) for scope, cmds in self.commands.items()}
        raise LookupError(f"no synced command {name!r} (synced: {known}); sync the tree first")

    # -- interactions ---------------------------------------------------------------------
    def interaction_payload(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        user: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        in_guild: bool = True,
        where: Where | None = None,
        owners: dict[str, str] | None = None,
    ) -> tuple[str, str, dict[str, Any]]:
        """A complete ``INTERACTION_CREATE`` payload; returns (id, token, payload).

        ``where`` defaults to the first guild (``in_guild``) or the tester's DM with the bot
        through a user install; ``owners`` (``authorizing_integration_owners``) to ``where``'s.
        """
        user = user or (where.user if where else None) or self.tester
        if where is None:
            where = self.guild_where() if in_guild else self.dm_where(user)
        interaction_id, token = snowflake(), "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(60)
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": self.application_id,
            "type": kind,
            "data": data,
            "channel": {**where.channel},
            "channel_id": where.channel_id,
            "token": token,
            "version": 1,
            "app_permissions": where.app_permissions,
            "locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": objects.ATTACHMENT_SIZE_LIMIT,
            "authorizing_integration_owners": owners or where.integration_owners(user["id"]),
            "context": where.context,
        }
        if where.guild_id is not None:
            member = self.member_for(user, where.guild_id)
            member = {**member, "permissions": str(self.permissions_of(user, where.guild_id))}
            payload.update(
                guild_id=where.guild_id,
                guild={"id": where.guild_id, "locale": "en-US", "features": []},
                guild_locale="en-US",
                member=member,
            )
        else:
            payload["user"] = user
        if message is not None:
            payload["message"] = message
        return interaction_id, token, payload

    def interaction_by_token(self, token: str) -> InteractionState | None:
        for state in self.interactions.values():
            if state.token == token:
                return state
        return None

    def new_message_id(self) -> str:
        return snowflake()

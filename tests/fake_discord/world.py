"""The fake's view of Discord: one application, its bot, one guild, its commands and messages."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from tests.fake_discord import objects
from tests.fake_discord.objects import snowflake


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


class World:
    """Ids, objects and stores shared by the REST API and the gateway."""

    def __init__(self, token: str | None = None, gateway_url: str = "") -> None:
        self.token = token or f"fake.{secrets.token_urlsafe(24)}"
        self.gateway_url = gateway_url
        self.application_id = snowflake()
        self.bot_user = objects.user(self.application_id, "promptbot-test", bot=True)
        self.owner = objects.user(snowflake(), "owner")
        self.tester = objects.user(snowflake(), "tester")
        self.guild_id = snowflake()
        self.guild = objects.guild(self.guild_id, "Fake Guild", self.owner["id"])
        self.channel = objects.text_channel(snowflake(), self.guild_id)
        joined = objects.now_iso()
        self.members = [objects.member(u, joined) for u in (self.bot_user, self.owner, self.tester)]
        # (guild id or None for global) -> command name -> ApplicationCommandResponse
        self.commands: dict[str | None, dict[str, dict[str, Any]]] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self.interactions: dict[str, InteractionState] = {}

    # -- gateway payloads ---------------------------------------------------------------
    def ready_payload(self, session_id: str, shard: Any) -> dict[str, Any]:
        ready: dict[str, Any] = {
            "v": 10,
            "user": objects.user_pii(self.bot_user),
            "guilds": [{"id": self.guild_id, "unavailable": True}],
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

    def guild_create_payloads(self) -> list[dict[str, Any]]:
        return [objects.guild_create(self.guild, [self.channel], self.members)]

    def members_of(self, guild_id: str) -> list[dict[str, Any]]:
        return self.members if guild_id == self.guild_id else []

    def member_for(self, user: dict[str, Any]) -> dict[str, Any]:
        for m in self.members:
            if m["user"]["id"] == user["id"]:
                return m
        return objects.member(user, objects.now_iso())

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
    ) -> tuple[str, str, dict[str, Any]]:
        """A complete ``INTERACTION_CREATE`` payload; returns (id, token, payload)."""
        interaction_id, token = snowflake(), "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(60)
        user = user or self.tester
        payload: dict[str, Any] = {
            "id": interaction_id,
            "application_id": self.application_id,
            "type": kind,
            "data": data,
            "channel": {**self.channel},
            "channel_id": self.channel["id"],
            "token": token,
            "version": 1,
            "app_permissions": objects.ALL_PERMISSIONS,
            "locale": "en-US",
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": objects.ATTACHMENT_SIZE_LIMIT,
        }
        if in_guild:
            payload.update(
                guild_id=self.guild_id,
                guild={"id": self.guild_id, "locale": "en-US", "features": []},
                guild_locale="en-US",
                member={**self.member_for(user), "permissions": objects.ALL_PERMISSIONS},
                authorizing_integration_owners={"0": self.guild_id},
                context=0,
            )
        else:
            payload.pop("channel")
            payload.update(
                user=user,
                authorizing_integration_owners={"1": user["id"]},
                context=1,
                channel={
                    "id": self.channel["id"],
                    "type": 1,
                    "flags": 0,
                    "recipients": [user],
                    "last_message_id": None,
                },
            )
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

"""Payload factories: complete Discord objects, shaped like the spec's response schemas.

Every factory returns what Discord itself would send, with every key the spec marks required,
because discord.py indexes some keys directly and a missing one kills the gateway connection.
"""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000
_increment = itertools.count(1)

CHAT_INPUT_COMMAND_MESSAGE = 20
DEFAULT_MESSAGE = 0
LOADING_FLAG = 1 << 7
ALL_PERMISSIONS = str((1 << 50) - 1)
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


def snowflake() -> str:
    """A fresh, time-ordered snowflake (as Discord sends them: a string)."""
    ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
    return str((ms << 22) | (next(_increment) & 0x3FFFFF))


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def user(user_id: str, username: str, *, bot: bool = False) -> dict[str, Any]:
    """A ``UserResponse``."""
    return {
        "id": user_id,
        "username": username,
        "avatar": None,
        "discriminator": "0",
        "public_flags": 0,
        "flags": 0,
        "bot": bot,
        "global_name": None if bot else username.title(),
        "primary_guild": None,
        "avatar_decoration_data": None,
        "collectibles": None,
        "banner": None,
        "accent_color": None,
    }


def user_pii(base: dict[str, Any]) -> dict[str, Any]:
    """A ``UserPIIResponse`` (``GET /users/@me``) for a user."""
    return {**base, "mfa_enabled": True, "locale": "en-US", "verified": True, "email": None}


ADMINISTRATOR = 1 << 3
TEAM_PSEUDO_USER = 1 << 10
TEAM_ROLES = ("admin", "developer", "read_only")


def team(team_id: str, owner_id: str, members: list[tuple[dict[str, Any], str]]) -> dict[str, Any]:
    """A ``TeamResponse``: ``members`` are (user, role) with role admin, developer or
    read_only, all of whom accepted the invitation."""
    for _, role_name in members:
        if role_name not in TEAM_ROLES:
            raise ValueError(f"team role {role_name!r} is not one of {TEAM_ROLES}")
    return {
        "id": team_id,
        "icon": None,
        "name": "Fake Team",
        "owner_user_id": owner_id,
        "members": [
            {
                "user": member_user,
                "team_id": team_id,
                "membership_state": 2,
                "role": role_name,
                "permissions": ["*"],
            }
            for member_user, role_name in members
        ],
    }


def application(
    app_id: str,
    bot_user: dict[str, Any],
    owner: dict[str, Any],
    team_members: list[tuple[dict[str, Any], str]] | None = None,
) -> dict[str, Any]:
    """A ``PrivateApplicationResponse`` (``GET /oauth2/applications/@me``).  A team-owned
    application (``team_members``) has a team whose owner is ``owner``, and, as on Discord,
    a pseudo-user for the team as its ``owner``."""
    owned_by_team = team_members is not None
    if owned_by_team:
        team_id = str(int(app_id) + 1)
        team_object: dict[str, Any] | None = team(team_id, owner["id"], team_members or [])
        owner = {**user(team_id, f"team{team_id}"), "flags": TEAM_PSEUDO_USER}
        owner["public_flags"] = TEAM_PSEUDO_USER
    else:
        team_object = None
    return {
        "id": app_id,
        "name": bot_user["username"],
        "icon": None,
        "description": "",
        "type": None,
        "bot": bot_user,
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": 0,
        "flags_new": "0",
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "owner": owner,
        "approximate_guild_count": 1,
        "approximate_user_install_count": 0,
        "approximate_user_authorization_count": 0,
        "explicit_content_filter": 0,
        "team": team_object,
        "eligible_oauth2_scopes": ["bot", "applications.commands"],
        "integration_types_config": {"0": {}},
    }


def role(role_id: str, name: str, position: int = 0) -> dict[str, Any]:
    """A ``GuildRoleResponse``."""
    return {
        "id": role_id,
        "name": name,
        "permissions": ALL_PERMISSIONS if name == "@everyone" else "0",
        "position": position,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "icon": None,
        "unicode_emoji": None,
        "flags": 0,
    }


def text_channel(channel_id: str, guild_id: str, name: str = "general") -> dict[str, Any]:
    """A ``GuildChannelResponse`` for a text channel."""
    return {
        "id": channel_id,
        "type": 0,
        "flags": 0,
        "guild_id": guild_id,
        "name": name,
        "position": 0,
        "parent_id": None,
        "topic": None,
        "nsfw": False,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "permission_overwrites": [],
    }


def member(base_user: dict[str, Any], joined_at: str) -> dict[str, Any]:
    """A ``GuildMemberResponse``."""
    return {
        "avatar": None,
        "banner": None,
        "communication_disabled_until": None,
        "flags": 0,
        "joined_at": joined_at,
        "nick": None,
        "pending": False,
        "premium_since": None,
        "roles": [],
        "user": base_user,
        "mute": False,
        "deaf": False,
    }


def guild(guild_id: str, name: str, owner_id: str) -> dict[str, Any]:
    """A ``GuildResponse``."""
    return {
        "id": guild_id,
        "name": name,
        "icon": None,
        "description": None,
        "home_header": None,
        "splash": None,
        "discovery_splash": None,
        "features": [],
        "banner": None,
        "owner_id": owner_id,
        "application_id": None,
        "region": "deprecated",
        "afk_channel_id": None,
        "afk_timeout": 300,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "widget_enabled": False,
        "widget_channel_id": None,
        "verification_level": 0,
        "roles": [role(guild_id, "@everyone")],
        "default_message_notifications": 0,
        "mfa_level": 0,
        "explicit_content_filter": 0,
        "max_presences": None,
        "max_members": 500000,
        "max_stage_video_channel_users": 50,
        "max_video_channel_users": 25,
        "vanity_url_code": None,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "preferred_locale": "en-US",
        "rules_channel_id": None,
        "safety_alerts_channel_id": None,
        "public_updates_channel_id": None,
        "premium_progress_bar_enabled": False,
        "nsfw": False,
        "nsfw_level": 0,
        "emojis": [],
        "stickers": [],
        "incidents_data": None,
    }


def guild_create(
    base: dict[str, Any], channels: list[dict[str, Any]], members: list[dict[str, Any]]
) -> dict[str, Any]:
    """The ``GUILD_CREATE`` gateway payload: the guild plus its gateway-only fields."""
    return {
        **base,
        "joined_at": members[0]["joined_at"],
        "large": False,
        "unavailable": False,
        "member_count": len(members),
        "voice_states": [],
        "members": members,
        "channels": [{k: v for k, v in c.items() if k != "guild_id"} for c in channels],
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "lazy": True,
    }


def _strip_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_none(v) for v in value]
    return value


def response_embed(embed: dict[str, Any]) -> dict[str, Any]:
    """A request ``RichEmbed`` as Discord echoes it back (``MessageEmbedResponse``)."""
    out = _strip_none(embed)
    out["type"] = out.get("type") or "rich"
    out["fields"] = [{"inline": False, **f} for f in out.get("fields", [])]
    if not out["fields"]:
        del out["fields"]
    return out


def response_components(components: list[Any]) -> list[Any]:
    """Request components as Discord echoes them back: numbered ``id``s, select defaults."""
    counter = itertools.count(1)

    def convert(node: Any) -> Any:
        if isinstance(node, list):
            return [convert(c) for c in node]
        if not isinstance(node, dict):
            return node
        out = {k: v for k, v in node.items() if v is not None}
        out["id"] = out.get("id") or next(counter)  # depth-first pre-order, like Discord
        out = {k: convert(v) for k, v in out.items()}
        if out.get("type") in (3, 5, 6, 7, 8):
            out.setdefault("min_values", 1)
            out.setdefault("max_values", 1)
        return out

    return convert(components)


def message(
    body: dict[str, Any],
    *,
    message_id: str,
    channel_id: str,
    author: dict[str, Any],
    application_id: str,
    attachments: list[dict[str, Any]],
    message_type: int = CHAT_INPUT_COMMAND_MESSAGE,
    interaction_metadata: dict[str, Any] | None = None,
    loading: bool = False,
) -> dict[str, Any]:
    """A ``MessageResponse`` built from a message request body sent by the bot."""
    flags = (body.get("flags") or 0) | (LOADING_FLAG if loading else 0)
    out: dict[str, Any] = {
        "type": message_type,
        "content": body.get("content") or "",
        "mentions": [],
        "mention_roles": [],
        "attachments": attachments,
        "embeds": [response_embed(e) for e in body.get("embeds") or []],
        "timestamp": now_iso(),
        "edited_timestamp": None,
        "flags": flags,
        "components": response_components(body.get("components") or []),
        "id": message_id,
        "channel_id": channel_id,
        "author": author,
        "pinned": False,
        "mention_everyone": False,
        "tts": bool(body.get("tts")),
        "application_id": application_id,
        "webhook_id": application_id,
    }
    if interaction_metadata is not None:
        out["interaction_metadata"] = interaction_metadata
    return out


def edit_message(
    current: dict[str, Any], body: dict[str, Any], attachments: list[dict[str, Any]] | None
) -> dict[str, Any]:
    """``current`` after a PATCH with ``body`` (only the keys sent change; loading ends)."""
    out = dict(current)
    if "content" in body:
        out["content"] = body["content"] or ""
    if "embeds" in body:
        out["embeds"] = [response_embed(e) for e in body["embeds"] or []]
    if "components" in body:
        out["components"] = response_components(body["components"] or [])
    if attachments is not None:
        out["attachments"] = attachments
    if "flags" in body and body["flags"] is not None:
        out["flags"] = body["flags"]
    out["flags"] = out["flags"] & ~LOADING_FLAG
    out["edited_timestamp"] = now_iso()
    return out


def attachment(
    filename: str, size: int, channel_id: str, *, content_type: str | None = None
) -> dict[str, Any]:
    """A ``MessageAttachmentResponse`` for an uploaded file."""
    attachment_id = snowflake()
    url = f"https://cdn.discordapp.com/attachments/{channel_id}/{attachment_id}/{filename}"
    out: dict[str, Any] = {
        "id": attachment_id,
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url.replace("cdn.discordapp.com", "media.discordapp.net"),
    }
    if content_type:
        out["content_type"] = content_type
    return out

"""The interaction half of the driver API: slash commands, autocomplete, clicks, modals, and
where they happen (a guild, the bot's DM, a group DM; guild- or user-installed).

Mixed into :class:`tests.fake_discord.app.FakeDiscord`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

from tests.fake_discord import places
from tests.fake_discord.gateway import Gateway
from tests.fake_discord.interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InteractionHandle,
    command_options,
    find_component,
)
from tests.fake_discord.modals import OpenedModal, submission
from tests.fake_discord.places import Where
from tests.fake_discord.recorder import Recorder
from tests.fake_discord.world import InteractionState, World


class InteractionDriver:
    """``send_slash_command``, ``send_autocomplete``, ``send_component``, ``submit_modal``."""

    world: World
    gateway: Gateway
    recorder: Recorder

    SYNC_WAIT = 10.0  # seconds a command is awaited before "no synced command"

    # -- places ---------------------------------------------------------------------------
    def in_guild(
        self,
        guild_id: int | str | None = None,
        *,
        user_install: bool = False,
        guild_install: bool = True,
    ) -> Where:
        """A guild's text channel (default: the first guild).  ``guild_install=False,
        user_install=True`` is a user-installed command in a guild the bot need not be in."""
        gid = None if guild_id is None else str(guild_id)
        return self.world.guild_where(gid, guild_install=guild_install, user_install=user_install)

    def dm(
        self,
        user: dict[str, Any] | None = None,
        *,
        user_install: bool = True,
        guild_install: bool = False,
    ) -> Where:
        """The bot's DM with ``user`` (default the tester): context 1, channel type 1.  The
        owners are ``{"1": user_id}`` for a user install and ``{"0": "0"}`` for a guild one."""
        return self.world.dm_where(
            user or self.world.tester, user_install=user_install, guild_install=guild_install
        )

    def group_dm(
        self, user: dict[str, Any] | None = None, others: list[dict[str, Any]] | None = None
    ) -> Where:
        """A group DM of ``user`` and ``others`` (context 2, channel type 3): the bot is not
        in it, so only user-installed commands work there."""
        return self.world.group_dm_where(user or self.world.tester, others or [self.world.owner])

    def _actor(self, where: Where, user: dict[str, Any] | None) -> dict[str, Any]:
        actor = user or where.user or self.world.tester
        if where.user is not None and actor["id"] != where.user["id"]:
            raise ValueError(f"only {where.user['username']} can interact in this DM")
        recipients = where.channel.get("recipients")
        if recipients and actor["id"] not in {u["id"] for u in recipients}:
            raise ValueError(f"{actor['username']} is not in channel {where.channel_id}")
        return actor

    # -- sending --------------------------------------------------------------------------
    async def _send(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        where: Where,
        user: dict[str, Any],
        owners: dict[str, str] | None = None,
        message: dict[str, Any] | None = None,
        opener: InteractionState | None = None,
    ) -> InteractionHandle:
        interaction_id, token, payload = self.world.interaction_payload(
            kind, data, user=user, message=message, where=where, owners=owners
        )
        state = InteractionState(
            interaction_id, token, kind, payload, created_at=asyncio.get_running_loop().time()
        )
        state.where, state.opener = where, opener
        state.shard_id = self.gateway.route("INTERACTION_CREATE", payload)
        self.world.interactions[interaction_id] = state
        await self.gateway.dispatch("INTERACTION_CREATE", payload, state.shard_id)
        return InteractionHandle(self, state)  # type: ignore[arg-type]

    async def _synced(self, name: str, where: Where) -> None:
        """Wait until ``/name`` is registered where it is used, as Discord offers a
        command only once it is: a bot syncs beside its gateway connection, so a
        test's first command can come right after READY, before the sync lands.
        Still missing after ``SYNC_WAIT``: ``_command_data`` says so."""
        scope = where.guild_id if where.guild_install else None

        def registered() -> bool:
            return any(name in self.world.commands.get(s, {}) for s in (scope, None))

        with contextlib.suppress(TimeoutError):
            await self.recorder.wait_for(registered, self.SYNC_WAIT, f"/{name} synced")

    def _command_data(
        self,
        name: str,
        options: dict[str, Any],
        where: Where,
        user: dict[str, Any],
        focused: str | None = None,
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """(``data``, ``authorizing_integration_owners``) for ``/name`` used at ``where``."""
        scope = where.guild_id if where.guild_install else None
        command = self.world.find_command(name, scope)
        contexts = command.get("contexts")
        if contexts is not None and where.context not in contexts:
            raise ValueError(f"/{name} has contexts {contexts}: not offered in {where.context}")
        guild_id = where.guild_id if where.guild_install else None
        if guild_id is not None and not self.world.may_use(command, user, guild_id):
            raise ValueError(
                f"/{name} needs permissions {command['default_member_permissions']}: "
                f"{user['username']} lacks them, so Discord does not offer it"
            )
        types = (
            [places.GUILD_INSTALL] if "guild_id" in command else command.get("integration_types")
        )
        owners = where.integration_owners(user["id"], types)
        if not owners:
            raise ValueError(f"/{name} is installed as {types}: not usable at {where}")
        data: dict[str, Any] = {
            "id": command["id"],
            "name": name,
            "type": command.get("type", 1),
            "options": command_options(command, options, focused),
        }
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        return data, owners

    def _place(self, where: Where | None, guild: bool, user: dict[str, Any] | None) -> Where:
        if where is not None:
            return where
        return self.in_guild() if guild else self.dm(user)

    async def send_slash_command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        guild: bool = True,
        user: dict[str, Any] | None = None,
        where: Where | None = None,
    ) -> InteractionHandle:
        """Invoke a synced slash command (options typed from the synced definition) at
        ``where`` (default: the first guild, or with ``guild=False`` the user's DM)."""
        place = self._place(where, guild, user)
        actor = self._actor(place, user)
        await self._synced(name, place)
        data, owners = self._command_data(name, options or {}, place, actor)
        return await self._send(APPLICATION_COMMAND, data, where=place, user=actor, owners=owners)

    async def send_autocomplete(
        self,
        name: str,
        focused: str,
        value: str,
        options: dict[str, Any] | None = None,
        *,
        guild: bool = True,
        user: dict[str, Any] | None = None,
        where: Where | None = None,
    ) -> InteractionHandle:
        """The user typed ``value`` into option ``focused`` of ``/name``."""
        place = self._place(where, guild, user)
        actor = self._actor(place, user)
        values = {**(options or {}), focused: value}
        await self._synced(name, place)
        data, owners = self._command_data(name, values, place, actor, focused)
        return await self._send(AUTOCOMPLETE, data, where=place, user=actor, owners=owners)

    async def send_component(
        self,
        custom_id: str,
        *,
        message: dict[str, Any] | None = None,
        values: list[str] | None = None,
        user: dict[str, Any] | None = None,
        where: Where | None = None,
    ) -> InteractionHandle:
        """Click a button / choose in a select (as ``user``, default the tester).

        ``message`` defaults to the newest message the bot sent that carries ``custom_id``;
        ``where`` to the place of the interaction that created that message.
        """
        if message is None:
            candidates = [
                m
                for m in self.world.messages.values()
                if find_component(m.get("components"), custom_id)
            ]
            if not candidates:
                raise LookupError(f"no message with a component {custom_id!r}")
            message = max(candidates, key=lambda m: int(m["id"]))
        component = find_component(message.get("components"), custom_id)
        if component is None:
            raise LookupError(f"message {message.get('id')} has no component {custom_id!r}")
        data: dict[str, Any] = {
            "custom_id": custom_id,
            "component_type": component["type"],
            "id": component.get("id"),
        }
        if component["type"] != 2:
            data["values"] = values or []
        elif values is not None:
            raise ValueError("buttons take no values")
        origin = self.world.message_origins.get(str(message.get("id")))
        place = where or (origin.where if origin else None) or self.in_guild()
        actor = self._actor(place, user)
        owners = origin.payload["authorizing_integration_owners"] if origin else None
        return await self._send(
            MESSAGE_COMPONENT, data, where=place, user=actor, owners=owners, message=message
        )

    async def submit_modal(
        self,
        modal: OpenedModal | InteractionHandle,
        values: Mapping[str, Any] | None = None,
        *,
        user: dict[str, Any] | None = None,
        timeout: float = 5.0,
    ) -> InteractionHandle:
        """Fill in and submit the modal the bot opened (pass it, or the handle it answered).

        ``values``: custom_id -> typed text (or option values for a select); inputs left out
        keep their pre-filled value.  Raises ``ValueError`` for what Discord's client would
        not submit (a required input empty, too short/long, unknown custom_id).  Only the user
        who opened the modal can submit it, and only until the bot answers a submit.
        """
        if isinstance(modal, InteractionHandle):
            modal = await modal.modal(timeout)
        opener = modal.opener
        answered = [
            s.id
            for s in self.world.interactions.values()
            if s.opener is opener and s.callback_type is not None
        ]
        if answered:
            raise ValueError(f"the modal closed when the bot answered its submit {answered[0]}")
        if user is not None and user["id"] != opener.user["id"]:
            raise ValueError("only the user the modal was shown to can submit it")
        data = submission(modal, values or {})
        message = opener.payload.get("message")
        if message is not None:  # opened from a component: Discord sends that message along
            message = self.world.messages.get(str(message["id"]), message)
        place = opener.where or self.in_guild()
        return await self._send(
            MODAL_SUBMIT,
            data,
            where=place,
            user=opener.user,
            owners=opener.payload["authorizing_integration_owners"],
            message=message,
            opener=opener,
        )

    async def dispatch(self, event: str, data: dict[str, Any], shard_id: int | None = None) -> int:
        """Send any other gateway dispatch (to its guild's shard unless ``shard_id`` is given);
        returns its sequence number (0 when no session holds that shard)."""
        return await self.gateway.dispatch(event, data, shard_id)

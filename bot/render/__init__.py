"""Stage 4, render: a ``Prompt`` in, the data of a Discord message out.

Pure data (no network, no state): ``card`` builds a prompt's card, ``message``
the reply shapes, ``lists`` the listings, ``media`` resolves previews,
``format`` the text helpers.  Discord's limits come from ``bot.limits``.
"""

from bot.render.card import Card, card_payload, render_card, show_payload

__all__ = ["Card", "card_payload", "render_card", "show_payload"]

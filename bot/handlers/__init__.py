"""The one ordered registry of handlers.

Order matters: the gate (group -1) runs before everything; within group 0 the
first matching handler wins, so the fallback module comes last.
"""

from __future__ import annotations

from bot.context import BotApplication
from bot.handlers import contacts, errors, fallback, gate, help, invites, organisations, start

FEATURES = (gate, start, help, organisations, invites, contacts)


def register(app: BotApplication) -> None:
    for module in FEATURES:
        module.register(app)
    fallback.register(app)
    errors.register(app)

"""The command menus Telegram shows (setMyCommands): members see theirs, each coordinator
theirs. Texts come from the catalog."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot import texts
from bot.context import SERVICES_KEY, BotApplication

log = logging.getLogger(__name__)

MEMBER_COMMANDS = (
    ("mine", texts.CMD_MINE),
    ("help", texts.CMD_HELP),
    ("whoami", texts.CMD_WHOAMI),
    ("cancel", texts.CMD_CANCEL),
)
COORDINATOR_COMMANDS = (
    ("letters", texts.CMD_LETTERS),
    ("newletter", texts.CMD_NEWLETTER),
    ("status", texts.CMD_STATUS),
    ("export", texts.CMD_EXPORT),
    ("help", texts.CMD_HELP),
    ("orgs", texts.CMD_ORGS),
    ("addorg", texts.CMD_ADDORG),
    ("invite", texts.CMD_INVITE),
    ("invites", texts.CMD_INVITES),
    ("contacts", texts.CMD_CONTACTS),
    ("whoami", texts.CMD_WHOAMI),
    ("cancel", texts.CMD_CANCEL),
)


def _commands(pairs: tuple[tuple[str, str], ...], language: str) -> list[BotCommand]:
    return [BotCommand(name, texts.render(text, language)) for name, text in pairs]


async def publish_commands(app: BotApplication, *, only_chat: int | None = None) -> None:
    """Sets the command menus; a failure is logged and never stops the bot.

    A coordinator who has never opened the bot has no chat yet ("chat not found"): their
    menu is set again when they first send /start (``only_chat``).
    """
    settings = app.bot_data[SERVICES_KEY].settings
    calls: list[tuple[list[BotCommand], Any]] = []
    if only_chat is None:
        calls.append((_commands(MEMBER_COMMANDS, "en"), BotCommandScopeDefault()))
    calls += [
        (_commands(COORDINATOR_COMMANDS, "en"), BotCommandScopeChat(coordinator_id))
        for coordinator_id in sorted(settings.coordinator_ids)
        if only_chat in (None, coordinator_id)
    ]
    for commands, scope in calls:
        try:
            await app.bot.set_my_commands(commands, scope=scope)
        except TelegramError as error:
            # e.g. a coordinator who has not opened the bot yet: "chat not found".
            log.warning("could not set the command menu (%s): %s", scope.type, error)

"""The command menus Telegram shows (setMyCommands), in each language.

Members see theirs in the language of their Telegram app (the default scope, once per
language code; English without one); each coordinator sees theirs in their own language
(their chat's scope). Someone who picks another language with /language gets their menu
in it for their chat. Texts come from the catalog.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot import texts
from bot.context import SERVICES_KEY, BotApplication
from bot.services import coordinators, languages

log = logging.getLogger(__name__)

MEMBER_COMMANDS = (
    ("mine", texts.CMD_MINE),
    ("help", texts.CMD_HELP),
    ("whoami", texts.CMD_WHOAMI),
    ("language", texts.CMD_LANGUAGE),
    ("cancel", texts.CMD_CANCEL),
)
COORDINATOR_COMMANDS = (
    ("letters", texts.CMD_LETTERS),
    ("newletter", texts.CMD_NEWLETTER),
    ("status", texts.CMD_STATUS),
    ("export", texts.CMD_EXPORT),
    ("record", texts.CMD_RECORD),
    ("translate", texts.CMD_TRANSLATE),
    ("publish", texts.CMD_PUBLISH),
    ("collect", texts.CMD_COLLECT),
    ("list", texts.CMD_LIST),
    ("orgname", texts.CMD_ORGNAME),
    ("signer", texts.CMD_SIGNER),
    ("notify", texts.CMD_NOTIFY),
    ("copyletter", texts.CMD_COPYLETTER),
    ("help", texts.CMD_HELP),
    ("orgs", texts.CMD_ORGS),
    ("addorg", texts.CMD_ADDORG),
    ("invite", texts.CMD_INVITE),
    ("invites", texts.CMD_INVITES),
    ("contacts", texts.CMD_CONTACTS),
    ("approvals", texts.CMD_APPROVALS),
    ("coordinators", texts.CMD_COORDINATORS),
    ("whoami", texts.CMD_WHOAMI),
    ("language", texts.CMD_LANGUAGE),
    ("cancel", texts.CMD_CANCEL),
)

# (commands, scope, language_code or None)
Call = tuple[list[BotCommand], Any, str | None]


def menu(pairs: tuple[tuple[str, str], ...], language: str) -> list[BotCommand]:
    return [BotCommand(name, texts.render(text, language)) for name, text in pairs]


async def publish_commands(
    app: BotApplication, *, only_chat: int | None = None, language: str | None = None
) -> None:
    """Sets the command menus; a failure is logged and never stops the bot.

    At start-up (no ``only_chat``): the default menus, and the menu of each coordinator who
    has written to the bot before. A coordinator who never has has no chat with it yet
    (Telegram would answer "chat not found"): the gate sets their menu on their first
    update (``only_chat``). ``language`` (with ``only_chat``) sets that chat's menu in a
    language the person chose.
    """
    services = app.bot_data[SERVICES_KEY]
    db = services.database
    calls: list[Call] = []
    if only_chat is None:
        for code in texts.LANGUAGES:
            scoped = None if code == texts.DEFAULT_LANGUAGE else code
            calls.append((menu(MEMBER_COMMANDS, code), BotCommandScopeDefault(), scoped))
        known = {
            c.telegram_user_id: c.language
            for c in await coordinators.active(db)
            if c.telegram_user_id is not None and c.joined_at is not None  # has a chat
        }
        chats = sorted(known)
        coordinator_chats = set(chats)
    else:
        chats = [only_chat]
        known = await languages.languages_of(db, chats) if language is None else {}
        coordinator_chats = {only_chat} if await coordinators.is_active(db, only_chat) else set()
    for chat_id in chats:
        pairs = COORDINATOR_COMMANDS if chat_id in coordinator_chats else MEMBER_COMMANDS
        chosen = language or known.get(chat_id, texts.DEFAULT_LANGUAGE)
        calls.append((menu(pairs, chosen), BotCommandScopeChat(chat_id), None))
    for commands, scope, language_code in calls:
        try:
            await app.bot.set_my_commands(commands, scope=scope, language_code=language_code)
        except TelegramError as error:
            # e.g. a coordinator who blocked the bot or deleted the chat since.
            log.warning("could not set the command menu (%s): %s", scope.type, error)

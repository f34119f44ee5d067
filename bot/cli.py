"""``coalition-bot`` sub-commands.

Operator errors (bad settings, a wrong token, a changed migration) end with one
line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence

from bot.settings import Settings, SettingsError, load_settings

log = logging.getLogger("bot")
EXIT_CONFIG = 2


class OperatorError(Exception):
    """Something the operator must fix; printed as one line."""


def _fail(message: str) -> int:
    print(f"coalition-bot: {message}", file=sys.stderr)
    return EXIT_CONFIG


def _settings() -> Settings:
    return load_settings()


def _configure_logging(settings: Settings) -> None:
    from bot.logging_setup import configure_logging

    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    configure_logging(settings.log_level, secrets=(token,))


# --- run -------------------------------------------------------------------------------------


def cmd_run(args: argparse.Namespace) -> int:
    from telegram import Update
    from telegram.error import InvalidToken, NetworkError

    from bot.app import build_application
    from bot.db import DatabaseError
    from bot.db.migrate import MigrationError

    settings = _settings()
    settings.require_token()
    _configure_logging(settings)
    app = build_application(settings)
    try:
        if settings.webhook_url:
            assert settings.webhook_secret is not None
            url_path = settings.webhook_url.split("://", 1)[1].partition("/")[2]
            log.info(
                "starting in webhook mode on %s:%s", settings.webhook_listen, settings.webhook_port
            )
            app.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path=url_path,
                webhook_url=settings.webhook_url,
                secret_token=settings.webhook_secret.get_secret_value(),
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            log.info("starting with long polling")
            app.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        return _fail("BOT_TOKEN: Telegram refused this token (check it with @BotFather)")
    except (DatabaseError, MigrationError) as error:
        return _fail(str(error))
    except NetworkError as error:
        return _fail(f"cannot reach the Telegram Bot API at {settings.telegram_api_url}: {error}")
    log.info("stopped")
    return 0


# --- migrate ---------------------------------------------------------------------------------


async def _migrate(settings: Settings) -> list[str]:
    from bot.clock import SystemClock
    from bot.db import open_database
    from bot.db.migrate import apply_migrations

    db = await open_database(settings.database_path)
    try:
        applied = await apply_migrations(db, SystemClock().now())
    finally:
        await db.close()
    return [m.file_name for m in applied]


def cmd_migrate(args: argparse.Namespace) -> int:
    from bot.db import DatabaseError
    from bot.db.migrate import MigrationError

    settings = _settings()
    try:
        applied = asyncio.run(_migrate(settings))
    except (DatabaseError, MigrationError) as error:
        return _fail(str(error))
    if applied:
        for name in applied:
            print(f"applied {name}")
    else:
        print(f"database {settings.database_path} is up to date")
    return 0


# --- fake-telegram ---------------------------------------------------------------------------


def cmd_fake_telegram(args: argparse.Namespace) -> int:
    from bot.fake_telegram.console import main as console_main

    forwarded = ["--port", str(args.port), "--token", args.token]
    for user in args.user or []:
        forwarded += ["--user", user]
    return console_main(forwarded) or 0


# --- entry point -----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coalition-bot", description="Coalition Bot: sign-on letters for a coalition."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot (long polling, or webhook if WEBHOOK_URL)")
    run.set_defaults(handler=cmd_run)

    migrate = commands.add_parser("migrate", help="apply database migrations and exit")
    migrate.set_defaults(handler=cmd_migrate)

    fake = commands.add_parser(
        "fake-telegram",
        help="run the fake Telegram Bot API server with a console, for trying the bot",
    )
    fake.add_argument("--port", type=int, default=8081)
    fake.add_argument("--token", required=True, help="the BOT_TOKEN the bot will use")
    fake.add_argument("--user", action="append", help="a user as ID:NAME (repeatable)")
    fake.set_defaults(handler=cmd_fake_telegram)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except SettingsError as error:
        return _fail(f"configuration error: {error}")
    except OperatorError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

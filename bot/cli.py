"""``coalition-bot`` sub-commands.

Operator errors (bad settings, a wrong token, a changed migration) end with one
line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from bot.db import Database
    from bot.db.audit import Verification
    from bot.db.cipher import Conversion
    from bot.services.audit_check import AuditCheck

log = logging.getLogger("bot")
T = TypeVar("T")
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

    # PTB logs every call's parameters at DEBUG: setWebhook's secret_token among them.
    configure_logging(settings.log_level, secrets=settings.secret_values())


# --- run -------------------------------------------------------------------------------------


async def _preflight(settings: Settings) -> None:
    """Checks token, API and database before PTB owns the loop.

    PTB logs its own traceback when start-up fails; checking first lets an
    operator error end as one line, with nothing half-started.
    """
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError

    try:
        async with Bot(
            settings.require_token(),
            base_url=settings.telegram_api_url,
            base_file_url=settings.telegram_file_url,
        ):
            pass  # initialize() calls getMe
    except InvalidToken:
        raise OperatorError(
            "BOT_TOKEN: Telegram refused this token (check it with @BotFather)"
        ) from None
    except NetworkError as error:
        raise OperatorError(
            f"cannot reach the Telegram Bot API at {settings.telegram_api_url}: {error}"
        ) from None
    await _migrate(settings)


def cmd_run(args: argparse.Namespace) -> int:
    from telegram import Update

    from bot.app import build_application

    settings = _settings()
    settings.require_token()
    _configure_logging(settings)
    _run_db_command(_preflight(settings))
    app = build_application(settings)
    if settings.webhook_url:
        assert settings.webhook_secret is not None
        url_path = settings.webhook_url.split("://", 1)[1].partition("/")[2]
        log.info("webhook mode on %s:%s", settings.webhook_listen, settings.webhook_port)
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
    log.info("stopped")
    return 0


# --- migrate ---------------------------------------------------------------------------------


async def _migrate(settings: Settings) -> list[str]:
    from bot.clock import SystemClock
    from bot.db import open_database
    from bot.services.startup import prepare_database

    db = await open_database(settings.database_path, settings.database_secret())
    try:
        applied = await prepare_database(db, SystemClock().now())
    finally:
        await db.close()
    return [m.file_name for m in applied]


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings()
    applied = _run_db_command(_migrate(settings))
    if applied:
        for name in applied:
            print(f"applied {name}")
    else:
        print(f"database {settings.database_path} is up to date")
    return 0


# --- import-orgs and invite --------------------------------------------------------------------


async def _open_migrated(settings: Settings) -> Database:
    from bot.clock import SystemClock
    from bot.db import open_database
    from bot.services.startup import prepare_database

    db = await open_database(settings.database_path, settings.database_secret())
    try:
        await prepare_database(db, SystemClock().now())
    except BaseException:
        await db.close()
        raise
    return db


async def _import_orgs(settings: Settings, content: bytes, encoding: str) -> int:
    from bot.clock import SystemClock
    from bot.services.org_import import ImportFileError, import_organisations, read_names

    try:
        rows = read_names(content, encoding=encoding)
    except ImportFileError as error:
        raise OperatorError(str(error)) from None
    db = await _open_migrated(settings)
    try:
        report = await import_organisations(db, rows, actor="cli", now=SystemClock().now())
    finally:
        await db.close()
    for line in report.lines():
        print(line)
    return 1 if report.invalid else 0


def cmd_import_orgs(args: argparse.Namespace) -> int:
    settings = _settings()
    try:
        content = Path(args.file).read_bytes()
    except OSError as error:
        raise OperatorError(f"cannot read {args.file}: {error.strerror}") from None
    return _run_db_command(_import_orgs(settings, content, args.encoding))


async def _invite(
    settings: Settings, organisation: str, label: str | None, username: str | None
) -> str:
    from bot.clock import SystemClock
    from bot.db import state as state_repo
    from bot.services import membership
    from bot.services.deadlines import format_deadline
    from bot.services.refusals import Refusal

    db = await _open_migrated(settings)
    try:
        username = username or await state_repo.get(db, "bot_username")
        if not username:
            raise OperatorError(
                "the bot's username is not known yet: run the bot once, or pass --bot-username"
            )
        org = await membership.find_organisation(db, organisation)
        if org is None:
            raise OperatorError(f"no organisation {organisation!r} (give its number or exact name)")
        try:
            issued = await membership.issue_invite(
                db,
                org.id,
                label=label,
                created_by=None,
                actor="cli",
                now=SystemClock().now(),
                ttl=settings.invite_ttl,
            )
        except Refusal as refusal:
            raise OperatorError(f"cannot invite: {refusal.code}") from None
    finally:
        await db.close()
    expires = format_deadline(issued.expires_at, settings.zone)
    print(f"Invitation #{issued.invite_id} for {org.name} (single use, until {expires}):")
    return membership.invite_link(username, issued.token)


def cmd_invite(args: argparse.Namespace) -> int:
    settings = _settings()
    print(_run_db_command(_invite(settings, args.organisation, args.label, args.bot_username)))
    return 0


def _run_db_command(coroutine: Coroutine[Any, Any, T]) -> T:
    from bot.db import DatabaseError
    from bot.db.migrate import MigrationError

    try:
        return asyncio.run(coroutine)
    except (DatabaseError, MigrationError) as error:
        raise OperatorError(str(error)) from None


# --- encrypt-db and rekey --------------------------------------------------------------------


def _describe(conversion: Conversion) -> str:
    return f"{conversion.rows} rows in {len(conversion.counts)} tables, counted before and after"


def cmd_encrypt_db(args: argparse.Namespace) -> int:
    from bot.db import DatabaseError
    from bot.db.cipher import reencrypt

    settings = _settings()
    key = settings.database_secret()
    if key is None:
        raise OperatorError(
            "encrypt-db: set DATABASE_KEY_FILE (or DATABASE_KEY) to the new key first"
        )
    try:
        conversion = reencrypt(settings.database_path, None, key)
    except DatabaseError as error:
        raise OperatorError(f"encrypt-db: {error}") from None
    print(f"encrypted {conversion.path}: {_describe(conversion)}; the plain copy is deleted")
    return 0


def _new_key(args: argparse.Namespace) -> str:
    from bot.settings import KeyFileError, check_database_key, read_key_file

    try:
        if args.new_key_file:
            return read_key_file(Path(args.new_key_file))
        if not sys.stdin.isatty():
            raise OperatorError("rekey: give --new-key-file, or run in a terminal to be asked")
        import getpass

        first = getpass.getpass("New database key: ")
        if getpass.getpass("The same again: ") != first:
            raise OperatorError("rekey: the two keys differ; nothing changed")
        return check_database_key(first)
    except KeyFileError as error:
        raise OperatorError(f"rekey: new key: {error}") from None


def cmd_rekey(args: argparse.Namespace) -> int:
    from bot.db import DatabaseError
    from bot.db.cipher import reencrypt

    settings = _settings()
    old_key = settings.database_secret()
    if old_key is None:
        raise OperatorError("rekey: the database has no key (use encrypt-db to encrypt it)")
    new_key = _new_key(args)
    try:
        conversion = reencrypt(settings.database_path, old_key, new_key)
    except DatabaseError as error:
        raise OperatorError(f"rekey: {error}") from None
    print(f"rekeyed {conversion.path}: {_describe(conversion)}")
    print("Put the new key in DATABASE_KEY_FILE (or DATABASE_KEY) before starting the bot.")
    return 0


# --- audit ---------------------------------------------------------------------------------


async def _verify_chain(path: Path, key: str | None) -> Verification:
    from bot.db import audit, open_database

    db = await open_database(path, key)
    try:
        await _require_audit_log(db, path)
        return await audit.verify(db)
    finally:
        await db.close()


async def _require_audit_log(db: Database, path: Path) -> None:
    if not await db.fetch_value(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_events'"
    ):
        raise OperatorError(f"{path} has no audit log (run migrate first)")


async def _check_audit(settings: Settings, codes: list[str]) -> AuditCheck:
    from bot.db import open_database
    from bot.services.audit_check import check_audit

    db = await open_database(settings.database_path, settings.database_secret())
    try:
        await _require_audit_log(db, settings.database_path)
        return await check_audit(db, codes)
    finally:
        await db.close()


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from bot.services.witnesses import split_codes

    codes = [code for given in args.witness or () for code in split_codes(given)]
    result = _run_db_command(_check_audit(_settings(), codes))
    chain, record = result.chain, result.record
    if chain.broken is None:
        print(f"OK: {chain.count} events")
        print(f"last hash: {chain.last_hash}")
        if result.head:
            print(f"head: {result.head} (a witness code of the last event: keep it elsewhere)")
    else:
        print(f"BROKEN at event #{chain.broken.id} ({chain.broken.action}): {chain.reason}")
        print(f"{chain.count} events before it verify")
    if record.first is None:
        print(f"record OK: the tables are what the {record.events} events say")
    else:
        print(f"record DIFFERS: {record.first}")
        if len(record.differences) > 1:
            print(f"({len(record.differences) - 1} more differences after this one)")
    if record.unknown:
        skipped = ", ".join(f"{action} ×{n}" for action, n in sorted(record.unknown.items()))
        print(f"not replayed (actions that change no record checked here): {skipped}")
    for witness in result.witnesses:
        print(witness.line())
    return 0 if result.ok else 1


# --- backup ----------------------------------------------------------------------------------


def _backup_target(database: Path, destination: Path) -> Path:
    """Into a folder: a new file named after the database and the time (UTC)."""
    if destination.is_dir():
        from bot.clock import SystemClock

        stamp = SystemClock().now().strftime("%Y-%m-%dT%H%M%SZ")
        return destination / f"{database.stem}-{stamp}.db"
    return destination


async def _backup(settings: Settings, destination: Path) -> tuple[Conversion, Verification]:
    from bot.db.cipher import backup

    key = settings.database_secret()
    copy = backup(settings.database_path, key, _backup_target(settings.database_path, destination))
    return copy, await _verify_chain(copy.path, key)


def cmd_backup(args: argparse.Namespace) -> int:
    from bot.db.connection import file_kind

    settings = _settings()
    copy, chain = _run_db_command(_backup(settings, Path(args.destination)))
    if file_kind(copy.path) == "encrypted":
        kind = "encrypted (opens only with the database key)"
    else:
        kind = "NOT encrypted, like the database (see encrypt-db)"
    print(f"backed up {settings.database_path} to {copy.path}: {kind}, mode 0600")
    print(f"checked in the copy: {_describe(copy)}")
    if chain.broken is None:
        print(f"audit chain OK in the copy: {chain.count} events, last hash {chain.last_hash}")
        return 0
    print(f"audit chain BROKEN in the copy at event #{chain.broken.id}: {chain.reason}")
    return 1


# --- fake-telegram ---------------------------------------------------------------------------


def cmd_fake_telegram(args: argparse.Namespace) -> int:
    from bot.fake_telegram.console import main as console_main

    forwarded = ["--port", str(args.port), "--token", args.token]
    for user in args.user or []:
        forwarded += ["--user", user]
    if args.save_dir is not None:
        forwarded += ["--save-dir", str(args.save_dir)]
    return console_main(forwarded) or 0


# --- demo ------------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import DemoError, print_summary, run_demo
    from bot.logging_setup import configure_logging

    # The transcript is the output; the bot's own log lines would only interleave with it.
    configure_logging("ERROR")
    try:
        result = run_demo(out=args.out, interactive=args.interactive)
    except DemoError as error:
        print(f"coalition-bot demo: the session did not go as scripted: {error}", file=sys.stderr)
        return 1
    print_summary(result, sys.stdout)
    return 0


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

    import_orgs = commands.add_parser(
        "import-orgs", help="add organisations from a CSV file with a 'name' column"
    )
    import_orgs.add_argument(
        "file", help="CSV file, header line 'name'; columns separated by commas or semicolons"
    )
    import_orgs.add_argument(
        "--encoding",
        default="utf-8",
        help="the file's encoding (default utf-8; cp1251 for Excel on Russian Windows)",
    )
    import_orgs.set_defaults(handler=cmd_import_orgs)

    invite = commands.add_parser("invite", help="print a single-use invitation link")
    invite.add_argument("organisation", help="the organisation's number or exact name")
    invite.add_argument("--label", help="a note to recognise the contact by")
    invite.add_argument("--bot-username", help="needed only before the bot has ever run")
    invite.set_defaults(handler=cmd_invite)

    encrypt = commands.add_parser(
        "encrypt-db",
        help="encrypt a plain database with DATABASE_KEY(_FILE); stop the bot first",
    )
    encrypt.set_defaults(handler=cmd_encrypt_db)

    rekey = commands.add_parser(
        "rekey", help="change the database key (asks for the new one); stop the bot first"
    )
    rekey.add_argument(
        "--new-key-file", help="read the new key from this file (mode 0600) instead of asking"
    )
    rekey.set_defaults(handler=cmd_rekey)

    backup = commands.add_parser(
        "backup",
        help="copy the database, live and consistent (encrypted stays encrypted), and check it",
    )
    backup.add_argument(
        "destination", help="a new file, or a folder (the file is named after the time, UTC)"
    )
    backup.set_defaults(handler=cmd_backup)

    audit = commands.add_parser("audit", help="the audit log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = audit_commands.add_parser(
        "verify",
        help="check the hash chain and that the tables are what its events say; prints OK "
        "or the first broken event and the first difference",
    )
    verify.add_argument(
        "--witness",
        nargs="+",
        metavar="CODE",
        help="witness codes (from receipts, close reports, digests) that must still be in "
        "the chain at their place, e.g. 212-7f3a-9c21-d04b-8e2a-a19c (in a shell, quote a "
        "code that starts with #)",
    )
    verify.set_defaults(handler=cmd_audit_verify)

    fake = commands.add_parser(
        "fake-telegram",
        help="run the fake Telegram Bot API server with a console, for trying the bot",
    )
    fake.add_argument("--port", type=int, default=8081)
    fake.add_argument("--token", required=True, help="the BOT_TOKEN the bot will use")
    fake.add_argument(
        "--user",
        action="append",
        metavar="ID:NAME[:LANG]",
        help="a user, with the language of their Telegram app if given (repeatable)",
    )
    fake.add_argument(
        "--save-dir", type=Path, help="write every document and picture the bot sends here"
    )
    fake.set_defaults(handler=cmd_fake_telegram)

    demo = commands.add_parser(
        "demo",
        help="play a whole sign-on offline (fake Telegram, temporary database), in a minute",
    )
    demo.add_argument(
        "--interactive", action="store_true", help="after the set-up, type as any person"
    )
    demo.add_argument(
        "--out", type=Path, help="folder for the database, transcript and exported files"
    )
    demo.set_defaults(handler=cmd_demo)
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

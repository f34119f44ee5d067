"""Log hygiene: nothing shaped like a bot token survives, exceptions included."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

from bot.logging_setup import REDACTED, configure_logging, redact
from bot.settings import Settings

TOKEN = "987654321:AAH" + "x" * 32


def test_redact_token_shapes_and_known_secrets() -> None:
    assert redact(f"POST https://api.telegram.org/bot{TOKEN}/getMe") == (
        f"POST https://api.telegram.org/bot{REDACTED}/getMe"
    )
    assert redact("short 123:abc stays") == "short 123:abc stays"
    assert redact("custom sekret-value", ("sekret-value",)) == f"custom {REDACTED}"


def test_filter_covers_arguments_exceptions_and_child_loggers() -> None:
    stream = io.StringIO()
    configure_logging("DEBUG", secrets=(TOKEN,), stream=stream)
    try:
        logging.getLogger("httpx").info("HTTP Request: POST %s", f"https://x/bot{TOKEN}/getMe")
        try:
            raise ValueError(f"bad url https://x/bot{TOKEN}/sendMessage")
        except ValueError:
            logging.getLogger("bot.some.module").exception("failed for %s", TOKEN)
        logging.getLogger("telegram.ext").debug("stack", stack_info=True, extra={})
    finally:
        configure_logging("WARNING")
    output = stream.getvalue()
    assert TOKEN not in output
    assert "AAH" + "x" * 32 not in output
    assert output.count(REDACTED) >= 3


def test_noisy_loggers_stay_quiet_unless_debug() -> None:
    configure_logging("INFO")
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("telegram").level == logging.WARNING
    configure_logging("DEBUG")
    assert logging.getLogger("httpx").level == logging.DEBUG
    configure_logging("WARNING")


def test_every_secret_of_the_settings_is_redacted(tmp_path: Path) -> None:
    """Issue 13: at DEBUG, PTB logs setWebhook's parameters, the webhook secret among them."""
    key_file = tmp_path / "db.key"
    key = "Ключ-'с\\кавычками'-0123456789"
    key_file.write_text(key + "\n", encoding="utf-8")
    key_file.chmod(0o600)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        bot_token=TOKEN,
        webhook_url="https://bot.example.org/hook",
        webhook_secret="webhook_Secret-42",
        database_key_file=key_file,
    )
    stream = io.StringIO()
    configure_logging("DEBUG", secrets=settings.secret_values(), stream=stream)
    try:
        logging.getLogger("telegram.ext.ExtBot").debug(
            "Calling Bot API endpoint `setWebhook` with parameters `%s`",
            {"url": "https://bot.example.org/hook", "secret_token": "webhook_Secret-42"},
        )
        logging.getLogger("bot").debug("key %s, as repr %r, as JSON %s", key, key, json.dumps(key))
    finally:
        configure_logging("WARNING")
    output = stream.getvalue()
    assert "webhook_Secret-42" not in output and "Secret-42" not in output
    assert "кавычками" not in output and "0123456789" not in output
    assert "\\u041a" not in output  # the key JSON-escaped
    assert output.count(REDACTED) == 4


async def test_sql_and_its_parameters_never_reach_the_log_even_at_debug(tmp_path: Path) -> None:
    """aiosqlite logs every statement with its parameters at DEBUG: a letter's text or a
    decline reason would sit in the server's logs (and their volume once stalled a bot whose
    stderr nobody read)."""
    from bot.db import open_database

    stream = io.StringIO()
    configure_logging("DEBUG", stream=stream)
    try:
        db = await open_database(tmp_path / "bot.db")
        try:
            await db.fetch_value("SELECT ?", ("We call on the Council",))
        finally:
            await db.close()
    finally:
        configure_logging("WARNING")
    assert "We call on the Council" not in stream.getvalue()

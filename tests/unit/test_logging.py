"""Log hygiene: nothing shaped like a bot token survives, exceptions included."""

from __future__ import annotations

import io
import logging

from bot.logging_setup import REDACTED, configure_logging, redact

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

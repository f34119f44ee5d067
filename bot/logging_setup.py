"""Logging that never shows the bot token.

httpx logs every request URL at INFO, and PTB at DEBUG logs the API URL and
call parameters; the URL carries the token. So those loggers stay at WARNING
unless DEBUG is asked for, and a filter on every handler redacts anything
shaped like a token from messages, arguments, exceptions and stacks.
"""

from __future__ import annotations

import logging
import re
import sys

TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]{30,}")
REDACTED = "[REDACTED-TOKEN]"
# fontTools logs every font-subsetting step of the PDF at INFO.
NOISY_LOGGERS = (
    "httpx",
    "httpcore",
    "telegram",
    "apscheduler",
    "tornado.access",
    "fontTools",
    "fpdf",
)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return TOKEN_SHAPE.sub(REDACTED, text)


class RedactTokenFilter(logging.Filter):
    """Rewrites each record so that no token survives, whatever formatter follows."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if s)
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken %-format must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = redact(message, self._secrets)
        record.args = None
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = self._formatter.formatException(record.exc_info)
            record.exc_text = redact(record.exc_text, self._secrets)
        elif record.exc_text:
            record.exc_text = redact(record.exc_text, self._secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self._secrets)
        return True


def configure_logging(level: str, *, secrets: tuple[str, ...] = (), stream=None) -> None:
    """Set up the root logger once for the process (CLI entry points call this)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    install_redaction(handler, secrets)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    quiet_noisy_loggers(level)


def install_redaction(handler: logging.Handler, secrets: tuple[str, ...] = ()) -> None:
    handler.addFilter(RedactTokenFilter(secrets))


def quiet_noisy_loggers(level: str) -> None:
    noisy_level = logging.DEBUG if level == "DEBUG" else logging.WARNING
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(noisy_level)

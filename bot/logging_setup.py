"""Logging that never shows the bot token or another secret.

httpx logs every request URL at INFO, and PTB at DEBUG logs the API URL and
call parameters; the URL carries the token, and setWebhook's parameters carry
the webhook secret. So those loggers stay at WARNING unless DEBUG is asked for,
and a filter on every handler redacts anything shaped like a token, and every
secret of the settings (WEBHOOK_SECRET, the database key), from messages,
arguments, exceptions and stacks.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import TextIO

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


def secret_forms(secrets: tuple[str, ...]) -> tuple[str, ...]:
    """Each secret as it may appear in a log line: as is, and escaped the way ``repr`` and
    JSON escape it (a key may hold quotes or backslashes); longest first, so that a secret
    holding another is never only half redacted."""
    forms: set[str] = set()
    for secret in secrets:
        if secret:
            escaped = (repr(secret), json.dumps(secret), json.dumps(secret, ensure_ascii=False))
            forms |= {secret, *(form[1:-1] for form in escaped)}
    return tuple(sorted(forms, key=len, reverse=True))


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    return _redact(text, secret_forms(secrets))


def _redact(text: str, forms: tuple[str, ...]) -> str:
    for form in forms:
        text = text.replace(form, REDACTED)
    return TOKEN_SHAPE.sub(REDACTED, text)


class RedactTokenFilter(logging.Filter):
    """Rewrites each record so that no token or other secret survives, whatever formatter
    follows. ``secrets``: the values of BOT_TOKEN, WEBHOOK_SECRET and the database key."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._secrets = secret_forms(secrets)
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken %-format must not lose the record
            message = f"{record.msg!r} {record.args!r}"
        record.msg = _redact(message, self._secrets)
        record.args = None
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = self._formatter.formatException(record.exc_info)
            record.exc_text = _redact(record.exc_text, self._secrets)
        elif record.exc_text:
            record.exc_text = _redact(record.exc_text, self._secrets)
        if record.stack_info:
            record.stack_info = _redact(record.stack_info, self._secrets)
        return True


def configure_logging(
    level: str, *, secrets: tuple[str, ...] = (), stream: TextIO | None = None
) -> None:
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

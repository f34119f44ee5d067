"""Configuration from the environment and ``.env`` (pydantic-settings).

Every setting is documented in ``.env.example``. ``load_settings`` turns a
validation failure into one line naming the variable, for the CLI to print.
"""

from __future__ import annotations

import re
import stat
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.services.deadlines import DurationError, OffsetsError, parse_duration, parse_offsets
from bot.services.quiet_hours import OFF, QuietHours, QuietHoursError, parse_quiet_hours

TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
WEBHOOK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Telegram lets a bot delete its messages in private chats only within this window.
DELETE_WINDOW = timedelta(hours=48)


class SettingsError(Exception):
    """A setting is missing or invalid; ``str(error)`` is one line for the operator."""


Duration = Annotated[timedelta, NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        validate_default=True,
    )

    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str = "https://api.telegram.org/file/bot"

    database_path: Path = Path("data/coalition.db")
    database_key: SecretStr | None = None
    # The key can live in its own file (mode 0600 or 0400), away from .env and the data.
    database_key_file: Path | None = None

    coordinator_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    timezone: str = "Europe/Zurich"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)

    # Membership and the gate (issue 3).
    invite_ttl: Duration = timedelta(days=7)
    flood_max_per_minute: int = Field(default=20, ge=1)
    flood_pause: Duration = timedelta(minutes=10)
    bad_invite_weight: int = Field(default=5, ge=1)

    # The outbox (issue 4): full texts of drafts are deleted from members' chats after this.
    draft_ttl: Duration = timedelta(hours=24)

    # Scheduling (issue 6). Offsets before a deadline (per letter: /reminders); quiet hours
    # in each contact's zone (per contact: /quiet); the coordinators' daily digest, in
    # TIMEZONE ("off": none).
    reminder_offsets: Annotated[tuple[timedelta, ...], NoDecode] = tuple(
        parse_offsets("7d,3d,1d,3h")
    )
    quiet_hours: Annotated[QuietHours, NoDecode] = QuietHours(time(22, 0), time(8, 0))
    digest_time: Annotated[time | None, NoDecode] = time(9, 0)
    # Purge a letter's texts this many days after it closed (/purge by hand); off when unset.
    retention_days: int | None = Field(default=None, ge=1, le=36_500)

    # Two people (issue 16): how long a request waits for a second coordinator's approval.
    approval_ttl: Duration = timedelta(hours=48)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TOKEN_PATTERN.match(value.get_secret_value().strip()):
            # Never echo the value: it is a secret even when malformed.
            raise ValueError("does not look like a bot token from BotFather (<digits>:<secret>)")
        return value

    @field_validator("database_key")
    @classmethod
    def _key_strength(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None  # an empty DATABASE_KEY= line in .env means no encryption
        return SecretStr(check_database_key(value.get_secret_value()))

    @field_validator("database_key_file", mode="before")
    @classmethod
    def _empty_path(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_api_url", "telegram_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value.strip()):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.strip()

    @field_validator("webhook_url")
    @classmethod
    def _optional_http_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None  # an empty WEBHOOK_URL= line in .env means long polling
        return cls._http_url(value)

    @field_validator("coordinator_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            ids: list[int] = []
            for part in value.replace(";", ",").split(","):
                part = part.strip()
                if not part:
                    continue
                if not re.fullmatch(r"\d{1,15}", part):
                    raise ValueError(f"{part!r} is not a Telegram user id (digits only)")
                ids.append(int(part))
            return frozenset(ids)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone like Europe/Zurich") from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("invite_ttl", "flood_pause", "draft_ttl", "approval_ttl", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return parse_duration(value)
            except DurationError:
                raise ValueError(f"{value!r} is not a duration like 7d, 36h or 90m") from None
        return value

    @field_validator("reminder_offsets", mode="before")
    @classmethod
    def _offsets(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return tuple(parse_offsets(value))
            except OffsetsError:
                raise ValueError(f"{value!r} is not a list of offsets like 7d,3d,1d,3h") from None
        return value

    @field_validator("quiet_hours", mode="before")
    @classmethod
    def _quiet_hours(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return parse_quiet_hours(value)
            except QuietHoursError:
                raise ValueError(
                    f"{value!r} is not a span like 22-08 or 22:30-07:00, or off"
                ) from None
        return value

    @field_validator("retention_days", mode="before")
    @classmethod
    def _retention_off(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in ("", *OFF):
            return None
        return value

    @field_validator("digest_time", mode="before")
    @classmethod
    def _digest_time(cls, value: object) -> object:
        if isinstance(value, str):
            if value.strip().lower() in OFF:
                return None
            try:
                return time.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(f"{value!r} is not a time like 09:00, or off") from None
        return value

    @field_validator("draft_ttl")
    @classmethod
    def _draft_ttl_window(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be longer than zero")
        if value >= DELETE_WINDOW:
            raise ValueError("must be under 48h (Telegram's limit for deleting messages)")
        return value

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url:
            if self.webhook_secret is None:
                raise ValueError("WEBHOOK_SECRET: required when WEBHOOK_URL is set")
            if not WEBHOOK_SECRET_PATTERN.match(self.webhook_secret.get_secret_value()):
                raise ValueError("WEBHOOK_SECRET: use 1-256 characters of A-Z, a-z, 0-9, _ and -")
        if self.invite_ttl <= timedelta(0):
            raise ValueError("INVITE_TTL: must be longer than zero")
        if self.approval_ttl <= timedelta(0):
            raise ValueError("APPROVAL_TTL: must be longer than zero")
        if self.database_key_file is not None:
            if self.database_key is not None:
                raise ValueError("DATABASE_KEY and DATABASE_KEY_FILE are both set: keep one")
            try:
                key = read_key_file(self.database_key_file)
            except KeyFileError as error:
                raise ValueError(f"DATABASE_KEY_FILE: {error}") from None
            self.database_key = SecretStr(key)
        return self

    def secret_values(self) -> tuple[str, ...]:
        """Every secret value set (token, webhook secret, database key, also when read from
        DATABASE_KEY_FILE): the log filter redacts each wherever it appears."""
        values = (self.bot_token, self.webhook_secret, self.database_key)
        return tuple(
            secret for value in values if value and (secret := value.get_secret_value().strip())
        )

    def database_secret(self) -> str | None:
        """The database key (from DATABASE_KEY or DATABASE_KEY_FILE), or None: no encryption."""
        return None if self.database_key is None else self.database_key.get_secret_value()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def require_token(self) -> str:
        if self.bot_token is None:
            raise SettingsError("BOT_TOKEN: required to run the bot (get one from @BotFather)")
        return self.bot_token.get_secret_value().strip()


MIN_KEY_LENGTH = 16


class KeyFileError(ValueError):
    """A key file cannot be used; ``str`` names the problem (never the key)."""


def check_database_key(key: str) -> str:
    """The key without surrounding whitespace; refuses keys a seized server could guess."""
    key = key.strip()
    if len(key) < MIN_KEY_LENGTH:
        # A state adversary with the file can try passphrases offline at leisure.
        raise KeyFileError(
            f"too short: use at least {MIN_KEY_LENGTH} characters "
            "(e.g. the output of `openssl rand -base64 32`)"
        )
    if "\0" in key:
        raise KeyFileError("contains a NUL character")
    return key


def read_key_file(path: Path) -> str:
    """Reads a database key from a file only its owner can read.

    A key file readable by the group or others is refused, not fixed: somebody
    may already have read it, so the operator must decide whether to rotate the
    key (``coalition-bot rekey``) before tightening the mode.
    """
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise KeyFileError(
                f"{path} can be read by group or others (mode {mode:04o}): "
                f"run chmod 600 {path}, and rekey if others may have read it"
            )
        content = path.read_text(encoding="utf-8")
    except OSError as error:
        raise KeyFileError(f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise KeyFileError(f"{path} is not UTF-8 text") from None
    return check_database_key(content)


def _one_line(error: ValidationError) -> str:
    first = error.errors()[0]
    location = [str(part) for part in first.get("loc", ()) if part != "__root__"]
    message = str(first.get("msg", "invalid"))
    message = message.removeprefix("Value error, ")
    if not location:
        return message  # model-level checks name their variable themselves
    variable = location[0].upper()
    if first.get("type") == "missing":
        return f"{variable}: required"
    return f"{variable}: {message}"


def load_settings(**overrides: object) -> Settings:
    """Read settings; raise ``SettingsError`` with one operator-readable line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(_one_line(error)) from None

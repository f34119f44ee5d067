"""Settings: every variable parsed and checked; a bad one is one clear line."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest

from bot.settings import Settings, SettingsError, load_settings

TOKEN = "123456789:" + "A" * 35
ALL_VARIABLES = [
    "BOT_TOKEN",
    "TELEGRAM_API_URL",
    "TELEGRAM_FILE_URL",
    "DATABASE_PATH",
    "DATABASE_KEY",
    "DATABASE_KEY_FILE",
    "COORDINATOR_IDS",
    "TIMEZONE",
    "LOG_LEVEL",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
    "WEBHOOK_LISTEN",
    "WEBHOOK_PORT",
    "INVITE_TTL",
    "FLOOD_MAX_PER_MINUTE",
    "FLOOD_PAUSE",
    "BAD_INVITE_WEIGHT",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for name in ALL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no developer .env leaks in


def test_defaults() -> None:
    settings = load_settings()
    assert settings.telegram_api_url == "https://api.telegram.org/bot"
    assert settings.telegram_file_url == "https://api.telegram.org/file/bot"
    assert str(settings.database_path) == "data/coalition.db"
    assert settings.timezone == "Europe/Zurich"
    assert settings.log_level == "INFO"
    assert settings.webhook_url is None
    assert settings.webhook_listen == "127.0.0.1"
    assert settings.invite_ttl == timedelta(days=7)
    assert settings.coordinator_ids == frozenset()


def test_environment_and_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    (tmp_path / ".env").write_text(f"BOT_TOKEN={TOKEN}\nCOORDINATOR_IDS=5, 6\nTIMEZONE=UTC\n")
    monkeypatch.setenv("TIMEZONE", "Europe/Vilnius")  # the environment wins over .env
    monkeypatch.setenv("INVITE_TTL", "36h")
    settings = load_settings()
    assert settings.require_token() == TOKEN
    assert settings.coordinator_ids == {5, 6}
    assert settings.timezone == "Europe/Vilnius"
    assert settings.invite_ttl == timedelta(hours=36)


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("COORDINATOR_IDS", "12,abc", "COORDINATOR_IDS: 'abc' is not a Telegram user id"),
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE: 'Mars/Olympus' is not an IANA time zone"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL:"),
        ("BOT_TOKEN", "not-a-token", "BOT_TOKEN: does not look like a bot token"),
        ("TELEGRAM_API_URL", "ftp://example", "TELEGRAM_API_URL: 'ftp://example' is not"),
        ("WEBHOOK_PORT", "70000", "WEBHOOK_PORT:"),
        ("WEBHOOK_URL", "https://bot.example.org/hook", "WEBHOOK_SECRET: required"),
        ("INVITE_TTL", "a fortnight", "INVITE_TTL: 'a fortnight' is not a duration"),
        ("FLOOD_MAX_PER_MINUTE", "0", "FLOOD_MAX_PER_MINUTE:"),
    ],
)
def test_bad_setting_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_token_value_never_in_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:short-secret-value")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert "short-secret-value" not in str(caught.value)


def test_run_without_token_needs_one() -> None:
    with pytest.raises(SettingsError, match="BOT_TOKEN: required"):
        Settings().require_token()


def test_webhook_secret_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.org/hook")
    monkeypatch.setenv("WEBHOOK_SECRET", "has spaces")
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET: use 1-256 characters"):
        load_settings()
    monkeypatch.setenv("WEBHOOK_SECRET", "Secret_123-abc")
    assert load_settings().webhook_secret is not None


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "coalition-bot: configuration error: BOT_TOKEN: required"),
        ({"BOT_TOKEN": TOKEN, "TIMEZONE": "Nowhere/Land"}, "TIMEZONE: 'Nowhere/Land'"),
    ],
)
def test_cli_run_bad_setting_exits_2_with_one_line(tmp_path, environment, expected) -> None:
    env = {"PATH": "/usr/bin:/bin", **environment}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr

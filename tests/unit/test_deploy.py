"""deploy/: the systemd units a volunteer copies, and what the guides tell them to type."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from bot.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
TEMPLATES = {
    "coalition-bot@.service": "coalition-bot.service",
    "coalition-bot-backup@.service": "coalition-bot-backup.service",
    "coalition-bot-backup@.timer": "coalition-bot-backup.timer",
}

PER_INSTANCE = (
    "User=coalition-bot-%i",
    "EnvironmentFile=/etc/coalition-bot/%i/env",
    "/etc/coalition-bot/%i/database.key",
    "%S/coalition-bot-%i/coalition.db",
)


def settings_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_template_units_are_the_single_ones_per_instance(template: str) -> None:
    """One coalition or several: the same unit, only names and paths carry the instance."""
    lines = settings_lines((DEPLOY / template).read_text(encoding="utf-8"))
    single = settings_lines((DEPLOY / TEMPLATES[template]).read_text(encoding="utf-8"))
    assert all("%i" in line for line in lines if "coalition-bot-%i" in line or "/%i/" in line)
    as_single = [
        re.sub(r"(: %i| of %i)$", "", line)
        .replace("coalition-bot-%i", "coalition-bot")
        .replace("/etc/coalition-bot/%i/", "/etc/coalition-bot/")
        for line in lines
    ]
    assert as_single == single
    # Each coalition its own user, settings, key and data.
    if template.endswith(".service"):
        text = "\n".join(lines)
        for setting in PER_INSTANCE:
            assert setting in text


def test_units_run_real_commands_by_full_path() -> None:
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for unit in sorted(DEPLOY.glob("*.service")):
        for line in settings_lines(unit.read_text(encoding="utf-8")):
            if line.startswith(("ExecStart=", "ExecStartPost=")):
                program, *args = shlex.split(line.split("=", 1)[1])
                assert program.startswith("/"), (unit.name, line)
                if program.endswith("/coalition-bot"):
                    assert program == "/opt/coalition-bot/.venv/bin/coalition-bot"
                    assert args[0] in commands, (unit.name, line)


def test_no_guide_or_unit_pins_a_python_minor_version() -> None:
    """Debian 12 has Python 3.11, Ubuntu 24.04 has 3.12: the distro's python3 will do."""
    files = [ROOT / "README.md", ROOT / ".env.example", *ROOT.glob("docs/*.md")]
    files += [*DEPLOY.iterdir(), *(ROOT / "scripts").iterdir()]
    for path in files:
        assert not re.search(r"python3\.\d+", path.read_text(encoding="utf-8")), path

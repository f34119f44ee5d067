"""The terminal side: `coalition-bot migrate`, `import-orgs` and `invite`, run as an operator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_PATH": str(tmp_path / "data" / "bot.db"),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_migrate_then_up_to_date(tmp_path: Path) -> None:
    first = run(tmp_path, "migrate")
    assert first.returncode == 0 and "applied 0001_initial.sql" in first.stdout
    second = run(tmp_path, "migrate")
    assert second.returncode == 0 and "is up to date" in second.stdout


def test_import_orgs_reports_by_line_and_is_idempotent(tmp_path: Path) -> None:
    csv_file = tmp_path / "orgs.csv"
    csv_file.write_text(
        'name\nViasna\n"Belarusian PEN, Minsk"\n\nviasna\n"Two\nlines"\n' + "A" * 301 + "\n",
        encoding="utf-8",
    )
    result = run(tmp_path, "import-orgs", str(csv_file))
    assert result.stdout.splitlines() == [
        "line 2: added Viasna",
        "line 3: added Belarusian PEN, Minsk",
        "line 5: skipped viasna (already there as #1 Viasna)",
        "line 6: invalid: line breaks or control characters in the name",
        "line 8: invalid: longer than 300 characters",
        "2 added, 1 skipped, 2 invalid",
    ]
    assert result.returncode == 1  # something needs the operator's attention
    again = run(tmp_path, "import-orgs", str(csv_file))
    assert "0 added, 3 skipped, 2 invalid" in again.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"title\nx\n", "header with a 'name' column"),
        ("name\nВясна\n".encode("cp1251"), "not UTF-8"),
    ],
)
def test_import_orgs_bad_file_is_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    csv_file = tmp_path / "orgs.csv"
    csv_file.write_bytes(content)
    result = run(tmp_path, "import-orgs", str(csv_file))
    assert result.returncode == 2
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_import_orgs_never_cuts_a_name_and_reads_european_excel(tmp_path: Path) -> None:
    """Issue 14 §3: an unquoted comma makes a row invalid (reported by line), never a cut
    name; a ';'-separated file with a BOM is read; curly quotes are the same name."""
    iuf = "International Union of Food, Agricultural, Hotel, Restaurant, Catering (IUF)"
    (tmp_path / "orgs.csv").write_text(
        f'name\nHuman Rights Center "Viasna"\n{iuf}\n"{iuf}"\n', encoding="utf-8"
    )
    result = run(tmp_path, "import-orgs", str(tmp_path / "orgs.csv"))
    lines = result.stdout.splitlines()
    assert lines[0] == 'line 2: added Human Rights Center "Viasna"'
    assert lines[1].startswith("line 3: invalid: 5 fields where the header has 1")
    assert "comma inside a name must be within double quotes" in lines[1]
    assert lines[2] == f"line 4: added {iuf}"
    assert result.returncode == 1
    excel = "\ufeffName;Country\r\nHuman Rights Center “Viasna”;Belarus\r\nLawtrend;Belarus\r\n"
    (tmp_path / "excel.csv").write_bytes(excel.encode("utf-8"))
    result = run(tmp_path, "import-orgs", str(tmp_path / "excel.csv"))
    assert result.stdout.splitlines() == [
        "line 2: skipped Human Rights Center “Viasna” (already there as #1 Human Rights "
        'Center "Viasna")',
        "line 3: added Lawtrend",
        "1 added, 1 skipped, 0 invalid",
    ]
    names = run(tmp_path, "invite", "lawtrend", "--bot-username", "coal_bot")
    assert names.returncode == 0 and "for Lawtrend" in names.stdout


def test_import_orgs_reads_cp1251_only_when_told(tmp_path: Path) -> None:
    (tmp_path / "ru.csv").write_bytes("name\nПравозащитный центр «Весна»\n".encode("cp1251"))
    refused = run(tmp_path, "import-orgs", str(tmp_path / "ru.csv"))
    assert refused.returncode == 2 and "--encoding cp1251" in refused.stderr
    told = run(tmp_path, "import-orgs", "--encoding", "cp1251", str(tmp_path / "ru.csv"))
    assert told.returncode == 0
    assert told.stdout.splitlines()[0] == "line 2: added Правозащитный центр «Весна»"


def test_invite_prints_a_single_use_link(tmp_path: Path) -> None:
    (tmp_path / "orgs.csv").write_text("name\nViasna\n", encoding="utf-8")
    run(tmp_path, "import-orgs", str(tmp_path / "orgs.csv"))
    unknown_bot = run(tmp_path, "invite", "Viasna")
    assert unknown_bot.returncode == 2 and "--bot-username" in unknown_bot.stderr
    result = run(tmp_path, "invite", "viasna", "--bot-username", "coal_bot", "--label", "Anna")
    assert result.returncode == 0
    link = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"https://t\.me/coal_bot\?start=[A-Za-z0-9_-]{32}", link)
    by_number = run(tmp_path, "invite", "1", "--bot-username", "coal_bot")
    assert by_number.returncode == 0
    missing = run(tmp_path, "invite", "Nobody", "--bot-username", "coal_bot")
    assert missing.returncode == 2 and "no organisation 'Nobody'" in missing.stderr

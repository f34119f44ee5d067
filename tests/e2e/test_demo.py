"""Issue 9: ``coalition-bot demo`` runs the whole workflow offline, as a user would start it.

Both tests run the real command in a subprocess (the demo owns its event loop and its
logging), against the fake Telegram server with its limits on: about 40 s and 25 s, most
of it the bot pacing the coordinator's chat at Telegram's one message a second.
"""

from __future__ import annotations

import csv
import difflib
import io
import subprocess
import sys
from pathlib import Path

import docx
import pypdf

ROOT = Path(__file__).resolve().parents[2]


def demo(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--out", str(tmp_path / "out"), *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=180,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "NO_COLOR": "1"},
    )


def test_scripted_demo_plays_the_whole_workflow_and_leaves_the_export(tmp_path: Path) -> None:
    run = demo(tmp_path)
    assert run.returncode == 0, run.stderr[-3000:] + run.stdout[-3000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    out = " ".join(run.stdout.split())  # long lines are wrapped for the terminal

    # The key moments, as the people see them.
    assert out.count("Welcome! You are now a contact of") == 6
    assert out.count("joined for") == 6
    assert "Letter #1 created: HRC61: renew the Belarus mandates" in out
    assert "Organisations: 6 Contacts: 6" in out
    assert "🔒 protected" in out and "[ ✍️ Sign ] [ Decline ]" in out
    assert "Maksim (Belarusian Prisoners' Aid Network) presses [ Counted, not named ]" in out
    assert "Listing: listed as an organisation that cannot be named" in out
    assert "Declined for Free Media Belarus" in out
    assert "↩️ The coordinators replied to your comment" in out
    assert "has a new version: v2" in out and "{+" in out  # the change, marked
    assert "This version was replaced by a material revision" in out
    assert "(bot deletes from Anna's chat:" in out  # DRAFT_TTL
    assert "⏰ A letter is waiting for your organisation's answer" in out
    assert "closed at its deadline" in out and "✅ signed: 4" in out

    folder = tmp_path / "out"
    assert f"Everything is in {folder}/" in out
    transcript = (folder / "transcript.txt").read_text(encoding="utf-8")
    assert run.stdout.startswith(transcript), "".join(
        difflib.unified_diff(transcript.splitlines(True), run.stdout.splitlines(True), n=1)
    )[:3000]
    exports = {path.suffix: path for path in (folder / "export").iterdir()}
    assert set(exports) == {".docx", ".md", ".csv"}

    markdown = exports[".md"].read_text(encoding="utf-8")
    assert "access to all places of detention" in markdown  # the final version's text
    listed = markdown.split("## Signatories", 1)[1]
    names = ["Human Rights Watchdog «Pravo»", "Legal Initiative for Belarus",
             "Minsk Helsinki Group in Exile"]  # fmt: skip
    assert [listed.index(name) for name in names] == sorted(listed.index(n) for n in names)
    assert "and 1 organisation that cannot be named" in listed
    for absent in ("Belarusian Prisoners' Aid Network", "Free Media Belarus", "Égalité Belarus"):
        assert absent not in listed

    rows = list(csv.DictReader(io.StringIO(exports[".csv"].read_text(encoding="utf-8-sig"))))
    by_name = {row["organisation"]: row for row in rows}
    assert len(rows) == 6
    assert by_name["Belarusian Prisoners' Aid Network"]["listing"] == "anonymous"
    assert by_name["Free Media Belarus"]["response"] == "declined"
    assert by_name["Égalité Belarus"]["response"] == "pending"

    document = docx.Document(str(exports[".docx"]))
    assert any("Legal Initiative for Belarus" in p.text for p in document.paragraphs)

    # Issue 17: list 1 published, more signatories collected, list 2 with its changes.
    assert "list 1 published" in out and "📢 Letter #1" in out
    assert "✍️ A published letter (#1) is collecting additional signatures" in out
    assert "📨 Coordinator Olena recorded your organisation's answer" in out
    assert "list 2 published" in out and "Added since list 1: Égalité Belarus, Free Media" in out
    published = {path.name for path in (folder / "published").iterdir()}
    assert "letter-1-list-2-en.pdf" in published and "letter-1-list-1-en.pdf" in published
    listed = pypdf.PdfReader(folder / "published" / "letter-1-list-2-en.pdf")
    text = " ".join(page.extract_text() for page in listed.pages)
    assert "List 2" in text and "Free Media Belarus" in text and "Page 1 of" in text

    # Issue 16: the whole sign-on left a log that replays to exactly the tables.
    verified = subprocess.run(
        [sys.executable, "-m", "bot", "audit", "verify"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "DATABASE_PATH": str(folder / "demo.db"),
        },
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "record OK: the tables are what the" in verified.stdout


def test_interactive_demo_lets_you_act_as_anyone(tmp_path: Path) -> None:
    commands = "\n".join(
        [
            "/circulate 1 all",
            "/as member2",
            "/press 1",  # ✍️ Sign
            "/press Counted",
            "/press Confirm",
            "/as stranger",
            "/start",
            "/as nobody",
            "/press 1",  # the stranger has no buttons
            "/as coordinator",
            "/advance 1d",
            "/status 1",
            "/quit",
        ]
    )
    run = demo(tmp_path, "--interactive", stdin=commands + "\n")
    assert run.returncode == 0, run.stderr[-3000:] + run.stdout[-3000:]
    out = " ".join(run.stdout.split())
    assert "Letter #1 created" in out and "Your turn" in out
    assert "[1: ✍️ Sign] [2: Decline]" in out  # numbered buttons for /press
    assert "You are now Maksim (Belarusian Prisoners' Aid Network)." in out
    assert "Listing: listed as an organisation that cannot be named" in out
    assert "Hello. This is a private bot that works by invitation only." in out
    assert "! nobody called 'nobody'" in out
    assert "! Stranger has no message with buttons" in out
    assert "⏱ Tue 03 Feb 2026" in out
    assert "✅ signed: 1" in out
    assert (tmp_path / "out" / "transcript.txt").exists()

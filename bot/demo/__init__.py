"""``coalition-bot demo``: the whole workflow offline, against the fake Telegram server.

``run_demo`` plays the scripted session (``bot.demo.script``) and leaves the exported
files, the transcript and the database in a folder; with ``interactive`` it sets the same
people up and hands the keyboard over (``bot.demo.interactive``).
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.demo.session import DemoError, DemoSession
from bot.demo.transcript import Transcript

__all__ = ["DemoError", "DemoResult", "print_summary", "run_demo"]

DEMO_FILES = ("demo.db", "demo.db-wal", "demo.db-shm", "transcript.txt")


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    files: list[Path]  # the exported files, in folder/export
    seconds: float


def new_folder(out: Path | None) -> Path:
    if out is None:
        return Path(tempfile.mkdtemp(prefix="coalition-demo-"))
    out.mkdir(parents=True, exist_ok=True)
    # A demo starts from nothing: an earlier run's files in the same folder go.
    for name in DEMO_FILES:
        (out / name).unlink(missing_ok=True)
    for kept in ("export", "published"):
        if (out / kept).is_dir():
            for old in (out / kept).iterdir():
                if old.is_file():
                    old.unlink()
    return out


def save_exports(demo: DemoSession, folder: Path, *, published: bool = False) -> list[Path]:
    """Every document the bot sent the coordinator, as the coordinator would download it:
    the export (``published`` False) or the published lists' files (True)."""
    saved: list[Path] = []
    coordinator = demo.people["coordinator"].user
    for message in coordinator.bot_messages:
        if message.document is None:
            continue
        if ("-list-" in str(message.document.get("file_name", ""))) != published:
            continue
        path = coordinator.save(message, folder, replace=True)  # the newest of a name wins
        if path not in saved:
            saved.append(path)
    return saved


async def _scripted(folder: Path, transcript: Transcript) -> list[Path]:
    from bot.demo import script

    async with DemoSession(folder, transcript) as demo:
        await script.play(demo)
        save_exports(demo, folder / "published", published=True)
        return save_exports(demo, folder / "export")


def run_demo(
    *, out: Path | None = None, interactive: bool = False, stream: TextIO | None = None
) -> DemoResult:
    """Runs the demo to the end (or until the user leaves the interactive prompt).

    The transcript is written to the folder even when the session fails half-way.
    """
    folder = new_folder(out)
    transcript = Transcript(stream=stream or sys.stdout)
    started = time.monotonic()
    try:
        if interactive:
            from bot.demo.interactive import run_interactive

            with contextlib.suppress(KeyboardInterrupt):
                asyncio.run(run_interactive(folder, transcript))
            export = folder / "export"
            files = sorted(export.iterdir()) if export.is_dir() else []
        else:
            files = asyncio.run(_scripted(folder, transcript))
    finally:
        (folder / "transcript.txt").write_text(transcript.text(), encoding="utf-8")
    return DemoResult(folder, files, time.monotonic() - started)


def print_summary(result: DemoResult, stream: TextIO) -> None:
    lines = [
        "",
        f"Demo finished in {result.seconds:.0f} s. Everything is in {result.folder}/:",
        "  transcript.txt   this conversation",
        "  demo.db          the bot's database (SQLite, not encrypted: demo data only)",
        *(f"  export/{path.name}" for path in result.files),
    ]
    print("\n".join(lines), file=stream, flush=True)

"""Benchmark: the running bot's memory with a large coalition, and its start-up time.

What is measured
----------------
The bot runs as it does in production: ``python -m bot run`` in its own process (so its
resident memory is its own, not this script's), long polling the strict fake Telegram
server that runs in this process. The database is prepared first (not measured) with the
project's migrations and plain SQL in one transaction:

- 2,000 organisations, 10,000 contacts (five active members each, with Telegram ids);
- 100 open letters, each with a 3 KB version, circulated to all 2,000 organisations
  (200,000 letter_organisations rows), a third of which signed (66,700 responses);
- 10,000 scheduled reminders: ``pending`` rows of the ``reminders`` table (100 letters ×
  25 organisations × 4 offsets), all due in the future.

Start-up time to ready: from starting the process to the fake receiving the bot's first
``getUpdates`` (PTB polls only after ``post_init``: database opened, migrations checked,
jobs rebuilt from the database). The interpreter's start and imports count: that is what an
operator waits for. Goal ≤ 3 s; the median of ``--runs`` starts is compared with it.

Resident memory: VmRSS and VmHWM (the peak) of the bot's process from /proc, read after
the last start once the coordinator has sent a round of commands that touch the data —
/orgs (2,000 organisations in pages), /letters, /status of three letters (counts, the
table, the chart) and /letter. Goal ≤ 150 MB; the peak is compared with it.

Run: ``.venv/bin/python bench/memory.py [--runs 3]`` (about half a minute). Linux only
(/proc). The exit status is 0 only if both goals are met and every command was answered.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.db import open_database  # noqa: E402
from bot.db.migrate import apply_migrations  # noqa: E402
from bot.db.timefmt import to_db  # noqa: E402
from bot.fake_telegram import FakeTelegramServer  # noqa: E402

TOKEN = "123456789:AAF" + "m3m0r" * 7
COORDINATOR_ID = 1001
FIRST_USER = 100_000
ORGANISATIONS = 2_000
CONTACTS_PER_ORGANISATION = 5
LETTERS = 100
REMINDER_ORGANISATIONS = 25  # per letter, × 4 offsets × 100 letters = 10,000 reminders
OFFSETS = (timedelta(days=7), timedelta(days=3), timedelta(days=1), timedelta(hours=3))
RSS_GOAL_MB = 150.0
STARTUP_GOAL_S = 3.0
READY_TIMEOUT = 60.0
PARAGRAPH = (
    "We, the undersigned organisations, call on the members of the Human Rights Council "
    "to renew the mandate of the Special Rapporteur and to keep the situation under review. "
)
COMMANDS = ["/orgs", "/letters", "/status 1", "/status 50", "/status 100", "/letter 7"]


async def prepare(path: Path) -> dict[str, int]:
    """The large coalition, in one transaction; returns the row counts."""
    now = datetime.now(UTC)
    db = await open_database(path)
    try:
        await apply_migrations(db, now)
        created = to_db(now - timedelta(days=30))
        async with db.transaction() as tx:
            await tx.execute_many(
                "INSERT INTO organisations (id, name, name_key, status, created_at)"
                " VALUES (?, ?, ?, 'active', ?)",
                [(o, f"Organisation {o:04d}", f"organisation {o:04d}", created)
                 for o in range(1, ORGANISATIONS + 1)],
            )  # fmt: skip
            contacts = []
            for o in range(1, ORGANISATIONS + 1):
                for n in range(CONTACTS_PER_ORGANISATION):
                    user = FIRST_USER + (o - 1) * CONTACTS_PER_ORGANISATION + n
                    contacts.append((o, user, f"Contact {user}", created, created))
            await tx.execute_many(
                "INSERT INTO contacts (role, organisation_id, telegram_user_id, display_name,"
                " language, status, created_at, joined_at)"
                " VALUES ('member', ?, ?, ?, 'en', 'active', ?, ?)",
                contacts,
            )
            body = "\n\n".join(f"{i}. {PARAGRAPH * 3}" for i in range(1, 11))
            for letter in range(1, LETTERS + 1):
                deadline = now + timedelta(days=10 + letter % 30, hours=letter % 24)
                await tx.execute(
                    "INSERT INTO letters (id, title, status, language, deadline, timezone,"
                    " created_by, created_at, opened_at)"
                    " VALUES (?, ?, 'open', 'en', ?, 'Europe/Zurich', ?, ?, ?)",
                    (letter, f"Joint letter {letter}", to_db(deadline), COORDINATOR_ID,
                     created, created),
                )  # fmt: skip
                text = f"Letter {letter}\n\n{body}"
                fingerprint = hashlib.sha256(text.encode()).hexdigest()[:8]
                await tx.execute(
                    "INSERT INTO versions (id, letter_id, number, body, fingerprint, material,"
                    " source_kind, created_by, created_at) VALUES (?, ?, 1, ?, ?, 1, 'text', ?, ?)",
                    (letter, letter, text, fingerprint, COORDINATOR_ID, created),
                )  # fmt: skip
                await tx.execute_many(
                    "INSERT INTO letter_organisations (letter_id, organisation_id, added_at)"
                    " VALUES (?, ?, ?)",
                    [(letter, o, created) for o in range(1, ORGANISATIONS + 1)],
                )
                await tx.execute_many(
                    "INSERT INTO responses (letter_id, organisation_id, decision, version_id,"
                    " listing, contact_id, created_at, updated_at)"
                    " VALUES (?, ?, 'signed', ?, 'named', ?, ?, ?)",
                    [(letter, o, letter, (o - 1) * CONTACTS_PER_ORGANISATION + 1, created,
                      created) for o in range(1, ORGANISATIONS + 1, 3)],
                )  # fmt: skip
                await tx.execute_many(
                    "INSERT INTO reminders (letter_id, organisation_id, offset_seconds, due_at,"
                    " status) VALUES (?, ?, ?, ?, 'pending')",
                    [(letter, o, int(offset.total_seconds()), to_db(deadline - offset))
                     for o in range(2, 2 + REMINDER_ORGANISATIONS) for offset in OFFSETS],
                )  # fmt: skip
        row = await db.fetch_one(
            "SELECT (SELECT count(*) FROM organisations) AS organisations,"
            " (SELECT count(*) FROM contacts) AS contacts,"
            " (SELECT count(*) FROM letters) AS letters,"
            " (SELECT count(*) FROM letter_organisations) AS letter_organisations,"
            " (SELECT count(*) FROM responses) AS responses,"
            " (SELECT count(*) FROM reminders WHERE status = 'pending') AS pending_reminders"
        )
        assert row is not None
        counts = {key.replace("_", " "): value for key, value in dict(row).items()}
        return counts
    finally:
        await db.close()


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB (Linux)."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


class BotProcess:
    """``python -m bot run`` against the fake, with a clean environment."""

    def __init__(self, tg: FakeTelegramServer, database: Path, log: Path) -> None:
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "PYTHONPATH": str(ROOT),
            "BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": tg.base_url,
            "TELEGRAM_FILE_URL": tg.base_file_url,
            "DATABASE_PATH": str(database),
            "COORDINATOR_IDS": str(COORDINATOR_ID),
            "LOG_LEVEL": "INFO",
            "MPLBACKEND": "Agg",
        }
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    async def start(self, tg: FakeTelegramServer) -> float:
        """Starts the bot; returns seconds from the start to its first getUpdates."""
        polls = tg.calls["getUpdates"]
        with self.log.open("ab") as log:
            started = time.monotonic()
            self.process = subprocess.Popen(  # noqa: ASYNC220 - started, not waited for
                [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=self.env,
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        while tg.calls["getUpdates"] == polls:
            if self.process.poll() is not None:
                raise RuntimeError(f"the bot exited with {self.process.returncode}; see {self.log}")
            if time.monotonic() - started > READY_TIMEOUT:
                raise RuntimeError(f"the bot was not ready after {READY_TIMEOUT:.0f} s")
            await asyncio.sleep(0.002)
        return time.monotonic() - started

    async def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()  # SIGTERM: the bot stops cleanly
        for _ in range(200):
            if self.process.poll() is not None:
                break
            await asyncio.sleep(0.05)
        else:
            self.process.kill()
            self.process.wait()
        self.process = None


async def run(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.db"
        started = time.monotonic()
        counts = await prepare(database)
        size_mb = database.stat().st_size / 1e6 + _wal_mb(database)
        print(
            "prepared in {:.1f} s: {} ({:.0f} MB on disk)".format(
                time.monotonic() - started,
                ", ".join(f"{n:,} {table}" for table, n in counts.items()),
                size_mb,
            ),
            flush=True,
        )
        tg = FakeTelegramServer(TOKEN, bot_username="coalition_bench_bot")
        await tg.start()
        coordinator = tg.add_user(COORDINATOR_ID, "Coordinator")
        coordinator.started = True
        bot = BotProcess(tg, database, Path(folder) / "bot.log")
        startups: list[float] = []
        answered = 0
        memory: dict[str, int] = {}
        try:
            for n in range(args.runs):
                startups.append(await bot.start(tg))
                print(f"start {n + 1}: ready after {startups[-1]:.2f} s", flush=True)
                if n < args.runs - 1:
                    await bot.stop()
            assert bot.process is not None
            idle = memory_kb(bot.process.pid)
            for command in COMMANDS:
                coordinator.mark_all_read()
                await coordinator.send(command)
                await coordinator.next_messages(1, timeout=30)
                answered += 1
            await tg.wait_until_idle(quiet=1.0, timeout=60)
            memory = memory_kb(bot.process.pid)
            print(
                f"memory: idle after start-up VmRSS {idle['VmRSS'] / 1024:.1f} MB; after "
                f"{', '.join(COMMANDS)}: VmRSS {memory['VmRSS'] / 1024:.1f} MB, "
                f"peak VmHWM {memory['VmHWM'] / 1024:.1f} MB",
                flush=True,
            )
        except (RuntimeError, TimeoutError) as error:
            print(f"PROBLEM: {error}", flush=True)
            print(_tail(Path(folder) / "bot.log"), file=sys.stderr)
        finally:
            await bot.stop()
            await tg.stop()
        rejected = [r for r in tg.rejections if r.error_code == 429]
        if rejected:
            print(f"PROBLEM: {len(rejected)} × 429 from the fake", flush=True)
    if not startups or not memory:
        return 1
    startup = statistics.median(startups)
    peak_mb = memory["VmHWM"] / 1024
    print(
        f"memory: peak RSS {peak_mb:.1f} MB, ratio to goal {peak_mb / RSS_GOAL_MB:.2f} "
        f"(goal ≤ {RSS_GOAL_MB:.0f} MB; {counts['organisations']:,} organisations, "
        f"{counts['contacts']:,} contacts, {counts['letters']} letters)"
    )
    print(
        f"start-up: {startup:.2f} s to ready (median of {len(startups)}), ratio to goal "
        f"{startup / STARTUP_GOAL_S:.2f} (goal ≤ {STARTUP_GOAL_S:.0f} s; "
        f"{counts['pending reminders']:,} reminders scheduled)"
    )
    met = peak_mb <= RSS_GOAL_MB and startup <= STARTUP_GOAL_S and answered == len(COMMANDS)
    return 0 if met and not rejected else 1


def _wal_mb(database: Path) -> float:
    wal = database.with_name(database.name + "-wal")
    return wal.stat().st_size / 1e6 if wal.exists() else 0.0


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="start-ups to take the median of")
    args = parser.parse_args()
    if not Path("/proc/self/status").exists():
        print("memory: needs Linux (/proc)", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: circulate a letter to 600 contacts through the outbox, against the strict fake.

Each contact gets a summary (with buttons) and the full text in two messages: 1800
messages, queued in one transaction through ``bot.services.outbox`` like /circulate
does, then drained by the real Application running in this process. The fake server
enforces Telegram's limits (30/s overall, about 1/s per chat) and answers 429 beyond.

Run: ``.venv/bin/python bench/broadcast.py [--contacts 600]``. Goal: at least 90 % of
Telegram's 30 messages/s, and no 429 at all.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import build_application, start_in_process, stop_in_process  # noqa: E402
from bot.clock import FakeClock  # noqa: E402
from bot.context import services_of  # noqa: E402
from bot.demo.factories import bind_members  # noqa: E402
from bot.fake_telegram import FakeTelegramServer  # noqa: E402
from bot.services import outbox  # noqa: E402
from bot.services.outbox import OutgoingMessage  # noqa: E402
from bot.settings import Settings  # noqa: E402

TOKEN = "123456789:AAF" + "b3nch" * 7
COORDINATOR_ID = 1001
FIRST_USER = 100_000
START = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
SEND_METHODS = ("sendMessage", "sendDocument", "sendPhoto")
PARAGRAPH = (
    "We, the undersigned organisations, call on the members of the Human Rights Council "
    "to renew the mandate of the Special Rapporteur and to keep the situation under review. "
)


def _messages(n: int, letter_id: int) -> list[tuple[str, OutgoingMessage]]:
    """What one contact gets: a summary with buttons, then the text in two parts."""
    markup = {
        "inline_keyboard": [
            [
                {"text": "✍️ Sign", "callback_data": f"sign:{letter_id}:{n}"},
                {"text": "Decline", "callback_data": f"decline:{letter_id}:{n}"},
            ]
        ]
    }
    common: dict[str, object] = {
        "parse_mode": "HTML",
        "protect_content": True,
        "link_preview_options": {"is_disabled": True},
    }
    summary = (
        f"<b>Joint letter on the mandate</b> — for <b>Organisation {n}</b>\n"
        "Deadline: 20 February 2026, 18:00 (in 18 days)\n\n" + PARAGRAPH
    )
    text_1 = "<b>Part 1/2</b>\n\n" + PARAGRAPH * 20
    text_2 = "<b>Part 2/2</b>\n\n" + PARAGRAPH * 15
    return [
        (
            "summary",
            OutgoingMessage("sendMessage", {"text": summary, "reply_markup": markup, **common}),
        ),
        ("text-1", OutgoingMessage("sendMessage", {"text": text_1, **common})),
        ("text-2", OutgoingMessage("sendMessage", {"text": text_2, **common})),
    ]


async def _prepare(app, tg: FakeTelegramServer, contacts: int) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    services = services_of(app)
    db = services.database
    now = services.clock.now()
    members = await bind_members(db, contacts, now=now, first_user_id=FIRST_USER, tg=tg)
    queued = 0
    async with db.transaction() as tx:
        broadcast_id = await outbox.create_broadcast(
            tx, letter_id=None, kind="circulation", requested_by=COORDINATOR_ID, now=now
        )
        for n, member in enumerate(members):
            for part, message in _messages(n, 1):
                queued += await outbox.enqueue(
                    tx, broadcast_id=broadcast_id, contact_id=member.contact_id,
                    chat_id=member.telegram_user_id, letter_id=None, kind="summary",
                    message=message, dedupe_key=f"bench:{broadcast_id}:{member.contact_id}:{part}",
                    now=now,
                )  # fmt: skip
    return broadcast_id, queued


async def run(contacts: int) -> int:
    clock = FakeClock(START)
    tg = FakeTelegramServer(TOKEN, bot_username="coalition_bench_bot", clock=clock.timestamp)
    await tg.start()
    coordinator = tg.add_user(COORDINATOR_ID, "Coordinator")
    coordinator.started = True
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=TOKEN,
            telegram_api_url=tg.base_url,
            telegram_file_url=tg.base_file_url,
            database_path=Path(folder) / "bench.db",
            coordinator_ids=frozenset({COORDINATOR_ID}),
            log_level="WARNING",
        )
        app = build_application(settings, clock=clock)
        await start_in_process(app, poll_timeout=1)
        try:
            broadcast_id, queued = await _prepare(app, tg, contacts)
            print(f"queued {queued} messages for {contacts} contacts; sending …", flush=True)
            sender = services_of(app).outbox_sender
            assert sender is not None
            started = time.monotonic()
            sender.wake()
            reports: list[str] = []
            while not reports:
                await asyncio.sleep(0.2)
                reports = [
                    m.text or ""
                    for m in coordinator.bot_messages
                    if (m.text or "").startswith("Delivery report")
                ]
                if time.monotonic() - started > 30 + queued / 10:
                    print("broadcast: timed out", file=sys.stderr)
                    return 1
            progress = await outbox.broadcast_progress(services_of(app).database, broadcast_id)
        finally:
            await stop_in_process(app)
            await tg.stop()

    sends = [r for r in tg.requests if r.method in SEND_METHODS and r.params.get("chat_id") != 1001]
    delivered = [r for r in sends if r.ok]
    wall = max(r.time for r in delivered) - min(r.time for r in delivered)
    rate = (len(delivered) - 1) / wall if wall > 0 else float("inf")
    too_many = sum(1 for r in tg.rejections if r.error_code == 429)
    limited = [r.time for r in tg.requests if r.ok and r.method in (*SEND_METHODS,
               "editMessageText")]  # fmt: skip
    limited.sort()
    busiest = max(
        sum(1 for t in limited[i : i + 40] if t - start < 1.0) for i, start in enumerate(limited)
    )
    per_chat = {FIRST_USER + n: len(tg.messages_sent_to(FIRST_USER + n)) for n in range(contacts)}
    wrong = sum(1 for count in per_chat.values() if count != 3)
    print(f"delivered {progress.sent} of {progress.total}; contacts without exactly 3: {wrong}")
    print(f"busiest sliding second: {busiest} requests (Telegram allows 30)")
    print(f"report: {reports[0].splitlines()[1]}")
    ratio = rate / 30
    print(
        f"broadcast: {len(delivered)} messages in {wall:.1f} s = {rate:.1f}/s, "
        f"ratio {ratio:.2f} (goal ≥ 0.9), 429s: {too_many} (goal 0)"
    )
    return 0 if ratio >= 0.9 and too_many == 0 and wrong == 0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=600)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "telegram", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return asyncio.run(run(args.contacts))


if __name__ == "__main__":
    raise SystemExit(main())

"""Issue 7: /purge and RETENTION_DAYS remove a closed letter's texts, keep who signed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.clock import FakeClock
from bot.db import audit
from bot.fake_telegram import FakeMessage, FakeTelegramServer
from tests.factories import circulated, close, sign, summary_of
from tests.harness import RunningBot, make_settings, running_bot

MARKERS = (
    "mandate", "undersigned", "lawyers-marker", "secret-reason", "milestone-marker",
    "revision-marker",
)  # fmt: skip


async def letter_with_answers(bot: RunningBot, tg: FakeTelegramServer):  # type: ignore[no-untyped-def]
    letter_id, (anna, boris) = await circulated(bot, tg, ["Org Anna", "Org Boris"])
    await sign(bot, anna)
    await boris.press(summary_of(boris), "💬 Comment")
    await bot.ask(boris, "Please mention the lawyers-marker case.")
    await bot.settle()
    assert any("Comment #1" in (m.text or "") for m in bot.coordinator().messages)
    await boris.press(summary_of(boris), "Decline")
    await bot.ask(boris, "secret-reason: our board said no")
    coordinator = bot.coordinator()
    await ask_for(bot, f"/milestone {letter_id} Session milestone-marker opens "
                  "2026-02-15 10:00", "milestone-marker")  # fmt: skip
    # A revision started and abandoned: its text waits in the flow.
    await ask_for(bot, f"/revise {letter_id}", "new text")
    await ask_for(bot, "The whole new revision-marker text.", "characters")
    coordinator.mark_all_read()
    return letter_id, anna, boris


async def ask_for(bot: RunningBot, text: str, marker: str) -> FakeMessage:
    """The coordinator's answer to ``text``, which must hold ``marker``."""
    [message] = await bot.ask(bot.coordinator(), text)
    assert marker in (message.text or ""), message.text
    return message


async def texts_left(bot: RunningBot, letter_id: int) -> list[str]:
    """Every stored string about the letter that still holds one of the marker words."""
    rows = [
        *await bot.db.fetch_all("SELECT title AS t FROM letters WHERE id = ?", (letter_id,)),
        *await bot.db.fetch_all("SELECT body AS t FROM versions WHERE letter_id = ?", (letter_id,)),
        *await bot.db.fetch_all("SELECT body AS t FROM comments WHERE letter_id = ?", (letter_id,)),
        *await bot.db.fetch_all(
            "SELECT reason AS t FROM responses WHERE letter_id = ?", (letter_id,)
        ),
        *await bot.db.fetch_all(
            "SELECT payload AS t FROM deliveries WHERE letter_id = ?", (letter_id,)
        ),
        *await bot.db.fetch_all("SELECT data AS t FROM audit_events"),
        *await bot.db.fetch_all(
            "SELECT name AS t FROM milestones WHERE letter_id = ?", (letter_id,)
        ),
        *await bot.db.fetch_all("SELECT state AS t FROM flows"),
    ]
    return [r["t"] for r in rows if r["t"] and any(m in r["t"].lower() for m in MARKERS)]


def files_holding(bot: RunningBot, markers: tuple[str, ...]) -> list[str]:
    """The database files (main, -wal) that hold any marker, in any letter case."""
    path = bot.settings.database_path
    found = []
    for file in (path, path.with_name(path.name + "-wal")):
        content = file.read_bytes().lower() if file.exists() else b""
        found += [f"{file.name}: {m}" for m in markers if m.encode() in content]
    return found


async def test_purge_asks_removes_texts_keeps_signatures_and_the_chain(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    letter_id, anna, _ = await letter_with_answers(bot, tg)
    coordinator = bot.coordinator()
    assert await texts_left(bot, letter_id)  # the markers are there to be found
    await ask_for(bot, f"/purge {letter_id}", "not closed")
    await close(bot, letter_id)
    summary_id = summary_of(anna).message_id
    question = await ask_for(bot, f"/purge {letter_id}", "for good")
    await coordinator.press(question, "Cancel")
    await bot.edited(coordinator, question, "Not purged")
    assert (
        await bot.db.fetch_value("SELECT purged_at FROM letters WHERE id = ?", (letter_id,)) is None
    )

    question = await ask_for(bot, f"/purge {letter_id}", "for good")
    await coordinator.press(question, "🗑 Purge it")
    await bot.edited(coordinator, question, "is purged")
    assert await texts_left(bot, letter_id) == []
    # Nor in the database's files (a plain database here): the write-ahead log was emptied.
    assert files_holding(bot, MARKERS) == []
    # Who signed, how they are listed, and the fingerprints stay.
    kept = await bot.db.fetch_one(
        "SELECT r.decision, r.listing, v.fingerprint FROM responses r "
        "JOIN versions v ON v.id = r.version_id WHERE r.letter_id = ? AND r.decision = 'signed'",
        (letter_id,),
    )
    assert kept is not None and kept["listing"] == "named" and len(kept["fingerprint"]) == 8
    assert (await audit.verify(bot.db)).ok
    actions = [e.action for e in await audit.events(bot.db, letter_id=letter_id)]
    assert actions[-1] == "letter.purged"
    # The letter's messages are gone from the members' chats (within Telegram's 48 hours).
    await bot.settle()
    gone = anna.find(summary_id)
    assert gone is None or gone.deleted
    assert not [m for m in anna.bot_messages if "undersigned" in (m.text or "")]
    # Nothing more can be done with it.
    [again] = await bot.ask(coordinator, f"/purge {letter_id}")
    assert "removed" in again.text
    [export] = await bot.ask(coordinator, f"/export {letter_id}")
    assert "removed" in export.text
    [reopen] = await bot.ask(coordinator, f"/reopen {letter_id} 2026-03-01 18:00")
    assert "not closed" in reopen.text or "purged" in reopen.text


async def test_retention_days_purge_closed_letters_by_themselves(
    tg: FakeTelegramServer, clock: FakeClock, tmp_path: Path
) -> None:
    settings = make_settings(tg, tmp_path, retention_days=30)
    async with running_bot(settings, clock, tg) as bot:
        letter_id, _, _ = await letter_with_answers(bot, tg)
        await close(bot, letter_id)
        clock.advance(timedelta(days=29, hours=23))
        await bot.run_due()
        assert await texts_left(bot, letter_id)
        clock.advance(timedelta(hours=1))
        await bot.run_due()
        assert await texts_left(bot, letter_id) == []
        event = (await audit.events(bot.db, letter_id=letter_id))[-1]
        assert (event.action, event.actor) == ("letter.purged", "system")
        # A month on, Telegram no longer lets the bot delete them: recorded, not retried.
        refused = await bot.db.fetch_value(
            "SELECT count(*) FROM deliveries WHERE letter_id = ? AND delete_error IS NOT NULL",
            (letter_id,),
        )
        assert refused > 0


async def test_an_abandoned_flow_expires_a_day_after_its_last_input(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    letter_id, _, _ = await letter_with_answers(bot, tg)  # with a /revise left mid-way
    assert await bot.db.fetch_value("SELECT count(*) FROM flows") == 1
    bot.clock.advance(timedelta(hours=23))
    await bot.run_due()
    assert await bot.db.fetch_value("SELECT count(*) FROM flows") == 1
    bot.clock.advance(timedelta(hours=1))
    await bot.run_due()  # the scheduler sweeps it: what was typed is gone
    assert await bot.db.fetch_value("SELECT count(*) FROM flows") == 0
    # What the coordinator types now is no part of a revision.
    [answer] = await bot.ask(bot.coordinator(), "More revision-marker text.")
    assert "characters" not in answer.text
    assert (await bot.db.fetch_one("SELECT count(*) AS n FROM versions WHERE letter_id = ?",
                                   (letter_id,)))["n"] == 1  # fmt: skip

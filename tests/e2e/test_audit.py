"""Issue 7: every state change appends an audit event; /audit sends one letter's trail."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.clock import FakeClock
from bot.db import audit
from bot.db.connection import SQLITE_HEADER
from bot.fake_telegram import FakeTelegramServer
from tests.factories import circulated, close, confirm_removal, sign, summary_of, withdraw
from tests.harness import make_settings, running_bot

KEY = "correct horse battery staple 42"


async def test_every_state_change_is_audited_and_the_trail_comes_as_csv(
    tg: FakeTelegramServer, clock: FakeClock, tmp_path: Path
) -> None:
    # On an encrypted database: the whole bot works the same way on SQLCipher.
    settings = make_settings(tg, tmp_path, database_key=KEY)
    async with running_bot(settings, clock, tg) as bot:
        coordinator = bot.coordinator()
        letter_id, (first, second) = await circulated(bot, tg, ["First", "Second"])
        await sign(bot, first)
        [question] = await bot.ask(first, f"/withdraw {letter_id}")
        assert "is withdrawn" in await withdraw(bot, first, question)
        await second.press(summary_of(second), "Decline")
        [ask] = await bot.replies(second)
        await second.press(ask, "Skip")
        await bot.replies(second)
        await first.press(summary_of(first), "💬 Comment")
        await bot.replies(first)
        await bot.ask(first, "Paragraph 2 needs the names")
        [relayed] = await bot.replies(coordinator)
        await coordinator.press(relayed, "↩️ Reply")
        await bot.replies(coordinator)
        await bot.ask(coordinator, "Done in the next version.")
        await bot.replies(first)
        await close(bot, letter_id)
        await bot.ask(coordinator, f"/export {letter_id}", replies=3)
        contact_id = await bot.db.fetch_value(
            "SELECT id FROM contacts WHERE telegram_user_id = ?", (second.id,)
        )
        await confirm_removal(bot, f"/removecontact {contact_id}")

        # A member cannot have the trail; an unknown letter is a clear answer.
        [refused] = await bot.ask(first, f"/audit {letter_id}")
        assert refused.text == "Only coordinators can do that."
        [missing] = await bot.ask(coordinator, "/audit 99")
        assert "There is no letter #99" in missing.text
        [document] = await bot.ask(coordinator, f"/audit {letter_id}")

        all_actions = [event.action for event in await audit.events(bot.db)]
        verification = await audit.verify(bot.db)

    assert document.document["file_name"] == f"letter-{letter_id}-audit.csv"
    assert "audit trail" in document.caption.lower()
    content = tg.file_content(document.document["file_id"]).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [row["action"] for row in rows] == [
        "letter.created",
        "version.added",
        "letter.circulated",
        "response.signed",
        "response.withdrawn",
        "response.declined",
        "comment.added",
        "comment.replied",
        "letter.closed",
        "letter.exported",
        "audit.exported",
    ]
    assert rows[-1]["data"] == '{"events":10}'
    assert all(len(row["hash"]) == 64 for row in rows)
    # The state changes that are not about one letter are in the log too.
    for action in ("invite.issued", "invite.used", "contact.removed", "organisation.added"):
        assert action in all_actions
    assert all_actions.count("invite.used") == 2
    assert verification.ok and verification.count == len(all_actions)
    database = settings.database_path
    assert database.read_bytes()[:16] != SQLITE_HEADER

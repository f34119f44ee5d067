"""Issue 16: /verify — witness codes and the whole audit log checked from Telegram.

Coordinators get the chain, the record and each code; a member gets whether the codes of
their own organisation's events hold, and nothing about anyone else's.
"""

from __future__ import annotations

from bot.fake_telegram import FakeTelegramServer
from bot.services import witnesses
from tests.factories import quick_letter, quick_member, quick_org, sign
from tests.harness import RunningBot


async def test_verify_for_coordinators_and_for_members_own_receipts(
    bot: RunningBot, tg: FakeTelegramServer
) -> None:
    coordinator = bot.coordinator()
    viasna, pen = await quick_org(bot, "Viasna"), await quick_org(bot, "Belarusian PEN")
    anna = await quick_member(bot, tg, 3001, viasna)
    boris = await quick_member(bot, tg, 3002, pen)
    letter_id = await quick_letter(bot, "Joint letter", None)
    for member in (anna, boris):
        await bot.replies(member, 2)  # the summary and the full text
    await sign(bot, anna, "Internal only")
    await sign(bot, boris)
    own = await witnesses.response_witness(bot.db, letter_id, viasna)
    other = await witnesses.response_witness(bot.db, letter_id, pen)
    assert own is not None and other is not None
    own_event = witnesses.parse_witness(own)
    assert own_event is not None

    # A member checks their receipt; another organisation's code, and one past the end of
    # the log, get one and the same answer.
    [usage] = await bot.ask(anna, "/verify")
    assert usage.text.startswith("Send /verify with a witness code from one of your receipts")
    past_the_end = "#99999-0000-0000-0000-0000-0000"
    [answer] = await bot.ask(anna, f"/verify {own} {other} {past_the_end} nonsense")
    held, foreign, beyond, unreadable = answer.text.split("\n")
    assert held == (
        f"✅ {own}: your organisation's event #{own_event.event_id} is in the audit log, "
        "unchanged and in its place."
    )
    assert foreign.startswith(f"❌ {other}: this matches no event of your organisation.")
    assert beyond == foreign.replace(other, past_the_end)
    assert unreadable.startswith("❓ nonsense: not a witness code")

    # A coordinator: the whole check and the code to note down; then a code.
    [report] = await bot.ask(coordinator, "/verify")
    head = await witnesses.chain_head(bot.db)
    lines = report.text.split("\n")
    assert lines[0].startswith("✅ The audit log is whole: ")
    assert (
        lines[1]
        == "✅ Responses, organisations, contacts, letters and versions are what the log says."
    )
    assert lines[2].startswith("The latest event, to note down outside the server: #")
    assert head is not None and witnesses.parse_witness(lines[2].rsplit(" ", 1)[1])
    [checked] = await bot.ask(coordinator, f"/verify {other}")
    other_event = witnesses.parse_witness(other)
    assert other_event is not None
    assert checked.text.split("\n")[2] == (
        f"✅ {other}: event #{other_event.event_id} (response.signed) is in the log, in its place."
    )

    # Someone with the database file makes Viasna's "internal only" signature public.
    await bot.db.execute(
        "UPDATE responses SET listing = 'named' WHERE organisation_id = ?", (viasna,)
    )
    [report] = await bot.ask(coordinator, "/verify")
    assert report.text.split("\n")[1] == (
        "❌ The records differ from the audit log: responses: letter #1, organisation #1 "
        "'Viasna': the table says signed, listed by name; the audit log says signed, internal "
        f"only (event #{own_event.event_id})"
    )
    [answer] = await bot.ask(anna, f"/verify {own}")
    assert answer.text.split("\n") == [
        held,
        "⚠️ The audit log as a whole does not pass its check: tell the coalition's coordinators.",
    ]
    [too_many] = await bot.ask(coordinator, "/verify " + " ".join([own] * 11))
    assert too_many.text == "At most 10 codes at a time, please."

    # Each check is in the log: who asked, which events, how they stood (never the codes).
    checks = await bot.db.fetch_all(
        "SELECT actor, organisation_id, data FROM audit_events WHERE action = 'audit.verified' "
        "ORDER BY id"
    )
    assert len(checks) == 5
    assert checks[0]["organisation_id"] == viasna and checks[0]["actor"].startswith("contact:")
    assert checks[0]["data"] == (
        f'{{"chain":true,"record":true,"unreadable":1,"witnesses":[[{own_event.event_id},'
        f'"held"],[{other_event.event_id},"unmatched"],[99999,"unmatched"]]}}'
    )
    assert checks[1]["actor"] == f"coordinator:{coordinator.id}"
    assert '"record":false' in checks[3]["data"]

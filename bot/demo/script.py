"""The scripted session: one letter from the first /addorg to the export, then its
publication (list 1, more signatories, list 2).

The bot is the real one; only the people are scripted. Each step checks that the bot did
what the step needs (a link, a button) and fails loudly otherwise, so the demo doubles as a
smoke test of the whole workflow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.db import letters as letters_repo
from bot.demo.session import START, DemoError, DemoSession, Person, days

SAMPLE_LETTER = Path(__file__).with_name("sample_letter.md")
TITLE = "HRC61: renew the Belarus mandates"
DEADLINE = "13.02.2026 18:00"
REVISION_ADDED = (
    "4. call on the authorities of Belarus to give independent monitors, including the "
    "International Committee of the Red Cross, access to all places of detention."
)


@dataclass(frozen=True)
class Member:
    key: str
    user_id: int
    first_name: str
    organisation: str
    label: str


# Fictional organisations: the names are invented for the demo.
MEMBERS = [
    Member("member1", 2001, "Anna", "Legal Initiative for Belarus", "Anna, director"),
    Member("member2", 2002, "Maksim", "Belarusian Prisoners' Aid Network", "Maksim, board"),
    Member("member3", 2003, "Iryna", "Free Media Belarus", "Iryna, editor"),
    Member("member4", 2004, "Pavel", "Human Rights Watchdog «Pravo»", "Pavel, lawyer"),
    Member("member5", 2005, "Volha", "Égalité Belarus", "Volha, advocacy"),
    Member("member6", 2006, "Siarhei", "Minsk Helsinki Group in Exile", "Siarhei"),
]


async def set_up_people(demo: DemoSession, *, narrate: bool = True) -> list[Person]:
    """The coordinator adds six organisations and invites one contact each; they join."""
    coordinator = demo.people["coordinator"]
    t = demo.transcript
    if narrate:
        t.heading("1. The coordinator starts the bot")
        t.note("Olena's Telegram id is in COORDINATOR_IDS, so the bot knows her as a coordinator.")
    await demo.say(coordinator, "/start")

    if narrate:
        t.heading("2. Six organisations, each named exactly as it will be listed")
    for member in MEMBERS:
        await demo.say(coordinator, f"/addorg {member.organisation}")

    if narrate:
        t.heading("3. One single-use invitation per contact; each contact joins with the link")
        t.note(
            "Olena sends each link to the right person over a channel she trusts (in person, "
            "Signal …). Tapping the link opens the bot with /start <token>."
        )
    people = []
    for number, member in enumerate(MEMBERS, start=1):
        [answer, *_] = await demo.say(coordinator, f"/invite {number} {member.label}")
        token = demo.invite_token(answer)
        person = demo.add_person(
            member.key, member.user_id, member.first_name, organisation=member.organisation
        )
        await demo.say(person, f"/start {token}")
        people.append(person)
    return people


async def play(demo: DemoSession) -> None:
    """The whole scripted session, printed as it happens."""
    t = demo.transcript
    coordinator = demo.people["coordinator"]
    anna, maksim, iryna, pavel, _volha, _siarhei = await set_up_people(demo)

    t.heading("4. A new letter: title, deadline, then the text as a file")
    t.note("Deadlines are read in Geneva time (TIMEZONE=Europe/Zurich) unless a zone is named.")
    await demo.say(coordinator, "/newletter")
    await demo.say(coordinator, TITLE)
    await demo.say(coordinator, DEADLINE)
    await demo.send_file(coordinator, SAMPLE_LETTER.name, SAMPLE_LETTER.read_bytes())

    t.heading("5. Circulating it to every organisation")
    t.note(
        "Each contact gets a short summary with buttons and the full text, both protected "
        "(no forwarding, no saving). The outbox sends them at Telegram's pace."
    )
    await demo.say(coordinator, "/circulate 1 all")

    t.heading("6. Anna signs, listed by name")
    await sign(demo, anna, "Listed by name")

    t.heading("7. Maksim signs, but his organisation cannot be named")
    await sign(demo, maksim, "Counted, not named")

    t.heading("8. Iryna declines, with a reason")
    await demo.press(iryna, "Decline")
    await demo.say(
        iryna, "Our board decided not to sign joint letters to states during the relocation."
    )

    t.heading("9. Pavel comments; Olena answers him through the bot")
    await demo.press(pavel, "💬 Comment")
    await demo.say(
        pavel,
        "Could we also ask for independent monitors (the ICRC) to get access to places of "
        "detention? Several of our clients have had no visits for a year.",
    )
    await demo.press(coordinator, "↩️ Reply")
    await demo.say(coordinator, "Good point, Pavel: I will add it as a fourth request.")

    t.heading("10. A material revision: signatures must be confirmed again")
    t.note(
        "Olena adds Pavel's request. A material change moves Anna's and Maksim's signatures "
        "to 'needs reconfirmation'; everyone sees what changed."
    )
    revised = SAMPLE_LETTER.read_text(encoding="utf-8").replace(
        "in your statements during the interactive dialogue.",
        "in your statements during the interactive dialogue;\n" + REVISION_ADDED,
    )
    if revised == SAMPLE_LETTER.read_text(encoding="utf-8"):
        raise DemoError("the revision did not change the sample letter")
    await demo.say(coordinator, "/revise 1")
    shown = f"(pastes the revised text: {len(revised.split())} words, with a fourth request)"
    await demo.say(coordinator, revised, shown=shown)
    await demo.press(coordinator, "Done")
    await demo.press(coordinator, "Material: ask to sign again")

    t.heading("11. Anna and Maksim confirm on the new version; Pavel signs")
    await sign(demo, anna, "Listed by name")
    await sign(demo, maksim, "Counted, not named")
    t.note("Pavel first taps Sign on the old version's message: the bot refuses it.")
    await demo.press(pavel, "✍️ Sign", message=demo.find_button(pavel, "✍️ Sign")[0])
    await sign(demo, pavel, "Listed by name")

    t.heading("12. Where things stand")
    await demo.say(coordinator, "/status 1")

    await reminders_and_close(demo)
    await publish_and_collect(demo)


async def sign(demo: DemoSession, who: Person, listing: str) -> None:
    """Sign → how to be listed → Confirm, on the newest message with a Sign button."""
    await demo.press(who, "✍️ Sign again", "✍️ Sign")
    await demo.press(who, listing)
    await demo.press(who, "✅ Confirm")


async def reminders_and_close(demo: DemoSession) -> None:
    """Time passes: full texts leave members' chats, reminders, a late signature, the
    deadline and the letter closing by itself."""
    t = demo.transcript
    siarhei = demo.people["member6"]

    t.heading("13. The next morning")
    t.note(
        "Full texts are deleted from members' chats after DRAFT_TTL (24 hours); the summary "
        "stays, and its Full text button sends the text again. Coordinators get a digest of "
        "what happened since yesterday."
    )
    await _to(demo, START + timedelta(days=1, minutes=30))  # 09:30 in Geneva

    t.heading("14. Days pass: reminders go to organisations that have not answered")
    t.note(
        "Reminders go 7 days, 3 days, 1 day and 3 hours before the deadline "
        "(REMINDER_OFFSETS), only to organisations that still owe an answer, outside "
        "the contact's quiet hours. They name no letter: they show on a lock screen."
    )
    await _to_before_deadline(demo, days(7))
    await _to_before_deadline(demo, days(3))
    t.note("Siarhei answers after the reminder; Volha stays silent.")
    await sign(demo, siarhei, "Listed by name")
    await _to_before_deadline(demo, days(1))
    await _to_before_deadline(demo, timedelta(hours=3))

    t.heading("15. The deadline passes: the letter closes by itself")
    t.note("Coordinators get the final tally with the export attached.")
    await _to_before_deadline(demo, timedelta(minutes=-1))


async def publish_and_collect(demo: DemoSession) -> None:
    """Issue 17: list 1 published with its PDF, more signatories collected afterwards (one
    of them an answer that came by e-mail), and list 2 with what changed."""
    t = demo.transcript
    coordinator = demo.people["coordinator"]
    volha = demo.people["member5"]

    t.heading("16. Publishing list 1")
    t.note(
        "The closed letter's signatories are frozen as list 1: numbered, dated, with the final "
        "text. Olena gets the PDF, .docx, .md and CSV; every member is told, with the PDF "
        "(protected). With a second coordinator this would wait for their approval."
    )
    await demo.say(coordinator, "/publish 1")

    t.heading("17. Collecting additional signatories for the same text")
    t.note(
        "Organisations that have not signed get a neutral invitation (nothing on a lock "
        "screen). The text is final now: /revise and /translate are refused."
    )
    await demo.say(coordinator, "/collect 1 20.02.2026 18:00")
    await sign(demo, volha, "Listed by name")

    t.heading("18. Free Media Belarus changes its mind by e-mail")
    t.note(
        "Olena records the answer for the organisation, with the road it came by and a note; "
        "Iryna is told, with buttons to answer herself."
    )
    await demo.say(coordinator, "/record 1 3 signed named via email Board decision of 16 February")

    t.heading("19. List 2, with what changed since list 1")
    await demo.say(coordinator, "/publish 1")


async def _to(demo: DemoSession, moment: datetime) -> None:
    if moment > demo.clock.now():
        demo.clock.set(moment)
    demo.transcript.clock(f"{demo.when()}  (Geneva time)")
    await demo.run_due()


async def _to_before_deadline(demo: DemoSession, before: timedelta) -> None:
    """Moves the clock to ``before`` the letter's deadline and lets due work happen."""
    await _to(demo, await _deadline(demo) - before)


async def _deadline(demo: DemoSession) -> datetime:
    letter = await letters_repo.get(demo.db, 1)
    if letter is None:
        raise DemoError("there is no letter #1")
    return letter.deadline

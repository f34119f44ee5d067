"""``coalition-bot demo --interactive``: the demo's people, typed by you.

The set-up is the scripted demo's first steps (six organisations, a contact each, a draft
letter); then every line you type is sent to the bot as the current person, except the
demo's own commands below. Bot messages are printed as they arrive, with their number
(``#12``) and numbered buttons.
"""

from __future__ import annotations

import asyncio
import shlex
from pathlib import Path

from bot.demo import script
from bot.demo.session import DemoError, DemoSession, Person
from bot.demo.transcript import Transcript
from bot.fake_telegram.console import _start_stdin_reader  # one stdin pump for both consoles
from bot.fake_telegram.models import FakeTelegramError

HELP = """\
Type as the current person: plain text and the bot's own commands (/help, /status 1 …)
go to the bot. The demo's commands:
  /as WHO            act as someone else: coordinator, member1 … member6, stranger,
                     or a first name (/people lists them)
  /press N [#MSG]    press button N of the newest message with buttons (or of message #MSG);
                     /press Sign presses a button by its text
  /reply TEXT        reply (Telegram's reply) to the newest bot message with TEXT
  /file PATH         send a file (a .md, .txt or .docx letter; a picture goes as a
                     photo) as the current person
  /block, /unblock   the current person blocks the bot (as a seized phone might) or
                     unblocks it again
  /advance 2d        move the clock forward (d, h, m) and let the bot do what became due
  /chat [N]          show the last N messages of the current person's chat in full (5)
  /people            who is who;  /clock  the demo's date and time
  ?                  this help;  /quit  leave (Ctrl-D works too)"""
DEMO_COMMANDS = ("/as", "/press", "/reply", "/file", "/advance", "/chat", "/people", "/clock",
                 "/block", "/unblock", "/quit", "/exit")  # fmt: skip


async def run_interactive(folder: Path, transcript: Transcript) -> None:
    transcript.numbered = True
    async with DemoSession(folder, transcript) as demo:
        await set_up(demo)
        console = Console(demo)
        try:
            await console.loop()
        finally:
            from bot.demo import save_exports

            save_exports(demo, folder / "export")


async def set_up(demo: DemoSession) -> None:
    t = demo.transcript
    t.heading("Setting up: six organisations, their contacts and a draft letter")
    await script.set_up_people(demo, narrate=False)
    demo.add_person("stranger", 9001, "Stranger")
    coordinator = demo.people["coordinator"]
    heading = f"/newletter {script.TITLE}\n{script.DEADLINE}\n"
    text = script.SAMPLE_LETTER.read_text(encoding="utf-8")
    await demo.say(coordinator, heading + text, shown=heading + "(the sample letter's text)")
    t.heading("Your turn")
    t.note(
        "Letter #1 is a draft. Try, as the coordinator: /preview 1, /circulate 1 all; then "
        "/as member1 and /press 1 to sign; /as coordinator and /status 1; /advance 3d. "
        "Type ? for the demo's commands."
    )


class Console:
    def __init__(self, demo: DemoSession) -> None:
        self.demo = demo
        self.current: Person = demo.people["coordinator"]

    def prompt(self) -> None:
        print(f"\n{self.current.name} ▸ ", end="", flush=True)

    async def loop(self) -> None:
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        _start_stdin_reader(asyncio.get_running_loop(), lines)
        print(HELP, flush=True)
        self.prompt()
        while True:
            line = await lines.get()
            if line is None:
                print(flush=True)
                return
            try:
                if not await self.handle(line.strip()):
                    return
            except (DemoError, FakeTelegramError, ValueError) as error:
                print(f"! {error}", flush=True)
            self.prompt()

    async def handle(self, line: str) -> bool:
        """Runs one line; False ends the session."""
        if not line:
            return True
        if line == "?":
            print(HELP, flush=True)
            return True
        head, _, rest = line.partition(" ")
        if head.lower() not in DEMO_COMMANDS:
            await self.demo.say(self.current, line)
            return True
        command = head.lower()
        rest = rest.strip()
        if command in ("/quit", "/exit"):
            return False
        if command == "/as":
            self.switch(rest)
        elif command == "/people":
            self.people()
        elif command == "/clock":
            print(f"It is {self.demo.when()} in Geneva.", flush=True)
        elif command == "/press":
            await self.press(rest)
        elif command == "/reply":
            await self.reply(rest)
        elif command == "/file":
            await self.send_file(rest)
        elif command == "/advance":
            await self.advance(rest)
        elif command == "/chat":
            self.chat(rest)
        elif command in ("/block", "/unblock"):
            await self.block(command == "/block")
        return True

    def switch(self, who: str) -> None:
        if not who:
            raise ValueError("/as whom? e.g. /as member1 (see /people)")
        try:
            self.current = self.demo.person(who)
        except KeyError:
            raise ValueError(f"nobody called {who!r} (see /people)") from None
        print(f"You are now {self.current.name}.", flush=True)

    def people(self) -> None:
        for person in self.demo.people.values():
            print(f"  {person.key:<12} {person.name}", flush=True)

    async def press(self, rest: str) -> None:
        args = shlex.split(rest) if rest else []
        if not args:
            raise ValueError("/press N (the button's number) or /press TEXT")
        target = next((a for a in args if a.startswith("#")), None)
        label = " ".join(a for a in args if not a.startswith("#"))
        chat = self.current.user
        if target is not None:
            message = chat.find(int(target.lstrip("#"))) if target[1:].isdigit() else None
            if message is None or not message.from_bot:
                raise ValueError(f"no bot message {target} in {self.current.name}'s chat")
        else:
            with_buttons = [m for m in chat.messages if m.from_bot and m.buttons]
            if not with_buttons:
                raise ValueError(f"{self.current.name} has no message with buttons")
            message = with_buttons[-1]
        texts = message.button_texts
        if label.isdigit():
            index = int(label) - 1
            if not 0 <= index < len(texts):
                raise ValueError(f"message #{message.message_id} has buttons 1–{len(texts)}")
            button = texts[index]
        else:
            matches = [t for t in texts if label.lower() in t.lower()]
            if not matches:
                raise ValueError(f"message #{message.message_id} has no button like {label!r}")
            button = matches[0]
        await self.demo.press(self.current, button, message=message)

    async def reply(self, text: str) -> None:
        if not text:
            raise ValueError("/reply TEXT")
        messages = [m for m in self.current.user.messages if m.from_bot]
        if not messages:
            raise ValueError(f"the bot has not written to {self.current.name} yet")
        await self.demo.reply_to(self.current, messages[-1], text)

    async def send_file(self, path_text: str) -> None:
        path = Path(path_text).expanduser()  # noqa: ASYNC240 - a local file, read at once
        try:
            content = path.read_bytes()
        except OSError as error:
            raise ValueError(f"cannot read {path}: {error.strerror}") from None
        await self.demo.send_file(self.current, path.name, content)

    async def advance(self, amount: str) -> None:
        from bot.services.deadlines import DurationError, parse_duration

        try:
            delta = parse_duration(amount)
        except DurationError:
            raise ValueError(
                f"/advance takes a duration like 2d, 3h, 90m, 1d12h: {amount!r}"
            ) from None
        self.demo.clock.advance(delta)
        self.demo.transcript.clock(f"{self.demo.when()}  (Geneva time)")
        await self.demo.run_due()

    async def block(self, blocked: bool) -> None:
        verb = "blocks" if blocked else "unblocks"
        self.demo.transcript.note(f"{self.current.name} {verb} the bot.")
        if blocked:
            self.current.user.block()
        else:
            self.current.user.unblock()
        await self.demo.settle()

    def chat(self, count_text: str) -> None:
        count = int(count_text) if count_text.isdigit() else 5
        for message in self.current.user.messages[-count:]:
            self.demo.transcript.show(message)

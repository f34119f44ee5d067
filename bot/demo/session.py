"""The demo's stage: the fake Telegram server, the real bot, a fake clock and the people.

Everything runs in one event loop, offline: the strict fake Bot API server on 127.0.0.1
(Telegram's limits on), the real ``Application`` polling it exactly like production
(``start_in_process``), a temporary SQLite database and a ``FakeClock`` that only moves
when the demo says so. People act through the fake's user driver; every action and every
bot message is printed by the ``Transcript``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.app import build_application, start_in_process, stop_in_process
from bot.clock import FakeClock
from bot.context import BotApplication, services_of
from bot.db import Database
from bot.demo.settle import SETTLE_TIMEOUT, NotSettled, Settler
from bot.demo.transcript import Transcript
from bot.fake_telegram import FakeMessage, FakeTelegramServer, FakeUser
from bot.settings import Settings

TOKEN = "424242424:AAF" + "d3m0x" * 7
BOT_USERNAME = "coalition_demo_bot"
COORDINATOR_ID = 1001
# A Monday morning in Geneva, three weeks before the 61st session of the Council opens.
START = datetime(2026, 2, 2, 8, 0, tzinfo=UTC)
# Fake seconds each action takes: people read and type, and the bot's flood guard counts
# messages per minute of its clock.
THINKING_TIME = timedelta(seconds=20)
LINK = re.compile(rf"https://t\.me/{BOT_USERNAME}\?start=([A-Za-z0-9_-]+)")


class DemoError(Exception):
    """The scripted session did not go as written (a bug in the bot or in the demo)."""


@dataclass
class Person:
    key: str  # what /as takes: coordinator, member1 …
    user: FakeUser
    name: str  # as printed in the transcript
    organisation: str | None = None


class DemoSession:
    """Starts everything in ``folder`` (the database lives there) and drives the people."""

    def __init__(self, folder: Path, transcript: Transcript) -> None:
        self.folder = folder
        self.transcript = transcript
        self.clock = FakeClock(START)
        self.tg = FakeTelegramServer(TOKEN, bot_username=BOT_USERNAME, clock=self.clock.timestamp)
        self.people: dict[str, Person] = {}
        self.errors: list[BaseException] = []
        self._app: BotApplication | None = None
        self._settler: Settler | None = None

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self) -> None:
        await self.tg.start()
        self.settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=SecretStr(TOKEN),
            telegram_api_url=self.tg.base_url,
            telegram_file_url=self.tg.base_file_url,
            database_path=self.folder / "demo.db",
            database_key=None,  # demo data: a plain file, whatever the environment says
            database_key_file=None,
            coordinator_ids=frozenset({COORDINATOR_ID}),
            timezone="Europe/Zurich",
            log_level="WARNING",
            webhook_url=None,
        )
        app = build_application(self.settings, clock=self.clock)

        async def record(update: object, context: Any) -> None:
            if context.error is not None:
                self.errors.append(context.error)

        app.add_error_handler(record)
        self.tg.add_listener(self.transcript.on_message)
        self.add_person("coordinator", COORDINATOR_ID, "Olena", username="olena_coord")
        self._settler = Settler(app, self.tg, self.clock)
        await start_in_process(app, poll_timeout=1)
        self._app = app
        self._settler.take_over_time()  # the demo's clock moves only when the demo says so

    async def stop(self) -> None:
        try:
            if self._app is not None:
                await stop_in_process(self._app)
                self._app = None
        finally:
            await self.tg.stop()

    async def __aenter__(self) -> DemoSession:
        try:
            await self.start()
        except BaseException:
            await self.stop()
            raise
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def app(self) -> BotApplication:
        assert self._app is not None, "the demo is not running"
        return self._app

    @property
    def db(self) -> Database:
        return services_of(self.app).database

    # -- people -----------------------------------------------------------------------------
    def add_person(
        self,
        key: str,
        user_id: int,
        first_name: str,
        *,
        organisation: str | None = None,
        username: str | None = None,
        language_code: str = "en",
    ) -> Person:
        user = self.tg.add_user(user_id, first_name, username=username, language_code=language_code)
        name = first_name if organisation is None else f"{first_name} ({organisation})"
        if key == "coordinator":
            name = f"{first_name} (coordinator)"
        person = Person(key, user, name, organisation)
        self.people[key] = person
        self.transcript.names[user_id] = name
        if organisation is not None:
            self.transcript.organisations[user_id] = organisation
        return person

    def person(self, key: str) -> Person:
        wanted = key.strip().lower()
        for person in self.people.values():
            if wanted in (person.key, person.user.first_name.lower(), str(person.user.id)):
                return person
        raise KeyError(key)

    # -- acting -----------------------------------------------------------------------------
    async def say(self, who: Person, text: str, *, shown: str | None = None) -> list[FakeMessage]:
        """``who`` sends ``text`` (printed as ``shown`` if given); returns what the bot sent
        them until things settled."""
        before = len(who.user.bot_messages)
        self.clock.advance(THINKING_TIME)
        self.transcript.user_says(who.user.id, shown if shown is not None else text)
        await who.user.send(text)
        await self.settle()
        return who.user.bot_messages[before:]

    async def send_file(
        self, who: Person, name: str, content: bytes, caption: str | None = None
    ) -> None:
        self.clock.advance(THINKING_TIME)
        self.transcript.user_says(who.user.id, caption or "", attachment=name)
        await who.user.send_file(name, content, caption=caption)  # a picture as a photo
        await self.settle()

    async def reply_to(self, who: Person, message: FakeMessage, text: str) -> None:
        """A Telegram reply (swipe left on a message) to one of the bot's messages."""
        quoted = (message.text or message.caption or "").split("\n", 1)[0][:50]
        self.clock.advance(THINKING_TIME)
        self.transcript.note(f"{who.name} replies to the bot's message “{quoted}…”:")
        self.transcript.user_says(who.user.id, text)
        await who.user.reply(message, text)
        await self.settle()

    def find_button(self, who: Person, *buttons: str) -> tuple[FakeMessage, str]:
        """The newest message in ``who``'s chat that shows one of ``buttons``, and which."""
        for message in reversed(who.user.messages):
            for button in buttons:
                if message.from_bot and button in message.button_texts:
                    return message, button
        raise DemoError(f"{who.name} has no message with a [ {' / '.join(buttons)} ] button")

    async def press(self, who: Person, *buttons: str, message: FakeMessage | None = None) -> None:
        """Presses the first of ``buttons`` found on the newest message showing one."""
        if message is None:
            message, button = self.find_button(who, *buttons)
        else:
            button = buttons[0]
        self.clock.advance(THINKING_TIME)
        self.transcript.user_presses(who.user.id, button)
        await who.user.press(message, button)
        await self.settle()

    def last_text(self, who: Person) -> str:
        messages = [m for m in who.user.messages if m.from_bot]
        return (messages[-1].text or messages[-1].caption or "") if messages else ""

    def invite_token(self, message: FakeMessage) -> str:
        match = LINK.search(message.text or "")
        if match is None:
            raise DemoError(f"no invitation link in: {message.text!r}")
        return match.group(1)

    # -- waiting and time -------------------------------------------------------------------
    async def settle(self, timeout: float = SETTLE_TIMEOUT) -> None:
        """Waits until the bot handled every update and the outbox sent what is due now
        (``bot.demo.settle``).

        The outbox paces each chat to about one message a second, like Telegram wants, so a
        broadcast keeps going after the update that caused it was handled.
        """
        assert self._settler is not None, "the demo is not running"
        try:
            await self._settler.settle(timeout)
        except NotSettled as error:
            raise DemoError(str(error)) from None
        self.transcript.flush()
        if self.errors:
            raise DemoError(f"the bot failed: {self.errors[0]!r}") from self.errors[0]

    async def advance(self, delta: timedelta) -> None:
        """Moves the clock and lets the bot do what became due (reminders, closing …)."""
        self.clock.advance(delta)
        await self.run_due()

    async def run_due(self) -> None:
        # The bot looks at the clock on its own schedule (seconds apart in real time); the
        # demo compresses days into seconds, so it asks the jobs to look right now.
        assert self._settler is not None, "the demo is not running"
        await self._settler.run_due()
        await self.settle()

    def when(self) -> str:
        local = self.clock.now().astimezone(self.settings.zone)
        return local.strftime("%a %d %b %Y, %H:%M %Z")


def days(n: float) -> timedelta:
    return timedelta(days=n)

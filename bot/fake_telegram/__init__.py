"""A strict fake Telegram Bot API server plus a driver acting as Telegram users.

Typical use in a test::

    async with FakeTelegramServer() as server:
        alice = server.add_user(111, "Alice")
        app = (
            Application.builder().token(server.token)
            .base_url(server.base_url).base_file_url(server.base_file_url).build()
        )
        ...  # start polling
        await alice.send("/start")
        [welcome] = await alice.next_messages()
        await alice.press(welcome, "Sign")

The server rejects what Telegram rejects (HTML entities, lengths, callback_data bytes, chat
access, flood limits, deletion window), so production bugs surface in tests.
"""

from .driver import FakeGroup, FakeUser, split_like_client
from .faults import Fault, Faults
from .html_check import EntityParseError, ParsedText, parse_html, utf16_len
from .models import FakeMessage, FakeTelegramError, Limits, Rejection, RequestRecord, Upload
from .server import DEFAULT_TOKEN, FakeTelegramServer

__all__ = [
    "DEFAULT_TOKEN",
    "EntityParseError",
    "FakeGroup",
    "FakeMessage",
    "FakeTelegramError",
    "FakeTelegramServer",
    "FakeUser",
    "Fault",
    "Faults",
    "Limits",
    "ParsedText",
    "Rejection",
    "RequestRecord",
    "Upload",
    "parse_html",
    "split_like_client",
    "utf16_len",
]

"""The user side of the fake: people and groups that talk to the bot.

Every action queues the Update Telegram would produce; the bot fetches it via getUpdates or
receives it on its webhook. What the bot sends back is visible per chat.
"""

from __future__ import annotations

import asyncio
import mimetypes
import time
from typing import TYPE_CHECKING, Any

from .html_check import detect_user_entities, utf16_len
from .media import photo_sizes, sniff_image
from .models import Chat, FakeMessage, FakeTelegramError

if TYPE_CHECKING:
    from .server import FakeTelegramServer

__all__ = ["FakeGroup", "FakeUser", "split_like_client"]


def _break_level(text: str, i: int) -> int:
    """How good a place ``text[i]`` is to cut a long message before (Telegram Desktop's
    ranking, entities aside): a paragraph break, a line break, a space after a sentence,
    after a clause, any space, after punctuation, anywhere."""
    ch, before = text[i], text[i - 1]
    if ch == "\n":
        return 15 if text[i + 1 : i + 2] == "\n" else 13
    if ch.isspace():
        if before in ".?!":
            return 10
        return 8 if before in ",:;" else 6
    return 4 if not before.isalnum() else 2


def split_like_client(text: str, limit: int = 4096) -> list[str]:
    """``text`` cut into messages the way a Telegram app sends a long paste.

    The app trims the text, then cuts each part at the best break in the second half of
    the limit (the latest of the best kind: see ``_break_level``); the whitespace at a cut
    is dropped. Lengths count UTF-16 code units, like Telegram's limit.
    """
    parts: list[str] = []
    left = text.strip()
    while utf16_len(left) > limit:
        half, good, level, offset = limit // 2, 0, 0, 0
        for i, ch in enumerate(left):
            if offset > limit:  # a surrogate pair stepped over the limit
                break
            if offset > half:
                new = _break_level(left, i)
                if new >= level:
                    good, level = i, new
            if offset >= limit:
                break
            offset += 2 if ord(ch) > 0xFFFF else 1
        parts.append(left[:good].rstrip())
        left = left[good:].lstrip()
    if left:
        parts.append(left)
    return parts


class FakeUser(Chat):
    """A Telegram user and their private chat with the bot."""

    chat_type = "private"

    def __init__(
        self,
        server: FakeTelegramServer,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> None:
        super().__init__(server)
        self.id = self.chat_id = user_id
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.started = False
        self.blocked = False
        self.callback_answers: list[dict[str, Any]] = []
        self._read = 0  # index into the bot's messages in send order

    def __repr__(self) -> str:
        return f"FakeUser({self.id}, {self.first_name!r})"

    # -- Telegram JSON --------------------------------------------------------------------
    def user_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data

    # -- sending ---------------------------------------------------------------------------
    def _before_send(self) -> None:
        if self.blocked:
            raise FakeTelegramError(
                f"{self!r} has blocked the bot and cannot write to it; call unblock() first"
            )
        self.started = True

    async def _send_message(
        self, fields: dict[str, Any], *, update: str = "message"
    ) -> FakeMessage:
        self._before_send()
        message = self._server._new_user_message(self, self, fields)
        self._server._enqueue(update, message.to_api())
        return message

    async def send(self, text: str) -> FakeMessage:
        """A private text message; commands, mentions and URLs get their entities."""
        return await self._send_message({"text": text})

    async def paste(self, text: str, *, reply_to: FakeMessage | None = None) -> list[FakeMessage]:
        """Send ``text`` as a Telegram app does: trimmed, and a text over the length limit
        as several messages (``split_like_client``); with ``reply_to`` the first one is a
        reply to that message."""
        parts = split_like_client(text, self._server.limits.max_text)
        if not parts:
            raise FakeTelegramError("nothing to send: Telegram apps do not send empty messages")
        if reply_to is not None:
            messages = [await self.reply(reply_to, parts[0])]
        else:
            messages = [await self.send(parts[0])]
        for part in parts[1:]:
            messages.append(await self.send(part))
        return messages

    async def send_document(
        self,
        file_name: str,
        content: bytes,
        mime_type: str | None = None,
        caption: str | None = None,
        *,
        declared_size: int | None = None,
    ) -> FakeMessage:
        """A document; ``declared_size`` overrides the size Telegram reports (a 50 MB file
        without 50 MB of test data: getFile still serves the real bytes)."""
        if mime_type is None:
            mime_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        stored = self._server._register_file(content, file_name, mime_type, "documents")
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": stored.size if declared_size is None else declared_size,
        }
        fields: dict[str, Any] = {"document": document}
        if caption is not None:
            fields["caption"] = caption
        return await self._send_message(fields)

    async def send_photo(self, content: bytes, caption: str | None = None) -> FakeMessage:
        """A picture sent as a photo: Telegram keeps it as JPEG in several sizes (the
        message's PhotoSize array, smallest first), each its own file."""
        try:
            sizes = photo_sizes(content)
        except ValueError as error:
            raise FakeTelegramError(f"cannot send this as a photo: {error}") from None
        photo = []
        for data, width, height in sizes:
            stored = self._server._register_file(data, None, "image/jpeg", "photos")
            photo.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": stored.size,
                }
            )
        fields: dict[str, Any] = {"photo": photo}
        if caption is not None:
            fields["caption"] = caption
        return await self._send_message(fields)

    async def send_file(
        self, file_name: str, content: bytes, caption: str | None = None
    ) -> FakeMessage:
        """A file picked in a Telegram app: a picture goes as a photo, anything else as a
        document. The app refuses a caption over Telegram's limit and an empty file."""
        if not content:
            raise FakeTelegramError(f"{file_name} is empty: Telegram does not send empty files")
        if caption is not None and utf16_len(caption) > self._server.limits.max_caption:
            raise FakeTelegramError(
                f"a caption holds at most {self._server.limits.max_caption} characters"
            )
        if sniff_image(content) is not None:
            return await self.send_photo(content, caption)
        return await self.send_document(file_name, content, caption=caption)

    async def send_sticker(self, emoji: str = "👍") -> FakeMessage:
        sticker = {
            "file_id": "CAACAgIAAxkBAAE" + str(self._server._next_counter()),
            "file_unique_id": "AgADsticker" + str(self._server._next_counter()),
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
            "emoji": emoji,
        }
        return await self._send_message({"sticker": sticker})

    async def send_location(self, latitude: float, longitude: float) -> FakeMessage:
        return await self._send_message(
            {"location": {"latitude": latitude, "longitude": longitude}}
        )

    async def send_raw(self, fields: dict[str, Any]) -> FakeMessage:
        """A message with arbitrary extra fields merged in (for odd update shapes)."""
        return await self._send_message(dict(fields))

    async def reply(self, to: FakeMessage, text: str) -> FakeMessage:
        """A reply to a message of this chat (reply_to_message carries the full message)."""
        target = self._check_live(to)
        return await self._send_message({"text": text, "_reply_to": target})

    async def edit(self, message: FakeMessage, new_text: str) -> FakeMessage:
        """Edit one of the user's own messages (edited_message update)."""
        target = self._check_live(message)
        if target.from_bot or (target.sender or {}).get("id") != self.id:
            raise FakeTelegramError("a user can only edit their own messages")
        self._before_send()
        target.text = new_text
        target.entities = detect_user_entities(new_text)
        target.edit_date = int(self._server.clock())
        self._server._enqueue("edited_message", target.to_api())
        return target

    # -- buttons ---------------------------------------------------------------------------
    async def press(self, message: FakeMessage, button: str) -> str:
        """Press an inline button (by visible text or callback_data) the bot really sent."""
        return await self._server._press(self, self, message, button)

    async def forge_callback(self, data: str, message: FakeMessage | None = None) -> str:
        """A callback query with arbitrary data, as a modified client could send it."""
        self._before_send()
        return self._server._forge_callback(self, self, data, message)

    # -- blocking --------------------------------------------------------------------------
    def block(self) -> None:
        if self.blocked:
            return
        self.blocked = True
        self._server._queue_my_chat_member(self, self, "member", "kicked")

    def unblock(self) -> None:
        if not self.blocked:
            return
        self.blocked = False
        self._server._queue_my_chat_member(self, self, "kicked", "member")

    # -- reading what the bot sent ------------------------------------------------------------
    def _sent_by_bot(self) -> list[FakeMessage]:
        return [m for m in self._all if m.from_bot]

    @property
    def unread(self) -> list[FakeMessage]:
        return self._sent_by_bot()[self._read :]

    async def next_messages(self, count: int = 1, timeout: float = 5.0) -> list[FakeMessage]:
        """The next ``count`` bot messages not read yet, in send order (deleted ones included,
        with ``deleted=True``); waits up to ``timeout`` seconds for them."""
        deadline = time.monotonic() + timeout
        while True:
            event = self._server._message_event()
            unread = self.unread
            if len(unread) >= count:
                self._read += count
                return unread[:count]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(self._describe_wait(count, unread, timeout))
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue

    def _describe_wait(self, count: int, unread: list[FakeMessage], timeout: float) -> str:
        lines = [
            f"{self!r} expected {count} new bot message(s) within {timeout}s, got {len(unread)}"
        ]
        lines += [f"  arrived: {m}" for m in unread]
        rejected = [
            r for r in self._server.rejections if str(r.params.get("chat_id")) == str(self.id)
        ]
        lines += [f"  rejected: {r.method} {r.error_code} {r.description}" for r in rejected[-5:]]
        return "\n".join(lines)

    async def expect_no_message(self, within: float = 0.3) -> None:
        """Fail if the bot sent anything unread, now or within ``within`` seconds."""
        deadline = time.monotonic() + within
        while True:
            event = self._server._message_event()
            if self.unread:
                raise AssertionError(
                    f"{self!r} expected no bot message, got: "
                    + "; ".join(str(m) for m in self.unread)
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                continue

    def mark_all_read(self) -> None:
        self._read = len(self._sent_by_bot())


class FakeGroup(Chat):
    """A group, supergroup or channel the bot can be added to."""

    def __init__(
        self, server: FakeTelegramServer, chat_id: int, title: str, *, type: str = "group"
    ) -> None:
        if chat_id >= 0:
            raise FakeTelegramError("group and channel ids are negative")
        if type not in ("group", "supergroup", "channel"):
            raise FakeTelegramError(f"unknown chat type {type!r}")
        super().__init__(server)
        self.id = self.chat_id = chat_id
        self.title = title
        self.chat_type = type
        self.bot_is_member = False

    def __repr__(self) -> str:
        return f"FakeGroup({self.id}, {self.title!r}, {self.chat_type})"

    def chat_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.chat_type, "title": self.title}

    async def add_bot(self, by: FakeUser) -> None:
        if self.bot_is_member:
            raise FakeTelegramError(f"the bot is already in {self!r}")
        self.bot_is_member = True
        new_status = "administrator" if self.chat_type == "channel" else "member"
        self._server._queue_my_chat_member(self, by, "left", new_status)
        if self.chat_type != "channel":
            message = self._server._new_user_message(
                self, by, {"new_chat_members": [self._server._bot_user_json()]}
            )
            self._server._enqueue("message", message.to_api())

    async def remove_bot(self, by: FakeUser) -> None:
        """A member removes the bot (my_chat_member: kicked)."""
        if not self.bot_is_member:
            raise FakeTelegramError(f"the bot is not in {self!r}")
        self.bot_is_member = False
        old = "administrator" if self.chat_type == "channel" else "member"
        self._server._queue_my_chat_member(self, by, old, "kicked")

    async def send(self, user: FakeUser, text: str) -> FakeMessage:
        """A member writes in the group. With privacy mode on (Telegram's default for bots) the
        bot only receives commands, mentions of it and replies to its messages."""
        if self.chat_type == "channel":
            raise FakeTelegramError("use post() for channels")
        return await self._group_message(user, {"text": text})

    async def reply(self, user: FakeUser, to: FakeMessage, text: str) -> FakeMessage:
        target = self._check_live(to)
        return await self._group_message(user, {"text": text, "_reply_to": target})

    async def _group_message(self, user: FakeUser, fields: dict[str, Any]) -> FakeMessage:
        message = self._server._new_user_message(self, user, fields)
        if self.bot_is_member and self._server._bot_sees(message):
            self._server._enqueue("message", message.to_api())
        return message

    async def post(self, text: str) -> FakeMessage:
        """A channel post (channel_post update if the bot is an administrator there)."""
        if self.chat_type != "channel":
            raise FakeTelegramError("post() is for channels; use send() in groups")
        message = self._server._new_user_message(self, None, {"text": text})
        if self.bot_is_member:
            self._server._enqueue("channel_post", message.to_api())
        return message

    async def press(self, user: FakeUser, message: FakeMessage, button: str) -> str:
        return await self._server._press(user, self, message, button)

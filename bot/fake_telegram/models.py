"""Data types shared by the fake server and its user-side driver."""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from .server import FakeTelegramServer

__all__ = [
    "ApiError",
    "Chat",
    "FakeMessage",
    "FakeTelegramError",
    "Limits",
    "Rejection",
    "RequestRecord",
]


class FakeTelegramError(Exception):
    """Misuse of the driver, e.g. pressing a button the bot never sent."""


class ApiError(Exception):
    """An error answer of the Bot API (``ok: false``)."""

    def __init__(
        self,
        code: int,
        description: str,
        retry_after: int | None = None,
        *,
        injected: bool = False,
    ) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.injected = injected  # a test's fault, not a refusal of the bot's request


@dataclass
class Limits:
    """Telegram's limits; every field is configurable so tests can hit the boundaries cheaply."""

    global_per_second: int = 30
    per_chat_per_second: float = 1
    per_chat_burst: int = 3
    group_per_minute: int = 20
    enabled: bool = True
    max_text: int = 4096
    max_caption: int = 1024
    max_callback_data_bytes: int = 64
    max_upload_bytes: int = 50 * 1024 * 1024
    max_photo_bytes: int = 10 * 1024 * 1024
    max_download_bytes: int = 20 * 1024 * 1024
    delete_window_seconds: float = 48 * 3600
    # Seconds (monotonic) after which an unanswered callback query can no longer be answered.
    callback_query_timeout: float = 15.0


class RequestRecord(NamedTuple):
    method: str
    params: dict[str, Any]
    ok: bool
    error_code: int | None
    time: float


class Upload(NamedTuple):
    """A file the bot uploaded (multipart), as it arrived: what Telegram sees of it."""

    field: str  # "photo", "document"
    chat_id: str | None
    file_name: str | None
    mime_type: str | None  # the part's Content-Type
    size: int


class Rejection(NamedTuple):
    method: str
    error_code: int
    description: str
    params: dict[str, Any]


@dataclass(eq=False)
class FakeMessage:
    """One message in a chat, as stored by the fake (mutable: edits and deletion apply in place)."""

    message_id: int
    chat_id: int
    from_bot: bool
    text: str | None = None
    html: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    document: dict[str, Any] | None = None
    photo: list[dict[str, Any]] | None = None
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    protect_content: bool = False
    date: int = 0
    edit_date: int | None = None
    deleted: bool = False
    reply_to_message_id: int | None = None
    # Telegram JSON of the chat and the sender ("from"); None sender for channel posts.
    chat: dict[str, Any] = field(default_factory=dict, repr=False)
    sender: dict[str, Any] | None = field(default=None, repr=False)
    reply_to_message: FakeMessage | None = field(default=None, repr=False)
    # Any other Message fields (sticker, location, new_chat_members, raw test fields ...).
    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    # Exact send time from the server's clock, for the deletion window.
    sent_at: float = field(default=0.0, repr=False)

    @property
    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard rows as (text, callback_data or url) pairs."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or []
        return [
            [(b.get("text", ""), b.get("callback_data", b.get("url"))) for b in row] for row in rows
        ]

    @property
    def button_texts(self) -> list[str]:
        return [text for row in self.buttons for text, _ in row]

    def to_api(self, *, with_reply: bool = True) -> dict[str, Any]:
        """The Telegram JSON Message for this message in its current state."""
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "date": self.date,
            "chat": copy.deepcopy(self.chat),
        }
        if self.sender is not None:
            data["from"] = copy.deepcopy(self.sender)
        else:
            data["sender_chat"] = copy.deepcopy(self.chat)
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = copy.deepcopy(self.entities)
        if self.document is not None:
            data["document"] = dict(self.document)
        if self.photo is not None:
            data["photo"] = [dict(p) for p in self.photo]
        if self.caption is not None:
            data["caption"] = self.caption
            if self.caption_entities:
                data["caption_entities"] = copy.deepcopy(self.caption_entities)
        if self.reply_markup is not None:
            data["reply_markup"] = copy.deepcopy(self.reply_markup)
        if self.protect_content:
            data["has_protected_content"] = True
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if with_reply and self.reply_to_message is not None:
            data["reply_to_message"] = self.reply_to_message.to_api(with_reply=False)
        data.update(copy.deepcopy(self.extra))
        return data

    def __str__(self) -> str:
        who = "bot" if self.from_bot else "user"
        body = self.text if self.text is not None else self.caption or ""
        if self.document is not None:
            body = f"[document {self.document.get('file_name')}] {body}"
        if self.photo is not None:
            body = f"[photo] {body}"
        buttons = " ".join(f"[ {t} ]" for t in self.button_texts)
        gone = " (deleted)" if self.deleted else ""
        return f"#{self.message_id} {who}: {body!r} {buttons}{gone}".rstrip()


class Chat:
    """Message store of one chat; message ids are per chat, shared by both directions."""

    chat_id: int
    chat_type: str

    def __init__(self, server: FakeTelegramServer) -> None:
        self._server = server
        self._all: list[FakeMessage] = []
        self._by_id: dict[int, FakeMessage] = {}
        self._last_message_id = 0

    def chat_json(self) -> dict[str, Any]:
        raise NotImplementedError

    def _next_message_id(self) -> int:
        self._last_message_id += 1
        return self._last_message_id

    def _store(self, message: FakeMessage) -> None:
        self._all.append(message)
        self._by_id[message.message_id] = message

    def find(self, message_id: int) -> FakeMessage | None:
        """The live (not deleted) message with this id, if any."""
        message = self._by_id.get(message_id)
        return None if message is None or message.deleted else message

    @property
    def messages(self) -> list[FakeMessage]:
        """The chat as its members see it now: deleted messages gone, edits applied."""
        return [m for m in self._all if not m.deleted]

    @property
    def bot_messages(self) -> list[FakeMessage]:
        return [m for m in self._all if m.from_bot and not m.deleted]

    def save(self, message: FakeMessage, folder: Path, *, replace: bool = False) -> Path:
        """Download a document (or a photo's largest size) this chat received into
        ``folder``, as its file name, readable by the owner only. A file of that name is
        kept and the new one numbered (``name (2).docx``), unless ``replace``."""
        if message.document is not None:
            file_id = message.document["file_id"]
            name = Path(str(message.document.get("file_name") or "")).name
        elif message.photo:
            file_id = max(message.photo, key=lambda size: size["width"])["file_id"]
            suffix = Path(self._server._files[file_id].file_path).suffix
            name = f"photo-{message.chat_id}-{message.message_id}{suffix}"
        else:
            raise FakeTelegramError(f"message #{message.message_id} has no file")
        if name in ("", ".", ".."):
            name = f"file-{message.chat_id}-{message.message_id}"
        content = self._server.file_content(file_id)
        folder.mkdir(parents=True, exist_ok=True)
        path, n = folder / name, 1
        flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if replace else os.O_EXCL)
        while True:
            try:
                fd = os.open(path, flags, 0o600)
                break
            except FileExistsError:
                n += 1
                path = folder / f"{Path(name).stem} ({n}){Path(name).suffix}"
        with os.fdopen(fd, "wb") as file:
            file.write(content)
        return path

    def _check_live(self, message: FakeMessage) -> FakeMessage:
        if message.chat_id != self.chat_id:
            raise FakeTelegramError(
                f"message #{message.message_id} belongs to chat {message.chat_id}, "
                f"not {self.chat_id}"
            )
        live = self.find(message.message_id)
        if live is None:
            raise FakeTelegramError(f"message #{message.message_id} was deleted")
        return live

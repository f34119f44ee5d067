"""A strict fake of the Telegram Bot API, served over real HTTP with tornado.

It is a test oracle: it rejects what Telegram rejects (entity parsing, limits, flood control,
chat access), so a bug that would fail in production fails in tests too.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import mimetypes
import os
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import httpx
import tornado.web
from tornado.httpserver import HTTPServer
from tornado.httputil import HTTPFile
from tornado.netutil import bind_sockets

from .driver import FakeGroup, FakeUser, _Chat
from .faults import BAD_GATEWAY_PAGE, Fault, Faults
from .html_check import (
    EntityParseError,
    ParsedText,
    detect_user_entities,
    parse_text,
    utf16_len,
)
from .markup import validate_reply_markup
from .media import StoredFile, sniff_image, unique_id_for
from .models import (
    ApiError,
    FakeMessage,
    FakeTelegramError,
    Limits,
    Rejection,
    RequestRecord,
    Upload,
)
from .ratelimit import RateLimiter

__all__ = ["DEFAULT_TOKEN", "FakeTelegramServer"]

_LOGGER = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456:" + "A" * 35

_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
# Updates Telegram does not send unless asked for explicitly in allowed_updates.
_OPT_IN_UPDATES = {"chat_member", "message_reaction", "message_reaction_count"}
_CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
_SCOPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# Form fields kept verbatim; every other string field is JSON-decoded for the request log.
_VERBATIM_FIELDS = {
    "text",
    "caption",
    "parse_mode",
    "callback_query_id",
    "url",
    "secret_token",
    "file_id",
    "document",
    "photo",
    "action",
    "language_code",
    "inline_message_id",
    "ip_address",
    "business_connection_id",
    "message_effect_id",
}

# Lower-case method name -> canonical name; Telegram matches method names case-insensitively.
_METHOD_NAMES = [
    "getMe",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "sendMessage",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "deleteMessage",
    "sendDocument",
    "sendPhoto",
    "getFile",
    "leaveChat",
    "sendChatAction",
    "getChat",
]
_METHODS = {name.lower(): name for name in _METHOD_NAMES}
# Methods subject to flood control.
_RATE_LIMITED = {
    "sendMessage",
    "sendDocument",
    "sendPhoto",
    "editMessageText",
    "editMessageCaption",
    "editMessageReplyMarkup",
}


class _Abandoned(Exception):
    """The client went away while its long poll was held; nothing to answer."""


class _ErrorPage(Exception):
    """An injected HTTP error answered with a page, not JSON (Telegram's front end)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


@dataclass
class _Poll:
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    terminated: str | None = None


@dataclass
class _Callback:
    user: FakeUser
    created: float
    answered: bool = False


class _Params:
    """Request parameters: form/multipart strings (JSON-encoded where not strings) or JSON."""

    def __init__(self, raw: dict[str, Any], files: dict[str, HTTPFile]) -> None:
        self.raw = raw
        self.files = files

    def get(self, name: str) -> Any:
        value = self.raw.get(name)
        return None if value == "" else value

    def get_str(self, name: str) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return None
        return value if isinstance(value, str) else json.dumps(value)

    def get_int(self, name: str, error: str | None = None) -> int | None:
        value = self.get(name)
        if value is None:
            return None
        try:
            if isinstance(value, bool):
                raise ValueError
            return int(value)
        except (TypeError, ValueError):
            raise ApiError(
                400, error or f'Bad Request: field "{name}" must be of type Integer'
            ) from None

    def get_float(self, name: str) -> float | None:
        value = self.get(name)
        if value is None:
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ApiError(400, f'Bad Request: field "{name}" must be a Number') from None

    def get_bool(self, name: str) -> bool:
        value = self.get(name)
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def get_json(self, name: str) -> Any:
        value = self.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
        return value

    def file(self, name: str) -> HTTPFile | str | None:
        if name in self.files:
            return self.files[name]
        value = self.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            attached = self.files.get(value[len("attach://") :])
            if attached is None:
                raise ApiError(400, f"Bad Request: file {value} not found in the request")
            return attached
        return value if isinstance(value, str) else None


def _decode_for_log(name: str, value: Any) -> Any:
    if not isinstance(value, str) or name in _VERBATIM_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class _ApiHandler(tornado.web.RequestHandler):
    def initialize(self, server: FakeTelegramServer) -> None:
        self.fake = server
        self.poll: _Poll | None = None
        self.closed = False

    def compute_etag(self) -> None:
        return None

    def on_connection_close(self) -> None:
        self.closed = True
        if self.poll is not None:
            self.poll.wake.set()

    async def get(self, token: str, method: str) -> None:
        await self.fake._handle_api(self, token, method)

    async def post(self, token: str, method: str) -> None:
        await self.fake._handle_api(self, token, method)


class _FileHandler(tornado.web.RequestHandler):
    def initialize(self, server: FakeTelegramServer) -> None:
        self.fake = server

    def compute_etag(self) -> None:
        return None

    async def get(self, token: str, path: str) -> None:
        stored = self.fake._files_by_path.get(path)
        if token != self.fake.token or stored is None:
            self.set_status(404)
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}))
            return
        self.set_header("Content-Type", stored.mime_type or "application/octet-stream")
        self.finish(stored.content)


class _NotFoundHandler(tornado.web.RequestHandler):
    def prepare(self) -> None:
        self.set_status(404)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}))


MessageListener = Callable[[str, FakeMessage], None]


class FakeTelegramServer:
    """The fake Bot API. See the package docstring for how tests use it."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_id: int | None = None,
        bot_username: str = "coalition_test_bot",
        bot_first_name: str = "Coalition Bot",
        host: str = "127.0.0.1",
        port: int = 0,
        limits: Limits | None = None,
        clock: Callable[[], float] | None = None,
        group_privacy: bool = True,
    ) -> None:
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_id = bot_id if bot_id is not None else (int(prefix) if prefix.isdigit() else 1)
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.host = host
        self.port = port
        self.limits = limits or Limits()
        self.clock: Callable[[], float] = clock or time.time
        # Telegram's default for bots: in groups they see only commands, mentions and replies.
        self.group_privacy = group_privacy

        self.calls: Counter[str] = Counter()
        self.rejections: list[Rejection] = []
        self.requests: list[RequestRecord] = []
        self.uploads: list[Upload] = []  # every file uploaded, with its name and MIME type
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.webhook: dict[str, Any] | None = None
        self.updates: list[dict[str, Any]] = []  # every update ever queued, for debugging

        self._users: dict[int, FakeUser] = {}
        self._groups: dict[int, FakeGroup] = {}
        self._queue: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._counter = itertools.count(1)
        self._files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._callbacks: dict[str, _Callback] = {}
        self._rate = RateLimiter(self.limits)
        self._allowed_updates: set[str] | None = None
        self._poll: _Poll | None = None
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._msg_event: asyncio.Event | None = None
        self._listeners: list[MessageListener] = []
        # Injected failures (502, 429 storms, hangs); empty: the fake behaves.
        self.faults = Faults()

        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_wake: asyncio.Event | None = None
        self._webhook_busy = False
        self._webhook_error: tuple[int, str] | None = None
        self._http_client: httpx.AsyncClient | None = None
        self._http_server: HTTPServer | None = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    async def start(self) -> None:
        if self._http_server is not None:
            return
        app = tornado.web.Application(
            [
                (r"/bot([^/]*)/([^/]+)/?", _ApiHandler, {"server": self}),
                (r"/file/bot([^/]*)/(.+)", _FileHandler, {"server": self}),
            ],
            default_handler_class=_NotFoundHandler,
            # No access log: URLs carry the bot token.
            log_function=lambda handler: None,
        )
        # Leave room above the upload limit so oversized uploads get Telegram's 413 answer
        # instead of tornado dropping the connection.
        body_cap = 2 * max(self.limits.max_upload_bytes, self.limits.max_photo_bytes) + (1 << 20)
        self._http_server = HTTPServer(app, max_body_size=body_cap, max_buffer_size=body_cap)
        sockets = bind_sockets(self.port, self.host)
        self._http_server.add_sockets(sockets)
        self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        await self._stop_webhook()
        if self._poll is not None:
            self._poll.terminated = "Conflict: the fake server is shutting down"
            self._poll.wake.set()
        if self._http_server is not None:
            self._http_server.stop()
            await self._http_server.close_all_connections()
            self._http_server = None
        if self._http_client is not None:
            await self._http_client.aclose()
            self._http_client = None

    async def __aenter__(self) -> FakeTelegramServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ people and chats
    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        if user_id <= 0:
            raise FakeTelegramError("user ids are positive")
        if user_id in self._users or user_id == self.bot_id:
            raise FakeTelegramError(f"user {user_id} already exists")
        user = FakeUser(
            self,
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self._users[user_id] = user
        return user

    def add_group(self, chat_id: int, title: str, *, type: str = "group") -> FakeGroup:
        if chat_id in self._groups:
            raise FakeTelegramError(f"chat {chat_id} already exists")
        group = FakeGroup(self, chat_id, title, type=type)
        self._groups[chat_id] = group
        return group

    def user(self, user_id: int) -> FakeUser:
        try:
            return self._users[user_id]
        except KeyError:
            raise FakeTelegramError(f"no user {user_id}; add_user() first") from None

    def group(self, chat_id: int) -> FakeGroup:
        try:
            return self._groups[chat_id]
        except KeyError:
            raise FakeTelegramError(f"no group {chat_id}; add_group() first") from None

    @property
    def users(self) -> list[FakeUser]:
        return list(self._users.values())

    def file_content(self, file_id: str) -> bytes:
        """The bytes behind a file id (what a user would download from a document)."""
        try:
            return self._files[file_id].content
        except KeyError:
            raise FakeTelegramError(f"no file {file_id!r}") from None

    def messages_sent_to(self, chat_id: int) -> list[FakeMessage]:
        """Every message the bot ever sent to that chat, deleted ones included."""
        chat = self._users.get(chat_id) or self._groups.get(chat_id)
        return [] if chat is None else [m for m in chat._all if m.from_bot]

    def add_listener(self, listener: MessageListener) -> None:
        """Call ``listener(event, message)`` on "sent", "edited" and "deleted" bot messages."""
        self._listeners.append(listener)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        return list(self._queue)

    # ------------------------------------------------------------------ idleness
    def _touch(self) -> None:
        self._last_activity = time.monotonic()

    def _is_idle(self, quiet: float) -> bool:
        return (
            not self._queue
            and self._inflight == 0
            and not self._webhook_busy
            and time.monotonic() - self._last_activity >= quiet
        )

    async def wait_until_idle(self, quiet: float = 0.15, timeout: float = 10.0) -> None:
        """Wait until every queued update was fetched and confirmed (or delivered to the webhook)
        and no bot request arrived or ran for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        while not self._is_idle(quiet):
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"fake Telegram not idle after {timeout}s: {len(self._queue)} update(s) "
                    f"not confirmed (types: {[self._update_type(u) for u in self._queue]}), "
                    f"{self._inflight} request(s) in flight, webhook busy={self._webhook_busy}, "
                    f"polling={'yes' if self._poll else 'no'}, webhook={self.webhook is not None}"
                )
            await asyncio.sleep(0.01)

    def _message_event(self) -> asyncio.Event:
        if self._msg_event is None:
            self._msg_event = asyncio.Event()
        return self._msg_event

    def _notify(self, event: str, message: FakeMessage) -> None:
        if self._msg_event is not None:
            self._msg_event.set()
            self._msg_event = None
        for listener in list(self._listeners):
            try:
                listener(event, message)
            except Exception:
                _LOGGER.exception("fake Telegram message listener failed")

    # ------------------------------------------------------------------ updates
    def _next_counter(self) -> int:
        return next(self._counter)

    @staticmethod
    def _update_type(update: dict[str, Any]) -> str:
        return next(k for k in update if k != "update_id")

    def _allowed(self, update: dict[str, Any]) -> bool:
        kind = self._update_type(update)
        if self._allowed_updates is None:
            return kind not in _OPT_IN_UPDATES
        return kind in self._allowed_updates

    def _enqueue(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), kind: payload}
        self.updates.append(update)
        if self._allowed(update):
            self._queue.append(update)
            self._touch()
            if self._poll is not None:
                self._poll.wake.set()
            if self._webhook_wake is not None:
                self._webhook_wake.set()
        return update

    def _bot_user_json(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _queue_my_chat_member(
        self, chat: _Chat, by: FakeUser | None, old_status: str, new_status: str
    ) -> None:
        def member(status: str) -> dict[str, Any]:
            data: dict[str, Any] = {"status": status, "user": self._bot_user_json()}
            if status == "kicked":
                data["until_date"] = 0
            if status == "administrator":
                data.update(
                    dict.fromkeys(
                        (
                            "can_manage_chat",
                            "can_delete_messages",
                            "can_manage_video_chats",
                            "can_restrict_members",
                            "can_promote_members",
                            "can_change_info",
                            "can_invite_users",
                            "can_post_stories",
                            "can_edit_stories",
                            "can_delete_stories",
                            "can_post_messages",
                            "can_edit_messages",
                        ),
                        True,
                    ),
                    can_be_edited=False,
                    is_anonymous=False,
                )
            return data

        self._enqueue(
            "my_chat_member",
            {
                "chat": chat.chat_json(),
                "from": by.user_json() if by is not None else self._bot_user_json(),
                "date": int(self.clock()),
                "old_chat_member": member(old_status),
                "new_chat_member": member(new_status),
            },
        )

    def _new_user_message(
        self, chat: _Chat, sender: FakeUser | None, fields: dict[str, Any]
    ) -> FakeMessage:
        fields = dict(fields)
        reply_to: FakeMessage | None = fields.pop("_reply_to", None)
        now = self.clock()
        message = FakeMessage(
            message_id=chat._next_message_id(),
            chat_id=chat.chat_id,
            from_bot=False,
            date=int(now),
            sent_at=now,
            chat=chat.chat_json(),
            sender=sender.user_json() if sender is not None else None,
            reply_to_message=reply_to,
            reply_to_message_id=reply_to.message_id if reply_to is not None else None,
        )
        if "text" in fields:
            message.text = fields.pop("text")
            message.entities = fields.pop("entities", None) or detect_user_entities(
                message.text or ""
            )
        if "caption" in fields:
            message.caption = fields.pop("caption")
            message.caption_entities = detect_user_entities(message.caption or "")
        message.document = fields.pop("document", None)
        message.photo = fields.pop("photo", None)
        message.extra = fields
        chat._store(message)
        return message

    def _bot_sees(self, message: FakeMessage) -> bool:
        """Privacy mode: which group messages reach the bot."""
        if not self.group_privacy:
            return True
        if any(k in message.extra for k in ("new_chat_members", "left_chat_member")):
            return True
        if message.reply_to_message is not None and message.reply_to_message.from_bot:
            return True
        text = message.text or message.caption or ""
        if f"@{self.bot_username}".lower() in text.lower():
            return True
        match = re.match(r"/[A-Za-z0-9_]{1,32}(?:@([A-Za-z0-9_]+))?", text)
        return match is not None and (
            match.group(1) is None or match.group(1).lower() == self.bot_username.lower()
        )

    def _register_file(
        self, content: bytes, file_name: str | None, mime_type: str | None, folder: str
    ) -> StoredFile:
        n = self._next_counter()
        ext = os.path.splitext(file_name or "")[1]
        if not ext and mime_type:
            ext = mimetypes.guess_extension(mime_type) or ""
        stored = StoredFile(
            file_id=f"BQACAgIAAxk{n:06d}" + unique_id_for(content)[4:],
            file_unique_id=unique_id_for(content),
            content=content,
            file_path=f"{folder}/file_{n}{ext}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    # ------------------------------------------------------------------ callback queries
    def _chat_instance(self, chat_id: int) -> str:
        return str((chat_id * 2654435761 + self.bot_id) % (1 << 62))

    def _queue_callback(
        self, presser: FakeUser, chat: _Chat, message: dict[str, Any], data: str
    ) -> str:
        query_id = str(4_000_000_000_000_000 + self._next_counter())
        self._callbacks[query_id] = _Callback(presser, time.monotonic())
        self._enqueue(
            "callback_query",
            {
                "id": query_id,
                "from": presser.user_json(),
                "message": message,
                "chat_instance": self._chat_instance(chat.chat_id),
                "data": data,
            },
        )
        return query_id

    async def _press(
        self, presser: FakeUser, chat: _Chat, message: FakeMessage, button: str
    ) -> str:
        if presser.blocked:
            raise FakeTelegramError(f"{presser!r} has blocked the bot; unblock() first")
        live = chat._check_live(message)
        if not live.from_bot:
            raise FakeTelegramError(f"message #{live.message_id} is not from the bot")
        rows = (live.reply_markup or {}).get("inline_keyboard") or []
        buttons = [b for row in rows for b in row]
        match = next((b for b in buttons if b.get("text") == button), None) or next(
            (b for b in buttons if b.get("callback_data") == button), None
        )
        if match is None:
            raise FakeTelegramError(
                f"message #{live.message_id} has no button {button!r} "
                f"(it has {[b.get('text') for b in buttons]})"
            )
        if "callback_data" not in match:
            raise FakeTelegramError(f"button {button!r} is not a callback button: {match}")
        if chat is presser:
            presser.started = True
        return self._queue_callback(presser, chat, live.to_api(), match["callback_data"])

    def _forge_callback(
        self, presser: FakeUser, chat: _Chat, data: str, message: FakeMessage | None
    ) -> str:
        if message is None:
            bot_messages = chat.bot_messages
            live = bot_messages[-1] if bot_messages else None
            message_id = live.message_id if live else 1
        else:
            live = chat.find(message.message_id)
            message_id = message.message_id
        if live is not None:
            payload = live.to_api()
        else:  # Telegram's InaccessibleMessage
            payload = {"chat": chat.chat_json(), "message_id": message_id, "date": 0}
        return self._queue_callback(presser, chat, payload, data)

    # ------------------------------------------------------------------ HTTP dispatch
    async def _handle_api(self, handler: _ApiHandler, token: str, method: str) -> None:
        arrived = time.monotonic()
        name = _METHODS.get(method.lower(), method)
        self.calls[name] += 1
        idle_kind = name == "getUpdates"
        if not idle_kind:
            self._inflight += 1
            self._touch()
        params: dict[str, Any] = {}
        try:
            raw, files = self._read_params(handler)
            params = {k: _decode_for_log(k, v) for k, v in raw.items()}
            for key, upload in files.items():
                params[key] = f"<file {upload.filename!r}, {len(upload.body)} bytes>"
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if name not in _METHOD_NAMES:
                raise ApiError(404, "Not Found")
            impl = getattr(self, f"_api_{name}")
            fault = self.faults.take(name, raw)
            if fault is not None:
                await self._inject(fault, handler)
            result = await impl(_Params(raw, files), handler)
            answer: dict[str, Any] = {"ok": True, "result": result}
            status = 200
        except _Abandoned:
            self.requests.append(RequestRecord(name, params, False, None, arrived))
            return
        except _ErrorPage as page:
            self.requests.append(RequestRecord(name, params, False, page.status, arrived))
            if not handler.closed:
                handler.set_status(page.status)
                handler.set_header("Content-Type", "text/html")
                phrase = f"{page.status} {HTTPStatus(page.status).phrase}"
                handler.finish(BAD_GATEWAY_PAGE.replace("502 Bad Gateway", phrase))
            return
        except ApiError as err:
            answer = {"ok": False, "error_code": err.code, "description": err.description}
            if err.retry_after is not None:
                answer["parameters"] = {"retry_after": err.retry_after}
            status = err.code
            if not err.injected:
                self.rejections.append(Rejection(name, err.code, err.description, params))
        finally:
            if not idle_kind:
                self._inflight -= 1
                self._touch()
        self.requests.append(
            RequestRecord(name, params, answer["ok"], answer.get("error_code"), arrived)
        )
        if handler.closed:
            return
        handler.set_status(status)
        handler.set_header("Content-Type", "application/json")
        handler.finish(json.dumps(answer, ensure_ascii=False))

    async def _inject(self, fault: Fault, handler: _ApiHandler) -> None:
        """Applies an injected fault; returns only if the request is to be carried out."""
        if fault.hang:
            # Held until the time is up or the client hangs up (which sets the wake event).
            handler.poll = _Poll()
            try:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(handler.poll.wake.wait(), fault.hang)
            finally:
                handler.poll = None
            if handler.closed and not fault.deliver:
                raise _Abandoned
        if fault.status is not None:
            raise _ErrorPage(fault.status)
        if fault.retry_after is not None:
            raise ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                retry_after=fault.retry_after,
                injected=True,
            )

    @staticmethod
    def _read_params(handler: _ApiHandler) -> tuple[dict[str, Any], dict[str, HTTPFile]]:
        request = handler.request
        raw: dict[str, Any] = {
            k: v[-1].decode("utf-8", "replace") for k, v in request.query_arguments.items()
        }
        content_type = request.headers.get("Content-Type", "")
        if content_type.startswith("application/json"):
            if request.body.strip():
                try:
                    body = json.loads(request.body)
                except ValueError:
                    raise ApiError(400, "Bad Request: can't parse JSON object") from None
                if not isinstance(body, dict):
                    raise ApiError(400, "Bad Request: JSON object expected")
                raw.update(body)
            return raw, {}
        for key, values in request.body_arguments.items():
            raw[key] = values[-1].decode("utf-8", "replace")
        files = {key: uploads[-1] for key, uploads in request.files.items()}
        return raw, files

    # ------------------------------------------------------------------ shared checks
    def _resolve_chat(self, p: _Params, *, access: bool = True) -> _Chat:
        """The target chat; with ``access`` also Telegram's 403 rules for writing there."""
        value = p.get("chat_id")
        if value is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            chat_id = int(value)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if chat_id == self.bot_id:
            raise ApiError(403, "Forbidden: bots can't send messages to bots")
        user = self._users.get(chat_id)
        if user is not None:
            if access and user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if access and not user.started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            return user
        group = self._groups.get(chat_id)
        if group is not None:
            if access and not group.bot_is_member:
                raise ApiError(403, f"Forbidden: bot is not a member of the {group.chat_type} chat")
            return group
        raise ApiError(400, "Bad Request: chat not found")

    def _parse(
        self, text: str | None, p: _Params, *, caption: bool
    ) -> tuple[ParsedText | None, str | None]:
        """Parse text or caption with parse_mode/entities; enforce Telegram's length limits."""
        kind = "caption" if caption else "text"
        mode = p.get_str("parse_mode") or None
        given_entities = p.get_json("caption_entities" if caption else "entities")
        if text is None or text == "":
            if caption:
                return None, mode
            raise ApiError(400, "Bad Request: message text is empty")
        if given_entities is not None:
            if not isinstance(given_entities, list) or not all(
                isinstance(e, dict) and {"type", "offset", "length"} <= e.keys()
                for e in given_entities
            ):
                raise ApiError(400, f"Bad Request: can't parse {kind} entities JSON object")
            parsed = ParsedText(text, given_entities)
            mode = None
        else:
            try:
                parsed = parse_text(text, mode)
            except EntityParseError as err:
                raise ApiError(400, f"Bad Request: can't parse entities: {err}") from None
        if not parsed.text:
            if caption:
                return None, mode
            raise ApiError(400, "Bad Request: message text is empty")
        limit = self.limits.max_caption if caption else self.limits.max_text
        if utf16_len(parsed.text) > limit:
            raise ApiError(
                400,
                "Bad Request: message caption is too long"
                if caption
                else "Bad Request: message is too long",
            )
        return parsed, mode

    def _markup(self, p: _Params, *, inline_only: bool = False) -> dict[str, Any] | None:
        _, markup = validate_reply_markup(
            p.get("reply_markup"),
            max_data_bytes=self.limits.max_callback_data_bytes,
            inline_only=inline_only,
        )
        return markup

    def _reply_target(self, chat: _Chat, p: _Params) -> FakeMessage | None:
        params = p.get_json("reply_parameters")
        if params is None and p.get("reply_to_message_id") is not None:
            params = {
                "message_id": p.get_int("reply_to_message_id"),
                "allow_sending_without_reply": p.get_bool("allow_sending_without_reply"),
            }
        if params is None:
            return None
        if not isinstance(params, dict) or not isinstance(params.get("message_id"), int):
            raise ApiError(400, "Bad Request: can't parse reply parameters JSON object")
        target = chat.find(params["message_id"])
        if target is None and not params.get("allow_sending_without_reply"):
            raise ApiError(400, "Bad Request: message to be replied not found")
        return target

    def _rate_check(self, chat: _Chat, *, is_send: bool = True) -> None:
        wait = self._rate.retry_after(
            chat.chat_id, chat.chat_type != "private", time.monotonic(), is_send=is_send
        )
        if wait is not None:
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)

    def _rate_consume(self, chat: _Chat, *, is_send: bool = True) -> None:
        self._rate.consume(
            chat.chat_id, chat.chat_type != "private", time.monotonic(), is_send=is_send
        )

    def _bot_message(self, chat: _Chat, **fields: Any) -> FakeMessage:
        now = self.clock()
        sender = None if chat.chat_type == "channel" else self._bot_user_json()
        message = FakeMessage(
            message_id=chat._next_message_id(),
            chat_id=chat.chat_id,
            from_bot=True,
            date=int(now),
            sent_at=now,
            chat=chat.chat_json(),
            sender=sender,
            **fields,
        )
        chat._store(message)
        self._notify("sent", message)
        return message

    def _common_send_fields(self, chat: _Chat, p: _Params) -> dict[str, Any]:
        reply_to = self._reply_target(chat, p)
        return {
            "reply_markup": self._markup(p),
            "protect_content": p.get_bool("protect_content"),
            "reply_to_message": reply_to,
            "reply_to_message_id": reply_to.message_id if reply_to is not None else None,
        }

    def _editable(self, p: _Params) -> tuple[_Chat, FakeMessage]:
        if p.get("inline_message_id") is not None:
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        chat = self._resolve_chat(p)
        message_id = p.get_int("message_id", "Bad Request: message identifier is not specified")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        message = chat.find(message_id)
        if message is None or not message.from_bot:
            raise ApiError(400, "Bad Request: message to edit not found")
        return chat, message

    # ------------------------------------------------------------------ API methods
    async def _api_getMe(self, p: _Params, h: _ApiHandler) -> Any:
        return {
            **self._bot_user_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": not self.group_privacy,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_getUpdates(self, p: _Params, h: _ApiHandler) -> Any:
        if self.webhook is not None:
            raise ApiError(409, _WEBHOOK_CONFLICT)
        offset = p.get_int("offset") or 0
        limit = min(max(p.get_int("limit") or 100, 1), 100)
        timeout = min(max(p.get_float("timeout") or 0.0, 0.0), 50.0)
        allowed = p.get_json("allowed_updates")
        if allowed is not None:
            if not isinstance(allowed, list):
                raise ApiError(400, "Bad Request: can't parse allowed_updates JSON object")
            self._allowed_updates = set(allowed) if allowed else None
        if self._poll is not None:
            # Like Telegram: the newer request wins, the one being held is terminated.
            self._poll.terminated = _POLL_CONFLICT
            self._poll.wake.set()
        self._confirm(offset)
        poll = h.poll = _Poll()
        self._poll = poll
        deadline = time.monotonic() + timeout
        try:
            while True:
                poll.wake.clear()
                batch = self._fetch(limit)
                remaining = deadline - time.monotonic()
                if batch or remaining <= 0:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(poll.wake.wait(), remaining)
                if poll.terminated:
                    self._touch()
                    raise ApiError(409, poll.terminated)
                if h.closed:
                    raise _Abandoned
        finally:
            if self._poll is poll:
                self._poll = None
            h.poll = None
        if batch:
            self._touch()
        return batch

    def _confirm(self, offset: int) -> None:
        before = len(self._queue)
        if offset > 0:
            self._queue = [u for u in self._queue if u["update_id"] >= offset]
        elif offset < 0:
            self._queue = self._queue[offset:]
        if len(self._queue) != before:
            self._touch()

    def _fetch(self, limit: int) -> list[dict[str, Any]]:
        self._queue = [u for u in self._queue if self._allowed(u)]
        copied: list[dict[str, Any]] = json.loads(json.dumps(self._queue[:limit]))
        return copied

    async def _api_setWebhook(self, p: _Params, h: _ApiHandler) -> Any:
        url = p.get_str("url") or ""
        if not url:
            await self._stop_webhook()
            self.webhook = None
            return True
        parts = urlsplit(url)
        loopback = parts.hostname in _LOOPBACK
        # Telegram needs HTTPS on 80/88/443/8443; plain HTTP is allowed to loopback for tests.
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        if not parts.hostname:
            raise ApiError(400, "Bad Request: bad webhook: Failed to resolve host")
        if not loopback and (parts.port or 443) not in (80, 88, 443, 8443):
            raise ApiError(
                400,
                "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
            )
        secret = p.get_str("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        max_connections = p.get_int("max_connections")
        if max_connections is not None and not 1 <= max_connections <= 100:
            raise ApiError(400, "Bad Request: bad webhook: max_connections must be in 1..100")
        allowed = p.get_json("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = set(allowed) if allowed else None
        if p.get_bool("drop_pending_updates"):
            self._queue.clear()
        if self._poll is not None:
            self._poll.terminated = "Conflict: terminated by setWebhook request"
            self._poll.wake.set()
        await self._stop_webhook()
        self.webhook = {"url": url, "secret_token": secret}
        self._webhook_error = None
        self._webhook_wake = asyncio.Event()
        self._webhook_task = asyncio.create_task(self._deliver_webhook(), name="fake-tg-webhook")
        return True

    async def _api_deleteWebhook(self, p: _Params, h: _ApiHandler) -> Any:
        await self._stop_webhook()
        self.webhook = None
        if p.get_bool("drop_pending_updates"):
            self._queue.clear()
        return True

    async def _api_getWebhookInfo(self, p: _Params, h: _ApiHandler) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self.webhook:
            info["max_connections"] = 40
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        if self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    async def _stop_webhook(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        self._webhook_wake = None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._webhook_busy = False

    async def _deliver_webhook(self) -> None:
        """POST queued updates one at a time, in order; retry until the webhook answers 2xx."""
        if self._http_client is None:
            self._http_client = httpx.AsyncClient(timeout=10.0)
        failures = 0
        while self.webhook is not None and self._webhook_wake is not None:
            self._webhook_wake.clear()
            self._queue = [u for u in self._queue if self._allowed(u)]
            if not self._queue:
                await self._webhook_wake.wait()
                continue
            update = self._queue[0]
            headers = {"Content-Type": "application/json"}
            if self.webhook.get("secret_token"):
                headers["X-Telegram-Bot-Api-Secret-Token"] = self.webhook["secret_token"]
            self._webhook_busy = True
            self._touch()
            error: str | None = None
            try:
                response = await self._http_client.post(
                    self.webhook["url"], content=json.dumps(update), headers=headers
                )
                if not 200 <= response.status_code < 300:
                    error = (
                        f"Wrong response from the webhook: {response.status_code} "
                        f"{response.reason_phrase}"
                    )
            except httpx.HTTPError as err:
                error = f"Connection failed: {type(err).__name__}"
            finally:
                self._webhook_busy = False
                self._touch()
            if error is None:
                failures = 0
                if self._queue and self._queue[0] is update:
                    self._queue.pop(0)
                continue
            failures += 1
            self._webhook_error = (int(self.clock()), error)
            await asyncio.sleep(min(1.0, 0.05 * 2**failures))

    async def _api_setMyCommands(self, p: _Params, h: _ApiHandler) -> Any:
        commands = p.get_json("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        stored: list[dict[str, str]] = []
        for command in commands:
            if not isinstance(command, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand JSON object")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_NAME.fullmatch(name):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            stored.append({"command": name, "description": description})
        key = self._commands_key(p)
        if stored:
            self.commands[key] = stored
        else:
            self.commands.pop(key, None)
        return True

    def _commands_key(self, p: _Params) -> tuple[str, str]:
        scope = p.get_json("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPES:
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        scope_type = scope["type"]
        if scope_type.startswith("chat"):
            # Like Telegram: the chat must be one the bot can reach (a user who started it,
            # a group it is in), else "chat not found".
            chat_id = scope.get("chat_id")
            user = self._users.get(chat_id) if isinstance(chat_id, int) else None
            group = self._groups.get(chat_id) if isinstance(chat_id, int) else None
            if not ((user is not None and user.started) or (group and group.bot_is_member)):
                raise ApiError(400, "Bad Request: chat not found")
            # Stored per chat (and member) so they don't overwrite each other.
            scope_type += f":{chat_id}"
        if "user_id" in scope:
            scope_type += f":{scope['user_id']}"
        language = p.get_str("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise ApiError(400, "Bad Request: invalid language code specified")
        return scope_type, language

    async def _api_getMyCommands(self, p: _Params, h: _ApiHandler) -> Any:
        return self.commands.get(self._commands_key(p), [])

    async def _api_deleteMyCommands(self, p: _Params, h: _ApiHandler) -> Any:
        self.commands.pop(self._commands_key(p), None)
        return True

    async def _api_sendMessage(self, p: _Params, h: _ApiHandler) -> Any:
        chat = self._resolve_chat(p)
        text = p.get_str("text")
        parsed, mode = self._parse(text, p, caption=False)
        assert parsed is not None
        fields = self._common_send_fields(chat, p)
        self._rate_check(chat)
        message = self._bot_message(
            chat,
            text=parsed.text,
            html=text if (mode or "").lower() == "html" else None,
            entities=parsed.entities,
            parse_mode=mode,
            **fields,
        )
        self._rate_consume(chat)
        return message.to_api()

    async def _api_editMessageText(self, p: _Params, h: _ApiHandler) -> Any:
        chat, message = self._editable(p)
        if message.text is None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text = p.get_str("text")
        parsed, mode = self._parse(text, p, caption=False)
        assert parsed is not None
        # Omitting reply_markup removes the keyboard, exactly like Telegram.
        markup = self._markup(p, inline_only=True)
        if (
            parsed.text == message.text
            and parsed.entities == message.entities
            and markup == message.reply_markup
        ):
            raise ApiError(400, _NOT_MODIFIED)
        self._rate_check(chat, is_send=False)
        message.text, message.entities, message.parse_mode = parsed.text, parsed.entities, mode
        message.html = text if (mode or "").lower() == "html" else None
        message.reply_markup = markup
        message.edit_date = int(self.clock())
        self._rate_consume(chat, is_send=False)
        self._notify("edited", message)
        return message.to_api()

    async def _api_editMessageCaption(self, p: _Params, h: _ApiHandler) -> Any:
        chat, message = self._editable(p)
        if message.document is None and message.photo is None:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        parsed, _mode = self._parse(p.get_str("caption"), p, caption=True)
        caption = parsed.text if parsed else None
        entities = parsed.entities if parsed else []
        markup = self._markup(p, inline_only=True)
        if (
            caption == message.caption
            and entities == message.caption_entities
            and markup == message.reply_markup
        ):
            raise ApiError(400, _NOT_MODIFIED)
        self._rate_check(chat, is_send=False)
        message.caption, message.caption_entities = caption, entities
        message.reply_markup = markup
        message.edit_date = int(self.clock())
        self._rate_consume(chat, is_send=False)
        self._notify("edited", message)
        return message.to_api()

    async def _api_editMessageReplyMarkup(self, p: _Params, h: _ApiHandler) -> Any:
        chat, message = self._editable(p)
        markup = self._markup(p, inline_only=True)
        if markup == message.reply_markup:
            raise ApiError(400, _NOT_MODIFIED)
        self._rate_check(chat, is_send=False)
        message.reply_markup = markup
        message.edit_date = int(self.clock())
        self._rate_consume(chat, is_send=False)
        self._notify("edited", message)
        return message.to_api()

    async def _api_answerCallbackQuery(self, p: _Params, h: _ApiHandler) -> Any:
        query_id = p.get_str("callback_query_id") or ""
        callback = self._callbacks.get(query_id)
        if (
            callback is None
            or callback.answered
            or time.monotonic() - callback.created > self.limits.callback_query_timeout
        ):
            raise ApiError(400, _TOO_OLD)
        text = p.get_str("text")
        if text is not None and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        callback.answered = True
        callback.user.callback_answers.append(
            {
                "callback_query_id": query_id,
                "text": text,
                "show_alert": p.get_bool("show_alert"),
                "url": p.get_str("url"),
            }
        )
        return True

    async def _api_deleteMessage(self, p: _Params, h: _ApiHandler) -> Any:
        chat = self._resolve_chat(p, access=False)
        if isinstance(chat, FakeGroup) and not chat.bot_is_member:
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.chat_type} chat")
        message_id = p.get_int("message_id", "Bad Request: message identifier is not specified")
        message = chat.find(message_id) if message_id is not None else None
        if message is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        if chat.chat_type != "private" and not message.from_bot:
            raise ApiError(400, "Bad Request: message can't be deleted")
        if self.clock() - message.sent_at > self.limits.delete_window_seconds:
            raise ApiError(400, "Bad Request: message can't be deleted for everyone")
        message.deleted = True
        self._notify("deleted", message)
        return True

    def _upload(self, p: _Params, field_name: str) -> tuple[StoredFile | None, HTTPFile | None]:
        """Resolve the file parameter: (existing file, None) or (None, new upload to register)."""
        value = p.file(field_name)
        if value is None:
            raise ApiError(400, f"Bad Request: there is no {field_name} in the request")
        if isinstance(value, str):
            stored = self._files.get(value)
            if stored is None:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            return stored, None
        if len(value.body) > self.limits.max_upload_bytes:
            raise ApiError(413, "Request Entity Too Large")
        if not value.body:
            raise ApiError(400, "Bad Request: file must be non-empty")
        self.uploads.append(
            Upload(
                field_name,
                p.get_str("chat_id"),
                value.filename or None,
                value.content_type or None,
                len(value.body),
            )
        )
        return None, value

    async def _api_sendDocument(self, p: _Params, h: _ApiHandler) -> Any:
        chat = self._resolve_chat(p)
        existing, upload = self._upload(p, "document")
        parsed, _mode = self._parse(p.get_str("caption"), p, caption=True)
        fields = self._common_send_fields(chat, p)
        self._rate_check(chat)
        if upload is not None:
            file_name = upload.filename or "document"
            mime = (
                mimetypes.guess_type(file_name)[0]
                or (upload.content_type if upload.content_type else None)
                or "application/octet-stream"
            )
            existing = self._register_file(upload.body, file_name, mime, "documents")
        assert existing is not None
        document: dict[str, Any] = {
            "file_id": existing.file_id,
            "file_unique_id": existing.file_unique_id,
            "file_size": existing.size,
        }
        if existing.file_name:
            document["file_name"] = existing.file_name
        if existing.mime_type:
            document["mime_type"] = existing.mime_type
        message = self._bot_message(
            chat,
            document=document,
            caption=parsed.text if parsed else None,
            caption_entities=parsed.entities if parsed else [],
            **fields,
        )
        self._rate_consume(chat)
        return message.to_api()

    async def _api_sendPhoto(self, p: _Params, h: _ApiHandler) -> Any:
        chat = self._resolve_chat(p)
        existing, upload = self._upload(p, "photo")
        if upload is not None:
            content = upload.body
        else:
            assert existing is not None
            content = existing.content
        image = sniff_image(content)
        if image is None or len(content) > self.limits.max_photo_bytes:
            raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")
        fmt, width, height = image
        if (
            width < 1
            or height < 1
            or width + height > 10000
            or max(width, height) > 20 * min(width, height)
        ):
            raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
        parsed, _mode = self._parse(p.get_str("caption"), p, caption=True)
        fields = self._common_send_fields(chat, p)
        self._rate_check(chat)
        if upload is not None:
            existing = self._register_file(content, None, f"image/{fmt}", "photos")
        assert existing is not None
        photo = [
            {
                "file_id": existing.file_id,
                "file_unique_id": existing.file_unique_id,
                "width": width,
                "height": height,
                "file_size": existing.size,
            }
        ]
        message = self._bot_message(
            chat,
            photo=photo,
            caption=parsed.text if parsed else None,
            caption_entities=parsed.entities if parsed else [],
            **fields,
        )
        self._rate_consume(chat)
        return message.to_api()

    async def _api_getFile(self, p: _Params, h: _ApiHandler) -> Any:
        stored = self._files.get(p.get_str("file_id") or "")
        if stored is None:
            raise ApiError(400, "Bad Request: wrong file_id or the file is temporarily unavailable")
        if stored.size > self.limits.max_download_bytes:
            raise ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    async def _api_leaveChat(self, p: _Params, h: _ApiHandler) -> Any:
        chat = self._resolve_chat(p, access=False)
        if not isinstance(chat, FakeGroup):
            raise ApiError(400, "Bad Request: chat member status can't be changed in private chats")
        if not chat.bot_is_member:
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat.chat_type} chat")
        chat.bot_is_member = False
        old = "administrator" if chat.chat_type == "channel" else "member"
        self._queue_my_chat_member(chat, None, old, "left")
        return True

    async def _api_sendChatAction(self, p: _Params, h: _ApiHandler) -> Any:
        self._resolve_chat(p)
        if p.get_str("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _api_getChat(self, p: _Params, h: _ApiHandler) -> Any:
        chat = self._resolve_chat(p, access=False)
        if isinstance(chat, FakeUser) and not chat.started:
            raise ApiError(400, "Bad Request: chat not found")
        return {
            **chat.chat_json(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

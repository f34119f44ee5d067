"""Strictness of the fake Bot API over real HTTP: each rule's rejection and boundary acceptance."""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import struct
import time
import zlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.fake_telegram import FakeTelegramServer, FakeUser, Limits, Upload

ALICE = 111
BOB = 222


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as srv:
        yield srv


@pytest.fixture
async def api(server: FakeTelegramServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{server.base_url}{server.token}/") as client:
        yield client


@pytest.fixture
async def alice(server: FakeTelegramServer) -> FakeUser:
    user = server.add_user(ALICE, "Alice")
    await user.send("/start")
    return user


async def call(
    client: httpx.AsyncClient, method: str, files: dict[str, Any] | None = None, **params: Any
) -> tuple[int, dict[str, Any]]:
    """POST like PTB does: form fields, non-strings JSON-encoded, multipart when files."""
    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    response = await client.post(method, data=data, files=files)
    return response.status_code, response.json()


async def ok(client: httpx.AsyncClient, method: str, **params: Any) -> Any:
    status, body = await call(client, method, **params)
    assert (status, body["ok"]) == (200, True), body
    return body["result"]


async def rejected(
    client: httpx.AsyncClient, method: str, code: int, description: str, **params: Any
) -> dict[str, Any]:
    status, body = await call(client, method, **params)
    assert status == code, body
    assert body["ok"] is False and body["error_code"] == code
    assert body["description"].startswith(description), body["description"]
    return body


@contextlib.asynccontextmanager
async def serving(**kwargs: Any) -> AsyncIterator[tuple[FakeTelegramServer, httpx.AsyncClient]]:
    async with (
        FakeTelegramServer(**kwargs) as srv,
        httpx.AsyncClient(base_url=f"{srv.base_url}{srv.token}/") as client,
    ):
        yield srv, client


def png(width: int = 2, height: int = 3) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------- basics


async def test_get_me_and_case_insensitive_method(
    server: FakeTelegramServer, api: httpx.AsyncClient
) -> None:
    me = await ok(api, "GETME")
    assert me["is_bot"] is True and me["username"] == "coalition_test_bot"
    assert me["id"] == 123456 and me["first_name"] == "Coalition Bot"
    assert me["can_read_all_group_messages"] is False
    assert server.calls["getMe"] == 1


async def test_wrong_token_and_unknown_method(server: FakeTelegramServer) -> None:
    async with httpx.AsyncClient() as client:
        bad = await client.post(f"{server.base_url}123:wrong/getMe")
        assert bad.status_code == 401
        assert bad.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        unknown = await client.post(f"{server.base_url}{server.token}/sendCarrierPigeon")
        assert unknown.status_code == 404 and unknown.json()["description"] == "Not Found"
        elsewhere = await client.get(f"http://127.0.0.1:{server.port}/nothing")
        assert elsewhere.status_code == 404
    assert [r.error_code for r in server.rejections] == [401, 404]
    assert server.calls["sendCarrierPigeon"] == 1


async def test_json_body_and_get_are_accepted(
    server: FakeTelegramServer, api: httpx.AsyncClient, alice: FakeUser
) -> None:
    response = await api.post("sendMessage", json={"chat_id": ALICE, "text": "json body"})
    assert response.json()["ok"] is True
    response = await api.get("sendMessage", params={"chat_id": str(ALICE), "text": "query"})
    assert response.json()["result"]["text"] == "query"
    record = server.requests[-1]
    assert record.method == "sendMessage" and record.ok and record.params["chat_id"] == ALICE


async def test_form_fields_are_not_json_decoded_as_text(
    api: httpx.AsyncClient, alice: FakeUser
) -> None:
    result = await ok(api, "sendMessage", chat_id=ALICE, text='{"a": 1}')
    assert result["text"] == '{"a": 1}'
    result = await ok(api, "sendMessage", chat_id=ALICE, text="123")
    assert result["text"] == "123"


async def test_sent_message_is_a_full_message(
    server: FakeTelegramServer, api: httpx.AsyncClient, alice: FakeUser
) -> None:
    result = await ok(
        api, "sendMessage", chat_id=ALICE, text="😀 <b>Hi</b> &amp; bye", parse_mode="HTML"
    )
    assert isinstance(result["message_id"], int) and isinstance(result["date"], int)
    assert result["chat"] == {"id": ALICE, "type": "private", "first_name": "Alice"}
    assert result["from"]["id"] == server.bot_id and result["from"]["is_bot"] is True
    assert result["text"] == "😀 Hi & bye"
    assert result["entities"] == [{"offset": 3, "length": 2, "type": "bold"}]
    [sent] = alice.bot_messages
    assert sent.html == "😀 <b>Hi</b> &amp; bye" and sent.parse_mode == "HTML"
    assert sent.to_api() == result


# --------------------------------------------------------------------------- text rules


async def test_text_empty(api: httpx.AsyncClient, alice: FakeUser) -> None:
    empty = "Bad Request: message text is empty"
    await rejected(api, "sendMessage", 400, empty, chat_id=ALICE, text="")
    await rejected(api, "sendMessage", 400, empty, chat_id=ALICE)
    await rejected(api, "sendMessage", 400, empty, chat_id=ALICE, text=" \n ")
    await rejected(
        api, "sendMessage", 400, empty, chat_id=ALICE, text="<b> </b>", parse_mode="HTML"
    )
    await ok(api, "sendMessage", chat_id=ALICE, text="x")


async def test_text_length_boundary(server: FakeTelegramServer, api: httpx.AsyncClient) -> None:
    server.limits.enabled = False
    user = server.add_user(ALICE, "Alice")
    await user.send("hi")
    too_long = "Bad Request: message is too long"
    await ok(api, "sendMessage", chat_id=ALICE, text="a" * 4096)
    await rejected(api, "sendMessage", 400, too_long, chat_id=ALICE, text="a" * 4097)
    # Counted after entity parsing: markup does not count ...
    await ok(api, "sendMessage", chat_id=ALICE, text=f"<b>{'a' * 4096}</b>", parse_mode="HTML")
    await ok(api, "sendMessage", chat_id=ALICE, text="&amp;" * 4096, parse_mode="HTML")
    # ... and in UTF-16 code units: an emoji counts twice.
    await ok(api, "sendMessage", chat_id=ALICE, text="😀" * 2048)
    await rejected(api, "sendMessage", 400, too_long, chat_id=ALICE, text="😀" * 2049)


async def test_caption_length_boundary(api: httpx.AsyncClient, alice: FakeUser) -> None:
    doc = {"document": ("a.txt", b"x", "text/plain")}
    status, body = await call(api, "sendDocument", files=doc, chat_id=ALICE, caption="c" * 1024)
    assert status == 200 and body["result"]["caption"] == "c" * 1024
    status, body = await call(api, "sendDocument", files=doc, chat_id=ALICE, caption="c" * 1025)
    assert status == 400 and body["description"] == "Bad Request: message caption is too long"


@pytest.mark.parametrize(
    "bad", ["<foo>x</foo>", "1 < 2", "<b>unclosed", "<b><i>x</b></i>", "AT&T", "&nbsp;x"]
)
async def test_html_rejected(api: httpx.AsyncClient, alice: FakeUser, bad: str) -> None:
    body = await rejected(
        api,
        "sendMessage",
        400,
        "Bad Request: can't parse entities: ",
        chat_id=ALICE,
        text=bad,
        parse_mode="HTML",
    )
    assert len(body["description"]) > len("Bad Request: can't parse entities: ")
    # The same text without parse_mode is plain text and fine.
    assert (await ok(api, "sendMessage", chat_id=ALICE, text=bad))["text"] == bad


async def test_html_escape_always_accepted(
    server: FakeTelegramServer, api: httpx.AsyncClient, alice: FakeUser
) -> None:
    server.limits.enabled = False
    nasty = "<script>alert('x')</script> & \"Tom & Jerry\" <3 &amp; 😀 a<b"
    result = await ok(
        api, "sendMessage", chat_id=ALICE, text=f"<i>{html.escape(nasty)}</i>", parse_mode="HTML"
    )
    assert result["text"] == nasty
    assert result["entities"] == [{"offset": 0, "length": len(nasty) + 1, "type": "italic"}]


async def test_markdown_v2_obviously_broken(api: httpx.AsyncClient, alice: FakeUser) -> None:
    await rejected(
        api,
        "sendMessage",
        400,
        "Bad Request: can't parse entities",
        chat_id=ALICE,
        text="Deadline: 1.5.",
        parse_mode="MarkdownV2",
    )
    result = await ok(
        api, "sendMessage", chat_id=ALICE, text=r"Deadline: *1\.5\.*", parse_mode="MarkdownV2"
    )
    assert result["text"] == "Deadline: 1.5." and result["entities"][0]["type"] == "bold"


# --------------------------------------------------------------------------- reply_markup


def keyboard(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"inline_keyboard": [list(buttons)]}


async def test_reply_markup_malformed_json(api: httpx.AsyncClient, alice: FakeUser) -> None:
    bad = "Bad Request: can't parse reply keyboard markup JSON object"
    await rejected(api, "sendMessage", 400, bad, chat_id=ALICE, text="x", reply_markup="{nope")
    await rejected(api, "sendMessage", 400, bad, chat_id=ALICE, text="x", reply_markup="[1]")
    result = await ok(
        api,
        "sendMessage",
        chat_id=ALICE,
        text="x",
        reply_markup=keyboard({"text": "Sign", "callback_data": "sign:1"}),
    )
    assert result["reply_markup"] == keyboard({"text": "Sign", "callback_data": "sign:1"})


@pytest.mark.parametrize(
    ("data", "accepted"),
    [
        ("a" * 64, True),
        ("a" * 65, False),
        ("я" * 32, True),  # 64 bytes in UTF-8
        ("я" * 33, False),  # 33 characters but 66 bytes
        ("", False),
    ],
)
async def test_callback_data_bytes(
    server: FakeTelegramServer, api: httpx.AsyncClient, alice: FakeUser, data: str, accepted: bool
) -> None:
    markup = keyboard({"text": "B", "callback_data": data})
    if accepted:
        await ok(api, "sendMessage", chat_id=ALICE, text="x", reply_markup=markup)
    else:
        await rejected(
            api,
            "sendMessage",
            400,
            "Bad Request: BUTTON_DATA_INVALID",
            chat_id=ALICE,
            text="x",
            reply_markup=markup,
        )


@pytest.mark.parametrize(
    "button",
    [
        {"text": "", "callback_data": "x"},
        {"callback_data": "x"},
        {"text": "plain"},
        {"text": "two", "callback_data": "x", "url": "https://e.org"},
        {"text": "url", "url": "not a url"},
    ],
)
async def test_invalid_buttons(api: httpx.AsyncClient, alice: FakeUser, button: dict) -> None:
    await rejected(
        api,
        "sendMessage",
        400,
        "Bad Request: ",
        chat_id=ALICE,
        text="x",
        reply_markup=keyboard(button),
    )


async def test_url_button_and_reply_keyboard_accepted(
    api: httpx.AsyncClient, alice: FakeUser
) -> None:
    result = await ok(
        api,
        "sendMessage",
        chat_id=ALICE,
        text="x",
        reply_markup=keyboard({"text": "Docs", "url": "https://example.org/doc"}),
    )
    assert result["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://example.org/doc"
    result = await ok(
        api, "sendMessage", chat_id=ALICE, text="y", reply_markup={"keyboard": [["Yes", "No"]]}
    )
    assert "reply_markup" not in result  # reply keyboards are not part of the Message
    await ok(api, "sendMessage", chat_id=ALICE, text="z", reply_markup={"remove_keyboard": True})


# --------------------------------------------------------------------------- chat access


async def test_chat_access_rules(server: FakeTelegramServer, api: httpx.AsyncClient) -> None:
    await rejected(api, "sendMessage", 400, "Bad Request: chat not found", chat_id=999, text="x")
    await rejected(api, "sendMessage", 400, "Bad Request: chat_id is empty", text="x")
    bob = server.add_user(BOB, "Bob")
    never = "Forbidden: bot can't initiate conversation with a user"
    await rejected(api, "sendMessage", 403, never, chat_id=BOB, text="x")
    await bob.send("hello")
    await ok(api, "sendMessage", chat_id=BOB, text="x")
    bob.block()
    blocked = "Forbidden: bot was blocked by the user"
    await rejected(api, "sendMessage", 403, blocked, chat_id=BOB, text="x")
    await rejected(api, "sendChatAction", 403, blocked, chat_id=BOB, action="typing")
    bob.unblock()
    await ok(api, "sendMessage", chat_id=BOB, text="back")
    await ok(api, "sendChatAction", chat_id=BOB, action="typing")
    await rejected(
        api,
        "sendChatAction",
        400,
        "Bad Request: wrong parameter action",
        chat_id=BOB,
        action="dancing",
    )


async def test_group_membership(server: FakeTelegramServer, api: httpx.AsyncClient) -> None:
    group = server.add_group(-100, "Coalition")
    admin = server.add_user(ALICE, "Alice")
    not_member = "Forbidden: bot is not a member of the group chat"
    await rejected(api, "sendMessage", 403, not_member, chat_id=-100, text="x")
    await group.add_bot(by=admin)
    await ok(api, "sendMessage", chat_id=-100, text="x")
    assert await ok(api, "leaveChat", chat_id=-100) is True
    assert group.bot_is_member is False
    await rejected(api, "sendMessage", 403, not_member, chat_id=-100, text="x")
    await rejected(api, "leaveChat", 403, not_member, chat_id=-100)
    kinds = [next(k for k in u if k != "update_id") for u in server.pending_updates]
    assert kinds == ["my_chat_member", "message", "my_chat_member"]


async def test_get_chat(
    server: FakeTelegramServer, api: httpx.AsyncClient, alice: FakeUser
) -> None:
    chat = await ok(api, "getChat", chat_id=ALICE)
    assert chat["id"] == ALICE and chat["type"] == "private"
    server.add_user(BOB, "Bob")
    await rejected(api, "getChat", 400, "Bad Request: chat not found", chat_id=BOB)


# --------------------------------------------------------------------------- editing


async def test_edit_rules(
    server: FakeTelegramServer, api: httpx.AsyncClient, alice: FakeUser
) -> None:
    server.limits.enabled = False
    markup = keyboard({"text": "Sign", "callback_data": "sign"})
    sent = await ok(
        api, "sendMessage", chat_id=ALICE, text="<b>v1</b>", parse_mode="HTML", reply_markup=markup
    )
    mid = sent["message_id"]
    not_found = "Bad Request: message to edit not found"
    await rejected(api, "editMessageText", 400, not_found, chat_id=ALICE, message_id=999, text="x")
    user_message_id = alice.messages[0].message_id  # the user's /start
    await rejected(
        api, "editMessageText", 400, not_found, chat_id=ALICE, message_id=user_message_id, text="x"
    )
    not_modified = "Bad Request: message is not modified: specified new message content"
    await rejected(
        api,
        "editMessageText",
        400,
        not_modified,
        chat_id=ALICE,
        message_id=mid,
        text="<b>v1</b>",
        parse_mode="HTML",
        reply_markup=markup,
    )
    # Same text, different entities: modified.
    edited = await ok(
        api, "editMessageText", chat_id=ALICE, message_id=mid, text="v1", reply_markup=markup
    )
    assert "entities" not in edited
    assert "edit_date" in edited and edited["reply_markup"] == markup
    # Omitting reply_markup removes the keyboard, like Telegram.
    edited = await ok(api, "editMessageText", chat_id=ALICE, message_id=mid, text="v2")
    assert "reply_markup" not in edited
    assert alice.bot_messages[-1].text == "v2" and alice.bot_messages[-1].buttons == []
    # editMessageReplyMarkup: adding then re-setting the same markup.
    await ok(api, "editMessageReplyMarkup", chat_id=ALICE, message_id=mid, reply_markup=markup)
    await rejected(
        api,
        "editMessageReplyMarkup",
        400,
        not_modified,
        chat_id=ALICE,
        message_id=mid,
        reply_markup=markup,
    )
    await ok(api, "editMessageReplyMarkup", chat_id=ALICE, message_id=mid)
    await rejected(api, "editMessageReplyMarkup", 400, not_modified, chat_id=ALICE, message_id=mid)
    await rejected(
        api,
        "editMessageText",
        400,
        "Bad Request: can't parse entities",
        chat_id=ALICE,
        message_id=mid,
        text="<b>",
        parse_mode="HTML",
    )


# --------------------------------------------------------------------------- deleting


async def test_delete_rules_and_48h_window() -> None:
    now = [1_700_000_000.0]
    async with serving(clock=lambda: now[0]) as (server, client):
        user = server.add_user(ALICE, "Alice")
        await user.send("/start")
        first = await ok(client, "sendMessage", chat_id=ALICE, text="one")
        second = await ok(client, "sendMessage", chat_id=ALICE, text="two")
        assert first["date"] == 1_700_000_000
        not_found = "Bad Request: message to delete not found"
        await rejected(client, "deleteMessage", 400, not_found, chat_id=ALICE, message_id=99)

        now[0] += 48 * 3600 - 1  # just inside the window
        assert (
            await ok(client, "deleteMessage", chat_id=ALICE, message_id=first["message_id"]) is True
        )
        await rejected(
            client,
            "deleteMessage",
            400,
            not_found,
            chat_id=ALICE,
            message_id=first["message_id"],
        )
        assert [m.text for m in user.messages] == ["/start", "two"]
        assert [m.text for m in server.messages_sent_to(ALICE)] == ["one", "two"]
        assert server.messages_sent_to(ALICE)[0].deleted is True

        now[0] += 2  # 48h + 1s
        await rejected(
            client,
            "deleteMessage",
            400,
            "Bad Request: message can't be deleted for everyone",
            chat_id=ALICE,
            message_id=second["message_id"],
        )


# --------------------------------------------------------------------------- rate limits


async def test_per_chat_burst_and_retry_after(api: httpx.AsyncClient, alice: FakeUser) -> None:
    for i in range(3):
        await ok(api, "sendMessage", chat_id=ALICE, text=f"burst {i}")
    body = await rejected(
        api, "sendMessage", 429, "Too Many Requests: retry after ", chat_id=ALICE, text="x"
    )
    retry = body["parameters"]["retry_after"]
    assert isinstance(retry, int) and retry >= 1
    assert body["description"] == f"Too Many Requests: retry after {retry}"
    # Edits count too.
    await rejected(
        api,
        "editMessageText",
        429,
        "Too Many Requests",
        chat_id=ALICE,
        message_id=alice.bot_messages[0].message_id,
        text="edited",
    )


async def test_rejected_requests_do_not_consume_budget() -> None:
    limits = Limits(per_chat_per_second=10, per_chat_burst=1)
    async with serving(limits=limits) as (server, client):
        user = server.add_user(ALICE, "Alice")
        await user.send("hi")
        # A 400 does not use the single token ...
        await rejected(
            client,
            "sendMessage",
            400,
            "Bad Request",
            chat_id=ALICE,
            text="<x>",
            parse_mode="HTML",
        )
        await ok(client, "sendMessage", chat_id=ALICE, text="first")
        # ... nor do repeated 429s: after one refill interval the next send passes.
        for _ in range(5):
            await rejected(
                client, "sendMessage", 429, "Too Many Requests", chat_id=ALICE, text="again"
            )
        await asyncio.sleep(0.12)
        await ok(client, "sendMessage", chat_id=ALICE, text="second")


async def test_global_limit() -> None:
    limits = Limits(global_per_second=5, per_chat_burst=100)
    async with serving(limits=limits) as (server, client):
        for uid in range(1, 8):
            await server.add_user(uid, f"U{uid}").send("/start")
        for uid in range(1, 6):
            await ok(client, "sendMessage", chat_id=uid, text="news")
        body = await rejected(
            client, "sendMessage", 429, "Too Many Requests", chat_id=6, text="news"
        )
        assert body["parameters"]["retry_after"] == 1


async def test_edits_share_the_chat_limit_but_not_the_overall_one() -> None:
    # Telegram: the overall ~30/s is for sending; edits share only the per-chat limits.
    limits = Limits(global_per_second=3, per_chat_burst=2)
    async with serving(limits=limits) as (server, client):
        users = [server.add_user(uid, f"U{uid}") for uid in range(1, 7)]
        for user in users:
            await user.send("/start")
        sent = [await ok(client, "sendMessage", chat_id=u.id, text="a") for u in users[:3]]
        await rejected(client, "sendMessage", 429, "Too Many Requests", chat_id=4, text="a")
        for message in sent:  # overall window full, edits in other chats still pass
            chat = message["chat"]["id"]
            await ok(client, "editMessageText", chat_id=chat,
                     message_id=message["message_id"], text="b")  # fmt: skip
        # … but the chat's own bucket (burst 2: one send, one edit) is now empty.
        await rejected(
            client, "editMessageText", 429, "Too Many Requests", chat_id=1,
            message_id=sent[0]["message_id"], text="c",
        )  # fmt: skip


async def test_group_limit_per_minute() -> None:
    limits = Limits(group_per_minute=3)
    async with serving(limits=limits) as (server, client):
        group = server.add_group(-5, "G")
        await group.add_bot(server.add_user(ALICE, "Alice"))
        for i in range(3):
            await ok(client, "sendMessage", chat_id=-5, text=f"g{i}")
        body = await rejected(
            client, "sendMessage", 429, "Too Many Requests", chat_id=-5, text="g3"
        )
        assert 55 <= body["parameters"]["retry_after"] <= 60


async def test_rate_limits_can_be_disabled() -> None:
    async with serving(limits=Limits(enabled=False)) as (server, client):
        await server.add_user(ALICE, "Alice").send("/start")
        for i in range(40):
            await ok(client, "sendMessage", chat_id=ALICE, text=f"m{i}")


# --------------------------------------------------------------------------- files


async def test_document_upload_getfile_download(
    server: FakeTelegramServer, api: httpx.AsyncClient, alice: FakeUser
) -> None:
    content = b"%PDF-1.4 letter"
    status, body = await call(
        api,
        "sendDocument",
        files={"document": ("letter.pdf", content, "application/pdf")},
        chat_id=ALICE,
        caption="<b>Letter</b>",
        parse_mode="HTML",
        protect_content=True,
    )
    assert status == 200, body
    msg = body["result"]
    doc = msg["document"]
    assert doc["file_name"] == "letter.pdf" and doc["mime_type"] == "application/pdf"
    assert doc["file_size"] == len(content) and doc["file_unique_id"]
    assert msg["caption"] == "Letter" and msg["caption_entities"][0]["type"] == "bold"
    assert msg["has_protected_content"] is True
    assert alice.bot_messages[-1].protect_content is True
    file = await ok(api, "getFile", file_id=doc["file_id"])
    assert file["file_size"] == len(content)
    async with httpx.AsyncClient() as client:
        got = await client.get(f"{server.base_file_url}{server.token}/{file['file_path']}")
        assert got.status_code == 200 and got.content == content
        wrong_token = await client.get(f"{server.base_file_url}1:x/{file['file_path']}")
        assert wrong_token.status_code == 404
        wrong_path = await client.get(f"{server.base_file_url}{server.token}/documents/nope")
        assert wrong_path.status_code == 404
    # Re-sending by file_id works; an unknown file_id does not.
    again = await ok(api, "sendDocument", chat_id=ALICE, document=doc["file_id"])
    assert again["document"]["file_id"] == doc["file_id"]
    await rejected(
        api,
        "sendDocument",
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
        chat_id=ALICE,
        document="BQACnope",
    )
    await rejected(api, "getFile", 400, "Bad Request: wrong file_id", file_id="nope")
    # Each upload is recorded as it arrived (a re-send by file_id uploads nothing).
    assert server.uploads == [Upload("document", str(ALICE), "letter.pdf", "application/pdf", 15)]


async def test_photo_uploads_keep_their_name_and_type(
    server: FakeTelegramServer, api: httpx.AsyncClient, alice: FakeUser
) -> None:
    for name, mime in (("chart.png", "image/png"), ("application.octet-stream", None)):
        await ok(api, "sendPhoto", files={"photo": (name, png(), mime)}, chat_id=ALICE)
    assert [(u.field, u.file_name, u.mime_type) for u in server.uploads] == [
        ("photo", "chart.png", "image/png"),
        ("photo", "application.octet-stream", "application/octet-stream"),
    ]


async def test_upload_limits() -> None:
    limits = Limits(max_upload_bytes=100, max_download_bytes=50, enabled=False)
    async with serving(limits=limits) as (server, client):
        await server.add_user(ALICE, "Alice").send("/start")
        status, body = await call(
            client, "sendDocument", files={"document": ("a.bin", b"x" * 101)}, chat_id=ALICE
        )
        assert (status, body["description"]) == (413, "Request Entity Too Large")
        status, body = await call(
            client, "sendDocument", files={"document": ("a.bin", b"x" * 100)}, chat_id=ALICE
        )
        assert status == 200
        big_id = body["result"]["document"]["file_id"]
        await rejected(client, "getFile", 400, "Bad Request: file is too big", file_id=big_id)
        status, body = await call(
            client, "sendDocument", files={"document": ("a.bin", b"x" * 50)}, chat_id=ALICE
        )
        await ok(client, "getFile", file_id=body["result"]["document"]["file_id"])
        status, body = await call(
            client, "sendDocument", files={"document": ("e.txt", b"")}, chat_id=ALICE
        )
        assert (status, body["description"]) == (400, "Bad Request: file must be non-empty")


async def test_photo_rules() -> None:
    image = png(4, 3)
    limits = Limits(max_photo_bytes=len(image), enabled=False)
    async with serving(limits=limits) as (server, client):
        await server.add_user(ALICE, "Alice").send("/start")
        status, body = await call(
            client, "sendPhoto", files={"photo": ("p.png", image)}, chat_id=ALICE
        )
        assert status == 200, body
        [size] = body["result"]["photo"]
        assert (size["width"], size["height"]) == (4, 3)
        for bad in (b"not an image at all", image + b"\x00"):
            status, body = await call(
                client, "sendPhoto", files={"photo": ("p.png", bad)}, chat_id=ALICE
            )
            assert (status, body["description"]) == (400, "Bad Request: IMAGE_PROCESS_FAILED")
        status, body = await call(
            client, "sendPhoto", files={"photo": ("p.png", png(1, 30))}, chat_id=ALICE
        )
        assert body["description"] == "Bad Request: PHOTO_INVALID_DIMENSIONS"


# --------------------------------------------------------------------------- callbacks


async def test_answer_callback_query(
    server: FakeTelegramServer, api: httpx.AsyncClient, alice: FakeUser
) -> None:
    await ok(
        api,
        "sendMessage",
        chat_id=ALICE,
        text="Sign?",
        reply_markup=keyboard({"text": "Sign", "callback_data": "sign:7"}),
    )
    [msg] = alice.bot_messages
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    await rejected(api, "answerCallbackQuery", 400, too_old, callback_query_id="123")
    first = await alice.press(msg, "Sign")
    await rejected(
        api,
        "answerCallbackQuery",
        400,
        "Bad Request: MESSAGE_TOO_LONG",
        callback_query_id=first,
        text="x" * 201,
    )
    assert await ok(api, "answerCallbackQuery", callback_query_id=first, text="x" * 200) is True
    await rejected(api, "answerCallbackQuery", 400, too_old, callback_query_id=first)
    assert alice.callback_answers == [
        {"callback_query_id": first, "text": "x" * 200, "show_alert": False, "url": None}
    ]
    server.limits.callback_query_timeout = 0.05
    late = await alice.press(msg, "sign:7")
    await asyncio.sleep(0.08)
    await rejected(api, "answerCallbackQuery", 400, too_old, callback_query_id=late)


# --------------------------------------------------------------------------- commands


async def test_set_my_commands(server: FakeTelegramServer, api: httpx.AsyncClient) -> None:
    good = [{"command": "start", "description": "Start"}, {"command": "sign_2", "description": "S"}]
    assert await ok(api, "setMyCommands", commands=good) is True
    await ok(
        api,
        "setMyCommands",
        commands=good[:1],
        scope={"type": "all_private_chats"},
        language_code="fr",
    )
    assert server.commands[("default", "")] == good
    assert server.commands[("all_private_chats", "fr")] == good[:1]
    assert await ok(api, "getMyCommands") == good
    assert await ok(api, "getMyCommands", language_code="de") == []
    invalid = "Bad Request: BOT_COMMAND_INVALID"
    for name in ("Start", "", "a" * 33, "sign-up", "/start"):
        await rejected(
            api, "setMyCommands", 400, invalid, commands=[{"command": name, "description": "d"}]
        )
    await ok(api, "setMyCommands", commands=[{"command": "a" * 32, "description": "d" * 256}])
    await rejected(
        api,
        "setMyCommands",
        400,
        "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID",
        commands=[{"command": "x", "description": "d" * 257}],
    )
    await rejected(
        api,
        "setMyCommands",
        400,
        "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID",
        commands=[{"command": "x", "description": ""}],
    )
    many = [{"command": f"c{i}", "description": "d"} for i in range(101)]
    await rejected(api, "setMyCommands", 400, "Bad Request: too many commands", commands=many)
    await ok(api, "setMyCommands", commands=many[:100])
    chat_scope = {"type": "chat", "chat_id": ALICE}
    await rejected(
        api, "setMyCommands", 400, "Bad Request: chat not found", commands=good, scope=chat_scope
    )
    await server.add_user(ALICE, "Alice").send("/start")
    await ok(api, "setMyCommands", commands=good, scope=chat_scope)
    assert server.commands[(f"chat:{ALICE}", "")] == good
    assert await ok(api, "deleteMyCommands") is True
    assert ("default", "") not in server.commands


# --------------------------------------------------------------------------- getUpdates


async def test_get_updates_offset_and_limit(
    server: FakeTelegramServer, api: httpx.AsyncClient
) -> None:
    user = server.add_user(ALICE, "Alice")
    for i in range(5):
        await user.send(f"m{i}")
    updates = await ok(api, "getUpdates", limit=2)
    assert [u["message"]["text"] for u in updates] == ["m0", "m1"]
    again = await ok(api, "getUpdates", limit=2)
    assert again == updates  # not confirmed yet
    rest = await ok(api, "getUpdates", offset=updates[-1]["update_id"] + 1)
    assert [u["message"]["text"] for u in rest] == ["m2", "m3", "m4"]
    assert await ok(api, "getUpdates", offset=rest[-1]["update_id"] + 1) == []
    assert server.pending_updates == []
    await user.send("/start")
    [cmd] = await ok(api, "getUpdates")
    assert cmd["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert cmd["message"]["from"]["id"] == ALICE


async def test_long_poll_holds_then_wakes(
    server: FakeTelegramServer, api: httpx.AsyncClient
) -> None:
    started = time.monotonic()
    assert await ok(api, "getUpdates", timeout=0.5) == []
    assert time.monotonic() - started >= 0.45
    assert server.calls["getUpdates"] == 1
    user = server.add_user(ALICE, "Alice")

    async def later() -> None:
        await asyncio.sleep(0.1)
        await user.send("wake up")

    task = asyncio.create_task(later())
    started = time.monotonic()
    updates = await ok(api, "getUpdates", timeout=1)
    await task
    assert 0.05 <= time.monotonic() - started < 0.8
    assert updates[0]["message"]["text"] == "wake up"


async def test_concurrent_get_updates_conflict(
    server: FakeTelegramServer, api: httpx.AsyncClient
) -> None:
    first = asyncio.create_task(call(api, "getUpdates", timeout=1))
    await asyncio.sleep(0.1)
    second = await call(api, "getUpdates", timeout=0)
    status, body = await first
    # Like Telegram, the request that was being held is the one terminated.
    assert status == 409 and body["description"].startswith(
        "Conflict: terminated by other getUpdates request; make sure that only one bot"
    )
    assert second == (200, {"ok": True, "result": []})


async def test_allowed_updates(server: FakeTelegramServer, api: httpx.AsyncClient) -> None:
    user = server.add_user(ALICE, "Alice")
    await ok(api, "getUpdates", allowed_updates=["callback_query"])
    await user.send("ignored")
    assert await ok(api, "getUpdates") == []
    await ok(api, "getUpdates", allowed_updates=[])
    await user.send("seen")
    assert [u["message"]["text"] for u in await ok(api, "getUpdates")] == ["seen"]


# --------------------------------------------------------------------------- webhooks


async def test_webhook_validation_and_conflict(
    server: FakeTelegramServer, api: httpx.AsyncClient
) -> None:
    https_needed = "Bad Request: bad webhook: An HTTPS URL must be provided"
    await rejected(api, "setWebhook", 400, https_needed, url="http://example.org/hook")
    await rejected(
        api,
        "setWebhook",
        400,
        "Bad Request: bad webhook: Webhook can be set up only",
        url="https://example.org:8080/hook",
    )
    bad_secret = "Bad Request: secret token contains unallowed characters"
    await rejected(
        api, "setWebhook", 400, bad_secret, url="https://example.org/h", secret_token="has space"
    )
    await rejected(
        api, "setWebhook", 400, bad_secret, url="https://example.org/h", secret_token="x" * 257
    )
    assert await ok(api, "setWebhook", url="https://example.org/h", secret_token="A-z_9" * 51)
    assert server.webhook == {"url": "https://example.org/h", "secret_token": "A-z_9" * 51}
    await rejected(api, "getUpdates", 409, "Conflict: can't use getUpdates method while webhook")
    assert (await ok(api, "getWebhookInfo"))["url"] == "https://example.org/h"
    await ok(api, "deleteWebhook", drop_pending_updates=True)
    assert server.webhook is None
    assert await ok(api, "getUpdates") == []


async def test_webhook_delivery_with_retry(
    server: FakeTelegramServer, api: httpx.AsyncClient
) -> None:
    import tornado.web
    from tornado.httpserver import HTTPServer
    from tornado.netutil import bind_sockets

    received: list[tuple[str | None, dict[str, Any]]] = []
    answers = [500, 200, 200]

    class Hook(tornado.web.RequestHandler):
        def post(self) -> None:
            received.append(
                (
                    self.request.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                    json.loads(self.request.body),
                )
            )
            self.set_status(answers.pop(0))

    hook_server = HTTPServer(tornado.web.Application([(r"/hook", Hook)]))
    sockets = bind_sockets(0, "127.0.0.1")
    hook_server.add_sockets(sockets)
    port = sockets[0].getsockname()[1]
    try:
        user = server.add_user(ALICE, "Alice")
        await user.send("before webhook")
        await ok(api, "setWebhook", url=f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        await user.send("after")
        await server.wait_until_idle(timeout=5)
        assert [r[1]["message"]["text"] for r in received] == ["before webhook"] * 2 + ["after"]
        assert {r[0] for r in received} == {"s3cret"}
        info = await ok(api, "getWebhookInfo")
        assert info["pending_update_count"] == 0
        assert info["last_error_message"].startswith("Wrong response from the webhook: 500")
    finally:
        hook_server.stop()
        await hook_server.close_all_connections()

"""The user-side driver: presses, blocking, groups, read cursors, idleness, update shapes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import Update

from bot.fake_telegram import FakeTelegramError, FakeTelegramServer, FakeUser, Limits

ALICE = 111


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(limits=Limits(enabled=False)) as srv:
        yield srv


@pytest.fixture
async def api(server: FakeTelegramServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{server.base_url}{server.token}/") as client:
        yield client


@pytest.fixture
async def alice(server: FakeTelegramServer) -> FakeUser:
    user = server.add_user(ALICE, "Alice", username="alice_hr")
    await user.send("/start")
    return user


async def bot_call(client: httpx.AsyncClient, method: str, **params: Any) -> Any:
    data = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    body = (await client.post(method, data=data)).json()
    assert body["ok"], body
    return body["result"]


def kinds(server: FakeTelegramServer) -> list[str]:
    return [next(k for k in u if k != "update_id") for u in server.pending_updates]


def assert_ptb_parses(server: FakeTelegramServer) -> None:
    for update in server.updates:
        parsed = Update.de_json(update, None)
        assert parsed is not None and parsed.update_id == update["update_id"]


async def test_press_only_real_current_buttons(
    server: FakeTelegramServer, api: httpx.AsyncClient, alice: FakeUser
) -> None:
    markup = {
        "inline_keyboard": [
            [{"text": "Sign", "callback_data": "sign:1"}],
            [{"text": "Read", "url": "https://example.org/letter"}],
        ]
    }
    sent = await bot_call(api, "sendMessage", chat_id=ALICE, text="Letter", reply_markup=markup)
    [msg] = await alice.next_messages()
    assert msg.message_id == sent["message_id"]
    query_id = await alice.press(msg, "Sign")
    await alice.press(msg, "sign:1")  # by callback_data works too
    update = server.pending_updates[-1]["callback_query"]
    assert update["data"] == "sign:1" and update["from"]["id"] == ALICE
    assert update["message"]["message_id"] == msg.message_id and update["chat_instance"]
    assert server.pending_updates[-2]["callback_query"]["id"] == query_id
    with pytest.raises(FakeTelegramError, match="no button"):
        await alice.press(msg, "Forge")
    with pytest.raises(FakeTelegramError, match="not a callback button"):
        await alice.press(msg, "Read")
    with pytest.raises(FakeTelegramError, match="not from the bot"):
        await alice.press(alice.messages[0], "Sign")
    # The keyboard is replaced: old buttons can no longer be pressed.
    await bot_call(api, "editMessageReplyMarkup", chat_id=ALICE, message_id=msg.message_id)
    with pytest.raises(FakeTelegramError, match="no button"):
        await alice.press(msg, "Sign")
    await bot_call(api, "deleteMessage", chat_id=ALICE, message_id=msg.message_id)
    with pytest.raises(FakeTelegramError, match="deleted"):
        await alice.press(msg, "Sign")
    assert_ptb_parses(server)


async def test_forged_callbacks(
    server: FakeTelegramServer, api: httpx.AsyncClient, alice: FakeUser
) -> None:
    await bot_call(api, "sendMessage", chat_id=ALICE, text="hi")
    [msg] = await alice.next_messages()
    await alice.forge_callback("admin:delete_all")
    forged = server.pending_updates[-1]["callback_query"]
    assert forged["data"] == "admin:delete_all"
    assert forged["message"]["message_id"] == msg.message_id
    await alice.forge_callback("x" * 200, message=msg)
    await bot_call(api, "deleteMessage", chat_id=ALICE, message_id=msg.message_id)
    await alice.forge_callback("sign:1", message=msg)
    inaccessible = server.pending_updates[-1]["callback_query"]["message"]
    assert inaccessible["date"] == 0
    parsed = Update.de_json(server.pending_updates[-1], None)
    assert parsed is not None and parsed.callback_query is not None
    assert parsed.callback_query.message is not None
    assert not parsed.callback_query.message.is_accessible


async def test_block_unblock_updates(server: FakeTelegramServer, alice: FakeUser) -> None:
    alice.block()
    with pytest.raises(FakeTelegramError, match="blocked"):
        await alice.send("hello?")
    alice.unblock()
    assert kinds(server) == ["message", "my_chat_member", "my_chat_member"]
    kicked = server.pending_updates[1]["my_chat_member"]
    assert kicked["new_chat_member"]["status"] == "kicked"
    assert kicked["old_chat_member"]["status"] == "member"
    assert server.pending_updates[2]["my_chat_member"]["new_chat_member"]["status"] == "member"
    assert_ptb_parses(server)


async def test_user_message_shapes(
    server: FakeTelegramServer, api: httpx.AsyncClient, alice: FakeUser
) -> None:
    assert alice.started is True
    await alice.send("😀 /help@coalition_test_bot")
    assert server.pending_updates[-1]["message"]["entities"] == [
        {"type": "bot_command", "offset": 3, "length": 24}
    ]
    await alice.send_sticker()
    await alice.send_location(46.2, 6.1)
    await alice.send_raw({"text": "raw", "via_bot": {"id": 5, "is_bot": True, "first_name": "X"}})
    doc = await alice.send_document("a.docx", b"PK..", caption="my letter")
    assert doc.document is not None
    assert doc.document["mime_type"].endswith("wordprocessingml.document")
    await bot_call(api, "sendMessage", chat_id=ALICE, text="Reply to this")
    [bot_msg] = await alice.next_messages()
    reply = await alice.reply(bot_msg, "my answer")
    assert server.pending_updates[-1]["message"]["reply_to_message"]["text"] == "Reply to this"
    assert reply.reply_to_message_id == bot_msg.message_id
    await alice.edit(reply, "my edited answer")
    assert kinds(server)[-1] == "edited_message"
    assert alice.messages[-1].text == "my edited answer"
    with pytest.raises(FakeTelegramError):
        await alice.edit(bot_msg, "not mine")
    assert_ptb_parses(server)
    assert server.pending_updates[0]["message"]["from"]["username"] == "alice_hr"


async def test_next_messages_cursor_and_timeouts(
    server: FakeTelegramServer, api: httpx.AsyncClient, alice: FakeUser
) -> None:
    with pytest.raises(TimeoutError, match="expected 1 new bot message"):
        await alice.next_messages(timeout=0.05)
    await bot_call(api, "sendMessage", chat_id=ALICE, text="one")
    await bot_call(api, "sendMessage", chat_id=ALICE, text="two")
    with pytest.raises(AssertionError, match="one"):
        await alice.expect_no_message(within=0.05)
    with pytest.raises(TimeoutError, match="arrived: #2 bot: 'one'") as caught:
        await alice.next_messages(3, timeout=0.05)
    assert "'two'" in str(caught.value)
    assert [m.text for m in await alice.next_messages(2)] == ["one", "two"]
    await alice.expect_no_message(within=0.05)
    assert [m.text for m in alice.bot_messages] == ["one", "two"]
    # A rejected send shows up in the timeout message, which helps debugging.
    await api.post("sendMessage", data={"chat_id": str(ALICE), "text": "<b>", "parse_mode": "HTML"})
    with pytest.raises(TimeoutError, match="can't parse entities"):
        await alice.next_messages(timeout=0.05)


async def test_group_privacy_and_membership(
    server: FakeTelegramServer, api: httpx.AsyncClient
) -> None:
    group = server.add_group(-1001, "Coalition", type="supergroup")
    alice = server.add_user(ALICE, "Alice")
    await group.send(alice, "before the bot joined /start")
    assert server.pending_updates == []
    await group.add_bot(by=alice)
    assert group.bot_is_member
    assert kinds(server) == ["my_chat_member", "message"]
    joined = server.pending_updates[1]["message"]
    assert joined["new_chat_members"][0]["id"] == server.bot_id
    await group.send(alice, "chatter the bot cannot see")
    await group.send(alice, "/status@other_bot")
    assert len(server.pending_updates) == 2
    await group.send(alice, "/status")
    await group.send(alice, "/status@coalition_test_bot")
    await group.send(alice, "hey @coalition_test_bot")
    sent = await bot_call(api, "sendMessage", chat_id=-1001, text="Bot here")
    bot_msg = group.find(sent["message_id"])
    assert bot_msg is not None
    await group.reply(alice, bot_msg, "reply to the bot")
    assert len(server.pending_updates) == 6
    assert [m.text for m in group.messages][-1] == "reply to the bot"
    assert_ptb_parses(server)


async def test_channel_posts(server: FakeTelegramServer, api: httpx.AsyncClient) -> None:
    channel = server.add_group(-1002, "News", type="channel")
    owner = server.add_user(ALICE, "Alice")
    await channel.post("unseen")
    await channel.add_bot(by=owner)
    await channel.post("seen")
    assert kinds(server) == ["my_chat_member", "channel_post"]
    status = server.pending_updates[0]["my_chat_member"]["new_chat_member"]["status"]
    assert status == "administrator"
    sent = await bot_call(api, "sendMessage", chat_id=-1002, text="From the bot")
    assert "from" not in sent and sent["sender_chat"]["id"] == -1002
    assert_ptb_parses(server)


async def test_wait_until_idle(server: FakeTelegramServer, api: httpx.AsyncClient) -> None:
    await server.wait_until_idle(quiet=0.01)
    alice = server.add_user(ALICE, "Alice")
    await alice.send("nobody polls")
    with pytest.raises(TimeoutError, match="1 update"):
        await server.wait_until_idle(quiet=0.01, timeout=0.1)
    updates = await bot_call(api, "getUpdates")
    with pytest.raises(TimeoutError):  # fetched but not yet confirmed
        await server.wait_until_idle(quiet=0.01, timeout=0.1)
    await bot_call(api, "getUpdates", offset=updates[-1]["update_id"] + 1)
    await server.wait_until_idle(quiet=0.05, timeout=1)


def test_driver_misuse(server: FakeTelegramServer) -> None:
    server.add_user(ALICE, "Alice")
    with pytest.raises(FakeTelegramError):
        server.add_user(ALICE, "Again")
    with pytest.raises(FakeTelegramError):
        server.user(999)
    with pytest.raises(FakeTelegramError):
        server.add_group(5, "positive id")
    assert server.messages_sent_to(999) == []


def png(width: int, height: int) -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_split_like_client_cuts_where_a_telegram_app_does() -> None:
    from bot.fake_telegram import split_like_client

    paragraph = "The coalition urges the Council to renew the mandate. " * 3  # 165 characters
    text = "\n\n".join([paragraph.strip()] * 4)  # 4 paragraphs, 666 characters
    parts = split_like_client(text, limit=400)
    # The latest paragraph break in the second half of the limit, the break itself dropped.
    assert parts == ["\n\n".join([paragraph.strip()] * 2), "\n\n".join([paragraph.strip()] * 2)]
    # No line break in reach: after a sentence rather than mid-clause, the space dropped.
    one_line = "First clause, second clause. " * 20  # 580 characters
    first, second = split_like_client(one_line, limit=300)
    assert first.endswith("second clause.") and len(first) <= 300
    assert first + " " + second == one_line.strip()
    # Lengths in UTF-16 code units, as Telegram counts them; short texts only trimmed.
    emoji = "😀" * 300  # 600 code units, no break anywhere
    assert [len(p) for p in split_like_client(emoji, limit=400)] == [200, 100]
    assert split_like_client("  hello \n", limit=400) == ["hello"]
    assert split_like_client(" \n ", limit=400) == []


async def test_paste_photo_and_file_shapes(server: FakeTelegramServer, alice: FakeUser) -> None:
    server.limits.max_text = 400
    text = "\n\n".join(["A paragraph of the letter, long enough to matter here."] * 12)
    parts = await alice.paste(text)
    assert len(parts) == 2 and all(len(m.text or "") <= 400 for m in parts)
    assert "\n\n".join(m.text or "" for m in parts) == text
    with pytest.raises(FakeTelegramError, match="empty"):
        await alice.paste("   ")

    photo = await alice.send_file("scan.png", png(2000, 1000), caption="page 1")
    assert photo.document is None and photo.caption == "page 1"
    sizes = [(p["width"], p["height"]) for p in photo.photo or []]
    assert sizes == [(90, 45), (320, 160), (800, 400), (1280, 640)]
    update = server.pending_updates[-1]["message"]
    assert [p["file_id"] for p in update["photo"]] == [p["file_id"] for p in photo.photo or []]
    assert len({p["file_unique_id"] for p in update["photo"]}) == 4  # each size its own file
    largest = server.file_content(update["photo"][-1]["file_id"])
    assert largest.startswith(b"\xff\xd8\xff")  # Telegram keeps photos as JPEG
    small = await alice.send_file("tiny.png", png(60, 40))
    assert [(p["width"], p["height"]) for p in small.photo or []] == [(60, 40)]

    letter = await alice.send_file("letter.md", b"# Letter\n")
    assert letter.document is not None and letter.document["file_name"] == "letter.md"
    with pytest.raises(FakeTelegramError, match="empty"):
        await alice.send_file("empty.txt", b"")
    with pytest.raises(FakeTelegramError, match="1024"):
        await alice.send_file("letter.md", b"x", caption="c" * 1025)
    with pytest.raises(FakeTelegramError, match="photo"):
        await alice.send_photo(b"not a picture")
    assert_ptb_parses(server)


async def test_save_writes_what_the_chat_received(
    server: FakeTelegramServer, api: httpx.AsyncClient, alice: FakeUser, tmp_path: Any
) -> None:
    for content in (b"first", b"second"):
        await api.post(
            "sendDocument",
            data={"chat_id": str(ALICE)},
            files={"document": ("../export.csv", content)},
        )
    first, second = alice.bot_messages
    assert alice.save(first, tmp_path).name == "export.csv"  # no path from the sender
    path = alice.save(second, tmp_path)
    assert path.name == "export (2).csv" and path.read_bytes() == b"second"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert alice.save(second, tmp_path, replace=True).read_bytes() == b"second"
    assert (tmp_path / "export.csv").read_bytes() == b"second"
    with pytest.raises(FakeTelegramError, match="no file"):
        alice.save(alice.messages[0], tmp_path)

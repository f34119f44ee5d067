"""The fake against the real python-telegram-bot client: error mapping, files, polling, webhook."""

from __future__ import annotations

import asyncio
import datetime as dtm
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from bot.fake_telegram import FakeTelegramServer, FakeUser

ALICE = 111


@pytest.fixture
async def server() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as srv:
        yield srv


@pytest.fixture
async def bot(server: FakeTelegramServer) -> AsyncIterator[Bot]:
    async with Bot(
        server.token, base_url=server.base_url, base_file_url=server.base_file_url
    ) as client:
        yield client


@pytest.fixture
async def alice(server: FakeTelegramServer) -> FakeUser:
    user = server.add_user(ALICE, "Alice")
    await user.send("/start")
    return user


async def test_bot_initialises_against_the_fake(server: FakeTelegramServer, bot: Bot) -> None:
    assert bot.username == "coalition_test_bot"
    assert bot.id == server.bot_id
    assert server.calls["getMe"] == 1


async def test_ptb_error_mapping(
    server: FakeTelegramServer, bot: Bot, alice: FakeUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(ALICE, "<b>oops", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(999, "x")
    server.add_user(222, "Bob")
    with pytest.raises(Forbidden, match="can't initiate conversation"):
        await bot.send_message(222, "x")
    alice.block()
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(ALICE, "x")
    alice.unblock()
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    with pytest.raises(RetryAfter) as caught:
        for i in range(10):
            await bot.send_message(ALICE, f"flood {i}")
    assert caught.value.retry_after >= dtm.timedelta(seconds=1)
    assert len(alice.bot_messages) == 3


async def test_ptb_invalid_token_and_unknown_method(server: FakeTelegramServer, bot: Bot) -> None:
    # 404 for an unknown method: InvalidToken at the HTTP layer, EndPointNotFound once initialised.
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendCarrierPigeon")
    # Bots that never initialise skip shutdown(), so close their HTTP clients explicitly.
    request = HTTPXRequest()
    await request.initialize()
    try:
        raw = Bot(server.token, base_url=server.base_url, request=request)
        with pytest.raises(InvalidToken):
            await raw.do_api_request("sendCarrierPigeon")
        wrong = Bot("123456:" + "B" * 35, base_url=server.base_url, request=request)
        with pytest.raises(InvalidToken):
            await wrong.get_me()
    finally:
        await request.shutdown()


async def test_ptb_conflict_while_webhook_set(bot: Bot) -> None:
    await bot.set_webhook("https://example.org/hook")
    with pytest.raises(Conflict):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates() == ()


async def test_ptb_document_roundtrip(
    server: FakeTelegramServer, bot: Bot, alice: FakeUser
) -> None:
    content = "Joint letter\nСигнатуры ✓\n".encode()
    message = await bot.send_document(
        ALICE, document=content, filename="letter.txt", caption="Draft", protect_content=True
    )
    assert message.document is not None and message.document.file_name == "letter.txt"
    assert message.document.mime_type == "text/plain"
    assert message.has_protected_content is True
    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == content
    [sent] = alice.bot_messages
    assert sent.document is not None and sent.caption == "Draft"
    with pytest.raises(NetworkError):  # PTB maps 413 to a NetworkError "File too large"
        server.limits.max_upload_bytes = 10
        await bot.send_document(ALICE, document=b"x" * 11, filename="big.bin")


async def test_ptb_downloads_a_user_upload(
    server: FakeTelegramServer, bot: Bot, alice: FakeUser
) -> None:
    await alice.send_document("signatures.csv", b"org,name\nA,B\n")
    updates = await bot.get_updates()
    doc = updates[-1].message.document
    assert doc.file_name == "signatures.csv" and doc.mime_type == "text/csv"
    file = await bot.get_file(doc.file_id)
    assert bytes(await file.download_as_bytearray()) == b"org,name\nA,B\n"


def _build_app(server: FakeTelegramServer, errors: list[BaseException]) -> Application:
    app = (
        Application.builder()
        .token(server.token)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Sign", callback_data="sign:1"),
                    InlineKeyboardButton("Decline", callback_data="decline:1"),
                ]
            ]
        )
        await update.effective_message.reply_html(
            "Welcome, <b>coalition</b> &amp; friends", reply_markup=keyboard
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Recorded", show_alert=True)
        await query.edit_message_text(f"You chose: {query.data}")

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        errors.append(context.error)

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_error_handler(on_error)
    return app


async def test_application_polling_start_and_press(server: FakeTelegramServer) -> None:
    alice = server.add_user(ALICE, "Alice")
    errors: list[BaseException] = []
    app = _build_app(server, errors)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            await alice.send("/start@coalition_test_bot")
            [welcome] = await alice.next_messages()
            assert welcome.text == "Welcome, coalition & friends"
            assert welcome.buttons == [[("Sign", "sign:1"), ("Decline", "decline:1")]]
            await alice.press(welcome, "Sign")
            await server.wait_until_idle()
            assert alice.callback_answers[0]["text"] == "Recorded"
            assert alice.callback_answers[0]["show_alert"] is True
            assert welcome.text == "You chose: sign:1" and welcome.buttons == []
            await alice.expect_no_message(within=0.1)
        finally:
            await app.updater.stop()
            await app.stop()
    assert errors == []
    assert server.pending_updates == []
    assert [r for r in server.rejections if r.method != "getUpdates"] == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_application_webhook(server: FakeTelegramServer) -> None:
    alice = server.add_user(ALICE, "Alice")
    errors: list[BaseException] = []
    app = _build_app(server, errors)
    port = _free_port()
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="s3cret-Token_1",
        )
        try:
            assert server.webhook == {
                "url": f"http://127.0.0.1:{port}/hook",
                "secret_token": "s3cret-Token_1",
            }
            await alice.send("/start")
            [welcome] = await alice.next_messages()
            await alice.press(welcome, "decline:1")
            await server.wait_until_idle()
            assert welcome.text == "You chose: decline:1"
        finally:
            await app.updater.stop()
            await app.stop()
    assert errors == []
    await asyncio.sleep(0)

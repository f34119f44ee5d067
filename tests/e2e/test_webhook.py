"""Issue 7: in webhook mode only requests carrying the secret header are processed.

tests/e2e/test_run_process.py runs `coalition-bot run` in webhook mode (the secret is
registered with setWebhook; the fake server's deliveries are processed; a request
without the header gets 403). Here, in process: a wrong header is refused too, a
refused update changes nothing and gets no answer, and a request with the right
header is processed.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Update

from bot import texts
from bot.app import build_application, post_init, stop_in_process
from bot.clock import FakeClock
from bot.demo.settle import Settler
from bot.fake_telegram import FakeTelegramServer, FakeUser
from tests.harness import COORDINATOR_ID, make_settings

SECRET = "s3cret_Value-1"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

# The bot keeps Telegram's pace here (it is not the harness's): so does the fake.
pytestmark = pytest.mark.telegram_pace


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _update(tg: FakeTelegramServer, user: FakeUser, update_id: int, text: str) -> dict[str, Any]:
    # A message as Telegram would post it (the fake server's own builder gives the shape).
    message = tg._new_user_message(user, user, {"text": text})
    return {"update_id": update_id, "message": message.to_api()}


async def test_only_the_secret_header_gets_an_update_processed(
    tg: FakeTelegramServer, clock: FakeClock, tmp_path: Path
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram/hook"
    settings = make_settings(
        tg, tmp_path, webhook_url=url, webhook_secret=SECRET, webhook_port=port
    )
    coordinator = tg.add_user(COORDINATOR_ID, "Olena")
    stranger = tg.add_user(4242, "Stranger")
    app = build_application(settings, clock=clock)
    await app.initialize()
    try:
        await post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="telegram/hook",
            webhook_url=url,
            secret_token=SECRET,
            allowed_updates=Update.ALL_TYPES,
        )
        assert tg.webhook is not None and tg.webhook["secret_token"] == SECRET
        settler = Settler(app, tg, clock)
        # Updates the fake server posts itself carry the header and are answered.
        await coordinator.send("/whoami")
        await settler.settle()
        [first] = coordinator.unread
        assert first.text == "You are a coordinator of this coalition."
        await stranger.send("/start")
        await settler.settle()
        [neutral] = stranger.unread
        assert neutral.text == texts.NEUTRAL
        coordinator.mark_all_read()
        stranger.mark_all_read()
        async with httpx.AsyncClient() as client:
            forged = [
                ({}, _update(tg, coordinator, 900, "/addorg Forged without header")),
                ({SECRET_HEADER: "guess"}, _update(tg, coordinator, 901, "/addorg Wrong")),
                ({SECRET_HEADER: SECRET + "x"}, _update(tg, stranger, 902, "/start")),
            ]
            for headers, body in forged:
                response = await client.post(url, json=body, headers=headers)
                assert response.status_code == 403, headers
            genuine = _update(tg, coordinator, 903, "/whoami")
            response = await client.post(url, json=genuine, headers={SECRET_HEADER: SECRET})
            assert response.status_code == 200
        await settler.settle()
        [answer] = coordinator.unread  # the genuine one only
        assert answer.text == first.text
        assert stranger.unread == []
        db = app.bot_data["coalition_services"].database
        assert await db.fetch_value("SELECT count(*) FROM organisations") == 0
    finally:
        await stop_in_process(app)

"""Issue 14 §6: Russian and Belarusian wording that read wrong to the coalition's members."""

from __future__ import annotations

import pytest

from bot import texts


@pytest.mark.parametrize(
    ("message", "language", "expected"),
    [
        (texts.DEADLINE_PAST, "ru", "Это время уже прошло."),
        (texts.DEADLINE_PAST, "be", "Гэты час ужо мінуў."),
        (texts.QUIET_SET_OFF, "ru", "приходят сразу, в назначенное время"),
        (texts.QUIET_SET_OFF, "be", "прыходзяць адразу, у прызначаны час"),
        (texts.QUIET_SHOW_OFF, "ru", "приходят сразу, в назначенное время"),
        (texts.QUIET_SHOW_OFF, "be", "прыходзяць адразу, у прызначаны час"),
        (texts.MEMBER_HELP, "ru", "/timezone [<i>часовой пояс</i>]"),
        (texts.MEMBER_HELP, "be", "/timezone [<i>часавы пояс</i>]"),
    ],
)
def test_wording(message: str, language: str, expected: str) -> None:
    assert expected in texts.render(message, language, organisation="Org")


def test_the_russian_decline_receipt_names_the_organisation_that_declined() -> None:
    receipt = texts.render(
        texts.DECLINE_RECEIPT, "ru", organisation="Вясна", title="Письмо", version="v1",
        when="20 февр. 2026 г.",
    )  # fmt: skip
    assert receipt.startswith("Организация <b>Вясна</b> отказалась подписать <b>Письмо</b>")


@pytest.mark.parametrize("language", ["ru", "be"])
def test_old_wording_is_gone(language: str) -> None:
    catalog = (texts.LOCALES_DIR / language / "LC_MESSAGES" / "messages.po").read_text("utf-8")
    for old in (
        "Этот момент",
        "Гэты момант",
        "приходят вовремя",
        "прыходзяць своечасова",
        "[<i>пояс</i>]",
    ):
        assert old not in catalog

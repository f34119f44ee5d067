"""One kind of refusal (issue 15 §2): every code a service can refuse with has a text in
every language, and the data the services give with it fills that text."""

from __future__ import annotations

import string
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from bot.handlers.refusals import TEXTS, refusal_markup, refusal_text
from bot.services.deadlines import DeadlineError, parse_deadline
from bot.services.refusals import FIELDS, Code, Refusal

ZURICH = ZoneInfo("Europe/Zurich")
NOW = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)
SAMPLES: dict[str, object] = {
    "deadline": datetime(2026, 1, 20, 18, 0, tzinfo=ZoneInfo("Europe/Vilnius")),
    "moment": datetime(2026, 3, 29, 2, 30),
    "zone": "Europe/Zurich",
    "raw": "02/13/2026",
    "latest": "v3 · 7f3a9c21",
    "name": "Viasna",
    "text": "Nobody",
    "item": "7x",
    "suggestion": "13/02/2026",
}


def _placeholders(message: str) -> set[str]:
    forms = [str(message)] + ([message.plural] if isinstance(message, texts.Plural) else [])
    return {name for form in forms for _, name, _, _ in string.Formatter().parse(form) if name}


def _sample(code: Code) -> Refusal:
    return Refusal(code, **{name: SAMPLES.get(name, 12) for name in FIELDS.get(code, ())})


def test_every_code_has_a_text() -> None:
    assert set(TEXTS) == set(Code)
    assert set(FIELDS) <= set(Code)


@pytest.mark.parametrize("code", list(Code))
def test_the_data_given_with_a_code_fills_its_text(code: Code) -> None:
    assert _placeholders(TEXTS[code]) <= FIELDS.get(code, frozenset())


@pytest.mark.parametrize("language", texts.LANGUAGES)
def test_every_refusal_reads_in_every_language(language: str) -> None:
    for code in Code:
        message = TEXTS[code]
        if language != texts.DEFAULT_LANGUAGE:
            for count in (1, 5):
                assert texts.translate(message, language, count) != texts.translate(
                    message, texts.DEFAULT_LANGUAGE, count
                ), (code, language)
        text = refusal_text(_sample(code), language, ZURICH)
        assert text.strip() and "{" not in text, (code, language)


def test_a_refusal_carries_exactly_the_data_of_its_code() -> None:
    with pytest.raises(TypeError):
        Refusal(Code.LETTER_NOT_FOUND)
    with pytest.raises(TypeError):
        Refusal(Code.TEXT_EMPTY, ref=1)
    refusal = Refusal(Code.LETTER_NOT_FOUND, ref=4)
    assert (refusal.code, refusal.data) == (Code.LETTER_NOT_FOUND, {"ref": 4})


def test_a_refused_deadline_says_the_moment_it_understood() -> None:
    with pytest.raises(DeadlineError) as past:
        parse_deadline("20.01.2026 18:00 Europe/Vilnius", default_zone=ZURICH, now=NOW)
    assert past.value.code is Code.DEADLINE_PASSED
    text = refusal_text(past.value, "en", ZURICH)
    assert text == "20 Jan 2026, 18:00 EET has already passed. Send a deadline in the future."
    with pytest.raises(DeadlineError) as gap:
        parse_deadline("2026-03-29 02:30", default_zone=ZURICH, now=NOW)
    assert refusal_text(gap.value, "en", ZURICH).startswith(
        "29 Mar 2026, 02:30 does not exist in Europe/Zurich"
    )


def test_a_refusal_on_an_old_version_offers_the_current_one() -> None:
    replaced = Refusal(Code.VERSION_REPLACED, ref=4, latest="v3 · 7f3a9c21", latest_id=9)
    superseded = Refusal(Code.VERSION_SUPERSEDED, ref=4, latest=3)
    for refusal in (replaced, superseded):
        markup = refusal_markup(refusal, "en")
        assert markup is not None and len(markup.inline_keyboard) == 1
    assert refusal_markup(Refusal(Code.LETTER_NOT_FOUND, ref=4), "en") is None

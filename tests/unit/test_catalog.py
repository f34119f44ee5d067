"""The text catalog in every language: complete, consistent, and within Telegram's limits.

Fails when a message id in the code has no translation in some language, when a
translation's {placeholders}, HTML tags or /commands differ from the English, or when a
text rendered with realistic long values exceeds Telegram's limit for its kind.
"""

from __future__ import annotations

import html
import re
import string
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot import callback_data, keyboards, texts
from bot.commands import COORDINATOR_COMMANDS, MEMBER_COMMANDS
from bot.services import letters, membership, responses

ROOT = Path(texts.__file__).parent
TRANSLATED = [language for language in texts.LANGUAGES if language != texts.DEFAULT_LANGUAGE]

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
BUTTON_TEXT_LIMIT = 64  # Telegram documents none; longer ones are cut off on a phone anyway
COMMAND_DESCRIPTION = (3, 256)


def _source_ids() -> dict[str, str | None]:
    """Every message id the code marks (N_, NP_), as pybabel extract finds them."""
    found: dict[str, str | None] = {}
    keywords = {"N_": None, "NP_": (1, 2)}
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map=[("**.py", "python")], keywords=keywords
    ):
        if isinstance(message, tuple):
            found[message[0]] = message[1]
        else:
            found[message] = None
    return found


SOURCE_IDS = _source_ids()


def _catalog(language: str) -> Catalog:
    path = texts.LOCALES_DIR / language / "LC_MESSAGES" / f"{texts.DOMAIN}.po"
    with path.open("rb") as po_file:
        return read_po(po_file, locale=language)


CATALOGS = {language: _catalog(language) for language in TRANSLATED}


def _forms(value: str | tuple[str, ...] | None) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, tuple) else [value]


def test_the_code_marks_texts_and_texts_py_holds_them() -> None:
    assert len(SOURCE_IDS) > 200
    defined = {str(value) for value in vars(texts).values() if isinstance(value, str)}
    assert set(SOURCE_IDS) <= defined


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_id_is_translated(language: str) -> None:
    catalog = CATALOGS[language]
    problems = []
    for message_id, plural in SOURCE_IDS.items():
        entry = catalog.get(message_id)
        if entry is None:
            problems.append(f"missing: {message_id!r}")
            continue
        forms = _forms(entry.string)
        if entry.fuzzy or not forms or not all(form.strip() for form in forms):
            problems.append(f"untranslated or fuzzy: {message_id!r}")
        elif plural is not None and len(forms) != catalog.num_plurals:
            problems.append(f"needs {catalog.num_plurals} plural forms: {message_id!r}")
        elif plural is not None and entry.id != (message_id, plural):
            problems.append(f"plural id differs (run scripts/catalog): {message_id!r}")
    assert not problems, "\n".join(problems)


_TAG = re.compile(r"</?[a-z]+(?: [^>]*)?>")
_COMMAND = re.compile(r"(?<![\w/<])/[a-z]+\b")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _shape(text: str) -> tuple[set[str], Counter[str], Counter[str]]:
    return _fields(text), Counter(_TAG.findall(text)), Counter(_COMMAND.findall(text))


@pytest.mark.parametrize("language", TRANSLATED)
def test_placeholders_tags_and_commands_match_the_english(language: str) -> None:
    problems = []
    for entry in CATALOGS[language]:
        if not entry.id:
            continue
        english = _forms(entry.id)
        expected = _shape(english[-1])
        if len(english) > 1 and _shape(english[0]) != expected:
            problems.append(f"English singular and plural differ: {english[0]!r}")
        for form in _forms(entry.string):
            if form and _shape(form) != expected:
                problems.append(f"{form!r} vs {english[-1]!r}: {_shape(form)} != {expected}")
    assert not problems, "\n".join(problems)


def test_plural_forms_follow_each_language() -> None:
    cases = {
        "en": {1: "1 organisation", 2: "2 organisations", 5: "5 organisations"},
        "ru": {1: "1 организация", 2: "2 организации", 5: "5 организаций", 21: "21 организация"},
        "be": {1: "1 арганізацыя", 3: "3 арганізацыі", 5: "5 арганізацый", 14: "14 арганізацый"},
    }
    for language, expected in cases.items():
        for count, words in expected.items():
            assert words in texts.render(texts.EXPORT_ANONYMOUS, language, count=count)


# --- Telegram's limits ------------------------------------------------------------------------

LONG_NAME = "Human Rights Centre " + "Ж" * (membership.MAX_ORG_NAME - 20)
DEADLINE = "20 сакавіка 2026 г., 23:59 UTC+3"


def _long(size: int) -> str:
    return ("Ўсход, Іван «Вясна» " * (size // 20 + 1))[:size]


# Realistic long values: the longest each placeholder gets where the code fills it in.
VALUES: dict[str, object] = {
    "organisation": LONG_NAME,
    "name": _long(100),  # Telegram display name, cut to MAX_DISPLAY_NAME
    "old_name": LONG_NAME,
    "label": texts.Html(f" ({_long(membership.MAX_LABEL)})"),
    "title": _long(letters.MAX_TITLE),
    "version": "v123 · 7f3a9c21",
    "latest": "v124 · 0a1b2c3d",
    "deadline": DEADLINE,
    "expires": DEADLINE,
    "when": DEADLINE,
    "created": DEADLINE,
    "joined": "2026-02-20",
    "generated": "2026-03-20 14:05 America/Argentina/ComodRivadavia",
    "relative": "праз 11 месяцаў",
    "link": "https://t.me/" + "b" * 32 + "?start=" + "x" * 64,
    "zone": "America/Argentina/ComodRivadavia",
    "file_name": _long(255),
    "files": "letter-123456-v123-7f3a9c21.docx, .md, -responses.csv",
    "preview": _long(600),  # preview_lines(body, 600)
    "error": _long(200),
    "body": _long(responses.MAX_COMMENT),
    "comment": _long(500),  # REPLY_TO_MEMBER quotes the first 500 characters
    "old": _long(700),  # messages._shorten
    "new": _long(700),
    "changes": texts.Html(_long(3600)),  # messages.NOTICE_LIMIT
    "consequence": texts.Html(_long(130)),
    "versions": texts.Html("\n".join([_long(120)] * 20)),
    "details": texts.Html(_long(120)),
    "characters": texts.Html(_long(25)),
    "state": texts.Html(_long(60)),
    "status": texts.Html(_long(20)),
    "kind": texts.Html(_long(25)),
    "listing": texts.Html(_long(60)),
    "source": texts.Html(", " + _long(260)),
    "detail": texts.Html(_long(60)),
    "icon": "✅",
    "last": DEADLINE,
    "language": "Беларуская",
    "command": "removecontact",
}
NUMBERS = 999_999  # ids, counts, pages, limits


def _params(message: str) -> dict[str, object]:
    fields = _fields(str(message)) | (
        _fields(message.plural) if isinstance(message, texts.Plural) else set()
    )
    return {name: VALUES.get(name, NUMBERS) for name in fields}


# Where the code bounds a value below the general case, documented here.
OVERRIDES: dict[str, dict[str, object]] = {}


def _telegram_length(rendered: str) -> int:
    """Length after entity parsing, in UTF-16 code units (how Telegram counts)."""
    visible = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    return len(visible.encode("utf-16-le")) // 2


def _kind(name: str) -> tuple[str, int]:
    if name.startswith("BUTTON_"):
        return "button", BUTTON_TEXT_LIMIT
    if name.startswith("CMD_"):
        return "command", COMMAND_DESCRIPTION[1]
    if name.endswith("_CAPTION"):
        return "caption", CAPTION_LIMIT
    if name.startswith(("CHART_", "EXPORT_")) and name != "EXPORT_CAPTION":
        return "file", MESSAGE_LIMIT
    return "message", MESSAGE_LIMIT


CATALOG_TEXTS = {
    name: value
    for name, value in vars(texts).items()
    if name.isupper() and isinstance(value, str) and str(value) in SOURCE_IDS
}


@pytest.mark.parametrize("language", texts.LANGUAGES)
def test_rendered_texts_fit_telegram_limits(language: str) -> None:
    problems = []
    for name, message in CATALOG_TEXTS.items():
        kind, limit = _kind(name)
        params = {**_params(message), **OVERRIDES.get(name, {})}
        for count in (1, 3, NUMBERS):  # every plural form
            if isinstance(message, texts.Plural):
                params[message.number] = count
            rendered = texts.render(message, language, **params)
            length = _telegram_length(rendered)
            if length > limit:
                problems.append(f"{name} ({kind}) in {language}: {length} > {limit}")
            if kind == "command" and length < COMMAND_DESCRIPTION[0]:
                problems.append(f"{name} in {language}: shorter than {COMMAND_DESCRIPTION[0]}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", texts.LANGUAGES)
def test_command_menus_fit(language: str) -> None:
    for pairs in (MEMBER_COMMANDS, COORDINATOR_COMMANDS):
        for command, description in pairs:
            text = texts.render(description, language)
            assert re.fullmatch(r"[a-z0-9_]{1,32}", command)
            assert COMMAND_DESCRIPTION[0] <= len(text) <= COMMAND_DESCRIPTION[1]


# Short notices that may be shown as a button press's answer (a toast).
CALLBACK_ANSWERS = (texts.STALE_BUTTON, texts.PREVIEW_BUTTON, texts.FULL_TEXT_QUEUED)


@pytest.mark.parametrize("language", texts.LANGUAGES)
def test_callback_answers_fit(language: str) -> None:
    for message in CALLBACK_ANSWERS:
        assert len(texts.render(message, language)) <= CALLBACK_ANSWER_LIMIT


BIG = 10**12 - 1  # the largest id callback data takes


def _keyboards(language: str) -> list[object]:
    return [
        keyboards.pager(callback_data.STATUS_PAGE, 2, 3, language, BIG),
        keyboards.show_help(language),
        keyboards.letter_actions(BIG, BIG, language),
        keyboards.revision_actions(BIG, BIG, True, language),
        keyboards.flow_done(language),
        keyboards.revision_kind(language),
        keyboards.sign_listing(BIG, BIG, language),
        keyboards.sign_confirm(BIG, BIG, 3, language),
        keyboards.receipt(BIG, language),
        keyboards.decline_skip(BIG, BIG, language),
        keyboards.reply_to_comment(BIG, language),
        keyboards.reminder_actions(BIG, BIG, language),
        keyboards.choose_language(language),
        keyboards.letter_language(language, language),
        keyboards.full_text(BIG, BIG, language),
        keyboards.removal_confirmation(callback_data.REMOVE_CONTACT, BIG, language),
    ]


@pytest.mark.parametrize("language", texts.LANGUAGES)
def test_keyboards_fit(language: str) -> None:
    for markup in _keyboards(language):
        assert markup is not None
        for row in markup.inline_keyboard:  # type: ignore[attr-defined]
            for button in row:
                assert 1 <= len(button.text) <= BUTTON_TEXT_LIMIT
                assert 1 <= len(button.callback_data.encode()) <= callback_data.MAX_BYTES


def test_catalogs_compile_and_translate() -> None:
    texts.load_catalogs()
    assert texts.render(texts.BUTTON_SIGN, "ru") == "✍️ Подписать"
    assert texts.render(texts.BUTTON_SIGN, "be") == "✍️ Падпісаць"
    assert texts.render(texts.BUTTON_SIGN, "xx") == texts.BUTTON_SIGN
    assert texts.language_for("be-BY") == "be"
    assert texts.language_for("uk") == "en"
    assert texts.language_for(None) == "en"

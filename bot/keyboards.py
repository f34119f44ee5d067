"""Inline keyboards; texts from the catalog, data from ``callback_data``."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import callback_data, texts
from bot.db.letters import Letter
from bot.services.responses import OrganisationState


def pager(
    kind: str, page: int, pages: int, language: str, *extra: int
) -> InlineKeyboardMarkup | None:
    """« Previous / Next » buttons for a paginated list; None when one page is enough.

    ``extra`` ids (e.g. the letter of a status table) follow the page number.
    """
    if pages <= 1:
        return None
    row = []
    if page > 1:
        row.append(
            InlineKeyboardButton(
                texts.render(texts.BUTTON_PREVIOUS, language),
                callback_data=callback_data.encode(kind, page - 1, *extra),
            )
        )
    if page < pages:
        row.append(
            InlineKeyboardButton(
                texts.render(texts.BUTTON_NEXT, language),
                callback_data=callback_data.encode(kind, page + 1, *extra),
            )
        )
    return InlineKeyboardMarkup([row])


def show_help(language: str) -> InlineKeyboardMarkup:
    text = texts.render(texts.BUTTON_SHOW_HELP, language)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=callback_data.encode(callback_data.SHOW_HELP))]]
    )


def _button(text: str, language: str, kind: str, *args: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        texts.render(text, language), callback_data=callback_data.encode(kind, *args)
    )


def letter_actions(letter_id: int, version_id: int, language: str) -> InlineKeyboardMarkup:
    """Sign / Decline / Comment / Full text under a circulated letter."""
    ids = (letter_id, version_id)
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.BUTTON_SIGN, language, callback_data.SIGN, *ids),
                _button(texts.BUTTON_DECLINE, language, callback_data.DECLINE, *ids),
            ],
            [
                _button(texts.BUTTON_COMMENT, language, callback_data.COMMENT, *ids),
                _button(texts.BUTTON_FULL_TEXT, language, callback_data.FULL_TEXT, *ids),
            ],
        ]
    )


def full_text(letter_id: int, version_id: int, language: str) -> InlineKeyboardMarkup:
    """Full text of one version (the current one, offered when an old one is asked for)."""
    ids = (letter_id, version_id)
    return InlineKeyboardMarkup(
        [[_button(texts.BUTTON_FULL_TEXT, language, callback_data.FULL_TEXT, *ids)]]
    )


def revision_actions(
    letter_id: int, version_id: int, material: bool, language: str
) -> InlineKeyboardMarkup:
    ids = (letter_id, version_id)
    row = [_button(texts.BUTTON_FULL_TEXT, language, callback_data.FULL_TEXT, *ids)]
    if material:
        row.insert(0, _button(texts.BUTTON_SIGN_AGAIN, language, callback_data.SIGN, *ids))
    return InlineKeyboardMarkup([row])


def flow_done(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.BUTTON_DONE, language, callback_data.FLOW_DONE),
                _button(texts.BUTTON_CANCEL, language, callback_data.FLOW_CANCEL),
            ]
        ]
    )


def revision_kind(language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(texts.BUTTON_MATERIAL, language, callback_data.REVISION_KIND, 1)],
            [_button(texts.BUTTON_MINOR, language, callback_data.REVISION_KIND, 0)],
            [_button(texts.BUTTON_CANCEL, language, callback_data.FLOW_CANCEL)],
        ]
    )


def sign_listing(letter_id: int, version_id: int, language: str) -> InlineKeyboardMarkup:
    ids = (letter_id, version_id)
    choices = (
        (texts.BUTTON_LISTING_NAMED, 1),
        (texts.BUTTON_LISTING_ANONYMOUS, 2),
        (texts.BUTTON_LISTING_INTERNAL, 3),
    )
    rows = [[_button(text, language, callback_data.SIGN_LISTING, *ids, n)] for text, n in choices]
    rows.append([_button(texts.BUTTON_CANCEL, language, callback_data.SIGN_CANCEL, *ids)])
    return InlineKeyboardMarkup(rows)


def sign_confirm(
    letter_id: int, version_id: int, listing: int, language: str
) -> InlineKeyboardMarkup:
    ids = (letter_id, version_id)
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.BUTTON_CONFIRM, language, callback_data.SIGN_CONFIRM, *ids, listing),
                _button(texts.BUTTON_CANCEL, language, callback_data.SIGN_CANCEL, *ids),
            ]
        ]
    )


def receipt(letter_id: int, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(texts.BUTTON_WITHDRAW, language, callback_data.WITHDRAW, letter_id)]]
    )


def decline_skip(letter_id: int, version_id: int, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button(
                    texts.BUTTON_SKIP, language, callback_data.DECLINE_SKIP, letter_id, version_id
                ),
                _button(texts.BUTTON_CANCEL, language, callback_data.FLOW_CANCEL),
            ]
        ]
    )


def reply_to_comment(comment_id: int, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(texts.BUTTON_REPLY, language, callback_data.REPLY, comment_id)]]
    )


def reminder_actions(letter_id: int, version_id: int, language: str) -> InlineKeyboardMarkup:
    ids = (letter_id, version_id)
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.BUTTON_SIGN, language, callback_data.SIGN, *ids),
                _button(texts.BUTTON_DECLINE, language, callback_data.DECLINE, *ids),
            ],
            [_button(texts.BUTTON_FULL_TEXT, language, callback_data.FULL_TEXT, *ids)],
        ]
    )


def _language_row(kind: str, current: str) -> list[InlineKeyboardButton]:
    """One button per language, each named in its own language; the current one ticked."""
    return [
        InlineKeyboardButton(
            ("✓ " if code == current else "") + texts.LANGUAGE_NAMES[code],
            callback_data=callback_data.encode(kind, index),
        )
        for index, code in enumerate(texts.LANGUAGES)
    ]


def choose_language(current: str) -> InlineKeyboardMarkup:
    """/language: the language the bot writes to this person in."""
    return InlineKeyboardMarkup([_language_row(callback_data.LANGUAGE, current)])


def letter_language(chosen: str, language: str) -> InlineKeyboardMarkup:
    """The text step of /newletter: the letter's language, then Done / Cancel."""
    return InlineKeyboardMarkup(
        [
            _language_row(callback_data.LETTER_LANGUAGE, chosen),
            [
                _button(texts.BUTTON_DONE, language, callback_data.FLOW_DONE),
                _button(texts.BUTTON_CANCEL, language, callback_data.FLOW_CANCEL),
            ],
        ]
    )


def purge_confirmation(letter_id: int, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(texts.BUTTON_PURGE, language, callback_data.PURGE, letter_id, 1)],
            [_button(texts.BUTTON_CANCEL, language, callback_data.PURGE, letter_id, 0)],
        ]
    )


def circulate_all(letter_id: int, organisations: int, language: str) -> InlineKeyboardMarkup:
    """The answer to ``/circulate 4`` without organisations: all of them, or not now."""
    everyone = texts.render(texts.BUTTON_CIRCULATE_ALL, language, count=organisations)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    everyone,
                    callback_data=callback_data.encode(callback_data.CIRCULATE, letter_id, 1),
                )
            ],
            [_button(texts.BUTTON_CANCEL, language, callback_data.CIRCULATE, letter_id, 0)],
        ]
    )


def close_confirmation(letter_id: int, language: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(texts.BUTTON_CLOSE, language, callback_data.CLOSE, letter_id, 1)],
            [_button(texts.BUTTON_CANCEL, language, callback_data.CLOSE, letter_id, 0)],
        ]
    )


def withdraw_confirmation(letter_id: int, language: str) -> InlineKeyboardMarkup:
    kind = callback_data.WITHDRAW_CONFIRM
    return InlineKeyboardMarkup(
        [
            [_button(texts.BUTTON_WITHDRAW_CONFIRM, language, kind, letter_id, 1)],
            [_button(texts.BUTTON_KEEP_SIGNATURE, language, kind, letter_id, 0)],
        ]
    )


def open_current(letter_id: int, version: str, language: str) -> InlineKeyboardMarkup:
    """Under a refused press on a superseded version: the current one, with its buttons."""
    text = texts.render(texts.BUTTON_OPEN_CURRENT, language, version=version)
    data = callback_data.encode(callback_data.CURRENT, letter_id)
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data)]])


def mine_actions(
    letter_id: int, version_id: int, state: OrganisationState, language: str
) -> InlineKeyboardMarkup:
    """/mine: what the organisation can do on a letter now, by where it stands."""
    ids = (letter_id, version_id)
    full_text = _button(texts.BUTTON_FULL_TEXT, language, callback_data.FULL_TEXT, *ids)
    comment = _button(texts.BUTTON_COMMENT, language, callback_data.COMMENT, *ids)
    withdraw = _button(texts.BUTTON_WITHDRAW, language, callback_data.WITHDRAW, letter_id)
    if state is OrganisationState.SIGNED:
        rows = [[withdraw], [comment, full_text]]
    elif state is OrganisationState.RECONFIRM:
        sign_again = _button(texts.BUTTON_SIGN_AGAIN, language, callback_data.SIGN, *ids)
        rows = [[sign_again, withdraw], [comment, full_text]]
    elif state is OrganisationState.DECLINED:
        sign = _button(texts.BUTTON_SIGN, language, callback_data.SIGN, *ids)
        rows = [[sign], [comment, full_text]]
    else:  # no answer yet, or a withdrawn signature
        return letter_actions(letter_id, version_id, language)
    return InlineKeyboardMarkup(rows)


def resend(kind: str, ref: int, language: str) -> InlineKeyboardMarkup:
    """Send again the messages that may not have arrived (``RESEND_BROADCAST``/``_LETTER``)."""
    return InlineKeyboardMarkup([[_button(texts.BUTTON_RESEND, language, kind, ref)]])


def removal_confirmation(kind: str, ref: int, language: str) -> InlineKeyboardMarkup:
    """Remove / Keep under /removeorg and /removecontact (``kind``: their button data)."""
    return InlineKeyboardMarkup(
        [
            [
                _button(texts.BUTTON_REMOVE, language, kind, ref, 1),
                _button(texts.BUTTON_KEEP, language, kind, ref, 0),
            ]
        ]
    )


def approval_actions(
    approval_id: int, language: str, *, decide: bool, cancel: bool = False
) -> InlineKeyboardMarkup | None:
    """Approve / Reject for a coordinator who may decide a request; Cancel for its
    requester (``/approvals``); None when neither."""
    rows = []
    if decide:
        rows.append(
            [
                _button(texts.BUTTON_APPROVE, language, callback_data.APPROVE, approval_id),
                _button(texts.BUTTON_REJECT, language, callback_data.REJECT, approval_id),
            ]
        )
    if cancel:
        kind = callback_data.APPROVAL_CANCEL
        rows.append([_button(texts.BUTTON_CANCEL_REQUEST, language, kind, approval_id)])
    return InlineKeyboardMarkup(rows) if rows else None


def invitation_link(approval_id: int, language: str) -> InlineKeyboardMarkup:
    """Under an approved coordinator invitation, for its requester only: mints the link."""
    kind = callback_data.INVITATION_LINK
    button = _button(texts.BUTTON_INVITATION_LINK, language, kind, approval_id)
    return InlineKeyboardMarkup([[button]])


def rename_answer(rename_id: int, old: str, new: str, language: str) -> InlineKeyboardMarkup:
    """[Use NEW] [Keep OLD] under the question a rename asks an organisation's contacts."""
    kind = callback_data.RENAME_ANSWER
    use = texts.plain(texts.BUTTON_RENAME_USE, language, short_name=_short(new))
    keep = texts.plain(texts.BUTTON_RENAME_KEEP, language, short_name=_short(old))
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(use, callback_data=callback_data.encode(kind, rename_id, 1))],
            [InlineKeyboardButton(keep, callback_data=callback_data.encode(kind, rename_id, 0))],
        ]
    )


def _short(name: str, limit: int = 40) -> str:
    """A name on a button (the question above it has it in full)."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


def withdraw(letter_id: int, language: str) -> InlineKeyboardMarkup:
    """One-tap Withdraw under a notice of a change to what the organisation signed."""
    return receipt(letter_id, language)


# --- issue 17 ---------------------------------------------------------------------------------


def with_original(
    keyboard: InlineKeyboardMarkup, letter: Letter, version_id: int, language: str
) -> InlineKeyboardMarkup:
    """A letter's buttons with one more: its authoritative text, named by its language."""
    original = texts.render(
        texts.BUTTON_ORIGINAL, language,
        language=texts.LANGUAGE_NAMES.get(letter.language, letter.language),
    )  # fmt: skip
    button = InlineKeyboardButton(
        original, callback_data=callback_data.encode(callback_data.ORIGINAL, letter.id, version_id)
    )
    return InlineKeyboardMarkup([*keyboard.inline_keyboard, [button]])


def choices(
    kind: str, options: Sequence[tuple[str, int]], language: str, *, columns: int = 1
) -> InlineKeyboardMarkup:
    """One button per (already rendered label, value) under a guided flow's question, and
    Cancel."""
    buttons = [
        InlineKeyboardButton(label, callback_data=callback_data.encode(kind, value))
        for label, value in options
    ]
    rows = [buttons[i : i + columns] for i in range(0, len(buttons), columns)]
    rows.append([_button(texts.BUTTON_CANCEL, language, callback_data.FLOW_CANCEL)])
    return InlineKeyboardMarkup(rows)

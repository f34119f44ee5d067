"""The Sign flow's additions for issue 17: the person signing, and what the signer read.

A letter that lists "Name, Title, Organisation" (``letters.ask_signer``) asks the member,
after the listing choice, for the person signing — the name, then the title (skippable) —
unless the contact has one remembered (typed once; ``/signer`` shows and edits it). The
confirmation names the person. The receipt names the translation's fingerprint when the
member read the letter in a translation (the version label names the authoritative one).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import callback_data, keyboards, texts
from bot.context import BotContext
from bot.db.contacts import Contact
from bot.db.types import Decision, Listing
from bot.handlers.common import answer_in_place, reply, say
from bot.handlers.flows import FlowKind, Resumed
from bot.handlers.presenters import LISTING_TEXTS
from bot.outgoing.letters import DECISION_TEXTS, label
from bot.services import flows, preferences, responses, signer, translations
from bot.services.flows import FlowState
from bot.services.outbox import OutgoingMessage
from bot.services.responses import Target

SIGNER = "signer"


@dataclass(frozen=True, kw_only=True)
class SignerState(FlowState):
    """The person signing, asked before the confirmation: the name, then the title."""

    step: Literal["name", "title"]
    letter_id: int
    version_id: int
    listing: int  # the listing chosen, as its number (1-3)
    name: str | None = None  # typed at the name step

    def __post_init__(self) -> None:
        if self.step not in ("name", "title") or Listing.from_number(self.listing) is None:
            raise ValueError(f"no signer flow at {self.step!r} listing {self.listing!r}")
        if self.step == "title" and not isinstance(self.name, str):
            raise ValueError("the title step without the name")


def person_line(context: BotContext, contact: Contact, target: Target) -> str:
    """ "Signing as: Name, Title" under the confirmation, for a letter that lists people."""
    known = signer.remembered(contact)
    if not target.letter.ask_signer or known is None:
        return ""
    return "\n" + say(context, texts.SIGN_AS_LINE, person=known.line)


def confirm_text(context: BotContext, contact: Contact, target: Target, listing: Listing) -> str:
    """The question before a signature is recorded: what, for whom, how listed, by whom."""
    text = say(
        context,
        texts.SIGN_CONFIRM,
        organisation=target.organisation_name,
        title=target.letter.title or "",
        version=label(target.version),
        listing=say(context, LISTING_TEXTS[listing]),
    )
    return text + person_line(context, contact, target)


async def confirm_question(
    update: Update, context: BotContext, letter_id: int, version_id: int, listing: Listing
) -> None:
    """The confirmation as a new message (after the person signing was asked for)."""
    contact = context.who.contact
    assert contact is not None and context.who.is_member
    contact = await signer.refreshed(context.db, contact)
    target = await responses.sign_target(context.db, contact, letter_id, version_id)
    text = confirm_text(context, contact, target, listing)
    markup = keyboards.sign_confirm(letter_id, version_id, listing.number, context.language)
    await reply(update, context, text, reply_markup=markup)


async def ask_person(
    update: Update, context: BotContext, contact: Contact, target: Target, listing: Listing
) -> bool:
    """Starts asking for the person signing when the letter lists one and the contact has
    none remembered; True when it did (the confirmation comes after the answers)."""
    if not target.letter.ask_signer or signer.remembered(contact) is not None:
        return False
    state = SignerState(
        step="name", letter_id=target.letter.id, version_id=target.version.id,
        listing=listing.number,
    )  # fmt: skip
    await flows.save(
        context.db, context.who.telegram_user_id, SIGNER, state, now=context.clock.now()
    )
    text = say(
        context, texts.SIGNER_ASK_NAME, letter_id=target.letter.id,
        organisation=target.organisation_name,
    )  # fmt: skip
    cancel = InlineKeyboardButton(
        texts.render(texts.BUTTON_CANCEL, context.language), callback_data=callback_data.FLOW_CANCEL
    )
    await answer_in_place(update, text, reply_markup=InlineKeyboardMarkup([[cancel]]))
    return True


def _skip(language: str) -> InlineKeyboardMarkup:
    skip = InlineKeyboardButton(
        texts.render(texts.BUTTON_SKIP, language), callback_data=callback_data.FLOW_DONE
    )
    cancel = InlineKeyboardButton(
        texts.render(texts.BUTTON_CANCEL, language), callback_data=callback_data.FLOW_CANCEL
    )
    return InlineKeyboardMarkup([[skip, cancel]])


async def _message(update: Update, context: BotContext, flow: Resumed[SignerState]) -> None:
    message = update.effective_message
    if message is None or not message.text:
        await reply(update, context, say(context, texts.FLOW_EXPECTS_TEXT))
        return
    if flow.state.step == "name":
        name = signer.clean_signer(message.text).name  # refused as typed: asked again
        state = replace(flow.state, step="title", name=name)
        await flows.save(context.db, flow.telegram_user_id, SIGNER, state, now=context.clock.now())
        await reply(
            update,
            context,
            say(context, texts.SIGNER_ASK_TITLE),
            reply_markup=_skip(context.language),
        )
        return
    await _finish(update, context, flow, message.text)


async def _skip_title(update: Update, context: BotContext, flow: Resumed[SignerState]) -> None:
    if flow.state.step != "title":
        await reply(update, context, say(context, texts.FLOW_STALE))
        return
    await answer_in_place(update, say(context, texts.SIGNER_ASK_TITLE))
    await _finish(update, context, flow, None)


async def _finish(
    update: Update, context: BotContext, flow: Resumed[SignerState], title: str | None
) -> None:
    """Remembers the person for the contact and asks for the confirmation, which signs."""
    state = flow.state
    person = signer.clean_signer(state.name or "", title)
    contact = context.who.contact
    assert contact is not None
    await signer.remember(context.db, contact, person)
    await flows.finish(context.db, flow.telegram_user_id)
    listing = Listing.from_number(state.listing)
    assert listing is not None
    await confirm_question(update, context, state.letter_id, state.version_id, listing)


async def translation_line(context: BotContext, target: Target) -> str:
    """ "Read in Русский: translation 1a2b3c4d" for a receipt, when the member's language
    has a translation of the version they signed."""
    reading = await translations.reading_of(
        context.db, target.letter, target.version, context.language
    )
    if not reading.translated:
        return ""
    language = texts.LANGUAGE_NAMES.get(reading.language, reading.language)
    return "\n" + say(
        context, texts.RECEIPT_TRANSLATION, language=language, fingerprint=reading.fingerprint
    )


SIGNER_FLOW = FlowKind(SIGNER, SignerState, on_message=_message, on_done=_skip_title)


async def tell_coordinators(context: BotContext, target: Target, decision: Decision) -> None:
    """``/notify each``: coordinators who chose it hear of this response now (the others
    read it in the digest)."""
    message = DECISION_TEXTS[decision]

    def compose(language: str) -> OutgoingMessage:
        text = texts.render(
            texts.RESPONSE_TO_COORDINATOR, language, letter_id=target.letter.id,
            title=target.letter.title or "", organisation=target.organisation_name,
            decision=texts.Text(message),
        )  # fmt: skip
        return OutgoingMessage("sendMessage", {"text": text, "parse_mode": "HTML"})

    now = context.clock.now()
    key = f"{target.letter.id}:{target.organisation_id}:{decision}:{now.timestamp():.0f}"
    await preferences.tell_each(
        context.db, letter_id=target.letter.id, key=key, compose=compose, now=now
    )

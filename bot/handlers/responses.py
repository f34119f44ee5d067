"""Members answer a letter: Sign (listing, confirm), Decline (optional reason), Comment,
Withdraw, /mine. Every press is re-checked by the responses service."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callback_data, keyboards, texts
from bot.context import BotApplication, BotContext
from bot.db.contacts import Contact
from bot.db.responses import Comment
from bot.db.types import Decision, Listing
from bot.handlers import signing
from bot.handlers.common import (
    answer_in_place,
    command_argument,
    parse_ref,
    reply,
    say,
)
from bot.handlers.flows import FlowKind, Resumed
from bot.handlers.presenters import LISTING_TEXTS, STATE_TEXTS, composer_for, describe_when
from bot.handlers.refusals import in_place
from bot.outgoing.common import html_message
from bot.outgoing.letters import label
from bot.services import flows, letters, responses, signer, witnesses
from bot.services.deadlines import format_deadline
from bot.services.flows import FlowState
from bot.services.outbox import OutgoingMessage
from bot.services.refusals import Code, Refusal
from bot.services.responses import ColleagueNotice, Outcome, Target

DECLINE = "decline"
COMMENT = "comment"


@dataclass(frozen=True, kw_only=True)
class AnswerState(FlowState):
    """A decline's reason or a comment being typed: about this version of the letter."""

    letter_id: int
    version_id: int


# Text that was too long or empty is typed again: the flow waits for it.
_TYPE_AGAIN = (Code.COMMENT_EMPTY, Code.COMMENT_TOO_LONG)


def _member(context: BotContext) -> Contact | None:
    who = context.who
    return who.contact if who.is_member else None


async def _pressed(
    update: Update, context: BotContext, kind: str, arity: int
) -> tuple[Contact, tuple[int, ...]] | None:
    """The member and the ids of a press; None (after saying why) when it can't be used.

    The gate has answered the press already; refusals come as a message."""
    query = update.callback_query
    assert query is not None
    args = callback_data.decode(query.data, kind, arity)
    contact = _member(context)
    if args is None:
        await reply(update, context, say(context, texts.STALE_BUTTON))
        return None
    if contact is None:
        await reply(update, context, say(context, texts.PREVIEW_BUTTON))
        return None
    return contact, args


def _now_text(context: BotContext) -> str:
    return format_deadline(context.clock.now(), context.settings.zone, context.language)


def _colleagues(message: str, contact: Contact, **params: object) -> ColleagueNotice:
    """What the organisation's other contacts are told, each in their language (queued by
    the service in the answer's transaction)."""

    def compose(target: Target, colleague: Contact) -> OutgoingMessage:
        text = texts.render(
            message, colleague.language, name=contact.display_name or "",
            title=target.letter.title or "", version=label(target.version),
            organisation=target.organisation_name, **params,
        )  # fmt: skip
        return html_message(text)

    return compose


# --- sign -------------------------------------------------------------------------------------


async def sign(update: Update, context: BotContext) -> None:
    pressed = await _pressed(update, context, callback_data.SIGN, 2)
    if pressed is None:
        return
    contact, (letter_id, version_id) = pressed
    target = await responses.sign_target(context.db, contact, letter_id, version_id)
    text = say(
        context,
        texts.SIGN_CHOOSE_LISTING,
        title=target.letter.title or "",
        version=label(target.version),
        organisation=target.organisation_name,
    )
    await reply(
        update,
        context,
        text,
        reply_markup=keyboards.sign_listing(letter_id, version_id, context.language),
    )


async def _pressed_listing(
    update: Update, context: BotContext, kind: str
) -> tuple[Contact, int, int, Listing] | None:
    """A press that carries letter, version and listing choice (1-3); None if unusable."""
    pressed = await _pressed(update, context, kind, 3)
    if pressed is None:
        return None
    contact, (letter_id, version_id, number) = pressed
    listing = Listing.from_number(number)
    if listing is None:  # forged: no such choice was ever offered
        await reply(update, context, say(context, texts.STALE_BUTTON))
        return None
    return contact, letter_id, version_id, listing


async def sign_listing(update: Update, context: BotContext) -> None:
    pressed = await _pressed_listing(update, context, callback_data.SIGN_LISTING)
    if pressed is None:
        return
    contact, letter_id, version_id, listing = pressed
    query = update.callback_query
    assert query is not None
    target = await responses.sign_target(context.db, contact, letter_id, version_id)
    if await signing.ask_person(update, context, contact, target, listing):
        return  # the confirmation comes once the person signing is known
    text = signing.confirm_text(context, contact, target, listing)
    markup = keyboards.sign_confirm(letter_id, version_id, listing.number, context.language)
    await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def _witnessed(
    context: BotContext, receipt: str, target: responses.Target, code: str | None
) -> str:
    """A receipt with the witness code of its audit event: kept outside the server, it
    later shows whether the record was rewritten (/verify). ``code``: the event's, known
    from the answer's transaction; None for an answer that changed nothing (a double tap),
    whose standing event is read."""
    if code is None:
        code = await witnesses.response_witness(
            context.db, target.letter.id, target.organisation_id
        )
    if code is None:
        return receipt
    return f"{receipt}\n\n{say(context, texts.WITNESS_LINE, code=code)}"


async def sign_confirm(update: Update, context: BotContext) -> None:
    pressed = await _pressed_listing(update, context, callback_data.SIGN_CONFIRM)
    if pressed is None:
        return
    contact, letter_id, version_id, listing = pressed
    query = update.callback_query
    assert query is not None
    told = _colleagues(texts.COLLEAGUE_SIGNED, contact, listing=texts.Text(LISTING_TEXTS[listing]))
    outcome = await responses.sign(
        context.db, contact, letter_id, version_id, listing, now=context.clock.now(), tell=told
    )
    if not outcome.changed:
        await reply(update, context, say(context, texts.SIGN_ALREADY))
        return
    listing_text = say(context, LISTING_TEXTS[listing])
    target = outcome.target
    text = say(
        context,
        texts.SIGN_RECEIPT,
        organisation=target.organisation_name,
        title=target.letter.title or "",
        version=label(target.version),
        listing=listing_text,
        when=_now_text(context),
    )
    if target.letter.ask_signer:  # the person signing, as the contact has it now
        text += signing.person_line(context, await signer.refreshed(context.db, contact), target)
    text += await signing.translation_line(context, target)
    text = await _witnessed(context, text, target, outcome.witness)
    await query.edit_message_text(
        text, parse_mode=ParseMode.HTML, reply_markup=keyboards.receipt(letter_id, context.language)
    )
    await signing.tell_coordinators(context, target, Decision.SIGNED)


async def sign_cancel(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    await query.edit_message_text(say(context, texts.SIGN_CANCELLED))


# --- decline ----------------------------------------------------------------------------------


async def _start_flow(
    update: Update, context: BotContext, button: str, flow_kind: str
) -> Target | None:
    """A Decline or Comment press: checks it, answers it, and waits for the next message."""
    pressed = await _pressed(update, context, button, 2)
    if pressed is None:
        return None
    contact, (letter_id, version_id) = pressed
    target = await responses.sign_target(context.db, contact, letter_id, version_id)
    state = AnswerState(letter_id=letter_id, version_id=version_id)
    await flows.save(
        context.db, context.who.telegram_user_id, flow_kind, state, now=context.clock.now()
    )
    return target


async def decline(update: Update, context: BotContext) -> None:
    target = await _start_flow(update, context, callback_data.DECLINE, DECLINE)
    if target is None:
        return
    text = say(
        context,
        texts.DECLINE_ASK_REASON,
        title=target.letter.title or "",
        organisation=target.organisation_name,
    )
    markup = keyboards.decline_skip(target.letter.id, target.version.id, context.language)
    await reply(update, context, text, reply_markup=markup)


async def _record_decline(
    update: Update, context: BotContext, letter_id: int, version_id: int, reason: str | None
) -> None:
    contact = _member(context)
    assert contact is not None
    try:
        outcome = await responses.decline(
            context.db, contact, letter_id, version_id, reason, now=context.clock.now(),
            tell=_colleagues(texts.COLLEAGUE_DECLINED, contact),
        )  # fmt: skip
    except Refusal as refusal:
        if refusal.code is not Code.REASON_TOO_LONG:  # else the reason is typed again
            await flows.finish(context.db, context.who.telegram_user_id)
        raise
    await flows.finish(context.db, context.who.telegram_user_id)
    await _declined(update, context, contact, outcome)


async def _declined(
    update: Update, context: BotContext, contact: Contact, outcome: Outcome
) -> None:
    target = outcome.target
    text = say(
        context,
        texts.DECLINE_RECEIPT,
        organisation=target.organisation_name,
        title=target.letter.title or "",
        version=label(target.version),
        when=_now_text(context),
    )
    text = await _witnessed(context, text, target, outcome.witness)
    await reply(update, context, text)
    if outcome.changed:
        await signing.tell_coordinators(context, target, Decision.DECLINED)


async def _decline_reason(update: Update, context: BotContext, flow: Resumed[AnswerState]) -> None:
    message = update.effective_message
    if message is None or not message.text:
        await reply(update, context, say(context, texts.FLOW_EXPECTS_TEXT))
        return
    state = flow.state
    await _record_decline(update, context, state.letter_id, state.version_id, message.text)


async def decline_skip(update: Update, context: BotContext) -> None:
    pressed = await _pressed(update, context, callback_data.DECLINE_SKIP, 2)
    if pressed is None:
        return
    _, (letter_id, version_id) = pressed
    await _record_decline(update, context, letter_id, version_id, None)


# --- comment ----------------------------------------------------------------------------------


async def comment(update: Update, context: BotContext) -> None:
    target = await _start_flow(update, context, callback_data.COMMENT, COMMENT)
    if target is None:
        return
    text = say(
        context,
        texts.COMMENT_ASK,
        title=target.letter.title or "",
        version=label(target.version),
        limit=responses.MAX_COMMENT,
    )
    await reply(update, context, text)


async def _save_comment(
    update: Update, context: BotContext, letter_id: int, version_id: int, body: str
) -> None:
    contact = _member(context)
    assert contact is not None

    def notice(target: Target, saved: Comment, language: str) -> OutgoingMessage:
        text = texts.render(
            texts.COMMENT_TO_COORDINATORS, language, comment_id=saved.id,
            title=target.letter.title or "", version=label(target.version),
            name=contact.display_name or "", organisation=target.organisation_name,
            body=saved.body or "",
        )  # fmt: skip
        markup = keyboards.reply_to_comment(saved.id, language)
        return html_message(text, reply_markup=markup.to_dict())

    await responses.add_comment(
        context.db, contact, letter_id, version_id, body, now=context.clock.now(), tell=notice
    )
    await reply(update, context, say(context, texts.COMMENT_SAVED))


async def _comment_message(update: Update, context: BotContext, flow: Resumed[AnswerState]) -> None:
    message = update.effective_message
    if message is None or not message.text:
        await reply(update, context, say(context, texts.FLOW_EXPECTS_TEXT))
        return
    state = flow.state
    try:
        await _save_comment(update, context, state.letter_id, state.version_id, message.text)
    except Refusal as refusal:
        if refusal.code not in _TYPE_AGAIN:
            await flows.finish(context.db, context.who.telegram_user_id)
        raise
    await flows.finish(context.db, context.who.telegram_user_id)


async def comment_by_reply(update: Update, context: BotContext) -> bool:
    """A member's reply to a letter message the bot sent becomes a comment on that version."""
    message = update.effective_message
    contact = _member(context)
    replied = message.reply_to_message if message else None
    if message is None or contact is None or replied is None or not message.text:
        return False
    if replied.from_user is None or replied.from_user.id != context.bot.id:
        return False
    found = await responses.letter_message(context.db, message.chat_id, replied.message_id)
    if found is None:
        return False
    await _save_comment(update, context, found[0], found[1], message.text)
    return True


# --- withdraw and /mine -----------------------------------------------------------------------


async def _ask_withdraw(
    update: Update, context: BotContext, contact: Contact, letter_id: int
) -> None:
    """Withdraw asks first: what it does, in one sentence, and a button."""
    target = await responses.withdrawable(context.db, contact, letter_id)
    text = say(
        context,
        texts.WITHDRAW_ASK,
        organisation=target.organisation_name,
        title=target.letter.title or "",
    )
    markup = keyboards.withdraw_confirmation(letter_id, context.language)
    await reply(update, context, text, reply_markup=markup)


async def withdraw_button(update: Update, context: BotContext) -> None:
    pressed = await _pressed(update, context, callback_data.WITHDRAW, 1)
    if pressed is None:
        return
    contact, (letter_id,) = pressed
    await _ask_withdraw(update, context, contact, letter_id)


async def withdraw_command(update: Update, context: BotContext) -> None:
    contact = _member(context)
    letter_id = parse_ref(command_argument(update.message))
    if contact is None:
        await reply(update, context, say(context, texts.UNKNOWN_COMMAND))
        return
    if letter_id is None:
        await reply(update, context, say(context, texts.USAGE_WITHDRAW))
        return
    await _ask_withdraw(update, context, contact, letter_id)


@in_place
async def withdraw_answer(update: Update, context: BotContext) -> None:
    """The second tap on Withdraw; everything is checked again."""
    pressed = await _pressed(update, context, callback_data.WITHDRAW_CONFIRM, 2)
    if pressed is None:
        return
    contact, (letter_id, confirmed) = pressed
    if not confirmed:
        await answer_in_place(update, say(context, texts.WITHDRAW_KEPT))
        return
    told = _colleagues(texts.COLLEAGUE_WITHDREW, contact)
    outcome = await responses.withdraw(
        context.db, contact, letter_id, now=context.clock.now(), tell=told
    )
    target = outcome.target
    text = say(
        context,
        texts.WITHDRAW_RECEIPT,
        organisation=target.organisation_name,
        title=target.letter.title or "",
        when=_now_text(context),
    )
    text = await _witnessed(context, text, target, outcome.witness)
    await answer_in_place(update, text)
    await signing.tell_coordinators(context, target, Decision.WITHDRAWN)


async def open_current(update: Update, context: BotContext) -> None:
    """The button under a refused press on an old version: the current one, with buttons."""
    pressed = await _pressed(update, context, callback_data.CURRENT, 1)
    if pressed is None:
        return
    contact, (letter_id,) = pressed
    composer = await composer_for(context, letter_id)
    await letters.resend_current(
        context.db, letter_id, contact.id, now=context.clock.now(),
        compose=lambda *about: [composer.summary(*about)],
    )  # fmt: skip


async def mine(update: Update, context: BotContext) -> None:
    """Open letters of the member's organisation, each with the buttons to act on it."""
    who = context.who
    if not who.is_member or who.organisation is None:
        await reply(update, context, say(context, texts.UNKNOWN_COMMAND))
        return
    items = await responses.organisation_overview(context.db, who.organisation.id)
    if not items:
        await reply(update, context, say(context, texts.MINE_EMPTY))
        return
    header = say(context, texts.MINE_HEADER, organisation=who.organisation.name)
    for index, (letter, version, status) in enumerate(items):
        deadline, relative = describe_when(context, letter.deadline)
        line = say(
            context,
            texts.MINE_LINE,
            letter_id=letter.id,
            title=letter.title or "",
            version=label(version),
            state=say(context, STATE_TEXTS[status.state]),
            deadline=deadline,
            relative=relative,
        )
        text = f"{header}\n\n{line}" if index == 0 else line
        markup = keyboards.mine_actions(letter.id, version.id, status.state, context.language)
        await reply(update, context, text, reply_markup=markup)


DECLINE_FLOW = FlowKind(DECLINE, AnswerState, on_message=_decline_reason)
COMMENT_FLOW = FlowKind(COMMENT, AnswerState, on_message=_comment_message)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("mine", mine))
    app.add_handler(CommandHandler("withdraw", withdraw_command))
    for kind, handler in (
        (callback_data.SIGN, sign),
        (callback_data.SIGN_LISTING, sign_listing),
        (callback_data.SIGN_CONFIRM, sign_confirm),
        (callback_data.SIGN_CANCEL, sign_cancel),
        (callback_data.DECLINE, decline),
        (callback_data.DECLINE_SKIP, decline_skip),
        (callback_data.COMMENT, comment),
        (callback_data.WITHDRAW, withdraw_button),
        (callback_data.WITHDRAW_CONFIRM, withdraw_answer),
        (callback_data.CURRENT, open_current),
    ):
        app.add_handler(CallbackQueryHandler(handler, pattern=rf"^{kind}:"))

"""/start: greeting by role, and joining through an invite."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import keyboards, texts
from bot.approval_messages import ApprovalMessages
from bot.commands import publish_commands
from bot.context import BotApplication, BotContext
from bot.db.contacts import Contact
from bot.handlers.common import reply, say, tell
from bot.handlers.gate import send_neutral
from bot.handlers.help import help_text
from bot.outgoing.common import html_message
from bot.outgoing.letters import deliver_open_letters
from bot.services import coordinators, membership, renames
from bot.services.access import FloodVerdict, Role
from bot.services.deadlines import format_deadline
from bot.services.outbox import OutgoingMessage

MAX_DISPLAY_NAME = 100


async def start(update: Update, context: BotContext) -> None:
    who = context.who
    token = context.args[0] if context.args else None
    if token is None:
        if who.role is Role.UNKNOWN:
            await send_neutral(update, context)
            return
        await reply(update, context, help_text(context))
        return
    user = update.effective_user
    assert user is not None
    now = context.clock.now()
    # Tried whoever presents it: a used invitation presented again alerts the coordinators
    # even when a known account presents it (how did they get someone else's link?).
    result = await membership.redeem_invite(
        context.db,
        token,
        telegram_user_id=user.id,
        display_name=user.full_name[:MAX_DISPLAY_NAME],
        language=texts.language_for(user.language_code),
        now=now,
        tell=_joined,
    )
    if isinstance(result, membership.ReusedInvite):
        await _alert_reused(context, result)
    if who.is_coordinator:
        await reply(update, context, say(context, texts.ALREADY_COORDINATOR))
        return
    if who.is_member and who.organisation is not None:
        await reply(
            update, context, say(context, texts.ALREADY_JOINED, organisation=who.organisation.name)
        )
        return
    if isinstance(result, membership.Joined):
        language = result.contact.language
        await reply(
            update,
            context,
            texts.render(texts.WELCOME_MEMBER, language, organisation=result.organisation.name),
            reply_markup=keyboards.show_help(language),
        )
        await deliver_open_letters(context, result.contact.id, result.organisation.id)
        await _ask_about_rename(context, result.contact)
    elif isinstance(result, membership.CoordinatorJoined):
        await _coordinator_joined(update, context, result)
    elif isinstance(result, membership.AlreadyBound):  # lost a race with another invite
        if result.organisation_name is None:
            await reply(update, context, say(context, texts.ALREADY_COORDINATOR))
        else:
            text = say(context, texts.ALREADY_JOINED, organisation=result.organisation_name)
            await reply(update, context, text)
    else:
        # Same answer as for any stranger; wrong tokens weigh more against the flood limit.
        services = context.services
        verdict = services.flood.penalise(user.id, now, context.settings.bad_invite_weight)
        if verdict is FloodVerdict.ALLOW:
            await send_neutral(update, context)


def _joined(joined: membership.Joined, language: str) -> OutgoingMessage:
    """What each coordinator is told when a member joined (queued with the join)."""
    text = texts.render(
        texts.CONTACT_JOINED, language, name=joined.contact.display_name or "",
        organisation=joined.organisation.name, contact_id=joined.contact.id,
    )  # fmt: skip
    return html_message(text)


async def _coordinator_joined(
    update: Update, context: BotContext, joined: membership.CoordinatorJoined
) -> None:
    """A coordinator invitation used: welcome, their menu, and the others told."""
    contact = joined.contact
    await reply(update, context, texts.render(texts.WELCOME_COORDINATOR, contact.language))
    await publish_commands(context.application, only_chat=contact.telegram_user_id)
    for chat, language in (await coordinators.languages(context.db)).items():
        if chat == contact.telegram_user_id:
            continue  # the others are told; the newcomer was welcomed
        text = texts.render(
            texts.COORDINATOR_JOINED, language, name=contact.display_name or "",
            telegram_id=contact.telegram_user_id, contact_id=contact.id,
        )  # fmt: skip
        await tell(context, chat, text)


async def _ask_about_rename(context: BotContext, contact: Contact) -> None:
    """A contact who joins an organisation whose rename waits is asked about it (nobody
    could answer before; the outbox wakes when the question is committed)."""
    messages = ApprovalMessages(context.settings)
    await renames.ask_new_contact(
        context.db, contact, now=context.clock.now(), ask=messages.rename_question
    )


async def _alert_reused(context: BotContext, reuse: membership.ReusedInvite) -> None:
    """Tells every coordinator, through the outbox (it survives a crash), that a used
    invitation came back: the invitation, its organisation, and only the Telegram id of
    the account that presented it."""
    notices = {}
    for chat_id, language in (await coordinators.languages(context.db)).items():
        label = texts.render(texts.INVITE_LABEL, language, label=reuse.label) if reuse.label else ""
        text = texts.render(
            texts.INVITE_REUSED_ALERT, language, invite_id=reuse.invite_id,
            label=texts.Html(label), organisation=reuse.organisation_name,
            when=format_deadline(reuse.used_at, context.settings.zone, language),
            contact_id=reuse.contact_id, telegram_user_id=reuse.presented_by,
        )  # fmt: skip
        notices[chat_id] = html_message(text)
    await membership.alert_reused_invite(context.db, reuse, notices, now=context.clock.now())


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("start", start))

"""Coordinators' commands for invitations: /invite /invites /revoke."""

from __future__ import annotations

from datetime import datetime

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callback_data, texts
from bot.context import BotApplication, BotContext
from bot.handlers.common import (
    actor,
    command_argument,
    coordinators_only,
    pack_pages,
    parse_ref,
    reply,
    requested_page,
    say,
    show_page,
)
from bot.services import membership
from bot.services.deadlines import format_deadline


def _when(context: BotContext, moment: datetime) -> str:
    return format_deadline(moment, context.settings.zone, context.language)


def _label(context: BotContext, label: str | None) -> str:
    return say(context, texts.INVITE_LABEL, label=label) if label else ""


@coordinators_only
async def invite(update: Update, context: BotContext) -> None:
    argument = command_argument(update.message)
    if not argument:
        await reply(update, context, say(context, texts.USAGE_INVITE))
        return
    # The organisation's number or its exact name, then an optional label.
    organisation, label = await membership.organisation_and_rest(context.db, argument)
    issued = await membership.issue_invite(
        context.db,
        organisation.id,
        label=label or None,
        created_by=context.who.telegram_user_id,
        actor=actor(context),
        now=context.clock.now(),
        ttl=context.settings.invite_ttl,
    )
    link = membership.invite_link(context.bot.username, issued.token)
    text = say(
        context,
        texts.INVITE_CREATED,
        invite_id=issued.invite_id,
        organisation=issued.organisation.name,
        label=texts.Html(_label(context, issued.label)),
        link=link,
        expires=_when(context, issued.expires_at),
    )
    await reply(update, context, text)


@coordinators_only
async def list_invites(update: Update, context: BotContext) -> None:
    page = await requested_page(update, callback_data.INVITES_PAGE)
    if page is None:
        return
    pending = await membership.pending_invites(context.db, now=context.clock.now())
    if not pending:
        await reply(update, context, say(context, texts.INVITES_EMPTY))
        return
    lines = [
        say(
            context,
            texts.INVITES_LINE,
            invite_id=item.invite.id,
            organisation=item.organisation_name,
            label=texts.Html(_label(context, item.label)),
            expires=_when(context, item.invite.expires_at),
        )
        for item in pending
    ]
    await show_page(
        update,
        context,
        kind=callback_data.INVITES_PAGE,
        pages=pack_pages([[line] for line in lines]),
        header=lambda p, n: say(context, texts.INVITES_HEADER, total=len(pending), page=p, pages=n),
        page=page,
    )


@coordinators_only
async def revoke(update: Update, context: BotContext) -> None:
    invite_id = parse_ref(command_argument(update.message))
    if invite_id is None:
        await reply(update, context, say(context, texts.USAGE_REVOKE))
        return
    item = await membership.revoke_invite(
        context.db, invite_id, actor=actor(context), now=context.clock.now()
    )
    text = say(
        context, texts.INVITE_REVOKED, invite_id=item.invite.id, organisation=item.organisation_name
    )
    await reply(update, context, text)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("invite", invite))
    app.add_handler(CommandHandler("invites", list_invites))
    app.add_handler(CommandHandler("revoke", revoke))
    app.add_handler(CallbackQueryHandler(list_invites, pattern=rf"^{callback_data.INVITES_PAGE}:"))

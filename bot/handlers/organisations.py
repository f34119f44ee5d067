"""Coordinators' commands for organisations: /addorg /renameorg /removeorg /orgs."""

from __future__ import annotations

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
from bot.handlers.membership_errors import explain
from bot.services import membership

CONTACT_STATES = {
    "invited": texts.CONTACT_STATE_INVITED,
    "active": texts.CONTACT_STATE_ACTIVE,
    "unreachable": texts.CONTACT_STATE_UNREACHABLE,
    "removed": texts.CONTACT_STATE_REMOVED,
}


@coordinators_only
async def add_org(update: Update, context: BotContext) -> None:
    name = command_argument(update.message)
    if not name:
        await reply(update, context, say(context, texts.USAGE_ADDORG))
        return
    try:
        org = await membership.add_organisation(
            context.db, name, actor=actor(context), now=context.clock.now()
        )
    except membership.MembershipError as error:
        await reply(update, context, explain(error, context.language))
        return
    await reply(update, context, say(context, texts.ORG_ADDED, org_id=org.id, name=org.name))


@coordinators_only
async def rename_org(update: Update, context: BotContext) -> None:
    ref, _, name = command_argument(update.message).partition(" ")
    org_id = parse_ref(ref)
    if org_id is None or not name.strip():
        await reply(update, context, say(context, texts.USAGE_RENAMEORG))
        return
    try:
        old, new = await membership.rename_organisation(
            context.db, org_id, name, actor=actor(context), now=context.clock.now()
        )
    except membership.MembershipError as error:
        await reply(update, context, explain(error, context.language))
        return
    text = say(context, texts.ORG_RENAMED, org_id=new.id, name=new.name, old_name=old.name)
    await reply(update, context, text)


@coordinators_only
async def remove_org(update: Update, context: BotContext) -> None:
    org_id = parse_ref(command_argument(update.message))
    if org_id is None:
        await reply(update, context, say(context, texts.USAGE_REMOVEORG))
        return
    try:
        org, removed = await membership.remove_organisation(
            context.db, org_id, actor=actor(context), now=context.clock.now()
        )
    except membership.MembershipError as error:
        await reply(update, context, explain(error, context.language))
        return
    text = say(context, texts.ORG_REMOVED, org_id=org.id, name=org.name, contacts=removed)
    await reply(update, context, text)


def contact_state(context: BotContext, status: str) -> str:
    return say(context, CONTACT_STATES[status])


@coordinators_only
async def list_orgs(update: Update, context: BotContext) -> None:
    """/orgs and its pager: every organisation with its contacts, never cut off."""
    page = await requested_page(update, callback_data.ORGS_PAGE)
    if page is None:
        return
    entries = await membership.all_organisations(context.db)
    if not entries:
        await reply(update, context, say(context, texts.ORGS_EMPTY))
        return
    blocks: list[list[str]] = []
    for entry in entries:
        org = entry.organisation
        lines = [say(context, texts.ORGS_LINE, org_id=org.id, name=org.name)]
        if not entry.contacts:
            lines.append(say(context, texts.ORGS_NO_CONTACTS, org_id=org.id))
        for contact in entry.contacts:
            name = contact.display_name or say(context, texts.CONTACT_UNNAMED)
            if contact.label:
                name = f"{name} ({contact.label})"
            state = contact_state(context, contact.status)
            line = say(
                context, texts.ORGS_CONTACT_LINE, contact_id=contact.id, name=name, state=state
            )
            lines.append(line)
        blocks.append(lines)
    await show_page(
        update,
        context,
        kind=callback_data.ORGS_PAGE,
        pages=pack_pages(blocks),
        header=lambda p, n: say(
            context, texts.ORGS_PAGE_HEADER, total=len(entries), page=p, pages=n
        ),
        page=page,
    )


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("addorg", add_org))
    app.add_handler(CommandHandler("renameorg", rename_org))
    app.add_handler(CommandHandler("removeorg", remove_org))
    app.add_handler(CommandHandler("orgs", list_orgs))
    app.add_handler(CallbackQueryHandler(list_orgs, pattern=rf"^{callback_data.ORGS_PAGE}:"))

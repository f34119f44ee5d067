"""Coordinators' commands for organisations: /addorg /renameorg /removeorg /orgs.

Removing (here and in ``contacts``) asks first, then deletes the bot's messages about
letters from the removed people's chats and says what could not be deleted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callback_data, keyboards, texts
from bot.context import BotApplication, BotContext
from bot.db.types import ContactStatus
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

CONTACT_STATES = {
    ContactStatus.INVITED: texts.CONTACT_STATE_INVITED,
    ContactStatus.ACTIVE: texts.CONTACT_STATE_ACTIVE,
    ContactStatus.UNREACHABLE: texts.CONTACT_STATE_UNREACHABLE,
    ContactStatus.REMOVED: texts.CONTACT_STATE_REMOVED,
}


@coordinators_only
async def add_org(update: Update, context: BotContext) -> None:
    name = command_argument(update.message)
    if not name:
        await reply(update, context, say(context, texts.USAGE_ADDORG))
        return
    org = await membership.add_organisation(
        context.db, name, actor=actor(context), now=context.clock.now()
    )
    await reply(update, context, say(context, texts.ORG_ADDED, org_id=org.id, name=org.name))


@coordinators_only
async def rename_org(update: Update, context: BotContext) -> None:
    ref, _, name = command_argument(update.message).partition(" ")
    org_id = parse_ref(ref)
    if org_id is None or not name.strip():
        await reply(update, context, say(context, texts.USAGE_RENAMEORG))
        return
    old, new = await membership.rename_organisation(
        context.db, org_id, name, actor=actor(context), now=context.clock.now()
    )
    text = say(context, texts.ORG_RENAMED, org_id=new.id, name=new.name, old_name=old.name)
    await reply(update, context, text)


@coordinators_only
async def remove_org(update: Update, context: BotContext) -> None:
    """Asks first (Remove / Keep), saying what will happen; the press does it."""
    org_id = parse_ref(command_argument(update.message))
    if org_id is None:
        await reply(update, context, say(context, texts.USAGE_REMOVEORG))
        return
    org, contacts = await membership.organisation_to_remove(context.db, org_id)
    text = say(context, texts.REMOVEORG_ASK, org_id=org.id, name=org.name, contacts=contacts)
    markup = keyboards.removal_confirmation(callback_data.REMOVE_ORG, org.id, context.language)
    await reply(update, context, text, reply_markup=markup)


@coordinators_only
async def remove_org_answer(update: Update, context: BotContext) -> None:
    async def remove(org_id: int) -> tuple[str, membership.Removal]:
        org, removal = await membership.remove_organisation(
            context.db, org_id, actor=actor(context), now=context.clock.now()
        )
        done = say(
            context, texts.ORG_REMOVED, org_id=org.id, name=org.name, contacts=removal.contacts
        )
        return done, removal

    def kept(org_id: int) -> str:
        return say(context, texts.ORG_KEPT, org_id=org_id)

    await answer_removal(update, context, callback_data.REMOVE_ORG, kept, remove)


async def answer_removal(
    update: Update,
    context: BotContext,
    kind: str,
    kept: Callable[[int], str],
    remove: Callable[[int], Awaitable[tuple[str, membership.Removal]]],
) -> None:
    """The press under a removal question: Keep changes nothing; Remove removes (what it
    removes is re-checked now), deletes what the bot sent the removed people and turns the
    question into what happened (removed meanwhile: a refusal, and the question stays).
    Forged data is ignored."""
    query = update.callback_query
    assert query is not None
    args = callback_data.decode(query.data, kind, 2)
    if args is None or args[1] not in (0, 1):
        return
    ref, confirmed = args
    if not confirmed:
        await query.edit_message_text(kept(ref), parse_mode=ParseMode.HTML)
        return
    done, removal = await remove(ref)
    report = await _clear_chats(context, removal)
    await query.edit_message_text(f"{done}\n\n{report}", parse_mode=ParseMode.HTML)


async def _clear_chats(context: BotContext, removal: membership.Removal) -> str:
    """Deletes the removed people's messages now (the outbox's deletion sweep, as for a
    purge or DRAFT_TTL) and says what became of them."""
    if removal.deletions:
        await context.services.delete_expired_messages()
    outcome = await membership.deletion_outcome(context.db, removal)
    lines = []
    if outcome.deleted:
        lines.append(say(context, texts.REMOVAL_DELETED, count=outcome.deleted))
    if outcome.refused + removal.undeletable:
        count = outcome.refused + removal.undeletable
        lines.append(say(context, texts.REMOVAL_NOT_DELETED, count=count))
    if outcome.pending:
        lines.append(say(context, texts.REMOVAL_STILL_DELETING, count=outcome.pending))
    if not lines:
        lines.append(say(context, texts.REMOVAL_NOTHING_TO_DELETE))
    lines.append(say(context, texts.REMOVAL_ADVICE))
    return "\n".join(lines)


def contact_state(context: BotContext, status: ContactStatus) -> str:
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
    app.add_handler(
        CallbackQueryHandler(remove_org_answer, pattern=rf"^{callback_data.REMOVE_ORG}:")
    )
    app.add_handler(CommandHandler("orgs", list_orgs))
    app.add_handler(CallbackQueryHandler(list_orgs, pattern=rf"^{callback_data.ORGS_PAGE}:"))

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
from bot.handlers.approvals import request_action
from bot.handlers.common import (
    actor,
    answer_in_place,
    command_argument,
    coordinators_only,
    pack_pages,
    parse_ref,
    reply,
    requested_page,
    say,
    show_page,
)
from bot.services import membership, org_names, renames
from bot.services.approvals import (
    ActionResult,
    Done,
    OrganisationRemoved,
    RemoveOrganisation,
    RenameOrganisation,
)
from bot.services.renames import RenameAsked, Renamed

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

    def done(result: ActionResult) -> str:
        if isinstance(result, Renamed):  # it never answered a letter: renamed at once
            new = result.new
            return say(
                context, texts.ORG_RENAMED, org_id=new.id, name=new.name, old_name=result.old.name
            )
        assert isinstance(result, RenameAsked)
        rename = result.rename
        message = texts.RENAME_ASKED if result.asked else texts.RENAME_NOBODY
        return say(
            context, message, org_id=rename.organisation_id, old=rename.old_name,
            new=rename.new_name, asked=result.asked,
        )  # fmt: skip

    await request_action(update, context, RenameOrganisation(org_id, name), done)


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
    """Remove (with a second coordinator's approval where one is needed) or Keep."""
    query = update.callback_query
    assert query is not None
    args = callback_data.decode(query.data, callback_data.REMOVE_ORG, 2)
    if args is None or args[1] not in (0, 1):
        return
    org_id, confirmed = args
    if not confirmed:
        await answer_in_place(update, say(context, texts.ORG_KEPT, org_id=org_id))
        return

    def done(result: ActionResult) -> str:
        assert isinstance(result, OrganisationRemoved)
        org, removal = result.organisation, result.removal
        return say(
            context, texts.ORG_REMOVED, org_id=org.id, name=org.name, contacts=removal.contacts
        )

    outcome = await request_action(update, context, RemoveOrganisation(org_id), done)
    if isinstance(outcome, Done) and isinstance(outcome.result, OrganisationRemoved):
        # What became of the removed contacts' messages, once the sweep has run.
        report = await _clear_chats(context, outcome.result.removal)
        text = done(outcome.result)
        if outcome.alone:
            text += "\n\n" + say(context, texts.DONE_ALONE)
        await answer_in_place(update, f"{text}\n\n{report}")


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
    waiting = await renames.waiting(context.db)
    listed = await org_names.listed_names_by_organisation(context.db)
    for entry in entries:
        org = entry.organisation
        name = org.name
        if org.id in waiting:  # the organisation has to confirm its new name first
            new = waiting[org.id].new_name
            name = texts.Html(say(context, texts.RENAME_WAITING, old=org.name, new=new))
        lines = [say(context, texts.ORGS_LINE, org_id=org.id, name=name)]
        # Issue 17: how it is listed in each language, and where it files.
        own = listed.get(org.id, {})
        if own:
            names = " · ".join(
                f"{code}: {own[code]}" for code in org_names.LANGUAGES if code in own
            )
            lines.append(say(context, texts.ORGS_LISTED_NAMES, names=names))
        if org.sort_key:
            lines.append(say(context, texts.ORGS_SORT_KEY, key=org.sort_key))
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

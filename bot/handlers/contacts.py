"""Coordinators' commands for contacts: /contacts /removecontact."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callback_data, keyboards, texts
from bot.context import BotApplication, BotContext
from bot.db.contacts import ContactWithOrganisation
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
from bot.handlers.organisations import answer_removal, contact_state
from bot.services import membership


def _name(context: BotContext, display_name: str | None, label: str | None) -> str:
    name = display_name or say(context, texts.CONTACT_UNNAMED)
    return f"{name} ({label})" if label else name


@coordinators_only
async def list_contacts(update: Update, context: BotContext) -> None:
    page = await requested_page(update, callback_data.CONTACTS_PAGE)
    if page is None:
        return
    items = await membership.live_contacts(context.db)
    if not items:
        await reply(update, context, say(context, texts.CONTACTS_EMPTY))
        return
    lines = [
        say(
            context,
            texts.CONTACTS_LINE,
            contact_id=item.contact.id,
            name=_name(context, item.contact.display_name, item.contact.label),
            organisation=item.organisation_name,
            state=contact_state(context, item.contact.status),
        )
        for item in items
    ]
    await show_page(
        update,
        context,
        kind=callback_data.CONTACTS_PAGE,
        pages=pack_pages([[line] for line in lines]),
        header=lambda p, n: say(context, texts.CONTACTS_HEADER, total=len(items), page=p, pages=n),
        page=page,
    )


@coordinators_only
async def remove_contact(update: Update, context: BotContext) -> None:
    """Asks first (Remove / Keep), saying what will happen; the press does it."""
    contact_id = parse_ref(command_argument(update.message))
    if contact_id is None:
        await reply(update, context, say(context, texts.USAGE_REMOVECONTACT))
        return
    item = await membership.contact_to_remove(context.db, contact_id)
    text = say(context, texts.REMOVECONTACT_ASK, **_described(context, item))
    markup = keyboards.removal_confirmation(
        callback_data.REMOVE_CONTACT, item.contact.id, context.language
    )
    await reply(update, context, text, reply_markup=markup)


@coordinators_only
async def remove_contact_answer(update: Update, context: BotContext) -> None:
    async def remove(contact_id: int) -> tuple[str, membership.Removal]:
        item, removal = await membership.remove_contact(
            context.db, contact_id, actor=actor(context), now=context.clock.now()
        )
        return say(context, texts.CONTACT_REMOVED, **_described(context, item)), removal

    def kept(contact_id: int) -> str:
        return say(context, texts.CONTACT_KEPT, contact_id=contact_id)

    await answer_removal(update, context, callback_data.REMOVE_CONTACT, kept, remove)


def _described(context: BotContext, item: ContactWithOrganisation) -> dict[str, object]:
    return {
        "contact_id": item.contact.id,
        "name": _name(context, item.contact.display_name, item.contact.label),
        "organisation": item.organisation_name,
    }


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("contacts", list_contacts))
    app.add_handler(CommandHandler("removecontact", remove_contact))
    app.add_handler(
        CallbackQueryHandler(remove_contact_answer, pattern=rf"^{callback_data.REMOVE_CONTACT}:")
    )
    app.add_handler(
        CallbackQueryHandler(list_contacts, pattern=rf"^{callback_data.CONTACTS_PAGE}:")
    )

"""How organisations and people are listed, and coordinators' habits (issue 17):
``/orgname``, ``/signer`` (a letter's setting for coordinators, the person signing for a
member) and ``/notify``."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.context import BotApplication, BotContext
from bot.db.types import Notify
from bot.handlers.approvals import request_action
from bot.handlers.common import actor, command_argument, coordinators_only, parse_ref, reply, say
from bot.handlers.drafting import NEWLETTER, NewLetterState
from bot.services import flows, lifecycle, org_names, preferences, signer
from bot.services.approvals import ActionResult, RenameOrganisation
from bot.services.org_names import ListedNameChange
from bot.services.renames import RenameAsked


@coordinators_only
async def orgname(update: Update, context: BotContext) -> None:
    """``/orgname 12 ru Name`` (``-`` clears), ``/orgname 12 key Viasna`` (``-`` clears)."""
    parts = command_argument(update.message).split(maxsplit=2)
    org_id = parse_ref(parts[0]) if parts else None
    if org_id is None or len(parts) < 3:
        await reply(update, context, say(context, texts.USAGE_ORGNAME))
        return
    which, value = parts[1].lower(), parts[2]
    now = context.clock.now()
    if which == "key":
        change = await org_names.set_sort_key(
            context.db, org_id, value, actor=actor(context), now=now
        )
        name = change.organisation.name
        if not change.changed:
            text = say(context, texts.ORGNAME_UNCHANGED, org_id=org_id)
        elif change.new is None:
            text = say(context, texts.ORGNAME_SORT_KEY_CLEARED, org_id=org_id, organisation=name)
        else:
            text = say(
                context, texts.ORGNAME_SORT_KEY, org_id=org_id, organisation=name, key=change.new
            )
        await reply(update, context, text)
        return
    language_code = org_names.check_language(which)

    def done(result: ActionResult) -> str:
        if isinstance(result, RenameAsked):  # it responded: the organisation decides
            rename = result.rename
            message = texts.RENAME_ASKED if result.asked else texts.RENAME_NOBODY
            return say(
                context, message, org_id=rename.organisation_id, old=rename.old_name,
                new=rename.new_name, asked=result.asked,
            )  # fmt: skip
        assert isinstance(result, ListedNameChange)
        language = texts.LANGUAGE_NAMES[result.language]
        name = result.organisation.name
        if not result.changed:
            return say(context, texts.ORGNAME_UNCHANGED, org_id=org_id)
        if result.new is None:
            return say(
                context, texts.ORGNAME_CLEARED, org_id=org_id, organisation=name,
                language=language,
            )  # fmt: skip
        return say(
            context, texts.ORGNAME_SET, org_id=org_id, organisation=name, language=language,
            name=result.new,
        )  # fmt: skip

    # A name in a list of an organisation that answered a letter is a rename (issue 16):
    # a second coordinator's approval where there are two, then the organisation's yes.
    ask = RenameOrganisation(org_id, value, language=language_code)
    await request_action(update, context, ask, done, in_place=False)


async def signer_command(update: Update, context: BotContext) -> None:
    """Coordinators: ``/signer 4 on|off``. Members: ``/signer`` shows the person they sign
    as; ``/signer`` with the name on the first line and the title on the second sets it;
    ``/signer -`` forgets it."""
    raw = command_argument(update.message)
    who = context.who
    if who.is_coordinator:
        words = raw.split()
        letter_id = parse_ref(words[0]) if words else None
        if letter_id is None or len(words) != 2 or words[1].lower() not in ("on", "off"):
            await reply(update, context, say(context, texts.USAGE_SIGNER))
            return
        ask = words[1].lower() == "on"
        letter, _ = await signer.set_ask_signer(
            context.db, letter_id, ask, actor=actor(context), now=context.clock.now()
        )
        message = texts.SIGNER_LETTER_ON if letter.ask_signer else texts.SIGNER_LETTER_OFF
        await reply(update, context, say(context, message, letter_id=letter_id))
        return
    contact = who.contact
    if contact is None:
        return
    if not raw:
        known = signer.remembered(contact)
        if known is None:
            await reply(update, context, say(context, texts.SIGNER_NONE))
        else:
            await reply(update, context, say(context, texts.SIGNER_SHOW, person=known.line))
        return
    if raw == "-":
        await signer.remember(context.db, contact, None)
        await reply(update, context, say(context, texts.SIGNER_FORGOTTEN))
        return
    name, _, title = raw.partition("\n")
    person = signer.clean_signer(name, title.strip() or None)
    await signer.remember(context.db, contact, person)
    await reply(update, context, say(context, texts.SIGNER_SET, person=person.line))


@coordinators_only
async def notify(update: Update, context: BotContext) -> None:
    raw = command_argument(update.message).strip().lower()
    contact = context.who.contact
    if raw not in ("each", "digest", "") or contact is None:
        await reply(update, context, say(context, texts.USAGE_NOTIFY))
        return
    chosen = contact.notify if not raw else Notify(raw)
    if raw:
        await preferences.set_notify(context.db, contact, chosen)
    message = texts.NOTIFY_EACH if chosen is Notify.EACH else texts.NOTIFY_DIGEST
    await reply(update, context, say(context, message))


@coordinators_only
async def copyletter(update: Update, context: BotContext) -> None:
    """``/copyletter 4``: the /newletter flow (title, deadline, text), for a draft that keeps
    letter #4's organisations, reminder schedule and milestones."""
    letter_id = parse_ref(command_argument(update.message))
    if letter_id is None:
        await reply(update, context, say(context, texts.USAGE_COPYLETTER))
        return
    source = await lifecycle.known_letter(context.db, letter_id)
    state = NewLetterState(step="title", language=source.language, copy_from=source.id)
    await flows.save(
        context.db, context.who.telegram_user_id, NEWLETTER, state, now=context.clock.now()
    )
    started = say(context, texts.COPYLETTER_STARTED, letter_id=source.id, title=source.title or "—")
    await reply(update, context, started + "\n\n" + say(context, texts.NEWLETTER_ASK_TITLE))


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("orgname", orgname))
    app.add_handler(CommandHandler("signer", signer_command))
    app.add_handler(CommandHandler("notify", notify))
    app.add_handler(CommandHandler("copyletter", copyletter))

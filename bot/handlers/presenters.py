"""What several features show alike: a letter's status, a moment, counts, a letter's
reference in a command, a member's answer and listing choice, the composer of what
members receive for a letter.

A library for handlers (no handler of its own): features import these rather than
each other, so no feature module is another's library.
"""

from __future__ import annotations

from datetime import datetime

from telegram import Update

from bot import texts
from bot.context import BotContext
from bot.db.milestones import Milestone
from bot.db.types import LetterStatus
from bot.handlers.common import command_argument, parse_ref, reply, say
from bot.outgoing.common import moment_text
from bot.outgoing.letters import LISTING_NAMES, LetterComposer
from bot.services import translations
from bot.services.responses import OrganisationState, Tally

STATUS_TEXTS = {
    LetterStatus.DRAFT: texts.LETTER_STATUS_DRAFT,
    LetterStatus.OPEN: texts.LETTER_STATUS_OPEN,
    LetterStatus.CLOSED: texts.LETTER_STATUS_CLOSED,
}
STATE_TEXTS = {
    OrganisationState.SIGNED: texts.STATE_SIGNED,
    OrganisationState.RECONFIRM: texts.STATE_RECONFIRM,
    OrganisationState.DECLINED: texts.STATE_DECLINED,
    OrganisationState.WITHDRAWN: texts.STATE_WITHDRAWN,
    OrganisationState.PENDING: texts.STATE_PENDING,
    OrganisationState.NO_CONTACT: texts.STATE_NO_CONTACT,
}
LISTING_TEXTS = LISTING_NAMES  # a listing choice reads the same in replies and in notices


def characters(context: BotContext, count: int) -> texts.Html:
    """ "1 234 characters" in the reader's language, for a sentence that holds it."""
    return texts.Html(say(context, texts.COUNT_CHARACTERS, count=count))


def describe_when(context: BotContext, moment: datetime) -> tuple[str, str]:
    """An instant as the caller reads it: date and time in their zone, and a hint."""
    return moment_text(moment, context.zone, context.language, context.clock.now())


async def composer_for(context: BotContext, letter_id: int) -> LetterComposer:
    """A composer that gives members the letter in their language where it has it."""
    return LetterComposer(
        context.settings, translations=await translations.of_letter(context.db, letter_id)
    )


def response_counts(context: BotContext, tally: Tally) -> str:
    """ "signed: 3 · needs reconfirmation: 2 · …": the numbers /status shows, on one line."""
    parts = [say(context, texts.COUNT_SIGNED, count=tally.signed)]
    if tally.reconfirm:
        parts.append(say(context, texts.COUNT_RECONFIRM, count=tally.reconfirm))
    parts.append(say(context, texts.COUNT_DECLINED, count=tally.declined))
    parts.append(say(context, texts.COUNT_PENDING, count=tally.pending))
    if tally.no_contact:
        parts.append(say(context, texts.COUNT_NO_CONTACT, count=tally.no_contact))
    return " · ".join(parts)


def milestone_line(context: BotContext, milestone: Milestone) -> str:
    when, relative = describe_when(context, milestone.at)
    return say(
        context, texts.MILESTONE_LINE, milestone_id=milestone.id,
        name=milestone.name or "—",  # purged
        when=when, relative=relative,
    )  # fmt: skip


async def letter_ref(update: Update, context: BotContext, command: str) -> int | None:
    """The letter a command names (``/letter 4``), or None after saying how to name it."""
    letter_id = parse_ref(command_argument(update.message).split(" ")[0])
    if letter_id is None:
        await reply(update, context, say(context, texts.USAGE_LETTER_REF, command=command))
    return letter_id

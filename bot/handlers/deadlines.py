"""Coordinators' calendar of a letter: /deadline, /reminders, /milestone."""

from __future__ import annotations

from datetime import datetime

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.context import BotApplication, BotContext
from bot.handlers.approvals import request_action
from bot.handlers.common import actor, command_argument, coordinators_only, parse_ref, reply, say
from bot.handlers.presenters import describe_when, milestone_line
from bot.services import letters, milestones, reminders
from bot.services.approvals import ActionResult, MoveDeadline
from bot.services.deadlines import (
    DeadlineError,
    DeadlineReason,
    format_deadline,
    format_duration,
    format_offsets,
    parse_deadline,
)
from bot.services.letters import DeadlineMove

MAX_WHEN_WORDS = 4  # "2026-03-02 10:00 Europe/Geneva" is three; a little slack


# --- /deadline --------------------------------------------------------------------------------


@coordinators_only
async def move_deadline(update: Update, context: BotContext) -> None:
    ref, _, when = command_argument(update.message).partition(" ")
    letter_id = parse_ref(ref)
    if letter_id is None or not when.strip():
        await reply(update, context, say(context, texts.USAGE_DEADLINE))
        return
    now = context.clock.now()
    deadline = parse_deadline(when, default_zone=context.zone, now=now)

    def done(result: ActionResult) -> str:
        assert isinstance(result, DeadlineMove)
        new, relative = describe_when(context, result.letter.deadline)
        return say(
            context, texts.DEADLINE_MOVED, letter_id=result.letter.id,
            title=result.letter.title or "", deadline=new, relative=relative,
            previous=format_deadline(result.previous, context.zone, context.language),
            contacts=result.recipients,
        )  # fmt: skip

    # An earlier deadline shortens the time to answer: a second coordinator approves it.
    await request_action(update, context, MoveDeadline(letter_id, deadline), done)


# --- /reminders -------------------------------------------------------------------------------


@coordinators_only
async def reminder_schedule(update: Update, context: BotContext) -> None:
    ref, _, raw = command_argument(update.message).partition(" ")
    letter_id = parse_ref(ref)
    default = format_offsets(context.settings.reminder_offsets)
    if letter_id is None:
        await reply(update, context, say(context, texts.USAGE_REMINDERS, default=default))
        return
    if raw.strip():
        await reminders.set_offsets(
            context.db, letter_id, reminders.read_offsets(raw), actor=actor(context),
            now=context.clock.now(), default_offsets=context.settings.reminder_offsets,
        )  # fmt: skip
    await _show_schedule(update, context, letter_id)


async def _show_schedule(update: Update, context: BotContext, letter_id: int) -> None:
    letter, planned = await reminders.schedule_of(
        context.db, letter_id, default_offsets=context.settings.reminder_offsets
    )
    deadline, _ = describe_when(context, letter.deadline)
    source = texts.REMINDERS_SOURCE_DEFAULT
    if letter.reminder_offsets is not None:
        source = texts.REMINDERS_SOURCE_LETTER
    lines = [
        say(
            context,
            texts.REMINDERS_HEADER,
            letter_id=letter.id,
            source=say(context, source),
            deadline=deadline,
        )
    ]
    now = context.clock.now()
    for item in planned:
        if item.sent or item.skipped:
            state = say(context, texts.REMINDERS_STATE_DONE, sent=item.sent, skipped=item.skipped)
        elif item.pending:
            state = say(context, texts.REMINDERS_STATE_PLANNED, count=item.pending)
        elif item.due <= now:
            state = say(context, texts.REMINDERS_STATE_PASSED)
        else:
            state = say(context, texts.REMINDERS_STATE_AT_CIRCULATION)
        when = format_deadline(item.due, context.zone, context.language)
        lines.append(
            say(
                context,
                texts.REMINDERS_LINE,
                offset=format_duration(item.offset),
                when=when,
                state=state,
            )
        )
    if not planned:
        lines.append(say(context, texts.REMINDERS_NONE))
    await reply(update, context, "\n".join(lines))


# --- /milestone -------------------------------------------------------------------------------


@coordinators_only
async def milestone(update: Update, context: BotContext) -> None:
    ref, _, rest = command_argument(update.message).partition(" ")
    letter_id = parse_ref(ref)
    if letter_id is None:
        await reply(update, context, say(context, texts.USAGE_MILESTONE))
        return
    words = rest.split()
    if not words:
        await _list_milestones(update, context, letter_id)
        return
    now = context.clock.now()
    milestone_id = parse_ref(words[1]) if len(words) == 2 else None
    if words[0].lower() == "remove" and milestone_id is not None:
        removed = await milestones.remove_milestone(
            context.db, letter_id, milestone_id, actor=actor(context), now=now
        )
        text = say(context, texts.MILESTONE_REMOVED, milestone_id=removed.id, name=removed.name)
        await reply(update, context, text)
        return
    parsed = _name_and_when(words, context)
    if isinstance(parsed, DeadlineError):
        raise parsed
    if parsed is None:
        await reply(update, context, say(context, texts.USAGE_MILESTONE))
        return
    name, at = parsed
    added = await milestones.add_milestone(
        context.db, letter_id, name, at, created_by=context.who.telegram_user_id,
        actor=actor(context), now=now,
    )  # fmt: skip
    when, relative = describe_when(context, added.at)
    text = say(
        context, texts.MILESTONE_ADDED, milestone_id=added.id, letter_id=letter_id,
        name=added.name, when=when, relative=relative,
    )  # fmt: skip
    await reply(update, context, text)


def _name_and_when(
    words: list[str], context: BotContext
) -> tuple[str, datetime] | DeadlineError | None:
    """Splits "HRC session opens 2026-03-02 10:00 Europe/Geneva" into name and moment:
    the longest tail of words that reads as a moment, with at least one word of name.

    Returns (name, moment), the DeadlineError of the most plausible tail, or None.
    """
    now = context.clock.now()
    first_error: DeadlineError | None = None
    for count in range(min(MAX_WHEN_WORDS, len(words) - 1), 0, -1):
        try:
            at = parse_deadline(" ".join(words[-count:]), default_zone=context.zone, now=now)
        except DeadlineError as error:
            if error.reason is not DeadlineReason.FORMAT and first_error is None:
                first_error = error
            continue
        return " ".join(words[:-count]), at
    return first_error


async def _list_milestones(update: Update, context: BotContext, letter_id: int) -> None:
    info = await letters.details(context.db, letter_id)
    if not info.milestones:
        await reply(update, context, say(context, texts.MILESTONES_NONE, letter_id=letter_id))
        return
    lines = [say(context, texts.MILESTONES_HEADER)]
    lines += [milestone_line(context, item) for item in info.milestones]
    await reply(update, context, "\n".join(lines))


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("deadline", move_deadline))
    app.add_handler(CommandHandler("reminders", reminder_schedule))
    app.add_handler(CommandHandler("milestone", milestone))
    app.add_handler(CommandHandler("milestones", milestone))

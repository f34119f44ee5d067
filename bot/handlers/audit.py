"""/audit <letter>: coordinators get the letter's audit trail as a CSV document.
/verify [code …]: the audit log checked from Telegram (``bot.services.audit_check``).

/verify is open to members too, for the witness codes of their own receipts: a member whose
signature is at stake should not have to ask a coordinator (the account the issue fears may
be hostile) whether the log still holds it. A member learns only whether a code names an
event of their own organisation that is still in place; for any other code the answer is
the same whether the event exists, is another organisation's, or the log is shorter, so
the command tells them nothing about others or about the size of the log.
"""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import CommandHandler

from bot import texts
from bot.context import BotApplication, BotContext
from bot.handlers.common import actor, command_argument, coordinators_only, reply, say
from bot.handlers.presenters import letter_ref
from bot.services import audit_check, audit_trail
from bot.services.audit_check import AuditCheck
from bot.services.witnesses import WitnessCheck, WitnessResult, split_codes

SHOWN_CODE = 64  # of an unreadable code, what the answer echoes (it may be anything typed)


@coordinators_only
async def audit(update: Update, context: BotContext) -> None:
    letter_id = await letter_ref(update, context, "audit")
    if letter_id is None:
        return
    trail = await audit_trail.letter_trail(
        context.db, letter_id, actor=actor(context), now=context.clock.now()
    )
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_document(
        chat.id,
        document=InputFile(trail.content, filename=trail.file_name),
        caption=say(context, texts.AUDIT_CAPTION, letter_id=letter_id, events=trail.events),
        parse_mode=ParseMode.HTML,
    )


async def verify(update: Update, context: BotContext) -> None:
    """Coordinators: the chain, the record and each code (no code: the chain, the record and
    the latest event's code). Members: each code of their organisation's events."""
    who = context.who
    codes = split_codes(command_argument(update.message))
    organisation_id = None
    if not who.is_coordinator:
        if who.organisation is None:
            await reply(update, context, say(context, texts.UNKNOWN_COMMAND))
            return
        if not codes:
            await reply(update, context, say(context, texts.VERIFY_USAGE_MEMBER))
            return
        organisation_id = who.organisation.id
    if len(codes) > audit_check.MAX_CODES:
        await reply(
            update, context, say(context, texts.VERIFY_TOO_MANY, limit=audit_check.MAX_CODES)
        )
        return
    check = await audit_check.verify_for(
        context.db, codes, actor=actor(context), organisation_id=organisation_id,
        now=context.clock.now(),
    )  # fmt: skip
    if organisation_id is None:
        lines = _log_lines(context, check)
        lines += [_witness_line(context, w, w.result) for w in check.witnesses]
        if not codes and check.head and check.chain.ok:
            lines.append(say(context, texts.VERIFY_HEAD, code=check.head))
    else:
        lines = [_witness_line(context, w, w.seen_by(organisation_id)) for w in check.witnesses]
        if not check.log_ok:
            lines.append(say(context, texts.VERIFY_MEMBER_LOG_FAILS))
    await reply(update, context, "\n".join(lines))


def _log_lines(context: BotContext, check: AuditCheck) -> list[str]:
    chain, record = check.chain, check.record
    if chain.broken is None:
        lines = [say(context, texts.VERIFY_CHAIN_OK, events=chain.count)]
    else:
        lines = [
            say(context, texts.VERIFY_CHAIN_BROKEN, event=chain.broken.id, reason=chain.reason)
        ]
    if record.first is None:
        lines.append(say(context, texts.VERIFY_RECORD_OK))
    else:
        lines.append(say(context, texts.VERIFY_RECORD_DIFFERS, difference=str(record.first)))
        if len(record.differences) > 1:
            more = len(record.differences) - 1
            lines.append(say(context, texts.VERIFY_MORE_DIFFERENCES, count=more))
    return lines


def _witness_line(context: BotContext, check: WitnessCheck, result: WitnessResult) -> str:
    if check.witness is None:
        shown = check.code if len(check.code) <= SHOWN_CODE else check.code[:SHOWN_CODE] + "…"
        return say(context, texts.VERIFY_UNREADABLE, code=shown)
    code, event_id = check.witness.code, check.witness.event_id
    if result is WitnessResult.UNMATCHED:
        return say(context, texts.VERIFY_MEMBER_UNMATCHED, code=code)
    if result is WitnessResult.HELD and check.event is not None:
        if context.who.is_coordinator:
            action = check.event.action
            return say(context, texts.VERIFY_HELD, code=code, event=event_id, action=action)
        return say(context, texts.VERIFY_MEMBER_HELD, code=code, event=event_id)
    if result is WitnessResult.MOVED:
        return say(context, texts.VERIFY_MOVED, code=code, found=check.found_at)
    if result is WitnessResult.DIFFERENT:
        return say(context, texts.VERIFY_DIFFERENT, code=code, event=event_id)
    if result is WitnessResult.CUT:
        return say(context, texts.VERIFY_CUT, code=code, last=check.last_id)
    return say(context, texts.VERIFY_MISSING, code=code, event=event_id)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("audit", audit))
    app.add_handler(CommandHandler("verify", verify))

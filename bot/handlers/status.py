"""Coordinators watch and finish a letter: /status (with chart), /comments and replies,
/remind, /close, /reopen, /export."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callback_data, keyboards, texts
from bot.context import BotApplication, BotContext
from bot.handlers.approvals import request_action
from bot.handlers.common import (
    actor,
    answer_in_place,
    command_argument,
    confirmed,
    coordinators_only,
    pack_pages,
    parse_ref,
    reply,
    say,
    show_page,
)
from bot.handlers.flows import FlowKind, Resumed
from bot.handlers.presenters import (
    LISTING_TEXTS,
    STATE_TEXTS,
    STATUS_TEXTS,
    describe_when,
    letter_ref,
)
from bot.handlers.refusals import in_place
from bot.handlers.resend import show_uncertain
from bot.outgoing.common import html_message
from bot.outgoing.letters import CHANNEL_TEXTS, LetterComposer, chase_lines, label
from bot.services import (
    approvals,
    flows,
    letter_export,
    lifecycle,
    org_names,
    reminders,
    renames,
    responses,
    witnesses,
)
from bot.services.approvals import ActionResult, Reopened, ReopenLetter
from bot.services.deadlines import parse_deadline
from bot.services.export import alone_actor
from bot.services.flows import FlowState
from bot.services.outbox import OutgoingMessage
from bot.services.refusals import Code, Refusal
from bot.services.responses import OrganisationState

REPLY = "reply"


@dataclass(frozen=True, kw_only=True)
class ReplyState(FlowState):
    """A coordinator's reply to a member's comment, being typed."""

    comment_id: int


ICONS = {
    OrganisationState.SIGNED: "✅",
    OrganisationState.RECONFIRM: "🔁",
    OrganisationState.DECLINED: "✖️",
    OrganisationState.WITHDRAWN: "↩️",
    OrganisationState.PENDING: "⏳",
    OrganisationState.NO_CONTACT: "📭",
}


def _last_activity(context: BotContext, *moments: datetime | None) -> str:
    present = [moment for moment in moments if moment is not None]
    if not present:
        return say(context, texts.STATUS_NEVER)
    return describe_when(context, max(present))[0]


@coordinators_only
async def status(update: Update, context: BotContext) -> None:
    letter_id = await letter_ref(update, context, "status")
    if letter_id is None:
        return
    info = await responses.letter_status(context.db, letter_id)
    await reply(update, context, _summary(context, info))
    alone = await approvals.done_alone(context.db, letter_id)
    if alone:
        await reply(update, context, _done_alone(context, alone))
    await show_uncertain(update, context, letter_id)
    if info.organisations:
        await _show_table(update, context, info, 1)
    await _send_chart(update, context, info)


@coordinators_only
async def status_page(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    args = callback_data.decode(query.data, callback_data.STATUS_PAGE, 2)
    if args is None:
        return
    page, letter_id = args
    info = await responses.letter_status(context.db, letter_id)
    await _show_table(update, context, info, page)


def _summary(context: BotContext, info: responses.LetterStanding) -> str:
    letter = info.letter
    deadline, relative = describe_when(context, letter.deadline)
    tally = info.tally
    text = say(
        context,
        texts.STATUS_TEXT,
        letter_id=letter.id,
        title=letter.title or "—",
        status=say(context, STATUS_TEXTS[letter.status]),
        version=label(info.latest),
        deadline=deadline,
        relative=relative,
        signed=tally.signed,
        reconfirm=tally.reconfirm,
        declined=tally.declined,
        pending=tally.pending,
        unreachable=tally.unreachable,
    )
    if tally.no_contact:
        text += "\n" + say(context, texts.STATUS_NO_CONTACT, count=tally.no_contact)
    return text


_ALONE_SHOWN = 20  # the latest ones; the export lists them all


def _done_alone(context: BotContext, alone: list[approvals.AloneAction]) -> str:
    """What one coordinator did to the letter's record without a second person."""
    lines = [say(context, texts.STATUS_ALONE_HEADER, count=len(alone))]
    for action in alone[-_ALONE_SHOWN:]:
        when = describe_when(context, action.at)[0]
        what = say(context, texts.ALONE_ACTIONS.get(action.action, action.action))
        line = say(context, texts.STATUS_ALONE_LINE, when=when, action=what,
                   actor=alone_actor(action, context.language))  # fmt: skip
        lines.append(line)
    return "\n".join(lines)


async def _show_table(
    update: Update, context: BotContext, info: responses.LetterStanding, page: int
) -> None:
    """One line per organisation, paged; the pager carries the letter's id."""
    lines = []
    waiting = await renames.waiting(context.db)
    for organisation in info.organisations:
        row = organisation.row
        name = row.organisation_name
        rename = waiting.get(row.organisation_id)
        if rename is not None:  # coordinators see the rename the organisation has to confirm
            name = texts.Html(say(context, texts.RENAME_WAITING, old=name, new=rename.new_name))
        detail = ""
        if organisation.state in (OrganisationState.SIGNED, OrganisationState.RECONFIRM):
            listing = say(context, LISTING_TEXTS[row.listing]) if row.listing else ""
            detail = f", v{row.version_number}, {listing}"
        elif row.reason:
            detail = f": «{row.reason[:200]}»"
        if row.channel is not None:  # issue 17: an answer that came by another road
            recorded = say(
                context, texts.RECORDED_BY, coordinator=row.recorded_by_name or "—",
                channel=texts.Text(CHANNEL_TEXTS[row.channel]),
            )  # fmt: skip
            detail = texts.Html(f"{texts.escape(detail)}, {recorded}")
        icon = "📵" if organisation.unreachable else ICONS[organisation.state]
        lines.append(
            say(
                context,
                texts.STATUS_LINE,
                icon=icon,
                organisation=name,
                state=say(context, STATE_TEXTS[organisation.state]),
                detail=detail,
                last=_last_activity(context, row.updated_at, row.last_comment_at),
            )
        )
    letter_id = info.letter.id
    await show_page(
        update,
        context,
        kind=callback_data.STATUS_PAGE,
        pages=pack_pages([[line] for line in lines]),
        header=lambda p, n: say(context, texts.STATUS_HEADER, letter_id=letter_id, page=p, pages=n),
        page=page,
        extra=(letter_id,),
    )


async def _send_chart(update: Update, context: BotContext, info: responses.LetterStanding) -> None:
    # matplotlib takes a while to import: only when a chart is first asked for.
    from bot.services.chart import ResponseEvent, render_status_chart

    letter = info.letter
    events = [
        ResponseEvent(change.at, change.action.removeprefix("response."), change.organisation_id)
        for change in await responses.response_events(context.db, letter.id)
    ]
    # Rendering takes ~0.15 s of CPU: off the event loop, so other chats are not held up.
    png = await asyncio.to_thread(
        render_status_chart,
        events,
        organisations=len(info.organisations),
        no_contact=info.tally.no_contact,
        opened_at=letter.opened_at or letter.created_at,
        deadline=letter.deadline,
        now=context.clock.now(),
        zone=context.settings.zone,
        title=letter.title or "",
        language=context.language,
    )
    chat = update.effective_chat
    assert chat is not None
    caption = say(context, texts.STATUS_CHART_CAPTION, letter_id=letter.id)
    # A file name ending .png: without one PTB uploads it as application/octet-stream.
    photo = InputFile(png, filename=f"letter-{letter.id}-status.png")
    await context.bot.send_photo(chat.id, photo=photo, caption=caption)


# --- comments and replies ---------------------------------------------------------------------


@coordinators_only
async def comments(update: Update, context: BotContext) -> None:
    letter_id = await letter_ref(update, context, "comments")
    if letter_id is None:
        return
    thread = await responses.comment_thread(context.db, letter_id)
    if not thread:
        await reply(update, context, say(context, texts.COMMENTS_EMPTY, letter_id=letter_id))
        return
    for version, items in thread:
        await reply(update, context, say(context, texts.COMMENTS_VERSION, version=label(version)))
        for item in items:
            lines = [
                say(
                    context,
                    texts.COMMENTS_LINE,
                    comment_id=item.comment.id,
                    organisation=item.organisation or "",
                    name=item.author or "",
                    when=describe_when(context, item.comment.created_at)[0],
                    body=(item.comment.body or "")[:3000],
                )
            ]
            for answer in item.replies:
                lines.append(
                    say(
                        context,
                        texts.COMMENTS_REPLY_LINE,
                        when=describe_when(context, answer.created_at)[0],
                        body=(answer.body or "")[:300],
                    )
                )
            markup = keyboards.reply_to_comment(item.comment.id, context.language)
            await reply(update, context, "\n".join(lines), reply_markup=markup)


@coordinators_only
async def start_reply(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    args = callback_data.decode(query.data, callback_data.REPLY, 1)
    if args is None:
        return
    state = ReplyState(comment_id=args[0])
    await flows.save(
        context.db, context.who.telegram_user_id, REPLY, state, now=context.clock.now()
    )
    await reply(update, context, say(context, texts.REPLY_ASK, comment_id=args[0]))


def _relayed(answered: responses.Reply) -> OutgoingMessage:
    """A coordinator's reply as the member gets it (queued with the reply)."""
    text = texts.render(
        texts.REPLY_TO_MEMBER,
        answered.member.language,
        title=answered.letter.title or "",
        comment=(answered.comment.body or "")[:500],
        body=answered.reply.body or "",
    )
    return html_message(text)


async def _reply_message(update: Update, context: BotContext, flow: Resumed[ReplyState]) -> None:
    message = update.effective_message
    if message is None or not message.text or not context.who.is_coordinator:
        await reply(update, context, say(context, texts.FLOW_EXPECTS_TEXT))
        return
    try:
        answered = await responses.reply_to_comment(
            context.db,
            flow.state.comment_id,
            message.text,
            coordinator_id=context.who.telegram_user_id,
            now=context.clock.now(),
            relay=_relayed,
        )
    except Refusal as refusal:
        if refusal.code not in (Code.COMMENT_TOO_LONG, Code.COMMENT_EMPTY):  # else: again
            await flows.finish(context.db, flow.telegram_user_id)
        raise
    await flows.finish(context.db, flow.telegram_user_id)
    member = answered.member
    organisation = await responses.organisation_name(context.db, member)
    text = say(context, texts.REPLY_SENT, name=member.display_name or "", organisation=organisation)
    await reply(update, context, text)


# --- remind, close, reopen, export ------------------------------------------------------------


@coordinators_only
async def remind(update: Update, context: BotContext) -> None:
    letter_id = await letter_ref(update, context, "remind")
    if letter_id is None:
        return
    run = await reminders.remind_now(
        context.db,
        letter_id,
        requested_by=context.who.telegram_user_id,
        actor=actor(context),
        now=context.clock.now(),
        compose=LetterComposer(context.settings).reminder,
    )
    if run.contacts == 0 and not run.chase:
        await reply(update, context, say(context, texts.REMIND_NOBODY))
        return
    parts = []
    if run.contacts:
        parts.append(
            say(
                context, texts.REMIND_QUEUED, contacts=run.contacts, organisations=run.organisations
            )
        )
    if run.chase:
        listed = texts.Html(chase_lines(run.chase, context.language, letter_id))
        parts.append(say(context, texts.REMIND_CHASE, count=len(run.chase), organisations=listed))
    await reply(update, context, "\n\n".join(parts))


@coordinators_only
async def close(update: Update, context: BotContext) -> None:
    """/close asks first: what closing does, in one sentence, and a button."""
    letter_id = await letter_ref(update, context, "close")
    if letter_id is None:
        return
    letter = await lifecycle.closable(context.db, letter_id)
    text = say(context, texts.CLOSE_ASK, letter_id=letter.id, title=letter.title or "")
    await reply(
        update,
        context,
        text,
        reply_markup=keyboards.close_confirmation(letter.id, context.language),
    )


@in_place
@coordinators_only
async def close_answer(update: Update, context: BotContext) -> None:
    """The second tap of /close; the letter's state is checked again."""
    letter_id = await confirmed(update, context, callback_data.CLOSE, texts.CLOSE_KEPT)
    if letter_id is None:
        return
    letter = await lifecycle.close_letter(
        context.db, letter_id, actor=actor(context), now=context.clock.now(),
        compose=LetterComposer(context.settings).closed_notice,
    )  # fmt: skip
    counts = await responses.tally(context.db, letter_id)
    text = say(
        context,
        texts.LETTER_CLOSED_DONE,
        letter_id=letter.id,
        title=letter.title or "",
        signed=counts.signed,
    )
    head = await witnesses.chain_head(context.db)  # a witness of the record as closed
    if head is not None:
        text += "\n\n" + say(context, texts.CHAIN_HEAD_LINE, code=head)
    await answer_in_place(update, text)


@coordinators_only
async def reopen(update: Update, context: BotContext) -> None:
    ref, _, when = command_argument(update.message).partition(" ")
    letter_id = parse_ref(ref)
    if letter_id is None or not when.strip():
        await reply(update, context, say(context, texts.USAGE_REOPEN))
        return
    now = context.clock.now()
    deadline = parse_deadline(when, default_zone=context.settings.zone, now=now)

    def done(result: ActionResult) -> str:
        assert isinstance(result, Reopened)
        letter = result.letter
        deadline = describe_when(context, letter.deadline)[0]
        return say(context, texts.LETTER_REOPENED, letter_id=letter.id, deadline=deadline)

    # Signers are told, with Withdraw; with two coordinators a second one approves first.
    ask = ReopenLetter(letter_id, deadline)
    await request_action(update, context, ask, done, letter_id=letter_id)


@coordinators_only
async def export(update: Update, context: BotContext) -> None:
    letter_id = await letter_ref(update, context, "export")
    if letter_id is None:
        return
    words = command_argument(update.message).split()
    # /export 4 ru: that language's text, names and order (issue 17).
    language = org_names.check_language(words[1]) if len(words) > 1 else None
    files = await letter_export.export_letter(
        context.db,
        letter_id,
        actor=actor(context),
        now=context.clock.now(),
        zone=context.settings.zone,
        language=language,
    )
    chat = update.effective_chat
    assert chat is not None
    for name, content in files.items():
        await context.bot.send_document(
            chat.id, document=InputFile(content, filename=name), protect_content=False
        )


REPLY_FLOW = FlowKind(REPLY, ReplyState, on_message=_reply_message)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("status", status))
    app.add_handler(CommandHandler("comments", comments))
    app.add_handler(CommandHandler("remind", remind))
    app.add_handler(CommandHandler("close", close))
    app.add_handler(CommandHandler("reopen", reopen))
    app.add_handler(CommandHandler("export", export))
    app.add_handler(CallbackQueryHandler(start_reply, pattern=rf"^{callback_data.REPLY}:"))
    app.add_handler(CallbackQueryHandler(close_answer, pattern=rf"^{callback_data.CLOSE}:"))
    app.add_handler(CallbackQueryHandler(status_page, pattern=rf"^{callback_data.STATUS_PAGE}:"))

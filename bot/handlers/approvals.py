"""Two people for what changes the record (issue 16): coordinators and their requests.

/coordinators, /invitecoordinator, /removecoordinator, /approvals, /approvalrule; the
Approve / Reject / Cancel buttons of a request and the requester's "Show the invitation
link"; and a member's answer to a rename of their organisation. The rules live in
``bot.services.approvals`` (it re-checks the presser's authority on every press); this
module parses, calls and renders. ``request_action`` is what every command that may need
a second coordinator (/purge, /removeorg, /renameorg, /reopen, /revise, /deadline) goes
through.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callback_data, keyboards, texts
from bot.approval_messages import ApprovalMessages, action_context, coordinator_name
from bot.commands import publish_commands
from bot.context import BotApplication, BotContext
from bot.db.types import CoordinatorSource
from bot.handlers import published_lists
from bot.handlers.common import (
    answer_in_place,
    command_argument,
    coordinators_only,
    parse_ref,
    reply,
    say,
)
from bot.handlers.refusals import in_place, refusal_text
from bot.services import approvals, coordinators, disclosure, renames, translations
from bot.services.approvals import (
    ActionContext,
    ActionResult,
    AddCoordinator,
    Approved,
    Ask,
    CoordinatorInvited,
    Done,
    OrganisationRemoved,
    RemoveCoordinator,
    Request,
    Requested,
    RuleChanged,
    SetApprovalRule,
)
from bot.services.coordinators import CoordinatorRemoved
from bot.services.membership import invite_link
from bot.services.purge import Purge

RULE_WORDS = {"two": True, "2": True, "on": True, "one": False, "1": False, "off": False}


# --- asking for an action --------------------------------------------------------------------


async def context_for(context: BotContext, letter_id: int | None) -> ActionContext:
    """The action context now, with the organisations that signed the letter concerned
    (their contacts get a Withdraw button with a reopening or a minor revision)."""
    signed: set[int] = set()
    letter_translations = None
    if letter_id is not None:
        signed = {
            r.organisation_id for r in await disclosure.signers_to_tell(context.db, letter_id)
        }
        letter_translations = await translations.of_letter(context.db, letter_id)
    return action_context(
        context.settings, context.clock.now(), signed, refusal_text, letter_translations
    )


async def request_action(
    update: Update,
    context: BotContext,
    ask: Ask,
    done: Callable[[ActionResult], str],
    *,
    letter_id: int | None = None,
    in_place: bool = True,
) -> Done | Requested:
    """Asks for ``ask`` as the caller and answers: ``done(result)`` (with a word that no
    second coordinator was involved, where one would be), or that the request waits.
    The answer edits a pressed question in place (``in_place``), else it is a reply."""
    ctx = await context_for(context, letter_id)
    outcome = await approvals.request(context.db, ask, by=context.who.telegram_user_id, ctx=ctx)
    if isinstance(outcome, Requested):
        text = ApprovalMessages(context.settings).waits(outcome.request, context.language)
    else:
        text = done(outcome.result)
        if outcome.alone:
            text += "\n\n" + say(context, texts.DONE_ALONE)
    if in_place and update.callback_query is not None:
        await answer_in_place(update, text)
    else:
        await reply(update, context, text)
    if isinstance(outcome, Done):
        await after_action(context, outcome.result)
    return outcome


async def act(
    update: Update, context: BotContext, ask: Ask, *, letter_id: int | None = None
) -> ActionResult | None:
    """Asks for ``ask`` as the caller: its result when done now (the caller answers); None
    when it waits for a second coordinator (the requester is told here, the others through
    the outbox)."""
    ctx = await context_for(context, letter_id)
    outcome = await approvals.request(context.db, ask, by=context.who.telegram_user_id, ctx=ctx)
    if isinstance(outcome, Requested):
        text = ApprovalMessages(context.settings).waits(outcome.request, context.language)
        await reply(update, context, text)
        return None
    await after_action(context, outcome.result)
    return outcome.result


async def after_action(context: BotContext, result: ActionResult) -> None:
    """What the bot does at once after an action, whoever's press did it: the deletion
    sweep after a purge or a removal, a removed coordinator's menu, a published list's
    files to that coordinator and its announcement to members. (The outbox and the
    scheduler wake by themselves when the action's transaction commits.)"""
    await published_lists.after_action(context, context.who.telegram_user_id, result)
    if isinstance(result, Purge | OrganisationRemoved):
        await context.services.delete_expired_messages()
    if isinstance(result, CoordinatorRemoved) and result.coordinator.telegram_user_id:
        # Their command menu goes too (their access went already).
        await publish_commands(context.application, only_chat=result.coordinator.telegram_user_id)


# --- /coordinators ---------------------------------------------------------------------------


def _how(context: BotContext, coordinator: coordinators.Coordinator, names: dict[int, str]) -> str:
    if coordinator.added_how is CoordinatorSource.SETTINGS:
        return say(context, texts.COORDINATOR_VIA_SETTINGS)
    if coordinator.added_how is CoordinatorSource.CLI:
        return say(context, texts.COORDINATOR_VIA_CLI)
    by = names.get(coordinator.added_by or 0, f"#{coordinator.added_by}")
    return say(context, texts.COORDINATOR_VIA_INVITATION, by=by)


@coordinators_only
async def list_coordinators(update: Update, context: BotContext) -> None:
    active = await coordinators.active(context.db)
    invited = await coordinators.invited(context.db)
    names = {c.id: coordinator_name(c) for c in [*active, *invited]}
    for c in await coordinators.every(context.db):
        names.setdefault(c.id, coordinator_name(c))
    rule = await approvals.current_rule(context.db)
    rule_text = say(context, texts.RULE_TWO if rule is approvals.Rule.TWO else texts.RULE_ONE)
    lines = [say(context, texts.COORDINATORS_HEADER, count=len(active), rule=rule_text)]
    when = ApprovalMessages(context.settings).when
    for c in active:
        name = c.display_name or say(context, texts.COORDINATOR_UNNAMED)
        line = say(
            context, texts.COORDINATORS_LINE, contact_id=c.id, name=name,
            telegram_id=c.telegram_user_id or "—", since=when(c.created_at, context.language),
            how=_how(context, c, names),
        )  # fmt: skip
        lines.append(line)
    if invited:
        lines += ["", say(context, texts.COORDINATORS_INVITED_HEADER)]
        for c in invited:
            line = say(
                context, texts.COORDINATORS_INVITED_LINE, contact_id=c.id, label=c.label or "—",
                since=when(c.created_at, context.language), by=names.get(c.added_by or 0, "—"),
            )  # fmt: skip
            lines.append(line)
    lines += ["", say(context, texts.COORDINATORS_FOOTER)]
    await reply(update, context, "\n".join(lines))


# --- /invitecoordinator ------------------------------------------------------------------------


@coordinators_only
async def invite_coordinator(update: Update, context: BotContext) -> None:
    label = command_argument(update.message) or None

    def done(result: ActionResult) -> str:
        assert isinstance(result, CoordinatorInvited) and result.invitation is not None
        return _link_text(context, result.invitation)

    await request_action(update, context, AddCoordinator(label), done)


def _link_text(context: BotContext, issued: coordinators.IssuedCoordinatorInvite) -> str:
    label = f" ({issued.label})" if issued.label else ""
    return say(
        context, texts.COORDINATOR_INVITED, label=label,
        expires=ApprovalMessages(context.settings).when(issued.expires_at, context.language),
        link=invite_link(context.bot.username, issued.token),
    )  # fmt: skip


@in_place
@coordinators_only
async def invitation_link(update: Update, context: BotContext) -> None:
    """The requester's button under an approved invitation: the link, once, in place."""
    query = update.callback_query
    assert query is not None
    args = callback_data.decode(query.data, callback_data.INVITATION_LINK, 1)
    if args is None:
        return
    issued = await coordinators.invitation_link(
        context.db, args[0], by=context.who.telegram_user_id, now=context.clock.now(),
        ttl=context.settings.invite_ttl,
    )  # fmt: skip
    await answer_in_place(update, _link_text(context, issued))


# --- /removecoordinator --------------------------------------------------------------------------


@coordinators_only
async def remove_coordinator(update: Update, context: BotContext) -> None:
    contact_id = parse_ref(command_argument(update.message))
    if contact_id is None:
        await reply(update, context, say(context, texts.USAGE_REMOVECOORDINATOR))
        return
    coordinator = await coordinators.removable(context.db, contact_id)
    text = say(
        context, texts.REMOVECOORDINATOR_ASK, contact_id=coordinator.id,
        name=coordinator.display_name or coordinator.label or "",
        telegram_id=coordinator.telegram_user_id or "—",
    )  # fmt: skip
    markup = keyboards.removal_confirmation(
        callback_data.REMOVE_COORDINATOR, coordinator.id, context.language
    )
    await reply(update, context, text, reply_markup=markup)


@in_place
@coordinators_only
async def remove_coordinator_answer(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    args = callback_data.decode(query.data, callback_data.REMOVE_COORDINATOR, 2)
    if args is None or args[1] not in (0, 1):
        return
    contact_id, confirmed = args
    if not confirmed:
        await answer_in_place(
            update, say(context, texts.REMOVECOORDINATOR_KEPT, contact_id=contact_id)
        )
        return

    def done(result: ActionResult) -> str:
        assert isinstance(result, CoordinatorRemoved)
        removed = result.coordinator
        name = removed.display_name or removed.label or ""
        return say(context, texts.COORDINATOR_REMOVED, contact_id=removed.id, name=name)

    await request_action(update, context, RemoveCoordinator(contact_id), done)


# --- /approvalrule ---------------------------------------------------------------------------


def _rule_text(context: BotContext, rule: approvals.Rule) -> str:
    return say(context, texts.RULE_TWO if rule is approvals.Rule.TWO else texts.RULE_ONE)


@coordinators_only
async def approval_rule(update: Update, context: BotContext) -> None:
    word = command_argument(update.message).strip().lower()
    if word not in RULE_WORDS:
        rule = await approvals.current_rule(context.db)
        await reply(
            update, context, say(context, texts.USAGE_APPROVALRULE, rule=_rule_text(context, rule))
        )
        return

    def done(result: ActionResult) -> str:
        assert isinstance(result, RuleChanged)
        return say(context, texts.RULE_CHANGED_TWO if result.two_people else texts.RULE_CHANGED_ONE)

    await request_action(update, context, SetApprovalRule(RULE_WORDS[word]), done)


# --- /approvals and the buttons of a request --------------------------------------------------


@coordinators_only
async def list_approvals(update: Update, context: BotContext) -> None:
    """Each pending request as its own message, with the buttons this coordinator may use."""
    pending = await approvals.pending_requests(context.db)
    if not pending:
        await reply(update, context, say(context, texts.APPROVALS_EMPTY))
        return
    me = await coordinators.acting(context.db, context.who.telegram_user_id)
    messages = ApprovalMessages(context.settings)
    for request in pending:
        markup = keyboards.approval_actions(
            request.approval.id, context.language, decide=request.can_decide(me),
            cancel=request.approval.requested_by == me.id,
        )  # fmt: skip
        await reply(
            update, context, messages.pending_line(request, context.language), reply_markup=markup
        )


def _pressed(update: Update, kind: str) -> int | None:
    query = update.callback_query
    args = callback_data.decode(query.data if query else None, kind, 1)
    return None if args is None else args[0]


@in_place
@coordinators_only
async def approve(update: Update, context: BotContext) -> None:
    approval_id = _pressed(update, callback_data.APPROVE)
    if approval_id is None:
        return
    request = await approvals.get_request(context.db, approval_id)
    ctx = await context_for(context, request.approval.letter_id)
    outcome = await approvals.approve(
        context.db, approval_id, by=context.who.telegram_user_id, ctx=ctx
    )
    await _answer_decision(update, context, outcome)


async def _answer_decision(
    update: Update, context: BotContext, outcome: Approved | approvals.Failed
) -> None:
    messages = ApprovalMessages(context.settings)
    me = await coordinators.of_account(context.db, context.who.telegram_user_id)
    request = outcome.request
    what = texts.Html(messages.what(request.description, context.language, diff=False))
    if isinstance(outcome, Approved):
        text = say(
            context, texts.APPROVAL_APPROVED, approval_id=request.approval.id,
            decider=coordinator_name(me), what=what,
        )  # fmt: skip
    else:
        text = say(
            context, texts.APPROVAL_FAILED, approval_id=request.approval.id,
            decider=coordinator_name(me), what=what,
            why=refusal_text(outcome.refusal, context.language, context.zone),
        )  # fmt: skip
    await answer_in_place(update, text)
    if isinstance(outcome, Approved):
        await after_action(context, outcome.result)


@in_place
@coordinators_only
async def reject(update: Update, context: BotContext) -> None:
    await _end_request(
        update, context, callback_data.REJECT, approvals.reject, texts.APPROVAL_REJECTED
    )


@in_place
@coordinators_only
async def cancel_request(update: Update, context: BotContext) -> None:
    await _end_request(
        update, context, callback_data.APPROVAL_CANCEL, approvals.cancel,
        texts.APPROVAL_CANCELLED_NOTICE,
    )  # fmt: skip


async def _end_request(
    update: Update,
    context: BotContext,
    kind: str,
    end: Callable[..., Awaitable[Request]],
    message: str,
) -> None:
    """Reject (another coordinator) or Cancel (the requester): nothing is done, everyone
    is told, and the pressed request says so."""
    approval_id = _pressed(update, kind)
    if approval_id is None:
        return
    ctx = action_context(context.settings, context.clock.now())
    request = await end(context.db, approval_id, by=context.who.telegram_user_id, ctx=ctx)
    me = await coordinators.of_account(context.db, context.who.telegram_user_id)
    what = ApprovalMessages(context.settings).what(
        request.description, context.language, diff=False
    )
    text = say(
        context, message, approval_id=approval_id, decider=coordinator_name(me),
        what=texts.Html(what),
    )  # fmt: skip
    await answer_in_place(update, text)


# --- a member's answer to a rename of their organisation ----------------------------------------


@in_place
async def rename_answer(update: Update, context: BotContext) -> None:
    """[Use NEW] / [Keep OLD]: only a contact of that organisation with access, while the
    rename waits (the service checks it; anyone else learns nothing)."""
    query = update.callback_query
    args = callback_data.decode(query.data if query else None, callback_data.RENAME_ANSWER, 2)
    contact = context.who.contact
    if args is None or args[1] not in (0, 1) or not context.who.is_member or contact is None:
        return
    rename_id, use_new = args
    now = context.clock.now()
    if use_new:
        decided = await renames.confirm(context.db, contact, rename_id, now=now)
    else:
        decided = await renames.keep(context.db, contact, rename_id, now=now)
    mine = texts.RENAME_CONFIRMED if decided.confirmed else texts.RENAME_KEPT
    await answer_in_place(update, say(context, mine, name=decided.organisation.name))
    await renames_told(context, decided)


async def renames_told(context: BotContext, decided: renames.RenameDecided) -> None:
    """Every coordinator learns the organisation's answer (through the outbox)."""
    rename = decided.rename
    notices = {}
    for chat, language in (await coordinators.languages(context.db)).items():
        message = texts.RENAME_CONFIRMED_NOTICE if decided.confirmed else texts.RENAME_KEPT_NOTICE
        text = texts.render(
            message, language, contact=decided.by.display_name or f"#{decided.by.id}",
            org_id=rename.organisation_id, name=decided.organisation.name,
            old=rename.old_name, new=rename.new_name,
        )  # fmt: skip
        notices[chat] = text
    await renames.tell_coordinators(context.db, rename, notices, now=context.clock.now())


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("coordinators", list_coordinators))
    app.add_handler(CommandHandler("invitecoordinator", invite_coordinator))
    app.add_handler(CommandHandler("removecoordinator", remove_coordinator))
    app.add_handler(CommandHandler("approvals", list_approvals))
    app.add_handler(CommandHandler("approvalrule", approval_rule))
    app.add_handler(CallbackQueryHandler(approve, pattern=rf"^{callback_data.APPROVE}:"))
    app.add_handler(CallbackQueryHandler(reject, pattern=rf"^{callback_data.REJECT}:"))
    app.add_handler(
        CallbackQueryHandler(cancel_request, pattern=rf"^{callback_data.APPROVAL_CANCEL}:")
    )
    app.add_handler(
        CallbackQueryHandler(invitation_link, pattern=rf"^{callback_data.INVITATION_LINK}:")
    )
    app.add_handler(
        CallbackQueryHandler(
            remove_coordinator_answer, pattern=rf"^{callback_data.REMOVE_COORDINATOR}:"
        )
    )
    app.add_handler(
        CallbackQueryHandler(rename_answer, pattern=rf"^{callback_data.RENAME_ANSWER}:")
    )

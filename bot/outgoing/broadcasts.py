"""What a broadcast tells the coordinator who asked for it, and what coordinators are told
when a message cannot be delivered: progress, report, unreachable and refused notices."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import callback_data, keyboards, texts
from bot.outgoing.common import html_message
from bot.services import outbox
from bot.services.outbox import BroadcastProgress, OutgoingMessage

REPORT_BUDGET = 3000  # characters of contact names in a report, well under Telegram's 4096


def display_name(who: outbox.Recipient) -> str:
    return f"{who.name} ({who.organisation})" if who.organisation else who.name


def _unreachable_text(who: outbox.Recipient, language: str) -> str:
    if who.organisation is None:
        return texts.render(texts.OUTBOX_CONTACT_UNREACHABLE_NO_ORG, language, name=who.name)
    return texts.render(
        texts.OUTBOX_CONTACT_UNREACHABLE, language, name=who.name, organisation=who.organisation
    )


def progress_text(progress: BroadcastProgress, *, done: bool, language: str) -> str:
    details = ""
    if progress.unreachable_contacts:
        details += texts.render(
            texts.OUTBOX_DETAIL_UNREACHABLE, language, count=len(progress.unreachable_contacts)
        )
    if progress.uncertain:
        details += texts.render(texts.OUTBOX_DETAIL_UNCERTAIN, language, count=progress.uncertain)
    if progress.failed:
        details += texts.render(texts.OUTBOX_DETAIL_FAILED, language, count=progress.failed)
    return texts.render(
        texts.OUTBOX_PROGRESS_DONE if done else texts.OUTBOX_PROGRESS,
        language,
        delivered=progress.sent,
        total=progress.total,
        details=texts.Html(details),
    )


def contact_lines(
    contacts: Sequence[outbox.Recipient], language: str, budget: int = REPORT_BUDGET
) -> list[str]:
    """ "• Name (Organisation)" per contact, as many as fit in ``budget`` characters."""
    lines = []
    for shown, who in enumerate(contacts):
        if who.organisation is None:
            line = texts.render(texts.OUTBOX_REPORT_CONTACT_NO_ORG, language, name=who.name)
        else:
            line = texts.render(
                texts.OUTBOX_REPORT_CONTACT, language, name=who.name, organisation=who.organisation
            )
        budget -= len(line) + 1
        if budget < 0:
            more = len(contacts) - shown
            lines.append(texts.render(texts.OUTBOX_REPORT_MORE, language, count=more))
            break
        lines.append(line)
    return lines


def report(progress: BroadcastProgress, reply_to: int | None, language: str) -> OutgoingMessage:
    lines = [
        texts.render(texts.OUTBOX_REPORT, language, delivered=progress.sent, total=progress.total)
    ]
    # Two lists share the budget: the unreachable first, then who may have missed a message.
    budget = REPORT_BUDGET // 2 if progress.uncertain_contacts else REPORT_BUDGET
    if progress.unreachable_contacts:
        lines += ["", texts.render(texts.OUTBOX_REPORT_UNREACHABLE, language)]
        lines += contact_lines(progress.unreachable_contacts, language, budget)
    params: dict[str, Any] = {}
    if progress.uncertain:
        uncertain = texts.render(texts.OUTBOX_REPORT_UNCERTAIN, language, count=progress.uncertain)
        lines += ["", uncertain, *contact_lines(progress.uncertain_contacts, language, budget)]
        markup = keyboards.resend(callback_data.RESEND_BROADCAST, progress.broadcast_id, language)
        params["reply_markup"] = markup.to_dict()
    if progress.failed:
        if progress.refused_error is not None:
            failed = texts.render(
                texts.OUTBOX_REPORT_REFUSED,
                language,
                count=progress.failed,
                error=progress.refused_error,
            )
        else:
            failed = texts.render(texts.OUTBOX_REPORT_FAILED, language, count=progress.failed)
        lines += ["", failed]
    if progress.cancelled:
        cancelled = texts.render(texts.OUTBOX_REPORT_CANCELLED, language, count=progress.cancelled)
        lines += ["", cancelled]
    if reply_to is not None:
        params["reply_parameters"] = {"message_id": reply_to, "allow_sending_without_reply": True}
    return html_message("\n".join(lines), **params)


def unreachable_notice(who: outbox.Recipient, language: str) -> OutgoingMessage:
    """To coordinators: a contact blocked the bot or never opened it."""
    return html_message(_unreachable_text(who, language))


def refused_notice(name: str, error: str, language: str) -> OutgoingMessage:
    """To coordinators: Telegram refused a message to ``name`` (no report will say so)."""
    return html_message(
        texts.render(texts.OUTBOX_MESSAGE_REFUSED, language, name=name, error=error)
    )

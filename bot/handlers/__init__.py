"""The one ordered registry of handlers.

Order matters: the gate (group -1) runs before everything; within group 0 the
first matching handler wins, so the fallback module comes last; the gate's
``afterwards`` (group 1) says what it kept for after the answer. Every handler answers
the refusals of the services it calls in one way (``refusals.replying``).
"""

from __future__ import annotations

from bot.context import BotApplication
from bot.handlers import (
    approvals,
    audit,
    contacts,
    deadlines,
    drafting,
    errors,
    fallback,
    flows,
    gate,
    help,
    invites,
    language,
    letters,
    listing,
    organisations,
    preferences,
    publication,
    purge,
    recording,
    refusals,
    resend,
    responses,
    signing,
    start,
    status,
    translating,
)

FEATURES = (
    gate,
    start,
    help,
    language,
    organisations,
    invites,
    contacts,
    drafting,
    letters,
    responses,
    status,
    audit,
    deadlines,
    preferences,
    purge,
    resend,
    approvals,
    listing,
    publication,
    recording,
    translating,
)
# Every guided flow, by the name its rows carry in the flows table.
FLOWS = (
    drafting.NEWLETTER_FLOW,
    drafting.REVISE_FLOW,
    responses.DECLINE_FLOW,
    responses.COMMENT_FLOW,
    status.REPLY_FLOW,
    translating.TRANSLATE_FLOW,
    recording.RECORD_FLOW,
    signing.SIGNER_FLOW,
)
# Tried in order for a plain message when no flow is active.
UNPROMPTED = (responses.comment_by_reply,)


def register(app: BotApplication) -> None:
    for module in FEATURES:
        module.register(app)
    # flows takes every plain message, so it comes after the features and before fallback.
    flows.register(app, FLOWS, UNPROMPTED)
    fallback.register(app)
    errors.register(app)
    for handlers in app.handlers.values():
        for handler in handlers:
            handler.callback = refusals.replying(handler.callback)

"""``/record``: a coordinator records an answer that came by another road (issue 17).

On a phone the guided flow is easiest: ``/record 4`` asks for the organisation, the
decision, the listing and the version (signatures only; the latest by default), the road it
came by, then a note (or none) — one button press each. The one-line form does it at once:
``/record 4 12 signed named v2 via email Answer to our e-mail of 3 March``. Either way the
request goes through the approvals engine (kind RECORD_RESPONSE): a second coordinator
approves where there are two; the organisation's contacts are told, with buttons to answer
themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal, Self, get_args

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot import callback_data, keyboards, texts
from bot.context import BotApplication, BotContext
from bot.db.types import Channel, Decision, Listing
from bot.handlers.approvals import act
from bot.handlers.common import (
    answer_in_place,
    command_argument,
    coordinators_only,
    parse_ref,
    reply,
    say,
)
from bot.handlers.flows import FlowKind, Resumed
from bot.outgoing.letters import CHANNEL_TEXTS, DECISION_TEXTS, LISTING_NAMES, label
from bot.services import approvals, flows, recording, responses
from bot.services.flows import FlowState
from bot.services.recording import Recording, RecordRequest

RECORD = "record"
CHANNELS = tuple(Channel)
DECISIONS = (Decision.SIGNED, Decision.DECLINED, Decision.WITHDRAWN)
_DECISION_WORDS = {d.value: d for d in DECISIONS}
_LISTING_WORDS = {listing.value: listing for listing in Listing}
_CHANNEL_WORDS = {c.value: c for c in Channel} | {
    "e-mail": Channel.EMAIL,
    "in-person": Channel.IN_PERSON,
}
_MAX_ORG_BUTTONS = 60  # more than that: the one-line form, by the organisation's number


def parse_line(raw: str) -> RecordRequest | None:
    """``4 12 signed named v2 via email note…`` → the request; None when it can't be read.
    The note is everything after the channel, exactly as typed."""
    words = raw.split(maxsplit=2)
    if len(words) < 3:
        return None
    letter_id, organisation_id = parse_ref(words[0]), parse_ref(words[1])
    rest = words[2]
    decision_word, _, rest = rest.partition(" ")
    decision = _DECISION_WORDS.get(decision_word.lower())
    if letter_id is None or organisation_id is None or decision is None:
        return None
    listing: Listing | None = None
    version: int | None = None
    while True:
        word, _, after = rest.strip().partition(" ")
        lowered = word.lower()
        if lowered in _LISTING_WORDS and decision is Decision.SIGNED and listing is None:
            listing = _LISTING_WORDS[lowered]
        elif lowered.startswith("v") and lowered[1:].isdigit() and version is None:
            version = int(lowered[1:])
        else:
            break
        rest = after
    word, _, rest = rest.strip().partition(" ")
    if word.lower() != "via":
        return None
    channel_word, _, note = rest.strip().partition(" ")
    channel = _CHANNEL_WORDS.get(channel_word.lower())
    if channel is None:
        return None
    if decision is Decision.SIGNED and listing is None:
        listing = Listing.NAMED
    return RecordRequest(
        letter_id, organisation_id, decision, channel, listing, version, note.strip() or None
    )


@coordinators_only
async def record(update: Update, context: BotContext) -> None:
    raw = command_argument(update.message)
    words = raw.split()
    if len(words) == 1 and parse_ref(words[0]) is not None:
        await _start(update, context, parse_ref(words[0]) or 0)
        return
    request = parse_line(raw)
    if request is None:
        await reply(update, context, say(context, texts.USAGE_RECORD))
        return
    await _submit(update, context, request)


async def _submit(update: Update, context: BotContext, request: RecordRequest) -> None:
    # Checked before the engine pins it, so a bad note or version is said plainly.
    recording.clean_note(request.note)
    result = await act(
        update, context, approvals.RecordResponse(request), letter_id=request.letter_id
    )
    if isinstance(result, Recording):
        await reply(update, context, _done_text(context, result))


def _done_text(context: BotContext, result: Recording) -> str:
    recorded = result.recorded
    organisation = recorded.target.organisation.name
    if not recorded.changed:
        return say(context, texts.RECORD_UNCHANGED, organisation=organisation)
    response = recorded.response
    listing = say(context, LISTING_NAMES[response.listing]) if response.listing else ""
    return say(
        context, texts.RECORD_DONE, organisation=organisation,
        letter_id=recorded.target.letter.id,
        decision=say(context, DECISION_TEXTS[response.decision]),
        listing=f" ({listing})" if listing else "", version=label(recorded.target.version),
        channel=say(context, CHANNEL_TEXTS[response.channel or Channel.OTHER]),
        count=result.notices_queued,
    )  # fmt: skip


# --- the guided flow --------------------------------------------------------------------------

RecordStep = Literal["org", "decision", "listing", "version", "channel", "note"]


@dataclass(frozen=True, kw_only=True)
class RecordState(FlowState):
    """/record's guided flow: one answer a step (the organisation, the decision, the
    listing and the version for a signature, the road it came by), then the note."""

    step: RecordStep
    letter_id: int
    organisation_id: int | None = None
    decision: Decision | None = None
    listing: Listing | None = None
    version: int | None = None  # a version's number; None: the latest
    channel: Channel | None = None

    def to_json(self) -> dict[str, Any]:
        kept: dict[str, Any] = {
            "step": self.step, "letter_id": self.letter_id,
            "organisation_id": self.organisation_id, "version": self.version,
        }  # fmt: skip
        for name, value in (
            ("decision", self.decision),
            ("listing", self.listing),
            ("channel", self.channel),
        ):
            kept[name] = None if value is None else value.value
        return {name: value for name, value in kept.items() if value is not None}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        step = raw["step"]
        if step not in get_args(RecordStep):
            raise ValueError(f"no /record step {step!r}")
        organisation_id, version = raw.get("organisation_id"), raw.get("version")
        decision, listing, channel = raw.get("decision"), raw.get("listing"), raw.get("channel")
        if step == "note" and None in (organisation_id, decision, channel):
            raise ValueError("the note step without the answers before it")
        return cls(
            step=step,
            letter_id=int(raw["letter_id"]),
            organisation_id=None if organisation_id is None else int(organisation_id),
            decision=None if decision is None else Decision(decision),
            listing=None if listing is None else Listing(listing),
            version=None if version is None else int(version),
            channel=None if channel is None else Channel(channel),
        )


async def _save(context: BotContext, state: RecordState) -> None:
    await flows.save(
        context.db, context.who.telegram_user_id, RECORD, state, now=context.clock.now()
    )


async def _start(update: Update, context: BotContext, letter_id: int) -> None:
    standing = await responses.letter_status(context.db, letter_id)
    organisations = [o.row for o in standing.organisations]
    if not organisations:
        await reply(update, context, say(context, texts.RECORD_NO_ORGS, letter_id=letter_id))
        return
    if len(organisations) > _MAX_ORG_BUTTONS:
        await reply(update, context, say(context, texts.USAGE_RECORD))
        return
    await _save(context, RecordState(step="org", letter_id=letter_id))
    options = [(f"#{row.organisation_id} {row.organisation_name}", row.organisation_id)
               for row in organisations]  # fmt: skip
    text = say(
        context, texts.RECORD_ASK_ORG, letter_id=letter_id, title=standing.letter.title or ""
    )
    markup = keyboards.choices(callback_data.RECORD_ORG, options, context.language, columns=2)
    await reply(update, context, text, reply_markup=markup)


async def _ask(
    update: Update, context: BotContext, text: str, kind: str, options: list[tuple[str, int]]
) -> None:
    """The next question in place of the one answered (a phone keeps one message)."""
    markup = keyboards.choices(kind, options, context.language)
    if update.callback_query is not None:
        await answer_in_place(update, text, reply_markup=markup)
    else:
        await reply(update, context, text, reply_markup=markup)


async def on_press(update: Update, context: BotContext) -> None:
    """A button of the guided flow, checked against the flow's step."""
    query = update.callback_query
    assert query is not None
    flow = await flows.current(context.db, context.who.telegram_user_id, now=context.clock.now())
    data = query.data or ""
    kind = data.split(":", 1)[0]
    args = callback_data.decode(data, kind, 1)
    state = None if flow is None or flow.kind != RECORD else flows.read(flow, RecordState)
    if flow is not None and flow.kind == RECORD and state is None:
        # Written by another version of the bot: dropped like an expired flow.
        await flows.finish(context.db, context.who.telegram_user_id)
    if state is None or args is None or not context.who.is_coordinator:
        await reply(update, context, say(context, texts.FLOW_STALE))
        return
    value = args[0]
    step = state.step
    expected = {
        "org": callback_data.RECORD_ORG,
        "decision": callback_data.RECORD_DECISION,
        "listing": callback_data.RECORD_LISTING,
        "version": callback_data.RECORD_VERSION,
        "channel": callback_data.RECORD_CHANNEL,
        "note": callback_data.RECORD_NOTE,
    }
    if expected.get(step) != kind:
        await reply(update, context, say(context, texts.FLOW_STALE))
        return
    listing = Listing.from_number(value)
    if step == "org":
        state = replace(state, step="decision", organisation_id=value)
    elif step == "decision" and 1 <= value <= len(DECISIONS):
        decision = DECISIONS[value - 1]
        next_step: RecordStep = "listing" if decision is Decision.SIGNED else "channel"
        state = replace(state, step=next_step, decision=decision)
    elif step == "listing" and listing is not None:
        state = replace(state, step="version", listing=listing)
    elif step == "version":
        state = replace(state, step="channel", version=value)
    elif step == "channel" and 0 <= value < len(CHANNELS):
        state = replace(state, step="note", channel=CHANNELS[value])
    elif step == "note":
        await flows.finish(context.db, context.who.telegram_user_id)
        await answer_in_place(update, say(context, texts.RECORD_ASK_NOTE,
                                          limit=recording.MAX_NOTE))  # fmt: skip
        await _submit(update, context, _request(state, None))
        return
    else:
        await reply(update, context, say(context, texts.FLOW_STALE))
        return
    await _save(context, state)
    await _next_question(update, context, state)


async def _next_question(update: Update, context: BotContext, state: RecordState) -> None:
    step = state.step
    standing = await responses.letter_status(context.db, state.letter_id)
    row = next(
        (o.row for o in standing.organisations
         if o.row.organisation_id == state.organisation_id),
        None,
    )  # fmt: skip
    organisation = row.organisation_name if row else f"#{state.organisation_id}"
    if step == "decision":
        options = [
            (say(context, texts.BUTTON_RECORD_SIGNED), 1),
            (say(context, texts.BUTTON_RECORD_DECLINED), 2),
            (say(context, texts.BUTTON_RECORD_WITHDRAWN), 3),
        ]
        text = say(context, texts.RECORD_ASK_DECISION, organisation=organisation)
        await _ask(update, context, text, callback_data.RECORD_DECISION, options)
    elif step == "listing":
        options = [
            (say(context, texts.BUTTON_LISTING_NAMED), 1),
            (say(context, texts.BUTTON_LISTING_ANONYMOUS), 2),
            (say(context, texts.BUTTON_LISTING_INTERNAL), 3),
        ]
        text = say(context, texts.RECORD_ASK_LISTING, organisation=organisation)
        await _ask(update, context, text, callback_data.RECORD_LISTING, options)
    elif step == "version":
        versions = sorted(standing.versions, key=lambda v: -v.number)
        options = [(label(v), v.number) for v in versions[:8]]
        text = say(context, texts.RECORD_ASK_VERSION, version=label(standing.latest))
        await _ask(update, context, text, callback_data.RECORD_VERSION, options)
    elif step == "channel":
        options = [(say(context, CHANNEL_TEXTS[c]), i) for i, c in enumerate(CHANNELS)]
        text = say(context, texts.RECORD_ASK_CHANNEL)
        await _ask(update, context, text, callback_data.RECORD_CHANNEL, options)
    elif step == "note":
        options = [(say(context, texts.BUTTON_RECORD_NO_NOTE), 0)]
        text = say(context, texts.RECORD_ASK_NOTE, limit=recording.MAX_NOTE)
        await _ask(update, context, text, callback_data.RECORD_NOTE, options)


def _request(state: RecordState, note: str | None) -> RecordRequest:
    """The request the flow's answers make (at the note step, every answer is in)."""
    assert state.organisation_id is not None and state.decision is not None
    assert state.channel is not None
    return RecordRequest(
        letter_id=state.letter_id,
        organisation_id=state.organisation_id,
        decision=state.decision,
        channel=state.channel,
        listing=state.listing,
        version=state.version or None,
        note=note,
    )


async def _note_message(update: Update, context: BotContext, flow: Resumed[RecordState]) -> None:
    """The note, typed at the last step (kept exactly as typed; a too long one is said and
    the flow waits for a shorter one)."""
    message = update.effective_message
    if flow.state.step != "note" or message is None or not message.text:
        await reply(update, context, say(context, texts.FLOW_EXPECTS_TEXT))
        return
    note = recording.clean_note(message.text)
    await flows.finish(context.db, context.who.telegram_user_id)
    await _submit(update, context, _request(flow.state, note))


RECORD_FLOW = FlowKind(RECORD, RecordState, on_message=_note_message)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("record", record))
    kinds = "|".join(
        (
            callback_data.RECORD_ORG,
            callback_data.RECORD_DECISION,
            callback_data.RECORD_LISTING,
            callback_data.RECORD_VERSION,
            callback_data.RECORD_CHANNEL,
            callback_data.RECORD_NOTE,
        )
    )
    app.add_handler(CallbackQueryHandler(on_press, pattern=rf"^({kinds}):\d+$"))

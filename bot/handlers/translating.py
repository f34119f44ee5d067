"""``/translate <letter> <lang>``: a translation, pasted or uploaded, as a revision (issue 17).

Like /revise: the text comes in one or more messages or as a file, Done ends it, then the
coordinator sees the changes of that language's text and chooses material or minor. The
letter's own text stays as it is (the version label keeps its fingerprint); members who
read that language get the changes and the text in their language, the others a line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from telegram import Update
from telegram.ext import CommandHandler

from bot import callback_data, keyboards, texts
from bot.context import BotApplication, BotContext
from bot.handlers.approvals import act
from bot.handlers.common import (
    command_argument,
    coordinators_only,
    parse_ref,
    reply,
    say,
)
from bot.handlers.drafting import _ASK_LIMIT, ReviseState, TextInput, text_steps
from bot.handlers.flows import FlowKind, Resumed
from bot.handlers.presenters import characters
from bot.outgoing.letters import label, render_changes
from bot.services import approvals, flows, translations
from bot.services.letter_text import diff_paragraphs, telegram_length
from bot.services.letters import DraftSource
from bot.services.refusals import Refusal
from bot.services.translations import TranslationRevision

TRANSLATE = "translate"


@dataclass(frozen=True, kw_only=True)
class TranslateState(ReviseState):
    """/translate: as /revise (the text, then material or minor), for the translation of
    the letter into ``language``."""

    language: str

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "language": self.language}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Self:
        language = raw["language"]
        if not isinstance(language, str):
            raise ValueError(f"no language {language!r}")
        return cls(language=language, **cls.revise_fields(raw))


@coordinators_only
async def translate(update: Update, context: BotContext) -> None:
    words = command_argument(update.message).split()
    letter_id = parse_ref(words[0]) if words else None
    if letter_id is None or len(words) != 2:
        await reply(update, context, say(context, texts.USAGE_TRANSLATE))
        return
    letter, version, language = await translations.check_translatable(
        context.db, letter_id, words[1]
    )
    state = TranslateState(step="text", letter_id=letter_id, language=language)
    await flows.save(
        context.db, context.who.telegram_user_id, TRANSLATE, state, now=context.clock.now()
    )
    text = say(
        context, texts.TRANSLATE_ASK_TEXT, title=letter.title or "",
        language=texts.LANGUAGE_NAMES[language], version=label(version),
    )  # fmt: skip
    await reply(update, context, text, reply_markup=keyboards.flow_done(context.language))


async def _ask_kind(
    update: Update, context: BotContext, flow: Resumed[TranslateState], text: TextInput
) -> None:
    letter_id, language = flow.state.letter_id, flow.state.language
    try:
        _, change, _ = await translations.translation_draft(
            context.db, letter_id, language, text.body
        )
    except Refusal:
        await flows.finish(context.db, flow.telegram_user_id)
        raise
    body = change.text or ""
    state = TranslateState(
        step="kind", letter_id=letter_id, language=language, body=body,
        source=text.source or DraftSource(),
    )  # fmt: skip
    await flows.save(context.db, flow.telegram_user_id, TRANSLATE, state, now=context.clock.now())
    before = change.before.body if change.before is not None else ""
    changes = diff_paragraphs(before or "", body)
    summary = say(
        context, texts.TRANSLATE_SUMMARY, language=texts.LANGUAGE_NAMES[language],
        characters=characters(context, len(body)),
        changes=texts.Html(say(context, texts.PARAGRAPHS_CHANGED, count=len(changes))),
    )  # fmt: skip
    question = say(context, texts.REVISE_QUESTION)
    room = _ASK_LIMIT - telegram_length(summary) - telegram_length(question) - 4
    shown = render_changes(changes, context.language, limit=room)
    asked = "\n\n".join(part for part in (summary, shown, question) if part)
    await reply(update, context, asked, reply_markup=keyboards.revision_kind(context.language))


async def _kind(update: Update, context: BotContext, flow: Resumed[TranslateState]) -> None:
    query = update.callback_query
    args = callback_data.decode(query.data if query else None, callback_data.REVISION_KIND, 1)
    state = flow.state
    if args is None or state.step != "kind" or state.body is None or state.source is None:
        await reply(update, context, say(context, texts.FLOW_STALE))
        return
    material = bool(args[0])
    letter_id = state.letter_id
    ask = approvals.TranslateLetter(letter_id, state.language, state.body, material, state.source)
    try:
        # A minor change of a translation some organisation signed waits for a second
        # coordinator where there are two (issue 16), as a minor revision of the text does.
        made = await act(update, context, ask, letter_id=letter_id)
    finally:
        await flows.finish(context.db, flow.telegram_user_id)
    if not isinstance(made, TranslationRevision):
        return
    revision, change = made.revision, made.change
    text = say(
        context, texts.TRANSLATED, letter_id=letter_id, version=label(revision.version),
        language=texts.LANGUAGE_NAMES[change.language], fingerprint=change.fingerprint or "—",
        kind=say(context, texts.KIND_MATERIAL if material else texts.KIND_MINOR),
        notices=revision.notices_queued,
    )  # fmt: skip
    await reply(update, context, text)


_message, _done = text_steps(_ask_kind)
TRANSLATE_FLOW = FlowKind(
    TRANSLATE, TranslateState, on_message=_message, on_done=_done, on_choice=_kind
)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("translate", translate))

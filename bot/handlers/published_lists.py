"""A published list's files and announcement (issue 17), once its transaction committed.

``deliver_list`` sends list N's report and files to the coordinator whose press made it
(directly: the answer to that press) and tells every member who has the letter, with the
PDF in their language (protected, through the outbox). The approvals handlers call
``after_action`` with every action's result, so a list made at once and one approved by a
second coordinator are delivered the same way.
"""

from __future__ import annotations

from telegram import InputFile, Message

from bot import texts
from bot.context import BotContext
from bot.db.types import FileKind
from bot.handlers.common import say
from bot.outgoing.letters import LetterComposer, label
from bot.services import publication, translations
from bot.services.deadlines import format_deadline
from bot.services.publication import PublishedList


async def after_action(context: BotContext, chat_id: int, result: object) -> None:
    """What a publication still needs after its transaction, whoever's press made it (the
    approvals handlers call this with that coordinator's chat): list N's files and the
    members' announcement."""
    if isinstance(result, PublishedList):
        await deliver_list(context, chat_id, result)


def _names(names: list[str]) -> str:
    return ", ".join(names)


async def deliver_list(context: BotContext, chat_id: int, published: PublishedList) -> None:
    """List N's report and files to a coordinator's chat (the PDF, .docx, .md and CSV in the
    letter's language; the PDF in each other language the text has), then every member who
    has the letter is told, with the PDF in their language (protected)."""
    letter = published.letter
    number = published.number
    language = context.language
    changes = ""
    added, withdrawn = published.added(language), published.withdrawn(language)
    if added:
        changes += "\n" + say(
            context, texts.PUBLISHED_ADDED, number=number - 1, names=_names(added)
        )
    if withdrawn:
        changes += "\n" + say(
            context, texts.PUBLISHED_WITHDRAWN, number=number - 1, names=_names(withdrawn)
        )
    named = len(published.named(letter.language))
    report = say(
        context, texts.PUBLISHED_DONE, letter_id=letter.id,
        title=published.publication.title or "", number=number,
        date=format_deadline(published.publication.published_at, context.zone, context.language),
        version=label(published.version), named=named, anonymous=published.anonymous_count,
        changes=texts.Html(changes),
    )  # fmt: skip
    await context.bot.send_message(chat_id, report, parse_mode="HTML")
    version_texts = await translations.texts_of(context.db, published.version.id)
    for lang in version_texts.languages:
        await send_files(context, chat_id, published, lang, pdf_only=lang != letter.language)
    await announce(context, published)


async def send_files(
    context: BotContext, chat_id: int, published: PublishedList, language: str, *, pdf_only: bool
) -> None:
    made = await publication.publication_files(
        context.db, published.letter.id, published.number, language=language
    )
    for name, content in made.files.items():
        if pdf_only and name != made.pdf_name:
            continue
        sent: Message = await context.bot.send_document(
            chat_id, document=InputFile(content, filename=name), protect_content=False
        )
        if name == made.pdf_name and sent.document is not None:
            await publication.record_file_id(
                context.db, published.publication.id, language, FileKind.PDF,
                sent.document.file_id,
            )  # fmt: skip


async def announce(context: BotContext, published: PublishedList) -> None:
    composer = LetterComposer(context.settings)
    await publication.announce(
        context.db, published.letter.id, published.number, now=context.clock.now(),
        compose=composer.publication_notice,
    )  # fmt: skip

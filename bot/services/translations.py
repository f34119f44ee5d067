"""Translations: a version's text in the coalition's other languages. No Telegram here.

A letter has one authoritative language (``letters.language``); each version may carry a
translation into each other list language (en, ru, be). A translation belongs to exactly
one text: versions and their translations never change. Adding, changing or removing a
translation is therefore a revision (``letters.add_revision``): a new version whose
authoritative text is the previous one's (same fingerprint), with the other translations
copied and this one set, material or minor with the rules and notices of ``/revise``. The
version label stays ``v<N> · <authoritative fingerprint>``; what a member read in their
language is named by the translation's own fingerprint.

Members read in their language when the version has it (``reading``), the authoritative
text one tap away; the export and the publication can be made in any language the
version has (``languages``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot import texts
from bot.db import letters as letters_repo
from bot.db import translations as translations_repo
from bot.db.connection import Database, Executor, Transaction
from bot.db.letters import Letter, Recipient, Version
from bot.db.translations import Translation
from bot.services import letters, org_names
from bot.services.agreement import Agreement
from bot.services.letter_queue import PlannedMessage
from bot.services.letter_text import fingerprint, version_label
from bot.services.letters import DraftSource, Revision, TranslationText
from bot.services.refusals import Code, Refusal

__all__ = [
    "Reading",
    "Translation",
    "TranslationChange",
    "TranslationNoticeComposer",
    "TranslationRevision",
    "VersionTexts",
    "reading",
    "texts_of",
    "translate",
    "translate_in",
    "translation_draft",
]


@dataclass(frozen=True)
class Reading:
    """A version's text as a reader of ``language`` gets it: the translation when the
    version has one, else the authoritative text (``translated`` False)."""

    version: Version
    language: str  # the language of ``text``
    text: str
    fingerprint: str  # of ``text``: the translation's own, or the version's
    authoritative_language: str

    @property
    def translated(self) -> bool:
        return self.language != self.authoritative_language

    @property
    def label(self) -> str:
        """The version's label (always the authoritative fingerprint): ``v3 · 7f3a9c21``."""
        return version_label(self.version.number, self.version.fingerprint)


@dataclass(frozen=True)
class VersionTexts:
    """A version with every translation it carries."""

    letter: Letter
    version: Version
    translations: Mapping[str, Translation]

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages it can be read (and exported) in: the authoritative one first."""
        return (self.letter.language, *sorted(set(self.translations) - {self.letter.language}))

    def in_language(self, language: str) -> Reading:
        """The text for a reader of ``language`` (the authoritative one where there is no
        translation). Raises ``LETTER_PURGED`` once the texts are gone."""
        translation = self.translations.get(language)
        if translation is not None and translation.body is not None:
            return Reading(
                self.version, language, translation.body, translation.fingerprint,
                self.letter.language,
            )  # fmt: skip
        if self.version.body is None or translation is not None:  # purged
            raise Refusal(Code.LETTER_PURGED, ref=self.letter.id)
        return Reading(
            self.version, self.letter.language, self.version.body, self.version.fingerprint,
            self.letter.language,
        )  # fmt: skip

    def exactly_in(self, language: str) -> Reading:
        """The text in ``language`` itself: ``NO_TRANSLATION`` when the version has none
        (the export or a list in a language the letter does not have)."""
        if language not in self.languages:
            raise Refusal(Code.NO_TRANSLATION, ref=self.letter.id, language=_named(language))
        return self.in_language(language)


def _named(language: str) -> str:
    """A language as refusals name it: in its own name (English, Русский, Беларуская)."""
    return texts.LANGUAGE_NAMES.get(language, language)


async def texts_of(db: Executor, version_id: int) -> VersionTexts:
    """A version (known to exist) with its translations."""
    version = await letters_repo.existing_version(db, version_id)
    letter = await letters_repo.existing(db, version.letter_id)
    return VersionTexts(letter, version, await translations_repo.of_version(db, version_id))


async def reading_of(db: Executor, letter: Letter, version: Version, language: str) -> Reading:
    """``reading`` for a version already read with its letter (a receipt: the signature's
    transaction read both); only its translations are read here."""
    found = await translations_repo.of_version(db, version.id)
    return VersionTexts(letter, version, found).in_language(language)


async def reading(db: Executor, version_id: int, language: str) -> Reading:
    """The version's text for a reader of ``language`` (authoritative where untranslated).
    Callers check the reader's access first (``letters.reader_access``)."""
    return (await texts_of(db, version_id)).in_language(language)


# --- changing a translation -----------------------------------------------------------------


@dataclass(frozen=True)
class TranslationChange:
    """What a translation revision changes: ``language``'s text from ``before`` (None: the
    version had none) to ``text`` (None: removed)."""

    language: str
    text: str | None
    fingerprint: str | None
    before: Translation | None


# (letter, new version, previous version, the change, recipient, now) → the notice messages.
# Every member who has the letter gets one (a material change asks them to sign again);
# the composer may show readers of other languages a shorter one.
TranslationNoticeComposer = Callable[
    [Letter, Version, Version, TranslationChange, Recipient, datetime], Sequence[PlannedMessage]
]


@dataclass(frozen=True)
class TranslationRevision:
    revision: Revision
    change: TranslationChange


def _check_language(letter: Letter, raw: str) -> str:
    language = org_names.check_language(raw)
    if language == letter.language:
        raise Refusal(Code.TRANSLATION_SAME_LANGUAGE, ref=letter.id, language=_named(language))
    return language


async def translation_draft(
    db: Executor, letter_id: int, raw_language: str, raw_body: str | None
) -> tuple[str, TranslationChange, Version]:
    """What ``translate`` would do, for the flow to show (the diff, then material or minor):
    the language, the change and the version it would follow; refused as ``translate``
    would refuse it (not found, closed, published, the letter's own language, unchanged)."""
    letter, current = await letters.revisable(db, letter_id)
    language = _check_language(letter, raw_language)
    before = await translations_repo.get(db, current.id, language)
    if raw_body is None:
        if before is None:
            raise Refusal(Code.NO_TRANSLATION, ref=letter_id, language=_named(language))
        return language, TranslationChange(language, None, None, before), current
    body = letters.clean_body(raw_body)
    new_fingerprint = fingerprint(body)
    if before is not None and before.fingerprint == new_fingerprint:
        raise Refusal(Code.TRANSLATION_UNCHANGED, version=current.number, language=_named(language))
    return language, TranslationChange(language, body, new_fingerprint, before), current


async def translate(
    db: Database,
    letter_id: int,
    raw_language: str,
    *,
    body: str | None,
    material: bool,
    source: DraftSource,
    created_by: int | None,
    actor: str,
    now: datetime,
    compose_notice: TranslationNoticeComposer,
) -> TranslationRevision:
    """``/translate <letter> <lang>``: adds, changes or (``body`` None) removes the
    version's translation into ``raw_language`` — as a new version with the same
    authoritative text and the other translations, material or minor as ``/revise``."""
    async with db.transaction() as tx:
        return await translate_in(
            tx, letter_id, raw_language, body=body, material=material, source=source,
            created_by=created_by, actor=actor, now=now, compose_notice=compose_notice,
        )  # fmt: skip


async def translate_in(
    tx: Transaction,
    letter_id: int,
    raw_language: str,
    *,
    body: str | None,
    material: bool,
    source: DraftSource,
    created_by: int | None,
    actor: str,
    now: datetime,
    compose_notice: TranslationNoticeComposer,
    agreement: Agreement | None = None,
) -> TranslationRevision:
    """``translate`` in the caller's transaction (an approval's: a minor change of a
    translation some organisation signed needs a second coordinator, issue 16)."""
    language, change, previous = await translation_draft(tx, letter_id, raw_language, body)
    letter = await letters_repo.existing(tx, letter_id)
    assert previous.body is not None  # an editable letter is never purged
    kept = await translations_repo.of_version(tx, previous.id)
    carried: dict[str, TranslationText] = {
        other: TranslationText(t.body or "", DraftSource(t.source_kind, t.file_id, t.file_name))
        for other, t in kept.items()
        if other != language
    }
    if change.text is not None:
        carried[language] = TranslationText(change.text, source)
    authoritative = DraftSource(
        previous.source_kind, previous.source_file_id, previous.source_file_name
    )

    def notice(
        letter: Letter, version: Version, previous: Version, recipient: Recipient, now: datetime
    ) -> Sequence[PlannedMessage]:
        return compose_notice(letter, version, previous, change, recipient, now)

    revision = await letters.add_revision(
        tx, letter, previous, body=previous.body, material=material, source=authoritative,
        translations=carried, translated=language, created_by=created_by, actor=actor,
        now=now, compose_notice=notice, agreement=agreement,
    )  # fmt: skip
    return TranslationRevision(revision, change)


async def of_letter(db: Executor, letter_id: int) -> dict[int, dict[str, Translation]]:
    """Every version's translations (version id → language → translation): what a composer
    needs to give members the letter in their language (versions never change)."""
    return {
        version.id: await translations_repo.of_version(db, version.id)
        for version in await letters_repo.versions(db, letter_id)
    }


async def of_open_letters(db: Executor, organisation_id: int) -> dict[int, dict[str, Translation]]:
    """``of_letter`` for every letter open for the organisation (version ids are unique, so
    one map serves them all): what a contact who just joined reads them in."""
    found: dict[int, dict[str, Translation]] = {}
    for letter in await letters_repo.open_letters_of_organisation(db, organisation_id):
        found |= await of_letter(db, letter.id)
    return found


async def check_translatable(
    db: Executor, letter_id: int, raw_language: str
) -> tuple[Letter, Version, str]:
    """What ``/translate`` starts on: a revisable letter, its latest version and a list
    language other than the letter's own (refused as ``translate`` would be)."""
    letter, current = await letters.revisable(db, letter_id)
    return letter, current, _check_language(letter, raw_language)

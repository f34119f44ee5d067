"""Publication: list 1, 2, … of a letter, and collecting signatories after it. No Telegram here.

``publish`` freezes list N of a closed letter: numbered, dated, its final version, and a
snapshot of every organisation it names or counts (listed names in every language, sort
key, the person signing, whether a coordinator recorded the signature and by which road).
Internal signatures are never published. The files (PDF via ``pdf``, .docx, .md and a CSV
of the list) are made from the snapshot alone (``publication_files``), in the letter's
language or any other it has, so list N's files come out byte for byte the same whatever
happens later (their digests are kept to show it).

After list 1 the letter can collect additional signatories for the same text
(``collect``): it opens again with a new deadline, its text is final (revisions and
translations are refused, signatures are taken on the published version only) and the
organisations that have not signed get an invitation. Each later ``publish`` makes list N
with what changed since list N-1: the organisations named since, and those no longer
named (a withdrawal after publication).

Publishing and collecting are record-changing actions (issue 16: approval kinds PUBLISH
and COLLECT); both take the approval they run under and run in a transaction passed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db import audit
from bot.db import letters as letters_repo
from bot.db import publications as repo
from bot.db.connection import Database, Executor, Transaction, within
from bot.db.contacts import Contact
from bot.db.letters import Letter, Recipient, Version
from bot.db.publications import Publication, PublicationFile, PublishedSignatory
from bot.db.responses import OrganisationRow
from bot.db.types import Decision, FileKind, LetterStatus, Listing
from bot.services import export, lifecycle, org_names, responses, translations
from bot.services.agreement import ALONE, Agreement
from bot.services.export import ExportInput, ExportSignatory, ListChanges
from bot.services.letter_queue import Composer, PlannedMessage, queue_for
from bot.services.letter_text import version_label
from bot.services.refusals import Code, Refusal
from bot.services.responses import OrganisationState

__all__ = [
    "PublicationFiles",
    "PublishPreview",
    "PublishedList",
    "announce",
    "collect",
    "is_collecting",
    "preview",
    "publication_files",
    "publish",
    "published_list",
]


# --- a list as published --------------------------------------------------------------------


def _person(signatory: PublishedSignatory) -> str | None:
    if not signatory.signer_name:
        return None
    if signatory.signer_title:
        return f"{signatory.signer_name}, {signatory.signer_title}"
    return signatory.signer_name


@dataclass(frozen=True)
class PublishedList:
    """List N with its frozen signatories and those of list N-1 (for what changed)."""

    letter: Letter
    publication: Publication
    version: Version  # the version published (its text is final)
    signatories: Sequence[PublishedSignatory]
    before: Sequence[PublishedSignatory] | None  # list N-1's; None for list 1

    @property
    def number(self) -> int:
        return self.publication.number

    def _named(self, entries: Sequence[PublishedSignatory]) -> list[PublishedSignatory]:
        return [s for s in entries if s.listing is Listing.NAMED]

    def named(self, language: str) -> list[PublishedSignatory]:
        """The named signatories in ``language``'s order (sort key, else the listed name)."""
        return sorted(
            self._named(self.signatories),
            key=lambda s: org_names.sort_key(s.name_in(language), language, s.sort_key),
        )

    @property
    def anonymous_count(self) -> int:
        return sum(1 for s in self.signatories if s.listing is Listing.ANONYMOUS)

    def added(self, language: str) -> list[str]:
        """Named in this list and not in list N-1 (newly signed, or now by name)."""
        if self.before is None:
            return []
        then = {s.organisation_id for s in self._named(self.before)}
        return [s.name_in(language) for s in self.named(language) if s.organisation_id not in then]

    def withdrawn(self, language: str) -> list[str]:
        """Named in list N-1 and not in this one: the names co-publishers take off their copy
        (a signature withdrawn after publication, or no longer given by name), as list N-1
        listed them."""
        if self.before is None:
            return []
        now = {s.organisation_id for s in self._named(self.signatories)}
        gone = [s for s in self._named(self.before) if s.organisation_id not in now]
        gone.sort(key=lambda s: org_names.sort_key(s.name_in(language), language, s.sort_key))
        return [s.name_in(language) for s in gone]

    @property
    def organisation_ids(self) -> frozenset[int]:
        return frozenset(s.organisation_id for s in self.signatories)


async def published_list(db: Executor, letter_id: int, number: int | None = None) -> PublishedList:
    """List ``number`` of the letter (its latest when None); ``PUBLICATION_NOT_FOUND`` or
    ``NOT_PUBLISHED`` when there is no such list."""
    letter = await lifecycle.known_letter(db, letter_id)
    if number is None:
        number = await repo.latest_number(db, letter_id)
        if number is None:
            raise Refusal(Code.NOT_PUBLISHED, ref=letter_id)
    publication = await repo.by_number(db, letter_id, number)
    if publication is None:
        raise Refusal(Code.PUBLICATION_NOT_FOUND, ref=letter_id, number=number)
    return await _published(db, letter, publication)


async def _published(db: Executor, letter: Letter, publication: Publication) -> PublishedList:
    before = None
    if publication.number > 1:
        previous = await repo.by_number(db, letter.id, publication.number - 1)
        if previous is not None:
            before = await repo.signatories(db, previous.id)
    return PublishedList(
        letter,
        publication,
        await letters_repo.existing_version(db, publication.version_id),
        await repo.signatories(db, publication.id),
        before,
    )


async def is_collecting(db: Executor, letter: Letter) -> bool:
    """Open again after list 1: collecting additional signatories for the published text."""
    return (
        letter.status is LetterStatus.OPEN and await repo.latest_number(db, letter.id) is not None
    )


# --- publishing -----------------------------------------------------------------------------


def _same_list(one: Sequence[PublishedSignatory], other: Sequence[PublishedSignatory]) -> bool:
    """The same organisations listed the same way (the list number aside)."""

    def shown(entries: Sequence[PublishedSignatory]) -> set[PublishedSignatory]:
        return {replace(s, publication_id=0, recorded_by_name=None) for s in entries}

    return shown(one) == shown(other)


async def _snapshot(db: Executor, letter: Letter) -> list[PublishedSignatory]:
    """The signatories of the letter's final version as list N shows them (``publication_id``
    0 until it is stored): named and anonymous signatures that stand for the final version."""
    status = await responses.letter_status(db, letter.id)
    names = await org_names.listed_names_by_organisation(db)
    return [
        _frozen(standing.row, names.get(standing.row.organisation_id, {}))
        for standing in status.organisations
        if standing.state is OrganisationState.SIGNED
        and standing.row.listing is not Listing.INTERNAL
    ]


def _frozen(row: OrganisationRow, own: Mapping[str, str]) -> PublishedSignatory:
    """A signed organisation's row as a list keeps it (its names in every language)."""
    assert row.listing is not None and row.version_id is not None  # signed
    return PublishedSignatory(
        publication_id=0, organisation_id=row.organisation_id, listing=row.listing,
        version_id=row.version_id, name=row.organisation_name,
        name_en=own.get("en") or row.organisation_name,
        name_ru=own.get("ru") or row.organisation_name,
        name_be=own.get("be") or row.organisation_name,
        sort_key=row.sort_key, signer_name=row.signer_name, signer_title=row.signer_title,
        recorded_by=row.recorded_by, recorded_by_name=row.recorded_by_name, channel=row.channel,
    )  # fmt: skip


async def check_publishable(db: Executor, letter_id: int) -> tuple[Letter, int]:
    """The letter and the number its next list would get; refused when it cannot be
    published now (the engine's validation): not found, purged, open before list 1."""
    letter = await lifecycle.unpurged_letter(db, letter_id)
    latest = await repo.latest_number(db, letter_id)
    if letter.status is LetterStatus.DRAFT or (
        letter.status is LetterStatus.OPEN and latest is None
    ):
        raise Refusal(Code.PUBLISH_NOT_CLOSED, ref=letter_id)
    return letter, (latest or 0) + 1


async def publish(
    db: Database | Transaction,
    letter_id: int,
    *,
    coordinator: Contact | None,
    actor: str,
    now: datetime,
    agreement: Agreement = ALONE,
) -> PublishedList:
    """``/publish <letter>``: freezes list N (1 for a closed letter; N+1 while collecting or
    closed again). Refused when no organisation would be listed (``PUBLISH_EMPTY``) or the
    list would be list N-1 again (``PUBLISH_UNCHANGED``). Audited ``publication.published``
    with every organisation's id and listing (no names: they are in the record already).
    The files are made afterwards (``publication_files``), outside the transaction."""
    async with within(db) as tx:
        letter, number = await check_publishable(tx, letter_id)
        version = await letters_repo.latest_version(tx, letter_id)
        snapshot = await _snapshot(tx, letter)
        if not snapshot:
            raise Refusal(Code.PUBLISH_EMPTY, ref=letter_id)
        if number > 1:
            previous = await repo.by_number(tx, letter_id, number - 1)
            assert previous is not None
            if _same_list(snapshot, await repo.signatories(tx, previous.id)):
                raise Refusal(Code.PUBLISH_UNCHANGED, ref=letter_id, number=number - 1)
        publication_id = await repo.insert(
            tx, letter_id=letter_id, number=number, version_id=version.id,
            title=letter.title or "", timezone=letter.timezone, published_at=now,
            published_by=coordinator.id if coordinator else None,
            approval_id=agreement.approval_id,
        )  # fmt: skip
        for signatory in snapshot:
            await repo.insert_signatory(tx, replace(signatory, publication_id=publication_id))
        await audit.append(
            tx, now=now, actor=actor, action="publication.published", letter_id=letter_id,
            data={"number": number, "version": version.number,
                  "fingerprint": version.fingerprint,
                  "signatories": [[s.organisation_id, s.listing.value] for s in snapshot],
                  **agreement.audit_data()},
        )  # fmt: skip
        return await _published(tx, letter, await repo.existing(tx, publication_id))


@dataclass(frozen=True)
class PublishPreview:
    """What ``publish`` would make now, for the question before it (an approval request):
    list ``number`` of ``version``, its named and anonymous signatories, and against list
    N-1 the organisations named since and no longer named (primary names)."""

    letter: Letter
    number: int
    version: Version
    named: int
    anonymous: int
    added: tuple[str, ...]
    withdrawn: tuple[str, ...]


async def preview(db: Executor, letter_id: int) -> PublishPreview:
    """``publish``'s list as it would be now; refused as ``check_publishable`` refuses."""
    letter, number = await check_publishable(db, letter_id)
    version = await letters_repo.latest_version(db, letter_id)
    snapshot = await _snapshot(db, letter)
    named = {s.organisation_id: s.name for s in snapshot if s.listing is Listing.NAMED}
    before: dict[int, str] = {}
    if number > 1:
        previous = await repo.by_number(db, letter_id, number - 1)
        if previous is not None:
            before = {
                s.organisation_id: s.name
                for s in await repo.signatories(db, previous.id)
                if s.listing is Listing.NAMED
            }
    return PublishPreview(
        letter, number, version, len(named), len(snapshot) - len(named),
        tuple(sorted(name for i, name in named.items() if number > 1 and i not in before)),
        tuple(sorted(name for i, name in before.items() if i not in named)),
    )  # fmt: skip


# --- the files of a list --------------------------------------------------------------------


@dataclass(frozen=True)
class PublicationFiles:
    """List N's files in one language, by file name (the PDF first)."""

    published: PublishedList
    language: str
    files: Mapping[str, bytes]
    pdf_name: str
    drifted: tuple[str, ...]  # files that differ from the first made of this list: none


def _render_pdf(published: PublishedList, reading: translations.Reading) -> bytes:
    """The list's PDF. fpdf2 (with fontTools) holds some 50 MB once imported: it is loaded
    when a list is first rendered, not at start-up (bench/memory.py)."""
    from bot.services import pdf

    language = reading.language
    publication = published.publication
    document = pdf.PublicationDocument(
        title=publication.title or "",
        language=language,
        body=reading.text,
        signatories=[
            pdf.PublicationSignatory(s.name_in(language), _person(s))
            for s in published.named(language)
        ],
        anonymous_count=published.anonymous_count,
        list_number=publication.number,
        published_at=publication.published_at.astimezone(ZoneInfo(publication.timezone)),
        version_label=version_label(published.version.number, published.version.fingerprint),
        fingerprint=reading.fingerprint,
        added_since=published.added(language),
        withdrawn_since=published.withdrawn(language),
    )
    return pdf.render_pdf(document)


def _export_input(
    published: PublishedList, reading: translations.Reading, versions: Mapping[int, Version]
) -> ExportInput:
    language = reading.language
    publication = published.publication
    rows = [_export_row(s, language, versions[s.version_id]) for s in published.signatories]
    return ExportInput(
        letter_id=published.letter.id,
        title=publication.title or "",
        final_text=reading.text,
        version_number=published.version.number,
        fingerprint=published.version.fingerprint,
        deadline=published.letter.deadline,
        language=language,
        rows=rows,
        generated_at=publication.published_at,
        zone=ZoneInfo(publication.timezone),
        translation_fingerprint=reading.fingerprint if reading.translated else None,
        publication=ListChanges(
            publication.number,
            publication.published_at,
            tuple(published.added(language)),
            tuple(published.withdrawn(language)),
        ),
    )


def _export_row(signatory: PublishedSignatory, language: str, signed: Version) -> ExportSignatory:
    return ExportSignatory(
        organisation=signatory.name, decision=Decision.SIGNED, listing=signatory.listing,
        version_number=signed.number, fingerprint=signed.fingerprint, valid_for_final=True,
        contact=None, answered_at=None, reason=None, listed=signatory.name_in(language),
        sort_key=signatory.sort_key, person=_person(signatory),
        recorded_by=signatory.recorded_by_name, channel=signatory.channel,
    )  # fmt: skip


async def publication_files(
    db: Database, letter_id: int, number: int | None = None, *, language: str | None = None
) -> PublicationFiles:
    """List ``number``'s (the latest's) files in ``language`` (the letter's own by default;
    any language the published version has): the PDF, .docx, .md and the CSV of its
    signatories, made from the list's snapshot alone. The first time a list's files are made
    in a language their digests are kept; made again, they are checked against them."""
    published = await published_list(db, letter_id, number)
    texts_ = await translations.texts_of(db, published.version.id)
    reading = texts_.exactly_in(language or published.letter.language)
    versions = {v.id: v for v in await letters_repo.versions(db, letter_id)}
    data = _export_input(published, reading, versions)
    names = export.export_file_names(data)
    pdf_name = names["md"].removesuffix(".md") + ".pdf"
    made = {
        (FileKind.PDF, pdf_name): _render_pdf(published, reading),
        (FileKind.DOCX, names["docx"]): export.render_docx(data),
        (FileKind.MD, names["md"]): export.render_markdown(data).encode("utf-8"),
        (FileKind.CSV, names["csv"]): export.render_csv(data),
    }
    async with db.transaction() as tx:
        for (kind, name), content in made.items():
            await repo.put_file(
                tx,
                PublicationFile(
                    published.publication.id, reading.language, kind, name,
                    hashlib.sha256(content).hexdigest(), None,
                ),
            )  # fmt: skip
        kept = {
            f.file_name: f.sha256
            for f in await repo.files(tx, published.publication.id, reading.language)
        }
    drifted = tuple(
        name for (_, name), content in made.items()
        if kept.get(name) != hashlib.sha256(content).hexdigest()
    )  # fmt: skip
    files = {name: content for (_, name), content in made.items()}
    return PublicationFiles(published, reading.language, files, pdf_name, drifted)


async def record_file_id(
    db: Executor, publication_id: int, language: str, kind: FileKind, file_id: str
) -> None:
    """Telegram's id of a list's file once it was sent (members get the PDF by it)."""
    await repo.set_file_id(db, publication_id, language, kind, file_id)


async def pdf_file_ids(db: Executor, publication_id: int) -> dict[str, str]:
    """The PDF's Telegram file id in each language it was sent in."""
    found = {}
    for language in org_names.LANGUAGES:
        for file in await repo.files(db, publication_id, language):
            if file.kind is FileKind.PDF and file.file_id:
                found[language] = file.file_id
    return found


# --- telling members ------------------------------------------------------------------------


@dataclass(frozen=True)
class Announcement:
    """What members are told of list N: the list, and the PDF's Telegram file id in each
    language it was sent in (members get theirs, ``protect_content``)."""

    published: PublishedList
    pdf_file_ids: Mapping[str, str]


# (the announcement, one member who had the letter, now) → the messages they get
AnnouncementComposer = Callable[[Announcement, Recipient, datetime], Sequence[PlannedMessage]]


async def announce(
    db: Database, letter_id: int, number: int, *, now: datetime, compose: AnnouncementComposer
) -> int:
    """Tells every member who has the letter that list ``number`` was published (once per
    list and member: queueing again queues nothing). Returns the messages queued."""
    published = await published_list(db, letter_id, number)
    announcement = Announcement(published, await pdf_file_ids(db, published.publication.id))

    def message(
        letter: Letter, version: Version, recipient: Recipient, now: datetime
    ) -> Sequence[PlannedMessage]:
        return compose(announcement, recipient, now)

    async with db.transaction() as tx:
        recipients = await letters_repo.recipients(tx, letter_id)
        return await queue_for(
            tx, None, published.letter, published.version, recipients, message, now=now,
            nonce=f":list:{number}",
        )  # fmt: skip


# --- collecting additional signatories ------------------------------------------------------


@dataclass(frozen=True)
class Collecting:
    letter: Letter  # open again, until its new deadline
    after_list: int  # the latest list when collecting started
    invited: tuple[int, ...]  # organisations invited to add their name
    queued: int  # messages queued (invitations, and the notice to signatories)


async def collect(
    db: Database | Transaction,
    letter_id: int,
    deadline: datetime,
    *,
    actor: str,
    now: datetime,
    default_offsets: Sequence[timedelta],
    invite: Composer,
    tell_signed: Composer | None = None,
    agreement: Agreement = ALONE,
) -> Collecting:
    """``/collect <letter> <deadline>``: a published, closed letter collects additional
    signatories for the same text until ``deadline``. Every organisation it went to that
    does not stand signed for it now (pending, declined, withdrawn, or signed an earlier
    version) is invited (``invite``: lock-screen neutral, like a reminder); the contacts of
    those that signed get ``tell_signed`` (the letter is open again: they can withdraw).
    Audited as a reopening with ``collecting``: the list it follows."""
    async with within(db) as tx:
        await lifecycle.unpurged_letter(tx, letter_id)
        after = await repo.latest_number(tx, letter_id)
        if after is None:
            raise Refusal(Code.NOT_PUBLISHED, ref=letter_id)
        letter = await lifecycle.reopen_in(
            tx, letter_id, deadline, actor=actor, now=now, default_offsets=default_offsets,
            data={"collecting": after, **agreement.audit_data()},
        )  # fmt: skip
        status = await responses.letter_status(tx, letter_id)
        invited = tuple(_not_signed(status))
        recipients = await letters_repo.recipients(tx, letter_id)
        nonce = f":collect:{now.timestamp():.0f}"
        queued = await queue_for(
            tx, None, letter, status.latest,
            [r for r in recipients if r.organisation_id in invited], invite, now=now, nonce=nonce,
        )  # fmt: skip
        if tell_signed is not None:
            queued += await queue_for(
                tx, None, letter, status.latest,
                [r for r in recipients if r.organisation_id not in invited], tell_signed,
                now=now, nonce=nonce,
            )  # fmt: skip
    return Collecting(letter, after, invited, queued)


def _not_signed(status: responses.LetterStanding) -> list[int]:
    return [
        o.row.organisation_id for o in status.organisations
        if o.state is not OrganisationState.SIGNED
    ]  # fmt: skip


async def organisations_to_invite(db: Executor, letter_id: int) -> list[int]:
    """The organisations ``collect`` would invite now (what the question before it shows)."""
    return _not_signed(await responses.letter_status(db, letter_id))

"""Every signer sees every change to what they signed: who must be told, and who was.

A minor revision, a reopening, a closing and a rename reach every live contact of every
organisation that signed (``signers_to_tell``; a rename: the organisation's own
contacts, ``bot.services.renames``). Whether they were shown it is on record: per
signature, the version signed, the minor versions made after it, and when the
organisation was first shown each (``signatures``) — for the export and its CSV. An
organisation that signed and had no contact with access when a minor version was made
could not be shown it, so its signature does not stand silently: it must sign again
(``responses.state_of``, ``OrganisationRow.unshown_minor``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.db import disclosure as repo
from bot.db import letters as letters_repo
from bot.db.connection import Executor
from bot.db.letters import Recipient


async def signers_to_tell(db: Executor, letter_id: int) -> list[Recipient]:
    """Every live contact of every organisation whose current response is a signature."""
    return await repo.signer_recipients(db, letter_id)


@dataclass(frozen=True)
class LaterMinor:
    """A minor version made after the one an organisation signed."""

    number: int
    fingerprint: str
    made_at: datetime
    told_at: datetime | None  # first shown to a contact of the organisation; None: never


@dataclass(frozen=True)
class SignatureDisclosure:
    organisation_id: int
    version: int  # the version signed
    fingerprint: str
    later_minor: tuple[LaterMinor, ...]  # oldest first

    @property
    def untold(self) -> tuple[LaterMinor, ...]:
        """The minor versions the organisation was never shown."""
        return tuple(minor for minor in self.later_minor if minor.told_at is None)


async def signatures(db: Executor, letter_id: int) -> dict[int, SignatureDisclosure]:
    """Per organisation that signed the letter: what it signed, the minor versions since,
    and when it was first shown each."""
    versions = await letters_repo.versions(db, letter_id)
    shown = {
        (row.organisation_id, row.version_number): row.sent_at
        for row in await repo.first_shown(db, letter_id)
    }
    result = {}
    for signed in await repo.signed_versions(db, letter_id):
        later = tuple(
            LaterMinor(
                v.number, v.fingerprint, v.created_at, shown.get((signed.organisation_id, v.number))
            )
            for v in versions
            if not v.material and v.number > signed.version_number
        )
        result[signed.organisation_id] = SignatureDisclosure(
            signed.organisation_id, signed.version_number, signed.fingerprint, later
        )
    return result

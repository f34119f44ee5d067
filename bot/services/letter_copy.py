"""``/copyletter``: the next letter starts from this one. No Telegram here.

A coalition writes to the Council every session, to much the same organisations on much
the same calendar. The copy is a new draft with a text of its own (the ``/newletter`` flow
asks for title, deadline and text; nothing of the old text is carried over) and:

* the organisations the letter went to (still active), kept as the draft's planned
  recipients (``planned_organisations``): a draft has no recipients until it is
  circulated, and circulating to them is the coordinator's next step;
* the reminder schedule (its own offsets, or the default, or none);
* whether the list shows the person signing;
* the milestones, moved with the deadline: each keeps its distance to the deadline on the
  wall clock of the letter's zone ("vote, two days before the deadline, 10:00 Geneva"
  stays so across a daylight-saving change). One that would fall in the past, or whose
  name a purge removed, is left out (and said so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.db import audit
from bot.db import letters as letters_repo
from bot.db import milestones as milestones_repo
from bot.db.connection import Database
from bot.db.letters import Letter, Version
from bot.db.milestones import Milestone
from bot.services import lifecycle, milestones
from bot.services.letters import DraftSource, NewLetter, create_in


@dataclass(frozen=True)
class CopiedLetter:
    letter: Letter  # the new draft
    version: Version
    source: Letter
    planned: tuple[int, ...]  # organisations to circulate to
    milestones: tuple[Milestone, ...]  # moved with the deadline
    left_out: tuple[Milestone, ...]  # the source's milestones that were not copied


def moved(at: datetime, old_deadline: datetime, new_deadline: datetime, zone: ZoneInfo) -> datetime:
    """``at`` moved as the deadline moved, on the wall clock of ``zone`` (UTC)."""

    def wall(moment: datetime) -> datetime:
        return moment.astimezone(zone).replace(tzinfo=None)

    shifted = wall(at) + (wall(new_deadline) - wall(old_deadline))
    # A wall time skipped by a daylight-saving change resolves forwards (fold 0).
    return shifted.replace(tzinfo=zone).astimezone(UTC)


async def copy_letter(
    db: Database,
    source_id: int,
    *,
    title: str,
    deadline: datetime,
    zone_name: str,
    body: str,
    source: DraftSource,
    created_by: int | None,
    actor: str,
    now: datetime,
    language: str | None = None,
) -> CopiedLetter:
    """A new draft from letter ``source_id`` (any state, purged too: only its recipients,
    schedule and calendar are taken) with the title, deadline and text given, in the source
    letter's language unless another is given."""
    async with db.transaction() as tx:
        old = await lifecycle.known_letter(tx, source_id)
        draft = NewLetter(
            title, deadline, zone_name, body, source, language or old.language, old.ask_signer
        )
        letter, version = await create_in(tx, draft, created_by=created_by, actor=actor, now=now)
        await letters_repo.set_copied_from(tx, letter.id, old.id)
        went_to = await letters_repo.organisation_ids(tx, old.id)
        planned = went_to or await letters_repo.planned_organisation_ids(tx, old.id)
        await letters_repo.plan_organisations(tx, letter.id, planned)
        planned = await letters_repo.planned_organisation_ids(tx, letter.id)  # active ones
        await letters_repo.set_reminder_offsets(tx, letter.id, old.reminder_offsets)
        zone = ZoneInfo(zone_name)
        copied: list[Milestone] = []
        left_out: list[Milestone] = []
        for milestone in await milestones_repo.of_letter(tx, old.id):
            at = moved(milestone.at, old.deadline, deadline, zone)
            if not milestone.name or at <= now:
                left_out.append(milestone)
                continue
            copied.append(
                await milestones.add_in(
                    tx, letter.id, milestone.name, at, created_by=created_by, actor=actor, now=now
                )
            )
        await audit.append(
            tx, now=now, actor=actor, action="letter.copied", letter_id=letter.id,
            data={"from": old.id, "organisations": planned, "milestones": len(copied),
                  "offsets": old.reminder_offsets,
                  "moved_seconds": int((deadline - old.deadline).total_seconds())},
        )  # fmt: skip
        letter = await letters_repo.existing(tx, letter.id)
    return CopiedLetter(letter, version, old, tuple(planned), tuple(copied), tuple(left_out))


async def planned_recipients(db: Database, letter_id: int) -> list[int]:
    """A copied draft's planned recipients still active (``/circulate`` offers them)."""
    await lifecycle.known_letter(db, letter_id)
    return await letters_repo.planned_organisation_ids(db, letter_id)

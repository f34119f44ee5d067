"""Clock-driven work: auto-close at the deadline, reminders, milestones, the digest,
retention purges, expiry of abandoned guided flows.

The database says what is due (``bot.services``); this module only runs it. One
``run_due`` pass closes letters whose deadline came (and sends coordinators the final
tally with the export), claims due reminders, queues reminder sends whose time came,
queues milestone reminders, tells members whose flood pause ended that they are heard
again, and queues the daily digest, then asks the JobQueue to wake it at
the next due moment. A repeating tick backs that up, and the first pass runs at start-up,
so work missed while the bot was down is caught up at once (each step is idempotent).

The clock is the injectable one: tests and the demo move a ``FakeClock`` and call
``run_due`` (``Scheduler.run_due``) instead of sleeping.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.approval_messages import action_context
from bot.context import BotApplication, BotContext, Services, services_of
from bot.db.connection import Change
from bot.jobs.outbox import delete_expired_messages
from bot.outgoing.common import html_message
from bot.outgoing.coordinators import CoordinatorComposer
from bot.outgoing.letters import LetterComposer, heard_again
from bot.services import (
    access,
    approvals,
    coordinators,
    digest,
    flows,
    letter_export,
    lifecycle,
    milestones,
    purge,
    reminders,
    responses,
    witnesses,
)

log = logging.getLogger(__name__)

NEXT_JOB = "schedule:next"
TICK_JOB = "schedule:tick"
TICK_INTERVAL = 60.0  # seconds: a safety net under the exact wake-ups


@dataclass(frozen=True)
class Pass:
    """What one ``run_due`` did (for tests, the demo and the log)."""

    closed: tuple[int, ...] = ()
    reminded: int = 0  # organisations whose reminder was claimed
    skipped: int = 0
    queued: int = 0  # outbox messages (reminders, milestone notes, digest)
    digest: int | None = None  # None: no digest was due


class Scheduler:
    def __init__(self, app: BotApplication) -> None:
        self.app = app
        self._lock = asyncio.Lock()

    @property
    def services(self) -> Services:
        return services_of(self.app)

    async def run_due(self) -> Pass:
        """Does everything that is due now; passes never overlap."""
        async with self._lock:
            result = await self._run_due()
            self._plan(await self.next_due())
        if result.closed or result.reminded or result.queued:
            log.info("schedule: %s", result)
        return result

    async def _run_due(self) -> Pass:
        services = self.services
        settings, db, now = services.settings, services.database, services.clock.now()
        composer = LetterComposer(settings)
        closed = await lifecycle.close_expired(db, now=now, compose=composer.closed_notice)
        # The audit chain's head once the closings are in it: the close reports and the
        # digest carry it (a witness kept outside the server).
        told = CoordinatorComposer(
            await coordinators.languages(db), settings.zone, now,
            chain_head=await witnesses.chain_head(db),
        )  # fmt: skip
        await self._queue_close_reports(told)
        await flows.expire(db, now=now)  # what was typed into an abandoned flow goes
        # Requests nobody decided in time (issue 16): their requester and the others told.
        expired = await approvals.expire_due(db, action_context(settings, now))
        if settings.retention_days is not None:
            retention = timedelta(days=settings.retention_days)
            announced = await purge.announce_purges(
                db, now=now, retention=retention, compose=told.purge_announcement
            )
            announced_queued = sum(item.queued for item in announced)
            if await purge.purge_expired(db, now=now, retention=retention):
                await delete_expired_messages(self.app)
        else:
            announced_queued = 0
        claimed = await reminders.claim_due_reminders(
            db, now=now, default_zone=settings.zone, quiet_default=settings.quiet_hours,
            compose_chase=told.chase,
        )  # fmt: skip
        queued = claimed.queued
        queued += await reminders.queue_due_sends(db, now=now, compose=composer.reminder)
        queued += await milestones.remind_due_milestones(db, now=now, compose=told.milestone)
        # Members paused by the flood guard are told when they are heard again.
        owed = [
            (notice, html_message(heard_again(notice)))
            for notice in services.flood.heard_again(now)
        ]
        if owed:
            queued += await access.queue_heard_again(db, owed, now=now)
        digest_queued = None
        if settings.digest_time is not None:
            digest_queued = await digest.send_due_digest(
                db, now=now, at=settings.digest_time, zone=settings.zone,
                compose=told.digest,
            )  # fmt: skip
        return Pass(
            tuple(letter.id for letter in closed),
            claimed.organisations,
            claimed.skipped,
            queued + (digest_queued or 0) + announced_queued + len(expired),  # expiries told
            digest_queued,
        )

    async def next_due(self) -> datetime | None:
        services = self.services
        db, settings = services.database, services.settings
        moments = [
            await reminders.next_due(db),
            await lifecycle.next_deadline(db),
            await milestones.next_due(db),
            await flows.next_expiry(db),
            services.flood.next_heard_again(),
            await approvals.next_expiry(db),
        ]
        if settings.retention_days is not None:
            retention = timedelta(days=settings.retention_days)
            moments.append(await lifecycle.next_purge(db, retention=retention))
            moments.append(await purge.next_announcement(db, retention=retention))
        if settings.digest_time is not None:
            moments.append(
                await digest.next_due(
                    db, now=services.clock.now(), at=settings.digest_time, zone=settings.zone
                )
            )
        return min((moment for moment in moments if moment is not None), default=None)

    def wake(self) -> None:
        """Something due changed (a deadline, offsets, a milestone): look again now."""
        self._plan(self.services.clock.now())

    def _plan(self, due: datetime | None) -> None:
        job_queue = self.app.job_queue
        if job_queue is None:
            return
        for job in job_queue.get_jobs_by_name(NEXT_JOB):
            job.schedule_removal()
        if due is None:
            return
        delay = max((due - self.services.clock.now()).total_seconds(), 0.0)
        if delay > TICK_INTERVAL:
            return  # the repeating tick gets there; no far-future job to go stale
        job_queue.run_once(
            _job, when=delay, name=NEXT_JOB,
            job_kwargs={"misfire_grace_time": None, "coalesce": True},
        )  # fmt: skip

    async def _queue_close_reports(self, composer: CoordinatorComposer) -> None:
        """The final tally and the export, to every coordinator, for letters closed at
        their deadline: queued in the outbox with its files, in the transaction that marks
        the report sent (never lost in a crash, never sent twice)."""
        services = self.services
        db, now = services.database, services.clock.now()
        for letter in await lifecycle.close_reports_due(db):
            status = await responses.letter_status(db, letter.id)
            files = await letter_export.export_letter(
                db, letter.id, actor="system", now=now, zone=services.settings.zone
            )
            reports = composer.close_report(letter, status)
            await lifecycle.queue_close_report(db, letter, reports, files, now=now)


async def _job(context: BotContext) -> None:
    scheduler = services_of(context.application).scheduler
    if scheduler is not None:
        await scheduler.run_due()


async def start(app: BotApplication) -> None:
    """The first pass (catch-up) at once, then exact wake-ups and a repeating tick."""
    services = services_of(app)
    if services.scheduler is None:
        services.scheduler = Scheduler(app)
    # What the scheduler waits for changed: a commit that moved a deadline, closed or
    # reopened a letter, planned reminders or milestones; or the flood guard owes a notice.
    services.database.on_commit(Change.SCHEDULE, services.scheduler.wake)
    services.flood.on_owed(services.scheduler.wake)
    job_queue = app.job_queue
    if job_queue is None:
        log.warning("no job queue: reminders, deadlines and digests will not run")
        return
    if not job_queue.get_jobs_by_name(TICK_JOB):
        job_queue.run_repeating(
            _job, interval=TICK_INTERVAL, first=TICK_INTERVAL, name=TICK_JOB,
            job_kwargs={"misfire_grace_time": None, "coalesce": True},
        )  # fmt: skip
    # The catch-up pass: a one-off job at once (it runs once the JobQueue has started).
    services.scheduler.wake()


def wake_scheduler(app: BotApplication) -> None:
    """Makes the scheduler look again now. Changes need no call: a commit that changes
    what is due wakes it (``Database.on_commit``), and so does the flood guard."""
    scheduler = services_of(app).scheduler
    if scheduler is not None:
        scheduler.wake()

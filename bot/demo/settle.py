"""Knowing when the bot has nothing left to do: how the demo and the tests wait.

A scenario does not wait for "the next message" with a timeout, nor sleep and hope: after
each action it waits until the bot is *settled* — every update handled, every message due
now sent, every job due now run — and then reads what the action produced. Whatever is
due later (a delivery backing off, a reminder in quiet hours) stays for later: the fake
clock says when.

Settled is a snapshot of exact conditions, checked with no other task running in between
(but the one database read, checked on both sides of it):

- the fake server holds no update the bot has not confirmed (an update is confirmed by the
  next ``getUpdates``, which PTB sends only once the batch is in its update queue) and is
  handling no request of the bot;
- PTB's update queue has no update that is not completely processed (its count of
  unfinished tasks, which PTB decrements when an update's handling is over), and no
  update or press-answer is still running in the update processor;
- no JobQueue job is running or due now;
- the outbox has no delivery on the wire, none due now at the head of its chat (a chat's
  messages go in order: those behind one backing off wait with it), and no broadcast that
  is drained but not yet finished (its report is still to be queued).

The real-time safety nets of the JobQueue (the scheduler's minute tick and the DRAFT_TTL
sweep) are paused by ``take_over_time``: in the demo and the tests time is the fake clock,
and ``run_due`` does what they would have done, at the moment the scenario says. One-off
wake-ups the bot plans for itself still run.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from apscheduler.events import (
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_JOB_SUBMITTED,
    JobEvent,
)

from bot.clock import Clock
from bot.context import BotApplication, services_of
from bot.db.timefmt import to_db
from bot.fake_telegram import FakeTelegramServer
from bot.jobs.outbox import DELETE_JOB, delete_expired_messages
from bot.jobs.schedule import TICK_JOB, Pass
from bot.throughput import PerChatUpdateProcessor

SETTLE_TIMEOUT = 60.0  # generous: a busy machine slows the bot, not the scenario's logic
LOOK_EVERY = 0.005  # seconds between looks; nothing depends on it but the time taken
PERIODIC_JOBS = (TICK_JOB, DELETE_JOB)
_OUTBOX_BUSY = """
SELECT
  (SELECT count(*) FROM deliveries d
    WHERE d.status = 'sending'
       OR (d.status = 'pending' AND (d.not_before IS NULL OR d.not_before <= ?)
           AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.chat_id = d.chat_id
                           AND e.status IN ('pending', 'sending') AND e.id < d.id))) AS due,
  (SELECT count(*) FROM broadcasts b WHERE b.finished_at IS NULL AND NOT EXISTS
    (SELECT 1 FROM deliveries d
      WHERE d.broadcast_id = b.id AND d.status IN ('pending', 'sending'))) AS drained
"""


class NotSettled(Exception):
    """The bot was still busy when the time was up."""


class Settler:
    """Watches one running bot (``app``) and its fake server; ``settle`` waits for quiet."""

    def __init__(self, app: BotApplication, tg: FakeTelegramServer, clock: Clock) -> None:
        self.app = app
        self.tg = tg
        self.clock = clock
        self._jobs_running: Counter[str] = Counter()  # job id → runs submitted, not over
        if app.job_queue is not None:
            app.job_queue.scheduler.add_listener(
                self._on_job, EVENT_JOB_SUBMITTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR
            )

    def _on_job(self, event: JobEvent) -> None:
        if event.code == EVENT_JOB_SUBMITTED:
            self._jobs_running[event.job_id] += 1
        elif self._jobs_running[event.job_id] > 0:  # (a run submitted before we listened)
            self._jobs_running[event.job_id] -= 1

    def take_over_time(self) -> None:
        """Pauses the real-time periodic jobs (once the bot has started and planned them)."""
        if self.app.job_queue is None:
            return
        for name in PERIODIC_JOBS:
            for job in self.app.job_queue.get_jobs_by_name(name):
                job.enabled = False

    # --- waiting ----------------------------------------------------------------------------

    async def settle(self, timeout: float = SETTLE_TIMEOUT) -> None:
        """Returns once the bot has nothing left to do now (see the module's docstring)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while busy := await self.busy():
            if loop.time() > deadline:
                raise NotSettled(f"the bot is still busy after {timeout:.0f} s: {busy}")
            await asyncio.sleep(LOOK_EVERY)

    async def busy(self) -> str:
        """What the bot is still doing now, or "" when it has settled."""
        if found := self._busy_in_memory():
            return found
        row = await self._outbox_row()
        if found := self._busy_in_memory():  # something started during the read
            return found
        if row["due"]:
            return f"{row['due']} deliveries due or on the wire"
        if row["drained"]:
            return f"{row['drained']} drained broadcasts to finish"
        return ""

    async def _outbox_row(self) -> dict[str, Any]:
        db = services_of(self.app).database
        row = await db.fetch_one(_OUTBOX_BUSY, (to_db(self.clock.now()),))
        assert row is not None
        return row

    def _busy_in_memory(self) -> str:
        app = self.app
        if not self.tg._is_idle(0.0):
            return f"the fake holds {len(self.tg.pending_updates)} update(s) or a request"
        # PTB counts an update as done only once its handling is over (task_done).
        if app.update_queue._unfinished_tasks:  # type: ignore[attr-defined]
            return "updates being processed"
        processor = app.update_processor
        if isinstance(processor, PerChatUpdateProcessor) and processor.in_progress:
            return "updates or press answers in progress"
        if running := [job for job, runs in self._jobs_running.items() if runs]:
            return f"jobs running: {running}"
        if app.job_queue is not None:
            # The JobQueue (APScheduler) runs on the wall clock, not the bot's injectable
            # clock: a job is due when its wall-clock time has come.
            now = datetime.now(UTC)
            for job in app.job_queue.jobs():
                if job.enabled and job.next_t is not None and job.next_t <= now:
                    return f"job {job.name} is due"
        return ""

    # --- time -------------------------------------------------------------------------------

    async def run_due(self) -> Pass:
        """What the bot's own timers do when the clock has moved: the DRAFT_TTL sweep, one
        scheduler pass, a look at the outbox; then waits until it all settled."""
        services = services_of(self.app)
        assert services.scheduler is not None and services.outbox_sender is not None
        await delete_expired_messages(self.app)
        done = await services.scheduler.run_due()
        services.outbox_sender.wake()
        await self.settle()
        return done

"""The outbox sender: the Telegram side of ``bot.services.outbox``.

One dispatcher task finds chats with due deliveries and starts one worker per chat:
a chat's messages go out in order (summary, full text, file), different chats
concurrently, so one slow chat never holds up the others. Pacing (about 30 a second
overall, about one a second per chat) is the bot's rate limiter
(``bot.throughput.ChatPacedRateLimiter``). A worker waits for its chat's turn, then, one
worker at a time, takes its overall send slot from the limiter, marks the delivery
``sending`` (committed) and puts the request on the wire: a delivery is marked only when
its request is about to leave. So ``uncertain`` after a crash means "was on the wire when
the bot died" (never resent blindly: coordinators are shown who and can send it again),
and everything ``pending`` is resumed at the next start.

Outcomes: ``RetryAfter`` → queued again at once (the limiter pauses everyone for the
time asked); ``Forbidden`` → the contact is unreachable, the rest of its broadcast is
cancelled, coordinators are told once; ``BadRequest`` → failed, never retried;
``TimedOut`` → ``uncertain``, never resent (unless the request provably never left);
other network errors → retried with exponential back-off (persisted ``not_before``).

Broadcasts with ``requested_by`` get a progress message that is edited as delivery goes
on and, once drained, a report (queued as a delivery with a fixed dedupe key, in the
transaction that sets ``finished_at``: never twice, not lost in a crash).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time

import httpx
from telegram import Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot import texts
from bot.context import BotApplication, BotContext, Services, services_of
from bot.db.connection import Change
from bot.outgoing.broadcasts import (
    display_name,
    progress_text,
    refused_notice,
    report,
    unreachable_notice,
)
from bot.outgoing.telegram import send_outgoing
from bot.services import coordinators, languages, outbox
from bot.services.outbox import BroadcastProgress, Delivery, OutgoingMessage
from bot.throughput import ChatPacedRateLimiter, RateLimitArgs, retry_after_seconds

log = logging.getLogger(__name__)

MAX_CHATS = 200  # chats drained at the same time
PROGRESS_INTERVAL = 2.0  # seconds between edits of a progress message
# A broadcast drained faster than this gets its report only, no progress message.
PROGRESS_DELAY = 1.5
IDLE_POLL = 5.0  # seconds: the queue is looked at this often even if nobody wakes the sender
MIN_TICK = 0.05  # seconds between two looks at the queue: wake-ups in a burst coalesce
STOP_GRACE = 10.0  # seconds requests in flight get to finish at shutdown
SEND_TIMEOUT = 15.0  # seconds to wait for Telegram's answer; later, the message is uncertain
DELETE_JOB = "outbox:delete-expired"
DELETE_INTERVAL = 60.0  # seconds between DRAFT_TTL sweeps
NOT_SENT_CAUSES = (httpx.PoolTimeout, httpx.ConnectTimeout, httpx.ConnectError)


def _not_sent(error: TelegramError) -> bool:
    """A timeout that provably happened before the request left (safe to send again)."""
    return isinstance(error.__cause__, NOT_SENT_CAUSES)


class OutboxSender:
    """Drains the outbox; a commit that queued deliveries wakes it (``Database.on_commit``)."""

    def __init__(
        self,
        app: BotApplication,
        *,
        max_chats: int = MAX_CHATS,
        progress_interval: float = PROGRESS_INTERVAL,
        idle_poll: float = IDLE_POLL,
    ) -> None:
        self._app = app
        self._max_chats = max_chats
        self._progress_interval = progress_interval
        self._idle_poll = idle_poll
        # One worker at a time takes a send slot and marks its delivery: the slot comes first,
        # so nothing marked ever waits for one, and a slow commit delays the next slot instead
        # of bunching the sends behind it (pacing stays true at the wire).
        self._admitting = asyncio.Lock()
        self.send_timeout = SEND_TIMEOUT
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._workers: dict[int, asyncio.Task[None]] = {}
        self._sending: set[int] = set()  # chats with a delivery marked 'sending' right now
        self._stopping = False
        self._progress_checked = 0.0  # monotonic time progress was last looked at
        self._shown: dict[int, str] = {}  # broadcast id → text of its progress message
        self._first_seen: dict[int, float] = {}  # broadcast id → monotonic time seen unfinished
        self._requester_language: dict[int, str] = {}  # broadcast id → its coordinator's
        self._progress_failed: set[int] = set()  # broadcasts whose progress message failed

    # --- lifecycle ----------------------------------------------------------------------

    @property
    def services(self) -> Services:
        return services_of(self._app)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        interrupted = await outbox.recover_interrupted(self.services.database)
        if interrupted:
            log.warning(
                "%d delivery(ies) were on the wire when the bot stopped; recorded as uncertain, "
                "not resent (coordinators are shown who, and can send them again)",
                interrupted,
            )
        self._stopping = False
        # Every transaction that queues deliveries wakes the sender once it commits.
        self.services.database.on_commit(Change.OUTBOX, self.wake)
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    def wake(self) -> None:
        self._wake.set()

    async def delete_expired(self) -> int:
        """Deletes the messages due to go now (after a purge or a removal), not at the next
        sweep; returns how many are gone."""
        return await delete_expired_messages(self._app)

    async def stop(self) -> None:
        """Stops claiming; requests in flight get ``STOP_GRACE`` seconds to finish."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        for chat_id, worker in list(self._workers.items()):
            if chat_id not in self._sending:
                worker.cancel()  # nothing marked: it may stop at once (e.g. mid-pause)
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_GRACE)
        except TimeoutError:
            log.warning("outbox: requests still in flight at shutdown; they count as uncertain")
            for worker in [*self._workers.values(), task]:
                worker.cancel()
            await asyncio.gather(task, *self._workers.values(), return_exceptions=True)

    # --- the dispatcher -----------------------------------------------------------------

    async def _run(self) -> None:
        try:
            while not self._stopping:
                self._wake.clear()
                try:
                    await self._tick()
                    timeout = await self._idle_time()
                except Exception:
                    log.exception("outbox: the sender failed; trying again shortly")
                    timeout = self._idle_poll
                await asyncio.sleep(MIN_TICK)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout)
        finally:
            # Workers stop claiming once _stopping is set; let their requests finish.
            await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def _tick(self) -> None:
        if not self._workers or time.monotonic() - self._progress_checked >= (
            self._progress_interval
        ):
            self._progress_checked = time.monotonic()
            await self._progress()
        if len(self._workers) >= self._max_chats:
            return
        db = self.services.database
        limit = self._max_chats + len(self._workers)
        for chat_id in await outbox.due_chats(db, now=self.services.clock.now(), limit=limit):
            if len(self._workers) >= self._max_chats or self._stopping:
                break
            if chat_id not in self._workers:
                worker = asyncio.create_task(self._drain_chat(chat_id), name=f"outbox:{chat_id}")
                self._workers[chat_id] = worker
                worker.add_done_callback(functools.partial(self._worker_done, chat_id))

    def _worker_done(self, chat_id: int, _task: object = None) -> None:
        self._workers.pop(chat_id, None)
        self._wake.set()

    async def _idle_time(self) -> float:
        if self._workers:
            return self._progress_interval
        due = await outbox.next_due_at(self.services.database)
        if due is None:
            return self._idle_poll
        wait = (due - self.services.clock.now()).total_seconds()
        return min(max(wait, 0.5), self._idle_poll)  # never a busy loop on a stuck row

    # --- one chat -----------------------------------------------------------------------

    async def _drain_chat(self, chat_id: int) -> None:
        services = self.services
        limiter = self._app.bot.rate_limiter
        try:
            while not self._stopping:
                delivery = await outbox.next_for_chat(
                    services.database, chat_id, now=services.clock.now()
                )
                if delivery is None:
                    return
                paced = isinstance(limiter, ChatPacedRateLimiter)
                if paced:
                    # The chat's turn may be a second away: wait for it outside the lock.
                    await limiter.wait_for_chat(chat_id)
                async with self._admitting:
                    if self._stopping:
                        return
                    if paced:
                        await limiter.admit(chat_id)  # the overall slot: ~1/28 s each
                    if self._stopping:
                        return  # a slot unused; nothing marked
                    # From here the request leaves as soon as the mark is committed.
                    self._sending.add(chat_id)
                    message = await outbox.claim(services.database, delivery)
                if message is None:
                    self._sending.discard(chat_id)
                    continue
                await self._send(delivery, message, admitted=paced)
                self._sending.discard(chat_id)
        except Exception:
            log.exception("outbox: draining chat %s failed", chat_id)
        finally:
            self._sending.discard(chat_id)

    async def _send(self, delivery: Delivery, message: OutgoingMessage, *, admitted: bool) -> None:
        db = self.services.database
        try:
            sent = await self._call(delivery.chat_id, message, admitted=admitted)
        except RetryAfter as error:
            wait = retry_after_seconds(error)
            log.info("outbox: flood control, delivery %s waits %ss", delivery.id, wait)
            await outbox.record_flood_control(db, delivery.id)
        except Forbidden as error:
            await self._unreachable(delivery, error)
        except BadRequest as error:
            await self._refused(delivery, error)
        except TimedOut as error:
            if _not_sent(error):
                await self._not_sent(delivery, error)
            else:
                log.warning("outbox: delivery %s timed out; it may have arrived", delivery.id)
                await outbox.record_uncertain(db, delivery.id, error=_describe(error))
        except (NetworkError, InvalidToken) as error:
            await self._not_sent(delivery, error)
        except TelegramError as error:  # e.g. ChatMigrated: Telegram answered "no"
            await self._refused(delivery, error)
        except Exception as error:
            # We cannot tell whether it went out: never resend blindly.
            log.exception("outbox: delivery %s failed unexpectedly", delivery.id)
            await outbox.record_uncertain(db, delivery.id, error=f"internal error: {error!r}")
        else:
            await outbox.record_sent(
                db, delivery.id, message_id=sent.message_id, now=self.services.clock.now()
            )
            if message.file is not None and sent.document is not None:
                # The others who get this file get it by file_id; the copy leaves the database.
                await outbox.record_uploaded(db, message, sent.document.file_id)

    async def _call(self, chat_id: int, message: OutgoingMessage, *, admitted: bool) -> Message:
        return await send_outgoing(
            self._app.bot,
            chat_id,
            message,
            # RetryAfter comes back here (the delivery is re-queued, not left 'sending').
            rate_limit_args=RateLimitArgs(max_retries=0, admitted=admitted),
            read_timeout=self.send_timeout,
        )

    async def _not_sent(self, delivery: Delivery, error: TelegramError) -> None:
        db, now = self.services.database, self.services.clock.now()
        if await outbox.record_not_sent(db, delivery, error=_describe(error), now=now):
            log.info("outbox: delivery %s will be retried: %s", delivery.id, error)
        else:
            log.warning("outbox: delivery %s given up after network errors: %s", delivery.id, error)

    async def _unreachable(self, delivery: Delivery, error: TelegramError) -> None:
        services = self.services
        notices: dict[int, OutgoingMessage] = {}
        if delivery.contact_id is not None:
            who = await outbox.recipient(services.database, delivery.contact_id)
            if who is not None:
                notices = {
                    chat: unreachable_notice(who, language)
                    for chat, language in (await self._coordinators()).items()
                }
        log.info("outbox: chat %s is unreachable: %s", delivery.chat_id, error)
        await outbox.record_unreachable(
            services.database,
            delivery,
            error=_describe(error),
            now=services.clock.now(),
            notices=notices,
        )

    async def _refused(self, delivery: Delivery, error: TelegramError) -> None:
        services = self.services
        log.warning("outbox: Telegram refused delivery %s: %s", delivery.id, error)
        notices: dict[int, OutgoingMessage] = {}
        broadcast = (
            None
            if delivery.broadcast_id is None
            else await outbox.get_broadcast(services.database, delivery.broadcast_id)
        )
        # Without a progress message (and report) coordinators would never hear of it.
        no_report = broadcast is None or broadcast.requested_by is None
        if delivery.contact_id is not None and no_report:
            who = await outbox.recipient(services.database, delivery.contact_id)
            name = display_name(who) if who is not None else f"chat {delivery.chat_id}"
            notices = {
                chat: refused_notice(name, _describe(error), language)
                for chat, language in (await self._coordinators()).items()
            }
        await outbox.record_refused(
            services.database,
            delivery,
            error=_describe(error),
            now=services.clock.now(),
            notices=notices,
        )

    async def _coordinators(self) -> dict[int, str]:
        """Every coordinator's chat and language, in a fixed order."""
        return await coordinators.languages(self.services.database)

    async def _language(self, broadcast: outbox.Broadcast) -> str:
        """The language of the coordinator who asked for the broadcast (read once per broadcast)."""
        language = self._requester_language.get(broadcast.id)
        if language is None and broadcast.requested_by is not None:
            found = await languages.languages_of(self.services.database, [broadcast.requested_by])
            language = self._requester_language[broadcast.id] = found[broadcast.requested_by]
        return language or texts.DEFAULT_LANGUAGE

    # --- progress and reports -----------------------------------------------------------

    async def _progress(self) -> None:
        db = self.services.database
        for broadcast in await outbox.unfinished_broadcasts(db):
            if broadcast.requested_by is None:  # nobody to report to: just close it when drained
                await outbox.finish_broadcast(
                    db, broadcast, now=self.services.clock.now(), report=None
                )
                continue
            progress = await outbox.broadcast_progress(db, broadcast.id)
            if progress.finished:
                await self._finish(broadcast, progress)
            else:
                seen = self._first_seen.setdefault(broadcast.id, time.monotonic())
                if broadcast.progress_message_id is None and time.monotonic() - seen < (
                    PROGRESS_DELAY
                ):
                    continue
                await self._show(broadcast, progress, done=False)

    async def _finish(self, broadcast: outbox.Broadcast, progress: BroadcastProgress) -> None:
        composed = None
        if broadcast.requested_by is not None:
            language = await self._language(broadcast)
            composed = report(progress, broadcast.progress_message_id, language)
        now = self.services.clock.now()
        if not await outbox.finish_broadcast(
            self.services.database, broadcast, now=now, report=composed
        ):
            return
        log.info(
            "outbox: broadcast %s finished: %d of %d delivered",
            broadcast.id,
            progress.sent,
            progress.total,
        )
        if broadcast.requested_by is not None and broadcast.progress_message_id is not None:
            await self._show(broadcast, progress, done=True)
        self._shown.pop(broadcast.id, None)
        self._first_seen.pop(broadcast.id, None)
        self._requester_language.pop(broadcast.id, None)
        self._progress_failed.discard(broadcast.id)

    async def _show(
        self, broadcast: outbox.Broadcast, progress: BroadcastProgress, *, done: bool
    ) -> None:
        chat_id = broadcast.requested_by
        if chat_id is None or broadcast.id in self._progress_failed:
            return
        text = progress_text(progress, done=done, language=await self._language(broadcast))
        if self._shown.get(broadcast.id) == text:
            return
        bot = self._app.bot
        try:
            if broadcast.progress_message_id is None:
                message = await bot.send_message(
                    chat_id, text, parse_mode=ParseMode.HTML, disable_web_page_preview=True
                )
                await outbox.set_progress_message(
                    self.services.database, broadcast.id, message.message_id
                )
            else:
                await bot.edit_message_text(
                    text,
                    chat_id=chat_id,
                    message_id=broadcast.progress_message_id,
                    parse_mode=ParseMode.HTML,
                    disable_web_page_preview=True,
                )
        except BadRequest as error:
            if "not modified" not in str(error):
                log.warning("outbox: progress of broadcast %s: %s", broadcast.id, error)
                self._progress_failed.add(broadcast.id)
        except Forbidden as error:
            log.warning("outbox: progress of broadcast %s: %s", broadcast.id, error)
            self._progress_failed.add(broadcast.id)
        except TelegramError as error:  # network trouble: try again at the next edit
            log.info("outbox: progress of broadcast %s: %s", broadcast.id, error)
            return
        self._shown[broadcast.id] = text


def _describe(error: TelegramError) -> str:
    return error.message


# --- DRAFT_TTL ------------------------------------------------------------------------------


async def delete_expired_messages(app: BotApplication) -> int:
    """Deletes sent messages whose ``delete_after`` has come; returns how many are gone.

    "Message to delete not found" counts as deleted; a refusal ("can't be deleted for
    everyone": past Telegram's 48 hours) is recorded and never tried again; network
    trouble leaves the rest for the next run.
    """
    services = services_of(app)
    db = services.database
    now = services.clock.now()
    deleted = 0
    while batch := await outbox.due_deletions(db, now=now):
        for delivery in batch:
            assert delivery.telegram_message_id is not None
            try:
                await app.bot.delete_message(delivery.chat_id, delivery.telegram_message_id)
            except BadRequest as error:
                if "not found" in str(error).lower():
                    await outbox.record_deleted(db, delivery.id, now=now)
                    deleted += 1
                else:
                    log.warning("outbox: could not delete message %s: %s", delivery.id, error)
                    await outbox.record_delete_refused(db, delivery.id, error=_describe(error))
            except Forbidden as error:
                await outbox.record_delete_refused(db, delivery.id, error=_describe(error))
            except TelegramError as error:
                log.info("outbox: deleting expired messages paused: %s", error)
                return deleted
            else:
                await outbox.record_deleted(db, delivery.id, now=now)
                deleted += 1
    if deleted:
        log.info("outbox: deleted %d expired message(s)", deleted)
    return deleted


async def _delete_job(context: BotContext) -> None:
    await delete_expired_messages(context.application)


# --- wiring ---------------------------------------------------------------------------------


async def start(app: BotApplication) -> None:
    """Starts the sender and the DRAFT_TTL sweep (from ``jobs.schedule``, in post_init)."""
    services = services_of(app)
    if services.outbox_sender is None:
        services.outbox_sender = OutboxSender(app)
    if not services.outbox_sender.running:
        await services.outbox_sender.start()
    job_queue = app.job_queue
    if job_queue is None:
        log.warning("no job queue: expired drafts will not be deleted (needs the job-queue extra)")
        return
    if not job_queue.get_jobs_by_name(DELETE_JOB):
        job_queue.run_repeating(
            _delete_job,
            interval=DELETE_INTERVAL,
            first=1.0,  # soon after a restart: deletions may be overdue
            name=DELETE_JOB,
            job_kwargs={"misfire_grace_time": None, "coalesce": True},
        )


async def stop(app: BotApplication) -> None:
    """Stops the sender (from post_stop / post_shutdown); harmless when not started."""
    sender = services_of(app).outbox_sender
    if sender is not None:
        await sender.stop()


def wake_outbox(app: BotApplication) -> None:
    """Makes the sender look at the queue now. Queueing needs no call: the transaction
    that queues wakes the sender when it commits (``Database.on_commit``)."""
    sender = services_of(app).outbox_sender
    if sender is not None:
        sender.wake()

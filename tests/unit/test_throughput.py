"""The rate limiter's pacing, measured on a fake callback (fast rates keep the tests short)."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from telegram import Chat, Message, Update
from telegram.error import RetryAfter

from bot.throughput import (
    SLOT_TOLERANCE,
    ChatPacedRateLimiter,
    PerChatUpdateProcessor,
    RateLimitArgs,
)

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


class Recorder:
    """A stand-in for PTB's request: records when each request went on the wire."""

    def __init__(self, fail_first: int = 0, retry_after: float = 0.2) -> None:
        self.times: list[tuple[float, Any]] = []
        self.fail_first = fail_first
        self.retry_after = retry_after

    async def __call__(self, chat_id: Any) -> dict[str, Any]:
        self.times.append((time.monotonic(), chat_id))
        if self.fail_first:
            self.fail_first -= 1
            raise RetryAfter(timedelta(seconds=self.retry_after))
        return {"ok": True}


async def send(
    limiter: ChatPacedRateLimiter,
    recorder: Recorder,
    chat_id: Any,
    endpoint: str = "sendMessage",
    args: RateLimitArgs | None = None,
) -> Any:
    return await limiter.process_request(
        recorder, (chat_id,), {}, endpoint, {"chat_id": chat_id}, args
    )


async def test_overall_sends_keep_an_even_cadence_without_bursts() -> None:
    limiter = ChatPacedRateLimiter(overall_rate=100)
    recorder = Recorder()
    await asyncio.gather(*(send(limiter, recorder, 1000 + n) for n in range(40)))
    times = sorted(t for t, _ in recorder.times)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.01 - SLOT_TOLERANCE - 0.001  # never a burst …
    assert (times[-1] - times[0]) / 39 == pytest.approx(0.01, rel=0.15)  # … nor a slower pace


async def test_a_private_chat_gets_its_burst_then_its_rate() -> None:
    limiter = ChatPacedRateLimiter(overall_rate=1000, chat_burst=3, chat_period=0.3)
    recorder = Recorder()
    started = time.monotonic()
    for _ in range(6):
        await send(limiter, recorder, 42)
    offsets = [t - started for t, _ in recorder.times]
    assert offsets[2] < 0.05  # three at once
    assert offsets[3] >= 0.09 and offsets[5] >= 0.29  # then one per 0.1 s
    # Other chats are not held up by this one.
    other = Recorder()
    before = time.monotonic()
    await send(limiter, other, 43)
    assert other.times[0][0] - before < 0.05


async def test_wait_for_chat_takes_nothing_and_admit_takes_the_slot() -> None:
    limiter = ChatPacedRateLimiter(overall_rate=1000, chat_burst=1, chat_period=0.2)
    recorder = Recorder()
    await limiter.wait_for_chat(7)
    await limiter.wait_for_chat(7)  # waiting does not use the chat's token
    await limiter.admit(7)
    await send(limiter, recorder, 7, args=RateLimitArgs(admitted=True))  # no second wait
    started = time.monotonic()
    await limiter.wait_for_chat(7)
    assert time.monotonic() - started >= 0.15  # the admitted request took the token


async def test_retry_after_pauses_everyone_then_retries() -> None:
    limiter = ChatPacedRateLimiter(overall_rate=1000)
    flooded, other = Recorder(fail_first=1), Recorder()
    first = asyncio.create_task(send(limiter, flooded, 1))
    await asyncio.sleep(0.02)
    await send(limiter, other, 2)
    assert await first == {"ok": True}
    (refused_at, _), (retried_at, _) = flooded.times
    assert retried_at - refused_at >= 0.3  # retry_after 0.2 s + the 0.1 s margin
    assert other.times[0][0] - refused_at >= 0.3  # nobody sent meanwhile


async def test_without_retries_the_caller_gets_retry_after() -> None:
    limiter = ChatPacedRateLimiter(overall_rate=1000)
    recorder = Recorder(fail_first=1)
    with pytest.raises(RetryAfter):
        await send(limiter, recorder, 1, args=RateLimitArgs(max_retries=0))
    assert len(recorder.times) == 1
    started = time.monotonic()
    await limiter.wait_for_chat(2)  # … but the pause still holds for everyone
    assert time.monotonic() - started >= 0.25


async def test_edits_skip_the_overall_cadence_but_keep_the_chat_limit() -> None:
    limiter = ChatPacedRateLimiter(overall_rate=10, chat_burst=2, chat_period=0.4)
    recorder = Recorder()
    started = time.monotonic()
    # 40 edits in 40 chats: no overall slot (at 10/s that alone would take 4 s).
    await asyncio.gather(
        *(send(limiter, recorder, 2000 + n, endpoint="editMessageText") for n in range(40))
    )
    assert time.monotonic() - started < 0.5
    # Three edits in one chat: its burst of 2, then a wait for the refill.
    started = time.monotonic()
    for _ in range(3):
        await send(limiter, recorder, 77, endpoint="editMessageText")
    assert time.monotonic() - started >= 0.15


async def test_a_pause_that_starts_while_a_request_waits_for_its_slot_holds_it_too() -> None:
    limiter = ChatPacedRateLimiter(overall_rate=5)  # slots 0.2 s apart
    sent, flooded = Recorder(), Recorder(fail_first=1, retry_after=0.3)
    started = time.monotonic()
    await send(limiter, sent, 1)  # takes the first slot; the next is 0.2 s away
    waiting = asyncio.create_task(send(limiter, sent, 2))
    await asyncio.sleep(0.05)
    # Telegram's flood control answers an edit meanwhile: everyone waits 0.3 s + margin.
    with pytest.raises(RetryAfter):
        await send(limiter, flooded, 3, "editMessageText", RateLimitArgs(max_retries=0))
    await waiting
    assert sent.times[1][0] - started >= 0.05 + 0.3 + 0.1 - 0.01  # not at its slot (0.2 s)


def _update(chat_id: int, update_id: int = 1) -> Update:
    chat = Chat(chat_id, Chat.PRIVATE)
    return Update(update_id, message=Message(1, datetime.now(UTC), chat, text="x"))


async def test_a_busy_chat_queues_behind_itself_and_holds_no_ones_slot() -> None:
    """Issue 14 §2: a coordinator's 35-part paste waits its turn in its own chat; with
    two overall slots, another chat still gets through at once."""
    processor = PerChatUpdateProcessor(2)
    release = asyncio.Event()
    order: list[str] = []

    async def busy(n: int) -> None:
        await release.wait()
        order.append(f"busy {n}")

    async def other() -> None:
        order.append("other")

    tasks = [asyncio.create_task(processor.process_update(_update(7), busy(n))) for n in range(5)]
    await asyncio.sleep(0.01)
    await asyncio.wait_for(processor.process_update(_update(8), other()), 1.0)
    assert order == ["other"]
    release.set()
    await asyncio.gather(*tasks)
    assert order == ["other", *(f"busy {n}" for n in range(5))]  # in order, none lost


async def test_a_chats_queue_is_capped_and_what_was_dropped_is_counted() -> None:
    processor = PerChatUpdateProcessor(4, max_waiting_per_chat=3)
    release = asyncio.Event()
    ran: list[int] = []

    async def work(n: int) -> None:
        await release.wait()
        ran.append(n)

    tasks = [asyncio.create_task(processor.process_update(_update(7), work(n))) for n in range(5)]
    await asyncio.sleep(0.01)
    assert processor.take_dropped(7) == 2 and processor.take_dropped(7) == 0
    release.set()
    await asyncio.gather(*tasks)
    assert ran == [0, 1, 2]


async def test_an_arrival_hook_never_reorders_a_chat() -> None:
    """Answering a press as it arrives (a network call) must not let the message after it
    go first: "/newletter, then the title" and "Comment, then the comment" keep their order."""
    order: list[int] = []
    answered: list[int] = []

    async def slow_answer(update: object) -> None:
        assert isinstance(update, Update)
        if update.update_id == 0:  # a press: answering it takes a request
            await asyncio.sleep(0.05)
        answered.append(update.update_id)

    async def handle(n: int) -> None:
        order.append(n)

    processor = PerChatUpdateProcessor(4, on_arrival=slow_answer)
    updates = [_update(7, update_id=n) for n in range(4)]
    await asyncio.gather(*(processor.process_update(u, handle(n)) for n, u in enumerate(updates)))
    assert order == [0, 1, 2, 3]
    await asyncio.sleep(0.1)
    assert sorted(answered) == [0, 1, 2, 3]

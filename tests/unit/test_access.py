"""The gate's in-memory guards: flood control and the once-an-hour neutral sentence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.services.access import FloodGuard, FloodVerdict, HeardAgain, NeutralReplies

T0 = datetime(2026, 2, 1, 12, 0, tzinfo=UTC)


def test_flood_guard_notifies_once_then_ignores_until_the_pause_ends() -> None:
    guard = FloodGuard(max_per_minute=5, pause=timedelta(minutes=10))
    verdicts = [guard.check(1, T0 + timedelta(seconds=i)) for i in range(5)]
    assert verdicts == [FloodVerdict.ALLOW] * 5
    assert guard.check(1, T0 + timedelta(seconds=6)) is FloodVerdict.NOTIFY
    assert guard.check(1, T0 + timedelta(seconds=7)) is FloodVerdict.IGNORE
    assert guard.check(1, T0 + timedelta(minutes=9)) is FloodVerdict.IGNORE
    assert guard.check(2, T0 + timedelta(seconds=8)) is FloodVerdict.ALLOW  # others unaffected
    assert guard.check(1, T0 + timedelta(minutes=11)) is FloodVerdict.ALLOW


def test_flood_window_slides() -> None:
    guard = FloodGuard(max_per_minute=3, pause=timedelta(minutes=10))
    for minute in range(10):  # 3 a minute, forever, is fine
        for second in (0, 20, 40):
            moment = T0 + timedelta(minutes=minute, seconds=second)
            assert guard.check(1, moment) is FloodVerdict.ALLOW


def test_wrong_invites_weigh_more() -> None:
    guard = FloodGuard(max_per_minute=30, pause=timedelta(minutes=10))
    verdicts = []
    for i in range(10):  # each wrong invite: the update itself plus a penalty of 5
        moment = T0 + timedelta(seconds=i)
        verdicts += [guard.check(7, moment), guard.penalise(7, moment, 5)]
    # 30 a minute allows 30 plain messages, but only 5 wrong invites.
    assert verdicts.index(FloodVerdict.NOTIFY) // 2 == 5
    assert verdicts[-1] is FloodVerdict.IGNORE


def test_flood_guard_memory_is_bounded() -> None:
    guard = FloodGuard(max_per_minute=3, pause=timedelta(minutes=1), max_accounts=100)
    for account in range(1000):
        guard.check(account, T0)
    assert len(guard._events) <= 100


def test_neutral_sentence_once_an_hour() -> None:
    replies = NeutralReplies()
    assert replies.should_reply(1, T0)
    assert not replies.should_reply(1, T0 + timedelta(minutes=59))
    assert replies.should_reply(2, T0)
    assert replies.should_reply(1, T0 + timedelta(minutes=60))


def test_a_paused_member_is_owed_word_when_the_pause_ends() -> None:
    guard = FloodGuard(max_per_minute=2, pause=timedelta(minutes=10))
    for second in range(2):
        guard.check(1, T0 + timedelta(seconds=second))
    assert guard.check(1, T0 + timedelta(seconds=2)) is FloodVerdict.NOTIFY
    until = T0 + timedelta(minutes=10, seconds=2)
    notice = HeardAgain(1, 11, "be", "Europe/Minsk", T0, until)
    guard.owe(notice)
    assert guard.next_heard_again() == until
    assert guard.heard_again(until - timedelta(seconds=1)) == []
    assert guard.heard_again(until, account=2) == []
    assert guard.heard_again(until) == [notice]
    assert guard.heard_again(until) == [] and guard.next_heard_again() is None  # once


def test_forgiving_lifts_the_pause_at_once() -> None:
    """Input to a flow the member started is never dropped (the gate forgives it)."""
    guard = FloodGuard(max_per_minute=1, pause=timedelta(minutes=10))
    guard.check(1, T0)
    assert guard.check(1, T0) is FloodVerdict.NOTIFY
    guard.owe(HeardAgain(1, 11, "en", "UTC", T0, T0 + timedelta(minutes=10)))
    forgiven = guard.forgive(1, T0 + timedelta(seconds=5))
    assert forgiven is not None and forgiven.until == T0 + timedelta(seconds=5)
    assert guard.check(1, T0 + timedelta(seconds=6)) is FloodVerdict.ALLOW
    assert guard.heard_again(T0 + timedelta(hours=1)) == []

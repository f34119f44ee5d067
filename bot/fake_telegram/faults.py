"""Injected faults: the fake answering like Telegram on a bad day (for fault tests only).

The fake stays strict and healthy unless a test adds a fault::

    tg.faults.add("sendMessage", status=502, times=10)        # the front end's 502 page
    tg.faults.add("sendMessage", retry_after=3, times=None)   # a storm of 429
    tg.faults.add("sendMessage", hang=60, chat_id=4001)       # held; the bot's timeout fires

A hung request ends early when the client gives up (closes the connection), so a 60-second
hang costs a test only the bot's own timeout. After a hang the request is still carried
out (``deliver=True``: the message arrives, only the answer is lost) unless ``deliver``
is False. Injected answers are not counted as ``rejections`` (those are the bot's mistakes)
but every one is listed in ``hits``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Fault", "Faults"]

BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@dataclass(eq=False)
class Fault:
    method: str  # canonical Bot API method name, or "*" for any but getUpdates
    status: int | None = None  # an HTTP error page with this status (e.g. 502)
    retry_after: int | None = None  # a 429 asking to wait this many seconds
    hang: float = 0.0  # seconds the request is held before anything else
    deliver: bool = True  # after a hang the client gave up on: still carry the request out
    times: int | None = 1  # how many requests it hits; None: until removed
    chat_id: int | None = None  # only requests naming this chat
    when: Callable[[dict[str, Any]], bool] | None = None  # extra test on the raw parameters
    hits: int = 0

    def matches(self, method: str, params: dict[str, Any]) -> bool:
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method != method and not (self.method == "*" and method != "getUpdates"):
            return False
        if self.chat_id is not None and str(params.get("chat_id")) != str(self.chat_id):
            return False
        return self.when is None or self.when(params)


class Faults:
    """The faults planned for one server; the first matching one is used."""

    def __init__(self) -> None:
        self._planned: list[Fault] = []
        self.hits: list[tuple[str, Fault]] = []

    def add(self, method: str, **options: Any) -> Fault:
        fault = Fault(method, **options)
        if fault.status is None and fault.retry_after is None and not fault.hang:
            raise ValueError("a fault needs a status, a retry_after or a hang")
        self._planned.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        if fault in self._planned:
            self._planned.remove(fault)

    def clear(self) -> None:
        self._planned.clear()

    def take(self, method: str, params: dict[str, Any]) -> Fault | None:
        for fault in self._planned:
            if fault.matches(method, params):
                fault.hits += 1
                self.hits.append((method, fault))
                return fault
        return None

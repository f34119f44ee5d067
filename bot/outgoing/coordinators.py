"""What the scheduler tells coordinators, each in their language: milestones coming up,
organisations to chase outside Telegram, the daily digest, and the report of a letter
closed at its deadline (its files go with it, through the outbox)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot import texts
from bot.db.coordinators import Coordinator
from bot.db.letters import Letter
from bot.db.milestones import Milestone
from bot.outgoing.common import html_message, moment_text
from bot.outgoing.letters import chase_lines, label
from bot.services.digest import LetterActivity
from bot.services.outbox import OutgoingMessage
from bot.services.reminders import ChaseItem
from bot.services.responses import LetterStanding

Addressed = Sequence[tuple[int, OutgoingMessage]]  # (coordinator's chat, message)


class CoordinatorComposer:
    """Messages to every coordinator (chat → language, read once per scheduler pass)."""

    def __init__(
        self,
        coordinators: Mapping[int, str],
        zone: ZoneInfo,
        now: datetime,
        *,
        chain_head: str | None = None,
    ) -> None:
        self._coordinators = dict(coordinators)
        self.zone = zone
        self.now = now
        # The audit chain's head at the start of the pass: the digest and close reports
        # carry it (a witness coordinators keep outside the server; /verify checks it).
        self.chain_head = chain_head

    def _witnessed(self, text: str, language: str) -> str:
        if self.chain_head is None:
            return text
        return text + "\n\n" + texts.render(texts.CHAIN_HEAD_LINE, language, code=self.chain_head)

    def chats(self) -> list[tuple[int, str]]:
        """Every coordinator's chat with the language they read, in a fixed order."""
        return sorted(self._coordinators.items())

    def _when(self, moment: datetime, language: str) -> tuple[str, str]:
        return moment_text(moment, self.zone, language, self.now)

    def milestone(self, milestone: Milestone, letter: Letter) -> Addressed:
        messages = []
        for chat, language in self.chats():
            when, relative = self._when(milestone.at, language)
            text = texts.render(
                texts.MILESTONE_REMINDER, language, name=milestone.name, when=when,
                relative=relative, letter_id=letter.id, title=letter.title or "",
            )  # fmt: skip
            messages.append((chat, html_message(text)))
        return messages

    def chase(self, letter: Letter, organisations: Sequence[ChaseItem]) -> Addressed:
        """Reminders went out, but these organisations can't get one in Telegram."""
        messages = []
        for chat, language in self.chats():
            listed = chase_lines(organisations, language, letter.id)
            when, relative = self._when(letter.deadline, language)
            text = texts.render(
                texts.REMINDER_CHASE, language, count=len(organisations), letter_id=letter.id,
                title=letter.title or "", deadline=when, relative=relative,
                organisations=texts.Html(listed),
            )  # fmt: skip
            messages.append((chat, html_message(text)))
        return messages

    def digest(self, news: Sequence[LetterActivity], since: datetime) -> Addressed:
        return [
            (chat, html_message(self._digest_text(news, since, language)))
            for chat, language in self.chats()
        ]

    def _digest_text(self, news: Sequence[LetterActivity], since: datetime, language: str) -> str:
        parts = [texts.render(texts.DIGEST_HEADER, language, since=self._when(since, language)[0])]
        for item in news:
            counted = [
                texts.render(text, language, count=item.count(what))
                for what, text in (
                    ("signed", texts.DIGEST_SIGNED),
                    ("declined", texts.DIGEST_DECLINED),
                    ("withdrawn", texts.DIGEST_WITHDRAWN),
                    ("comments", texts.DIGEST_COMMENTS),
                )
                if item.count(what)
            ]
            line = texts.render(
                texts.DIGEST_LINE, language, letter_id=item.letter.id,
                title=item.letter.title or "",
                relative=self._when(item.letter.deadline, language)[1],
                news=texts.Html(", ".join(counted)),
            )  # fmt: skip
            parts.append(line)
        parts.append(texts.render(texts.DIGEST_FOOTER, language))
        return self._witnessed("\n\n".join(parts), language)

    def purge_announcement(
        self, letter: Letter, purge_at: datetime, coordinator: Coordinator
    ) -> OutgoingMessage | None:
        """RETENTION_DAYS will purge the letter's texts in a day (issue 16)."""
        language = coordinator.language
        text = texts.render(
            texts.RETENTION_NOTICE, language, letter_id=letter.id, title=letter.title or "",
            when=self._when(purge_at, language)[0],
        )  # fmt: skip
        return html_message(text)

    def close_report(self, letter: Letter, status: LetterStanding) -> Addressed:
        """The final tally of a letter closed at its deadline (its files follow it)."""
        counts = status.tally
        tally = dict(
            letter_id=letter.id, title=letter.title or "", version=label(status.latest),
            signed=counts.signed, reconfirm=counts.reconfirm, declined=counts.declined,
            pending=counts.pending + counts.no_contact,  # no answer either way
        )  # fmt: skip
        messages = []
        for chat, language in self.chats():
            deadline = self._when(letter.deadline, language)[0]
            text = texts.render(texts.AUTO_CLOSED_REPORT, language, deadline=deadline, **tally)
            messages.append((chat, html_message(self._witnessed(text, language))))
        return messages

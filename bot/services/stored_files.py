"""Files the outbox sends (a close report's export), kept in the delivery until Telegram
has them.

A queued document holds a ``StoredFile`` in its payload: the file name the recipient sees
and the content. So the file is in the database like the rest of the message: encrypted
with it (SQLCipher), committed with the delivery (a crash loses nothing), and cleared by a
purge of the letter with the rest of its messages. Once the first copy is sent, Telegram's
``file_id`` replaces the content in every delivery that held the same file
(``outbox.record_uploaded``). No Telegram here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StoredFile:
    """A document not on Telegram yet: ``name`` as the recipient sees it, and its bytes."""

    name: str
    content: bytes

    @property
    def digest(self) -> str:
        """What finds the deliveries holding the same file (SHA-256 of name and content)."""
        return hashlib.sha256(self.name.encode() + b"\0" + self.content).hexdigest()

    def to_json(self) -> dict[str, str]:
        return {
            "name": self.name,
            "sha256": self.digest,
            "content": base64.b64encode(self.content).decode("ascii"),
        }

    @classmethod
    def from_json(cls, data: Any) -> StoredFile:
        """Raises ValueError when ``data`` is not a stored file, or not intact."""
        try:
            stored = cls(str(data["name"]), base64.b64decode(data["content"], validate=True))
        except (KeyError, TypeError, binascii.Error) as error:
            raise ValueError(f"not a stored file: {error}") from None
        if stored.digest != data.get("sha256"):
            raise ValueError("a stored file does not match its digest")
        return stored

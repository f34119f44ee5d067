"""File storage and image sniffing for the fake server."""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

__all__ = ["StoredFile", "photo_sizes", "sniff_image"]


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    content: bytes
    file_path: str
    file_name: str | None
    mime_type: str | None

    @property
    def size(self) -> int:
        return len(self.content)


def unique_id_for(content: bytes) -> str:
    """Telegram's file_unique_id is stable for the same file; derive it from the content."""
    return "AgAD" + hashlib.sha256(content).hexdigest()[:12]


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        (seg_len,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + seg_len
    return None


def sniff_image(data: bytes) -> tuple[str, int, int] | None:
    """Return (format, width, height) if ``data`` is a PNG/JPEG/GIF/WEBP image, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        if len(data) < 24 or data[12:16] != b"IHDR":
            return None
        width, height = struct.unpack(">II", data[16:24])
        return "png", width, height
    if data.startswith(b"\xff\xd8\xff"):
        size = _jpeg_size(data)
        return ("jpeg", *size) if size else None
    if data[:6] in (b"GIF87a", b"GIF89a"):
        if len(data) < 10:
            return None
        width, height = struct.unpack("<HH", data[6:10])
        return "gif", width, height
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        if data[12:16] == b"VP8X" and len(data) >= 30:
            width = int.from_bytes(data[24:27], "little") + 1
            height = int.from_bytes(data[27:30], "little") + 1
            return "webp", width, height
        return "webp", 512, 512  # other WEBP flavours: a fixed size is good enough
    return None


# The longest side of each size Telegram keeps of a photo a user sends (types s, m, x, y):
# a client sends the picture at most 1280 px on its longest side, as JPEG.
PHOTO_SIDES = (90, 320, 800, 1280)


def photo_sizes(data: bytes) -> list[tuple[bytes, int, int]]:
    """The (JPEG bytes, width, height) of each size of a photo, smallest first, like the
    PhotoSize array of a Message; raises ValueError when ``data`` is not a readable image."""
    from io import BytesIO

    from PIL import Image  # comes with matplotlib; only the user side of the fake needs it

    try:
        with Image.open(BytesIO(data)) as opened:
            image = opened.convert("RGB")
    except (OSError, ValueError) as error:
        raise ValueError(f"not an image: {error}") from None
    longest = max(image.size)
    sides = [side for side in PHOTO_SIDES[:-1] if side < longest] + [min(longest, PHOTO_SIDES[-1])]
    sizes: list[tuple[bytes, int, int]] = []
    for side in sides:
        scale = side / longest
        width = max(1, round(image.width * scale))
        height = max(1, round(image.height * scale))
        out = BytesIO()
        image.resize((width, height)).save(out, format="JPEG", quality=85)
        sizes.append((out.getvalue(), width, height))
    return sizes

"""Entity parsing like Telegram: HTML strictly, Markdown(V2) enough to catch obvious bugs.

The parsers turn the text the bot sends into the plain text the user sees plus a list of
MessageEntity dicts whose offsets and lengths are in UTF-16 code units, like the Bot API.
A malformed text raises :class:`EntityParseError`; the server answers it with
``400 Bad Request: can't parse entities: <detail>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EntityParseError",
    "ParsedText",
    "detect_user_entities",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "parse_text",
    "utf16_len",
]


class EntityParseError(ValueError):
    """The text cannot be parsed; ``str(err)`` is the detail Telegram would report."""


@dataclass
class ParsedText:
    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's offsets and length limits."""
    return len(text.encode("utf-16-le")) // 2


# Tag -> entity type. <code> inside <pre> only carries the language of the block.
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_SUPPORTED_TAGS = {*_SIMPLE_TAGS, "span", "a", "blockquote", "tg-emoji"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|([A-Za-z][A-Za-z0-9]{0,31}));")
_NAME_CHARS = re.compile(r"[A-Za-z0-9-]*")
_ATTR_NAME = re.compile(r"[A-Za-z0-9_-]*")


@dataclass
class _Open:
    tag: str
    start: int  # UTF-16 offset in the output
    byte_offset: int
    attrs: dict[str, str]
    language: str | None = None


class _Builder:
    """Accumulates output text while tracking its UTF-16 length."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pos = 0

    def add(self, chunk: str) -> None:
        if chunk:
            self.parts.append(chunk)
            self.pos += utf16_len(chunk)

    def text(self) -> str:
        return "".join(self.parts)


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


def _decode_entity(src: str, i: int) -> tuple[str, int]:
    """Decode the character reference at ``src[i] == '&'``; return (char, next index)."""
    m = _ENTITY_RE.match(src, i)
    if m is None:
        raise EntityParseError(
            f'Character "&" at byte offset {_byte_offset(src, i)} must be escaped as "&amp;"'
        )
    dec, hexa, name = m.groups()
    if name is not None:
        if name not in _NAMED_ENTITIES:
            raise EntityParseError(
                f'Unsupported HTML entity "&{name};" at byte offset {_byte_offset(src, i)}'
            )
        return _NAMED_ENTITIES[name], m.end()
    code = int(dec) if dec is not None else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise EntityParseError(f"Invalid numeric HTML entity at byte offset {_byte_offset(src, i)}")
    return chr(code), m.end()


def _parse_attrs(src: str, j: int, tag: str, tag_offset: int) -> tuple[dict[str, str], int]:
    """Parse attributes from ``src[j:]`` up to and including '>'; return (attrs, next index)."""
    attrs: dict[str, str] = {}
    n = len(src)
    while True:
        while j < n and src[j].isspace():
            j += 1
        if j >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {tag_offset}")
        if src[j] == ">":
            return attrs, j + 1
        name_match = _ATTR_NAME.match(src, j)
        assert name_match is not None  # the pattern matches the empty string
        name = name_match.group().lower()
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {_byte_offset(src, j)}'
            )
        j = name_match.end()
        while j < n and src[j].isspace():
            j += 1
        value = ""
        if j < n and src[j] == "=":
            j += 1
            while j < n and src[j].isspace():
                j += 1
            if j >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {tag_offset}")
            if src[j] in "\"'":
                quote = src[j]
                end = src.find(quote, j + 1)
                if end < 0:
                    raise EntityParseError(f"Unclosed start tag at byte offset {tag_offset}")
                raw, j = src[j + 1 : end], end + 1
            else:
                start = j
                while j < n and not src[j].isspace() and src[j] != ">":
                    j += 1
                raw = src[start:j]
            value = _unescape_attr(raw)
        attrs[name] = value


def _unescape_attr(raw: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        if raw[i] == "&":
            ch, i = _decode_entity(raw, i)
            out.append(ch)
        else:
            out.append(raw[i])
            i += 1
    return "".join(out)


def _entity_for(opened: _Open, end: int, parent: _Open | None) -> dict[str, Any] | None:
    length = end - opened.start
    tag = opened.tag
    if tag == "code" and parent is not None and parent.tag == "pre":
        # <pre><code class="language-x"> is one pre entity with a language.
        cls = opened.attrs.get("class", "")
        if cls.startswith("language-") and len(cls) > len("language-"):
            parent.language = cls[len("language-") :]
        return None
    if length <= 0:
        return None
    entity: dict[str, Any] = {"offset": opened.start, "length": length}
    if tag in _SIMPLE_TAGS:
        entity["type"] = _SIMPLE_TAGS[tag]
        if tag == "pre" and opened.language:
            entity["language"] = opened.language
    elif tag == "span":
        entity["type"] = "spoiler"
    elif tag == "a":
        href = opened.attrs.get("href", "")
        if not href:
            return None  # Telegram silently drops a link without a target
        entity["type"] = "text_link"
        entity["url"] = href
    elif tag == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in opened.attrs else "blockquote"
    elif tag == "tg-emoji":
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = opened.attrs["emoji-id"]
    return entity


def parse_html(src: str) -> ParsedText:
    """Parse Telegram's HTML subset strictly; raise EntityParseError like the Bot API would."""
    out = _Builder()
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "&":
            ch, i = _decode_entity(src, i)
            out.add(ch)
            continue
        if c != "<":
            nxt = i + 1
            while nxt < n and src[nxt] not in "<&":
                nxt += 1
            out.add(src[i:nxt])
            i = nxt
            continue
        tag_offset = _byte_offset(src, i)
        if i + 1 < n and src[i + 1] == "/":
            name_match = _NAME_CHARS.match(src, i + 2)
            assert name_match is not None
            name = name_match.group().lower()
            j = name_match.end()
            while j < n and src[j].isspace():
                j += 1
            if j >= n or src[j] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {tag_offset}")
            if not stack:
                raise EntityParseError(
                    f'Unexpected end tag "</{name}>" at byte offset {tag_offset}'
                )
            if stack[-1].tag != name:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {tag_offset}, expected "</{stack[-1].tag}>",'
                    f' found "</{name}>"'
                )
            opened = stack.pop()
            entity = _entity_for(opened, out.pos, stack[-1] if stack else None)
            if entity is not None:
                entities.append(entity)
            i = j + 1
            continue
        name_match = _NAME_CHARS.match(src, i + 1)
        assert name_match is not None
        name = name_match.group().lower()
        if not name or not name[0].isalpha():
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {tag_offset}'
                ' (an unescaped "<" must be written as "&lt;")'
            )
        if name not in _SUPPORTED_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {tag_offset}')
        attrs, i = _parse_attrs(src, name_match.end(), name, tag_offset)
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {tag_offset}'
            )
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise EntityParseError(
                f'Tag "tg-emoji" must have a numeric attribute "emoji-id" at byte offset '
                f"{tag_offset}"
            )
        stack.append(_Open(name, out.pos, tag_offset, attrs))
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    return _finish(out.text(), entities)


def _finish(text: str, entities: list[dict[str, Any]]) -> ParsedText:
    """Trim surrounding whitespace as Telegram does and clip entities to what remains."""
    stripped = text.strip()
    if not stripped:
        return ParsedText("", [])
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    result: list[dict[str, Any]] = []
    for ent in entities:
        start = max(ent["offset"] - lead, 0)
        end = min(ent["offset"] + ent["length"] - lead, total)
        if end > start:
            result.append({**ent, "offset": start, "length": end - start})
    result.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText(stripped, result)


# MarkdownV2: enough of the grammar to reject what Telegram rejects in practice
# (unescaped reserved characters, unclosed entities).
_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")
_MDV2_TOGGLES = {
    "*": "bold",
    "_": "italic",
    "__": "underline",
    "~": "strikethrough",
    "||": "spoiler",
}


def parse_markdown_v2(src: str) -> ParsedText:
    out = _Builder()
    entities: list[dict[str, Any]] = []
    stack: list[tuple[str, int, int]] = []  # (marker, utf16 start, byte offset)
    i, n = 0, len(src)
    line_start = True
    while i < n:
        c = src[i]
        at_line_start = line_start
        line_start = c == "\n"
        if c == "\\":
            if i + 1 < n and 1 <= ord(src[i + 1]) <= 126:
                out.add(src[i + 1])
                i += 2
                continue
            out.add(c)
            i += 1
            continue
        if src.startswith("```", i):
            end = src.find("```", i + 3)
            if end < 0:
                raise EntityParseError(
                    f"Can't find end of Pre entity at byte offset {_byte_offset(src, i)}"
                )
            body = src[i + 3 : end]
            language = None
            if "\n" in body:
                first, rest = body.split("\n", 1)
                if first and " " not in first:
                    language, body = first, rest
            body = re.sub(r"\\([`\\])", r"\1", body)
            start = out.pos
            out.add(body)
            ent: dict[str, Any] = {"type": "pre", "offset": start, "length": out.pos - start}
            if language:
                ent["language"] = language
            entities.append(ent)
            i = end + 3
            continue
        if c == "`":
            end = i + 1
            while end < n and src[end] != "`":
                end += 2 if src[end] == "\\" else 1
            if end >= n:
                raise EntityParseError(
                    f"Can't find end of Code entity at byte offset {_byte_offset(src, i)}"
                )
            start = out.pos
            out.add(re.sub(r"\\([`\\])", r"\1", src[i + 1 : end]))
            entities.append({"type": "code", "offset": start, "length": out.pos - start})
            i = end + 1
            continue
        marker = None
        for candidate in ("__", "||", "*", "_", "~"):
            if src.startswith(candidate, i):
                marker = candidate
                break
        if marker is not None:
            if stack and stack[-1][0] == marker:
                _, start, _ = stack.pop()
                if out.pos > start:
                    entities.append(
                        {"type": _MDV2_TOGGLES[marker], "offset": start, "length": out.pos - start}
                    )
            else:
                stack.append((marker, out.pos, _byte_offset(src, i)))
            i += len(marker)
            continue
        if c == "[":
            stack.append(("[", out.pos, _byte_offset(src, i)))
            i += 1
            continue
        if c == "]" and stack and stack[-1][0] == "[":
            _, start, offset = stack.pop()
            if not src.startswith("(", i + 1):
                raise EntityParseError(f"Can't find end of a URL at byte offset {offset}")
            end = src.find(")", i + 2)
            if end < 0:
                raise EntityParseError(f"Can't find end of a URL at byte offset {offset}")
            url = src[i + 2 : end].replace("\\)", ")").replace("\\\\", "\\")
            if out.pos > start:
                entities.append(
                    {"type": "text_link", "offset": start, "length": out.pos - start, "url": url}
                )
            i = end + 1
            continue
        if c == ">" and at_line_start:
            i += 1  # blockquote marker; the quote itself is not modelled
            continue
        if c in _MDV2_RESERVED:
            raise EntityParseError(
                f"Character '{c}' is reserved and must be escaped with the preceding '\\'"
            )
        out.add(c)
        i += 1
    if stack:
        marker, _, offset = stack[-1]
        kind = "TextUrl" if marker == "[" else _MDV2_TOGGLES[marker].capitalize()
        raise EntityParseError(f"Can't find end of {kind} entity at byte offset {offset}")
    return _finish(out.text(), entities)


_MD_TYPES = {"*": "bold", "_": "italic", "`": "code"}


def parse_markdown(src: str) -> ParsedText:
    """Legacy Markdown: no nesting; an unclosed marker is an error (think usernames with '_')."""
    out = _Builder()
    entities: list[dict[str, Any]] = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "\\" and i + 1 < n and src[i + 1] in "_*`[":
            out.add(src[i + 1])
            i += 2
            continue
        if src.startswith("```", i):
            end = src.find("```", i + 3)
            if end < 0:
                raise EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(src, i)}"
                )
            start = out.pos
            out.add(src[i + 3 : end])
            entities.append({"type": "pre", "offset": start, "length": out.pos - start})
            i = end + 3
            continue
        if c in _MD_TYPES:
            end = src.find(c, i + 1)
            if end < 0:
                raise EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(src, i)}"
                )
            start = out.pos
            out.add(src[i + 1 : end])
            if out.pos > start:
                entities.append({"type": _MD_TYPES[c], "offset": start, "length": out.pos - start})
            i = end + 1
            continue
        if c == "[":
            m = re.compile(r"\[([^\]]*)\]\(([^)]*)\)").match(src, i)
            if m is None:
                raise EntityParseError(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(src, i)}"
                )
            start = out.pos
            out.add(m.group(1))
            if out.pos > start:
                entities.append(
                    {
                        "type": "text_link",
                        "offset": start,
                        "length": out.pos - start,
                        "url": m.group(2),
                    }
                )
            i = m.end()
            continue
        out.add(c)
        i += 1
    return _finish(out.text(), entities)


def parse_text(text: str, parse_mode: str | None) -> ParsedText:
    """Dispatch on parse_mode (case-insensitive, like Telegram); None/"" means plain text."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        return parse_html(text)
    if mode == "markdownv2":
        return parse_markdown_v2(text)
    if mode == "markdown":
        return parse_markdown(text)
    if mode:
        raise EntityParseError(f'Unsupported parse_mode "{parse_mode}"')
    return _finish(text, [])


_COMMAND_RE = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}(?!\w)")
_URL_RE = re.compile(r"(?<!\S)https?://[^\s<>\"]+")


def detect_user_entities(text: str) -> list[dict[str, Any]]:
    """Entities Telegram's clients/servers attach to a user's plain text message."""
    found: list[dict[str, Any]] = []
    for kind, pattern in (("bot_command", _COMMAND_RE), ("mention", _MENTION_RE), ("url", _URL_RE)):
        for m in pattern.finditer(text):
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: m.start()]),
                    "length": utf16_len(m.group()),
                }
            )
    found.sort(key=lambda e: (e["offset"], -e["length"]))
    return found

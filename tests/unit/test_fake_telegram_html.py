"""The fake's entity parsers: what Telegram accepts and rejects, with UTF-16 offsets."""

from __future__ import annotations

import html
import random

import pytest

from bot.fake_telegram.html_check import (
    EntityParseError,
    detect_user_entities,
    parse_html,
    parse_markdown,
    parse_markdown_v2,
    parse_text,
    utf16_len,
)


def test_utf16_len_counts_surrogate_pairs() -> None:
    assert utf16_len("abc") == 3
    assert utf16_len("😀") == 2
    assert utf16_len("Привет") == 6


@pytest.mark.parametrize(
    ("source", "text", "types"),
    [
        ("<b>bold</b> <strong>s</strong>", "bold s", ["bold", "bold"]),
        ("<i>i</i><em>e</em><u>u</u><ins>n</ins>", "ieun", ["italic"] * 2 + ["underline"] * 2),
        ("<s>a</s><strike>b</strike><del>c</del>", "abc", ["strikethrough"] * 3),
        ('<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>', "xy", ["spoiler"] * 2),
        ('<a href="https://example.org/?a=1&amp;b=2">link</a>', "link", ["text_link"]),
        ("<code>x = 1</code>", "x = 1", ["code"]),
        ("<pre>block</pre>", "block", ["pre"]),
        ("<blockquote>q</blockquote>", "q", ["blockquote"]),
        ("<blockquote expandable>q</blockquote>", "q", ["expandable_blockquote"]),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍", ["custom_emoji"]),
        ("<B>upper</B>", "upper", ["bold"]),
        ("<b>a <i>b</i></b>", "a b", ["bold", "italic"]),
    ],
)
def test_supported_tags(source: str, text: str, types: list[str]) -> None:
    parsed = parse_html(source)
    assert parsed.text == text
    assert [e["type"] for e in parsed.entities] == types


def test_pre_with_language_and_link_url() -> None:
    parsed = parse_html('<pre><code class="language-python">print(1)</code></pre>')
    assert parsed.entities == [{"offset": 0, "length": 8, "type": "pre", "language": "python"}]
    link = parse_html('<a href="https://e.org/?a=1&amp;b=2">x</a>').entities[0]
    assert link["url"] == "https://e.org/?a=1&b=2"


def test_entities_and_numeric_references() -> None:
    parsed = parse_html("&lt;&gt;&amp;&quot;&#39;&#x1F600;")
    assert parsed.text == "<>&\"'😀"


def test_offsets_are_utf16_and_whitespace_is_trimmed() -> None:
    parsed = parse_html("  😀 <b>Привет</b>  ")
    assert parsed.text == "😀 Привет"
    assert parsed.entities == [{"offset": 3, "length": 6, "type": "bold"}]


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("<foo>x</foo>", 'Unsupported start tag "foo"'),
        ("<br>", 'Unsupported start tag "br"'),
        ("1 < 2", "Unsupported start tag"),
        ("a <3", "Unsupported start tag"),
        ("<b>x", "Can't find end tag"),
        ("x</b>", "Unexpected end tag"),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("<b>x</i>", "Unmatched end tag"),
        ("AT&T", '"&"'),
        ("a & b", '"&"'),
        ("&nbsp;", "Unsupported HTML entity"),
        ("&#xD800;", "Invalid numeric"),
        ("&#0;", "Invalid numeric"),
        ("<span>x</span>", "tg-spoiler"),
        ('<a href="x>y</a>', "Unclosed start tag"),
        ("<b", "Unclosed start tag"),
        ("<tg-emoji>x</tg-emoji>", "emoji-id"),
        ("<b =x>y</b>", "Empty attribute name"),
    ],
)
def test_rejections(source: str, detail: str) -> None:
    with pytest.raises(EntityParseError, match=detail.replace("(", r"\(")):
        parse_html(source)


def test_escaped_anything_is_accepted() -> None:
    rnd = random.Random(42)
    alphabet = "<>&\"'/ab;#x1 \n😀Ж=&amp;&lt;<b></b>"
    for _ in range(500):
        raw = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 40)))
        parsed = parse_html(html.escape(raw))
        assert parsed.text == raw.strip()
        assert parsed.entities == []
        wrapped = parse_html(f"<b>{html.escape(raw)}</b> <i>x</i>")
        assert wrapped.text.endswith("x")


def test_markdown_v2() -> None:
    assert (
        parse_markdown_v2(r"Hello\. *bold* _it_ __u__ ~s~ ||sp||").text == "Hello. bold it u s sp"
    )
    parsed = parse_markdown_v2(r"[site](https://e.org) `a.b` ```py" "\nx.y```")
    assert [e["type"] for e in parsed.entities] == ["text_link", "code", "pre"]
    with pytest.raises(EntityParseError, match="reserved"):
        parse_markdown_v2("Hello.")
    with pytest.raises(EntityParseError, match="Can't find end of Bold"):
        parse_markdown_v2("*open")


def test_markdown_legacy() -> None:
    assert parse_markdown("*b* _i_ `c` [l](https://e.org)").text == "b i c l"
    with pytest.raises(EntityParseError, match="Can't find end of the entity"):
        parse_markdown("user_name")


def test_parse_text_dispatch_and_plain() -> None:
    assert parse_text("<b>x</b>", None).text == "<b>x</b>"
    assert parse_text("<b>x</b>", "HTML").text == "x"
    with pytest.raises(EntityParseError):
        parse_text("x", "BBCode")


def test_user_entities() -> None:
    ents = detect_user_entities("/start@coalition_test_bot now")
    assert ents == [{"type": "bot_command", "offset": 0, "length": 25}]
    ents = detect_user_entities("😀 /help @someone https://e.org")
    assert [(e["type"], e["offset"]) for e in ents] == [
        ("bot_command", 3),
        ("mention", 9),
        ("url", 18),
    ]
    assert detect_user_entities("a/b") == []

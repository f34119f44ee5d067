"""A realistic joint letter for the paste tests, in the forms it reaches the bot in.

Written for the tests (not taken from any real letter): an introduction, eighteen numbered
recommendations and a closing, about 7,000 characters -- long enough that a Telegram app
splits a paste of it into two or three messages. ``split_like_telegram`` splits a text
exactly as Telegram Desktop does.
"""

from __future__ import annotations

import io

import docx

INTRO = [
    "To: Permanent Representatives of Member and Observer States of the UN Human Rights "
    "Council (Geneva, Switzerland)",
    "Excellencies,",
    "Ahead of the next regular session of the Human Rights Council, we, the undersigned "
    "civil society organisations, write to ask your delegation to support a resolution "
    "that extends the mandate of the Special Rapporteur on the situation of human rights "
    "in Belarus and keeps the independent investigative mechanism on the Council's agenda. "
    "Both have documented, year after year, a pattern of repression that has not eased, and "
    "both depend on the Council's continued and visible attention.",
    "Over the past year the authorities have continued to detain people for peaceful "
    "expression, for donations to independent media, for comments left on social networks "
    "years ago and for attending funerals of political prisoners. Courts hear such cases "
    "behind closed doors, defence lawyers are disbarred for taking them, and relatives are "
    "warned not to speak to journalists. Released prisoners describe solitary confinement, "
    "denial of medical care and months without any news from their families.",
    "Human rights defenders inside the country report that at least 1,150 people remain "
    "imprisoned on politically motivated charges, among them journalists, trade unionists, "
    "lawyers and members of the staff of organisations that signed this letter. Several "
    "have been held incommunicado for more than a year. In that light, we respectfully urge "
    "your delegation to support a resolution that includes the following recommendations:",
]

CONTEXT = [
    "The repression does not stop at the border. People who left the country are tried in "
    "absentia, their property is seized, their relatives are questioned and their names are "
    "added to lists of 'extremists' and 'terrorists' that make ordinary banking, travel and "
    "work impossible. Consulates refuse to renew passports, which leaves thousands of "
    "people without valid documents in the countries that host them. Exiled journalists and "
    "defenders report surveillance, threats sent to their relatives and requests for their "
    "extradition on charges that are plainly political.",
    "The independent mechanisms of this Council have been the only international bodies "
    "able to follow these developments closely. Their reports have been cited by courts "
    "examining asylum claims, by prosecutors opening cases under universal jurisdiction and "
    "by governments deciding on targeted measures. The Special Rapporteur has kept a channel "
    "open to victims and their families, while the investigative work has preserved evidence "
    "that would otherwise be lost. Neither role can be taken over by the other.",
]

RECOMMENDATIONS = [
    "Extend the mandate of the Special Rapporteur for a further year and ensure that the "
    "mandate receives the staff and the budget it needs to follow individual cases.",
    "Call on the authorities to release, immediately and unconditionally, every person "
    "detained for exercising the rights to freedom of expression, assembly and association.",
    "Request the authorities to disclose the whereabouts and state of health of each prisoner "
    "held incommunicado and to allow them regular contact with family and lawyers.",
    "Urge an end to trials in absentia against people living abroad and the annulment of "
    "sentences passed in such proceedings.",
    "Ask the authorities to restore the registration of the independent organisations that "
    "were liquidated by court order since 2021 and to return their confiscated property.",
    "Call for the repeal of the provisions on 'extremist formations' that are used to punish "
    "donations, subscriptions and likes on social networks.",
    "Request safe and unhindered access for the Special Rapporteur, the treaty bodies and "
    "the International Committee of the Red Cross to all places of detention.",
    "Urge the reinstatement of lawyers disbarred for their work on politically motivated "
    "cases, and guarantees that lawyers can meet their clients in private.",
    "Call for independent investigations into every credible allegation of torture and "
    "ill-treatment, with the results made public and those responsible brought to justice.",
    "Ask the authorities to stop the harassment of relatives of people in exile, including "
    "searches, interrogations and threats to remove children from their families.",
    "Request that consular services, including the issuing and renewal of passports, be "
    "made available to citizens abroad without political conditions.",
    "Call on the authorities to end the designation of independent media as 'extremist' and "
    "to release the journalists imprisoned for their reporting.",
    "Urge respect for the freedom of association of workers, including the right to form "
    "independent trade unions, in line with the recommendations of the ILO.",
    "Ask the authorities to provide adequate medical care to every prisoner and to allow "
    "independent doctors to examine prisoners with serious illnesses.",
    "Encourage States to use every avenue of accountability available to them, including "
    "universal jurisdiction, for the crimes documented by the UN mechanisms.",
    "Request the Office of the High Commissioner to keep collecting and preserving evidence "
    "and to share it with competent courts and prosecutors on request.",
    "Invite the Special Rapporteur to present an oral update to the Council, followed by an "
    "enhanced interactive dialogue with the participation of civil society.",
    "Call on all States to protect human rights defenders in exile from transnational "
    "repression, including abusive extradition requests and surveillance.",
]

CLOSING = [
    "The people of Belarus cannot count on any national remedy for the violations they "
    "suffer. The Council's mechanisms remain one of the few places where their experience is "
    "recorded and heard, and where the authorities are reminded that the world is watching. "
    "Ending or weakening this scrutiny now would be read as a signal that persistence in "
    "repression pays off. A strong resolution, adopted with broad support from every "
    "region, would tell the victims that their testimonies were not given in vain and "
    "would tell those responsible that the record of their actions will outlast them.",
    "We thank you for your attention and remain at your disposal to brief your delegation "
    "before the session.",
    "Yours sincerely,",
]

FIGURE = "at least 1,150 people"
REVISED_FIGURE = "at least 1,163 people"


def numbered() -> list[str]:
    return [f"{number}. {text}" for number, text in enumerate(RECOMMENDATIONS, start=1)]


def paragraphs() -> list[str]:
    """Every paragraph of the letter, each list item its own paragraph."""
    return [*INTRO, *numbered(), *CONTEXT, *CLOSING]


def with_blank_lines() -> str:
    """The letter as a plain text file has it: a blank line between paragraphs."""
    return "\n\n".join(paragraphs())


def word_paste() -> str:
    """As a paste from Word reaches Telegram: blank lines between paragraphs, single line
    breaks between list items."""
    blocks = [*INTRO, "\n".join(numbered()), *CONTEXT, *CLOSING]
    return "\n\n".join(blocks)


def as_docx(texts: list[str] | None = None) -> bytes:
    """The letter as a Word file: recommendations as an automatically numbered list."""
    document = docx.Document()
    for paragraph in INTRO:
        document.add_paragraph(paragraph)
    for recommendation in texts or RECOMMENDATIONS:
        document.add_paragraph(recommendation, style="List Number")
    for paragraph in [*CONTEXT, *CLOSING]:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- the client's cut

LIMIT = 4096


def _level(text: str, index: int) -> int:
    """How good a place to cut ``index`` is, as Telegram Desktop ranks it (plain text)."""
    char = text[index]
    before = text[index - 1] if index else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    if char == "\n":
        return 15 if after == "\n" else 13
    if char.isspace():
        if before in ".?!":
            return 10
        return 8 if before in ",:;" else 6
    return 4 if before.isspace() or before in ".,?!@#$:;-<>[](){}=/+%&^*'\"`~|" else 2


def _cut_part(left: str, limit: int) -> tuple[str, str]:
    """``TextUtilities::CutPart``: the best break in the second half of the limit, the
    last of its kind, or the whole text when it fits."""
    half = limit // 2
    good, good_level = 0, 0
    for index in range(len(left)):
        if index > half:
            level = _level(left, index)
            if level >= good_level:
                good, good_level = index, level
        if index >= limit:
            return left[:good], left[good:]
    return left, ""


def split_like_telegram(text: str, limit: int = LIMIT) -> list[str]:
    """The messages Telegram Desktop sends for ``text`` (BMP text: code units = characters).

    The whole text is trimmed first; each part is cut by ``_cut_part`` from what is left
    (which starts with the whitespace of the previous cut) and trimmed before sending.
    """
    assert all(ord(char) <= 0xFFFF for char in text), "astral characters: count UTF-16"
    left = text.strip()
    parts = []
    while left:
        sending, left = _cut_part(left, limit)
        if sending.strip():
            parts.append(sending.strip())
    assert all(len(part) <= limit for part in parts)
    return parts


def split_near_limit(text: str, limit: int = LIMIT, window: int = 300) -> list[str]:
    """A paste split as FACTS.md describes Telegram's phone apps (a model, not any app's
    code): within ``window`` characters before the limit, the last paragraph break, else
    the last line break, else the last space; the whitespace at each cut is dropped."""
    left = text.strip()
    parts = []
    while len(left) > limit:
        start = limit - window
        zone = left[start : limit + 1]
        cut = limit
        for pattern in ("\n\n", "\n", " "):
            found = zone.rfind(pattern)
            if found > 0:
                cut = start + found
                break
        parts.append(left[:cut].strip())
        left = left[cut:].strip()
    parts.append(left)
    return parts

"""Button data: short, typed, parsed defensively.

Callback data comes from the client and can be forged. It only ever carries a
kind and a few integers (ids, page numbers), never a right; handlers re-check
the presser's authority and the object's state on every press.
Format: ``<kind>:<int>[:<int>...]``, at most 64 bytes (Telegram's limit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
_SHAPE = re.compile(r"^([a-z]{1,12})((?::\d{1,12}){0,4})$")


@dataclass(frozen=True)
class ButtonData:
    kind: str
    args: tuple[int, ...]


def encode(kind: str, *args: int) -> str:
    data = ":".join([kind, *(str(int(a)) for a in args)])
    if not _SHAPE.match(data) or len(data.encode()) > MAX_BYTES:
        raise ValueError(f"bad button data {data!r}")
    return data


def decode(data: str | None, kind: str, arity: int) -> tuple[int, ...] | None:
    """The integer arguments if ``data`` is well-formed ``kind`` data, else None."""
    if not data or len(data.encode("utf-8", "replace")) > MAX_BYTES:
        return None
    match = _SHAPE.match(data)
    if not match or match.group(1) != kind:
        return None
    args = tuple(int(part) for part in match.group(2).split(":")[1:])
    return args if len(args) == arity else None


# Kinds (pattern strings for CallbackQueryHandler).
ORGS_PAGE = "orgs"
INVITES_PAGE = "invites"
CONTACTS_PAGE = "contacts"
SHOW_HELP = "help"
FLOW_DONE = "done"  # (no args) the text of a guided flow is complete
FLOW_CANCEL = "cancel"
REVISION_KIND = "rkind"  # (material: 1 or 0)
SIGN = "sign"  # (letter, version)
DECLINE = "decl"  # (letter, version)
COMMENT = "cmt"  # (letter, version)
FULL_TEXT = "full"  # (letter, version)
LETTERS_PAGE = "letters"
SIGN_LISTING = "sgl"  # (letter, version, listing 1-3): chosen, now confirm
SIGN_CONFIRM = "sgc"  # (letter, version, listing)
SIGN_CANCEL = "sgx"  # (letter, version)
DECLINE_SKIP = "dskip"  # (letter, version): decline without a reason
WITHDRAW = "wd"  # (letter)
REPLY = "rpl"  # (comment): a coordinator answers a member's comment
STATUS_PAGE = "status"  # (page, letter)
LETTER_LANGUAGE = "nlang"  # (index in texts.LANGUAGES): the language of a new letter
LANGUAGE = "lang"  # (index in texts.LANGUAGES): the language the bot writes to the presser in
PURGE = "prg"  # (letter, 1 confirm / 0 keep): the answer to /purge
CIRCULATE = "circ"  # (letter, 1 all organisations / 0 not now): the answer to /circulate 4
CLOSE = "cls"  # (letter, 1 close / 0 keep open): the answer to /close
WITHDRAW_CONFIRM = "wdc"  # (letter, 1 withdraw / 0 keep): the member's second tap on Withdraw
CURRENT = "cur"  # (letter): show the letter's current version (after a superseded press)
RESEND_BROADCAST = "rsb"  # (broadcast): send its uncertain messages again (delivery report)
RESEND_LETTER = "rsl"  # (letter): send its uncertain messages to contacts again (/status)
REMOVE_ORG = "rmorg"  # (organisation, 1 remove / 0 keep): the answer to /removeorg
REMOVE_CONTACT = "rmcontact"  # (contact, 1 remove / 0 keep): the answer to /removecontact
# Issue 16: two people for what changes the record.
APPROVE = "apok"  # (approval): a second coordinator's yes
REJECT = "apno"  # (approval): a coordinator's no
APPROVAL_CANCEL = "apx"  # (approval): the requester withdraws their request
INVITATION_LINK = "aplink"  # (approval): the requester mints the approved invitation's link
REMOVE_COORDINATOR = "rmcoord"  # (contact, 1 remove / 0 keep): the answer to /removecoordinator
RENAME_ANSWER = "rnm"  # (rename, 1 use the new name / 0 keep the old): a member's answer
# Issue 17.
ORIGINAL = "orig"  # (letter, version): the authoritative text under a translation
RECORD_ORG = "reco"  # (organisation): /record's guided flow, the organisation
RECORD_DECISION = "recd"  # (1 signed, 2 declined, 3 withdrawn)
RECORD_LISTING = "recl"  # (listing 1-3, as SIGN_LISTING)
RECORD_VERSION = "recv"  # (version number)
RECORD_CHANNEL = "recc"  # (index in Channel)
RECORD_NOTE = "recn"  # (0: no note, record it)

"""Every user-facing text, in one catalog, in English, Russian and Belarusian.

Texts are English message ids in ``{placeholder}`` form, marked with ``N_`` (or ``NP_``
for a text with singular and plural forms) so that ``pybabel extract`` finds them, and
rendered with ``render``: the id is translated through the gettext catalog of the
reader's language (``bot/locales/<lang>/LC_MESSAGES/messages.po``) and every value is
HTML-escaped unless it is ``Html`` (a fragment the bot itself built). Handlers never hold
sentences of their own.

The catalogs are read from the ``.po`` files and compiled in memory on first use (and at
start-up, see ``load_catalogs``), so a fresh checkout or ``pip install`` needs no build
step. English is the message id itself.
"""

from __future__ import annotations

import functools
import gettext
import html
import io
from pathlib import Path
from typing import Final

LANGUAGES: Final = ("en", "ru", "be")
DEFAULT_LANGUAGE: Final = "en"
# Each language's own name: a choice of language is offered in the language itself.
LANGUAGE_NAMES: Final = {"en": "English", "ru": "Русский", "be": "Беларуская"}
LOCALES_DIR: Final = Path(__file__).with_name("locales")
DOMAIN: Final = "messages"


class Html(str):
    """A fragment of Telegram HTML built by the bot; ``render`` does not escape it."""


class Plural(str):
    """A message id with a plural form; ``number`` names the parameter that picks the form."""

    plural: str
    number: str

    def __new__(cls, singular: str, plural: str, number: str) -> Plural:
        message = super().__new__(cls, singular)
        message.plural = plural
        message.number = number
        return message


class Text(str):
    """A catalog message given as a parameter: rendered in the language of the text it fills.

    For a message rendered for several readers (colleagues, coordinators) in their own
    languages, e.g. ``listing=Text(LISTING_NAMED)``.
    """

    params: dict[str, object]

    def __new__(cls, message: str, /, **params: object) -> Text:
        text = super().__new__(cls, message)
        text.message = message
        text.params = params
        return text

    message: str


def N_(message: str) -> str:
    """Marks a message id for extraction; translation happens at render time."""
    return message


def NP_(singular: str, plural: str, number: str = "count") -> Plural:
    """Marks a message id with singular and plural forms, chosen by ``params[number]``."""
    return Plural(singular, plural, number)


def language_for(code: str | None) -> str:
    """The bot's language for a Telegram ``language_code`` ("ru", "be-BY", "en-US", None).

    Russian and Belarusian are served as such; everything else, Ukrainian included (a
    Ukrainian-speaking partner is not assumed to want Russian), gets English and can
    switch with /language.
    """
    base = (code or "").strip().replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


@functools.cache
def catalog(language: str) -> gettext.NullTranslations:
    """The compiled catalog of ``language``; English (the ids themselves) for any other."""
    if language not in LANGUAGES or language == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = LOCALES_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as po_file:
        source = read_po(po_file, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, source, use_fuzzy=False)  # a fuzzy entry is not a translation
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def load_catalogs() -> None:
    """Compiles every catalog now, so that a broken .po file stops the start-up, not a reply."""
    for language in LANGUAGES:
        catalog(language)


def translate(message: str, language: str, count: int | None = None) -> str:
    translations = catalog(language)
    if isinstance(message, Plural):
        return translations.ngettext(str(message), message.plural, count or 0)
    return translations.gettext(str(message))


def escape(value: object) -> str:
    if isinstance(value, Html):
        return str(value)
    return html.escape(str(value), quote=False)


def render(message: str, language: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """Translate ``message`` and fill in ``params``, escaping user-supplied values.

    For a ``Plural`` the form is chosen by the parameter it names (``count`` by default),
    with the language's own plural rules (ru/be: 1, 21 → one; 2–4 → few; 5–20 → many).
    """
    count = None
    if isinstance(message, Plural):
        try:
            count = abs(int(str(params.get(message.number, 0))))
        except ValueError:
            count = 0
    template = translate(message, language, count)
    return template.format(**{key: _value(value, language) for key, value in params.items()})


def _value(value: object, language: str) -> str:
    if isinstance(value, Text):
        return render(value.message, language, **value.params)
    return escape(value)


def plain(message: str, language: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """Like ``render`` but for plain text (files, chart labels): nothing is escaped."""
    count = None
    if isinstance(message, Plural):
        try:
            count = abs(int(str(params.get(message.number, 0))))
        except ValueError:
            count = 0
    return translate(message, language, count).format(**params)


# --- everyone -----------------------------------------------------------------------------

# The only thing an unknown account, a bad invite or a group ever learns.
NEUTRAL: Final = N_("Hello. This is a private bot that works by invitation only.")
FLOOD_PAUSED: Final = N_(
    "You are sending messages faster than I can take them, so I will not read what you send "
    "until {until}. I will tell you when I am listening again."
)
FLOOD_HEARD_AGAIN: Final = N_(
    "I am listening again. What you sent between {since} and {until} was not read: please "
    "send again what still matters."
)
FLOOD_QUEUE_FULL: Final = NP_(
    "{count} of your messages came while hundreds of yours were still waiting, and was not "
    "read. Please send it again, a little more slowly.",
    "{count} of your messages came while hundreds of yours were still waiting, and were not "
    "read. Please send them again, a little more slowly.",
)
UNKNOWN_COMMAND: Final = N_("I don't know that command. Send /help to see what I can do.")
UNKNOWN_COMMAND_SUGGEST: Final = N_(
    "I don't know that command. Did you mean /{command}? Send /help to see what I can do."
)
NOT_A_COMMAND: Final = N_("I only understand commands and buttons here. Send /help for the list.")
# A member's message outside any step: they most likely want to tell the coordinators something.
MEMBER_WHERE_TO_COMMENT: Final = N_(
    "Messages typed here reach nobody. To comment on a letter, press <b>💬 Comment</b> under "
    "it, or reply to the letter's message; the coordinators get your comment. /mine shows "
    "your organisation's open letters, /help what else I can do."
)
COORDINATORS_ONLY: Final = N_("Only coordinators can do that.")
STALE_BUTTON: Final = N_("This button is no longer valid.")
UNSUPPORTED_MESSAGE: Final = N_("I can't use this kind of message here. Send /help for the list.")
TOO_LONG_INPUT: Final = NP_(
    "That is too long: at most {limit} character, please.",
    "That is too long: at most {limit} characters, please.",
    "limit",
)
# To coordinators, each in their language; no user content in it.
ERROR_ALERT: Final = N_(
    "⚠️ Unexpected error: <code>{kind}</code> (update {update}). The person was asked to "
    "try again. Details are in the bot's log; the next alert of this kind comes after an "
    "hour at the earliest.{held}"
)
ERROR_ALERT_HELD: Final = N_("\n{count} more of this kind since the last alert.")
INTERNAL_ERROR: Final = N_(
    "Sorry, something went wrong on my side. Nothing you sent before this was lost; "
    "please try again in a minute."
)

# --- help -----------------------------------------------------------------------------------

COORDINATOR_HELP: Final = N_(
    "<b>Coalition Bot — coordinator</b>\n"
    "\n"
    "<b>Organisations</b>\n"
    "/addorg <i>name</i> — add an organisation, named exactly as it will be listed\n"
    "/renameorg <i>org</i> <i>name</i> — rename an organisation\n"
    "/removeorg <i>org</i> — remove an organisation (its contacts lose access at once)\n"
    "/orgs — organisations and their contacts\n"
    "\n"
    "<b>Contacts</b>\n"
    "/invite <i>org</i> [<i>label</i>] — a single-use invitation link for one new contact\n"
    "/invites — invitations not used yet\n"
    "/revoke <i>invite</i> — cancel an invitation\n"
    "/contacts — everyone who has access\n"
    "/removecontact <i>contact</i> — take access away from a contact\n"
    "\n"
    "<b>Letters</b>\n"
    "/newletter — a new letter (title, deadline, text or a .docx/.txt/.md file)\n"
    "/letters — all letters; /letter <i>letter</i> — details and versions\n"
    "/preview <i>letter</i> — exactly what members receive\n"
    "/circulate <i>letter</i> all | <i>org</i> … — open it and send it\n"
    "/revise <i>letter</i> — a new version (material or minor)\n"
    "/status <i>letter</i> — who signed, with a chart\n"
    "/comments <i>letter</i> — comments, with Reply buttons\n"
    "/remind <i>letter</i> — remind organisations that have not answered, now\n"
    "/deadline <i>letter</i> <i>when</i> — move the deadline (members are told)\n"
    "/reminders <i>letter</i> [<i>7d,3d,1d,3h</i> | off | default] — the reminder schedule\n"
    "/milestone <i>letter</i> [<i>name</i> <i>when</i>] — milestones; reminded a day before\n"
    "/close <i>letter</i>, /reopen <i>letter</i> <i>deadline</i>\n"
    "/purge <i>letter</i> — remove a closed letter's texts for good (who signed stays)\n"
    "/export <i>letter</i> — final text with signatories (.docx, .md) and a CSV\n"
    "/audit <i>letter</i> — the letter's audit trail (CSV)\n"
    "/verify [<i>code</i> …] — check the audit log against the tables, and witness codes\n"
    "/cancel — leave what you are doing\n"
    "\n"
    "/language — the language I write to you in\n"
    "/whoami — your role\n"
    "/help — this list\n"
    "\n"
    "<i>org</i>, <i>invite</i>, <i>contact</i> and <i>letter</i> are the numbers shown as #12 "
    "in the lists."
)
MEMBER_HELP: Final = N_(
    "<b>Coalition Bot</b> — for <b>{organisation}</b>\n"
    "\n"
    "When coordinators circulate a letter, I send it here with buttons to sign, decline or "
    "comment for your organisation. I remind you before the deadline if your organisation "
    "has not answered yet.\n"
    "\n"
    "/mine — open letters for your organisation and where it stands\n"
    "/withdraw <i>letter</i> — withdraw your organisation's signature\n"
    "/verify <i>code</i> — check a receipt's witness code against the audit log\n"
    "/timezone [<i>zone</i>] — the time zone I show times in\n"
    "/quiet [<i>23-07</i> | off] — hours when reminders wait\n"
    "/cancel — leave what you are doing\n"
    "/language — the language I write to you in\n"
    "/whoami — your organisation and role\n"
    "/help — this list"
)
WHOAMI_COORDINATOR: Final = N_("You are a <b>coordinator</b> of this coalition.")
WHOAMI_MEMBER: Final = N_(
    "You are a contact of <b>{organisation}</b> (member).\nYou joined on {joined}."
)

# Command menu descriptions (setMyCommands).
CMD_HELP: Final = N_("What I can do")
CMD_WHOAMI: Final = N_("My organisation and role")
CMD_ORGS: Final = N_("Organisations and contacts")
CMD_ADDORG: Final = N_("Add an organisation")
CMD_INVITE: Final = N_("Invitation link for a new contact")
CMD_INVITES: Final = N_("Invitations not used yet")
CMD_CONTACTS: Final = N_("Everyone who has access")

# --- joining --------------------------------------------------------------------------------

WELCOME_MEMBER: Final = N_(
    "Welcome! You are now a contact of <b>{organisation}</b> in this coalition.\n"
    "\n"
    "Here is what I will do for you:\n"
    "• send you letters the coordinators circulate, with buttons to sign, decline or comment;\n"
    "• remind you before a deadline if your organisation has not answered;\n"
    "• tell you when another contact of your organisation answers.\n"
    "\n"
    "Drafts are sent so that they cannot be forwarded or saved, and I remove full texts "
    "from this chat after a while. Send /help at any time."
)
ALREADY_JOINED: Final = N_(
    "This Telegram account is already a contact of <b>{organisation}</b>. "
    "An account can belong to one organisation only; ask a coordinator if this is wrong."
)
ALREADY_COORDINATOR: Final = N_(
    "This Telegram account is a coordinator account and cannot take an invitation."
)
START_COORDINATOR: Final = N_("Hello, coordinator.")
CONTACT_JOINED: Final = N_("✅ {name} joined for <b>{organisation}</b> (contact #{contact_id}).")
# To coordinators: of the account presenting the used link, only its Telegram id.
INVITE_REUSED_ALERT: Final = N_(
    "⚠️ Invitation #{invite_id}{label} for <b>{organisation}</b> was used on {when} (contact "
    "#{contact_id}), and now another Telegram account (id {telegram_user_id}) tried it again. "
    "It got no access. If the person it was meant for did not join themselves, contact "
    "#{contact_id} may be an impostor: ask them through a channel you trust, and remove it "
    "with /removecontact {contact_id} if so."
)

# --- organisations --------------------------------------------------------------------------

USAGE_ADDORG: Final = N_(
    "Send the name exactly as it should appear in the signature list, e.g.\n"
    "<code>/addorg Human Rights Centre «Viasna»</code>"
)
USAGE_RENAMEORG: Final = N_("Usage: <code>/renameorg 12 New name</code> (the number from /orgs).")
USAGE_REMOVEORG: Final = N_("Usage: <code>/removeorg 12</code> (the number from /orgs).")
ORG_ADDED: Final = N_("Added organisation #{org_id}: <b>{name}</b>\nNext: /invite {org_id}")
ORG_RENAMED: Final = N_("Organisation #{org_id} is now <b>{name}</b> (was: {old_name}).")
REMOVEORG_ASK: Final = NP_(
    "Remove organisation #{org_id} <b>{name}</b>? Its {contacts} contact loses access at once, "
    "and the bot deletes what it sent about letters from their chats where Telegram still "
    "allows it (48 hours after sending); its history is kept.",
    "Remove organisation #{org_id} <b>{name}</b>? Its {contacts} contacts lose access at once, "
    "and the bot deletes what it sent about letters from their chats where Telegram still "
    "allows it (48 hours after sending); its history is kept.",
    "contacts",
)
REMOVECONTACT_ASK: Final = N_(
    "Remove contact #{contact_id} ({name}, {organisation})? They lose access at once, and the "
    "bot deletes what it sent them about letters from their chat where Telegram still allows "
    "it (48 hours after sending)."
)
BUTTON_REMOVE: Final = N_("Remove")
BUTTON_KEEP: Final = N_("Keep")
ORG_KEPT: Final = N_("Not removed: organisation #{org_id} is kept as it was.")
CONTACT_KEPT: Final = N_("Not removed: contact #{contact_id} keeps their access.")
# After a removal: what became of the bot's messages in the removed people's chats.
REMOVAL_DELETED: Final = NP_(
    "Deleted from their chats: {count} message about letters.",
    "Deleted from their chats: {count} messages about letters.",
)
REMOVAL_NOTHING_TO_DELETE: Final = N_("No message about letters was left in their chats.")
REMOVAL_NOT_DELETED: Final = NP_(
    "{count} message could not be deleted: Telegram lets a bot delete its messages only "
    "within 48 hours of sending.",
    "{count} messages could not be deleted: Telegram lets a bot delete its messages only "
    "within 48 hours of sending.",
)
REMOVAL_STILL_DELETING: Final = NP_(
    "{count} message is still to be deleted: Telegram did not answer; the bot keeps trying.",
    "{count} messages are still to be deleted: Telegram did not answer; the bot keeps trying.",
)
REMOVAL_ADVICE: Final = N_(
    "The bot's direct answers (receipts, confirmations) stay in their chats as well. If a phone "
    "may be in other hands, ask its owner, through a channel you trust, to delete the chat "
    "with the bot from another device."
)
ORG_REMOVED: Final = NP_(
    "Removed organisation #{org_id} <b>{name}</b>. {contacts} contact lost access; "
    "its history is kept.",
    "Removed organisation #{org_id} <b>{name}</b>. {contacts} contacts lost access; "
    "its history is kept.",
    "contacts",
)
ORG_DUPLICATE: Final = N_(
    "There is already an organisation named <b>{name}</b> (#{org_id}). Names must differ by "
    "more than capital letters, spaces, quotation marks or dashes."
)
ORG_NAME_EMPTY: Final = N_("The name is empty.")
ORG_NAME_TOO_LONG: Final = NP_(
    "The name is too long: at most {limit} character.",
    "The name is too long: at most {limit} characters.",
    "limit",
)
ORG_NAME_INVALID: Final = N_("The name contains line breaks or invisible control characters.")
ORG_NOT_FOUND: Final = N_("There is no organisation #{ref}. Send /orgs for the list.")
ORG_NAME_NOT_FOUND: Final = N_(
    "No organisation is named “{text}”. Give its number or its name as /orgs shows it."
)
ORG_REF_INVALID: Final = N_("{ref} is not an organisation number. Send /orgs for the list.")
ORGS_EMPTY: Final = N_("No organisations yet. Add one with /addorg <i>name</i>.")
ORGS_PAGE_HEADER: Final = N_("<b>Organisations</b> ({total}) — page {page} of {pages}")
ORGS_LINE: Final = N_("<b>#{org_id} {name}</b>")
ORGS_NO_CONTACTS: Final = N_("    no contacts yet — /invite {org_id}")
ORGS_CONTACT_LINE: Final = N_("    #{contact_id} {name} — {state}")
BUTTON_SHOW_HELP: Final = N_("Show my commands")
BUTTON_PREVIOUS: Final = N_("« Previous")
BUTTON_NEXT: Final = N_("Next »")

CONTACT_STATE_INVITED: Final = N_("invited")
CONTACT_STATE_ACTIVE: Final = N_("active")
CONTACT_STATE_UNREACHABLE: Final = N_("unreachable")
CONTACT_STATE_REMOVED: Final = N_("removed")
CONTACT_UNNAMED: Final = N_("(not joined yet)")

# --- invites and contacts -------------------------------------------------------------------

USAGE_INVITE: Final = N_(
    "Usage: <code>/invite 12 Anna, programme lead</code> — the organisation's number from "
    "/orgs (or its exact name) and, if you like, a label to recognise the contact by."
)
INVITE_CREATED: Final = N_(
    "Invitation #{invite_id} for <b>{organisation}</b>{label}:\n"
    "\n"
    "{link}\n"
    "\n"
    "It works once, for one Telegram account, until {expires}. Send it to the person through "
    "a channel you trust; anyone who opens it first joins as this organisation's contact. "
    "Cancel it with /revoke {invite_id}."
)
INVITE_LABEL: Final = N_(" ({label})")
INVITES_EMPTY: Final = N_("No invitations are waiting to be used.")
INVITES_HEADER: Final = N_("<b>Invitations not used yet</b> ({total}) — page {page} of {pages}")
INVITES_LINE: Final = N_("#{invite_id} {organisation}{label} — expires {expires}")
USAGE_REVOKE: Final = N_("Usage: <code>/revoke 7</code> (the number from /invites).")
INVITE_REVOKED: Final = N_("Invitation #{invite_id} for <b>{organisation}</b> is cancelled.")
INVITE_NOT_PENDING: Final = N_("Invitation #{ref} does not exist or can no longer be used.")
LABEL_TOO_LONG: Final = NP_(
    "The label is too long: at most {limit} character.",
    "The label is too long: at most {limit} characters.",
    "limit",
)
CONTACTS_EMPTY: Final = N_("Nobody has joined yet. Invite contacts with /invite.")
CONTACTS_HEADER: Final = N_("<b>Contacts</b> ({total}) — page {page} of {pages}")
CONTACTS_LINE: Final = N_("#{contact_id} {name} — {organisation} — {state}")
USAGE_REMOVECONTACT: Final = N_(
    "Usage: <code>/removecontact 12</code> (the number from /contacts)."
)
CONTACT_REMOVED: Final = N_("Contact #{contact_id} ({name}, {organisation}) no longer has access.")
CONTACT_NOT_FOUND: Final = N_(
    "There is no contact #{ref} with access. Send /contacts for the list."
)
ORG_NAME_UNCHANGED: Final = N_("The organisation is already named <b>{name}</b>.")
# A member's answer to a rename of their organisation that is no longer waiting.
RENAME_NOT_PENDING: Final = N_(
    "This change of your organisation's name was already answered or withdrawn: nothing changed."
)

# --- coordinators and approvals (issue 16) ----------------------------------------------------

COORDINATOR_NOT_FOUND: Final = N_("There is no coordinator #{ref} with access.")
COORDINATOR_ALREADY: Final = N_("Telegram account {ref} is a coordinator already.")
ACCOUNT_IS_MEMBER: Final = N_(
    "Telegram account {ref} is a contact of a member organisation, so it cannot be a "
    "coordinator too."
)
LAST_COORDINATOR: Final = N_(
    "That is the last coordinator: the coalition would have none. Add another one first."
)
APPROVAL_NOT_FOUND: Final = N_("There is no request #{ref}.")
APPROVAL_DECIDED: Final = N_(
    "Request #{ref} is no longer waiting: it was approved, rejected or cancelled already."
)
APPROVAL_EXPIRED: Final = N_(
    "Request #{ref} has expired: nothing was done. Ask again if it is still needed."
)
APPROVAL_OWN: Final = N_(
    "You made request #{ref} yourself: another coordinator must approve or reject it."
)
APPROVAL_OWN_REMOVAL: Final = N_(
    "Request #{ref} is about removing you: another coordinator must decide it."
)
APPROVAL_NOT_YOURS: Final = N_("Only the coordinator who made request #{ref} can do that.")
APPROVAL_STALE: Final = N_(
    "Letter #{ref} has changed since this was asked (a new version or deadline): nothing "
    "was done. Ask again."
)
NO_APPROVER: Final = N_(
    "Nobody could approve this: it is about the only other coordinator. A coordinator can "
    "ask for their own removal, or the operator of the server can remove them."
)
INVITATION_SHOWN: Final = N_(
    "The invitation link of request #{ref} was shown already, and it is shown only once. "
    "If it was lost, ask for a new invitation."
)
RULE_UNCHANGED: Final = N_("The approval rule is already set that way.")

# Commands and lists (issue 16).
CMD_COORDINATORS: Final = N_("Coordinators and invitations")
CMD_APPROVALS: Final = N_("Requests waiting for a second coordinator")
COORDINATOR_HELP_TWO_PEOPLE: Final = N_(
    "<b>Coordinators and approvals</b>\n"
    "/coordinators — the coordinators, and invitations not used yet\n"
    "/invitecoordinator [<i>label</i>] — a single-use link for a new coordinator\n"
    "/removecoordinator <i>coordinator</i> — take a coordinator's access away\n"
    "/approvals — requests waiting for a second coordinator, with buttons\n"
    "/approvalrule two | one — whether a second coordinator must approve\n"
    "\n"
    "With two or more coordinators, a second one approves: /purge, /removeorg, /renameorg of "
    "an organisation that has answered a letter, /reopen, a minor /revise of a signed letter, "
    "an earlier /deadline, and changes to coordinators or to this rule."
)
COORDINATORS_HEADER: Final = N_("<b>Coordinators</b> ({count}) — approval rule: {rule}")
RULE_TWO: Final = N_("a second coordinator approves what changes the record")
RULE_ONE: Final = N_("each coordinator acts alone (marked in the audit log)")
COORDINATORS_LINE: Final = N_(
    "#{contact_id} {name} — Telegram id {telegram_id} — since {since} — {how}"
)
COORDINATOR_UNNAMED: Final = N_("(has not written to the bot yet)")
COORDINATOR_VIA_SETTINGS: Final = N_("from COORDINATOR_IDS")
COORDINATOR_VIA_CLI: Final = N_("added on the server")
COORDINATOR_VIA_INVITATION: Final = N_("invited by {by}")
COORDINATORS_INVITED_HEADER: Final = N_("<b>Invitations not used yet</b>")
COORDINATORS_INVITED_LINE: Final = N_("#{contact_id} {label} — invited {since} by {by}")
COORDINATORS_FOOTER: Final = N_(
    "/invitecoordinator adds one, /removecoordinator <i>number</i> removes one."
)
USAGE_REMOVECOORDINATOR: Final = N_(
    "Usage: <code>/removecoordinator 3</code> (the number from /coordinators)."
)
USAGE_APPROVALRULE: Final = N_(
    "The approval rule now: {rule}.\n"
    "<code>/approvalrule two</code>: a second coordinator approves what changes the record "
    "(where there are two or more coordinators).\n"
    "<code>/approvalrule one</code>: each coordinator acts alone; turning it off needs a "
    "second coordinator's approval."
)
REMOVECOORDINATOR_ASK: Final = N_(
    "Remove coordinator #{contact_id} {name} (Telegram id {telegram_id})? They lose access at "
    "once, and the requests they made and nobody decided are cancelled."
)
REMOVECOORDINATOR_KEPT: Final = N_("Not removed: coordinator #{contact_id} keeps access.")
COORDINATOR_INVITED: Final = N_(
    "Invitation for a new coordinator{label}. Single-use, valid until {expires}:\n"
    "{link}\n"
    "\n"
    "Send it privately to that person only. Whoever opens it first becomes a coordinator."
)
COORDINATOR_REMOVED: Final = N_(
    "Coordinator #{contact_id} {name} no longer has access (from their next message on)."
)
RULE_CHANGED_TWO: Final = N_(
    "The approval rule is on: a second coordinator approves what changes the record."
)
RULE_CHANGED_ONE: Final = N_(
    "The approval rule is off: each coordinator acts alone; every such action is marked in "
    "the audit log as done without a second person."
)
WELCOME_COORDINATOR: Final = N_(
    "Welcome! You are now a <b>coordinator</b> of this coalition. Send /help to see what you "
    "can do."
)
COORDINATOR_JOINED: Final = N_(
    "✅ {name} (Telegram id {telegram_id}) took a coordinator invitation and is now "
    "coordinator #{contact_id}."
)
APPROVALS_EMPTY: Final = N_("No request is waiting for a second coordinator.")
DONE_ALONE: Final = N_(
    "Done without a second coordinator: you are the only coordinator, or the approval rule "
    "is off. The audit log marks it so."
)

# What a request will do (the full description, to the coordinators asked).
WHAT_PURGE: Final = N_(
    "Purge letter #{letter_id} <b>{title}</b>: its texts, comments and reasons are removed "
    "for good, and the bot's messages about it are deleted from members' chats. Who signed "
    "and how stays (signed: {signed})."
)
WHAT_REMOVE_ORGANISATION: Final = N_(
    "Remove organisation #{org_id} <b>{name}</b>: its contacts lose access at once "
    "(with access now: {contacts}) and the bot's messages about letters are deleted from "
    "their chats. Its responses stay in the record."
)
WHAT_RENAME: Final = N_("Rename organisation #{org_id}: <b>{old}</b> → <b>{new}</b>.")
WHAT_RENAME_CONSENT: Final = N_(
    "It has answered a letter, so its contacts are asked to confirm the new name; until one "
    "does, every list keeps <b>{old}</b>."
)
WHAT_REOPEN: Final = N_(
    "Reopen letter #{letter_id} <b>{title}</b> until {deadline}. Every contact who has it is "
    "told; organisations that signed can withdraw (signed: {signed})."
)
WHAT_REVISION: Final = N_(
    "A <b>minor</b> revision of letter #{letter_id} <b>{title}</b> (after {version}, new "
    "fingerprint {fingerprint}): the signatures stand on the new text (signed: {signed}). Every "
    "contact of every organisation that signed is shown the changes with a Withdraw button."
)
WHAT_DEADLINE: Final = N_(
    "Move the deadline of letter #{letter_id} <b>{title}</b> earlier: from {old} to {new}. "
    "Members are told."
)
WHAT_ADD_COORDINATOR: Final = N_(
    "Invite a new coordinator{label}. Once approved, the requester gets a button that shows "
    "a single-use link, once."
)
WHAT_REMOVE_COORDINATOR: Final = N_(
    "Remove coordinator #{contact_id} {name} (Telegram id {telegram_id}): they lose access at once."
)
WHAT_RULE_ONE: Final = N_(
    "Turn the approval rule off: from then on each coordinator acts alone (marked in the "
    "audit log)."
)
WHAT_RULE_TWO: Final = N_("Turn the approval rule on again.")
WHAT_RECORD: Final = N_(
    "Record for organisation #{org_id} <b>{name}</b> on letter #{letter_id} <b>{title}</b>: "
    "<b>{decision}</b>{listing}, {version}, received via {channel}. Its contacts are told and "
    "can answer in the bot themselves."
)
WHAT_RECORD_REPLACES: Final = N_("This replaces the answer the organisation gave in the bot.")
WHAT_PUBLISH: Final = N_(
    "Publish list {number} of letter #{letter_id} <b>{title}</b> ({version}): named {named}, "
    "and {anonymous} that cannot be named. The list is final once published; members are "
    "told and get the PDF."
)
WHAT_PUBLISH_CHANGES: Final = N_("Added since list {previous}: {added}. Withdrawn: {withdrawn}.")
WHAT_COLLECT: Final = N_(
    "Open letter #{letter_id} <b>{title}</b> again until {deadline} to collect additional "
    "signatories for the text of list {number}: {invited} organisations that have not signed "
    "are invited; those that signed can withdraw (signed: {signed})."
)
WHAT_TRANSLATION: Final = N_(
    "A <b>minor</b> change of the {language} translation of letter #{letter_id} <b>{title}</b> "
    "(after {version}): the signatures stand (signed: {signed}). Every contact of every "
    "organisation that signed is shown the changes with a Withdraw button."
)
WHAT_GONE: Final = N_("(its subject no longer exists)")

# The steps of a request, to the coordinators.
APPROVAL_WAITS: Final = N_(
    "⏳ Request #{approval_id} waits for a second coordinator (expires {expires}). The other "
    "coordinators are asked; you will be told the outcome. /approvals lists it.\n"
    "\n"
    "{what}"
)
APPROVAL_ASKED: Final = N_(
    "🔐 Request #{approval_id} from {requester} needs a second coordinator (expires "
    "{expires}):\n"
    "\n"
    "{what}"
)
APPROVAL_ASKED_NOT_YOU: Final = N_(
    "🔐 Request #{approval_id} from {requester} (another coordinator decides it; expires "
    "{expires}):\n"
    "\n"
    "{what}"
)
APPROVAL_LINE: Final = N_("#{approval_id} from {requester}, expires {expires}:\n{what}")
APPROVAL_APPROVED: Final = N_(
    "✅ Request #{approval_id} was approved by {decider} and is done:\n{what}"
)
APPROVAL_REJECTED: Final = N_(
    "✖️ Request #{approval_id} was rejected by {decider}: nothing was done.\n{what}"
)
APPROVAL_EXPIRED_NOTICE: Final = N_(
    "⌛ Request #{approval_id} expired without a second coordinator: nothing was done.\n{what}"
)
APPROVAL_CANCELLED_NOTICE: Final = N_(
    "Request #{approval_id} was cancelled by {decider}: nothing was done.\n{what}"
)
APPROVAL_CANCELLED_REMOVED: Final = N_(
    "Request #{approval_id} was cancelled: the coordinator who made it was removed.\n{what}"
)
APPROVAL_FAILED: Final = N_(
    "⚠️ Request #{approval_id} was approved by {decider} but could not be done now: {why} "
    "Nothing changed.\n{what}"
)
APPROVAL_INVITE_READY: Final = N_(
    "Press the button to see the link (once); send it privately to the new coordinator."
)
BUTTON_APPROVE: Final = N_("✅ Approve")
BUTTON_REJECT: Final = N_("✖️ Reject")
BUTTON_CANCEL_REQUEST: Final = N_("Cancel my request")
BUTTON_INVITATION_LINK: Final = N_("🔗 Show the invitation link")

# Renames an organisation confirms (to its contacts), and what coordinators see meanwhile.
RENAME_QUESTION: Final = N_(
    "✏️ The coordinators want to list your organisation as <b>{new}</b> instead of "
    "<b>{old}</b> — on the letters it signed, and from now on. Nothing changes until you "
    "answer: which name should be listed?"
)
BUTTON_RENAME_USE: Final = N_("Use “{short_name}”")  # at most 40 characters
BUTTON_RENAME_KEEP: Final = N_("Keep “{short_name}”")
RENAME_CONFIRMED: Final = N_("Done: your organisation is listed as <b>{name}</b> from now on.")
RENAME_KEPT: Final = N_("Done: your organisation stays listed as <b>{name}</b>.")
RENAME_CONFIRMED_NOTICE: Final = N_(
    "✏️ {contact} confirmed the new name of organisation #{org_id}: <b>{name}</b> (was {old})."
)
RENAME_KEPT_NOTICE: Final = N_(
    "✏️ {contact} kept the name of organisation #{org_id}: <b>{name}</b> (the rename to {new} "
    "is dropped)."
)
RENAME_ASKED: Final = N_(
    "Organisation #{org_id} has answered a letter, so it decides: its contacts (asked: "
    "{asked}) choose between <b>{new}</b> and <b>{old}</b>. Until one confirms, lists show "
    "<b>{old}</b>."
)
RENAME_NOBODY: Final = N_(
    "Organisation #{org_id} has answered a letter, so it decides, but none of its contacts "
    "has access: the rename to <b>{new}</b> waits until a contact joins (/invite). Lists show "
    "<b>{old}</b>."
)
RENAME_WAITING: Final = N_("{old} (rename to {new} waiting for the organisation)")

# What was done without a second coordinator, in /status.
STATUS_ALONE_HEADER: Final = N_("⚠️ <b>Done without a second coordinator</b> ({count}):")
STATUS_ALONE_LINE: Final = N_("• {when} — {action} — {actor}")
# What was done alone, by its audit action (others are shown as the action's code).
ALONE_REOPENED: Final = N_("letter reopened")
ALONE_MINOR_REVISION: Final = N_("minor revision of a signed text")
ALONE_PURGED: Final = N_("letter purged")
ALONE_ORG_REMOVED: Final = N_("organisation removed")
ALONE_ORG_RENAMED: Final = N_("organisation renamed")
ALONE_RENAME_ASKED: Final = N_("organisation's rename asked of it")
ALONE_DEADLINE_EARLIER: Final = N_("deadline moved earlier")
ALONE_COORDINATOR_ADDED: Final = N_("coordinator added")
ALONE_COORDINATOR_INVITED: Final = N_("coordinator invited")
ALONE_COORDINATOR_REMOVED: Final = N_("coordinator removed")
ALONE_RULE: Final = N_("approval rule changed")
ALONE_RESPONSE_RECORDED: Final = N_("organisation's answer recorded by a coordinator")
ALONE_PUBLISHED: Final = N_("list of signatories published")
ALONE_ACTIONS: Final = {
    "letter.reopened": ALONE_REOPENED,
    "version.added": ALONE_MINOR_REVISION,
    "letter.purged": ALONE_PURGED,
    "organisation.removed": ALONE_ORG_REMOVED,
    "organisation.renamed": ALONE_ORG_RENAMED,
    "organisation.rename_requested": ALONE_RENAME_ASKED,
    "deadline.moved": ALONE_DEADLINE_EARLIER,
    "coordinator.added": ALONE_COORDINATOR_ADDED,
    "coordinator.invited": ALONE_COORDINATOR_INVITED,
    "coordinator.removed": ALONE_COORDINATOR_REMOVED,
    "approval.rule": ALONE_RULE,
    "response.recorded": ALONE_RESPONSE_RECORDED,
    "publication.published": ALONE_PUBLISHED,
}
# In the export (plain text, the letter's language).
EXPORT_ALONE_HEADER: Final = N_("Done without a second coordinator ({count})")
EXPORT_ALONE_LINE: Final = N_("{when} — {action} — {actor}")
ALONE_BY_COORDINATOR: Final = N_("coordinator #{number}")

# Signers told of every change.
REOPENED_SIGNED: Final = N_(
    "Your organisation's signature stands. If it should not, withdraw it while the letter is open."
)
REVISION_MINOR_WITHDRAW: Final = N_(
    "Your organisation's signature stands on this new text. If it should not, withdraw it "
    "while the letter is open."
)

# Witness codes on receipts and reports.
WITNESS_LINE: Final = N_(
    "Witness code: <code>{code}</code> — keep it outside this chat; "
    "<code>/verify {code}</code> checks later that this record was not rewritten."
)
CHAIN_HEAD_LINE: Final = N_(
    "Audit log witness: <code>{code}</code> (keep it; /verify checks it later)."
)
RETENTION_NOTICE: Final = N_(
    "🗑 Letter #{letter_id} <b>{title}</b> will be purged by the retention setting on {when}: "
    "its texts go for good; who signed stays. Export it before then if you need the text."
)

# --- letters ----------------------------------------------------------------------------------

CMD_NEWLETTER: Final = N_("Start a new letter")
CMD_LETTERS: Final = N_("Letters and where they stand")
CMD_CANCEL: Final = N_("Leave what you are doing")

NEWLETTER_ASK_TITLE: Final = N_(
    "New letter. Send its <b>title</b> (what coordinators and members will see).\n"
    "\n"
    "Tip: you can also send everything at once — title on the first line, deadline on the "
    "second, the text below. /cancel leaves."
)
NEWLETTER_ASK_DEADLINE: Final = N_(
    "Title: <b>{title}</b>\n"
    "\n"
    "Now the <b>sign-off deadline</b>, e.g. <code>{iso} 18:00</code>, "
    "<code>{dotted} 18:00</code> or <code>{iso}</code> (end of that day). "
    "Times are in {zone} unless you add a zone, e.g. <code>{iso} 18:00 Europe/Vilnius</code>."
)
NEWLETTER_ASK_TEXT: Final = N_(
    "Deadline: <b>{deadline}</b> ({relative})\n"
    "\n"
    "Now the <b>text</b> of the letter: paste it (several messages are fine) or upload it as a "
    ".txt, .md or .docx file. Press <b>Done</b> when the whole text is here.\n"
    "\n"
    "The letter's language (for the export and its signatory list): <b>{language}</b>. "
    "Another one? Press its button."
)
REVISE_ASK_TEXT: Final = N_(
    "New version of <b>{title}</b> (now {version}).\n"
    "\n"
    "Send the complete new text: paste it (several messages are fine) or upload a .txt, .md or "
    ".docx file. Press <b>Done</b> when the whole text is here. /cancel leaves."
)
TEXT_RECEIVED: Final = NP_(
    "Got it: {characters} character so far. Send more, or press <b>Done</b>.",
    "Got it: {characters} characters so far. Send more, or press <b>Done</b>.",
    "characters",
)
TEXT_EMPTY_YET: Final = N_("There is no text yet. Paste it or upload a file first.")
FILE_RECEIVED: Final = NP_(
    "Read {characters} character from <b>{file_name}</b>.",
    "Read {characters} characters from <b>{file_name}</b>.",
    "characters",
)
REVISE_SUMMARY: Final = N_("New text: {characters}. {changes}")
REVISE_QUESTION: Final = N_(
    "Is this a <b>material</b> change (organisations that signed must confirm again) or a "
    "<b>minor</b> one (their signatures stand)?"
)
# Telegram apps split a long paste into several messages; the bot joins them back.
PASTE_JOINED_SPACE: Final = N_(
    "🔗 Telegram split your paste inside a sentence; I joined it with a space: «…{before} {after}…»"
)
PASTE_JOINED_LINE: Final = N_(
    "🔗 Telegram split your paste at a line break; I kept the line break: «…{before}» ↵ «{after}…»"
)
PASTE_JOINED_PARAGRAPH: Final = N_(
    "🔗 Telegram split your paste between paragraphs; I kept the paragraph break: "
    "«…{before}» ¶ «{after}…»"
)
PASTE_JOIN_UNSURE: Final = N_(
    "⚠️ Please check: Telegram split your paste after «…{before}» and before «{after}…». "
    "I can't tell whether this is the middle of a paragraph, so I kept a paragraph break."
)
PASTE_JOINS_MORE: Final = NP_("… and {count} more join.", "… and {count} more joins.")
PASTE_JOINS_HINT: Final = N_(
    "If a join is wrong, send /cancel and upload the letter as a .docx, .txt or .md file: "
    "a file arrives in one piece."
)
PASTE_REPLACES_FILE: Final = N_(
    "The file you sent before is set aside: the pasted text will be used."
)
SIGNATORIES_IN_TEXT: Final = NP_(
    "⚠️ The text seems to contain a list of signatories ({count} line, starting with "
    "«{first}»). The export adds the signatory list itself, so it would appear twice.",
    "⚠️ The text seems to contain a list of signatories ({count} lines, starting with "
    "«{first}»). The export adds the signatory list itself, so it would appear twice.",
)
SIGNATORIES_PASTE_HINT: Final = N_(
    "If the list should not be in the letter, send /cancel and paste the text again without "
    "it. If it belongs there, go on."
)
SIGNATORIES_FILE_HINT: Final = N_(
    "Press <b>Done</b> to use this text anyway, or send a corrected file. /cancel leaves."
)
SIGNATORIES_REVISE_HINT: Final = N_(
    "If the list should not be in the letter, press Cancel and send the text again without it."
)
BUTTON_DONE: Final = N_("Done")
BUTTON_CANCEL: Final = N_("Cancel")
BUTTON_MATERIAL: Final = N_("Material: ask to sign again")
BUTTON_MINOR: Final = N_("Minor: signatures stand")
FLOW_CANCELLED: Final = N_("Cancelled. Nothing was saved.")
NOTHING_TO_CANCEL: Final = N_("There is nothing to cancel.")
FLOW_EXPECTS_TEXT: Final = N_("I'm waiting for text or a file here. /cancel leaves.")
TEXT_STEP_IMAGE: Final = N_(
    "I can't read images such as photos or scans. Paste the text, or send it as a .txt, .md "
    "or .docx file. /cancel leaves."
)
TEXT_STEP_MEDIA: Final = N_(
    "I can't use this kind of message as the letter's text. Paste the text, or send it as a "
    ".txt, .md or .docx file. /cancel leaves."
)
FLOW_STALE: Final = N_("That step is over. Start again if you need to.")

LETTER_CREATED: Final = N_(
    "Letter #{letter_id} created: <b>{title}</b>\n"
    "Deadline: {deadline}\n"
    "Version {version}, {characters}.\n"
    "Language: {language}\n"
    "\n"
    "See what members will get: /preview {letter_id}\n"
    "Send it to every organisation: /circulate {letter_id} all\n"
    "Or to some: /circulate {letter_id} 3 7 12"
)
LETTER_REVISED: Final = NP_(
    "Letter #{letter_id} now has version {version} ({kind}). {notices} notice queued for "
    "members who have the letter.",
    "Letter #{letter_id} now has version {version} ({kind}). {notices} notices queued for "
    "members who have the letter.",
    "notices",
)
KIND_MATERIAL: Final = N_("material")
KIND_MINOR: Final = N_("minor")
LETTER_CIRCULATED: Final = N_(
    "Letter #{letter_id} <b>{title}</b> is open: {version} is on its way.\n"
    "Organisations: {organisations}\n"
    "Contacts: {recipients}\n"
    "Messages queued: {queued}\n"
    "I'll show the progress here."
)
CIRCULATED_NO_CONTACT: Final = NP_(
    "📭 {count} organisation received nothing: no contact has joined it yet — /invite. "
    "Its contacts get the letter when they join.\n{names}",
    "📭 {count} organisations received nothing: no contact has joined them yet — /invite. "
    "Their contacts get the letter when they join.\n{names}",
)
NAME_LINE: Final = N_("• {name}")
NAMES_MORE: Final = N_("… and {count} more: /status {letter_id}")
CIRCULATE_ASK: Final = NP_(
    "Send letter #{letter_id} <b>{title}</b> ({version}) to the {organisations} organisation "
    "of the coalition? To send it to some only, name them: "
    "<code>/circulate {letter_id} 3 7 12</code> (numbers from /orgs).",
    "Send letter #{letter_id} <b>{title}</b> ({version}) to all {organisations} organisations "
    "of the coalition? To send it to some only, name them: "
    "<code>/circulate {letter_id} 3 7 12</code> (numbers from /orgs).",
    "organisations",
)
BUTTON_CIRCULATE_ALL: Final = NP_(
    "📨 Send to the {count} organisation", "📨 Send to all {count} organisations"
)
CIRCULATE_NOT_SENT: Final = N_("Not sent: letter #{letter_id} stays as it was.")
LETTER_CIRCULATED_NOTHING: Final = NP_(
    "Letter #{letter_id} is open for {organisations} organisation, but nobody new needs it: "
    "everyone already has {version}, or that organisation has no active contacts yet. "
    "Contacts who join later get it when they join.",
    "Letter #{letter_id} is open for {organisations} organisations, but nobody new needs it: "
    "everyone already has {version}, or those organisations have no active contacts yet. "
    "Contacts who join later get it when they join.",
    "organisations",
)
USAGE_CIRCULATE: Final = N_(
    "Usage: <code>/circulate 4 all</code> or <code>/circulate 4 3 7 12</code> "
    "(the letter's number, then <i>all</i> or organisation numbers from /orgs)."
)
USAGE_LETTER_REF: Final = N_(
    "Usage: <code>/{command} 4</code> (the letter's number from /letters)."
)
LETTERS_EMPTY: Final = N_("No letters yet. Start one with /newletter.")
LETTERS_HEADER: Final = N_("<b>Letters</b> ({total}) — page {page} of {pages}")
LETTERS_LINE: Final = N_(
    "<b>#{letter_id} {title}</b> — {status}\n"
    "    deadline {deadline} · {version}\n"
    "    organisations: {organisations} · {counts}"
)
# The counts /status shows, on one line (/letters, /letter).
COUNT_SIGNED: Final = N_("signed: {count}")
COUNT_RECONFIRM: Final = N_("needs reconfirmation: {count}")
COUNT_DECLINED: Final = N_("declined: {count}")
COUNT_PENDING: Final = N_("no answer yet: {count}")
COUNT_NO_CONTACT: Final = N_("no contact yet: {count}")
LETTER_STATUS_DRAFT: Final = N_("draft")
LETTER_STATUS_OPEN: Final = N_("open")
LETTER_STATUS_CLOSED: Final = N_("closed")
LETTER_DETAILS: Final = N_(
    "<b>#{letter_id} {title}</b> — {status}\n"
    "Deadline: {deadline} ({relative})\n"
    "Language: {language}\n"
    "Organisations: {organisations} · active contacts: {recipients}\n"
    "{counts}\n"
    "\n"
    "<b>Versions</b>\n"
    "{versions}"
)
LETTER_VERSION_LINE: Final = N_("{version} — {kind}, {characters}, {created}{source}")
LETTER_FIRST_VERSION_LINE: Final = N_("{version} — {characters}, {created}{source}")
LETTER_VERSION_SOURCE: Final = N_(", from {file_name}")
PREVIEW_ORGANISATION: Final = N_("(the member's organisation)")
PREVIEW_BUTTON: Final = N_("This is a preview: the buttons work for members only.")
PREVIEW_INTRO: Final = N_(
    "Preview: this is exactly what a member receives for letter #{letter_id}."
)

LETTER_NOT_FOUND: Final = N_("There is no letter #{ref}. Send /letters for the list.")
LETTER_CLOSED: Final = N_(
    "Letter #{ref} is closed; it can't be changed or sent. A coordinator can reopen it with a "
    "new deadline."
)
LETTER_UNCHANGED: Final = N_("This text is identical to version {version}; nothing was added.")
LETTER_NO_ORGANISATIONS: Final = N_("There are no organisations yet. Add them with /addorg.")
TITLE_EMPTY: Final = N_("The title is empty. Send the title.")
TITLE_TOO_LONG: Final = NP_(
    "The title is too long: at most {limit} character.",
    "The title is too long: at most {limit} characters.",
    "limit",
)
TITLE_INVALID: Final = N_("The title must be one line without control characters.")
TEXT_EMPTY: Final = N_("The text is empty.")
TEXT_TOO_LONG: Final = NP_(
    "The text is too long: {length} character, at most {limit}. Nothing more was added; "
    "send /cancel to start over.",
    "The text is too long: {length} characters, at most {limit}. Nothing more was added; "
    "send /cancel to start over.",
    "length",
)
DEADLINE_FORMAT: Final = N_(
    "I can't read that date. Use <code>2026-02-20 18:00</code>, <code>20.02.2026 18:00</code>, "
    "<code>20/02/2026 6pm</code>, <code>20 Feb 18:00</code> or <code>2026-02-20</code> (end of "
    "that day), optionally followed by a zone like Europe/Vilnius."
)
DEADLINE_ZONE: Final = N_("Unknown time zone. Use a name like Europe/Zurich or Europe/Vilnius.")
DEADLINE_PAST: Final = N_("That moment has already passed. Send a deadline in the future.")
# The refusals that repeat the moment the bot understood, so a misreading shows.
DEADLINE_PAST_AT: Final = N_("{deadline} has already passed. Send a deadline in the future.")
DEADLINE_NONEXISTENT: Final = N_(
    "That local time does not exist (the clocks jump forward then). Pick another time."
)
DEADLINE_NONEXISTENT_AT: Final = N_(
    "{moment} does not exist in {zone}: the clocks jump forward then. Pick another time."
)
DEADLINE_DAY_FIRST: Final = N_(
    "I read dates day first (day/month/year), and <code>{raw}</code> has no month {month}. "
    "For the day you mean, write <code>{suggestion}</code>."
)
FILE_UNSUPPORTED: Final = N_(
    "I can read .txt, .md and .docx files only. Send the text in one of those, or paste it."
)
FILE_BROKEN: Final = N_("I couldn't open that file; it seems damaged. Try saving it again.")
FILE_ENCODING: Final = N_("That text file is not UTF-8. Save it as UTF-8 and send it again.")
FILE_EMPTY: Final = N_("That file has no text in it.")
FILE_TOO_BIG: Final = N_("That file is too big ({size} MB); the limit is {limit} MB.")
FILE_TOO_LONG: Final = NP_(
    "That file holds {length} character; a letter can have at most {limit}.",
    "That file holds {length} characters; a letter can have at most {limit}.",
    "length",
)

# What members receive.
LETTER_SUMMARY: Final = N_(
    "📄 <b>{title}</b>\n"
    "A joint letter for <b>{organisation}</b> to sign.\n"
    "Deadline: <b>{deadline}</b> ({relative})\n"
    "Version: {version}\n"
    "\n"
    "<i>{preview}</i>\n"
    "\n"
    "Use the buttons to sign, decline or comment for your organisation. "
    "Full text shows the whole letter."
)
LETTER_PART_HEADER: Final = N_("<b>{title}</b> · {version} · part {part} of {parts}")
LETTER_FILE_CAPTION: Final = N_("{file_name} · {version} (the original file)")
REVISION_NOTICE: Final = N_(
    "✏️ <b>{title}</b> has a new version: {version}.\n{consequence}\n\n{changes}"
)
REVISION_MATERIAL: Final = N_(
    "This is a <b>material</b> change: a signature given on an earlier version must be "
    "confirmed again."
)
REVISION_MINOR: Final = N_(
    "This is a <b>minor</b> change: signatures given on earlier versions still stand."
)
CHANGE_CHANGED: Final = N_("<b>§{position} changed</b>\nwas: {old}\nnow: {new}")
CHANGE_ADDED: Final = N_("<b>§{position} added</b>\n{new}")
CHANGE_REMOVED: Final = N_("<b>§{position} removed</b>\n{old}")
CHANGES_MORE: Final = NP_(
    "… and {count} more change: see the full text.",
    "… and {count} more changes: see the full text.",
)
BUTTON_SIGN: Final = N_("✍️ Sign")
BUTTON_SIGN_AGAIN: Final = N_("✍️ Sign again")
BUTTON_DECLINE: Final = N_("Decline")
BUTTON_COMMENT: Final = N_("💬 Comment")
BUTTON_FULL_TEXT: Final = N_("📄 Full text")
BUTTON_OPEN_CURRENT: Final = N_("📄 Open {version}")
FULL_TEXT_QUEUED: Final = N_("The full text is on its way.")
# To a member, for a letter that does not exist and for one their organisation never
# received alike: forged button data learns nothing about other letters.
MEMBER_LETTER_UNKNOWN: Final = N_(
    "I can't find that letter among your organisation's letters. Send /mine to see the open ones."
)
LETTER_PURGED: Final = N_("This letter's text has been removed.")
FULL_TEXT_CLOSED: Final = N_(
    "This letter is closed, so its full text is no longer sent. Your organisation's answer "
    "stays as it was recorded."
)
FULL_TEXT_REPLACED: Final = N_(
    "This is not the current text: version {latest} replaced it. The button below sends the "
    "current full text."
)

# --- responses ---------------------------------------------------------------------------------

CMD_MINE: Final = N_("Open letters for my organisation")
CMD_WITHDRAW: Final = N_("Withdraw my organisation's signature")
CMD_STATUS: Final = N_("Who signed a letter")
CMD_EXPORT: Final = N_("Final text and signatory list")

SIGN_CHOOSE_LISTING: Final = N_(
    "Sign <b>{title}</b> ({version}) for:\n"
    "\n"
    "<b>{organisation}</b>\n"
    "\n"
    "This is exactly how the name will appear in the list. How should your organisation be "
    "listed?"
)
SIGN_CONFIRM: Final = N_(
    "Please confirm: <b>{organisation}</b> signs <b>{title}</b>, {version}, {listing}."
)
LISTING_NAMED: Final = N_("listed by name")
LISTING_ANONYMOUS: Final = N_("listed as an organisation that cannot be named")
LISTING_INTERNAL: Final = N_("internal only (not in the published list)")
BUTTON_LISTING_NAMED: Final = N_("Listed by name")
BUTTON_LISTING_ANONYMOUS: Final = N_("Counted, not named")
BUTTON_LISTING_INTERNAL: Final = N_("Internal only")
BUTTON_CONFIRM: Final = N_("✅ Confirm")
BUTTON_WITHDRAW: Final = N_("Withdraw signature")
BUTTON_SKIP: Final = N_("Skip")
BUTTON_REPLY: Final = N_("↩️ Reply")
SIGN_CANCELLED: Final = N_("Not signed. Nothing was changed.")
SIGN_RECEIPT: Final = N_(
    "✅ Signed for <b>{organisation}</b>: <b>{title}</b>\n"
    "Version: {version}\n"
    "Listing: {listing}\n"
    "Recorded: {when}"
)
SIGN_ALREADY: Final = N_(
    "Your organisation had already signed this version this way; nothing changed."
)
COLLEAGUE_SIGNED: Final = N_(
    "{name} signed <b>{title}</b> ({version}) for {organisation}, {listing}."
)
DECLINE_ASK_REASON: Final = N_(
    "Decline <b>{title}</b> for <b>{organisation}</b>?\n"
    "\n"
    "If you like, send the reason as your next message (coordinators will see it), "
    "or press Skip. /cancel leaves without declining."
)
DECLINE_RECEIPT: Final = N_(
    "Declined for <b>{organisation}</b>: <b>{title}</b> ({version}). Recorded: {when}"
)
COLLEAGUE_DECLINED: Final = N_("{name} declined <b>{title}</b> for {organisation}.")
WITHDRAW_RECEIPT: Final = N_(
    "The signature of <b>{organisation}</b> on <b>{title}</b> is withdrawn. Recorded: {when}. "
    "You can sign again while the letter is open."
)
WITHDRAW_ASK: Final = N_(
    "Withdraw the signature of <b>{organisation}</b> on <b>{title}</b>? It will no longer be "
    "counted or listed; you can sign again while the letter is open."
)
BUTTON_WITHDRAW_CONFIRM: Final = N_("↩️ Yes, withdraw it")
BUTTON_KEEP_SIGNATURE: Final = N_("Keep the signature")
WITHDRAW_KEPT: Final = N_("Not withdrawn: your organisation's signature stands.")
COLLEAGUE_WITHDREW: Final = N_("{name} withdrew the signature of {organisation} on <b>{title}</b>.")
USAGE_WITHDRAW: Final = N_("Usage: <code>/withdraw 4</code> (the letter's number from /mine).")
NOTHING_TO_WITHDRAW: Final = N_("Your organisation has not signed letter #{ref}.")
COMMENT_ASK: Final = NP_(
    "Send your comment on <b>{title}</b> ({version}) as your next message (up to {limit} "
    "character). Coordinators will see it with your organisation's name. /cancel leaves.",
    "Send your comment on <b>{title}</b> ({version}) as your next message (up to {limit} "
    "characters). Coordinators will see it with your organisation's name. /cancel leaves.",
    "limit",
)
COMMENT_SAVED: Final = N_("Thank you. Your comment was sent to the coordinators.")
COMMENT_TO_COORDINATORS: Final = N_(
    "💬 Comment #{comment_id} on <b>{title}</b> ({version})\n"
    "from {name}, <b>{organisation}</b>:\n"
    "\n"
    "{body}"
)
REPLY_ASK: Final = N_("Send your reply to comment #{comment_id} as your next message.")
REPLY_TO_MEMBER: Final = N_(
    "↩️ The coordinators replied to your comment on <b>{title}</b>:\n\n<i>{comment}</i>\n\n{body}"
)
REPLY_SENT: Final = N_("Your reply was sent to {name} ({organisation}).")
COMMENT_EMPTY: Final = N_("The comment is empty.")
COMMENT_TOO_LONG: Final = NP_(
    "That is too long: {length} character, at most {limit}. Please shorten it.",
    "That is too long: {length} characters, at most {limit}. Please shorten it.",
    "length",
)
REASON_TOO_LONG: Final = NP_(
    "The reason is too long: at most {limit} character.",
    "The reason is too long: at most {limit} characters.",
    "limit",
)
COMMENT_NOT_FOUND: Final = N_("There is no comment #{ref}.")
MEMBER_GONE: Final = N_(
    "The author of comment #{ref} no longer has access; the reply can't be delivered."
)
VERSION_SUPERSEDED: Final = N_(
    "This version was replaced by a material revision. Please read version {latest} and sign "
    "that one."
)
RESPONSE_LETTER_CLOSED: Final = N_("This letter is closed; answers can no longer be changed.")
MINE_EMPTY: Final = N_("There are no open letters for your organisation right now.")
MINE_HEADER: Final = N_("<b>Open letters for {organisation}</b>")
MINE_LINE: Final = N_(
    "#{letter_id} <b>{title}</b> ({version}) — {state}\n    deadline {deadline} ({relative})"
)
STATE_SIGNED: Final = N_("signed")
STATE_RECONFIRM: Final = N_("signed an earlier version: please confirm again")
STATE_DECLINED: Final = N_("declined")
STATE_WITHDRAWN: Final = N_("signature withdrawn")
STATE_PENDING: Final = N_("no answer yet")
STATE_NO_CONTACT: Final = N_("no contact yet: received nothing — /invite")

USAGE_REOPEN: Final = N_(
    "Usage: <code>/reopen 4 2026-03-01 18:00</code> (the letter's number, then a new deadline)."
)
CLOSE_ASK: Final = N_(
    "Close letter #{letter_id} <b>{title}</b>? Nobody can sign, decline or change an answer "
    "any more, reminders stop, and members are told it closed; /reopen opens it again."
)
BUTTON_CLOSE: Final = N_("🔒 Close it")
CLOSE_KEPT: Final = N_("Not closed: letter #{letter_id} stays open.")
LETTER_CLOSED_DONE: Final = NP_(
    "Letter #{letter_id} <b>{title}</b> is closed. {signed} organisation signed.",
    "Letter #{letter_id} <b>{title}</b> is closed. {signed} organisations signed.",
    "signed",
)
LETTER_REOPENED: Final = N_("Letter #{letter_id} is open again until {deadline}.")
NOT_OPEN: Final = N_("Letter #{ref} is not open.")
NOT_CLOSED: Final = N_("Letter #{ref} is not closed (or its texts were purged).")
# Issue 17's refusals: languages, the person signing, recorded answers, translations, lists.
LANGUAGE_UNKNOWN: Final = N_(
    "“{raw}” is not a language of the lists: en (English), ru (Russian) or be (Belarusian)."
)
SIGNER_NAME_EMPTY: Final = N_("The name of the person signing is empty. Send their name.")
SIGNER_TOO_LONG: Final = NP_(
    "That is too long: at most {limit} character.",
    "That is too long: at most {limit} characters.",
    "limit",
)
SIGNER_INVALID: Final = N_(
    "Send the name and the title as one line each, without line breaks or control characters."
)
SIGNER_NEEDED: Final = N_(
    "Letter #{ref} lists the person signing for each organisation: give your name (and "
    "title) before you sign."
)
NOTE_TOO_LONG: Final = NP_(
    "The note is too long ({length} characters): at most {limit} character.",
    "The note is too long ({length} characters): at most {limit} characters.",
    "limit",
)
VERSION_NOT_FOUND: Final = N_("Letter #{ref} has no version {version}.")
ORG_NOT_RECIPIENT: Final = N_(
    "Letter #{ref} did not go to <b>{name}</b>. Circulate it to them first, then record "
    "their answer."
)
NOT_SIGNED: Final = N_(
    "<b>{name}</b> has not signed letter #{ref}: there is no signature to withdraw."
)
LETTER_PUBLISHED: Final = N_(
    "Letter #{ref} was published (list {number}): its text and translations are final. To "
    "change them, start a new letter from it with /copyletter {ref}."
)
TRANSLATION_SAME_LANGUAGE: Final = N_(
    "{language} is the language of letter #{ref} itself: change its text with /revise {ref}."
)
TRANSLATION_UNCHANGED: Final = N_(
    "This text is identical to the translation ({language}) in version {version}; nothing "
    "was added."
)
NO_TRANSLATION: Final = N_("Letter #{ref} has no translation into {language}.")
VERSION_NOT_PUBLISHED: Final = N_(
    "This letter now collects signatures on its published text, {latest}. Please read that "
    "version and sign it."
)
PUBLISH_NOT_CLOSED: Final = N_(
    "Letter #{ref} is not closed yet: its list is published once the sign-off is over "
    "(/close {ref})."
)
PUBLISH_EMPTY: Final = N_(
    "No organisation stands signed on letter #{ref}, by name or anonymously: there is no list "
    "to publish."
)
PUBLISH_UNCHANGED: Final = N_(
    "List {number} of letter #{ref} already has exactly these signatories; nothing was published."
)
NOT_PUBLISHED: Final = N_("Letter #{ref} has not been published yet: /publish {ref} makes list 1.")
PUBLICATION_NOT_FOUND: Final = N_("Letter #{ref} has no list {number}.")
STATUS_TEXT: Final = N_(
    "<b>#{letter_id} {title}</b> — {status}, {version}\n"
    "Deadline: {deadline} ({relative})\n"
    "\n"
    "✅ signed: {signed}\n"
    "🔁 needs reconfirmation: {reconfirm}\n"
    "✖️ declined: {declined}\n"
    "⏳ pending: {pending}\n"
    "📵 unreachable: {unreachable}"
)
STATUS_NO_CONTACT: Final = N_("📭 no contact yet, received nothing: {count} — /invite")
STATUS_HEADER: Final = N_("<b>#{letter_id}</b> by organisation — page {page} of {pages}")
STATUS_LINE: Final = N_("{icon} {organisation} — {state}{detail}; last activity {last}")
STATUS_NEVER: Final = N_("none")
STATUS_CHART_CAPTION: Final = N_("Responses to letter #{letter_id} over time")
COMMENTS_EMPTY: Final = N_("No comments on letter #{letter_id} yet.")
COMMENTS_VERSION: Final = N_("<b>{version}</b>")
COMMENTS_LINE: Final = N_("#{comment_id} {organisation} ({name}), {when}:\n{body}")
COMMENTS_REPLY_LINE: Final = N_("    ↩️ coordinators, {when}: {body}")
REMIND_NOTE: Final = N_(
    "⏰ A letter is waiting for your organisation's answer — deadline {relative}."
)
REMIND_QUEUED: Final = NP_(
    "Reminder queued for {organisations} organisation (contacts: {contacts}).",
    "Reminder queued for {organisations} organisations (contacts: {contacts}).",
    "organisations",
)
REMIND_CHASE: Final = NP_(
    "{count} organisation that owes an answer can't get a reminder in Telegram; please "
    "remind it another way:\n{organisations}",
    "{count} organisations that owe an answer can't get a reminder in Telegram; please "
    "remind them another way:\n{organisations}",
)
REMIND_NOBODY: Final = N_("Every organisation has answered; nobody to remind.")
EXPORT_CAPTION: Final = N_("Letter #{letter_id}, {version}: {files}")
AUDIT_CAPTION: Final = NP_(
    "Audit trail of letter #{letter_id}: {events} event, with its hash. "
    "The whole log is checked on the server with <code>coalition-bot audit verify</code>.",
    "Audit trail of letter #{letter_id}: {events} events, each with its hash. "
    "The whole log is checked on the server with <code>coalition-bot audit verify</code>.",
    "events",
)

# /verify: the audit log checked from Telegram. Coordinators get the whole check; members
# only whether witness codes of their own organisation's events hold (see bot/handlers/audit).
VERIFY_USAGE_MEMBER: Final = N_(
    "Send /verify with a witness code from one of your receipts, e.g. "
    "<code>/verify #212-7f3a-9c21-d04b-8e2a-a19c</code>. I check that the event it names is "
    "still in the audit log, unchanged and in its place."
)
VERIFY_TOO_MANY: Final = N_("At most {limit} codes at a time, please.")
VERIFY_CHAIN_OK: Final = NP_(
    "✅ The audit log is whole: {events} event, each linked to the one before it.",
    "✅ The audit log is whole: {events} events, each linked to the one before it.",
    "events",
)
VERIFY_CHAIN_BROKEN: Final = N_(
    "❌ The audit log is broken at event #{event}: <code>{reason}</code>"
)
VERIFY_RECORD_OK: Final = N_(
    "✅ Responses, organisations, contacts, letters and versions are what the log says."
)
VERIFY_RECORD_DIFFERS: Final = N_(
    "❌ The records differ from the audit log: <code>{difference}</code>"
)
VERIFY_MORE_DIFFERENCES: Final = NP_(
    "…and {count} more difference (<code>coalition-bot audit verify</code> on the server).",
    "…and {count} more differences (<code>coalition-bot audit verify</code> on the server).",
    "count",
)
VERIFY_HEAD: Final = N_("The latest event, to note down outside the server: <code>{code}</code>")
VERIFY_HELD: Final = N_(
    "✅ <code>{code}</code>: event #{event} ({action}) is in the log, in its place."
)
VERIFY_MOVED: Final = N_(
    "❌ <code>{code}</code>: these digits are event #{found}'s now: events were inserted or "
    "removed before it."
)
VERIFY_DIFFERENT: Final = N_(
    "❌ <code>{code}</code>: event #{event} is not the one witnessed: the log was rewritten at "
    "or before it."
)
VERIFY_MISSING: Final = N_(
    "❌ <code>{code}</code>: there is no event #{event} any more: events were removed."
)
VERIFY_CUT: Final = N_(
    "❌ <code>{code}</code>: the log ends at event #{last}, before this one: events were cut "
    "off its end."
)
VERIFY_UNREADABLE: Final = N_(
    "❓ <code>{code}</code>: not a witness code (they look like "
    "<code>#212-7f3a-9c21-d04b-8e2a-a19c</code>)."
)
VERIFY_MEMBER_HELD: Final = N_(
    "✅ <code>{code}</code>: your organisation's event #{event} is in the audit log, unchanged "
    "and in its place."
)
VERIFY_MEMBER_UNMATCHED: Final = N_(
    "❌ <code>{code}</code>: this matches no event of your organisation. If you copied it from "
    "one of your receipts, the audit log was changed since: tell the coalition's coordinators."
)
VERIFY_MEMBER_LOG_FAILS: Final = N_(
    "⚠️ The audit log as a whole does not pass its check: tell the coalition's coordinators."
)

# --- outbox -----------------------------------------------------------------------------------

# The progress message a coordinator sees while a broadcast goes out (edited as it goes).
OUTBOX_PROGRESS: Final = NP_(
    "⏳ Delivering: {delivered} of {total} message delivered{details}",
    "⏳ Delivering: {delivered} of {total} messages delivered{details}",
    "total",
)
OUTBOX_PROGRESS_DONE: Final = NP_(
    "✅ Delivery finished: {delivered} of {total} message delivered{details}",
    "✅ Delivery finished: {delivered} of {total} messages delivered{details}",
    "total",
)
OUTBOX_DETAIL_UNREACHABLE: Final = NP_(
    ", {count} contact unreachable", ", {count} contacts unreachable"
)
OUTBOX_DETAIL_UNCERTAIN: Final = N_(", {count} uncertain")
OUTBOX_DETAIL_FAILED: Final = N_(", {count} failed")
# The final report, sent once when the broadcast is drained.
OUTBOX_REPORT: Final = NP_(
    "<b>Delivery report</b>\n{delivered} of {total} message delivered.",
    "<b>Delivery report</b>\n{delivered} of {total} messages delivered.",
    "total",
)
OUTBOX_REPORT_UNREACHABLE: Final = N_(
    "<b>Can't be reached</b> — they blocked the bot or never opened it; their remaining "
    "messages were not sent:"
)
OUTBOX_REPORT_CONTACT: Final = N_("• {name} ({organisation})")
OUTBOX_REPORT_CONTACT_NO_ORG: Final = N_("• {name}")
OUTBOX_REPORT_MORE: Final = N_("… and {count} more (see /contacts)")
OUTBOX_REPORT_UNCERTAIN: Final = NP_(
    "<b>{count} message may not have arrived</b> — it was on its way when the bot stopped, "
    "or Telegram did not confirm it. It was not sent again on its own; the button sends it "
    "again (it may then arrive twice). To:",
    "<b>{count} messages may not have arrived</b> — they were on their way when the bot "
    "stopped, or Telegram did not confirm them. They were not sent again on their own; the "
    "button sends them again (they may then arrive twice). To:",
)
OUTBOX_REPORT_REFUSED: Final = NP_(
    "{count} message could not be sent. Telegram's first answer: {error}",
    "{count} messages could not be sent. Telegram's first answer: {error}",
)
OUTBOX_REPORT_FAILED: Final = NP_(
    "{count} message could not be sent: Telegram could not be reached for hours.",
    "{count} messages could not be sent: Telegram could not be reached for hours.",
)
OUTBOX_REPORT_CANCELLED: Final = NP_(
    "{count} message was not sent because the contact lost access or the letter was purged.",
    "{count} messages were not sent because the contact lost access or the letter was purged.",
)
# Messages that may not have arrived (issue 13): named in /status too, sent again on request.
BUTTON_RESEND: Final = N_("🔁 Send again")
STATUS_UNCERTAIN: Final = NP_(
    "⚠️ <b>{count} contact may not have got a message about letter #{letter_id}</b>: it was "
    "on its way when the bot stopped, or Telegram did not confirm it, and it was not sent "
    "again on its own. The button sends again what is still unconfirmed (it may then "
    "arrive twice).",
    "⚠️ <b>{count} contacts may not have got a message about letter #{letter_id}</b>: it was "
    "on its way when the bot stopped, or Telegram did not confirm it, and it was not sent "
    "again on its own. The button sends again what is still unconfirmed (it may then "
    "arrive twice).",
)
RESEND_QUEUED: Final = NP_(
    "🔁 Sending {count} message again. A delivery report follows.",
    "🔁 Sending {count} messages again. A delivery report follows.",
)
RESEND_NOTHING: Final = N_(
    "Nothing to send again: those messages were sent again already, or their contacts were removed."
)
RESEND_CLOSED: Final = N_("Letter #{ref} is closed: its messages are not sent again.")
# Told to every coordinator at once, once per contact and broadcast.
OUTBOX_CONTACT_UNREACHABLE: Final = N_(
    "⚠️ {name} ({organisation}) can't be reached: they blocked the bot or never opened it. "
    "Their remaining messages of this delivery were not sent."
)
OUTBOX_CONTACT_UNREACHABLE_NO_ORG: Final = N_(
    "⚠️ {name} can't be reached: they blocked the bot or never opened it. "
    "Their remaining messages of this delivery were not sent."
)
# A broadcast without a progress message: coordinators hear of a refused message at once.
OUTBOX_MESSAGE_REFUSED: Final = N_(
    "⚠️ Telegram refused a message to {name} and it was not sent: {error}"
)
COUNT_CHARACTERS: Final = NP_("{count} character", "{count} characters")
PARAGRAPHS_CHANGED: Final = NP_("{count} paragraph changed.", "{count} paragraphs changed.")
CMD_LANGUAGE: Final = N_("The language I write to you in")
LANGUAGE_ASK: Final = N_("I write to you in <b>{language}</b>. Choose another language:")
LANGUAGE_SET: Final = N_("From now on I write to you in English.")
EXPORT_SIGNATORIES: Final = N_("Signatories")
EXPORT_ANONYMOUS: Final = NP_(
    "and {count} organisation that cannot be named",
    "and {count} organisations that cannot be named",
)
EXPORT_FOOTER: Final = N_("Letter {letter_id} · version {version} · generated {generated}")
# The publication PDF (list N of a published letter); "Signatories" and the anonymous count
# are the export's texts above.
PUBLICATION_LIST: Final = N_("List {number}")
PUBLICATION_PAGE: Final = N_("Page {page} of {pages}")
PUBLICATION_ADDED: Final = N_("Added since list {number}")
PUBLICATION_WITHDRAWN: Final = N_("Withdrawn since list {number}")
PUBLICATION_TRANSLATION: Final = N_("translation {fingerprint}")
CHART_SIGNED: Final = N_("Signed")
CHART_DECLINED: Final = N_("Declined")
CHART_RECONFIRM: Final = N_("To reconfirm")
CHART_ORGANISATIONS: Final = N_("Organisations ({count})")
CHART_WITH_CONTACT: Final = N_("With a contact ({count})")
CHART_DEADLINE: Final = N_("Deadline")
CHART_NOW: Final = N_("Now")
CHART_RESPONSES: Final = N_("Responses")


# --- deadlines, reminders, milestones, digest -------------------------------------------------

USAGE_DEADLINE: Final = N_(
    "Usage: <code>/deadline 4 2026-03-01 18:00</code> (the letter's number, then the new "
    "deadline; a zone name may follow, e.g. Europe/Vilnius)."
)
DEADLINE_UNCHANGED: Final = N_("Letter #{ref} already has that deadline.")
DEADLINE_MOVED: Final = NP_(
    "The deadline of letter #{letter_id} <b>{title}</b> is now {deadline} ({relative}); "
    "it was {previous}. Reminders follow the new deadline; {contacts} contact will be told.",
    "The deadline of letter #{letter_id} <b>{title}</b> is now {deadline} ({relative}); "
    "it was {previous}. Reminders follow the new deadline; {contacts} contacts will be told.",
    "contacts",
)
# To members: like a reminder, it shows on a lock screen, so it names no title.
DEADLINE_NOTICE: Final = N_(
    "⏰ The deadline of letter #{letter_id} for your organisation has moved: it is now "
    "{deadline} ({relative}). Send /mine to see where your organisation stands."
)
CLOSED_NOTICE: Final = N_(
    "🔒 Letter #{letter_id} for your organisation is closed: answers can no longer be given "
    "or changed. Your organisation's answer stands as it was recorded."
)
REOPENED_NOTICE: Final = N_(
    "🔓 Letter #{letter_id} for your organisation is open again, until {deadline} "
    "({relative}). Send /mine to see where your organisation stands and to answer."
)
USAGE_REMINDERS: Final = N_(
    "Usage: <code>/reminders 4</code> shows the schedule; <code>/reminders 4 5d,1d,2h</code> "
    "sets the offsets before the deadline; <code>off</code> turns them off, "
    "<code>default</code> goes back to {default}."
)
REMINDERS_HEADER: Final = N_(
    "<b>Reminders for letter #{letter_id}</b> ({source}) — deadline {deadline}\n"
    "Sent only to organisations that have not answered; quiet hours are respected."
)
REMINDERS_SOURCE_DEFAULT: Final = N_("default offsets")
REMINDERS_SOURCE_LETTER: Final = N_("this letter's own offsets")
REMINDERS_LINE: Final = N_("• {offset} before: {when} — {state}")
REMINDERS_STATE_PLANNED: Final = NP_(
    "planned for {count} organisation", "planned for {count} organisations"
)
REMINDERS_STATE_DONE: Final = NP_(
    "sent to {sent} organisation, {skipped} not needed",
    "sent to {sent} organisations, {skipped} not needed",
    "sent",
)
REMINDERS_STATE_PASSED: Final = N_("not planned (already past)")
REMINDERS_STATE_AT_CIRCULATION: Final = N_("planned when the letter is circulated")
REMINDERS_NONE: Final = N_("No reminders are set for this letter.")
REMINDERS_OFFSETS_BAD: Final = N_(
    "I can't read “{item}”. Use offsets like <code>7d,3d,1d,3h</code> "
    "(d days, h hours, m minutes), up to {max_count}, each up to a year."
)
REMINDERS_CLOSED: Final = N_("Letter #{ref} is closed; it has no reminders any more.")
USAGE_MILESTONE: Final = N_(
    "Usage: <code>/milestone 4 HRC session opens 2026-03-02 10:00</code> (the letter's "
    "number, a name, then when); <code>/milestone 4</code> lists them; "
    "<code>/milestone 4 remove 2</code> removes milestone #2."
)
MILESTONE_ADDED: Final = N_(
    "Milestone #{milestone_id} added to letter #{letter_id}: <b>{name}</b>, {when} ({relative}). "
    "Coordinators are reminded a day before."
)
MILESTONE_REMOVED: Final = N_("Milestone #{milestone_id} <b>{name}</b> removed.")
MILESTONES_HEADER: Final = N_("<b>Milestones</b>")
MILESTONE_LINE: Final = N_("#{milestone_id} <b>{name}</b> — {when} ({relative})")
MILESTONES_NONE: Final = N_("No milestones for letter #{letter_id}.")
MILESTONE_NOT_FOUND: Final = N_("Letter #{letter_id} has no milestone #{ref}.")
MILESTONE_NAME_EMPTY: Final = N_("The milestone needs a name, e.g. “vote”.")
MILESTONE_NAME_TOO_LONG: Final = NP_(
    "The milestone's name is too long: at most {limit} character.",
    "The milestone's name is too long: at most {limit} characters.",
    "limit",
)
MILESTONES_TOO_MANY: Final = NP_(
    "A letter can have at most {limit} milestone.",
    "A letter can have at most {limit} milestones.",
    "limit",
)
MILESTONE_REMINDER: Final = N_(
    "📅 Tomorrow: <b>{name}</b> — {when} ({relative}).\n"
    "Letter #{letter_id} <b>{title}</b>; /status {letter_id} shows where it stands."
)
# To coordinators when reminders came due: the organisations the bot can't remind.
REMINDER_CHASE: Final = NP_(
    "⏰ Reminders for letter #{letter_id} <b>{title}</b> went out (deadline {deadline}, "
    "{relative}). {count} organisation that owes an answer can't get one in Telegram; "
    "please remind it another way:\n{organisations}",
    "⏰ Reminders for letter #{letter_id} <b>{title}</b> went out (deadline {deadline}, "
    "{relative}). {count} organisations that owe an answer can't get one in Telegram; "
    "please remind them another way:\n{organisations}",
)
CHASE_NO_CONTACT: Final = N_("• {name} — no contact has joined (/invite)")
CHASE_UNREACHABLE: Final = N_("• {name} — its contacts blocked the bot")
AUTO_CLOSED_REPORT: Final = N_(
    "🔒 Letter #{letter_id} <b>{title}</b> closed at its deadline, {deadline}.\n"
    "\n"
    "Final tally ({version}):\n"
    "✅ signed: {signed}\n"
    "🔁 signed an earlier version, not reconfirmed: {reconfirm}\n"
    "✖️ declined: {declined}\n"
    "⏳ no answer: {pending}\n"
    "\n"
    "The export follows. /reopen {letter_id} <i>deadline</i> opens it again."
)
DIGEST_HEADER: Final = N_("☀️ <b>Daily digest</b> — new since {since}")
DIGEST_LINE: Final = N_("#{letter_id} <b>{title}</b> (deadline {relative}): {news}")
DIGEST_SIGNED: Final = N_("{count} signed")
DIGEST_DECLINED: Final = N_("{count} declined")
DIGEST_WITHDRAWN: Final = N_("{count} withdrew")
DIGEST_COMMENTS: Final = NP_("{count} comment", "{count} comments")
DIGEST_FOOTER: Final = N_("/status <i>letter</i> for details, /comments <i>letter</i> to read.")

# --- preferences ------------------------------------------------------------------------------

TIMEZONE_SHOW: Final = N_(
    "I show you times in <b>{zone}</b> (it is {local} there now). "
    "Change it with <code>/timezone Europe/Vilnius</code>."
)
TIMEZONE_SET: Final = N_("Done: I will show you times in <b>{zone}</b> (it is {local} there now).")
TIMEZONE_UNKNOWN: Final = N_(
    "I don't know the time zone “{zone}”. Use a name like Europe/Vilnius, Europe/Warsaw or "
    "Europe/Minsk."
)
QUIET_SHOW: Final = N_(
    "Your quiet hours: <b>{hours}</b> ({zone}). A reminder due then waits until they end, "
    "if that is still an hour before the deadline. Change them with "
    "<code>/quiet 23-07</code>, or <code>/quiet off</code>."
)
QUIET_SHOW_OFF: Final = N_(
    "You have no quiet hours: reminders come when they are due. "
    "Set some with <code>/quiet 23-07</code>."
)
QUIET_SET: Final = N_("Done: quiet hours <b>{hours}</b> ({zone}).")
QUIET_SET_OFF: Final = N_("Done: no quiet hours; reminders come when they are due.")
QUIET_BAD: Final = N_(
    "I can't read “{raw}”. Send hours like <code>/quiet 23-07</code> or "
    "<code>/quiet 22:30-07:00</code>, or <code>/quiet off</code>."
)
PREFERENCES_MEMBERS_ONLY: Final = N_(
    "Coordinators see times in the bot's zone, {zone}, and get no reminders."
)

# --- purge -------------------------------------------------------------------------------------

USAGE_PURGE: Final = N_("Usage: <code>/purge 4</code> (a closed letter's number).")
PURGE_ASK: Final = N_(
    "Purge letter #{letter_id} <b>{title}</b>?\n"
    "\n"
    "This removes for good: the title, the text of every version, comments, decline "
    "reasons and the contents of every message about it, and deletes the bot's messages "
    "about it from members' chats where Telegram still allows it (up to 48 hours after "
    "sending).\n"
    "Kept: who signed and how they are listed, version numbers and fingerprints, and the "
    "audit log. Export the letter first if you need its text."
)
BUTTON_PURGE: Final = N_("🗑 Purge it")
PURGE_DONE: Final = N_(
    "Letter #{letter_id} is purged.\n"
    "Version texts removed: {versions}\n"
    "Comments removed: {comments}\n"
    "Messages being deleted from members' chats (where Telegram still allows it): {to_delete}"
)
PURGE_KEPT: Final = N_("Not purged: letter #{letter_id} is kept as it was.")
PURGE_NOT_CLOSED: Final = N_("Letter #{ref} is not closed; close it with /close first.")


# --- issue 17: listed names, the person signing, recorded answers, translations, lists -------

CMD_RECORD: Final = N_("Record an answer that came by e-mail, Signal…")
CMD_TRANSLATE: Final = N_("Add or change a translation")
CMD_PUBLISH: Final = N_("Publish the signatory list (list 1, 2, …)")
CMD_COLLECT: Final = N_("Collect signatories after publication")
CMD_LIST: Final = N_("The files of a published list")
CMD_ORGNAME: Final = N_("How an organisation is listed per language")
CMD_SIGNER: Final = N_("The person signing")
CMD_NOTIFY: Final = N_("Each response, or only the digest")
CMD_COPYLETTER: Final = N_("Start the next letter from this one")
COORDINATOR_HELP_PUBLICATION: Final = N_(
    "<b>Languages, other roads, publication</b>\n"
    "/orgname <i>org</i> en|ru|be <i>name</i> | - — how it is listed in that language; "
    "/orgname <i>org</i> key <i>key</i> — where it files in every list\n"
    "/signer <i>letter</i> on|off — list “Name, Title, Organisation”\n"
    "/translate <i>letter</i> en|ru|be — add or change a translation (a revision)\n"
    "/record <i>letter</i> — record an answer that came by e-mail, Signal, phone or in person\n"
    "/export <i>letter</i> [en|ru|be] — the export in that language\n"
    "/publish <i>letter</i> — list 1, 2, …: PDF, .docx, .md and CSV; members get the PDF\n"
    "/collect <i>letter</i> <i>deadline</i> — collect more signatories after publication\n"
    "/list <i>letter</i> [<i>number</i>] [en|ru|be] — a published list's files again\n"
    "/notify each|digest — each response as it comes, or only the daily digest\n"
    "/copyletter <i>letter</i> — the next letter from this one (organisations, reminders, "
    "milestones; not the text)"
)
MEMBER_HELP_SIGNER: Final = N_(
    "/signer — the person signing for your organisation, where a letter lists one"
)
BUTTON_ORIGINAL: Final = N_("📜 Original ({language})")
TRANSLATION_LINE: Final = N_(
    "🌐 Translation {fingerprint}. The authoritative text is the original ({original}): "
    "the Original button shows it."
)
TRANSLATION_NOTICE: Final = N_(
    "🌐 <b>{title}</b>: the translation into {language} changed in {version}.\n"
    "{consequence}\n\n{changes}"
)
TRANSLATION_NOTICE_OTHER: Final = N_(
    "🌐 <b>{title}</b>, {version}: its translation into {language} was added or changed; "
    "the text in your language is unchanged.\n{consequence}"
)
CHANNEL_EMAIL: Final = N_("e-mail")
CHANNEL_SIGNAL: Final = N_("Signal")
CHANNEL_IN_PERSON: Final = N_("in person")
CHANNEL_PHONE: Final = N_("phone")
CHANNEL_OTHER: Final = N_("another road")
RECORDED_NOTICE: Final = N_(
    "📨 Coordinator {coordinator} recorded your organisation's answer to letter "
    "#{letter_id}, received by {channel}: <b>{decision}</b>{listing}, {version}.\n"
    "If that is not right, answer here yourself: your own answer replaces it."
)
RECORDED_BY: Final = N_("recorded by {coordinator} via {channel}")
# Like a reminder it shows on a lock screen, so it names no title (the PDF does, protected).
PUBLISHED_NOTICE: Final = NP_(
    "📢 Letter #{letter_id} was published: list {number}, with {count} signatory. The PDF follows.",
    "📢 Letter #{letter_id} was published: list {number}, with {count} signatories. The PDF "
    "follows.",
)
COLLECT_INVITATION: Final = N_(
    "✍️ A published letter (#{letter_id}) is collecting additional signatures, {relative}. "
    "Your organisation can still add its name: read it and answer below."
)
COLLECT_SIGNED_NOTICE: Final = N_(
    "🔓 Letter #{letter_id}, which your organisation signed, was published and now collects "
    "additional signatures until {deadline} ({relative}). Your signature stands; "
    "/withdraw {letter_id} takes it back."
)
ACTION_WAITS: Final = N_(
    "⏳ Request #{approval_id} waits for a second coordinator's approval, until {expires}. "
    "The other coordinators were asked; you will be told when it is decided."
)
USAGE_PUBLISH: Final = N_(
    "Usage: <code>/publish 4</code> (a closed letter's number; while it collects more "
    "signatures, this makes its next list)."
)
PUBLISHED_DONE: Final = N_(
    "📢 Letter #{letter_id} <b>{title}</b>: <b>list {number}</b> published {date}, {version}.\n"
    "Named: {named} · cannot be named: {anonymous}{changes}\n"
    "The files follow. Members who have the letter are told, with the PDF.\n"
    "/collect {letter_id} <i>deadline</i> collects additional signatories for the same text."
)
PUBLISHED_ADDED: Final = N_("Added since list {number}: {names}")
PUBLISHED_WITHDRAWN: Final = N_("Withdrawn since list {number}: {names}")
USAGE_COLLECT: Final = N_(
    "Usage: <code>/collect 4 2026-04-01 18:00</code> (a published letter's number, then "
    "until when it collects additional signatories)."
)
COLLECT_DONE: Final = NP_(
    "🔓 Letter #{letter_id} collects additional signatories until {deadline}: {count} "
    "organisation that has not signed is invited. Its text is final. /publish {letter_id} "
    "makes the next list.",
    "🔓 Letter #{letter_id} collects additional signatories until {deadline}: {count} "
    "organisations that have not signed are invited. Its text is final. /publish {letter_id} "
    "makes the next list.",
)
USAGE_LIST: Final = N_(
    "Usage: <code>/list 4</code> (the latest list's files), <code>/list 4 2</code> (list 2), "
    "<code>/list 4 2 ru</code> (in Russian)."
)
LIST_FILES: Final = N_(
    "List {number} of letter #{letter_id} ({language}), published {date}: {named} named, "
    "{anonymous} that cannot be named."
)
USAGE_RECORD: Final = N_(
    "Usage: <code>/record 4</code> asks step by step. In one line: <code>/record 4 12 signed "
    "named v2 via email Answer to our e-mail of 3 March</code> — letter, organisation, "
    "signed | declined | withdrawn, for a signature named | anonymous | internal and "
    "optionally the version, then via email | signal | in_person | phone | other, then an "
    "optional note."
)
RECORD_ASK_ORG: Final = N_(
    "Whose answer to letter #{letter_id} <b>{title}</b> do you record? Choose the organisation:"
)
RECORD_NO_ORGS: Final = N_("Letter #{letter_id} has not gone to any organisation yet.")
RECORD_ASK_DECISION: Final = N_("<b>{organisation}</b>: what did it answer?")
BUTTON_RECORD_SIGNED: Final = N_("✅ Signed")
BUTTON_RECORD_DECLINED: Final = N_("✖️ Declined")
BUTTON_RECORD_WITHDRAWN: Final = N_("↩️ Withdrew its signature")
RECORD_ASK_LISTING: Final = N_("How is <b>{organisation}</b> to be listed?")
RECORD_ASK_VERSION: Final = N_("Which version did it agree to? The latest is {version}.")
RECORD_ASK_CHANNEL: Final = N_("How did the answer come?")
RECORD_ASK_NOTE: Final = N_(
    "Send a short note for the record (at most {limit} characters), e.g. “e-mail from the "
    "director, 3 March” — or record it without one."
)
BUTTON_RECORD_NO_NOTE: Final = N_("Record without a note")
RECORD_DONE: Final = NP_(
    "📝 Recorded for <b>{organisation}</b> on letter #{letter_id}: <b>{decision}</b>{listing}, "
    "{version}, via {channel}. {count} message to its contacts is queued.",
    "📝 Recorded for <b>{organisation}</b> on letter #{letter_id}: <b>{decision}</b>{listing}, "
    "{version}, via {channel}. {count} messages to its contacts are queued.",
)
RECORD_UNCHANGED: Final = N_(
    "That is what is recorded for <b>{organisation}</b> already; nothing changed."
)
USAGE_TRANSLATE: Final = N_(
    "Usage: <code>/translate 4 ru</code> (the letter's number and the language: en, ru or "
    "be), then paste the translation or send it as a .docx, .txt or .md file."
)
TRANSLATE_ASK_TEXT: Final = N_(
    "Send the translation of <b>{title}</b> into {language} ({version}): paste it (several "
    "messages are fine) or upload a .docx, .txt or .md file, then press Done."
)
TRANSLATE_SUMMARY: Final = N_("Translation into {language}: {characters}. {changes}")
TRANSLATED: Final = N_(
    "🌐 Letter #{letter_id}: {version} carries the translation into {language} "
    "({fingerprint}), a {kind} change. Notices queued: {notices}."
)
USAGE_ORGNAME: Final = N_(
    "Usage: <code>/orgname 12 ru Правозащитный центр «Весна»</code> sets how organisation #12 "
    "is listed in Russian (en, ru or be); <code>-</code> instead of the name lists its primary "
    "name again; <code>/orgname 12 key Viasna</code> sets where it files in every list."
)
ORGNAME_SET: Final = N_("#{org_id} <b>{organisation}</b> is listed in {language} as <b>{name}</b>.")
ORGNAME_CLEARED: Final = N_(
    "#{org_id} <b>{organisation}</b> is listed in {language} under its primary name again."
)
ORGNAME_UNCHANGED: Final = N_("Nothing changed: that is how #{org_id} is listed already.")
ORGNAME_SORT_KEY: Final = N_("#{org_id} <b>{organisation}</b> files in every list under “{key}”.")
ORGNAME_SORT_KEY_CLEARED: Final = N_(
    "#{org_id} <b>{organisation}</b> files under its listed name again."
)
ORGS_LISTED_NAMES: Final = N_("    listed: {names}")
ORGS_SORT_KEY: Final = N_("    files under: {key}")
USAGE_SIGNER: Final = N_(
    "Usage: <code>/signer 4 on</code> makes letter #4 list the person signing (“Name, Title, "
    "Organisation”) and ask signers for it; <code>/signer 4 off</code> stops asking."
)
SIGNER_LETTER_ON: Final = N_(
    "Letter #{letter_id} lists the person signing: signers are asked for their name and title."
)
SIGNER_LETTER_OFF: Final = N_(
    "Letter #{letter_id} lists organisations only; signers are not asked for a person."
)
SIGNER_SHOW: Final = N_(
    "Where a letter lists the person signing, you sign as <b>{person}</b>. To change it, send "
    "<code>/signer</code> with the name on the first line and the title on the second; "
    "<code>/signer -</code> forgets it."
)
SIGNER_NONE: Final = N_(
    "No person signing is remembered for you. Where a letter lists “Name, Title, "
    "Organisation”, send <code>/signer</code> with the name on the first line and the title "
    "on the second."
)
SIGNER_SET: Final = N_(
    "Remembered: you sign as <b>{person}</b>. Signatures already given keep the person they "
    "were given with."
)
SIGNER_FORGOTTEN: Final = N_(
    "Forgotten. Signatures already given keep the person they were given with."
)
USAGE_NOTIFY: Final = N_(
    "Usage: <code>/notify each</code> (each response as it comes) or <code>/notify "
    "digest</code> (only the daily digest)."
)
NOTIFY_EACH: Final = N_("You are told of each response as it comes, and get the daily digest.")
NOTIFY_DIGEST: Final = N_("You read responses in the daily digest only.")
RESPONSE_TO_COORDINATOR: Final = N_(
    "🔔 Letter #{letter_id} <b>{title}</b>: <b>{organisation}</b> — {decision}."
)
USAGE_COPYLETTER: Final = N_(
    "Usage: <code>/copyletter 4</code>, then the new letter's title, deadline and text as "
    "for /newletter."
)
COPYLETTER_STARTED: Final = N_(
    "A new letter from letter #{letter_id} <b>{title}</b>: it keeps the organisations it went "
    "to, the reminder schedule and the milestones (moved with the new deadline), not the text."
)
COPYLETTER_DONE: Final = N_(
    "Draft #{letter_id} <b>{title}</b> made from letter #{source_id}. Organisations to "
    "circulate to: {organisations} (/circulate {letter_id} all); milestones moved with the "
    "deadline: {milestones}{left_out}."
)
COPYLETTER_LEFT_OUT: Final = N_("; left out (past or purged): {count}")
SIGNER_ASK_NAME: Final = N_(
    "Letter #{letter_id} lists the person signing for each organisation (“Name, Title, "
    "Organisation”). Send the name of the person signing for <b>{organisation}</b>."
)
SIGNER_ASK_TITLE: Final = N_("Send their title (e.g. Director), or press Skip.")
SIGN_AS_LINE: Final = N_("Signing as: <b>{person}</b> (/signer changes it)")
RECEIPT_TRANSLATION: Final = N_("Read in {language}: translation {fingerprint}")

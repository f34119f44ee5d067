"""Every user-facing text, in one catalog.

Texts are English message ids in ``{placeholder}`` form, rendered with
``render``: every value is HTML-escaped unless it is ``Html`` (a fragment the
bot itself built). Translation hooks in at ``translate`` (gettext catalogs come
with the languages issue); handlers never hold sentences of their own.
"""

from __future__ import annotations

import html
from typing import Final


class Html(str):
    """A fragment of Telegram HTML built by the bot; ``render`` does not escape it."""


def N_(message: str) -> str:
    """Marks a message id for extraction; translation happens at render time."""
    return message


def translate(message: str, language: str) -> str:
    # Placeholder for the gettext catalogs; English is the message id itself.
    return message


def escape(value: object) -> str:
    if isinstance(value, Html):
        return str(value)
    return html.escape(str(value), quote=False)


def render(message: str, language: str = "en", /, **params: object) -> str:
    """Translate ``message`` and fill in ``params``, escaping user-supplied values."""
    template = translate(message, language)
    return template.format(**{key: escape(value) for key, value in params.items()})


# --- everyone -----------------------------------------------------------------------------

# The only thing an unknown account, a bad invite or a group ever learns.
NEUTRAL: Final = N_("Hello. This is a private bot that works by invitation only.")
FLOOD_NOTICE: Final = N_(
    "You are sending messages faster than I can take them. "
    "I will ignore your messages for {minutes} minutes."
)
UNKNOWN_COMMAND: Final = N_("I don't know that command. Send /help to see what I can do.")
NOT_A_COMMAND: Final = N_("I only understand commands and buttons here. Send /help for the list.")
COORDINATORS_ONLY: Final = N_("Only coordinators can do that.")
STALE_BUTTON: Final = N_("This button is no longer valid.")
UNSUPPORTED_MESSAGE: Final = N_("I can't use this kind of message here. Send /help for the list.")
TOO_LONG_INPUT: Final = N_("That is too long: at most {limit} characters, please.")
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
    "/whoami — your role\n"
    "/help — this list\n"
    "\n"
    "<i>org</i>, <i>invite</i> and <i>contact</i> are the numbers shown as #12 in the lists."
)
MEMBER_HELP: Final = N_(
    "<b>Coalition Bot</b> — for <b>{organisation}</b>\n"
    "\n"
    "When coordinators circulate a letter, I send it here with buttons to sign, decline or "
    "comment for your organisation. I remind you before the deadline if your organisation "
    "has not answered yet.\n"
    "\n"
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

# --- organisations --------------------------------------------------------------------------

USAGE_ADDORG: Final = N_(
    "Send the name exactly as it should appear in the signature list, e.g.\n"
    "<code>/addorg Human Rights Centre «Viasna»</code>"
)
USAGE_RENAMEORG: Final = N_("Usage: <code>/renameorg 12 New name</code> (the number from /orgs).")
USAGE_REMOVEORG: Final = N_("Usage: <code>/removeorg 12</code> (the number from /orgs).")
ORG_ADDED: Final = N_("Added organisation #{org_id}: <b>{name}</b>\nNext: /invite {org_id}")
ORG_RENAMED: Final = N_("Organisation #{org_id} is now <b>{name}</b> (was: {old_name}).")
ORG_REMOVED: Final = N_(
    "Removed organisation #{org_id} <b>{name}</b>. {contacts} contact(s) lost access; "
    "its history is kept."
)
ORG_DUPLICATE: Final = N_(
    "There is already an organisation named <b>{name}</b> (#{org_id}). Names must differ by "
    "more than capital letters and spaces."
)
ORG_NAME_EMPTY: Final = N_("The name is empty.")
ORG_NAME_TOO_LONG: Final = N_("The name is too long: at most {limit} characters.")
ORG_NAME_INVALID: Final = N_("The name contains line breaks or invisible control characters.")
ORG_NOT_FOUND: Final = N_("There is no organisation #{ref}. Send /orgs for the list.")
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
    "/orgs and, if you like, a label to recognise the contact by."
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
LABEL_TOO_LONG: Final = N_("The label is too long: at most {limit} characters.")
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

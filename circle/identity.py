"""Identity decides what a message may do (ARCHITECTURE.md §2), as small named rules.

How a message was matched (circle.matching) decides what it may change:

=====================  ==========================  ====================================
matched by             stories / responses         commands that change status,
                                                   consent, hosting or a story
=====================  ==========================  ====================================
reply token (To/Cc)    stored as usual             applied
our Message-ID with a  stored as usual             applied
valid token (refs)
From address only      held "unverified_sender"    NOT applied: quarantined, and a
                       (circle.policy)             confirmation request goes to the
                                                   address on file; a token-verified
                                                   YES to it applies the command
nothing / bad token    quarantined                 quarantined
=====================  ==========================  ====================================

HELP and MY STORIES change nothing and answer only the address on file, so they are answered
whatever the match (within the per-member cap, circle.reply_cap). A bounce counts toward
pausing a member's mail only when it is tied to mail we sent: a verified token in the address it
was sent to (the VERP return path ``circle+b-<token>@…``, or any ``+token``), or in a
Message-ID of the returned message (or the bounce's own In-Reply-To/References).
"""

from __future__ import annotations

from dataclasses import dataclass

from circle.matching import VIA_FROM, token_claim
from circle.parsing.commands import command_string, parse_command_line
from circle.parsing.types import Command, ParsedMessage
from circle.tokens import TokenClaim, read_token, token_from_message_id

CONFIRM_PREFIX = "confirm:"
"""A token parent naming the confirmation request it answers: ``confirm:<notice id>``."""
CONFIRM_REQUEST = "confirm_request"
"""The Notice kind of a confirmation request (its mail asks the member to reply YES)."""
CONFIRM_DAYS = 14
"""A confirmation request can be answered for this many days."""
FREE_COMMANDS = frozenset({"HELP", "MY_STORIES"})
"""Commands that change nothing: answered (to the address on file) however they matched."""


def unverified_command(command: Command, via: str) -> str | None:
    """Rule: a command matched by From only may not change anything until confirmed."""
    if via == VIA_FROM and command.name not in FREE_COMMANDS:
        return (f"unverified_command: {command_string(command)} was matched by the From "
                "address only (no reply token); a confirmation request went to the address "
                "on file, and it applies only when they answer it")
    return None


_EFFECTS = {
    "STOP": "you will stop receiving the circle's mail (your stories stay with the steward)",
    "PAUSE": "your circle mail will pause until you send RESUME",
    "PAUSE_UNTIL": "your circle mail will pause until {arg}",
    "RESUME": "your circle mail will start again",
    "PASS": "you will pass this month's round, with no reminder",
    "HOST_YES": "you will host the round", "HOST_NO": "you will not host the round",
    "SWAP": "you will host another month instead",
    "SHARE": "your last story will go to the circle with your name",
    "ANONYMOUS": "your last story will go to the circle without your name",
    "PRIVATE": "your last story will stay with the steward only",
    "THANKS": "your thanks will be celebrated in the next digest",
}


def effect_words(command: Command) -> str:
    """What confirming `command` will do, in words, for the confirmation request."""
    return _EFFECTS.get(command.name, "it will be done").format(arg=command.argument)


def confirmation_parent(notice_id: str) -> str:
    """The token parent of a confirmation request's mail."""
    return CONFIRM_PREFIX + notice_id


def answered_request(token_parent: str) -> str | None:
    """The confirmation request (notice id) a verified reply answers, if it answers one."""
    if token_parent.startswith(CONFIRM_PREFIX):
        return token_parent[len(CONFIRM_PREFIX):] or None
    return None


def says_yes(msg: ParsedMessage, pending: Command) -> bool:
    """Whether a reply to a confirmation request confirms it: YES, or the command again."""
    if msg.command is not None and msg.command.name in ("HOST_YES", pending.name):
        return True
    first = msg.text.strip().partition("\n")[0]
    return " ".join(first.split()).strip(" .!").upper() in ("YES", "YES PLEASE", "CONFIRM")


def pending_command(text: str) -> Command | None:
    """The command a confirmation request holds (stored as the member would write it)."""
    return parse_command_line(text)


@dataclass(frozen=True)
class BounceTie:
    """A bounce tied to mail we sent: whose it is, and how we know."""

    claim: TokenClaim
    how: str  # "return path" | "returned message"


def bounce_tie(msg: ParsedMessage, secret: bytes, circle_address: str) -> BounceTie | None:
    """Rule: the verified token that ties a bounce to our mail, or None (it proves nothing)."""
    claim = token_claim(msg, secret, circle_address)
    if claim is not None:
        return BounceTie(claim, "return path")
    for mid in msg.bounce.message_ids if msg.bounce else ():
        token = token_from_message_id(mid)
        found = read_token(secret, token) if token else None
        if found is not None:  # the MAC proves we minted it: only we know the secret
            return BounceTie(found, "returned message")
    return None

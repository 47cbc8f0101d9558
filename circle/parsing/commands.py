"""Email commands (PAUSE, PASS, THANKS Ana: ...) from the subject or the first line.

Safe by construction: a message is a command only when, once trimmed, it is essentially the
command — a command line followed by at most a short note ("PASS. Sorry, busy month.").
A story whose first line happens to be a command word, or that opens by thanking someone
and goes on to tell a story, stays a story. A bare YES / NO answers only a host
invitation (its subject asks about hosting); in reply to the round's question it is a story.
So does a short worded answer to an invitation ("Ja, gerne!", "Oui, avec plaisir.", "No,
sorry, not this time."); one that hedges ("Yes, but could we swap?") is left for the steward.
PAUSE UNTIL takes the date phrase only ("PAUSE UNTIL March please, I'm travelling" is PAUSE
UNTIL 1 March), settled to one form like a request in words (`when.as_day`).
"""

from __future__ import annotations

import re

from circle.parsing.types import Command
from circle.parsing.when import as_day, find_until

_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|aw|sv|vs|antw|antwort|r|rif|réf|ref|fw|fwd|wg|tr|rv|enc|odp|ynt|回复|答复)"
    r"\s*(?:\[\d{1,4}\])?\s*[:：]\s*|\[[^\]]{0,60}\]\s*)",
    re.IGNORECASE,
)
# Exact command lines (after folding case and white space, trailing punctuation dropped).
_SIMPLE = {
    "PAUSE": "PAUSE",
    "RESUME": "RESUME",
    "PASS": "PASS",
    "STOP": "STOP",
    "UNSUBSCRIBE": "STOP",
    "HOST YES": "HOST_YES",
    "HOST NO": "HOST_NO",
    "SWAP": "SWAP",
    "SHARE": "SHARE",
    "ANONYMOUS": "ANONYMOUS",
    "PRIVATE": "PRIVATE",
    "MY STORIES": "MY_STORIES",
    "HELP": "HELP",
}
# Answers to a host invitation: only when the message is little more than the answer.
# The invitation and HELP name HOST YES / HOST NO / SWAP; the bare YES / NO are the short forms
# (NOT THIS TIME stays understood from invitations sent before the vocabulary was unified).
_HOST_ANSWERS = {"YES": "HOST_YES", "NO": "HOST_NO", "NOT THIS TIME": "HOST_NO"}
HOST_WORDS = {"HOST YES": "HOST_YES", "HOST NO": "HOST_NO", "SWAP": "SWAP"}
"""The host replies every email names: invitation, HELP and this parser share them."""
_PAUSE_UNTIL = re.compile(r"^PAUSE\s+UNTIL\s+(\S.{0,60})$", re.IGNORECASE)
_THANKS = re.compile(r"^THANKS\s+([^:\n]{1,80}?)\s*:\s*(.*)$", re.IGNORECASE | re.DOTALL)
_SHORT_REST = 300  # characters after a YES / NOT THIS TIME line that still make it an answer
_NOTE = 100  # characters after a command line that are a note, not a story
_THANKS_WORDS = 50  # a thank-you note longer than this is a story that opens with thanks
_HOST_SUBJECT = re.compile(r"\bhost|gastgeb|accueill|anfitri|ospit|gastheer|gastvrouw|anfitri",
                           re.IGNORECASE)


# In reply to a host invitation, a short first line that opens with yes / no in a common
# language ("Yes, happy to!", "Ja, gerne!", "Oui, avec plaisir.", "Nein, leider nicht.")
# answers it; one that hedges ("Yes, but could we swap?") is left for the steward.
_WORDED_ANSWER = re.compile(
    r"^(?P<yes>yes|yep|sure|gladly|ja|gerne|gern|oui|volontiers|sim|s[ií]|claro|s[iì]|certo|"
    r"graag)|^(?P<no>no|nope|nein|non|nee|n[ãa]o)(?=\s*(?:[,.!;:–—-]|$)|\s+(?:sorry|leider|"
    r"désolée?|lo\s+siento|purtroppo|infelizmente|helaas|thanks|danke|merci|gracias|grazie|"
    r"obrigad[oa]|bedankt)\b)", re.IGNORECASE)
_YES_FOLLOW = re.compile(
    r"^\s*(?:[,.!;:–—-]|$)|^\s+(?:happy|gladly|gerne|gern|avec|claro|con|com|graag|certo|"
    r"volontiers|of\s+course|natürlich|bien\s+sûr|por\s+supuesto|naturalmente)\b",
    re.IGNORECASE)
_HEDGE = re.compile(r"\b(?:but|aber|mais|pero|maar|mas|ma|swap|tauschen|échanger|cambiar|"
                    r"ruilen|trocar|scambiare|\?)", re.IGNORECASE)
_ANSWER_LINE = 60  # characters: a longer first line is more than an answer


def _worded_host_answer(line: str) -> Command | None:
    """HOST YES / HOST NO from a short worded answer to a host invitation, else None."""
    text = " ".join(line.split())
    if not text or len(text) > _ANSWER_LINE or _HEDGE.search(text) or "?" in text:
        return None
    m = _WORDED_ANSWER.match(text)
    if m is None:
        return None
    if m.group("yes"):
        return Command("HOST_YES") if _YES_FOLLOW.match(text[m.end():]) else None
    return Command("HOST_NO")


def strip_reply_prefixes(subject: str) -> str:
    """'Re: Fwd: [circle] PAUSE' → 'PAUSE'."""
    text = subject.strip()
    for _ in range(10):
        stripped = _REPLY_PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped.strip()
    return text


def _fold(line: str) -> str:
    return " ".join(line.split()).strip(" .!").upper()


def parse_command_line(line: str, rest: str = "", *, host_invitation: bool = True
                       ) -> Command | None:
    """The command that `line` is in full, or None; `rest` is the text that follows it.
    With a long `rest` (a story) nothing is a command."""
    folded = _fold(line)
    if not folded or len(folded) > 200:
        return None
    note = len(" ".join(rest.split())) <= _NOTE
    if folded in _SIMPLE and note:
        return Command(_SIMPLE[folded])
    if folded in _HOST_ANSWERS and host_invitation and len(rest.strip()) <= _SHORT_REST:
        return Command(_HOST_ANSWERS[folded])
    if host_invitation and len(rest.strip()) <= _SHORT_REST:
        answer = _worded_host_answer(line)
        if answer is not None:
            return answer
    m = _PAUSE_UNTIL.match(" ".join(line.split()).strip(" .!"))
    if m and note:  # "PAUSE UNTIL March please, I'm travelling": the date, not the note
        written = m.group(1).strip()
        return Command("PAUSE_UNTIL", as_day(find_until("until " + written) or written))
    m = _THANKS.match(line.strip())
    if m:
        words = " ".join((m.group(2) + " " + rest).split())
        if words and len(words.split()) <= _THANKS_WORDS:
            return Command("THANKS", f"{m.group(1).strip()}: {words}")
    return None


def find_command(subject: str, text: str) -> Command | None:
    """A command given as the whole subject (after Re:/Fwd:) or the whole first line of text."""
    stripped = text.strip()
    first, _, rest = stripped.partition("\n")
    host = bool(_HOST_SUBJECT.search(subject))
    from_body = parse_command_line(first, rest, host_invitation=host) if first else None
    if from_body is not None:
        return from_body
    bare = strip_reply_prefixes(subject)
    if bare and "\n" not in bare:
        return parse_command_line(bare, stripped, host_invitation=False)
    return None


def command_string(command: Command) -> str:
    """'PAUSE UNTIL 2026-12-01', 'THANKS Ana: words', 'MY STORIES'."""
    name = {"PAUSE_UNTIL": "PAUSE UNTIL", "HOST_YES": "HOST YES", "HOST_NO": "HOST NO",
            "MY_STORIES": "MY STORIES"}.get(command.name, command.name)
    return f"{name} {command.argument}".strip()

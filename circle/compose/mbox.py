"""The digests the circle received, as one mbox, with today's consent applied to yesterday's mail.

Pure: composed bodies in, mbox text out. One copy per round (the steward's, see
`circle.app.repertoire.sent_digests`) is re-issued to the circle's own address with only its
plain text; every reply token (`local+token@domain`, which would let a reader reply as that
member) becomes the circle's plain address. A digest that carries a story or response its
author has since withdrawn or kept to the steward, or an anonymous one beside its author's
name, is left out, and the notes say which and why.
"""

from __future__ import annotations

import email
import io
import re
from email.generator import Generator
from email.message import EmailMessage
from email.policy import default
from email.utils import parsedate_to_datetime

from circle.compose.shared import Repertoire, Unshared

POLICY = default.clone(linesep="\n", utf8=True)
_HEAD = 40  # words of a text compared to find it in a digest
_BYLINE = 120  # how many characters before a text its author's name would stand as its byline
_WORD = re.compile(r"\w+")


def _words(text: str) -> str:
    """The words only, case-folded: wrapping, quoting prefixes and punctuation drop out."""
    return " ".join(_WORD.findall(text.casefold()))


def _plain(raw: str) -> tuple[EmailMessage, str]:
    msg = email.message_from_string(raw, policy=default)
    assert isinstance(msg, EmailMessage)
    part = msg.get_body(preferencelist=("plain",))
    text = part.get_content() if isinstance(part, EmailMessage) else ""
    return msg, str(text)


def _withheld(round_id: str, text: str, unshared: tuple[Unshared, ...]) -> str:
    """Why this digest may not leave now, or ""."""
    flat = _words(text)
    for post in unshared:
        head = " ".join(_words(post.text).split()[:_HEAD])
        at = flat.find(head) if head and post.round_id == round_id else -1
        if at < 0:
            continue
        if post.gone:
            return f"the digest of {round_id} carries a text its author has since withdrawn " \
                   "or kept between them and the steward"
        if post.author and _words(post.author) in flat[max(0, at - _BYLINE):at]:
            return f"the digest of {round_id} names the author of a story now anonymous"
    return ""


def digest_mbox(rep: Repertoire, digests: list[tuple[str, str]]) -> tuple[str, list[str]]:
    """The mbox text of the digests that may leave, and a note for each left out."""
    local, _, domain = rep.circle_address.partition("@")
    token = re.compile(re.escape(local) + r"\+[^@\s<>\"?]+@" + re.escape(domain), re.I) \
        if local else None
    out = io.StringIO()
    notes: list[str] = []
    for round_id, raw in digests:
        original, text = _plain(raw)
        why = _withheld(round_id, text, rep.unshared)
        if why:
            notes.append(why)
            continue
        if token is not None:
            text = token.sub(rep.circle_address, text)
        msg = EmailMessage(policy=POLICY)
        msg["From"] = original.get("From", rep.circle_address)
        msg["To"] = rep.circle_address
        msg["Subject"] = str(original.get("Subject", f"Digest {round_id}"))
        sent = original.get("Date")
        msg["Date"] = sent or ""
        msg["Message-ID"] = f"<digest-{round_id}@{domain or 'circle.invalid'}>"
        msg.set_content(text, cte="8bit")
        when = parsedate_to_datetime(str(sent)) if sent else None
        stamp = when.strftime("%a %b %d %H:%M:%S %Y") if when else "Thu Jan  1 00:00:00 1970"
        out.write(f"From {rep.circle_address or 'circle'} {stamp}\n")
        Generator(out, mangle_from_=True, policy=POLICY).flatten(msg)
        out.write("\n")
    return out.getvalue(), notes


__all__ = ["digest_mbox"]

"""Plain sentences for the reasons rules give (held stories, quarantine): no codes on screen.

Rules record reasons as "code: detail" (`circle.policy`, ingest's quarantine); the steward
reads `plain_reason(reason)`. The codes stay in the records for the details views and logs.
"""

from __future__ import annotations

import re

_CODE = re.compile(r"^([a-z][a-z0-9_\-]*)(?::\s*(.*))?$", re.DOTALL)
_TOO_LONG = re.compile(r"(\d+) words \(the limit is (\d+)\)")

_LEADS = {
    "unknown_sender": "It came from an address no member uses.",
    "unknown-sender": "It came from an address no member uses.",
    "unverified_sender": "It matches a member only by the From address, not as a reply to the "
                         "circle's email, and a From address is easy to fake.",
    "unverified-sender": "The name matches a member but the address does not.",
    "no_round": "No round was open to file it under.",
    "unmatched": "It matches no member and answers none of the circle's emails.",
    "another_story": "The member already sent a story this round (a second one, or the same "
                     "one again).",
    "too_long": "It is longer than the circle's word limit.",
    "too-long": "It is longer than the circle's word limit.",
    "late": "It arrived after this round's digest was sent.",
    "bounce": "A delivery failure report.",
    "auto-reply": "An automatic reply (out of office).",
}


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def plain_reason(reason: str) -> str:
    """'too_long: 312 words (the limit is 300)' → 'It is 312 words long; the limit is 300.'"""
    found = _CODE.match(reason.strip())
    if found is None:
        return _sentence(reason)
    code, detail = found.group(1), (found.group(2) or "").strip()
    if code == "too_long" and (m := _TOO_LONG.search(detail)):
        return f"It is {m.group(1)} words long; the circle's limit is {m.group(2)}."
    if code == "late" and detail:
        return _sentence(f"it {detail}") if detail.startswith("arrived") else _sentence(detail)
    if code in _LEADS:
        return _LEADS[code]
    if detail:
        return _sentence(detail)
    return _sentence(code.replace("_", " ").replace("-", " "))


def plain_reasons(reasons: list[str]) -> str:
    """Every reason as one short paragraph of sentences."""
    return " ".join(dict.fromkeys(plain_reason(r) for r in reasons if r.strip()))

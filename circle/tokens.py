"""Reply tokens: an HMAC of (member, round, parent) under the circle's secret, or a short key.

A long token carries its claim and proves it (the HMAC); a short key (`r-` and 10 base32
characters, 50 bits of an HMAC under the same secret) carries nothing and is looked up in the
store (`circle.model.ReplyKey`), so a digest's "Reply to this story" link fits on one line.
Both are accepted at ingest (circle.matching); digests already sent keep working.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

_SEP = "."
_MAC_LEN = 10  # bytes of HMAC-SHA256 kept: 80 bits, ample for forgery resistance here


@dataclass(frozen=True)
class TokenClaim:
    """What a valid token says: who replies, in which round, to what (story/response id or "")."""

    member_id: str
    round_id: str
    parent_id: str = ""


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=").lower()


def _unb32(text: str) -> bytes:
    pad = "=" * (-len(text) % 8)
    return base64.b32decode(text.upper() + pad)


def _mac(secret: bytes, payload: str) -> str:
    return _b32(hmac.new(secret, payload.encode("utf-8"), hashlib.sha256).digest()[:_MAC_LEN])


def make_token(secret: bytes, claim: TokenClaim) -> str:
    """A token safe in an address local part and a Message-ID (lower-case base32, dots)."""
    payload = "\x1f".join((claim.member_id, claim.round_id, claim.parent_id))
    return _b32(payload.encode("utf-8")) + _SEP + _mac(secret, payload)


def read_token(secret: bytes, token: str) -> TokenClaim | None:
    """The claim of a token whose MAC verifies, else None (tampered, foreign or malformed)."""
    body, sep, mac = token.strip().lower().rpartition(_SEP)
    if not sep or not body or not mac:
        return None
    try:
        payload = _unb32(body).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(_mac(secret, payload), mac):
        return None
    parts = payload.split("\x1f")
    if len(parts) != 3:
        return None
    return TokenClaim(*parts)


SHORT_PREFIX = "r-"
"""Marks a short reply key: `local+r-7fk2qa3bcd@domain`."""
_SHORT_LEN = 10  # base32 characters: 50 bits (unguessable without the secret)


def short_key(secret: bytes, claim: TokenClaim) -> str:
    """The short reply key for `claim`: the same claim always gives the same key.

    Derived from an HMAC under the circle's secret (domain-separated from long tokens), so it
    cannot be guessed (2^50 values) or computed without the secret; composing the same digest
    twice mints the same keys, and the store maps each key back to its claim.
    """
    payload = "\x1f".join(("reply-key", claim.member_id, claim.round_id, claim.parent_id))
    digest = hmac.new(secret, payload.encode("utf-8"), hashlib.sha256).digest()
    return SHORT_PREFIX + _b32(digest)[:_SHORT_LEN]


def is_short_key(token: str) -> bool:
    """Whether `token` has the shape of a short reply key (lookup decides if it is real)."""
    body = token.strip().lower().removeprefix(SHORT_PREFIX)
    return (token.strip().lower().startswith(SHORT_PREFIX) and len(body) == _SHORT_LEN
            and all(c in "abcdefghijklmnopqrstuvwxyz234567" for c in body))


def reply_address(circle_address: str, token: str) -> str:
    """`local+token@domain` for the circle's address."""
    local, _, domain = circle_address.partition("@")
    return f"{local}+{token}@{domain}"


BOUNCE_TAG = "b-"
"""Marks the VERP return path `local+b-<token>@domain`: bounces come back to it."""


def token_from_address(address: str) -> str | None:
    """The `+token` part of an address's local part (also of a `+b-token` return path)."""
    local = address.partition("@")[0]
    _, plus, tag = local.partition("+")
    tag = tag.removeprefix(BOUNCE_TAG)
    return tag if plus and tag else None


def return_path(circle_address: str, our_message_id: str) -> str:
    """The VERP envelope sender for one of our messages: `local+b-<token>@domain`.

    A bounce is sent to it, so the token names whose mail bounced; mail whose Message-ID
    carries no token goes out from the plain circle address.
    """
    token = token_from_message_id(our_message_id)
    return reply_address(circle_address, BOUNCE_TAG + token) if token else circle_address


def message_id(token: str, unique: str, domain: str) -> str:
    """A Message-ID (without brackets) carrying the token, so threading works without Reply-To."""
    return f"circle.{unique}.{token}@{domain}"


def token_from_message_id(mid: str) -> str | None:
    """The token inside one of our Message-IDs, if it is one of ours."""
    local = mid.strip("<> ").partition("@")[0]
    if not local.startswith("circle."):
        return None
    parts = local.split(".")
    # circle.<unique>.<payload>.<mac>
    if len(parts) < 4:
        return None
    return ".".join(parts[-2:])

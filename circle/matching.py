"""Match inbound mail to member, round and parent: reply token → Message-IDs → From address."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from circle.model import Member, ReplyKey, Response, Round, RoundState, Story
from circle.parsing.types import ParsedMessage
from circle.tokens import (
    TokenClaim,
    is_short_key,
    read_token,
    token_from_address,
    token_from_message_id,
)

ReplyKeys = Mapping[str, ReplyKey]
"""The stored short reply keys by key (the store's `reply_keys` table, read on demand)."""

VIA_TOKEN = "token"  # noqa: S105 - the +token of the address the member wrote to
VIA_REFERENCES = "references"  # one of our Message-IDs in In-Reply-To/References
VIA_FROM = "from"  # only the From address: unverified
_ADDRESS_HEADERS = ("delivered-to", "x-original-to", "envelope-to")


@dataclass(frozen=True)
class Match:
    """Who wrote, for which round, in reply to what — or why it cannot be trusted."""

    member: Member | None
    round_id: str = ""
    story_id: str = ""  # the thread's story when the message is a response
    parent_id: str = ""  # the story/response replied to ("" = a new story for the round)
    via: str = ""  # VIA_TOKEN | VIA_REFERENCES | VIA_FROM | "" (unmatched)
    token_parent: str = ""  # the token's raw parent (e.g. "invitation"), even if not a thread
    problem: str = ""  # quarantine reason; "" when the match can be trusted enough to store

    @property
    def is_response(self) -> bool:
        """True when the message continues a story's thread."""
        return bool(self.story_id)


def find_by_address(members: Sequence[Member], address: str) -> Member | None:
    """The member who writes from `address` (email or alias), case-insensitive."""
    address = address.strip().lower()
    for member in members:
        if address in member.addresses():
            return member
    return None


def current_round(rounds: Sequence[Round], now: datetime) -> Round | None:
    """The round a From-matched story belongs to: the open one, else the latest with a digest."""
    for states in ((RoundState.OPEN,), (RoundState.DIGEST_SENT,)):
        candidates = [r for r in rounds if r.state in states]
        if candidates:
            upcoming = [r for r in candidates if r.gathering >= now]
            return min(upcoming, key=lambda r: r.gathering) if upcoming else max(
                candidates, key=lambda r: r.gathering)
    return None


def is_own_address(address: str, circle_address: str) -> bool:
    """True for the circle's address or any `local+tag@domain` variant of it."""
    local, _, domain = address.strip().lower().partition("@")
    c_local, _, c_domain = circle_address.strip().lower().partition("@")
    return domain == c_domain and local.partition("+")[0] == c_local


def _address_tokens(msg: ParsedMessage, circle_address: str) -> list[str]:
    addresses = [a.email for a in (*msg.to, *msg.cc)]
    addresses += [v.strip().strip("<>") for k, v in msg.headers if k.lower() in _ADDRESS_HEADERS]
    tokens = []
    for address in addresses:
        token = token_from_address(address)
        if token and is_own_address(address, circle_address):
            tokens.append(token)
    return tokens


def read_claim(token: str, secret: bytes, keys: ReplyKeys | None) -> TokenClaim | None:
    """The claim of a long token that verifies, or of a short key found in the store."""
    if is_short_key(token):
        found = keys.get(token.strip().lower()) if keys is not None else None
        return TokenClaim(found.member_id, found.round_id, found.parent_id) if found else None
    return read_token(secret, token)


def _claims(msg: ParsedMessage, secret: bytes, circle_address: str,
            keys: ReplyKeys | None = None) -> tuple[list[tuple[TokenClaim, str]], int]:
    """Valid claims in order of trust, and how many tokens did not verify."""
    found = [(t, VIA_TOKEN) for t in _address_tokens(msg, circle_address)]
    for mid in (msg.in_reply_to, *reversed(msg.references)):
        token = token_from_message_id(mid) if mid else None
        if token:
            found.append((token, VIA_REFERENCES))
    claims: list[tuple[TokenClaim, str]] = []
    bad = 0
    for token, via in found:
        claim = read_claim(token, secret, keys)
        if claim is None:
            bad += 1
        else:
            claims.append((claim, via))
    return claims, bad


def token_claim(msg: ParsedMessage, secret: bytes, circle_address: str,
                keys: ReplyKeys | None = None) -> TokenClaim | None:
    """The first verified claim in the message's addresses or Message-IDs (e.g. for bounces)."""
    claims, _ = _claims(msg, secret, circle_address, keys)
    return claims[0][0] if claims else None


def match(msg: ParsedMessage, *, secret: bytes, circle_address: str,
          members: Sequence[Member], rounds: Mapping[str, Round],
          stories: Mapping[str, Story], responses: Mapping[str, Response],
          now: datetime, keys: ReplyKeys | None = None) -> Match:
    """Decide member, round and parent for `msg`; `problem` says why to quarantine it.

    `keys` resolves short reply keys (`+r-…`); without it only long tokens verify.
    """
    sender = find_by_address(members, msg.sender.email)
    claims, bad = _claims(msg, secret, circle_address, keys)
    if not claims:
        if bad:
            return Match(sender, problem=f"reply token did not verify (tampered, or from "
                                         f"another circle); sent by {msg.sender.email}")
        if sender is None:
            return Match(None, problem=f"unknown sender {msg.sender.email or '(no address)'}: "
                                       "not a member's address or alias")
        rnd = current_round(list(rounds.values()), now)
        return Match(sender, round_id=rnd.id if rnd else "", via=VIA_FROM)
    claim, via = claims[0]
    member = next((m for m in members if m.id == claim.member_id), None)
    if member is None:
        return Match(sender, problem=f"reply token names member {claim.member_id!r}, "
                                     "who is not in the circle")
    if sender is None:
        return Match(member, problem=f"reply token is {member.name}'s but the mail came from "
                                     f"{msg.sender.email}, not one of their addresses "
                                     "(add it as an alias if it is theirs)")
    if sender.id != member.id:
        return Match(member, problem=f"reply token is {member.name}'s but the mail came from "
                                     f"{sender.name} <{msg.sender.email}>")
    if claim.round_id and claim.round_id not in rounds:
        return Match(member, problem=f"reply token names round {claim.round_id!r}, "
                                     "which does not exist")
    parent = claim.parent_id
    if parent in stories:
        return Match(member, round_id=claim.round_id or stories[parent].round_id,
                     story_id=parent, parent_id=parent, via=via, token_parent=parent)
    if parent in responses:
        resp = responses[parent]
        return Match(member, round_id=claim.round_id or resp.round_id, story_id=resp.story_id,
                     parent_id=parent, via=via, token_parent=parent)
    round_id = claim.round_id
    if not round_id:
        rnd = current_round(list(rounds.values()), now)
        round_id = rnd.id if rnd else ""
    return Match(member, round_id=round_id, via=via, token_parent=parent)
